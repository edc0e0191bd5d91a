"""Every write to the books' journal and its households' accounts. Keyword-only, append-only;
the documents' own services (the cash desk's, billing's, arrears') post through these.

- `chart_install` / `account_save`: the chart of accounts (the default one, the board's own).
- `entry_post`: a balanced journal entry, numbered without gaps.
- `charges_post`: what households owe (a billing run's bills, a fine, a fee) as one entry with a
  receivable posting and an open item per charge; advances waiting in a household's account are
  used at once (`credits_apply`).
- `credit_post`: a credit note's entry, settling the debt it corrects first.
- `expense_record`, `manual_entry_post`: money spent; an entry the board writes by hand.

Concurrency: every write that touches a household's account locks its connection row first
(`connection_lock`), so two writers on the same debt queue, and the second sees the first.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from comunagua.lib.money import CENT, as_decimal
from comunagua.registry.models import Connection
from comunagua.tenancy.models import Committee
from comunagua.tenancy.services import numbers_take
from comunagua.web.bulk import insert_rows

from ..models import Account, Allocation, CashSession, Expense, JournalEntry, OpenItem, Posting
from . import allocation, selectors
from .amounts import amount_clean
from .chart import DEFAULT_CHART

ZERO = Decimal("0.00")
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


@dataclass(frozen=True)
class Line:
    """One posting to write: to an account by `role` (or `account`), one side positive."""

    role: str = ""
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    connection_id: int | None = None
    account: Account | None = None


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


def connection_lock(committee: Committee, connection_id: int) -> Connection:
    """Serialise every write to one household's account."""
    try:
        return Connection.objects.select_for_update().get(committee=committee, pk=connection_id)
    except Connection.DoesNotExist:
        raise ValidationError(_("There is no such connection in this committee.")) from None


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
    connection_lock(committee, connection_id)
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
    amount = amount_clean(amount, "amount")
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
def manual_entry_post(
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
                debit=amount_clean(debit, "debit", positive=False),
                credit=amount_clean(credit, "credit", positive=False),
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
