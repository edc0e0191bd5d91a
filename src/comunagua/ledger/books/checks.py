"""Do the books hold together? `verify(committee)` lists every problem it finds, each naming where
(entry, household, receipt, session), so that a treasurer or an auditor can look there:

- every journal entry balances, and every posting is one positive side;
- journal and receipt numbers run without gaps;
- only the receivable account names households, and always does;
- each household's balance equals its open debts less its unused credit, and so the receivable
  account equals the sum of the households' balances;
- no debt is settled beyond its amount, no credit used beyond its amount;
- every payment's entry says what the receipt says;
- the cash of every closed session equals what was counted.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Sum
from django.utils.translation import gettext as _

from comunagua.lib.money import sum_to_cents
from comunagua.registry.models import Connection
from comunagua.tenancy.models import Committee, NumberSequence

from ..models import Allocation, CashSession, JournalEntry, OpenItem, Payment, Posting
from . import selectors

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


def _gaps(numbers: list[int], last: int) -> list[int]:
    seen = set(numbers)
    return [n for n in range(1, last + 1) if n not in seen]


def verify(committee: Committee) -> list[Problem]:
    problems: list[Problem] = []

    def add(code: str, message: str) -> None:
        problems.append(Problem(code, message))

    # Every entry balances.
    for number, debit, credit in (
        Posting.objects.filter(committee=committee)
        .values("entry__number")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .values_list("entry__number", "d", "c")
        .order_by("entry__number")
    ):
        if sum_to_cents(debit) != sum_to_cents(credit):
            add(
                "unbalanced",
                _("Entry %(number)s does not balance: debits %(d)s, credits %(c)s.")
                % {"number": number, "d": sum_to_cents(debit), "c": sum_to_cents(credit)},
            )
    for number in (
        JournalEntry.objects.filter(committee=committee)
        .annotate(n=Count("postings"))
        .filter(n__lt=2)
        .values_list("number", flat=True)
    ):
        add("empty_entry", _("Entry %(number)s has fewer than two postings.") % {"number": number})
    for number, debit, credit in Posting.objects.filter(committee=committee).values_list(
        "entry__number", "debit", "credit"
    ):
        if debit < 0 or credit < 0 or (debit > 0) == (credit > 0):
            add(
                "bad_posting",
                _("Entry %(number)s has a posting that is not one positive side.")
                % {"number": number},
            )

    # Numbers without gaps.
    for kind, model, label in (
        ("journal", JournalEntry, _("journal entries")),
        ("receipt", Payment, _("receipts")),
    ):
        numbers = list(model.objects.filter(committee=committee).values_list("number", flat=True))
        last = (
            NumberSequence.objects.filter(committee=committee, kind=kind)
            .values_list("last", flat=True)
            .first()
        ) or 0
        last = max(last, max(numbers, default=0))
        missing = _gaps(numbers, last)
        if missing or len(numbers) != len(set(numbers)):
            add(
                "gap",
                _("The %(what)s are not numbered 1 to %(last)s without gaps; missing: %(missing)s.")
                % {
                    "what": label,
                    "last": last,
                    "missing": ", ".join(map(str, missing[:20])) or "—",
                },
            )

    # Households only on the receivable account.
    stray = Posting.objects.filter(committee=committee).exclude(account__role="receivable")
    for number in stray.filter(connection__isnull=False).values_list("entry__number", flat=True):
        add(
            "stray_household",
            _("Entry %(number)s names a household on an account other than receivables.")
            % {"number": number},
        )
    for number in Posting.objects.filter(
        committee=committee, account__role="receivable", connection__isnull=True
    ).values_list("entry__number", flat=True):
        add(
            "receivable_without_household",
            _("Entry %(number)s posts to receivables without naming the household.")
            % {"number": number},
        )

    # Each household: balance = open debts - unused credit.
    balances = selectors.balances(committee=committee)
    owed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for connection_id, dues in selectors.open_dues(committee=committee).items():
        owed[connection_id] = sum((d.open for d in dues), ZERO)
    credit: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for connection_id, sources in selectors.available_credits(committee=committee).items():
        credit[connection_id] = sum((amount for _source, amount in sources), ZERO)
    numbers = dict(Connection.objects.filter(committee=committee).values_list("id", "number"))
    for connection_id in sorted(set(balances) | set(owed) | set(credit), key=str):
        expected = owed[connection_id] - credit[connection_id]
        if balances.get(connection_id, ZERO) != expected:
            add(
                "household",
                _(
                    "Connection %(number)s: its account says %(balance)s but its open debts "
                    "less its credit come to %(expected)s."
                )
                % {
                    "number": numbers.get(connection_id, connection_id),
                    "balance": balances.get(connection_id, ZERO),
                    "expected": expected,
                },
            )
    for account, debit, credit_total in selectors.account_balances(committee=committee):
        if account.role == "receivable":
            households = sum(balances.values(), ZERO)
            if debit - credit_total != households:
                add(
                    "receivables",
                    _(
                        "The receivable account is %(account)s but the households' balances "
                        "add up to %(households)s."
                    )
                    % {"account": debit - credit_total, "households": households},
                )

    # Allocations within bounds.
    allocated = dict(
        Allocation.objects.filter(committee=committee)
        .values("item_id")
        .annotate(t=Sum("amount"))
        .values_list("item_id", "t")
        .order_by()
    )
    for item in OpenItem.objects.filter(committee=committee, pk__in=list(allocated)):
        total = sum_to_cents(allocated[item.pk])
        if total < 0 or total > item.amount:
            add(
                "over_allocated",
                _("Debt %(document)s %(number)s is settled by %(total)s out of %(amount)s.")
                % {
                    "document": item.document_type,
                    "number": item.document_number,
                    "total": total,
                    "amount": item.amount,
                },
            )

    # Payments agree with their entries: two queries for all of them.
    posted: dict[int, list] = defaultdict(list)
    for entry_id, connection_id, credit in Posting.objects.filter(
        committee=committee, account__role="receivable", entry__kind=JournalEntry.Kind.PAYMENT
    ).values_list("entry_id", "connection_id", "credit"):
        posted[entry_id].append((connection_id, credit))
    for number, entry_id, entry_number, connection_id, amount in Payment.objects.filter(
        committee=committee
    ).values_list("number", "entry_id", "entry__number", "connection_id", "amount"):
        if posted.get(entry_id) != [(connection_id, amount)]:
            add(
                "payment",
                _("Receipt %(number)s does not match its journal entry %(entry)s.")
                % {"number": number, "entry": entry_number},
            )

    # Closed sessions: counted = opening + cash recorded, one grouped query.
    cash_by_session = {
        session_id: sum_to_cents(d) - sum_to_cents(c)
        for session_id, d, c in Posting.objects.filter(
            committee=committee, account__role="cash", entry__session__isnull=False
        )
        .values("entry__session_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .values_list("entry__session_id", "d", "c")
        .order_by()
    }
    for session in CashSession.objects.filter(
        committee=committee, status=CashSession.Status.CLOSED
    ):
        cash = cash_by_session.get(session.pk, ZERO)
        if session.counted is None or session.counted != session.opening_float + cash:
            add(
                "cash",
                _(
                    "Cash session %(id)s counted %(counted)s but opened with %(float)s and "
                    "recorded %(cash)s."
                )
                % {
                    "id": session.pk,
                    "counted": session.counted,
                    "float": session.opening_float,
                    "cash": cash,
                },
            )
    return problems


def summary(committee: Committee) -> dict:
    """What was checked, for the command's "OK" line."""
    return {
        "entries": JournalEntry.objects.filter(committee=committee).count(),
        "postings": Posting.objects.filter(committee=committee).count(),
        "receipts": Payment.objects.filter(committee=committee).count(),
        "households": Posting.objects.filter(committee=committee, account__role="receivable")
        .values("connection_id")
        .distinct()
        .count(),
        "last_entry": JournalEntry.objects.filter(committee=committee).aggregate(m=Max("number"))[
            "m"
        ],
    }
