"""Money: Decimal from input to output, and the only place where amounts are rounded.

A committee rounds a bill's total to a unit it chooses (Bs 0.10 is common, since coins of less
are rare); every line is kept to the centavo. Both roundings are half-up, as people do by hand.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


class MoneyError(ValueError):
    """An amount or a rounding unit that cannot be money."""


def as_decimal(value: Decimal | int | str) -> Decimal:
    """Exact conversion; floats are refused because they already lost the centavos."""
    if isinstance(value, float):
        raise MoneyError("floats are not accepted for money; pass a str or Decimal")
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise MoneyError(f"not an amount: {value!r}")
    try:
        result = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise MoneyError(f"not a number: {value!r}") from exc
    if not result.is_finite():
        raise MoneyError(f"not a finite number: {value!r}")
    return result


def round_to_unit(amount: Decimal | int | str, unit: Decimal | str = CENT) -> Decimal:
    """Round half-up to a multiple of `unit` (0.01, 0.10, 0.50, 1 ...), keeping unit's places."""
    amount = as_decimal(amount)
    unit = as_decimal(unit)
    if unit <= 0:
        raise MoneyError(f"rounding unit must be positive, got {unit}")
    try:
        units = (amount / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        # Keep the unit's decimal places: 12.3 rounded to 0.10 reads "12.30".
        return (units * unit).quantize(Decimal(1).scaleb(min(unit.as_tuple().exponent, 0)))
    except InvalidOperation as exc:  # beyond the context's precision: no water bill is that big
        raise MoneyError(f"amount out of range: {amount}") from exc


def cents(amount: Decimal | int | str) -> Decimal:
    """Round a line amount to the centavo."""
    return round_to_unit(amount, CENT)


def sum_to_cents(total) -> Decimal:
    """A database SUM as money: None (no rows) is zero, and the centavos are exact again (SQLite
    sums decimals as floats)."""
    return Decimal("0.00") if total is None else cents(total)


def sum_to_unit(total, unit: Decimal | str) -> Decimal:
    """A database SUM back to its unit (a volume to the litre, say): None (no rows) is zero, and
    the decimals are exact again (SQLite sums decimals as floats)."""
    return round_to_unit(Decimal(0) if total is None else Decimal(str(total)), unit)


def split_exactly(total: Decimal | int | str, weights, unit: Decimal | str) -> list[Decimal]:
    """Share `total` (a multiple of `unit`) in proportion to `weights` (non-negative integers, not
    all zero), each share a multiple of `unit`, the shares adding up to `total` exactly: every
    share is rounded down, then the units left over go one each to the largest remainders
    (earliest first on a tie). Used to spread a measured volume over the months it covers."""
    total, unit = as_decimal(total), as_decimal(unit)
    weights = [int(w) for w in weights]
    if unit <= 0 or any(w < 0 for w in weights) or sum(weights) == 0:
        raise MoneyError("split needs a positive unit and non-negative weights, not all zero")
    units = total / unit
    if units != units.to_integral_value():
        raise MoneyError(f"{total} is not a multiple of {unit}")
    units, whole = int(units), sum(weights)
    floors = [units * w // whole for w in weights]  # floor division, also for a negative total
    left = units - sum(floors)
    by_remainder = sorted(
        range(len(weights)), key=lambda i: (-(units * weights[i] - floors[i] * whole), i)
    )
    for i in by_remainder[:left]:
        floors[i] += 1
    places = Decimal(1).scaleb(min(unit.as_tuple().exponent, 0))
    return [(n * unit).quantize(places) for n in floors]
