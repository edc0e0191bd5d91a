"""Bills, read-only: by period and by connection."""

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from comunagua.api.kit import ApiError, ErrorOut, PageQuery, page_of, tenant
from comunagua.lib.periods import Period

from . import selectors
from .models import Bill

router = Router(tags=["bills"])


class BillLine(Schema):
    code: str
    amount: Decimal
    m3: Decimal | None
    price: Decimal | None


class BillOut(Schema):
    number: int
    period: str
    connection: str
    holder: str | None
    issued_on: date
    due_on: date
    category: str
    consumption_m3: Decimal | None
    previous_value: Decimal | None
    current_value: Decimal | None
    estimated: bool
    lines: list[BillLine]
    charges_total: Decimal
    previous_balance: Decimal
    total_due: Decimal


class BillPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[BillOut]


class BillFilter(Schema):
    period: str | None = None  # YYYY-MM
    connection: str | None = None  # connection number


def _rows(bills: list[Bill]) -> list[dict]:
    return [
        {
            "number": b.number,
            "period": f"{b.period:%Y-%m}",
            "connection": b.connection.number,
            "holder": b.member.full_name if b.member else None,
            "issued_on": b.issued_on,
            "due_on": b.due_on,
            "category": b.category,
            "consumption_m3": b.consumption_m3,
            "previous_value": b.previous_value,
            "current_value": b.current_value,
            "estimated": b.estimated,
            "lines": b.lines,
            "charges_total": b.charges_total,
            "previous_balance": b.previous_balance,
            "total_due": b.total_due,
        }
        for b in bills
    ]


@router.get(
    "/committees/{slug}/bills",
    response={200: BillPage, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Bills, newest first; by period (YYYY-MM) and/or connection number",
)
def bill_list(request: HttpRequest, slug: str, filters: Query[BillFilter], page: Query[PageQuery]):
    with tenant(request, slug, "billing.view") as committee:
        period = None
        if filters.period is not None:
            try:
                period = Period.parse(filters.period[:20])
            except ValueError:
                raise ApiError(
                    422, "bad_month", _("Write the month as YYYY-MM, for example 2026-11.")
                ) from None
        connection = filters.connection[:40] if filters.connection is not None else None
        bills = selectors.bill_list(
            committee=committee, period=period, connection_number=connection
        )
        return page_of(bills, page, _rows)
