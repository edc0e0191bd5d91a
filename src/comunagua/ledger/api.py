"""Payments (write, once per client id) and the monthly transparency report (read)."""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from comunagua.api.kit import ApiError, ErrorOut, as_written, tenant
from comunagua.lib.periods import Period
from comunagua.registry.models import Connection

from .books import selectors as books
from .cash import selectors as cash_selectors
from .cash import services as cash
from .report import selectors as report_selectors

router = Router(tags=["payments and books"])


class PaymentIn(Schema):
    client_id: str = Field(min_length=1, max_length=64, description="made by the client")
    connection: str = Field(max_length=40, description="the connection number", examples=["101"])
    amount: str | int | float = Field(description='e.g. "36.50"', examples=["36.50", "1e30"])
    method: Literal["cash", "transfer", "qr"]
    reference: str = Field("", max_length=80)
    received_on: date | None = None


class PaymentOut(Schema):
    status: Literal["stored", "duplicate"]
    receipt_number: int
    connection: str
    amount: Decimal
    method: str
    received_on: date
    balance_after: Decimal
    receipt_url: str


@router.post(
    "/committees/{slug}/payments",
    response={200: PaymentOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Take a payment (a replay with the same client id takes nothing)",
)
def payment_post(request: HttpRequest, slug: str, payment: PaymentIn):
    with tenant(request, slug, "ledger.cash") as committee:
        connection = Connection.objects.filter(
            committee=committee, number=payment.connection.strip()
        ).first()
        if connection is None:
            raise ApiError(
                422,
                "unknown_connection",
                _("There is no connection number %(number)s in this committee.")
                % {"number": payment.connection[:40]},
            )
        client_id = payment.client_id.strip()
        amount = as_written(payment.amount)
        try:
            taken = cash.payment_take(
                committee=committee,
                connection_id=connection.pk,
                amount=amount,
                method=payment.method,
                reference=payment.reference,
                received_on=payment.received_on,
                session=cash_selectors.open_session(committee=committee, cashier=request.user),
                client_id=client_id,
                by=request.user,
            )
        except ValidationError as error:
            dated = hasattr(error, "error_dict") and "received_on" in error.error_dict
            code = "future_date" if dated else "rejected"
            raise ApiError(422, code, " ".join(error.messages)) from None
        return {
            # Decided by the service under its lock: two twins racing never both hear "stored".
            "status": "duplicate" if taken.replayed else "stored",
            "receipt_number": taken.number,
            "connection": connection.number,
            "amount": taken.amount,
            "method": taken.method,
            "received_on": taken.received_on,
            "balance_after": books.balance_of(committee=committee, connection_id=connection.pk),
            "receipt_url": request.build_absolute_uri(
                reverse("receipt-public", kwargs={"token": taken.public_token})
            ),
        }


class ReportLine(Schema):
    code: str
    name: str
    amount: Decimal


class ReportOut(Schema):
    month: str
    income: list[ReportLine]
    expenses: list[ReportLine]
    income_total: Decimal
    expenses_total: Decimal
    result: Decimal
    cash: Decimal
    bank: Decimal
    reserves_fund: Decimal
    owed_by_households: Decimal
    households_owing: int
    held_for_households: Decimal
    loans_payable: Decimal
    billed: Decimal
    collected: Decimal
    collection_rate_percent: Decimal | None
    month_is_over: bool


@router.get(
    "/committees/{slug}/reports/{month}",
    response={200: ReportOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The month's transparency report (without names of households)",
)
def report_detail(request: HttpRequest, slug: str, month: str):
    with tenant(request, slug, "ledger.report") as committee:
        try:
            period = Period.parse(month[:20])
        except ValueError:
            raise ApiError(
                422, "bad_month", _("Write the month as YYYY-MM, for example 2026-11.")
            ) from None
        if period > Period.of(committee.today()):
            raise ApiError(422, "future_month", _("That month has not begun yet."))
        report = report_selectors.monthly_report(committee, period)

        def lines(found):
            return [{"code": x.code, "name": x.name, "amount": x.amount} for x in found]

        return {
            "month": str(period),
            "income": lines(report.income),
            "expenses": lines(report.expenses),
            "income_total": report.income_total,
            "expenses_total": report.expenses_total,
            "result": report.result,
            "cash": report.cash,
            "bank": report.bank,
            "reserves_fund": report.reserves_fund,
            "owed_by_households": report.owed_by_households,
            "households_owing": report.households_owing,
            "held_for_households": report.held_for_households,
            "loans_payable": report.loans_payable,
            "billed": report.billed,
            "collected": report.collected,
            "collection_rate_percent": report.collection_rate,
            "month_is_over": report_selectors.is_over(committee, period),
        }
