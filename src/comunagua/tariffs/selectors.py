"""Reads of the tariffs shared by pages, commands and billing."""

from datetime import date

from django.db.models import QuerySet

from comunagua.tenancy.models import Committee

from .models import Tariff


def tariff_list(*, committee: Committee) -> QuerySet[Tariff]:
    """Every version, the latest start first."""
    return Tariff.objects.filter(committee=committee).order_by("-effective_from")


def tariff_in_force(*, committee: Committee, on: date) -> Tariff | None:
    """The tariff that prices consumption on `on`: the latest to start on or before that day."""
    return (
        Tariff.objects.filter(committee=committee, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def tariff_detail(*, committee: Committee, pk: int) -> Tariff:
    """Raises Tariff.DoesNotExist for another committee's tariff."""
    return Tariff.objects.select_related("created_by").get(committee=committee, pk=pk)


def is_editable(tariff: Tariff, *, today: date | None = None) -> bool:
    """Only a tariff that has not started yet can be edited."""
    return tariff.effective_from > (today or tariff.committee.today())
