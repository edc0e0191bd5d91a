"""Every write to billing. Keyword-only, one transaction each.

`run_create` turns a period's closed reading round into bills, all or nothing: it bills every
ACTIVE connection (suspended, disconnected and closed ones are not billed: they receive no water
and the round does not estimate them), and refuses the whole run if an active connection has no
billable consumption. Running it again for the same period returns the existing run.
"""

import re
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comunagua.ledger.arrears import services as ledger_arrears
from comunagua.ledger.books import selectors as ledger_selectors
from comunagua.ledger.books import services as ledger_services
from comunagua.lib.money import as_decimal
from comunagua.lib.periods import Period
from comunagua.metering.readings.selectors import RoundNotClosed, billable_consumptions
from comunagua.registry.models import Connection, Holding
from comunagua.tariffs import engine as tariff_engine
from comunagua.tariffs.selectors import tariff_in_force
from comunagua.tenancy.models import Committee
from comunagua.tenancy.services import numbers_take
from comunagua.web.bulk import insert_rows

from . import selectors
from .models import Bill, BillingRun, CreditNote

ZERO = Decimal("0.00")
# The columns run_create writes, in the order of its rows; the id comes from the database.
BILL_FIELDS = [
    "committee_id",
    "run_id",
    "connection_id",
    "member_id",
    "number",
    "period",
    "issued_on",
    "due_on",
    "category",
    "has_sewer",
    "consumption_m3",
    "previous_value",
    "current_value",
    "estimated",
    "reading_id",
    "lines",
    "charges_total",
    "previous_balance",
    "total_due",
]


def _number_key(number: str) -> tuple:
    """Connection numbers in human order: 2 before 10, "12-A" after "12"."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower())
        for part in re.findall(r"\d+|\D+", number)
    )


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _lines(quote: tariff_engine.Quote) -> list[dict]:
    return [
        {
            "code": line.code,
            "amount": _plain(line.amount),
            "m3": _plain(line.m3),
            "price": _plain(line.price),
        }
        for line in quote.lines
    ]


# The books' accounts each kind of bill line is income of.
CHARGE_ROLES = {
    "late_fine": "fines",
    "assembly_fine": "fines",
    "reconnection": "fees",
    "connection_right": "connection_rights",
}


def account_role(code: str) -> str:
    """The ledger account (by role) a bill line is posted to."""
    if code == "sewer":
        return "sewer"
    if code.startswith("charge:"):
        return CHARGE_ROLES.get(code.removeprefix("charge:"), "other_income")
    return "water_sales"  # the fixed charge, the blocks and the rounding


def _by_role(lines: list[dict]) -> tuple[tuple[str, Decimal], ...]:
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        totals[account_role(line["code"])] += Decimal(line["amount"])
    return tuple(sorted(totals.items()))


def balances_before(*, committee: Committee, on: date) -> dict[int, Decimal]:
    """What each connection owes before this run: its account in the books (bills, credit
    notes, payments, reversals, fines), less instalments of a payment plan not due by `on`."""
    return ledger_selectors.balances_due(committee=committee, on=on)


@transaction.atomic
def run_create(
    *,
    committee: Committee,
    period: Period,
    by,
    issued_on: date | None = None,
    due_days: int = 15,
) -> BillingRun:
    """Bill the period: one bill per active connection, numbered without gaps in connection
    number order. Idempotent: a second call for the same period returns the first run."""
    # One run at a time per committee: the lock serialises concurrent runs, so the second one
    # sees the first one's run and returns it.
    Committee.objects.select_for_update().get(pk=committee.pk)
    existing = BillingRun.objects.filter(committee=committee, period=period.first_day).first()
    if existing is not None:
        return existing

    try:
        consumptions = billable_consumptions(committee=committee, period=period)
    except RoundNotClosed:
        raise ValidationError(
            _("The reading round for %(period)s is missing or still open: close it before billing.")
            % {"period": period}
        ) from None
    tariff = tariff_in_force(committee=committee, on=period.first_day)
    if tariff is None:
        raise ValidationError(
            _("No tariff is in force on %(date)s: create one before billing.")
            % {"date": period.first_day.strftime("%d/%m/%Y")}
        )
    priced_with = tariff.engine()

    # (id, number, category, has_sewer), plain rows: a large committee has 100,000 of them.
    connections = sorted(
        Connection.objects.filter(committee=committee, status=Connection.Status.ACTIVE).values_list(
            "id", "number", "category", "has_sewer"
        ),
        key=lambda c: _number_key(c[1]),
    )
    unread = [number for pk, number, _category, _sewer in connections if pk not in consumptions]
    if unread:
        raise ValidationError(
            ngettext(
                "%(count)d active connection has no reading to bill: %(numbers)s.",
                "%(count)d active connections have no reading to bill: %(numbers)s.",
                len(unread),
            )
            % {"count": len(unread), "numbers": ", ".join(unread)}
        )
    missing = sorted({c[2] for c in connections if c[2] not in priced_with.categories})
    if missing:
        raise ValidationError(
            _("The tariff “%(tariff)s” has no price for the categories: %(categories)s.")
            % {"tariff": tariff.name, "categories": ", ".join(missing)}
        )

    holders = dict(
        Holding.objects.filter(committee=committee, ended_on__isnull=True).values_list(
            "connection_id", "member_id"
        )
    )
    issued_on = issued_on or committee.today()
    due_on = issued_on + timedelta(days=due_days)
    # The committee's late-payment fines (none unless its rules say so) are charged first, one
    # per bill left unpaid past the grace days, so that the new bill's balance includes them.
    ledger_arrears.late_fines_apply(committee=committee, on=issued_on, by=by)
    balances = balances_before(committee=committee, on=issued_on)

    run = BillingRun.objects.create(
        committee=committee,
        period=period.first_day,
        tariff=tariff,
        issued_on=issued_on,
        due_on=due_on,
        bill_count=len(connections),
        created_by=by,
    )
    numbers = numbers_take(committee=committee, kind="bill", count=len(connections))
    rows = []
    quotes: dict[tuple, tuple[Decimal, list[dict], tuple]] = {}
    charges = []
    period_day, committee_id, run_id = period.first_day, committee.pk, run.pk
    for number, (pk, _number, category, has_sewer) in zip(numbers, connections, strict=True):
        consumption = consumptions[pk]
        # The engine is pure: connections with the same category, volume and sewer share a
        # quote, which spares most of the pricing on a large run.
        key = (category, consumption.m3, has_sewer)
        if key not in quotes:
            quote = tariff_engine.quote(
                priced_with, category=category, m3=consumption.m3, sewer=has_sewer
            )
            lines = _lines(quote)
            quotes[key] = (quote.total, lines, _by_role(lines))
        total, lines, roles = quotes[key]
        charges.append(
            ledger_services.Charge(
                connection_id=pk,
                document_type="bill",
                document_number=str(number),
                due_on=due_on,
                lines=roles,
                description=_("Bill %(number)s") % {"number": number},
                period=period_day,
            )
        )
        previous_balance = balances.get(pk, ZERO)
        rows.append(  # in the order of BILL_FIELDS
            (
                committee_id,
                run_id,
                pk,
                holders.get(pk),
                number,
                period_day,
                issued_on,
                due_on,
                category,
                has_sewer,
                consumption.m3,
                consumption.previous_value,
                consumption.current_value,
                consumption.estimated,
                consumption.reading_id,
                lines,
                total,
                previous_balance,
                total + previous_balance,
            )
        )
    # Straight into the table (COPY on PostgreSQL), inside this transaction: an exception
    # before the commit takes the bills back with the run and the numbers.
    insert_rows(Bill, BILL_FIELDS, rows)
    # The books: one entry for the run, a receivable and an open item per bill.
    ledger_services.charges_post(
        committee=committee,
        on=issued_on,
        charges=charges,
        memo=_("Bills of %(period)s") % {"period": period},
        document_type="billing_run",
        document_number=str(period),
        by=by,
    )
    return run


@transaction.atomic
def credit_note_issue(
    *, bill: Bill, amount, reason: str, by, client_id: str = "", issued_on: date | None = None
) -> CreditNote:
    """Take back `amount` of the bill's charges. The amount must be positive and at most what
    is left of the bill's charges after earlier credit notes. With a `client_id`, a replay of
    the same request returns the first note."""
    committee = bill.committee
    try:
        amount = as_decimal(amount)
    except ValueError:
        raise ValidationError({"amount": _("Write the amount as a number, e.g. 12.50.")}) from None
    if client_id:
        found = CreditNote.objects.filter(committee=committee, client_id=client_id).first()
        if found is not None:
            if found.bill_id != bill.pk or found.amount != amount:
                raise ValidationError(
                    _("This request id was already used for another credit note (%(number)s).")
                    % {"number": found.number}
                )
            return found
    # Lock the bill so that two notes at once cannot both pass the limit.
    bill = Bill.objects.select_for_update().get(pk=bill.pk, committee=committee)
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be greater than zero.")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("At most two decimal places (centavos).")})
    left = bill.charges_total - selectors.credited(bill)
    if amount > left:
        raise ValidationError(
            {
                "amount": _(
                    "Bill %(number)s has only %(left)s left to credit; %(amount)s is too much."
                )
                % {"number": bill.number, "left": left, "amount": amount}
            }
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the credit note is issued.")})
    (number,) = numbers_take(committee=committee, kind="credit_note", count=1)
    note = CreditNote.objects.create(
        committee=committee,
        bill=bill,
        number=number,
        issued_on=issued_on or committee.today(),
        amount=amount,
        reason=reason,
        client_id=client_id,
        created_by=by,
    )
    # The books: less income and less debt; it settles the bill it corrects first.
    ledger_services.credit_post(
        committee=committee,
        connection_id=bill.connection_id,
        amount=amount,
        on=note.issued_on,
        document_number=str(number),
        against=("bill", str(bill.number)),
        memo=reason,
        by=by,
    )
    return note
