"""The JSON API, version 1, mounted at /api/v1/ (docs at /api/v1/docs, the OpenAPI document at
/api/v1/openapi.json). Each domain writes its own `api.py` router with the kit
(`comunagua.api.kit`); this module alone assembles them, with authentication (a personal token,
or the browser's session for Comunagua's own pages and the reader's app) and errors as JSON.
Only `comunagua.urls` imports it. See docs/api.md.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestInvalid
from ninja.security import SessionAuth

from comunagua.billing.api import router as billing
from comunagua.ledger.api import router as ledger
from comunagua.metering.api import router as metering
from comunagua.registry.api import router as registry
from comunagua.tenancy.api import router as tenancy

from .kit import ApiError, BearerToken

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


api.add_router("/", tenancy)
api.add_router("/", registry)
api.add_router("/", metering)
api.add_router("/", billing)
api.add_router("/", ledger)
