"""Reading rounds for the reader's phone and other systems: the routes to walk, with what a
reader needs beside each meter, and the batch write of readings (see docs/api.md)."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from comunagua.api.kit import ApiError, ErrorBody, ErrorOut, PageQuery, as_written, page_of, tenant
from comunagua.lib.periods import Period
from comunagua.registry import selectors as registry
from comunagua.registry.models import Connection

from .models import FLAG_LABELS, Round, Route
from .readings import selectors as readings
from .readings import services
from .rounds import selectors as rounds

router = Router(tags=["readings"])

BATCH_MAX = 2000
# A queued reading may be days old, but not from long before its round's month.
READ_AT_BEFORE_ROUND = timedelta(days=45)


def _month(text: str) -> Period:
    try:
        return Period.parse(text[:20])
    except (ValueError, TypeError):
        raise ApiError(
            422, "bad_month", _("Write the month as YYYY-MM, for example 2026-11.")
        ) from None


def _round(committee, month: str) -> Round:
    """`month` is "YYYY-MM", or "open" for the round open now."""
    if month == "open":
        found = rounds.open_round(committee=committee)
    else:
        found = rounds.round_of(committee=committee, period=_month(month))
    if found is None:
        raise Http404
    return found


class LastReading(Schema):
    value: Decimal
    read_at: datetime
    period: str  # "YYYY-MM" of the round
    estimated: bool


class ConnectionOut(Schema):
    number: str
    status: str
    category: str
    has_sewer: bool
    address: str
    sector: str | None
    holder: str | None
    meter_serial: str | None
    last_reading: LastReading | None = Field(description="the latest accepted reading")


class ConnectionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ConnectionOut]


class ConnectionFilter(Schema):
    q: str = ""
    status: Connection.Status | None = None
    category: Connection.Category | None = None


def _connection_rows(connections: list[Connection]) -> list[dict]:
    last = readings.connections_last_readings(connections=[c.pk for c in connections])
    rows = []
    for c in connections:
        holders, meters = c.current_holdings, c.meters_in_service
        rows.append(
            {
                "number": c.number,
                "status": c.status,
                "category": c.category,
                "has_sewer": c.has_sewer,
                "address": c.lot.address,
                "sector": c.lot.sector.name if c.lot.sector else None,
                "holder": holders[0].member.full_name if holders else None,
                "meter_serial": meters[-1].serial if meters else None,
                "last_reading": last.get(c.pk),
            }
        )
    return rows


@router.get(
    "/committees/{slug}/connections",
    response={200: ConnectionPage, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Connections, with their latest accepted reading",
    tags=["register"],
)
def connection_list(
    request: HttpRequest, slug: str, filters: Query[ConnectionFilter], page: Query[PageQuery]
):
    with tenant(request, slug, "registry.view") as committee:
        connections = registry.connection_list(
            committee=committee,
            q=filters.q,
            status=filters.status or "",
            category=filters.category or "",
        )
        return page_of(connections, page, _connection_rows)


@router.get(
    "/committees/{slug}/connections/{number}",
    response={200: ConnectionOut, 403: ErrorOut, 404: ErrorOut},
    summary="One connection by its number",
    tags=["register"],
)
def connection_detail(request: HttpRequest, slug: str, number: str):
    with tenant(request, slug, "registry.view") as committee:
        found = list(registry.connection_list(committee=committee).filter(number=number)[:1])
        if not found:
            raise Http404
        return _connection_rows(found)[0]


class RouteOut(Schema):
    id: int
    name: str
    total: int
    to_read: int
    read: int
    missing: int
    flagged: int


class RoundSummary(Schema):
    month: str
    status: str


class RoundOut(RoundSummary):
    routes: list[RouteOut]


def _route_out(progress: rounds.Progress) -> dict:
    return {
        "id": progress.route.pk,
        "name": progress.route.name,
        "total": progress.total,
        "to_read": progress.to_read,
        "read": progress.read,
        "missing": progress.missing,
        "flagged": progress.flagged,
    }


@router.get(
    "/committees/{slug}/rounds",
    response={200: list[RoundSummary], 403: ErrorOut, 404: ErrorOut},
    summary="Reading rounds of the last three years, newest first",
)
def round_list(request: HttpRequest, slug: str):
    with tenant(request, slug, "metering.view") as committee:
        return [
            {"month": f"{r.period:%Y-%m}", "status": r.status}
            for r in rounds.round_list(committee=committee)[:36]
        ]


@router.get(
    "/committees/{slug}/rounds/{month}",
    response={200: RoundOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="A round and its routes with their progress ('open' for the round open now)",
)
def round_detail(request: HttpRequest, slug: str, month: str):
    with tenant(request, slug, "metering.view") as committee:
        reading_round = _round(committee, month)
        overview = rounds.round_overview(round=reading_round)
        return {
            "month": f"{reading_round.period:%Y-%m}",
            "status": reading_round.status,
            "routes": [_route_out(p) for p in overview.routes],
        }


class Previous(Schema):
    value: Decimal
    on: str | None  # ISO date
    estimated: bool


class CurrentReading(Schema):
    value: Decimal
    status: str
    flags: list[str]


class StopOut(Schema):
    position: int
    number: str
    status: str
    holder: str
    address: str
    meter_serial: str
    meter_digits: int | None
    occupied: bool
    previous: Previous | None
    usual_m3: Decimal | None = Field(description="median monthly m³ of the last six months")
    warn_above_m3: Decimal | None = Field(
        description="monthly m³ beyond which the office will be asked to check the reading"
    )
    compare_with: Decimal | None = Field(
        description="the reading a new one is checked against (the last actual one)"
    )
    months: int = Field(description="months since that reading: warn_above_m3 is per month")
    reading: CurrentReading | None
    conflicts: list[Decimal]


class SheetOut(Schema):
    round: str
    round_status: str
    route: RouteOut
    stops: list[StopOut]


@router.get(
    "/committees/{slug}/rounds/{month}/routes/{route_id}",
    response={200: SheetOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="A route to walk: each connection with its previous reading and usual range",
)
def route_sheet(request: HttpRequest, slug: str, month: str, route_id: int):
    with tenant(request, slug, "metering.view") as committee:
        reading_round = _round(committee, month)
        route = get_object_or_404(Route, pk=route_id, committee=committee)
        rows = readings.route_sheet(round=reading_round, route=route)
        progress = next(
            p for p in rounds.round_overview(round=reading_round).routes if p.route == route
        )
        stops = []
        for row in rows:
            previous = None
            if row.previous_value is not None:
                previous = {
                    "value": row.previous_value,
                    "on": row.previous_date.isoformat() if row.previous_date else None,
                    "estimated": row.previous_estimated,
                }
            reading = row.reading
            stops.append(
                {
                    "position": row.position,
                    "number": row.connection.number,
                    "status": row.connection.status,
                    "holder": row.holder,
                    "address": row.address,
                    "meter_serial": row.meter_serial,
                    "meter_digits": row.meter_digits,
                    "occupied": row.occupied,
                    "previous": previous,
                    "usual_m3": row.usual,
                    "warn_above_m3": row.spike_above,
                    "compare_with": row.compare_with,
                    "months": row.months,
                    "reading": None
                    if reading is None
                    else {"value": reading.value, "status": reading.status, "flags": reading.flags},
                    "conflicts": [c.value for c in row.conflicts],
                }
            )
        return {
            "round": f"{reading_round.period:%Y-%m}",
            "round_status": reading_round.status,
            "route": _route_out(progress),
            "stops": stops,
        }


class ReadingIn(Schema):
    client_id: str = Field(description="a UUID made by the client: a replay stores nothing")
    connection: str | int = Field(description="the connection number", examples=["101"])
    value: str | int | float = Field(
        description='the meter reading in m³, e.g. "1234.567"', examples=["1234.567", 12]
    )
    read_at: str | None = Field(
        None,
        description="ISO 8601; a time without offset is the committee's local time",
        examples=["2026-11-20T09:14:00-04:00", "2026-02-30T10:00:00"],
    )
    note: str = ""


class BatchIn(Schema):
    readings: list[ReadingIn] = Field(max_length=BATCH_MAX)
    round: str | None = Field(
        None,
        description="YYYY-MM of the round the readings were taken for; when given and that "
        "round is no longer open, they are rejected rather than entered in another month",
    )


class StoredReading(Schema):
    id: int
    connection: str
    value: Decimal
    status: str
    consumption_m3: Decimal


class ReadingResult(Schema):
    client_id: str
    status: Literal["stored", "duplicate", "conflict", "rejected"]
    flags: list[str]
    warnings: list[str] = Field(description="the flags, in words, to show the reader")
    reading: StoredReading | None
    error: ErrorBody | None


class BatchOut(Schema):
    round: str | None
    results: list[ReadingResult]


def _rejected(client_id: str, code: str, message: str) -> dict:
    return {
        "client_id": client_id,
        "status": services.REJECTED,
        "flags": [],
        "warnings": [],
        "reading": None,
        "error": {"code": code, "message": message},
    }


def _parse(item: ReadingIn, committee, reading_round) -> services.ReadingInput | dict:
    try:
        client_id = UUID(item.client_id)
    except (ValueError, AttributeError, TypeError):
        return _rejected(
            item.client_id, "bad_client_id", _("The client id must be a UUID made by the phone.")
        )
    read_at = None
    if item.read_at:
        try:
            read_at = parse_datetime(item.read_at) if len(item.read_at) <= 40 else None
        except ValueError:  # well formed but impossible: 30 February, 25:00
            read_at = None
        if read_at is None:
            return _rejected(
                item.client_id, "bad_date", _("The reading's date and time are not valid.")
            )
        if timezone.is_naive(read_at):  # the committee's clock, as the reader's phone shows it
            read_at = timezone.make_aware(read_at, committee.zone())
        if reading_round is not None and read_at.date() < (
            reading_round.period - READ_AT_BEFORE_ROUND
        ):
            return _rejected(
                item.client_id,
                "bad_date",
                _("This reading was taken long before the round of %(month)s.")
                % {"month": f"{reading_round.period:%Y-%m}"},
            )
    return services.ReadingInput(
        connection=str(item.connection),
        value=as_written(item.value),
        read_at=read_at,
        client_id=client_id,
        note=item.note,
    )


@router.post(
    "/committees/{slug}/readings",
    response={200: BatchOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Enter a batch of readings (each stored once, whatever the replays)",
)
def readings_post(request: HttpRequest, slug: str, batch: BatchIn):
    with tenant(request, slug, "metering.enter") as committee:
        reading_round = rounds.open_round(committee=committee)
        closed_month = None
        if batch.round is not None:
            asked = _month(batch.round)
            if reading_round is None or Period.of(reading_round.period) != asked:
                reading_round = None  # its round has closed: only replays are answered
                closed_month = str(asked)
        parsed = [_parse(item, committee, reading_round) for item in batch.readings]
        inputs = [p for p in parsed if isinstance(p, services.ReadingInput)]
        entered = iter(
            services.readings_enter(
                committee=committee,
                round=reading_round,
                readings=inputs,
                by=request.user,
                source=services.Source.PHONE,
            )
        )
        results = []
        for item, given in zip(batch.readings, parsed, strict=True):
            if isinstance(given, dict):
                results.append(given)
                continue
            outcome = next(entered)
            if outcome.error is not None:
                code = services.error_code(outcome.error)
                message = services.error_message(outcome.error)
                if code == "no_open_round" and closed_month is not None:
                    code = "round_closed"
                    message = _(
                        "The round of %(month)s is closed: its readings can no longer change."
                    ) % {"month": closed_month}
                results.append(_rejected(item.client_id, code, message))
                continue
            reading = outcome.reading
            results.append(
                {
                    "client_id": item.client_id,
                    "status": outcome.status,
                    "flags": reading.flags,
                    "warnings": [str(FLAG_LABELS.get(f, f)) for f in reading.flags],
                    "reading": {
                        "id": reading.pk,
                        "connection": str(item.connection),
                        "value": reading.value,
                        "status": reading.status,
                        "consumption_m3": reading.consumption,
                    },
                    "error": None,
                }
            )
        month = reading_round.period if reading_round is not None else None
        return {"round": f"{month:%Y-%m}" if month else None, "results": results}
