"""Reads of the committee's own pages: its people and what changed in who holds which role."""

from django_scopes import scopes_disabled

from .models import Committee, RoleAssignment
from .roles import Role


def people_of(committee: Committee) -> list[RoleAssignment]:
    """Everyone with a role here, board first, then by name."""
    rank = {role: i for i, role in enumerate(Role)}
    people = RoleAssignment.objects.filter(committee=committee).select_related("user")
    return sorted(
        people,
        key=lambda a: (rank[Role(a.role)], (a.user.get_full_name() or a.user.username).lower()),
    )


def account_is_ours(committee: Committee, user) -> bool:
    """The account belongs to this committee alone: not the server's staff, and no role in
    another committee, now or ever (the roles' history). Only such an account's password may
    the committee's board set."""
    if user.is_staff or user.is_superuser:
        return False
    if RoleAssignment.objects.filter(user=user).exclude(committee=committee).exists():
        return False
    with scopes_disabled():  # the other committees' history is asked about, never shown
        return (
            not RoleAssignment.history.filter(user_id=user.pk)
            .exclude(committee_id=committee.pk)
            .exists()
        )


def passwords_settable(committee: Committee, people: list[RoleAssignment]) -> set[int]:
    """Of `people` (their roles here), the user ids whose password the board may set."""
    return {a.user_id for a in people if account_is_ours(committee, a.user)}


def role_changes(committee: Committee, limit: int = 30):
    """The latest role changes, newest first, with who made them."""
    return (
        RoleAssignment.history.filter(committee_id=committee.pk)
        .select_related("history_user", "user")
        .order_by("-history_date", "-history_id")[:limit]
    )
