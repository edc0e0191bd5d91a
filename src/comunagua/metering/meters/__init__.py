"""A meter change, checked against the meter's readings: the meter removed ends at least where
it was last read. The meter rows themselves are the register's (registry.services)."""
