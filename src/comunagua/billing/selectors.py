"""Reads of bills shared by pages, commands and (later) the API."""

from decimal import Decimal

from django.db.models import QuerySet

from comunagua.lib.periods import Period
from comunagua.tariffs import engine, simulator
from comunagua.tariffs.engine import gettext_noop
from comunagua.tariffs.simulator import Usage
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


def billed_usages(*, committee: Committee, period: Period) -> list[Usage]:
    """Each bill of the period as the tariff simulator needs it, in one query: the volume,
    category and sewer it was priced with, and its charges as issued. Empty when the period was
    not billed."""
    return [
        Usage(number=number, category=category, m3=m3, sewer=sewer, old_total=total)
        for number, category, m3, sewer, total in Bill.objects.filter(
            committee=committee, period=period.first_day
        )
        .order_by("number")
        .values_list(
            "connection__number", "category", "consumption_m3", "has_sewer", "charges_total"
        )
    ]


def simulate_tariff(
    *,
    committee: Committee,
    proposed: engine.Tariff,
    period: Period,
    costs: Decimal | None = None,
) -> simulator.Simulation:
    """The proposed tariff applied to the period's bills. Raises simulator.SimulationError
    when the period was not billed or the tariff cannot price its connections."""
    usages = billed_usages(committee=committee, period=period)
    if not usages:
        raise simulator.SimulationError(
            gettext_noop("%(period)s was not billed: choose a month that has bills"),
            {"period": str(period)},
        )
    return simulator.simulate(proposed, usages, costs=costs, currency=committee.currency)
