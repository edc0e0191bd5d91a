"""The API kit every domain's `api.py` builds its endpoints with: the token authentication, the
error body and `ApiError`, paging, numbers as the client wrote them, and `tenant`, the committee
named in the URL checked against the role table. It imports no domain; `comunagua.api.v1`
assembles the domains' routers into the API."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.security import HttpBearer

from comunagua.tenancy.models import Committee
from comunagua.tenancy.scoping import committee_for, committee_scope
from comunagua.tenancy.tokens import token_user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class ErrorBody(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorBody


class ApiError(Exception):
    """Answer with `status` and `{"error": {"code", "message"}}`; the message in the user's
    language."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class PageQuery(Schema):
    """`?page=` (from 1) and `?page_size=` (100 by default, 500 at most)."""

    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(100, ge=1, le=500)


def as_written(value):
    """A number from JSON as the client wrote it: a float's shortest repr ("12.5"), so that
    Decimal sees 12.5 and not 12.4999…; strings and integers pass unchanged."""
    return repr(value) if isinstance(value, float) else value


def page_of(queryset, query: PageQuery, rows: Callable[[list], list]) -> dict:
    """One page of a queryset as `{"count", "page", "page_size", "items"}`; `rows` turns the
    page's objects into items (so that related rows are read for one page only)."""
    start = (query.page - 1) * query.page_size
    return {
        "count": queryset.count(),
        "page": query.page,
        "page_size": query.page_size,
        "items": rows(list(queryset[start : start + query.page_size])),
    }


@contextmanager
def tenant(request: HttpRequest, slug: str, permission: str) -> Iterator[Committee]:
    """The committee named in the URL, if the user has a role there that allows `permission`;
    its scope is held while the endpoint works. No role: 404, as if it did not exist."""
    committee, role = committee_for(request.user, slug, permission)
    request.committee, request.role = committee, role
    with committee_scope(committee):
        yield committee
