"""The demo's water: sources, a tank, production meters and two years of the operator's daily log,
the well's levels and an incident in its protected area.

Runs after billing: each billed month's production is its billed volume over (1 - NRW), with NRW
about 25 % (a little higher in the dry season, when the pipes work at higher pressure) — except
one month of the main committee, LEAK_MONTHS_BACK months before this one, when a main in the top
sector bursts underground: NRW rises to about 42 % until the operator finds and repairs it at the
month's end (an interruption records the repair). The top sector has a district meter, so the
leak shows in its sector too. Logs continue after the last billed month up to yesterday, at the
last month's pace.

The main committee pumps from its own well: a static level measured every Monday, falling about
half a metre a year with the seasons on top (shallowest after the rains, in April; deepest in
October), and a pumping level with its flow on the first Monday of each month. The smaller
committee buys bulk water from the city's utility under a public-community agreement.

Deterministic (the flow's own seeded random stream) and fast: rows are written with bulk_create.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from comunagua.billing.models import Bill
from comunagua.lib.periods import Period
from comunagua.registry.models import Sector
from comunagua.supply.models import (
    BalanceSettings,
    Incident,
    IncidentPhoto,
    Interruption,
    InterruptionSector,
    MeterReading,
    OperatorLog,
    ProductionMeter,
    Source,
    SupplyHours,
    Tank,
    TankLevel,
    WellLevel,
)

from .committees import MAIN_SLUG, SECOND_SLUG
from .context import DemoContext

D = Decimal
LEAK_MONTHS_BACK = 9  # the main committee's leak month: nine months before this one
NRW = 0.25
LEAK_NRW = 0.42
SECTOR_NRW = 0.16  # what the top sector loses between its district meter and its households
LITRE = D("0.001")


@dataclass(frozen=True)
class Spec:
    kind: str
    source: dict
    meter_start: Decimal  # what the production meter showed when the log began
    tank: tuple[str, Decimal, Decimal]  # name, capacity m³, elevation m
    settings: dict
    flow_m3h: float  # the pump's flow (a bulk supply: the valve's)
    district_sector: int | None  # index of the sector with a district meter
    leak: bool


SPECS = {
    MAIN_SLUG: Spec(
        kind=Source.Kind.WELL,
        source={
            "name": "Pozo N.º 1 - Loma Alta",
            "depth_m": D("96.00"),
            "pump_intake_m": D("60.00"),
            "pump_power_kw": D("18.50"),
            "licence": "Registro de fuente AAPS 0042/2012 (demo)",
            "protected_radius_m": D("200.0"),
            "latitude": D("-17.426100"),
            "longitude": D("-66.129400"),
        },
        meter_start=D("284310"),
        tank=("Tanque elevado Sector E", D("150"), D("2712.0")),
        settings={
            "network_length_km": D("9.40"),
            "average_pressure_m": D("32.0"),
            "maintenance_per_month": D("850.00"),
            "allowance_per_month": D("1800.00"),
            "chlorine_cost_per_kg": D("28.0000"),
            "energy_price_per_kwh": D("0.9200"),
        },
        flow_m3h=36.0,
        district_sector=5,  # "Sector F - Alto"
        leak=True,
    ),
    SECOND_SLUG: Spec(
        kind=Source.Kind.BULK,
        source={
            "name": "Agua en bloque SEMAPA",
            "supplier": "SEMAPA (Servicio Municipal de Agua Potable y Alcantarillado)",
            "contract": "Convenio público-comunitario N.º 17/2019 (demo)",
            "price_per_m3": D("2.8000"),
        },
        meter_start=D("51200"),
        tank=("Tanque de la cumbre", D("60"), D("2790.0")),
        settings={
            "network_length_km": D("2.80"),
            "average_pressure_m": D("24.0"),
            "maintenance_per_month": D("250.00"),
            "allowance_per_month": D("600.00"),
            "chlorine_cost_per_kg": D("28.0000"),
        },
        flow_m3h=12.0,
        district_sector=None,
        leak=False,
    ),
}

# (months back, day, cause, hours, sector indexes, households, what happened)
INTERRUPTIONS = {
    MAIN_SLUG: [
        (22, 9, Interruption.Cause.POWER, "4.5", (), 0, "Corte de energía de ELFEC en la zona"),
        (17, 14, Interruption.Cause.MAINTENANCE, "6", (4, 5), 95, "Limpieza del tanque elevado"),
        (13, 3, Interruption.Cause.PUMP, "20", (), 0, "Falla del arrancador de la bomba"),
        (LEAK_MONTHS_BACK, 28, Interruption.Cause.BURST, "8", (5,), 47, "Reparación de la fuga"),
        (5, 18, Interruption.Cause.POWER, "3", (), 0, "Corte de energía de ELFEC"),
        (2, 11, Interruption.Cause.LOW_SOURCE, "5", (5,), 44, "Nivel bajo del pozo en la tarde"),
    ],
    SECOND_SLUG: [
        (15, 6, Interruption.Cause.OTHER, "12", (), 0, "SEMAPA suspendió la entrega en bloque"),
        (4, 20, Interruption.Cause.BURST, "5", (1,), 23, "Rotura de tubería en la Cancha"),
    ],
}


def generate(ctx: DemoContext) -> dict:
    committee = ctx.committee
    spec = SPECS.get(committee.slug)
    billed = _billed(committee)
    if spec is None or not billed:
        return {}
    rng = ctx.rng("supply")
    today = min(ctx.today, timezone.localdate())
    months = sorted(billed)
    sectors = list(Sector.objects.filter(committee=committee).order_by("position", "name"))
    first_day = months[0].first_day
    leak = Period.of(today) - LEAK_MONTHS_BACK if spec.leak else None

    source = Source.objects.create(committee=committee, kind=spec.kind, **spec.source)
    if spec.kind == Source.Kind.WELL:
        Source.objects.create(
            committee=committee,
            name="Cisternas Don Julio (emergencias)",
            kind=Source.Kind.TANKER,
            supplier="Julio Mamani, cisterna de 10 m³",
            price_per_m3=D("25.0000"),
            is_active=False,
        )
    tank = Tank.objects.create(
        committee=committee, name=spec.tank[0], capacity_m3=spec.tank[1], elevation_m=spec.tank[2]
    )
    meter = ProductionMeter.objects.create(
        committee=committee,
        name="Macromedidor de la fuente",
        source=source,
        installed_on=first_day - timedelta(days=1),
        initial_reading=spec.meter_start,
        digits=6,
    )
    district = None
    if spec.district_sector is not None and spec.district_sector < len(sectors):
        district = ProductionMeter.objects.create(
            committee=committee,
            name=f"Macromedidor {sectors[spec.district_sector].name}",
            sector=sectors[spec.district_sector],
            installed_on=first_day - timedelta(days=1),
            initial_reading=D("10450"),
            digits=6,
        )
    BalanceSettings.objects.create(committee=committee, **spec.settings)

    # Each month's volume: billed over (1 - NRW); after the last billed month, its pace.
    volumes: dict[Period, float] = {}
    sector_volumes: dict[Period, float] = {}
    sector_billed = _billed(committee, sectors[spec.district_sector]) if district else {}
    for period in months:
        season = math.sin(2 * math.pi * (period.month - 4) / 12)  # highest in October
        share = NRW + 0.02 * season + rng.uniform(-0.008, 0.008)
        extra = 0.0
        if period == leak:
            extra = float(billed[period]) / (1 - LEAK_NRW) - float(billed[period]) / (1 - share)
            share = LEAK_NRW
        volumes[period] = float(billed[period]) / (1 - share)
        if district:
            entered = float(sector_billed.get(period, 0)) / (1 - SECTOR_NRW - 0.01 * season)
            sector_volumes[period] = entered + extra
    last_day = today - timedelta(days=1)
    period = months[-1].next()
    while period.first_day <= last_day:
        volumes[period] = volumes[months[-1]]
        if district:
            sector_volumes[period] = sector_volumes[months[-1]]
        period = period.next()

    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    daily = _spread(rng, volumes, days)
    sector_daily = _spread(rng, sector_volumes, days) if district else {}

    logs = OperatorLog.objects.bulk_create(
        [
            OperatorLog(
                committee=committee,
                day=day,
                entered_by=ctx.users.get("operador"),
                entered_at=ctx.at(day, 18, rng.randint(0, 59)),
                **_day_figures(rng, spec, daily[day]),
            )
            for day in days
        ]
    )
    readings, levels, hours = [], [], []
    bought_price = source.price_per_m3 if spec.kind != Source.Kind.WELL else None
    position = {meter.pk: spec.meter_start, district.pk if district else 0: D("10450")}
    for entry in logs:
        for which, volumes_of in ((meter, daily), (district, sector_daily)):
            if which is None:
                continue
            previous = position[which.pk]
            value = (previous + D(round(volumes_of[entry.day]))) % which.capacity
            readings.append(
                MeterReading(
                    committee=committee,
                    log=entry,
                    meter=which,
                    day=entry.day,
                    value=value,
                    previous_value=previous,
                    volume_m3=value - previous
                    if value >= previous
                    else value + which.capacity - previous,
                    rolled_over=value < previous,
                    price_per_m3=bought_price if which is meter else None,
                )
            )
            position[which.pk] = value
        levels.append(
            TankLevel(committee=committee, log=entry, tank=tank, percent=D(rng.randint(58, 96)))
        )
        dry = entry.day.month in (8, 9, 10, 11)
        for index, sector in enumerate(sectors):
            top = index >= len(sectors) - 2
            shown = 24 if not (dry and top) else rng.choice((18, 20, 22, 24))
            hours.append(SupplyHours(committee=committee, log=entry, sector=sector, hours=shown))
    MeterReading.objects.bulk_create(readings)
    TankLevel.objects.bulk_create(levels)
    SupplyHours.objects.bulk_create(hours)

    by_day = {entry.day: entry for entry in logs}
    cuts = _interruptions(committee, today, sectors, by_day)
    wells = _well_levels(ctx, rng, source, first_day, last_day) if spec.kind == "well" else 0
    incidents = _incident(ctx, source, today) if spec.kind == "well" else 0
    return {
        "operator_logs": len(logs),
        "production_readings": len(readings),
        "interruptions": cuts,
        "well_levels": wells,
        "incidents": incidents,
    }


def _billed(committee, sector: Sector | None = None) -> dict[Period, Decimal]:
    bills = Bill.objects.filter(committee=committee)
    if sector is not None:
        bills = bills.filter(connection__lot__sector=sector)
    return {
        Period.of(row["period"]): Decimal(str(row["m3"] or 0))
        for row in bills.values("period").annotate(m3=Sum("consumption_m3"))
    }


def _spread(rng, volumes: dict[Period, float], days: list[date]) -> dict[date, float]:
    """Each month's volume over its logged days, a little more on some days than others."""
    result: dict[date, float] = {}
    by_month: dict[Period, list[date]] = {}
    for day in days:
        by_month.setdefault(Period.of(day), []).append(day)
    for period, month_days in by_month.items():
        weights = [max(0.5, rng.gauss(1, 0.08)) for _ in month_days]
        total = sum(weights)
        # A partial month (the current one) gets its days' share of a whole month.
        volume = volumes.get(period, 0.0) * len(month_days) / period.days
        for day, weight in zip(month_days, weights, strict=True):
            result[day] = volume * weight / total
    return result


def _day_figures(rng, spec: Spec, volume: float) -> dict:
    hours = volume / spec.flow_m3h
    pumped = spec.kind == Source.Kind.WELL
    power = float(spec.source.get("pump_power_kw", 0))
    return {
        "pump_hours": D(str(round(hours, 2))) if pumped else D(0),
        "energy_kwh": D(str(round(hours * power * rng.uniform(0.9, 1.0), 1))),
        # Calcium hypochlorite (65 %) for about 1.3 g of chlorine per m³.
        "chlorine_kg": D(str(round(volume * 1.3 / 650, 3))),
        "flushing_m3": D(rng.choice((0, 0, 0, 0, 0, 0, 2, 4))),
        "own_use_m3": D("0.300"),
    }


def _interruptions(committee, today: date, sectors: list[Sector], by_day: dict) -> int:
    made = []
    links = []
    for back, day, cause, hours, sector_indexes, households, what in INTERRUPTIONS.get(
        committee.slug, []
    ):
        period = Period.of(today) - back
        log = by_day.get(period.first_day.replace(day=min(day, period.days)))
        if log is None:
            continue
        cut = Interruption(
            committee=committee,
            log=log,
            cause=cause,
            hours=D(hours),
            households=households,
            description=what,
        )
        made.append(cut)
        links.append([sectors[i] for i in sector_indexes if i < len(sectors)])
    Interruption.objects.bulk_create(made)
    InterruptionSector.objects.bulk_create(
        InterruptionSector(committee=committee, interruption=cut, sector=sector)
        for cut, chosen in zip(made, links, strict=True)
        for sector in chosen
    )
    return len(made)


def _well_levels(ctx, rng, source: Source, first: date, last: date) -> int:
    """Static levels every Monday, pumping levels (with the flow) every first Monday."""
    levels = []
    day = first + timedelta(days=(7 - first.weekday()) % 7)
    who = ctx.users.get("operador")
    while day <= last:
        years = (day - first).days / 365.25
        season = -1.2 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 105) / 365.25)
        static = 41.2 + 0.5 * years + season + rng.gauss(0, 0.08)
        levels.append(
            WellLevel(
                committee=ctx.committee,
                source=source,
                measured_on=day,
                kind=WellLevel.Kind.STATIC,
                depth_m=D(str(round(static, 2))),
                entered_by=who,
            )
        )
        if day.day <= 7:
            flow = 36 + rng.gauss(0, 0.6)
            drawdown = 11.4 + 0.03 * years + rng.gauss(0, 0.25)
            levels.append(
                WellLevel(
                    committee=ctx.committee,
                    source=source,
                    measured_on=day,
                    kind=WellLevel.Kind.PUMPING,
                    depth_m=D(str(round(static + drawdown, 2))),
                    flow_m3h=D(str(round(flow, 2))),
                    note="Después de 2 horas de bombeo",
                    entered_by=who,
                )
            )
        day += timedelta(days=7)
    WellLevel.objects.bulk_create(levels)
    return len(levels)


def _incident(ctx, source: Source, today: date) -> int:
    seen = Period.of(today) - 4
    incident = Incident.objects.create(
        committee=ctx.committee,
        source=source,
        kind=Incident.Kind.DRILLING,
        happened_on=seen.first_day.replace(day=12),
        location="Calle Los Molles, lote 27 (al norte del pozo)",
        latitude=D("-17.424900"),
        longitude=D("-66.129100"),
        distance_m=D("150.0"),
        description=(
            "Una perforadora particular trabaja en el lote 27 para abrir un pozo privado, dentro "
            "del área de protección de nuestro pozo. El dueño no mostró ningún permiso."
        ),
        status=Incident.Status.REPORTED,
        authority="Dirección de Medio Ambiente, Gobierno Autónomo Municipal de Cochabamba",
        reported_on=seen.first_day.replace(day=15),
        created_by=ctx.users.get("operador"),
    )
    IncidentPhoto.objects.create(
        committee=ctx.committee,
        incident=incident,
        path="fotos/incidentes/perforacion-los-molles.jpg",
        caption="La perforadora en el lote 27",
    )
    return 1
