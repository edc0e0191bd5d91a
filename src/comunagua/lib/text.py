"""Text typed into a search box, made safe for any database."""

SEARCH_MAX = 100  # characters of a search; a name, a number and a street fit


def search_text(value, limit: int = SEARCH_MAX) -> str:
    """A search as typed: control characters (PostgreSQL refuses NUL) become spaces, runs of
    spaces one, and it is cut at `limit` characters."""
    text = "".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in str(value or ""))
    return " ".join(text.split())[:limit]
