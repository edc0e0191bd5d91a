"""Reads of the cash desk: the till's session and what it moved, and the households the search
box finds."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, Sum, prefetch_related_objects

from comunagua.lib.money import sum_to_cents
from comunagua.lib.text import search_text
from comunagua.registry.models import Connection, Holding
from comunagua.tenancy.models import Committee

from ..books import selectors as books
from ..models import Account, CashSession, JournalEntry, Payment, Posting

ZERO = Decimal("0.00")


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


def search_households(*, committee: Committee, text: str, limit: int = 20):
    """Connections whose number, holder's name or ID document matches: the cash desk's box."""
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
    owed = books.balances(committee=committee, connection_ids=[c.pk for c in connections])
    return [
        {
            "connection": c,
            "holders": [h.member for h in c.current_holdings],
            "balance": owed.get(c.pk, ZERO),
        }
        for c in connections
    ]
