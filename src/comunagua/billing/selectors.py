"""Reads of bills shared by pages, commands and (later) the API."""

from django.db.models import QuerySet

from comunagua.lib.periods import Period
from comunagua.tenancy.models import Committee

from .models import Bill, BillingRun


def run_of(*, committee: Committee, period: Period) -> BillingRun | None:
    return BillingRun.objects.filter(committee=committee, period=period.first_day).first()


def billed_periods(*, committee: Committee) -> list[Period]:
    """Every billed month, the latest first."""
    return [
        Period.of(day)
        for day in BillingRun.objects.filter(committee=committee)
        .order_by("-period")
        .values_list("period", flat=True)
    ]


def bills_of_period(*, committee: Committee, period: Period) -> QuerySet[Bill]:
    """The period's bills in number order, with their connection and holder."""
    return (
        Bill.objects.filter(committee=committee, period=period.first_day)
        .select_related("connection", "member")
        .order_by("number")
    )


def bill_list(
    *, committee: Committee, period: Period | None = None, connection_number: str | None = None
) -> QuerySet[Bill]:
    """Bills newest first, of one period and/or one connection, with connection and holder."""
    bills = Bill.objects.filter(committee=committee).select_related("connection", "member")
    if period is not None:
        bills = bills.filter(period=period.first_day)
    if connection_number is not None:
        bills = bills.filter(connection__number=connection_number)
    return bills.order_by("-period", "-number")
