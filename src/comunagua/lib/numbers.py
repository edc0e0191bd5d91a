"""Reading numbers as people type them in Bolivia: "1.234,5", "1234.5", "1 234,50"."""

import re
from decimal import Decimal, InvalidOperation

_SPACES = re.compile(r"[\s\u00a0']")


def parse_decimal(text: str | int | Decimal) -> Decimal:
    """Parse a decimal written with either comma or point as the decimal mark.

    When both marks appear, the last one is the decimal mark and the other groups thousands.
    A single comma is a decimal mark (Spanish usage); a single point too (spreadsheets).
    Raises ValueError on anything that is not a finite number.
    """
    if isinstance(text, float):
        raise ValueError("floats are not accepted")
    if isinstance(text, int | Decimal):
        value = Decimal(text)
    else:
        cleaned = _SPACES.sub("", str(text))
        if not cleaned:
            raise ValueError("empty")
        if "," in cleaned and "." in cleaned:
            decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
            thousands = "." if decimal_mark == "," else ","
            cleaned = cleaned.replace(thousands, "").replace(decimal_mark, ".")
        elif cleaned.count(",") == 1:
            cleaned = cleaned.replace(",", ".")
        elif cleaned.count(",") > 1 or cleaned.count(".") > 1:
            # "1.234.567" or "1,234,567": thousands only.
            cleaned = cleaned.replace(",", "").replace(".", "")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", cleaned):
            raise ValueError(f"not a number: {text!r}")
        try:
            value = Decimal(cleaned)
        except InvalidOperation as exc:
            raise ValueError(f"not a number: {text!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a finite number: {text!r}")
    return value
