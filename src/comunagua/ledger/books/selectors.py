"""Reads of the books shared by pages, commands, billing and checks: the households' balances,
their open debts and waiting credit, the accounts' balances, a household's account."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from comunagua.lib.money import sum_to_cents
from comunagua.tenancy.models import Committee

from ..models import Account, Allocation, JournalEntry, OpenItem, Posting
from .allocation import Due

ZERO = Decimal("0.00")
RECEIVABLE = "receivable"


def balances(*, committee: Committee, connection_ids=None) -> dict[int, Decimal]:
    """What each household owes (negative: credit in its favour), from the receivable
    postings: one grouped query."""
    rows = Posting.objects.filter(committee=committee, account__role=RECEIVABLE)
    if connection_ids is not None:
        rows = rows.filter(connection_id__in=list(connection_ids))
    result: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for connection_id, debit, credit in (
        rows.values("connection_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .values_list("connection_id", "d", "c")
        .order_by()
    ):
        result[connection_id] = sum_to_cents(debit) - sum_to_cents(credit)
    return result


def balances_due(*, committee: Committee, on: date | None = None) -> dict[int, Decimal]:
    """What each household owes now: its balance less the instalments of a payment plan that
    fall due after `on` (today by default). What a bill shows as the previous balance."""
    on = on or timezone.localdate()
    result = balances(committee=committee)
    later = dict(
        OpenItem.objects.filter(
            committee=committee, document_type="instalment", due_on__gt=on
        ).values_list("pk", "connection_id")
    )
    if later:
        for connection_id, dues in open_dues(
            committee=committee, connection_ids=set(later.values())
        ).items():
            result[connection_id] -= sum((d.open for d in dues if d.key in later), ZERO)
    return result


def balance_of(*, committee: Committee, connection_id: int) -> Decimal:
    return balances(committee=committee, connection_ids=[connection_id]).get(connection_id, ZERO)


def open_dues(*, committee: Committee, connection_ids=None) -> dict[int, list[Due]]:
    """The open items of each household (all of the committee's when `connection_ids` is None)
    with what is left of them, oldest first."""
    items = OpenItem.objects.filter(committee=committee)
    allocations = Allocation.objects.filter(committee=committee)
    if connection_ids is not None:
        items = items.filter(connection_id__in=list(connection_ids))
        allocations = allocations.filter(item__connection_id__in=list(connection_ids))
    items = list(
        items.order_by("due_on", "id").values_list("id", "connection_id", "due_on", "amount")
    )
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for item_id, total in (
        allocations.values("item_id")
        .annotate(total=Sum("amount"))
        .values_list("item_id", "total")
        .order_by()
    ):
        paid[item_id] = sum_to_cents(total)
    result: dict[int, list[Due]] = defaultdict(list)
    for item_id, connection_id, due_on, amount in items:
        left = amount - paid[item_id]
        if left > 0:
            result[connection_id].append(Due(item_id, due_on, left))
    return result


def available_credits(
    *, committee: Committee, connection_ids=None
) -> dict[int, list[tuple[int, Decimal]]]:
    """Money in households' accounts not yet used for a debt: per household, [(source entry
    id, amount)] oldest first. Sources are payments not reversed and credit notes."""
    sources = Posting.objects.filter(
        committee=committee,
        account__role=RECEIVABLE,
        credit__gt=0,
        entry__kind__in=[JournalEntry.Kind.PAYMENT, JournalEntry.Kind.CREDIT_NOTE],
        entry__reversed_by__isnull=True,
    )
    if connection_ids is not None:
        sources = sources.filter(connection_id__in=list(connection_ids))
    rows = list(sources.order_by("entry_id").values_list("entry_id", "connection_id", "credit"))
    if not rows:
        return {}
    used: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for source_id, total in (
        Allocation.objects.filter(committee=committee, source_id__in=[r[0] for r in rows])
        .values("source_id")
        .annotate(total=Sum("amount"))
        .values_list("source_id", "total")
        .order_by()
    ):
        used[source_id] = sum_to_cents(total)
    result: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for source_id, connection_id, credit in rows:
        left = credit - used[source_id]
        if left > 0:
            result[connection_id].append((source_id, left))
    return dict(result)


def account_balance(*, committee: Committee, role: str, until: date | None = None) -> Decimal:
    """Debits minus credits of the account with this role."""
    postings = Posting.objects.filter(committee=committee, account__role=role)
    if until is not None:
        postings = postings.filter(entry__date__lte=until)
    totals = postings.aggregate(d=Sum("debit"), c=Sum("credit"))
    return sum_to_cents(totals["d"]) - sum_to_cents(totals["c"])


def account_balances(*, committee: Committee, until: date | None = None) -> list[tuple]:
    """Every account with its debits, credits and balance (debit minus credit)."""
    postings = Posting.objects.filter(committee=committee)
    if until is not None:
        postings = postings.filter(entry__date__lte=until)
    grouped = postings.values("account_id").annotate(d=Sum("debit"), c=Sum("credit")).order_by()
    totals = {
        row["account_id"]: (sum_to_cents(row["d"]), sum_to_cents(row["c"])) for row in grouped
    }
    return [
        (account, *totals.get(account.pk, (ZERO, ZERO)))
        for account in Account.objects.filter(committee=committee).order_by("code")
    ]


def household_lines(*, committee: Committee, connection_id: int) -> list[dict]:
    """A household's account as a list: every receivable posting, oldest first, with the
    document and the running balance."""
    rows = (
        Posting.objects.filter(
            committee=committee, account__role=RECEIVABLE, connection_id=connection_id
        )
        .select_related("entry")
        .order_by("entry__date", "entry__number")
    )
    # A billing run's entry charges many households: each line names the household's own
    # document (its bill, its fine) when the entry holds exactly one for it.
    own: dict[int, list] = defaultdict(list)
    for entry_id, document_type, number in OpenItem.objects.filter(
        committee=committee, connection_id=connection_id
    ).values_list("entry_id", "document_type", "document_number"):
        own[entry_id].append((document_type, number))
    balance = ZERO
    lines = []
    for posting in rows:
        balance += posting.debit - posting.credit
        documents = own.get(posting.entry_id, [])
        document_type, document_number = (
            documents[0]
            if len(documents) == 1
            else (posting.entry.document_type, posting.entry.document_number)
        )
        lines.append(
            {
                "date": posting.entry.date,
                "kind": posting.entry.kind,
                "entry": posting.entry,
                "document_type": document_type,
                "document_number": document_number,
                "debit": posting.debit,
                "credit": posting.credit,
                "balance": balance,
            }
        )
    return lines
