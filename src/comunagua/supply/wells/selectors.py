"""Reads of the wells: each well's static and pumping levels, its specific capacity, the static
level's trend and when, at that trend, the pumping level would reach the pump intake (the
arithmetic is aquifer.py's)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from statistics import median

from comunagua.lib.money import round_to_unit
from comunagua.tenancy.models import Committee

from ..models import Source, WellLevel
from . import aquifer

HUNDREDTH = Decimal("0.01")
# Pumping levels paired with a static level measured at most this many days before.
PAIR_DAYS = 31
# The drawdown for the projection: the median of the pairs of the last year.
DRAWDOWN_DAYS = 365


@dataclass(frozen=True)
class Capacity:
    """A pumping level paired with the static level before it: drawdown and specific capacity."""

    measured_on: date
    flow_m3h: Decimal
    static_m: Decimal
    pumping_m: Decimal
    drawdown_m: Decimal
    specific_capacity: Decimal | None  # m³/h per metre of drawdown


@dataclass(frozen=True)
class WellReport:
    source: Source
    static: list[WellLevel]
    pumping: list[WellLevel]
    capacities: list[Capacity]
    trend: aquifer.Trend | None
    trend_problem: str  # why there is no trend, in English (translated by the page)
    drawdown_m: Decimal | None
    projection: aquifer.Projection | None
    today: date

    @property
    def latest_static(self) -> WellLevel | None:
        return self.static[-1] if self.static else None

    @property
    def latest_capacity(self) -> Capacity | None:
        return self.capacities[-1] if self.capacities else None

    @property
    def margin_m(self) -> Decimal | None:
        """Metres of water above the pump intake at the latest pumping level."""
        if self.source.pump_intake_m is None or not self.pumping:
            return None
        return self.source.pump_intake_m - self.pumping[-1].depth_m


def _pairs(static: list[WellLevel], pumping: list[WellLevel]) -> list[Capacity]:
    result = []
    for level in pumping:
        before = [
            s
            for s in static
            if s.measured_on <= level.measured_on
            and (level.measured_on - s.measured_on).days <= PAIR_DAYS
        ]
        if not before or level.flow_m3h is None:
            continue
        base = before[-1]
        drawdown = level.depth_m - base.depth_m
        result.append(
            Capacity(
                measured_on=level.measured_on,
                flow_m3h=level.flow_m3h,
                static_m=base.depth_m,
                pumping_m=level.depth_m,
                drawdown_m=drawdown,
                specific_capacity=aquifer.specific_capacity(
                    level.flow_m3h, base.depth_m, level.depth_m
                ),
            )
        )
    return result


def well_report(*, source: Source, today: date) -> WellReport:
    levels = list(WellLevel.objects.filter(source=source).order_by("measured_on", "id"))
    static = [lv for lv in levels if lv.kind == WellLevel.Kind.STATIC]
    pumping = [lv for lv in levels if lv.kind == WellLevel.Kind.PUMPING]
    capacities = _pairs(static, pumping)
    observations = [aquifer.Observation(lv.measured_on, lv.depth_m) for lv in static]
    trend, problem = None, ""
    try:
        trend = aquifer.level_trend(observations)
    except aquifer.NotEnoughData:
        problem = "not_enough_data"
    recent = [
        c.drawdown_m
        for c in capacities
        if c.drawdown_m > 0 and (today - c.measured_on).days <= DRAWDOWN_DAYS
    ] or [c.drawdown_m for c in capacities[-3:] if c.drawdown_m > 0]
    drawdown = round_to_unit(Decimal(median(recent)), HUNDREDTH) if recent else None
    projection = None
    if source.pump_intake_m is not None and drawdown is not None:
        projection = aquifer.intake_projection(
            observations, drawdown, source.pump_intake_m, today=today, trend=trend
        )
    return WellReport(
        source=source,
        static=static,
        pumping=pumping,
        capacities=capacities,
        trend=trend,
        trend_problem=problem,
        drawdown_m=drawdown,
        projection=projection,
        today=today,
    )


def wells(committee: Committee) -> list[Source]:
    return list(Source.objects.filter(committee=committee, kind=Source.Kind.WELL).order_by("name"))
