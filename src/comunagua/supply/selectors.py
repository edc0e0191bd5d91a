"""Reads of the water shared by pages and the `water-balance` command: the operator's log for a
day, the inputs of the water balance for a span of months (production from the log, billed volumes
and prices from billing, estimates from the committee's settings), NRW month by month and sector
by sector, energy and cost per m³, and the well's levels with their trend.

Supply reads the bills through billing's selectors (billed_volumes and its kin), never billing's
tables: the billed metered volume of a month is the sum of its bills' consumption, as issued.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from comunagua.billing.selectors import (
    billed_volumes,
    billed_volumes_by_sector,
    latest_billed_period,
)
from comunagua.lib.money import round_to_unit, split_exactly, sum_to_unit
from comunagua.lib.periods import Period, days_by_month
from comunagua.registry.models import Connection, Sector
from comunagua.tenancy.models import Committee

from . import aquifer
from .balance import (
    BalanceError,
    BalanceInputs,
    Estimate,
    NoInflowError,
    WaterBalance,
    water_balance,
)
from .models import (
    BalanceSettings,
    Interruption,
    MeterReading,
    OperatorLog,
    ProductionMeter,
    Source,
    Tank,
    WellLevel,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
LITRE = Decimal("0.001")
TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")
# A production meter's volume is spread over the days since its previous reading, if that was
# at most this long before (a quarter); an older one, or none, counts on the reading's day.
SPREAD_DAYS = 92
# Pumping levels paired with a static level measured at most this many days before.
PAIR_DAYS = 31
# The drawdown for the projection: the median of the pairs of the last year.
DRAWDOWN_DAYS = 365


def balance_settings_of(committee: Committee) -> BalanceSettings:
    """The committee's settings, or the documented defaults (not saved) when it has none."""
    found = BalanceSettings.objects.filter(committee=committee).first()
    return found if found is not None else BalanceSettings(committee=committee)


def months_of(first: Period, last: Period) -> list[Period]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month.next()
    return months


# --- the operator's log ------------------------------------------------------------------------


@dataclass
class MeterRow:
    meter: ProductionMeter
    previous: Decimal
    previous_day: date
    reading: MeterReading | None = None  # the day's own reading, when the day is logged


def log_form_rows(*, committee: Committee, day: date, log: OperatorLog | None = None) -> dict:
    """What the operator's page shows for a day: each active meter with the reading before that
    day, the tanks, the sectors, and the previous log."""
    meters = list(
        ProductionMeter.objects.filter(committee=committee, is_active=True)
        .select_related("source", "sector")
        .order_by("sector__position", "name")
    )
    rows = []
    for meter in meters:
        before = (
            MeterReading.objects.filter(meter=meter, day__lt=day)
            .order_by("-day")
            .values_list("value", "day")
            .first()
        )
        previous, previous_day = before or (meter.initial_reading, meter.installed_on)
        own = log.readings.filter(meter=meter).first() if log is not None else None
        rows.append(MeterRow(meter, previous, previous_day, own))
    previous_log = (
        OperatorLog.objects.filter(committee=committee, day__lt=day).order_by("-day").first()
    )
    return {
        "meters": rows,
        "tanks": list(Tank.objects.filter(committee=committee, is_active=True)),
        "sectors": list(Sector.objects.filter(committee=committee).order_by("position", "name")),
        "previous_log": previous_log,
    }


def recent_logs(*, committee: Committee, limit: int = 14) -> list[OperatorLog]:
    logs = list(
        OperatorLog.objects.filter(committee=committee)
        .order_by("-day")
        .prefetch_related("readings__meter", "tank_levels__tank", "interruptions")[:limit]
    )
    for log in logs:
        log.produced_m3 = sum(
            (r.volume_m3 for r in log.readings.all() if r.meter.source_id is not None), ZERO
        )
    return logs


# --- month by month: production and billing ---------------------------------------------------


@dataclass
class Produced:
    """A month of the operator's log."""

    own_m3: Decimal = ZERO  # meters on own wells
    bulk_m3: Decimal = ZERO  # meters on bulk supplies and tankers, plus tanker purchases
    unbilled_m3: Decimal = ZERO
    energy_kwh: Decimal = ZERO
    chlorine_kg: Decimal = ZERO
    pump_hours: Decimal = ZERO
    purchased_cost: Decimal = ZERO
    logs: int = 0

    @property
    def input_m3(self) -> Decimal:
        return self.own_m3 + self.bulk_m3


@dataclass
class Billed:
    metered_m3: Decimal = ZERO
    unmetered_m3: Decimal = ZERO
    water_charges: Decimal = ZERO  # the water lines, net of credit notes; unrounded
    bills: int = 0

    @property
    def m3(self) -> Decimal:
        return self.metered_m3 + self.unmetered_m3


def _meter_volumes(committee: Committee, first: Period, last: Period, meters: Q, key: str):
    """(month, key, m³, price per m³ or None) for the volumes of the `meters` that fall in
    first..last, `key` being a field of the reading (its source's kind, its sector). A reading's
    volume is what its meter measured since its previous reading, so it is spread over those
    days: a committee reading its meters weekly sees each month's own water, not a week shifted
    across a month's end. A reading with no previous one within SPREAD_DAYS counts on its day."""
    rows = (
        MeterReading.objects.filter(
            meters,
            committee=committee,
            day__gte=first.first_day - timedelta(days=SPREAD_DAYS),
            day__lte=last.last_day + timedelta(days=SPREAD_DAYS),
        )
        .order_by("meter_id", "day")
        .values_list("meter_id", "day", "volume_m3", "price_per_m3", key)
    )
    meter_before, day_before = None, None
    for meter_id, day, m3, price, value in rows:
        after = day_before if meter_id == meter_before else None
        meter_before, day_before = meter_id, day
        if after is None or (day - after).days > SPREAD_DAYS or not m3:
            parts = [(Period.of(day), m3)]
        else:
            spans = days_by_month(after, day)
            parts = zip(
                [month for month, _days in spans],
                split_exactly(m3, [days for _month, days in spans], LITRE),
                strict=True,
            )
        for month, share in parts:
            if first <= month <= last:
                yield month, value, share, price


def production_by_month(
    *, committee: Committee, first: Period, last: Period
) -> dict[Period, Produced]:
    """The log's volumes, energy and chlorine per month (meter volumes spread over the days they
    measured; the rest of a log in its day's month)."""
    result: dict[Period, Produced] = defaultdict(Produced)
    span = Q(day__gte=first.first_day, day__lte=last.last_day)
    sources = Q(meter__source__isnull=False)
    for month, kind, m3, price in _meter_volumes(
        committee, first, last, sources, "meter__source__kind"
    ):
        produced = result[month]
        if kind == Source.Kind.WELL:
            produced.own_m3 += m3
        else:
            produced.bulk_m3 += m3
            if price is not None:  # bought water at the price stored with its reading (unrounded)
                produced.purchased_cost += m3 * price
    logs = (
        OperatorLog.objects.filter(span, committee=committee)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(
            kwh=Sum("energy_kwh"),
            chlorine=Sum("chlorine_kg"),
            hours=Sum("pump_hours"),
            flushing=Sum("flushing_m3"),
            public=Sum("public_use_m3"),
            own=Sum("own_use_m3"),
            tanker=Sum("tanker_m3"),
            n=Count("id"),
        )
    )
    tankers = (
        OperatorLog.objects.filter(span, committee=committee, tanker_price_per_m3__isnull=False)
        .exclude(tanker_m3=0)
        .values_list("day", "tanker_m3", "tanker_price_per_m3")
    )
    for day, m3, price in tankers:
        result[Period.of(day)].purchased_cost += m3 * price
    for row in logs:
        month = result[Period.of(row["month"])]
        month.energy_kwh = sum_to_unit(row["kwh"], TENTH)
        month.chlorine_kg = sum_to_unit(row["chlorine"], LITRE)
        month.pump_hours = sum_to_unit(row["hours"], HUNDREDTH)
        month.unbilled_m3 = sum(
            (sum_to_unit(row[name], LITRE) for name in ("flushing", "public", "own")), ZERO
        )
        month.bulk_m3 += sum_to_unit(row["tanker"], LITRE)
        month.logs = row["n"]
    return dict(result)


def billing_by_month(*, committee: Committee, first: Period, last: Period) -> dict[Period, Billed]:
    """The bills' volumes and water charges per billed month, as billing reads them
    (billing.selectors.billed_volumes): a bill without a reading behind it is unmetered
    consumption; the water charges are the water lines less the credit notes against them."""
    return {
        month: Billed(
            metered_m3=billed.metered_m3,
            unmetered_m3=billed.unmetered_m3,
            water_charges=billed.water_charges,
            bills=billed.bills,
        )
        for month, billed in billed_volumes(committee=committee, first=first, last=last).items()
    }


# --- energy and cost per m³ --------------------------------------------------------------------


@dataclass(frozen=True)
class Costs:
    """What producing the span's water cost, and what the households paid per m³ of water.

    Money here is unrounded: the balance rounds the cost of the losses once, and pages and the
    command round what they show."""

    months: int
    produced_m3: Decimal
    energy_kwh: Decimal
    energy_cost: Decimal
    chlorine_kg: Decimal
    chemicals_cost: Decimal
    maintenance: Decimal
    allowance: Decimal
    purchased_cost: Decimal
    total: Decimal
    per_m3: Decimal | None  # production cost per m³ produced
    kwh_per_m3: Decimal | None
    billed_m3: Decimal
    water_charges: Decimal
    tariff_per_m3: Decimal | None  # the bills' water charges (net of credit notes) over their m³

    @property
    def margin_per_m3(self) -> Decimal | None:
        if self.per_m3 is None or self.tariff_per_m3 is None:
            return None
        return self.tariff_per_m3 - self.per_m3


def costs_of(
    produced: list[Produced], billed: list[Billed], settings: BalanceSettings, months: int
) -> Costs:
    volume = sum((p.input_m3 for p in produced), ZERO)
    own = sum((p.own_m3 for p in produced), ZERO)  # the pumps' energy lifts only this water
    kwh = sum((p.energy_kwh for p in produced), ZERO)
    chlorine = sum((p.chlorine_kg for p in produced), ZERO)
    energy_cost = kwh * settings.energy_price_per_kwh
    chemicals_cost = chlorine * settings.chlorine_cost_per_kg
    maintenance = settings.maintenance_per_month * months
    allowance = settings.allowance_per_month * months
    purchased = sum((p.purchased_cost for p in produced), ZERO)
    total = energy_cost + chemicals_cost + maintenance + allowance + purchased
    billed_m3 = sum((b.m3 for b in billed), ZERO)
    water_charges = sum((b.water_charges for b in billed), ZERO)
    return Costs(
        months=months,
        produced_m3=volume,
        energy_kwh=kwh,
        energy_cost=energy_cost,
        chlorine_kg=chlorine,
        chemicals_cost=chemicals_cost,
        maintenance=maintenance,
        allowance=allowance,
        purchased_cost=purchased,
        total=total,
        per_m3=total / volume if volume > 0 else None,
        kwh_per_m3=kwh / own if own > 0 else None,
        billed_m3=billed_m3,
        water_charges=water_charges,
        tariff_per_m3=water_charges / billed_m3 if billed_m3 > 0 else None,
    )


# --- the water balance -------------------------------------------------------------------------

# The standard's table, in its order: (WaterBalance field, label, indent level).
BALANCE_ROWS = [
    ("system_input_m3", _("System input volume"), 0),
    ("authorized_consumption_m3", _("Authorized consumption"), 1),
    ("billed_authorized_m3", _("Billed authorized consumption"), 2),
    ("billed_metered_m3", _("Billed metered consumption"), 3),
    ("billed_unmetered_m3", _("Billed unmetered consumption"), 3),
    ("unbilled_authorized_m3", _("Unbilled authorized consumption"), 2),
    ("unbilled_metered_m3", _("Unbilled metered consumption"), 3),
    ("unbilled_unmetered_m3", _("Unbilled unmetered consumption"), 3),
    ("water_losses_m3", _("Water losses"), 1),
    ("apparent_losses_m3", _("Apparent losses"), 2),
    ("unauthorized_m3", _("Unauthorized consumption"), 3),
    ("meter_under_registration_m3", _("Customer meter under-registration"), 3),
    ("data_handling_errors_m3", _("Data handling errors"), 3),
    ("real_losses_m3", _("Real losses"), 2),
    ("revenue_water_m3", _("Revenue water"), 1),
    ("non_revenue_water_m3", _("Non-revenue water"), 1),
]

# --- the balance of a span -----------------------------------------------------------------------


def _estimate(value: Decimal, margin: Decimal) -> Estimate:
    return Estimate(Decimal(value), Decimal(margin))


def _connections(committee: Committee, billed: list[Billed]) -> int:
    """Connections served over the span: the bills of an average billed month, or the active
    connections when nothing was billed yet."""
    months = [b.bills for b in billed if b.bills]
    if months:
        return max(1, round(sum(months) / len(months)))
    active = Connection.objects.filter(committee=committee, status=Connection.Status.ACTIVE)
    return max(1, active.count())


def inputs_of(
    *,
    committee: Committee,
    produced: list[Produced],
    billed: list[Billed],
    settings: BalanceSettings,
    days: int,
    costs: Costs,
) -> BalanceInputs:
    unbilled = sum((p.unbilled_m3 for p in produced), ZERO)
    return BalanceInputs(
        own_sources_m3=sum((p.own_m3 for p in produced), ZERO),
        source_meter_error_pct=_estimate(
            settings.source_meter_error_pct, settings.source_meter_error_margin
        ),
        bulk_import_m3=sum((p.bulk_m3 for p in produced), ZERO),
        billed_metered_m3=sum((b.metered_m3 for b in billed), ZERO),
        billed_unmetered_m3=sum((b.unmetered_m3 for b in billed), ZERO),
        unbilled_metered_m3=ZERO,
        unbilled_unmetered_m3=Estimate(
            unbilled, round_to_unit(unbilled * settings.unbilled_margin_pct / HUNDRED, LITRE)
        ),
        unauthorized_pct=_estimate(settings.unauthorized_pct, settings.unauthorized_margin),
        customer_meter_under_registration_pct=_estimate(
            settings.under_registration_pct, settings.under_registration_margin
        ),
        data_handling_error_pct=_estimate(
            settings.data_handling_pct, settings.data_handling_margin
        ),
        connections=_connections(committee, billed),
        days=days,
        network_length_km=settings.network_length_km,
        average_pressure_m=settings.average_pressure_m,
        production_cost_per_m3=costs.per_m3 or ZERO,
        average_tariff_per_m3=costs.tariff_per_m3 or ZERO,
    )


@dataclass(frozen=True)
class SpanBalance:
    """The water balance of a span of months, with what it was made from. `balance` is None
    when it cannot be made (`problem` says why: "no_production")."""

    first: Period
    last: Period
    inputs: BalanceInputs | None
    balance: WaterBalance | None
    costs: Costs
    months_not_billed: list[Period]
    months_not_logged: list[Period]
    problem: str = ""
    detail: str = ""  # for "bad_inputs": what water_balance refused, in English

    @property
    def days(self) -> int:
        return (self.last.last_day - self.first.first_day).days + 1


def balance_or_problem(inputs: BalanceInputs) -> tuple[WaterBalance | None, str, str]:
    """(balance, problem, detail): the balance of `inputs`, or why there is none —
    "no_production" when no water entered the network (balance.NoInflowError), "bad_inputs"
    when water_balance refuses the inputs (an estimate out of range written straight to the
    table, say), with its message as `detail`."""
    try:
        return water_balance(inputs), "", ""
    except NoInflowError:
        return None, "no_production", ""
    except BalanceError as error:
        return None, "bad_inputs", str(error)


def span_balance(*, committee: Committee, first: Period, last: Period) -> SpanBalance:
    """The IWA water balance of the months first..last."""
    months = months_of(first, last)
    production = production_by_month(committee=committee, first=first, last=last)
    billing = billing_by_month(committee=committee, first=first, last=last)
    settings = balance_settings_of(committee)
    produced = [production.get(m, Produced()) for m in months]
    billed = [billing.get(m, Billed()) for m in months]
    costs = costs_of(produced, billed, settings, len(months))
    days = (last.last_day - first.first_day).days + 1
    not_billed = [m for m in months if m not in billing]
    not_logged = [m for m in months if m not in production]
    inputs = inputs_of(
        committee=committee,
        produced=produced,
        billed=billed,
        settings=settings,
        days=days,
        costs=costs,
    )
    balance, problem, detail = balance_or_problem(inputs)
    return SpanBalance(first, last, inputs, balance, costs, not_billed, not_logged, problem, detail)


@dataclass(frozen=True)
class MonthNRW:
    """A month's non-revenue water. `status`: "ok", "not_billed" (no bills yet: the month's NRW
    would be all its water), "no_production" (nothing logged) or "bad_inputs" (the balance
    refused the inputs: `detail` says why)."""

    period: Period
    input_m3: Decimal
    billed_m3: Decimal
    nrw_m3: Decimal | None
    nrw_percent: Decimal | None
    low: Decimal | None
    high: Decimal | None
    status: str
    detail: str = ""


def monthly_nrw(*, committee: Committee, first: Period, last: Period) -> list[MonthNRW]:
    """Each month's balance, by the same method as the span's (three queries for all months)."""
    months = months_of(first, last)
    production = production_by_month(committee=committee, first=first, last=last)
    billing = billing_by_month(committee=committee, first=first, last=last)
    settings = balance_settings_of(committee)
    result = []
    for month in months:
        produced = production.get(month, Produced())
        billed = billing.get(month)
        if produced.input_m3 <= 0:
            status = "no_production"
        elif billed is None:
            status = "not_billed"
        else:
            status = "ok"
        if status != "ok":
            result.append(
                MonthNRW(
                    month,
                    produced.input_m3,
                    billed.m3 if billed else ZERO,
                    None,
                    None,
                    None,
                    None,
                    status,
                )
            )
            continue
        costs = costs_of([produced], [billed], settings, 1)
        inputs = inputs_of(
            committee=committee,
            produced=[produced],
            billed=[billed],
            settings=settings,
            days=month.days,
            costs=costs,
        )
        balance, problem, detail = balance_or_problem(inputs)
        if balance is None:
            result.append(
                MonthNRW(
                    month, produced.input_m3, billed.m3, None, None, None, None, problem, detail
                )
            )
            continue
        nrw = balance.nrw_percent
        result.append(
            MonthNRW(
                month,
                balance.system_input_m3.value,
                balance.billed_authorized_m3.value,
                balance.non_revenue_water_m3.value,
                nrw.value,
                nrw.low,
                nrw.high,
                "ok",
            )
        )
    return result


# --- district meters: NRW per sector -----------------------------------------------------------


@dataclass
class SectorMonth:
    period: Period
    input_m3: Decimal
    billed_m3: Decimal

    @property
    def nrw_m3(self) -> Decimal:
        return self.input_m3 - self.billed_m3

    @property
    def nrw_percent(self) -> Decimal | None:
        if self.input_m3 <= 0:
            return None
        return round_to_unit(self.nrw_m3 * HUNDRED / self.input_m3, TENTH)


@dataclass
class SectorNRW:
    sector: Sector
    months: list[SectorMonth] = field(default_factory=list)

    @property
    def total(self) -> SectorMonth:
        return SectorMonth(
            self.months[-1].period if self.months else Period(2000, 1),
            sum((m.input_m3 for m in self.months if m.billed_m3), ZERO),
            sum((m.billed_m3 for m in self.months if m.billed_m3), ZERO),
        )


def sector_nrw(*, committee: Committee, first: Period, last: Period) -> list[SectorNRW]:
    """Sectors with a district meter: what entered each month against what its households were
    billed (simple NRW, without the balance's estimates). Months without bills are left out of
    the total."""
    meters = ProductionMeter.objects.filter(committee=committee, sector__isnull=False)
    sector_ids = set(meters.values_list("sector_id", flat=True))
    if not sector_ids:
        return []
    entered: dict[tuple[int, Period], Decimal] = defaultdict(Decimal)
    district = Q(meter__sector_id__in=sector_ids)
    for month, sector_id, m3, _price in _meter_volumes(
        committee, first, last, district, "meter__sector_id"
    ):
        entered[(sector_id, month)] += m3
    billed = billed_volumes_by_sector(
        committee=committee, first=first, last=last, sector_ids=sector_ids
    )
    result = []
    for sector in Sector.objects.filter(pk__in=sector_ids).order_by("position", "name"):
        row = SectorNRW(sector)
        for month in months_of(first, last):
            row.months.append(
                SectorMonth(
                    month,
                    entered.get((sector.pk, month), ZERO),
                    billed.get((sector.pk, month), ZERO),
                )
            )
        result.append(row)
    return result


def sector_months(sectors: list[SectorNRW]) -> list[tuple[Period, list[SectorMonth]]]:
    """The sectors' figures month by month: [(month, [each sector's SectorMonth])], in the
    sectors' order (every SectorNRW has the same months)."""
    if not sectors:
        return []
    return [
        (month.period, [s.months[i] for s in sectors]) for i, month in enumerate(sectors[0].months)
    ]


def latest_billed_month(committee: Committee) -> Period | None:
    return latest_billed_period(committee=committee)


def first_logged_month(committee: Committee) -> Period | None:
    day = (
        OperatorLog.objects.filter(committee=committee)
        .order_by("day")
        .values_list("day", flat=True)
        .first()
    )
    return Period.of(day) if day else None


def default_span(committee: Committee, today: date) -> tuple[Period, Period]:
    """The last twelve billed months (or fewer, from the first log)."""
    last = latest_billed_month(committee) or Period.of(today).previous()
    first = last - 11
    logged = first_logged_month(committee)
    if logged is not None and first < logged <= last:
        first = logged
    return first, last


def interruptions(*, committee: Committee, first: Period, last: Period) -> list[Interruption]:
    return list(
        Interruption.objects.filter(
            committee=committee, log__day__gte=first.first_day, log__day__lte=last.last_day
        )
        .select_related("log")
        .prefetch_related("sectors")
        .order_by("-log__day")
    )


# --- the well ----------------------------------------------------------------------------------


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
