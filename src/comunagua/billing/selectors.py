"""Reads of bills shared by pages, commands and (later) the API."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from comunagua.lib.periods import Period
from comunagua.registry.models import Connection
from comunagua.tenancy.models import Committee

from .models import Bill, BillingRun, CreditNote


def run_of(*, committee: Committee, period: Period) -> BillingRun | None:
    return BillingRun.objects.filter(committee=committee, period=period.first_day).first()


def bills_of_period(*, committee: Committee, period: Period) -> QuerySet[Bill]:
    """The period's bills in number order, with their connection and holder."""
    return (
        Bill.objects.filter(committee=committee, period=period.first_day)
        .select_related("connection", "member")
        .order_by("number")
    )


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
