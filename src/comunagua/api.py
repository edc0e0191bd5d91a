"""The JSON API, version 1, mounted at /api/v1/ (docs at /api/v1/docs, the OpenAPI document at
/api/v1/openapi.json). Each domain writes its own `api.py` router; this module only assembles
them and holds what every endpoint shares: authentication (a personal token, or the browser's
session for Comunagua's own pages and the reader's app), the committee from the URL checked
against the role table of tenancy/roles.py, errors as JSON, pagination. See docs/api.md.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestInvalid
from ninja.security import HttpBearer, SessionAuth

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


api = NinjaAPI(
    title="Comunagua API",
    version="1",
    urls_namespace="api-v1",
    description=(
        "Comunagua's JSON API. Authenticate with `Authorization: Bearer <token>` (a personal "
        "token: `comunagua token create --user NAME` or the user's page). Errors are "
        '`{"error": {"code": "...", "message": "..."}}`, the message in the language of '
        "`Accept-Language` (Spanish by default)."
    ),
    auth=[BearerToken(), SessionAuth()],
)


def _error(request, status: int, code: str, message: str):
    return api.create_response(
        request, {"error": {"code": code, "message": message}}, status=status
    )


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return _error(request, exc.status, exc.code, exc.message)


@api.exception_handler(RequestInvalid)
def _request_invalid(request, exc: RequestInvalid):
    where = []
    for error in exc.errors[:5]:
        # ("body", "<parameter>", "readings", 0, "value") -> "readings.0.value"
        parts = [str(p) for p in error.get("loc", ())]
        loc = ".".join(parts[2:] if parts[:1] == ["body"] else parts[1:])
        where.append(loc or "?")
    return _error(
        request,
        422,
        "invalid_request",
        _("The request is not valid; check these fields: %(fields)s.")
        % {"fields": ", ".join(where)},
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _error(
        request,
        401,
        "unauthenticated",
        _("Log in, or send a valid token as 'Authorization: Bearer …'."),
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, "forbidden", _("Your role in this committee does not allow it."))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 400:  # the body is not JSON at all
        return _error(
            request, 400, "bad_request", _("The request could not be read: send valid JSON.")
        )
    if exc.status_code == 403:  # the only 403 django-ninja raises itself: the CSRF check
        return _error(
            request,
            403,
            "csrf_failed",
            _("The page's security token is missing or old: reload the page and try again."),
        )
    return _error(request, exc.status_code, "error", _("The request was refused."))


def not_found(request, path: str = ""):
    """Any other address under /api/: JSON too, not the site's HTML page."""
    return _not_found(request, None)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    return _error(request, 422, "invalid", " ".join(exc.messages))


@contextmanager
def tenant(request: HttpRequest, slug: str, permission: str) -> Iterator[Committee]:
    """The committee named in the URL, if the user has a role there that allows `permission`;
    its scope is held while the endpoint works. No role: 404, as if it did not exist."""
    committee, role = committee_for(request.user, slug, permission)
    request.committee, request.role = committee, role
    with committee_scope(committee):
        yield committee


def _mount() -> None:
    from comunagua.billing.api import router as billing
    from comunagua.ledger.api import router as ledger
    from comunagua.metering.api import router as metering
    from comunagua.registry.api import router as registry
    from comunagua.tenancy.api import router as tenancy

    api.add_router("/", tenancy)
    api.add_router("/", registry)
    api.add_router("/", metering)
    api.add_router("/", billing)
    api.add_router("/", ledger)


_mount()
