"""The arithmetic of arrears, pure (no Django): instalments that add up to the debt, the same
day some months later, debt by age, and the bounds of the committee's rules."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from comunagua.lib.money import CENT, as_decimal
from comunagua.lib.periods import Period

ZERO = Decimal("0.00")
# The document types the arrears write or read.
BILL = "bill"
FINE = "fine"
INSTALMENT = "instalment"
RECONNECTION = "reconnection"
MAX_INSTALMENTS = 36  # three years of monthly instalments
MAX_FIRST_DUE_DAYS = 366  # the first instalment falls due within a year of the agreement
# Bounds of the rules: what a statute could sensibly say.
RULE_BOUNDS = {
    "late_fine_after_days": (0, 365),
    "disconnect_after_months": (1, 24),
    "notice_days": (0, 90),
}


def split(total: Decimal, count: int) -> list[Decimal]:
    """`total` in `count` instalments: each the share rounded down to the centavo, the last one
    taking the remainder, so that they add up to the total exactly. Rounding down (not half-up)
    keeps every instalment above zero: half-up could leave the last one at zero or below (1.00 in
    36: 35 x 0.03 = 1.05)."""
    total = as_decimal(total)
    if count < 1:
        raise ValueError("at least one instalment")
    share = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    if share <= 0 or total != total.quantize(CENT):
        raise ValueError(f"{total} cannot be split in {count} instalments of at least 0.01")
    return [share] * (count - 1) + [total - share * (count - 1)]


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan -> 28 Feb)."""
    period = Period.of(day) + months
    return date(period.year, period.month, min(day.day, period.days))


@dataclass(frozen=True)
class Buckets:
    """Open debt by age: not yet due, in its first, second, third or later month past due."""

    current: Decimal = ZERO
    month1: Decimal = ZERO
    month2: Decimal = ZERO
    month3: Decimal = ZERO

    @property
    def overdue(self) -> Decimal:
        return self.month1 + self.month2 + self.month3

    @property
    def total(self) -> Decimal:
        return self.current + self.overdue

    def __add__(self, other: "Buckets") -> "Buckets":
        return Buckets(
            self.current + other.current,
            self.month1 + other.month1,
            self.month2 + other.month2,
            self.month3 + other.month3,
        )


def age_of(due_on: date, on: date) -> int:
    """How many months past due a debt is on `on`: 0 not yet due, 1, 2, or 3 (three or more)."""
    if due_on >= on:
        return 0
    one, two = add_months(on, -1), add_months(on, -2)
    return 1 if due_on >= one else 2 if due_on >= two else 3
