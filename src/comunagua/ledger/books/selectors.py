"""Reads of the books shared by pages, commands, billing and checks."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, Sum, prefetch_related_objects

from comunagua.lib.money import sum_to_cents
from comunagua.lib.text import search_text
from comunagua.tenancy.models import Committee

from .allocation import Due
from .models import Account, Allocation, CashSession, JournalEntry, OpenItem, Payment, Posting

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
    from django.utils import timezone

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


def session_cash(*, session: CashSession) -> Decimal:
    """The cash the session's entries moved through the till (payments in, reversals out,
    differences)."""
    # Two index lookups (the session's entries, then their cash postings) rather than one join:
    # its plan does not depend on the table statistics, which a long transaction leaves stale.
    entries = list(JournalEntry.objects.filter(session=session).values_list("pk", flat=True))
    cash = Account.objects.filter(committee_id=session.committee_id, role="cash").first()
    if not entries or cash is None:
        return ZERO
    totals = Posting.objects.filter(entry_id__in=entries, account=cash).aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    return sum_to_cents(totals["d"]) - sum_to_cents(totals["c"])


def open_session(*, committee: Committee, cashier) -> CashSession | None:
    return CashSession.objects.filter(
        committee=committee, cashier=cashier, status=CashSession.Status.OPEN
    ).first()


@dataclass(frozen=True)
class SessionSummary:
    count: int
    by_method: dict[str, Decimal]
    reversed_cash: Decimal
    cash: Decimal  # net cash into the till


def session_summary(*, session: CashSession) -> SessionSummary:
    by_method: dict[str, Decimal] = defaultdict(lambda: ZERO)
    count = 0
    for method, amount in Payment.objects.filter(session=session).values_list("method", "amount"):
        by_method[method] += amount
        count += 1
    reversed_cash = sum_to_cents(
        Posting.objects.filter(
            entry__session=session, entry__kind=JournalEntry.Kind.REVERSAL, account__role="cash"
        ).aggregate(c=Sum("credit"))["c"]
    )
    return SessionSummary(count, dict(by_method), reversed_cash, session_cash(session=session))


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


def search_households(*, committee: Committee, text: str, limit: int = 20):
    """Connections whose number, holder's name or ID document matches: the cash desk's box."""
    from comunagua.registry.models import Connection

    text = search_text(text)  # a NUL would be an error on PostgreSQL
    if not text:
        return Connection.objects.none()
    words = text.split()
    query = Q(number__iexact=text) | Q(number__istartswith=text)
    by_person = Q()
    for word in words:
        by_person &= (
            Q(holdings__member__first_names__icontains=word)
            | Q(holdings__member__last_names__icontains=word)
            | Q(holdings__member__id_document__iexact=word)
        )
    return (
        Connection.objects.filter(committee=committee)
        .filter(query | (by_person & Q(holdings__ended_on__isnull=True)))
        .distinct()
        .order_by("number")[:limit]
    )


def household_matches(*, committee: Committee, text: str) -> list[dict]:
    """What the search box shows of each household it finds (the cash desk's, the bank line's):
    the connection with its lot, its current holders and its balance. Three queries, whatever the
    number of households; none for an empty box."""
    from comunagua.registry.models import Holding

    connections = list(search_households(committee=committee, text=text).select_related("lot"))
    if not connections:
        return []
    prefetch_related_objects(
        connections,
        Prefetch(
            "holdings",
            queryset=Holding.objects.filter(ended_on__isnull=True).select_related("member"),
            to_attr="current_holdings",
        ),
    )
    owed = balances(committee=committee, connection_ids=[c.pk for c in connections])
    return [
        {
            "connection": c,
            "holders": [h.member for h in c.current_holdings],
            "balance": owed.get(c.pk, ZERO),
        }
        for c in connections
    ]
