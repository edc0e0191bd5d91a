"""Reads of the committee's own pages: its people and what changed in who holds which role."""

from itertools import pairwise

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


def _serving_elsewhere(committee: Committee, user_ids) -> set[int]:
    """Of `user_ids`, those with a role in another committee, now or ever (the roles' history):
    two queries, however many people."""
    now = RoleAssignment.objects.filter(user_id__in=user_ids).exclude(committee=committee)
    with scopes_disabled():  # the other committees' history is asked about, never shown
        ever = RoleAssignment.history.filter(user_id__in=user_ids).exclude(
            committee_id=committee.pk
        )
        return set(now.values_list("user_id", flat=True)) | set(
            ever.values_list("user_id", flat=True)
        )


def passwords_settable(committee: Committee, users) -> set[int]:
    """Of `users`, the ids of accounts that belong to this committee alone: not the server's
    staff, and no role in another committee, now or ever. Only such an account's password may
    the committee's board set."""
    ours = {u.pk for u in users if not (u.is_staff or u.is_superuser)}
    return ours - _serving_elsewhere(committee, ours) if ours else set()


def committee_changes(committee: Committee, limit: int = 10) -> list[dict]:
    """The latest changes to the committee's details: the record (when, who) and which fields."""
    records = list(
        committee.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    rows = []
    for record, older in pairwise(records):
        fields = [
            Committee._meta.get_field(change.field).verbose_name
            for change in record.diff_against(older).changes
        ]
        if fields:
            rows.append({"record": record, "fields": fields})
    return rows


def role_changes(committee: Committee, limit: int = 30):
    """The latest role changes, newest first, with who made them."""
    return (
        RoleAssignment.history.filter(committee_id=committee.pk)
        .select_related("history_user", "user")
        .order_by("-history_date", "-history_id")[:limit]
    )
