"""Meter readings: entering them (a page, the reader's phone, another system), the checks that
flag what a person should look at (metering/validation.py, pure), the review, and the reads of
readings other code relies on (billing's volumes, a meter's or a connection's last reading)."""
