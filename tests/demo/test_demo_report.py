"""The transparency report of demo months, against totals recomputed independently from the raw
tables: plain `values_list` rows of Account, Posting, Payment, PaymentReversal and OpenItem,
summed here with Decimal, without `ledger.report.selectors` or `ledger.books.selectors`. The
demo's amounts change as it is tuned; the test holds to the equality, to the centavo, not to the
amounts."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from comunagua.demo.committees import MAIN_SLUG, SECOND_SLUG
from comunagua.ledger.models import Account, OpenItem, Payment, PaymentReversal, Posting
from comunagua.ledger.report import selectors as report_selectors
from comunagua.lib.periods import Period
from comunagua.registry.models import Holding
from comunagua.tenancy.models import Committee
from tests.actors import TODAY

# One worker runs all the demo tests (xdist: --dist loadgroup), so the demo loads once a leg.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

ZERO = Decimal("0.00")
MONTHS = (Period(2026, 9), Period(2026, 10), Period(2025, 12))


@dataclass
class Raw:
    committee_id: int
    accounts: dict  # id -> (kind, role, code)
    postings: list  # (account id, date, kind of entry, debit, credit, connection id)
    payments: list  # (amount, received on)
    reversals: list  # (payment's amount, date of the reversal's entry)
    charges: list  # (open item's amount, date and kind of its entry)


@pytest.fixture(scope="module")
def raw(demo, django_db_blocker) -> dict[str, Raw]:
    with django_db_blocker.unblock(), scopes_disabled():
        result = {}
        for slug in (MAIN_SLUG, SECOND_SLUG):
            pk = Committee.objects.get(slug=slug).pk
            result[slug] = Raw(
                pk,
                {
                    a: (kind, role, code)
                    for a, kind, role, code in Account.objects.filter(committee_id=pk).values_list(
                        "pk", "kind", "role", "code"
                    )
                },
                list(
                    Posting.objects.filter(committee_id=pk).values_list(
                        "account_id", "entry__date", "entry__kind", "debit", "credit", "connection"
                    )
                ),
                list(Payment.objects.filter(committee_id=pk).values_list("amount", "received_on")),
                list(
                    PaymentReversal.objects.filter(committee_id=pk).values_list(
                        "payment__amount", "entry__date"
                    )
                ),
                list(
                    OpenItem.objects.filter(committee_id=pk).values_list(
                        "amount", "entry__date", "entry__kind"
                    )
                ),
            )
        return result


def within(day: date, period: Period) -> bool:
    return (day.year, day.month) == (period.year, period.month)


def recompute(raw: Raw, period: Period) -> dict:
    """Every figure of the report, from the rows and the definitions of docs/transparency.md."""
    end = period.last_day
    income: dict[str, Decimal] = defaultdict(Decimal)
    expenses: dict[str, Decimal] = defaultdict(Decimal)
    balance: dict[str, Decimal] = defaultdict(Decimal)  # by role, debit - credit, until the end
    households: dict[int, Decimal] = defaultdict(Decimal)
    for account_id, day, _kind, debit, credit, connection in raw.postings:
        kind, role, code = raw.accounts[account_id]
        if within(day, period):
            if kind == "income":
                income[code] += credit - debit
            elif kind == "expense":
                expenses[code] += debit - credit
        if day <= end:
            balance[role] += debit - credit
            if role == "receivable":
                households[connection] += debit - credit
    income = {code: amount for code, amount in income.items() if amount}
    expenses = {code: amount for code, amount in expenses.items() if amount}
    billed = sum(
        (a for a, day, kind in raw.charges if kind == "charge" and within(day, period)), ZERO
    )
    paid = sum((a for a, day in raw.payments if within(day, period)), ZERO)
    reversed_ = sum((a for a, day in raw.reversals if within(day, period)), ZERO)
    rate = None
    if billed:
        # Percent to one decimal, half up, in whole numbers: tenths of a percent.
        tenths, rest = divmod(int((paid - reversed_) * 100) * 1000, int(billed * 100))
        rate = Decimal(tenths + (1 if 2 * rest >= int(billed * 100) else 0)) / 10
    history = []
    for back in range(11, -1, -1):
        month = period - back
        month_in = month_out = ZERO
        for account_id, day, _kind, debit, credit, _connection in raw.postings:
            if within(day, month):
                kind = raw.accounts[account_id][0]
                if kind == "income":
                    month_in += credit - debit
                elif kind == "expense":
                    month_out += debit - credit
        history.append((month, month_in, month_out))
    owing = [amount for amount in households.values() if amount > 0]
    in_credit = [amount for amount in households.values() if amount < 0]
    return {
        "income": income,
        "expenses": expenses,
        "income_total": sum(income.values(), ZERO),
        "expenses_total": sum(expenses.values(), ZERO),
        "result": sum(income.values(), ZERO) - sum(expenses.values(), ZERO),
        "cash": balance["cash"],
        "bank": balance["bank"],
        "reserves_fund": balance["reserves_fund"],
        "loans_payable": -balance["loans_payable"],
        "owed_by_households": sum(owing, ZERO),
        "households_owing": len(owing),
        "held_for_households": -sum(in_credit, ZERO),
        "households_in_credit": len(in_credit),
        "billed": billed,
        "payments": paid,
        "reversed": reversed_,
        "collected": paid - reversed_,
        "collection_rate": rate,
        "history": history,
    }


def reported(slug: str, period: Period) -> dict:
    with scopes_disabled():
        committee = Committee.objects.get(slug=slug)
    with scope(committee=committee):
        r = report_selectors.monthly_report(committee, period)
    return {
        "income": {line.code: line.amount for line in r.income},
        "expenses": {line.code: line.amount for line in r.expenses},
        "income_total": r.income_total,
        "expenses_total": r.expenses_total,
        "result": r.result,
        "cash": r.cash,
        "bank": r.bank,
        "reserves_fund": r.reserves_fund,
        "loans_payable": r.loans_payable,
        "owed_by_households": r.owed_by_households,
        "households_owing": r.households_owing,
        "held_for_households": r.held_for_households,
        "households_in_credit": r.households_in_credit,
        "billed": r.billed,
        "payments": r.payments,
        "reversed": r.reversed,
        "collected": r.collected,
        "collection_rate": r.collection_rate,
        "history": [(m.period, m.income, m.expenses) for m in r.history],
    }


@pytest.mark.parametrize("slug", [MAIN_SLUG, SECOND_SLUG])
@pytest.mark.parametrize("period", MONTHS, ids=str)
def test_the_report_matches_the_raw_tables_to_the_centavo(raw, slug, period):
    assert period.last_day < TODAY
    expected = recompute(raw[slug], period)
    assert reported(slug, period) == expected


def test_the_main_committees_september_is_a_real_month_of_books(raw):
    """The comparison above means something: the month has bills, payments, spending and debts."""
    figures = recompute(raw[MAIN_SLUG], Period(2026, 9))
    assert figures["income_total"] > 0 and figures["billed"] > 0 and figures["payments"] > 0
    assert figures["households_owing"] > 0 and figures["collection_rate"] is not None
    assert all(month_in > 0 for _month, month_in, _out in figures["history"])


def test_the_socio_reads_septembers_report_and_its_own_household(demo, client, raw):
    with scopes_disabled():
        committee = Committee.objects.get(slug=MAIN_SLUG)
        user = get_user_model().objects.get(username="socio")
        held = set(
            Holding.objects.filter(
                committee=committee, member__user=user, ended_on__isnull=True
            ).values_list("connection_id", flat=True)
        )
    client.force_login(user)
    expected = recompute(raw[MAIN_SLUG], Period(2026, 9))
    page = client.get(reverse("report-month", kwargs={"committee": MAIN_SLUG, "period": "2026-09"}))
    assert page.status_code == 200
    html = page.content.decode()
    for element, key in (("income-total", "income_total"), ("owed", "owed_by_households")):
        assert f'id="{element}" data-value="{expected[key]}"' in html
    account = client.get(reverse("report-my-account", kwargs={"committee": MAIN_SLUG}))
    assert account.status_code == 200
    assert held and all(f'id="household-{pk}"' in account.content.decode() for pk in held)
