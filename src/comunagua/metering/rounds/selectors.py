"""Reads of the reading rounds and the routes: which round is open, the list of rounds, the
connections no route passes yet, and how far each route of a round is."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from comunagua.lib.periods import Period
from comunagua.registry.models import Connection
from comunagua.tenancy.models import Committee

from ..models import Reading, Round, Route, RouteStop

ACCEPTED = Reading.Status.ACCEPTED
LIVE = Reading.LIVE
PENDING = Reading.PENDING


def round_of(*, committee: Committee, period: Period) -> Round | None:
    return Round.objects.filter(committee=committee, period=period.first_day).first()


def round_list(*, committee: Committee) -> QuerySet[Round]:
    return (
        Round.objects.filter(committee=committee)
        .annotate(
            read_count=Count(
                "readings", filter=Q(readings__status__in=LIVE, readings__estimated=False)
            ),
            estimated_count=Count(
                "readings", filter=Q(readings__status=ACCEPTED, readings__estimated=True)
            ),
            pending_count=Count("readings", filter=Q(readings__status__in=PENDING)),
        )
        .order_by("-period")
    )  # Meta.ordering does not apply to a GROUP BY


def open_round(*, committee: Committee) -> Round | None:
    return Round.objects.filter(committee=committee, status=Round.Status.OPEN).first()


def _on_no_route():
    return ~Exists(RouteStop.objects.filter(connection=OuterRef("pk")))


def unrouted_connections(*, committee: Committee) -> QuerySet[Connection]:
    """Connections still in service that no route passes."""
    return (
        Connection.objects.filter(committee=committee)
        .exclude(status=Connection.Status.CLOSED)
        .filter(_on_no_route())
        .order_by("number")
    )


def route_list(*, committee: Committee) -> QuerySet[Route]:
    return (
        Route.objects.filter(committee=committee)
        .annotate(stop_count=Count("stops"))
        .order_by("position", "name")
    )


@dataclass
class Progress:
    """How far a route (or the whole round) is."""

    route: Route | None = None
    total: int = 0  # connections on the sheet (every one not closed)
    to_read: int = 0  # active connections: the ones that must have a reading
    read: int = 0  # connections with an actual reading (accepted or waiting for review)
    estimated: int = 0
    flagged: int = 0  # connections with a reading waiting for review
    missing: int = 0  # active connections with no reading yet

    @property
    def percent(self) -> int:
        if not self.to_read:
            return 100
        return round(100 * (self.to_read - self.missing) / self.to_read)

    def add(self, status: str, live: tuple | None, pending: bool) -> None:
        self.total += 1
        active = status == Connection.Status.ACTIVE
        self.to_read += active
        if live is None:
            self.missing += active
        elif live[1]:
            self.estimated += 1
        else:
            self.read += 1
        self.flagged += pending


@dataclass
class Overview:
    round: Round
    routes: list[Progress]
    unrouted: Progress
    total: Progress


def round_overview(*, round: Round) -> Overview:
    """Counts read / missing / flagged / estimated per route, in four queries."""
    live: dict[int, tuple] = {}
    pending: set[int] = set()
    for connection_id, status, estimated in Reading.objects.filter(round=round).values_list(
        "connection_id", "status", "estimated"
    ):
        if status in LIVE:
            live[connection_id] = (status, estimated)
        if status in PENDING:
            pending.add(connection_id)
    routes = {r.pk: Progress(route=r) for r in Route.objects.filter(committee=round.committee)}
    total = Progress()
    stops = (
        RouteStop.objects.filter(route__committee=round.committee)
        .exclude(connection__status=Connection.Status.CLOSED)
        .values_list("route_id", "connection_id", "connection__status")
    )
    for route_id, connection_id, status in stops:
        for progress in (routes[route_id], total):
            progress.add(status, live.get(connection_id), connection_id in pending)
    unrouted = Progress()
    for connection_id, status in unrouted_connections(committee=round.committee).values_list(
        "id", "status"
    ):
        for progress in (unrouted, total):
            progress.add(status, live.get(connection_id), connection_id in pending)
    return Overview(round=round, routes=list(routes.values()), unrouted=unrouted, total=total)
