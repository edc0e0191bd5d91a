"""The current committee: taken from the URL, checked against the user's role, and held as a
django-scopes scope for the whole request so that an unscoped query raises instead of leaking."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django_scopes import scope

from .models import Committee, RoleAssignment
from .roles import Role, can


def role_of(user, committee: Committee) -> Role | None:
    if not user.is_authenticated:
        return None
    role = (
        RoleAssignment.objects.filter(user=user, committee=committee)
        .values_list("role", flat=True)
        .first()
    )
    if role is not None:
        return Role(role)
    # Superusers run the server; inside a committee they act as its board.
    return Role.BOARD if user.is_superuser else None


def committees_of(user):
    if user.is_superuser:
        return Committee.objects.filter(is_active=True)
    return Committee.objects.filter(is_active=True, roles__user=user).distinct()


def committee_for(user, slug: str, permission: str) -> tuple[Committee, Role]:
    """The active committee named `slug` and the user's role there, if it allows `permission`.
    No role (or no such committee): Http404, as if it did not exist; a role without the
    permission: PermissionDenied."""
    current = Committee.objects.filter(slug=slug, is_active=True).first()
    role = role_of(user, current) if current is not None else None
    if role is None:
        raise Http404
    if not can(role, permission):
        raise PermissionDenied
    return current, role


@contextmanager
def committee_scope(committee: Committee) -> Iterator[Committee]:
    """Work inside one committee: its scope for every query, and its time zone for "today" and
    for the times shown, so a late payment in La Paz is not dated tomorrow by a UTC server."""
    with scope(committee=committee), timezone.override(committee.zone()):
        yield committee


def committee_view(permission: str):
    """Decorate a view taking `committee` (the slug) as its first URL argument.

    Someone with no role in the committee gets a 404, as if it did not exist; a role without
    the permission gets a 403.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, committee: str, *args, **kwargs):
            current, role = committee_for(request.user, committee, permission)
            request.committee = current
            request.role = role
            with committee_scope(current):
                return view(request, *args, **kwargs)

        wrapper.permission = permission
        return wrapper

    return decorator
