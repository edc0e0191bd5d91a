"""Bank statements: deposits read from the bank's CSV, matched to households, recorded as
payments."""
