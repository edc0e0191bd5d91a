"""The tariff simulator: a proposed tariff applied to the real consumption of a billed month.

What an assembly needs before it votes a tariff change: for every category and for every tenth
of the households (ranked by what they used), what they paid, what they would pay, and the
difference; and the month's revenue against the committee's costs.

Pure: no Django here. The old bill is the bill actually issued (its charges, without the
previous balance); the new bill is `engine.quote` of the proposed tariff for the same volume,
category and sewer. Every sum is exact Decimal: the category rows add up to the totals, and so
do the decile rows to the households' totals.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from . import engine
from .engine import gettext_noop

ZERO = Decimal("0.00")
DECILES = 10
# Deciles rank households: connections in these categories. A shop or a school using a lot of
# water says nothing about what families can pay.
HOUSEHOLD_CATEGORIES = ("residential", "social")


@dataclass(frozen=True)
class Usage:
    """One connection's billed month."""

    number: str  # the connection number, which breaks ties between equal volumes
    category: str
    m3: Decimal
    sewer: bool
    old_total: Decimal  # the bill's charges, as issued


@dataclass(frozen=True)
class Row:
    """A group of connections: a category, a decile, or all of them."""

    key: str  # category code, "1".."10" for deciles, "total"
    connections: int
    m3: Decimal  # their consumption together
    m3_min: Decimal
    m3_max: Decimal
    old_total: Decimal
    new_total: Decimal

    @property
    def difference(self) -> Decimal:
        return self.new_total - self.old_total

    @property
    def change_percent(self) -> Decimal | None:
        """The difference as a percentage of the old revenue, to 0.1 %; None when nothing was
        billed before."""
        if not self.old_total:
            return None
        return (self.difference * 100 / self.old_total).quantize(Decimal("0.1"))

    @property
    def old_average(self) -> Decimal:
        return _average(self.old_total, self.connections)

    @property
    def new_average(self) -> Decimal:
        return _average(self.new_total, self.connections)

    @property
    def average_difference(self) -> Decimal:
        return self.new_average - self.old_average

    @property
    def m3_average(self) -> Decimal:
        return (self.m3 / self.connections).quantize(Decimal("0.01")) if self.connections else ZERO


@dataclass(frozen=True)
class Simulation:
    currency: str
    categories: tuple[Row, ...]
    deciles: tuple[Row, ...]  # households, least water first; none with fewer than ten
    households: Row
    total: Row
    costs: Decimal | None  # the committee's costs for the month, when given

    @property
    def old_balance(self) -> Decimal | None:
        """Revenue minus costs with the bills as issued."""
        return None if self.costs is None else self.total.old_total - self.costs

    @property
    def new_balance(self) -> Decimal | None:
        return None if self.costs is None else self.total.new_total - self.costs

    @property
    def new_coverage_percent(self) -> Decimal | None:
        """How much of the costs the new revenue covers, to 0.1 %."""
        if not self.costs:
            return None
        return (self.total.new_total * 100 / self.costs).quantize(Decimal("0.1"))

    @property
    def old_coverage_percent(self) -> Decimal | None:
        if not self.costs:
            return None
        return (self.total.old_total * 100 / self.costs).quantize(Decimal("0.1"))


class SimulationError(ValueError):
    """A simulation that cannot be run; `template` and `params` let the page translate it."""

    def __init__(self, message: str, params: dict | None = None):
        self.template = message
        self.params = dict(params or {})
        super().__init__(message % self.params if self.params else message)


def _average(total: Decimal, count: int) -> Decimal:
    # Averages are shown, never summed: rounding them to the centavo loses nothing that counts.
    return (total / count).quantize(Decimal("0.01")) if count else ZERO


def _row(key: str, usages: Sequence[Usage], new_totals: Sequence[Decimal]) -> Row:
    volumes = [usage.m3 for usage in usages]
    return Row(
        key=key,
        connections=len(usages),
        m3=sum(volumes, Decimal(0)),
        m3_min=min(volumes, default=Decimal(0)),
        m3_max=max(volumes, default=Decimal(0)),
        old_total=sum((usage.old_total for usage in usages), ZERO),
        new_total=sum(new_totals, ZERO),
    )


def decile_of(index: int, count: int) -> int:
    """The decile (1..10) of the `index`-th (from 0) of `count` households ranked by consumption:
    ten groups whose sizes differ by one at most."""
    return index * DECILES // count + 1


def simulate(
    proposed: engine.Tariff,
    usages: Iterable[Usage],
    *,
    costs: Decimal | None = None,
    currency: str | None = None,
) -> Simulation:
    """Price every usage with the proposed tariff and group the old and new bills. `currency`
    is the old bills' currency: a tariff in another one cannot be compared with them."""
    usages = list(usages)
    if not usages:
        raise SimulationError(gettext_noop("there is no billed consumption to simulate with"))
    if currency is not None and proposed.currency != currency:
        raise SimulationError(
            gettext_noop(
                "the proposed tariff is in %(proposed)s but the bills are in %(currency)s"
            ),
            {"proposed": proposed.currency, "currency": currency},
        )
    missing = sorted({u.category for u in usages} - set(proposed.categories))
    if missing:
        raise SimulationError(
            gettext_noop("the proposed tariff has no price for the categories: %(categories)s"),
            {"categories": ", ".join(missing)},
        )
    if costs is not None and costs < 0:
        raise SimulationError(gettext_noop("the costs cannot be negative"))

    # The engine is pure: equal (category, volume, sewer) share one quote.
    quotes: dict[tuple, Decimal] = {}
    new_totals: dict[int, Decimal] = {}
    for index, usage in enumerate(usages):
        key = (usage.category, usage.m3, usage.sewer)
        if key not in quotes:
            quotes[key] = engine.quote(
                proposed, category=usage.category, m3=usage.m3, sewer=usage.sewer
            ).total
        new_totals[index] = quotes[key]

    def row(key: str, indexes: Sequence[int]) -> Row:
        return _row(key, [usages[i] for i in indexes], [new_totals[i] for i in indexes])

    by_category: dict[str, list[int]] = {}
    for index, usage in enumerate(usages):
        by_category.setdefault(usage.category, []).append(index)
    # In the order the proposed tariff lists its categories, as the assembly reads it.
    categories = tuple(
        row(code, by_category[code]) for code in proposed.categories if code in by_category
    )

    households = sorted(
        (i for i, usage in enumerate(usages) if usage.category in HOUSEHOLD_CATEGORIES),
        key=lambda i: (usages[i].m3, usages[i].number),
    )
    groups: dict[int, list[int]] = {}
    if len(households) >= DECILES:  # tenths of fewer households would be single families
        for position, index in enumerate(households):
            groups.setdefault(decile_of(position, len(households)), []).append(index)
    deciles = tuple(row(str(decile), groups[decile]) for decile in sorted(groups))

    return Simulation(
        currency=proposed.currency,
        categories=categories,
        deciles=deciles,
        households=row("households", households),
        total=row("total", range(len(usages))),
        costs=costs,
    )
