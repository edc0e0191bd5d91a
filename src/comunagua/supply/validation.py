"""The checks every supply write makes the same way: a typed number within its bounds, a line of
text, an error keyed by the form field it belongs to. A number that cannot be true (negative,
beyond the dials, more pump hours than the day has) is refused with a message in the user's
language. The areas' services call these; see docs/supply.md.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ZERO = Decimal(0)


def day_text(day: date) -> str:
    """A day as the messages show it: 01/05/2025."""
    return f"{day:%d/%m/%Y}"


def invalid(field_name: str | None, message: str, code: str = "invalid") -> ValidationError:
    """A refusal keyed by its form field (or for the whole form when `field_name` is None)."""
    error = ValidationError(message, code=code)
    return ValidationError({field_name: error}) if field_name else error


def checked_number(
    value,
    *,
    field_name: str,
    label: str,
    places: int,
    low: Decimal | None = ZERO,
    high: Decimal | None = None,
    required: bool = True,
) -> Decimal | None:
    """A typed number checked: a finite Decimal with at most `places` decimals, within
    [low, high]. None passes when not required."""
    if value is None or value == "":
        if required:
            raise invalid(field_name, _("Enter %(what)s.") % {"what": label}, "required")
        return None
    if isinstance(value, float | bool):
        raise invalid(field_name, _("Enter %(what)s as a number.") % {"what": label})
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise invalid(field_name, _("Enter %(what)s as a number.") % {"what": label}) from None
    if not number.is_finite():
        raise invalid(field_name, _("Enter %(what)s as a number.") % {"what": label})
    if low is not None and number < low:
        if low == 0:
            message = _("%(what)s cannot be negative.") % {"what": _first_upper(label)}
            raise invalid(field_name, message, "negative")
        message = _("%(what)s cannot be less than %(low)s.") % {
            "what": _first_upper(label),
            "low": low,
        }
        raise invalid(field_name, message, "too_small")
    if high is not None and number > high:
        message = _("%(what)s cannot be more than %(high)s: check the figure.") % {
            "what": _first_upper(label),
            "high": high.normalize() if high == high.to_integral() else high,
        }
        raise invalid(field_name, message, "absurd")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        message = _("%(what)s has at most %(places)s decimals.") % {
            "what": _first_upper(label),
            "places": places,
        }
        raise invalid(field_name, message, "too_many_decimals")
    return number.quantize(Decimal(1).scaleb(-places))


def _first_upper(text) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def one_line(value, limit: int) -> str:
    """Typed text on one line, its runs of spaces and line breaks made single spaces, cut to
    `limit` characters."""
    return " ".join(str(value or "").split())[:limit]
