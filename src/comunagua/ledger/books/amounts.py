"""Money a person typed, checked the one way every part of the books checks it: a number, above
zero (or at least zero), below `LIMIT`, in centavos. The message lands on the field named."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from comunagua.lib.money import CENT, MoneyError, as_decimal

LIMIT = Decimal("1e9")  # no household pays, and no committee spends, that much at once


def amount_clean(value, field_name: str, *, positive: bool = True) -> Decimal:
    """`value` as an amount in centavos, or ValidationError on `field_name`."""
    try:
        amount = as_decimal(value)
    except MoneyError:
        message = _("Write the amount as a number, e.g. 12.50.")
        raise ValidationError({field_name: message}) from None
    if positive and amount <= 0:
        raise ValidationError({field_name: _("The amount must be greater than zero.")})
    if amount < 0:
        raise ValidationError({field_name: _("The amount cannot be negative.")})
    # Size first: quantize raises on a number too long for its precision (1e30).
    if amount >= LIMIT:
        raise ValidationError({field_name: _("That amount is too large.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({field_name: _("At most two decimal places (centavos).")})
    return amount.quantize(CENT)
