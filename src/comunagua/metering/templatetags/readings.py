"""Volumes on screen: "1234,5" in Spanish, "1234.5" in English, no trailing zeros."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def m3(value) -> str:
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    places = max(0, -number.normalize().as_tuple().exponent)
    return formats.number_format(number, decimal_pos=min(places, 3), use_l10n=True)
