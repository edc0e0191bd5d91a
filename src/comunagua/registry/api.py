"""The register, read-only: members. (Connections, with their latest reading, are served by
metering/api.py: the register does not know about readings.)"""

from django.http import HttpRequest
from ninja import Query, Router, Schema

from comunagua.api.kit import ErrorOut, PageQuery, page_of, tenant

from . import selectors
from .models import Member

router = Router(tags=["register"])


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
            committee=committee, q=filters.q, status=filters.status or ""
        ).prefetch_related("holdings__connection")
        return page_of(members, page, _member_rows)
