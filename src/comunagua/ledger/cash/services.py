"""The cash desk's writes. Keyword-only, one transaction each, append-only.

- `payment_take`: a receipt: cash to the till of an open session, a transfer or a QR payment to
  the bank; allocated to the oldest debts first unless the cashier names them; the rest is an
  advance. Sent twice with the same `client_id`, recorded once.
- `payments_take_many`: a batch of payments (a bank statement), each as `payment_take` would.
- `payment_reverse`: a reversal entry that mirrors the payment and releases its allocations.
- `session_open` / `session_close`: a cashier's till, and the count at closing (a difference is
  posted, never hidden).

Concurrency: every payment locks its household's connection row first (`connection_lock`), so two
cashiers paying the same debt at the same moment queue, and the second sees the first.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from comunagua.lib.money import CENT
from comunagua.registry.models import Connection, Holding
from comunagua.tenancy.models import Committee
from comunagua.tenancy.services import numbers_take
from comunagua.web.bulk import insert_rows

from ..books import allocation
from ..books import selectors as books_selectors
from ..books.amounts import amount_clean
from ..books.services import (
    RECEIVABLE,
    Line,
    accounts_by_role,
    connection_lock,
    credits_apply,
    entry_post,
)
from ..models import (
    Allocation,
    CashSession,
    JournalEntry,
    Payment,
    PaymentReversal,
    Posting,
    token_new,
)
from . import selectors

ZERO = Decimal("0.00")


def _replayed(committee: Committee, client_id: str, connection_id: int, amount: Decimal):
    found = Payment.objects.filter(committee=committee, client_id=client_id).first()
    if found is None:
        return None
    if found.connection_id != connection_id or found.amount != amount:
        raise ValidationError(
            _("This request id was already used for another payment (receipt %(number)s).")
            % {"number": found.number}
        )
    found.replayed = True  # the caller may tell "taken now" from "taken before" (the API does)
    return found


@transaction.atomic
def payment_take(
    *,
    committee: Committee,
    connection_id: int,
    amount,
    method: str,
    by,
    reference: str = "",
    received_on: date | None = None,
    session: CashSession | None = None,
    client_id: str = "",
    chosen: Sequence[int] = (),
    expected_balance: Decimal | None = None,
) -> Payment:
    """Record a payment and issue its receipt. `chosen` names open items to settle first;
    `expected_balance` is the balance the cashier saw: if another payment changed it meanwhile,
    the payment is refused rather than taken twice."""
    amount = amount_clean(amount, "amount")
    client_id = (client_id or "").strip()[:64]
    if client_id:
        found = _replayed(committee, client_id, connection_id, amount)
        if found is not None:
            return found
    if method not in Payment.Method.values:
        raise ValidationError({"method": _("Choose how the household paid.")})
    if received_on is not None and received_on > committee.today():
        raise ValidationError({"received_on": _("A payment cannot be dated in the future.")})
    reference = (reference or "").strip()
    if method != Payment.Method.CASH and not reference:
        raise ValidationError(
            {"reference": _("Write the transfer's or the QR payment's reference.")}
        )
    if method == Payment.Method.CASH:
        if session is None:
            raise ValidationError(_("Open a cash session to take cash."))
        session = CashSession.objects.select_for_update().get(pk=session.pk)
        if session.committee_id != committee.pk or session.status != CashSession.Status.OPEN:
            raise ValidationError(_("This cash session is closed: open a new one."))
    connection = connection_lock(committee, connection_id)
    if client_id:  # a replay that waited on the lock behind its twin
        found = _replayed(committee, client_id, connection_id, amount)
        if found is not None:
            return found
    if expected_balance is not None:
        now = books_selectors.balance_of(committee=committee, connection_id=connection.pk)
        if now != expected_balance:
            raise ValidationError(
                _(
                    "The account changed while you were working: it now owes %(now)s, not "
                    "%(then)s. Check the latest receipts before taking this payment."
                )
                % {"now": now, "then": expected_balance}
            )
    dues = books_selectors.open_dues(committee=committee, connection_ids={connection.pk}).get(
        connection.pk, []
    )
    try:
        shares, _advance = allocation.allocate(amount, dues, chosen=list(chosen))
    except KeyError:
        raise ValidationError(_("That debt is not open on this account.")) from None
    received_on = received_on or committee.today()
    (number,) = numbers_take(committee=committee, kind="receipt", count=1)
    money_in = "cash" if method == Payment.Method.CASH else "bank"
    entry = entry_post(
        committee=committee,
        on=received_on,
        kind=JournalEntry.Kind.PAYMENT,
        lines=[
            Line(money_in, debit=amount),
            Line(RECEIVABLE, credit=amount, connection_id=connection.pk),
        ],
        memo=reference,
        document_type="receipt",
        document_number=str(number),
        by=by,
        session=session,
    )
    holder = (
        Holding.objects.filter(committee=committee, connection=connection, ended_on__isnull=True)
        .values_list("member_id", flat=True)
        .first()
    )
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                committee=committee,
                number=number,
                connection=connection,
                member_id=holder,
                method=method,
                reference=reference[:80],
                amount=amount,
                received_on=received_on,
                session=session,
                entry=entry,
                client_id=client_id,
                created_by=by,
            )
    except IntegrityError:
        # Only a twin request with the same client id gets here (the connection lock
        # serialises the rest); the outer transaction rolls back and the twin answers.
        raise ValidationError(_("This payment is already being recorded.")) from None
    Allocation.objects.bulk_create(
        Allocation(committee=committee, item_id=key, source=entry, entry=entry, amount=share)
        for key, share in shares
    )
    payment.replayed = False
    return payment


@dataclass(frozen=True)
class Incoming:
    """One payment of a batch (a bank statement's lines, a day of the office's book)."""

    connection_id: int
    amount: Decimal
    method: str
    received_on: date
    reference: str = ""
    client_id: str = ""


@transaction.atomic
def payments_take_many(
    *, committee: Committee, payments: Sequence[Incoming], by, session: CashSession | None = None
) -> list[int]:
    """Record many payments at once, each as `payment_take` would (its own receipt number and
    entry, the oldest debts first, the rest an advance), with a handful of queries for the whole
    batch. Payments whose client id is already recorded are left out. Returns the receipt
    numbers issued, in the batch's order."""
    if not payments:
        return []
    for index, incoming in enumerate(payments, start=1):
        try:
            amount_clean(incoming.amount, "amount")
        except ValidationError as error:
            raise ValidationError(
                _("Payment %(n)s of the batch: %(error)s")
                % {"n": index, "error": " ".join(error.messages)}
            ) from None
        if incoming.method not in Payment.Method.values:
            raise ValidationError(_("Choose how the household paid."))
        if incoming.method == Payment.Method.CASH and (
            session is None or session.status != CashSession.Status.OPEN
        ):
            raise ValidationError(_("Open a cash session to take cash."))
    ids = sorted({p.connection_id for p in payments})
    locked = set(
        Connection.objects.select_for_update()
        .filter(committee=committee, pk__in=ids)
        .values_list("pk", flat=True)
    )
    if locked != set(ids):
        raise ValidationError(_("There is no such connection in this committee."))
    seen = set(
        Payment.objects.filter(
            committee=committee, client_id__in=[p.client_id for p in payments if p.client_id]
        ).values_list("client_id", flat=True)
    )
    batch = []
    for incoming in payments:
        if incoming.client_id and incoming.client_id in seen:
            continue
        seen.add(incoming.client_id)
        batch.append(incoming)
    if not batch:
        return []
    accounts = accounts_by_role(committee)
    dues = books_selectors.open_dues(committee=committee, connection_ids=ids)
    holders = dict(
        Holding.objects.filter(
            committee=committee, connection_id__in=ids, ended_on__isnull=True
        ).values_list("connection_id", "member_id")
    )
    receipts = numbers_take(committee=committee, kind="receipt", count=len(batch))
    journal = numbers_take(committee=committee, kind="journal", count=len(batch))
    entries = JournalEntry.objects.bulk_create(
        [
            JournalEntry(
                committee=committee,
                number=entry_number,
                date=incoming.received_on,
                kind=JournalEntry.Kind.PAYMENT,
                memo=incoming.reference[:300],
                document_type="receipt",
                document_number=str(receipt),
                created_by=by,
                session=session if incoming.method == Payment.Method.CASH else None,
            )
            for incoming, receipt, entry_number in zip(batch, receipts, journal, strict=True)
        ]
    )
    postings, rows, allocations = [], [], []
    for incoming, receipt, entry in zip(batch, receipts, entries, strict=True):
        amount = Decimal(incoming.amount).quantize(CENT)
        money_in = accounts["cash" if incoming.method == Payment.Method.CASH else "bank"]
        postings.append((committee.pk, entry.pk, money_in.pk, amount, ZERO, None))
        postings.append(
            (committee.pk, entry.pk, accounts[RECEIVABLE].pk, ZERO, amount, incoming.connection_id)
        )
        rows.append(
            (
                committee.pk,
                receipt,
                incoming.connection_id,
                holders.get(incoming.connection_id),
                incoming.method,
                incoming.reference[:80],
                amount,
                incoming.received_on,
                entry.session_id,
                entry.pk,
                incoming.client_id[:64],
                token_new(),
                getattr(by, "pk", None),
            )
        )
        shares, _advance = allocation.allocate(amount, dues.get(incoming.connection_id, []))
        taken = dict(shares)
        dues[incoming.connection_id] = [
            allocation.Due(d.key, d.due_on, d.open - taken.get(d.key, ZERO))
            for d in dues.get(incoming.connection_id, [])
            if d.open - taken.get(d.key, ZERO) > 0
        ]
        allocations += [(committee.pk, key, entry.pk, entry.pk, share) for key, share in shares]
    insert_rows(
        Posting, ["committee", "entry", "account", "debit", "credit", "connection"], postings
    )
    insert_rows(
        Payment,
        [
            "committee",
            "number",
            "connection",
            "member",
            "method",
            "reference",
            "amount",
            "received_on",
            "session",
            "entry",
            "client_id",
            "public_token",
            "created_by",
        ],
        rows,
    )
    insert_rows(Allocation, ["committee", "item", "source", "entry", "amount"], allocations)
    return list(receipts)


@transaction.atomic
def payment_reverse(
    *,
    payment: Payment,
    reason: str,
    by,
    session: CashSession | None = None,
    on: date | None = None,
) -> PaymentReversal:
    """Take a payment back with a mirror entry; its allocations are released, so the debts it
    settled are open again. Cash goes back out of an open till: the payment's own session if it
    is still open, else `session`."""
    committee = payment.committee
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the payment is reversed.")})
    connection_lock(committee, payment.connection_id)
    if PaymentReversal.objects.filter(payment=payment).exists():
        raise ValidationError(
            _("Receipt %(number)s was already reversed.") % {"number": payment.number}
        )
    if payment.method == Payment.Method.CASH:
        own = payment.session
        if own is not None and own.status == CashSession.Status.OPEN:
            session = own
        if session is None or session.status != CashSession.Status.OPEN:
            raise ValidationError(
                _("Open a cash session to reverse a cash payment: the money leaves the till.")
            )
        if session.committee_id != committee.pk:
            raise ValidationError(_("This cash session is closed: open a new one."))
    else:
        session = None
    money_in = "cash" if payment.method == Payment.Method.CASH else "bank"
    entry = entry_post(
        committee=committee,
        on=on or timezone.localdate(),
        kind=JournalEntry.Kind.REVERSAL,
        lines=[
            Line(RECEIVABLE, debit=payment.amount, connection_id=payment.connection_id),
            Line(money_in, credit=payment.amount),
        ],
        memo=reason,
        document_type="receipt",
        document_number=str(payment.number),
        by=by,
        session=session,
        reverses=payment.entry,
    )
    released = (
        Allocation.objects.filter(committee=committee, source=payment.entry)
        .values("item_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    Allocation.objects.bulk_create(
        Allocation(
            committee=committee,
            item_id=row["item_id"],
            source=payment.entry,
            entry=entry,
            amount=-row["total"],
        )
        for row in released
        if row["total"]
    )
    reversal = PaymentReversal.objects.create(
        committee=committee, payment=payment, entry=entry, reason=reason[:300], created_by=by
    )
    # The debts the payment settled are open again: credit the household still has (an advance,
    # a credit note) settles them now rather than waiting for the next bill.
    credits_apply(committee=committee, connection_ids={payment.connection_id}, entry=entry)
    return reversal


@transaction.atomic
def session_open(*, committee: Committee, cashier, opening_float=ZERO) -> CashSession:
    """Open the cashier's till; if it is already open, that session is returned."""
    amount = amount_clean(opening_float, "opening_float", positive=False)
    found = CashSession.objects.filter(
        committee=committee, cashier=cashier, status=CashSession.Status.OPEN
    ).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return CashSession.objects.create(
                committee=committee, cashier=cashier, opening_float=amount
            )
    except IntegrityError:  # opened at the same moment from another tab
        return CashSession.objects.get(
            committee=committee, cashier=cashier, status=CashSession.Status.OPEN
        )


@transaction.atomic
def session_close(
    *, session: CashSession, counted, by, note: str = "", on: date | None = None
) -> CashSession:
    """Close the till with the cash counted. A difference is posted to "cash over and short"
    and kept on the session, with the note."""
    committee = session.committee
    counted = amount_clean(counted, "counted", positive=False)
    session = CashSession.objects.select_for_update().get(pk=session.pk)
    if session.status != CashSession.Status.OPEN:
        raise ValidationError(_("This cash session is already closed."))
    expected = session.opening_float + selectors.session_cash(session=session)
    difference = counted - expected
    note = (note or "").strip()
    if difference and not note:
        raise ValidationError(
            {"note": _("The count differs from the receipts: say what happened.")}
        )
    if difference:
        lines = (
            [Line("cash", debit=difference), Line("cash_differences", credit=difference)]
            if difference > 0
            else [Line("cash_differences", debit=-difference), Line("cash", credit=-difference)]
        )
        entry_post(
            committee=committee,
            on=on or timezone.localdate(),
            kind=JournalEntry.Kind.CASH_DIFFERENCE,
            lines=lines,
            memo=note,
            document_type="cash_session",
            document_number=str(session.pk),
            by=by,
            session=session,
        )
    CashSession.objects.filter(pk=session.pk).update(
        status=CashSession.Status.CLOSED,
        closed_at=timezone.now(),
        expected=expected,
        counted=counted,
        note=note[:300],
    )
    session.refresh_from_db()
    return session
