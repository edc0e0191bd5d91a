"""Reads of bills shared by pages, commands and (later) the API."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from comunagua.lib.periods import Period
from comunagua.registry.models import Connection
from comunagua.tariffs import engine, simulator
from comunagua.tariffs.engine import gettext_noop
from comunagua.tariffs.simulator import Usage
from comunagua.tenancy.models import Committee

from .models import Bill, BillingRun, CreditNote


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


@dataclass(frozen=True)
class StatementRow:
    kind: str  # "bill" or "credit_note"
    date: date
    number: int
    amount: Decimal  # what the row adds to the balance: a credit note's is negative
    balance: Decimal  # running balance after the row
    document: Bill | CreditNote


def statement(*, connection: Connection) -> list[StatementRow]:
    """The connection's bills and credit notes in date order, with a running balance.
    Payments join when the ledger arrives."""
    entries: list[tuple[tuple, str, date, int, Decimal, Bill | CreditNote]] = []
    for bill in Bill.objects.filter(connection=connection).order_by("period", "number"):
        key = (bill.issued_on, 0, bill.period, bill.number)
        entries.append((key, "bill", bill.issued_on, bill.number, bill.charges_total, bill))
    for note in (
        CreditNote.objects.filter(bill__connection=connection)
        .select_related("bill")
        .order_by("number")
    ):
        key = (note.issued_on, 1, note.bill.period, note.number)
        entries.append((key, "credit_note", note.issued_on, note.number, -note.amount, note))
    entries.sort(key=lambda entry: entry[0])
    balance = Decimal("0.00")
    rows = []
    for _key, kind, day, number, amount, document in entries:
        balance += amount
        rows.append(StatementRow(kind, day, number, amount, balance, document))
    return rows
