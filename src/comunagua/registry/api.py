"""The register, read-only: connections (with their latest accepted reading) and members."""

from datetime import datetime
from decimal import Decimal

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema

from comunagua.api import ErrorOut, PageQuery, page_of, tenant
from comunagua.metering.selectors import last_readings

from . import selectors
from .models import Connection, Member

router = Router(tags=["register"])


class LastReading(Schema):
    value: Decimal
    read_at: datetime
    period: str  # "YYYY-MM" of the round


class ConnectionOut(Schema):
    number: str
    status: str
    category: str
    has_sewer: bool
    address: str
    sector: str | None
    holder: str | None
    meter_serial: str | None
    last_reading: LastReading | None


class ConnectionFilter(Schema):
    q: str = ""
    status: Connection.Status | None = None
    category: Connection.Category | None = None


def _connection_rows(connections: list[Connection]) -> list[dict]:
    last = last_readings(connections=[c.pk for c in connections])
    rows = []
    for c in connections:
        holders = c.current_holdings
        meters = c.meters_in_service
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


class ConnectionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ConnectionOut]


@router.get(
    "/committees/{slug}/connections",
    response={200: ConnectionPage, 403: ErrorOut, 404: ErrorOut},
    summary="Connections, with their latest accepted reading",
)
def connection_list(
    request: HttpRequest, slug: str, filters: Query[ConnectionFilter], page: Query[PageQuery]
):
    with tenant(request, slug, "registry.view") as committee:
        connections = selectors.connection_list(
            committee=committee,
            q=filters.q[:100],
            status=filters.status or "",
            category=filters.category or "",
        )
        return page_of(connections, page, _connection_rows)


@router.get(
    "/committees/{slug}/connections/{number}",
    response={200: ConnectionOut, 404: ErrorOut, 403: ErrorOut},
    summary="One connection by its number",
)
def connection_detail(request: HttpRequest, slug: str, number: str):
    with tenant(request, slug, "registry.view") as committee:
        found = list(selectors.connection_list(committee=committee).filter(number=number)[:1])
        if not found:
            raise Http404
        return _connection_rows(found)[0]


class MemberOut(Schema):
    code: str
    first_names: str
    last_names: str
    id_document: str
    phone: str
    gender: str
    household_size: int
    status: str
    connections: list[str]


class MemberFilter(Schema):
    q: str = ""
    status: Member.Status | None = None


class MemberPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[MemberOut]


def _member_rows(members: list[Member]) -> list[dict]:
    return [
        {
            "code": m.code,
            "first_names": m.first_names,
            "last_names": m.last_names,
            "id_document": m.id_document,
            "phone": m.phone,
            "gender": m.gender,
            "household_size": m.household_size,
            "status": m.status,
            "connections": sorted(
                h.connection.number for h in m.holdings.all() if h.ended_on is None
            ),
        }
        for m in members
    ]


@router.get(
    "/committees/{slug}/members",
    response={200: MemberPage, 403: ErrorOut, 404: ErrorOut},
    summary="Members (households)",
)
def member_list(
    request: HttpRequest, slug: str, filters: Query[MemberFilter], page: Query[PageQuery]
):
    with tenant(request, slug, "registry.view") as committee:
        members = selectors.member_list(
            committee=committee, q=filters.q[:100], status=filters.status or ""
        ).prefetch_related("holdings__connection")
        return page_of(members, page, _member_rows)
