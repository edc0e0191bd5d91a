"""What every demo flow receives: the committee, its own random stream, the dates and the logins.

Each flow draws from its own `random.Random` seeded with (seed, committee, flow name), so adding a
flow later, or drawing more numbers in one, never changes what another flow generates.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

from comunagua.tenancy.models import Committee

DEFAULT_SEED = 20100815

# Dates older than this are fixed calendar dates, the same on every load; what happens after it
# (new connections, meter changes, transfers, cuts) is placed in the months before "today".
HISTORY_END = date(2024, 6, 30)
RECENT_MONTHS = 24


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, min(day.day, 28))


@dataclass
class DemoContext:
    committee: Committee
    today: date
    seed: int
    users: dict  # username -> User, the demo logins of every committee
    member_logins: list  # users with the member role here, to link to a Member
    started_at: datetime = field(default_factory=timezone.now)
    results: dict = field(default_factory=dict)  # what one flow leaves for the next

    def rng(self, flow: str) -> random.Random:
        return random.Random(f"{self.seed}:{self.committee.slug}:{flow}")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.committee.timezone)

    def at(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        """An aware datetime on a day, in the committee's time zone (for history records)."""
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    def recent_day(self, rng: random.Random, months_back: int) -> date:
        """A day `months_back` months before this month (1 = last month), never in the future."""
        first = add_months(self.today.replace(day=1), -months_back)
        return first.replace(day=rng.randint(1, 28))

    @property
    def recent_start(self) -> date:
        return add_months(self.today.replace(day=1), -RECENT_MONTHS)
