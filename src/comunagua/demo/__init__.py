"""Synthetic demo committees: deterministic, seeded, one module per flow."""
