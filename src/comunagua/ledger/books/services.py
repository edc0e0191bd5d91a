"""Every write to the books. Keyword-only, one transaction each, append-only.

- `entry_post`: a balanced journal entry, numbered without gaps.
- `charges_post`: what households owe (a billing run's bills, a fine, a fee) as one entry with a
  receivable posting and an open item per charge; advances waiting in a household's account are
  used at once.
- `payment_take`: a receipt: cash to the till of an open session, a transfer or a QR payment to
  the bank; allocated to the oldest debts first unless the cashier names them; the rest is an
  advance. Sent twice with the same `client_id`, recorded once.
- `payment_reverse`: a reversal entry that mirrors the payment and releases its allocations.
- `credit_post`: a credit note's entry, settling the debt it corrects first.
- `session_open` / `session_close`: a cashier's till, and the count at closing (a difference is
  posted, never hidden).

Concurrency: every write that touches a household's account locks its connection row first, so
two cashiers paying the same debt at the same moment queue, and the second sees the first.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from comunagua.lib.bulk import insert_rows
from comunagua.lib.money import CENT, MoneyError, as_decimal
from comunagua.registry.models import Connection, Holding
from comunagua.tenancy.models import Committee
from comunagua.tenancy.services import numbers_take

from . import allocation, selectors
from .chart import DEFAULT_CHART
from .models import (
    Account,
    Allocation,
    CashSession,
    Expense,
    JournalEntry,
    OpenItem,
    Payment,
    PaymentReversal,
    Posting,
    _public_token,
)

ZERO = Decimal("0.00")
LIMIT = Decimal("1e9")  # no household pays, and no committee spends, that much at once
RECEIVABLE = "receivable"


def chart_install(*, committee: Committee) -> int:
    """Give the committee the default chart's accounts it lacks (by role). Returns how many
    were created; running it again creates none."""
    have = set(Account.objects.filter(committee=committee).values_list("role", flat=True))
    codes = set(Account.objects.filter(committee=committee).values_list("code", flat=True))
    created = 0
    for role, code, kind, name in DEFAULT_CHART:
        if role in have:
            continue
        while code in codes:  # the board used the code for its own account: take the next
            code = str(int(code) + 1)
        Account.objects.create(committee=committee, role=role, code=code, kind=kind, name=name)
        codes.add(code)
        created += 1
    return created


def accounts_by_role(committee: Committee) -> dict[str, Account]:
    accounts = {a.role: a for a in Account.objects.filter(committee=committee).exclude(role="")}
    if len(accounts) < len(DEFAULT_CHART):
        chart_install(committee=committee)
        accounts = {a.role: a for a in Account.objects.filter(committee=committee).exclude(role="")}
    return accounts


# --- entries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One posting to write: to an account by `role` (or `account`), one side positive."""

    role: str = ""
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    connection_id: int | None = None
    account: Account | None = None


def _money(value, field_name: str, *, positive: bool = True) -> Decimal:
    try:
        amount = as_decimal(value)
    except MoneyError:
        message = _("Write the amount as a number, e.g. 12.50.")
        raise ValidationError({field_name: message}) from None
    if positive and amount <= 0:
        raise ValidationError({field_name: _("The amount must be greater than zero.")})
    if amount < 0:
        raise ValidationError({field_name: _("The amount cannot be negative.")})
    # Size first: quantize raises on a number too long for its precision (1e30).
    if amount >= LIMIT:
        raise ValidationError({field_name: _("That amount is too large.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({field_name: _("At most two decimal places (centavos).")})
    return amount.quantize(CENT)


def entry_post(
    *,
    committee: Committee,
    on: date,
    kind: str,
    lines: Sequence[Line],
    memo: str = "",
    document_type: str = "",
    document_number: str = "",
    by=None,
    session: CashSession | None = None,
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Post a balanced entry. Refuses one that does not balance, a line with both sides or
    neither, a receivable line without its household, or an account of another committee."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("entry_post must run inside the transaction of the document it posts")
    accounts = accounts_by_role(committee)
    rows = []  # (account id, debit, credit, connection id): plain tuples, thousands at a time
    debits = credits = ZERO
    for line in lines:
        account = line.account or accounts.get(line.role)
        if account is None or account.committee_id != committee.pk:
            raise ValidationError(_("There is no such account in this committee's chart."))
        debit, credit = as_decimal(line.debit), as_decimal(line.credit)
        if debit < 0 or credit < 0 or (debit > 0) == (credit > 0):
            raise ValidationError(_("Each line is either a debit or a credit, greater than zero."))
        if debit != debit.quantize(CENT) or credit != credit.quantize(CENT):
            raise ValidationError(_("At most two decimal places (centavos)."))
        if (account.role == RECEIVABLE) != (line.connection_id is not None):
            raise ValidationError(_("Only the households' receivable account names a household."))
        debits += debit
        credits += credit
        rows.append((account.pk, debit, credit, line.connection_id))
    if not rows or debits != credits:
        raise ValidationError(
            _("The entry does not balance: debits %(debits)s, credits %(credits)s.")
            % {"debits": debits, "credits": credits}
        )
    return _entry_write(
        committee=committee,
        on=on,
        kind=kind,
        rows=rows,
        memo=memo,
        document_type=document_type,
        document_number=document_number,
        by=by,
        session=session,
        reverses=reverses,
    )


def _entry_write(*, committee: Committee, on: date, kind: str, rows: list[tuple], **fields):
    """Number the entry and write it with its postings (rows already checked to balance)."""
    (number,) = numbers_take(committee=committee, kind="journal", count=1)
    entry = JournalEntry.objects.create(
        committee=committee,
        number=number,
        date=on,
        kind=kind,
        memo=fields.get("memo", "")[:300],
        document_type=fields.get("document_type", ""),
        document_number=str(fields.get("document_number", "")),
        created_by=fields.get("by"),
        session=fields.get("session"),
        reverses=fields.get("reverses"),
    )
    committee_id, entry_id = committee.pk, entry.pk
    insert_rows(
        Posting,
        ["committee", "entry", "account", "debit", "credit", "connection"],
        ((committee_id, entry_id, *row) for row in rows),
    )
    return entry


# --- charges ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Charge:
    """What one household owes for one document: its lines as (role, amount); a line may be
    negative (a rounding down) as long as the charge's total is not."""

    connection_id: int
    document_type: str
    document_number: str
    due_on: date
    lines: tuple[tuple[str, Decimal], ...]
    description: str = ""
    period: date | None = None

    @property
    def total(self) -> Decimal:
        return sum((amount for _role, amount in self.lines), ZERO)


def charges_post(
    *,
    committee: Committee,
    on: date,
    charges: Iterable[Charge],
    memo: str = "",
    document_type: str = "",
    document_number: str = "",
    by=None,
) -> JournalEntry | None:
    """One entry for many charges (a billing run's bills): a receivable debit and an open item
    per charge, the income credited per account. Charges of zero leave no item. Advances waiting
    in the households' accounts settle the new items at once."""
    charges = [(c, c.total) for c in charges]
    charges = [(c, total) for c, total in charges if total != 0]
    if not charges:
        return None
    accounts = accounts_by_role(committee)
    receivable = accounts[RECEIVABLE].pk
    by_role: dict[str, Decimal] = defaultdict(lambda: ZERO)
    rows = []
    debits = ZERO
    for charge, total in charges:
        if total < 0:
            raise ValidationError(_("A charge cannot be negative: issue a credit note instead."))
        rows.append((receivable, total, ZERO, charge.connection_id))
        debits += total
        for role, amount in charge.lines:
            by_role[role] += amount
    credits = ZERO
    for role, amount in sorted(by_role.items()):
        account = accounts.get(role)
        if account is None or role == RECEIVABLE:
            raise ValidationError(_("There is no such account in this committee's chart."))
        if amount > 0:
            rows.append((account.pk, ZERO, amount, None))
            credits += amount
        elif amount < 0:
            rows.append((account.pk, -amount, ZERO, None))
            debits -= amount
    if debits != credits:
        raise ValidationError(
            _("The entry does not balance: debits %(debits)s, credits %(credits)s.")
            % {"debits": debits, "credits": credits}
        )
    entry = _entry_write(
        committee=committee,
        on=on,
        kind=JournalEntry.Kind.CHARGE,
        rows=rows,
        memo=memo,
        document_type=document_type,
        document_number=document_number,
        by=by,
    )
    # Straight into the table (COPY on PostgreSQL): a billing run posts thousands at once.
    insert_rows(
        OpenItem,
        [
            "committee",
            "connection",
            "document_type",
            "document_number",
            "description",
            "period",
            "due_on",
            "amount",
            "entry",
        ],
        (
            (
                committee.pk,
                c.connection_id,
                c.document_type,
                str(c.document_number),
                c.description[:200],
                c.period,
                c.due_on,
                total,
                entry.pk,
            )
            for c, total in charges
        ),
    )
    credits_apply(
        committee=committee, connection_ids={c.connection_id for c, _t in charges}, entry=entry
    )
    return entry


def credits_apply(*, committee: Committee, connection_ids: set[int], entry: JournalEntry) -> None:
    """Settle the households' open items with the credit waiting in their accounts (advances,
    credit notes beyond their bill), oldest item and oldest credit first."""
    if len(connection_ids) > 500:
        # A billing run: read the committee's credit once rather than name every household in
        # the query (SQLite refuses more than 32 766 parameters; PostgreSQL parses them slowly).
        credit = {
            connection_id: sources
            for connection_id, sources in selectors.available_credits(committee=committee).items()
            if connection_id in connection_ids
        }
    else:
        credit = selectors.available_credits(committee=committee, connection_ids=connection_ids)
    if not credit:
        return
    dues = selectors.open_dues(committee=committee, connection_ids=set(credit))
    made = []
    for connection_id, sources in credit.items():
        remaining = [allocation.Due(d.key, d.due_on, d.open) for d in dues.get(connection_id, [])]
        for source_id, amount in sources:
            shares, _left = allocation.allocate(amount, remaining)
            for item_id, share in shares:
                made.append(
                    Allocation(
                        committee=committee,
                        item_id=item_id,
                        source_id=source_id,
                        entry=entry,
                        amount=share,
                    )
                )
            taken = dict(shares)
            remaining = [
                allocation.Due(d.key, d.due_on, d.open - taken.get(d.key, ZERO))
                for d in remaining
                if d.open - taken.get(d.key, ZERO) > 0
            ]
    Allocation.objects.bulk_create(made, batch_size=2000)


# --- payments --------------------------------------------------------------------------------


def _lock(committee: Committee, connection_id: int) -> Connection:
    """Serialise every write to one household's account."""
    try:
        return Connection.objects.select_for_update().get(committee=committee, pk=connection_id)
    except Connection.DoesNotExist:
        raise ValidationError(_("There is no such connection in this committee.")) from None


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
    amount = _money(amount, "amount")
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
    connection = _lock(committee, connection_id)
    if client_id:  # a replay that waited on the lock behind its twin
        found = _replayed(committee, client_id, connection_id, amount)
        if found is not None:
            return found
    if expected_balance is not None:
        now = selectors.balance_of(committee=committee, connection_id=connection.pk)
        if now != expected_balance:
            raise ValidationError(
                _(
                    "The account changed while you were working: it now owes %(now)s, not "
                    "%(then)s. Check the latest receipts before taking this payment."
                )
                % {"now": now, "then": expected_balance}
            )
    dues = selectors.open_dues(committee=committee, connection_ids={connection.pk}).get(
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
            _money(incoming.amount, "amount")
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
    dues = selectors.open_dues(committee=committee, connection_ids=ids)
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
                _public_token(),
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
    _lock(committee, payment.connection_id)
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


def credit_post(
    *,
    committee: Committee,
    connection_id: int,
    amount: Decimal,
    on: date,
    document_number: str,
    against: tuple[str, str],
    memo: str = "",
    by=None,
) -> JournalEntry:
    """A credit note's entry: less income, less receivable. It settles the document it corrects
    (`against` = (type, number)) first, then the household's oldest debts; the rest is credit."""
    _lock(committee, connection_id)
    entry = entry_post(
        committee=committee,
        on=on,
        kind=JournalEntry.Kind.CREDIT_NOTE,
        lines=[
            Line("credit_notes", debit=amount),
            Line(RECEIVABLE, credit=amount, connection_id=connection_id),
        ],
        memo=memo,
        document_type="credit_note",
        document_number=str(document_number),
        by=by,
    )
    dues = selectors.open_dues(committee=committee, connection_ids={connection_id}).get(
        connection_id, []
    )
    target = OpenItem.objects.filter(
        committee=committee, document_type=against[0], document_number=str(against[1])
    ).values_list("pk", flat=True)
    chosen = [pk for pk in target if any(d.key == pk for d in dues)]
    shares, _left = allocation.allocate(amount, dues, chosen=chosen)
    Allocation.objects.bulk_create(
        Allocation(committee=committee, item_id=key, source=entry, entry=entry, amount=share)
        for key, share in shares
    )
    return entry


# --- the chart -------------------------------------------------------------------------------


@transaction.atomic
def account_save(
    *,
    committee: Committee,
    code: str,
    name: str,
    kind: str,
    is_active: bool = True,
    account: Account | None = None,
) -> Account:
    """Add an account to the chart, or rename one. The accounts the services post to (those with
    a role) keep their kind and stay active; an account with postings keeps its kind."""
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not code.replace(".", "").isalnum():
        raise ValidationError({"code": _("Write a code of letters and digits, e.g. 5107.")})
    if not name:
        raise ValidationError({"name": _("Give the account a name.")})
    if kind not in Account.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of account.")})
    taken = Account.objects.filter(committee=committee, code=code)
    if account is not None:
        if account.committee_id != committee.pk:
            raise ValidationError(_("There is no such account in this committee's chart."))
        taken = taken.exclude(pk=account.pk)
        used = Posting.objects.filter(account=account).exists()
        if kind != account.kind and (account.role or used):
            raise ValidationError(
                {"kind": _("This account is used by the books: its kind cannot change.")}
            )
        if not is_active and account.role:
            raise ValidationError(
                {"is_active": _("The books post to this account: it cannot be switched off.")}
            )
    if taken.exists():
        raise ValidationError({"code": _("Another account already has this code.")})
    account = account or Account(committee=committee)
    account.code, account.name, account.kind, account.is_active = code, name, kind, is_active
    account.save()
    return account


# --- expenses and manual entries -------------------------------------------------------------


@transaction.atomic
def expense_record(
    *,
    committee: Committee,
    account: Account,
    amount,
    on: date,
    supplier: str,
    paid_from: str,
    by,
    document_number: str = "",
    description: str = "",
    attachment: str = "",
    client_id: str = "",
) -> Expense:
    """Record money spent: debit the expense account, credit the till or the bank. With a
    `client_id`, the same expense sent twice is recorded once."""
    amount = _money(amount, "amount")
    client_id = (client_id or "").strip()[:64]
    if client_id:
        found = Expense.objects.filter(committee=committee, client_id=client_id).first()
        if found is not None:
            if found.amount != amount or found.account_id != account.pk:
                raise ValidationError(_("This request id was already used for another expense."))
            return found
    if account.committee_id != committee.pk or account.kind != Account.Kind.EXPENSE:
        raise ValidationError({"account": _("Choose one of the committee's expense accounts.")})
    supplier = (supplier or "").strip()
    if not supplier:
        raise ValidationError({"supplier": _("Say who was paid.")})
    if paid_from not in Expense.PaidFrom.values:
        raise ValidationError(
            {"paid_from": _("Say whether it was paid from the till or the bank.")}
        )
    entry = entry_post(
        committee=committee,
        on=on,
        kind=JournalEntry.Kind.EXPENSE,
        lines=[Line(account=account, debit=amount), Line(paid_from, credit=amount)],
        memo=f"{supplier} {document_number}".strip(),
        document_type="expense",
        document_number=document_number,
        by=by,
    )
    return Expense.objects.create(
        committee=committee,
        date=on,
        account=account,
        supplier=supplier[:120],
        document_number=document_number[:40],
        description=description[:200],
        amount=amount,
        paid_from=paid_from,
        attachment=attachment[:200],
        entry=entry,
        client_id=client_id,
        created_by=by,
    )


@transaction.atomic
def manual_entry(
    *,
    committee: Committee,
    on: date,
    lines: Sequence[tuple[Account, Decimal, Decimal]],
    memo: str,
    by,
    document_number: str = "",
) -> JournalEntry:
    """An entry the board writes by hand (a loan received or repaid, a deposit of the till's
    cash in the bank, the opening balances): (account, debit, credit) lines that balance.
    Household accounts are not written by hand: they move only through bills and receipts."""
    memo = (memo or "").strip()
    if not memo:
        raise ValidationError({"memo": _("Say what the entry records.")})
    written = []
    for account, debit, credit in lines:
        if account.role == RECEIVABLE:
            raise ValidationError(
                _("Household accounts move only through bills, receipts and credit notes.")
            )
        written.append(
            Line(
                account=account,
                debit=_money(debit, "debit", positive=False),
                credit=_money(credit, "credit", positive=False),
            )
        )
    return entry_post(
        committee=committee,
        on=on,
        kind=JournalEntry.Kind.MANUAL,
        lines=written,
        memo=memo,
        document_type="manual",
        document_number=document_number,
        by=by,
    )


# --- cash sessions ---------------------------------------------------------------------------


@transaction.atomic
def session_open(*, committee: Committee, cashier, opening_float=ZERO) -> CashSession:
    """Open the cashier's till; if it is already open, that session is returned."""
    amount = _money(opening_float, "opening_float", positive=False)
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
    counted = _money(counted, "counted", positive=False)
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
