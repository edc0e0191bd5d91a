"""Money, numbers and volumes as people read them: "Bs 18,00", "12,5 m³".

The one place that writes an amount or a volume for a person: pages (through the `money`
template tags), commands, printed documents and receipts call these functions. Numbers follow the
active language (a decimal comma in Spanish).
"""

from decimal import Decimal, InvalidOperation

from django.utils import formats

# What a bill prints before the amount; any other currency shows its ISO code.
CURRENCY_SYMBOLS = {
    "BOB": "Bs",
    "USD": "US$",
    "EUR": "€",
    "PEN": "S/",
    "ARS": "$",
    "CLP": "$",
    "COP": "$",
    "MXN": "$",
    "PYG": "₲",
    "GTQ": "Q",
    "HNL": "L",
    "NIO": "C$",
}


def currency_symbol(currency: str | None) -> str:
    currency = (currency or "BOB").upper()
    return CURRENCY_SYMBOLS.get(currency, currency)


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool | float):
        return None
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def _places(value: Decimal) -> int:
    """Decimal places a value needs: 2.50 -> 1, 2.125 -> 3, 10 -> 0."""
    exponent = value.normalize().as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def format_number(value, places: int | None = None) -> str:
    """A number in the active language: 1234.5 -> "1 234,5" in Spanish. With `places`, exactly
    that many decimals; without, as many as the value needs (trailing zeros dropped)."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if places is None:
        places = _places(number)
    return formats.number_format(number, places, use_l10n=True, force_grouping=True)


def format_money(amount, currency: str | None = "BOB", places: int = 2) -> str:
    """ "Bs 18,00"; "-Bs 0,04"; a price with more decimals keeps them: "Bs 2,125"."""
    number = _decimal(amount)
    if number is None:
        return "" if amount is None else str(amount)
    shown = format_number(abs(number), max(places, _places(number)))
    sign = "-" if number < 0 else ""
    return f"{sign}{currency_symbol(currency)} {shown}"


def format_volume(m3) -> str:
    """ "12,5 m³", "0,001 m³", "10 m³"."""
    if _decimal(m3) is None:
        return "" if m3 is None else str(m3)
    return f"{format_number(m3)} m³"
