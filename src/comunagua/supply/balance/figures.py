"""Reads that gather a span's figures month by month for the water balance: production from the
operator's log (a meter's volume spread over the days it measured), the bills' volumes and water
charges (through billing's selectors: supply never reads billing's tables), and for each sector
with a district meter what entered against what its households were billed.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from comunagua.billing.selectors import billed_volumes, billed_volumes_by_sector
from comunagua.lib.money import round_to_unit, split_exactly, sum_to_unit
from comunagua.lib.periods import Period, days_by_month
from comunagua.registry.models import Sector
from comunagua.tenancy.models import Committee

from ..models import MeterReading, OperatorLog, ProductionMeter, Source
from .costs import Billed, Produced

ZERO = Decimal(0)
HUNDRED = Decimal(100)
LITRE = Decimal("0.001")
TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")
# A production meter's volume is spread over the days since its previous reading, if that was
# at most this long before (a quarter); an older one, or none, counts on the reading's day.
SPREAD_DAYS = 92


def months_of(first: Period, last: Period) -> list[Period]:
    """The months first..last, in order."""
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month.next()
    return months


def meter_volumes(committee: Committee, first: Period, last: Period, meters: Q, key: str):
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
    for month, kind, m3, price in meter_volumes(
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


# --- district meters: NRW per sector -------------------------------------------


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
    for month, sector_id, m3, _price in meter_volumes(
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
