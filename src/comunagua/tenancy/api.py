"""The committees the user serves, with the role and what it allows."""

from django.http import HttpRequest
from ninja import Router, Schema

from comunagua.api.kit import tenant

from .roles import permissions_of
from .scoping import committees_of, role_of

router = Router(tags=["committees"])


class CommitteeOut(Schema):
    slug: str
    name: str
    kind: str
    currency: str
    timezone: str
    role: str
    permissions: list[str]


def _out(committee, role) -> dict:
    return {
        "slug": committee.slug,
        "name": committee.name,
        "kind": committee.kind,
        "currency": committee.currency,
        "timezone": committee.timezone,
        "role": str(role),
        "permissions": sorted(permissions_of(role)),
    }


@router.get("/committees", response=list[CommitteeOut], summary="Committees the user serves")
def committee_list(request: HttpRequest):
    return [
        _out(committee, role_of(request.user, committee))
        for committee in committees_of(request.user).order_by("name")
    ]


@router.get("/committees/{slug}", response=CommitteeOut, summary="One committee")
def committee_detail(request: HttpRequest, slug: str):
    with tenant(request, slug, "committee.view") as committee:
        return _out(committee, request.role)
