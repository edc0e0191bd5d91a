"""Billing periods are calendar months, written "YYYY-MM"."""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    def __post_init__(self):
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 9999:
            raise ValueError(f"not a month: {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str) -> "Period":
        """'2025-03' -> Period(2025, 3); anything else raises ValueError."""
        text = str(text).strip()
        parts = text.split("-")
        if len(parts) != 2 or len(parts[0]) != 4 or not all(p.isdigit() for p in parts):
            raise ValueError(f"not a period (YYYY-MM): {text!r}")
        return cls(int(parts[0]), int(parts[1]))

    @classmethod
    def of(cls, day: date) -> "Period":
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def days(self) -> int:
        return self.last_day.day

    def next(self) -> "Period":
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> "Period":
        return Period(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def __add__(self, months: int) -> "Period":
        index = self.year * 12 + self.month - 1 + months
        return Period(index // 12, index % 12 + 1)

    def __sub__(self, months: int) -> "Period":
        return self + (-months)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def days_by_month(after: date, until: date) -> list[tuple[Period, int]]:
    """The days after `after` up to and including `until`, counted per month, in order: what a
    meter read on `after` and again on `until` measured, month by month."""
    if until <= after:
        return []
    result, day = [], after + timedelta(days=1)
    while day <= until:
        month = Period.of(day)
        end = min(until, month.last_day)
        result.append((month, (end - day).days + 1))
        day = end + timedelta(days=1)
    return result
