"""Two years of reading rounds for each demo committee, entered through the metering services.

For each of the RECENT_MONTHS months before this one: open the round, enter a reading for every
connection whose meter was installed before the month (the consumption drawn per household from
its size), leave about 1 % unread (estimated when the round closes), accept the few flagged
readings with a reason (an empty house, a repaired leak, one meter rolling over), close the round
and bill it (demo.billing). This month's round stays open with no readings: the reader's work.

The register is generated as it stands today, so while a past month is closed and billed the
connections not yet in service then (connected, or given their current meter, later) are set
aside for a moment: the round does not estimate them and the run does not bill them.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection as db_connection
from django.utils import timezone

from comunagua.lib.periods import Period
from comunagua.metering import validation
from comunagua.metering.models import Reading, Round, Route
from comunagua.metering.readings import services as reading_services
from comunagua.metering.rounds import services as round_services
from comunagua.registry.models import Connection, Holding, Meter

from . import billing, ledger
from .context import RECENT_MONTHS, DemoContext

Category = Connection.Category
Status = Connection.Status

# m³ a month per person: a household of 4.5 uses about 6 m³.
M3_PER_PERSON = 1.35
MISSING_SHARE = 0.01
EMPTY_HOUSE = "Casa deshabitada"
LEAK = "Fuga reparada"
ROLLOVER = "Vuelta del medidor"
ROLLOVER_MONTH = 4  # the roll-over meter passes 99999 in the demo's 4th month


@dataclass
class Plan:
    connection: Connection
    meter: Meter
    rate: float  # usual m³ a month
    position: Decimal  # where the dials would be without wrapping
    events: dict = field(default_factory=dict)  # month index -> "zero" / "spike"


def generate(ctx: DemoContext) -> dict:
    committee = ctx.committee
    if not Connection.objects.filter(committee=committee).exists():
        return {}
    rng = ctx.rng("metering")
    office = ctx.users.get("tesorera")
    reader = ctx.users.get("lector")
    round_services.routes_from_sectors(committee=committee, by=office)

    # Never a round the service would refuse, nor a reading dated in the future.
    today = min(ctx.today, timezone.localdate())
    current = Period.of(today)
    months = [current - back for back in range(RECENT_MONTHS, 0, -1)]

    plans = _plans(ctx, rng, months)
    flagged = estimated = 0
    for index, period in enumerate(months):
        start = period.first_day
        reading_round = round_services.round_open(committee=committee, period=period, by=office)
        live = [p for p in plans if p.meter.installed_on < start]
        entries = []
        for plan in live:
            m3 = _consumption(rng, plan, index)
            plan.position += m3
            if rng.random() < MISSING_SHARE and index > 0 and not plan.events:
                continue  # not read this month: estimated when the round closes
            day = start.replace(day=rng.randint(3, 26))
            entries.append(
                (
                    plan,
                    (plan.position % plan.meter.capacity).quantize(validation.LITRE),
                    ctx.at(day, rng.randint(8, 17), rng.randint(0, 59)),
                    Reading.Source.PHONE if rng.random() < 0.7 else Reading.Source.WEB,
                )
            )
        for reading in _enter(reading_round, entries, reader):
            reading_services.reading_accept(reading=reading, by=office, reason=_reason(reading))
            flagged += 1
        # Set aside, for this month, the connections whose meter was not in service yet.
        later = [p.connection.pk for p in plans if p.meter.installed_on >= start]
        Connection.objects.filter(pk__in=later).update(status=Status.CLOSED)
        closed = round_services.round_close(round=reading_round, by=office)
        estimated += closed.estimated
        run = billing.bill_month(ctx, period)
        ledger.pay_month(ctx, run, until=ctx.today)
        ledger.service_month(ctx, run, until=ctx.today)
        ledger.books_month(ctx, run, until=ctx.today)
        Connection.objects.filter(pk__in=later).update(status=Status.ACTIVE)
        _refresh_statistics()
    round_services.round_open(committee=committee, period=current, by=office)

    return {
        "routes": Route.objects.filter(committee=committee).count(),
        "rounds": Round.objects.filter(committee=committee).count(),
        "readings": Reading.objects.filter(committee=committee).count(),
        "readings_flagged": flagged,
        "readings_estimated": estimated,
    }


def _refresh_statistics() -> None:
    """On PostgreSQL, refresh the planner's statistics once a month of history is written. The
    whole demo loads in one transaction, where autovacuum never looks: without this the planner
    keeps estimating the tables as empty and picks plans that slow the load down a hundredfold."""
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _enter(reading_round: Round, entries: list, by) -> list:
    """Enter a round's readings through the same batch service the phones use (one batch per
    source); return those flagged for review."""
    flagged = []
    for source in (Reading.Source.PHONE, Reading.Source.WEB):
        inputs = [
            reading_services.ReadingInput(
                connection=plan.connection, value=value, read_at=read_at, meter=plan.meter
            )
            for plan, value, read_at, given in entries
            if given == source
        ]
        for entered in reading_services.readings_enter(
            committee=reading_round.committee,
            round=reading_round,
            readings=inputs,
            by=by,
            source=source,
        ):
            if entered.error is not None:
                raise entered.error  # the generator's own mistake: stop the load
            if entered.reading.status == Reading.Status.FLAGGED:
                flagged.append(entered.reading)
    return flagged


def _reason(reading: Reading) -> str:
    if "rollover" in reading.flags:
        return ROLLOVER
    if "zero" in reading.flags:
        return EMPTY_HOUSE
    return LEAK


def _plans(ctx: DemoContext, rng, months: list[Period]) -> list[Plan]:
    """Every active connection with its meter in service and its usual consumption."""
    committee = ctx.committee
    sizes = dict(
        Holding.objects.filter(committee=committee, ended_on__isnull=True).values_list(
            "connection_id", "member__household_size"
        )
    )
    meters = {
        m.connection_id: m
        for m in Meter.objects.filter(committee=committee, removed_on__isnull=True)
    }
    connections = sorted(
        Connection.objects.filter(committee=committee, status=Status.ACTIVE),
        key=lambda c: (len(c.number), c.number),
    )
    plans = []
    for connection in connections:
        meter = meters.get(connection.pk)
        if meter is None:
            continue
        if connection.category == Category.INSTITUTIONAL:
            rate = rng.uniform(14, 40)
        elif connection.category == Category.PUBLIC_TAP:
            rate = rng.uniform(20, 45)
        else:
            people = sizes.get(connection.pk) or 1
            rate = people * M3_PER_PERSON * rng.lognormvariate(0, 0.3)
            if connection.category == Category.COMMERCIAL:
                rate += rng.uniform(2, 8)
        plans.append(Plan(connection, meter, max(rate, 1.2), meter.initial_reading))

    first = months[0].first_day
    old = [
        p
        for p in plans
        if p.meter.installed_on < first
        and p.connection.category == Category.RESIDENTIAL
        and 3 <= (sizes.get(p.connection.pk) or 0) <= 6
    ]
    if len(old) < 6:
        return plans
    chosen = rng.sample(old, 5)
    # A house left empty for a month, twice; a leak, repaired, twice.
    chosen[0].events[rng.randint(6, 12)] = "zero"
    chosen[1].events[rng.randint(14, 20)] = "zero"
    chosen[2].events[rng.randint(8, 14)] = "spike"
    chosen[3].events[rng.randint(16, 22)] = "spike"
    # One 5-digit meter that was near the end of its dials: it rolls over once.
    roll = chosen[4]
    if roll.meter.digits == 5:
        start = Decimal(99990) - Decimal(round(roll.rate * (ROLLOVER_MONTH - 1)))
        Meter.objects.filter(pk=roll.meter.pk).update(initial_reading=start)
        Meter.history.filter(id=roll.meter.pk).update(initial_reading=start)
        roll.meter.initial_reading = start
        roll.meter.refresh_from_db()
        roll.position = start
        roll.events[-1] = "rollover"  # always read: its roll-over is accepted by a person
    return plans


def _consumption(rng, plan: Plan, index: int) -> Decimal:
    """Whole m³ used this month: the usual amount, give or take, at least 1."""
    event = plan.events.get(index)
    if event == "zero":
        return Decimal(0)
    m3 = plan.rate * rng.lognormvariate(0, 0.25)
    if event == "spike":
        m3 = plan.rate * 3 + 20 + rng.uniform(0, 10)
    return Decimal(max(1, round(m3)))
