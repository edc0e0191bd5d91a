"""Reads of readings shared by pages, services, billing and the API: a connection's past (what a
new reading is checked against), the reader's sheet, the readings to review, a meter's or a
connection's last reading, and the volumes billing bills.

Billing codes against `billable_consumptions` and `consumption_history`: keep their shape.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from comunagua.lib.periods import Period
from comunagua.registry.models import Connection, Holding, Meter
from comunagua.tenancy.models import Committee

from .. import validation
from ..models import Reading, Round, Route, RouteStop
from ..rounds.selectors import round_of

ACCEPTED = Reading.Status.ACCEPTED
FLAGGED = Reading.Status.FLAGGED
CONFLICT = Reading.Status.CONFLICT
LIVE = (ACCEPTED, FLAGGED)
PENDING = (FLAGGED, CONFLICT)
# The connection's history (usual consumption, spikes, estimates) looks back this far.
HISTORY_MONTHS = 12


class RoundNotClosed(Exception):
    """Billing asked for a period whose reading round is missing or still open."""


# --- the past of a connection ------------------------------------------------------------------


@dataclass(frozen=True)
class Past:
    """An accepted reading of an earlier round, as the checks and the route sheet need it."""

    id: int
    connection_id: int
    meter_id: int
    period: date
    read_at: datetime
    value: Decimal
    estimated: bool
    consumption: Decimal
    metered_m3: Decimal | None
    months: int
    carried_m3: Decimal

    @property
    def monthly(self) -> Decimal | None:
        """Actual m³ a month over the interval this reading closed; None for an estimate."""
        if self.estimated or self.metered_m3 is None or self.metered_m3 < 0:
            return None
        return (self.metered_m3 / self.months).quantize(validation.LITRE, ROUND_HALF_UP)


_PAST = (
    "id",
    "connection_id",
    "meter_id",
    "round__period",
    "read_at",
    "value",
    "estimated",
    "consumption",
    "metered_m3",
    "months",
    "carried_m3",
)


@dataclass(frozen=True)
class Before:
    """What a connection's readings say before a round."""

    previous: Past | None = None  # the latest accepted reading, actual or estimated
    last_actual: Past | None = None  # the latest reading that is not an estimate
    estimates: tuple[Past, ...] = ()  # estimates since last_actual, oldest first
    history: tuple[Decimal, ...] = ()  # actual monthly consumptions, oldest first, up to 6

    @property
    def billed_since_actual(self) -> Decimal:
        return sum((p.consumption for p in self.estimates), validation.ZERO)

    @property
    def usual(self) -> Decimal | None:
        return validation.usual(self.history)


def readings_before(*, connections: Iterable[int], period: date) -> dict[int, Before]:
    """The past of many connections (ids) before `period`, in one query. Missing: no past."""
    rows = (
        Reading.objects.filter(
            connection_id__in=list(connections), status=ACCEPTED, round__period__lt=period
        )
        .order_by("connection_id", "-round__period", "-id")
        .values_list(*_PAST)
    )
    by_connection: dict[int, list[Past]] = defaultdict(list)
    for row in rows:
        by_connection[row[1]].append(Past(*row))
    window = (Period.of(period) - HISTORY_MONTHS).first_day
    result = {}
    for connection_id, past in by_connection.items():
        estimates, last_actual = [], None
        for reading in past:
            if not reading.estimated:
                last_actual = reading
                break
            estimates.append(reading)
        history = [p.monthly for p in past if p.period >= window and p.monthly is not None][
            : validation.USUAL_WINDOW
        ]
        result[connection_id] = Before(
            previous=past[0],
            last_actual=last_actual,
            estimates=tuple(reversed(estimates)),
            history=tuple(reversed(history)),
        )
    return result


def meters_of(connection: Connection) -> list[Meter]:
    """The connection's meters in the order they were installed."""
    return list(Meter.objects.filter(connection=connection).order_by("installed_on", "id"))


# --- the reader's sheet -----------------------------------------------------------------------


@dataclass
class SheetRow:
    """One line of the reader's sheet."""

    position: int
    connection: Connection
    holder: str
    address: str
    meter_serial: str
    meter_digits: int | None
    occupied: bool  # active, with people living there: no consumption is worth a look
    previous_value: Decimal | None
    previous_date: date | None
    previous_estimated: bool
    usual: Decimal | None
    spike_above: Decimal | None = None  # monthly m³ beyond which the reading is flagged
    # What the checks compare a new reading on this meter with (the last actual reading, not
    # an estimate) and over how many months: the phone warns as the server will flag.
    compare_with: Decimal | None = None
    months: int = 1
    reading: Reading | None = None  # this round's reading (accepted or waiting for review)
    conflicts: list[Reading] = field(default_factory=list)  # second values to resolve
    typed: str = ""  # what the entry page got and could not save, shown back ...
    error: str = ""  # ... with the reason

    @property
    def needs_review(self) -> bool:
        return bool(self.conflicts) or (self.reading is not None and self.reading.needs_review)


def route_sheet(
    *, round: Round, route: Route, connection_ids: Iterable[int] | None = None
) -> list[SheetRow]:
    """The route in walking order with what the reader needs beside each field. One query per
    table (stops with connections and lots, holders, meters, past readings, this round's
    readings), whatever the number of rows."""
    stops = (
        RouteStop.objects.filter(route=route)
        .exclude(connection__status=Connection.Status.CLOSED)
        .select_related("connection", "connection__lot")
        .order_by("position", "id")
    )
    if connection_ids is not None:
        stops = stops.filter(connection_id__in=list(connection_ids))
    stops = list(stops)
    ids = [s.connection_id for s in stops]
    holders, people = {}, set()
    for h in Holding.objects.filter(connection_id__in=ids, ended_on__isnull=True).select_related(
        "member"
    ):
        holders[h.connection_id] = h.member.full_name
        if h.member.household_size > 0:
            people.add(h.connection_id)
    meters: dict[int, Meter] = {}
    for meter in Meter.objects.filter(connection_id__in=ids).order_by("-installed_on", "-id"):
        current = meters.get(meter.connection_id)
        if current is None or (meter.in_service and not current.in_service):
            meters[meter.connection_id] = meter
    past = readings_before(connections=ids, period=round.period)
    current: dict[int, Reading] = {}
    conflicts: dict[int, list[Reading]] = defaultdict(list)
    for reading in Reading.objects.filter(
        round=round, connection_id__in=ids, status__in=(*LIVE, CONFLICT)
    ).order_by("id"):
        if reading.status == CONFLICT:
            conflicts[reading.connection_id].append(reading)
        else:
            current[reading.connection_id] = reading
    rows = []
    for stop in stops:
        connection = stop.connection
        meter = meters.get(connection.pk)
        before = past.get(connection.pk, Before())
        previous_value = previous_date = None
        previous_estimated = False
        if (
            before.previous is not None
            and meter is not None
            and (before.previous.meter_id == meter.pk)
        ):
            previous_value = before.previous.value
            previous_date = timezone.localtime(before.previous.read_at).date()
            previous_estimated = before.previous.estimated
        elif meter is not None:
            previous_value, previous_date = meter.initial_reading, meter.installed_on
        compare_with, months = previous_value, 1
        anchor = before.last_actual
        if meter is not None and anchor is not None and anchor.meter_id == meter.pk:
            compare_with = anchor.value
            gap = (round.period.year - anchor.period.year) * 12
            months = max(gap + round.period.month - anchor.period.month, 1)
        elif meter is not None:
            compare_with = meter.initial_reading
            months = len(before.estimates) + 1
        rows.append(
            SheetRow(
                position=stop.position,
                connection=connection,
                holder=holders.get(connection.pk, ""),
                address=connection.lot.address,
                meter_serial=meter.serial if meter else "",
                meter_digits=meter.digits if meter else None,
                occupied=connection.status == Connection.Status.ACTIVE and connection.pk in people,
                previous_value=previous_value,
                previous_date=previous_date,
                previous_estimated=previous_estimated,
                usual=before.usual,
                spike_above=validation.spike_above(before.history),
                compare_with=compare_with,
                months=months,
                reading=current.get(connection.pk),
                conflicts=conflicts.get(connection.pk, []),
            )
        )
    return rows


def flags_of_round(*, round: Round) -> list[Reading]:
    """Every flagged reading of the round: those waiting for review first (oldest first), then
    those already decided, with who decided and why."""
    readings = (
        Reading.objects.filter(round=round)
        .filter(Q(status__in=PENDING) | Q(reviewed_at__isnull=False))
        .select_related("connection", "meter", "entered_by", "reviewed_by", "conflict_with")
        .order_by("id")
    )
    return sorted(readings, key=lambda r: (not r.needs_review, r.id))


def connection_readings(*, connection: Connection, limit: int = 12) -> list[Reading]:
    """A connection's latest readings of every status, newest first, for the review page."""
    return list(
        Reading.objects.filter(connection=connection)
        .select_related("round", "meter", "entered_by", "reviewed_by")
        .order_by("-round__period", "-id")[:limit]
    )


# --- the last reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class LastReading:
    """A reading as "last read" shows it: what a meter change is checked against (and its page
    says), and what the API's connection list gives beside each connection."""

    value: Decimal
    read_at: datetime
    on: date  # the day it was read, where the committee is
    period: str  # "YYYY-MM" of its round
    estimated: bool


def _last_reading(reading: Reading) -> LastReading:
    return LastReading(
        value=reading.value,
        read_at=reading.read_at,
        on=timezone.localtime(reading.read_at, reading.committee.zone()).date(),
        period=f"{reading.round.period:%Y-%m}",
        estimated=reading.estimated,
    )


def meter_last_actual_reading(meter: Meter) -> LastReading | None:
    """The meter's last reading that counts for a meter change: entered and accepted, or waiting
    for review (it may yet be accepted), and never an estimate; the latest read, whatever its
    round."""
    found = (
        meter.readings.filter(estimated=False, status__in=LIVE)
        .select_related("round", "committee")
        .order_by("-read_at", "-id")
        .first()
    )
    return None if found is None else _last_reading(found)


def connections_last_readings(*, connections: Iterable[int]) -> dict[int, LastReading]:
    """The latest accepted reading of each connection (ids), actual or estimated: the latest
    round's. Missing: never read."""
    latest = (
        Reading.objects.filter(connection=OuterRef("pk"), status=ACCEPTED)
        .order_by("-round__period", "-id")
        .values("id")[:1]
    )
    ids = Connection.objects.filter(pk__in=list(connections)).values(last=Subquery(latest))
    found = Reading.objects.filter(pk__in=ids).select_related("round", "committee")
    return {reading.connection_id: _last_reading(reading) for reading in found}


# --- for billing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BillableConsumption:
    connection_id: int
    reading_id: int
    m3: Decimal  # what to bill: settled across estimates and meter replacements, never < 0
    previous_value: Decimal  # previous reading on this meter (its initial one after a change)
    current_value: Decimal
    estimated: bool
    meter_serial: str


def billable_consumptions(
    *, committee: Committee, period: Period
) -> dict[int, BillableConsumption]:
    """The m³ to bill for each connection with a reading in the period's round, keyed by
    connection id: accepted actual readings and estimates. Only for a closed round: until it
    closes, readings may still change. Raises RoundNotClosed otherwise."""
    found = round_of(committee=committee, period=period)
    if found is None:
        raise RoundNotClosed(f"no reading round for {period}")
    if found.status != Round.Status.CLOSED:
        raise RoundNotClosed(f"the reading round for {period} is still open")
    # Plain rows, not model objects: a large committee bills about 100,000 of them.
    rows = Reading.objects.filter(round=found, status=ACCEPTED).values_list(
        "connection_id",
        "pk",
        "consumption",
        "previous_value",
        "value",
        "estimated",
        "meter__serial",
    )
    return {
        connection_id: BillableConsumption(
            connection_id=connection_id,
            reading_id=reading_id,
            m3=m3,
            previous_value=previous_value,
            current_value=current_value,
            estimated=estimated,
            meter_serial=meter_serial,
        )
        for (
            connection_id,
            reading_id,
            m3,
            previous_value,
            current_value,
            estimated,
            meter_serial,
        ) in rows
    }


class HistoryPoint(NamedTuple):
    period: Period
    m3: Decimal
    estimated: bool


def consumption_history(
    *, connection: Connection, months: int = 6, until: Period | None = None
) -> list[HistoryPoint]:
    """The billed m³ of the connection's last `months` closed rounds up to `until` (inclusive),
    oldest first: the small chart on a printed bill. Months without a reading are left out."""
    readings = Reading.objects.filter(
        connection=connection, status=ACCEPTED, round__status=Round.Status.CLOSED
    )
    if until is not None:
        readings = readings.filter(round__period__lte=until.first_day)
    rows = readings.order_by("-round__period").values_list(
        "round__period", "consumption", "estimated"
    )[:months]
    return [HistoryPoint(Period.of(p), m3, estimated) for p, m3, estimated in reversed(list(rows))]
