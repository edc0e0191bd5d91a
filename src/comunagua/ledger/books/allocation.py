"""Which debts a payment settles. Pure: amounts in, shares out, Decimal throughout.

The oldest debt is paid first (by due date, then as listed), unless the cashier names the debts
to settle; whatever is left after every debt is an advance, kept as the household's credit and
used by the next charges.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Due:
    key: Hashable
    due_on: object  # a date; anything orderable
    open: Decimal  # what is left to pay, > 0


def allocate(
    amount: Decimal, dues: Sequence[Due], *, chosen: Sequence[Hashable] = ()
) -> tuple[list[tuple[Hashable, Decimal]], Decimal]:
    """Split `amount` over `dues`: the `chosen` ones first in the order given, then the rest
    oldest first. Returns the shares [(key, amount)] and what is left over (the advance)."""
    if amount < 0:
        raise ValueError("a payment cannot be negative")
    by_key = {due.key: due for due in dues}
    unknown = [key for key in chosen if key not in by_key]
    if unknown:
        raise KeyError(unknown[0])
    first = [by_key[key] for key in dict.fromkeys(chosen)]
    rest = sorted(
        (due for due in dues if due.key not in set(chosen)),
        key=lambda due: due.due_on,  # stable: equal dates keep the given order
    )
    shares = []
    left = amount
    for due in [*first, *rest]:
        if left <= 0:
            break
        share = min(left, due.open)
        if share > 0:
            shares.append((due.key, share))
            left -= share
    return shares, left
