"""Reads of the committee's own pages: its people and what changed in who holds which role."""

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


def serves_elsewhere(committee: Committee, people: list[RoleAssignment]) -> set[int]:
    """The ids of people who also serve another committee (the board cannot set their password)."""
    ids = [a.user_id for a in people]
    return set(
        RoleAssignment.objects.filter(user_id__in=ids)
        .exclude(committee=committee)
        .values_list("user_id", flat=True)
    )


def role_changes(committee: Committee, limit: int = 30):
    """The latest role changes, newest first, with who made them."""
    return (
        RoleAssignment.history.filter(committee_id=committee.pk)
        .select_related("history_user", "user")
        .order_by("-history_date", "-history_id")[:limit]
    )
