"""The demo's books: they hold together (`check-ledger`), and what they hold looks like a real
committee's two years: most households pay on time, about one in ten falls behind, the cash desk
closes every session with a count, the committee pays its electricity, chlorine, repairs,
allowances and laboratory, repays its loan and sets money aside; and every household's account is
what an independent recomputation (tests/demo/recompute.py) makes of its bills and payments."""

import io
import re
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django_scopes import scopes_disabled

from comunagua.billing.models import Bill, BillingRun
from comunagua.demo import ledger as demo_ledger
from comunagua.demo.committees import MAIN_SLUG, SECOND_SLUG
from comunagua.ledger.models import (
    CashSession,
    Expense,
    JournalEntry,
    Payment,
    PaymentReversal,
    Posting,
)
from comunagua.tenancy.models import Committee
from tests.actors import TODAY
from tests.demo import recompute

# One worker runs all the demo tests (xdist: --dist loadgroup), so the demo loads once a leg.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

SLUGS = (MAIN_SLUG, SECOND_SLUG)
ZERO = Decimal("0.00")


def committee(slug: str) -> Committee:
    return Committee.objects.get(slug=slug)


def month(day: date) -> tuple[int, int]:
    return (day.year, day.month)


def running(slug: str, role: str) -> list[tuple[date, Decimal]]:
    """The balance (debits - credits) of the account with this role at the end of every day
    something moved it."""
    moves: dict[date, Decimal] = defaultdict(Decimal)
    for day, debit, credit in Posting.objects.filter(
        committee__slug=slug, account__role=role
    ).values_list("entry__date", "debit", "credit"):
        moves[day] += debit - credit
    balance, found = ZERO, []
    for day in sorted(moves):
        balance += moves[day]
        found.append((day, balance))
    return found


@pytest.fixture(scope="module")
def recomputed(demo, django_db_blocker) -> dict[str, tuple]:
    """Each committee's raw rows and its recomputed bills, read once for the module."""
    found = {}
    with django_db_blocker.unblock(), scopes_disabled():
        for slug in SLUGS:
            rows = recompute.load(committee(slug).pk)
            found[slug] = (rows, recompute.expected_bills(rows))
    return found


@pytest.fixture
def books(demo):
    with scopes_disabled():
        yield


# --- the books hold together ---------------------------------------------------------------------


def test_the_books_of_both_demo_committees_hold_together(books):
    for slug in SLUGS:
        out = io.StringIO()
        call_command("check_ledger", "--committee", slug, stdout=out)
        assert slug in out.getvalue()


def test_a_posting_changed_behind_the_books_back_fails_the_check_and_names_its_entry(books):
    # The smaller committee: checking its books is quick. The change is rolled back at once.
    posting = (
        Posting.objects.filter(
            committee__slug=SECOND_SLUG, account__role="water_sales", entry__kind="charge"
        )
        .select_related("entry")
        .order_by("id")[5]
    )
    table = connection.ops.quote_name(Posting._meta.db_table)

    class Undo(Exception):
        pass

    err = io.StringIO()
    with pytest.raises(Undo), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET credit = credit + 1 WHERE id = %s",
                [posting.pk],
            )
        with pytest.raises(CommandError):
            call_command(
                "check_ledger", "--committee", SECOND_SLUG, stdout=io.StringIO(), stderr=err
            )
        raise Undo
    problems = err.getvalue().splitlines()
    assert len(problems) == 1, problems
    assert problems[0].startswith("[unbalanced]")
    where = problems[0].split(":")[0]  # "[unbalanced] Entry 12 does not balance"
    assert re.search(rf"\b{posting.entry.number}\b", where), problems[0]
    # The demo is left as it was.
    assert Posting.objects.get(pk=posting.pk).credit == posting.credit


def test_the_trial_balance_holds_debits_equal_credits_over_every_posting(books):
    for slug in SLUGS:
        debits = credits = ZERO
        for debit, credit in Posting.objects.filter(committee__slug=slug).values_list(
            "debit", "credit"
        ):
            debits += debit
            credits += credit
        assert debits == credits > 0, slug


def test_every_household_account_is_its_bills_less_its_credit_notes_and_payments(recomputed):
    for slug, (rows, expected) in recomputed.items():
        problems = recompute.account_discrepancies(rows, expected)
        assert not problems, f"{slug}: {len(problems)} problems, the first: {problems[:10]}"
        assert len(rows.accounts) == len({b["connection_id"] for b in rows.bills})


def test_a_payment_a_centavo_off_is_caught_on_the_next_bills_and_in_the_household_account(
    recomputed,
):
    rows, _expected = recomputed[MAIN_SLUG]
    last_issue = max(run.issued_on for run in rows.runs.values())
    index, payment = next(
        (i, m)
        for i, m in enumerate(rows.movements)
        if m.what.startswith("payment") and m.on < last_issue
    )
    movements = list(rows.movements)
    movements[index] = payment._replace(cents=payment.cents - 1)  # a centavo more paid
    changed = replace(rows, movements=movements)
    wrong = recompute.expected_bills(changed)
    problems = recompute.discrepancies(rows, wrong)
    # Every later bill of the household, and only those, shows a centavo less owed.
    later = {
        f"bill {b['number']}"
        for b in rows.bills
        if b["connection_id"] == payment.connection_id
        and rows.runs[b["run_id"]].issued_on > payment.on
    }
    assert later and {p.split(":")[0] for p in problems} == later
    assert all("previous_balance" in p or "total_due" in p for p in problems), problems
    books = rows.accounts[payment.connection_id]
    assert recompute.account_discrepancies(changed, wrong) == [
        f"connection {payment.connection_id}: the books say {recompute.bs(books)}, "
        f"not {recompute.bs(books - 1)}"
    ]


def test_payments_dated_before_an_issue_date_were_recorded_before_its_bills(books):
    """What makes "dated before the issue date" the same as "in the books when the bills were
    made": the demo records no payment out of step with the runs."""
    for slug in SLUGS:
        runs = sorted(
            BillingRun.objects.filter(committee__slug=slug).values_list("issued_on", "created_at")
        )
        for received_on, created_at in Payment.objects.filter(committee__slug=slug).values_list(
            "received_on", "created_at"
        ):
            recorded_after = {issued for issued, made in runs if made < created_at}
            dated_after = {issued for issued, _made in runs if issued <= received_on}
            assert recorded_after == dated_after, (slug, received_on)


# --- the households pay --------------------------------------------------------------------------


def test_most_households_owe_nothing_from_before_and_about_one_in_ten_falls_behind(books):
    for slug in SLUGS:
        runs = list(BillingRun.objects.filter(committee__slug=slug).order_by("period"))
        ever_behind: set[int] = set()
        for position, run in enumerate(runs):
            bills = list(
                Bill.objects.filter(run=run).values_list("connection_id", "previous_balance")
            )
            behind = {c for c, balance in bills if balance > 0}
            ever_behind |= behind
            share = len(behind) / len(bills)
            if position == 0:
                assert not behind  # the books start with these bills
            elif slug == MAIN_SLUG:
                assert 0.05 <= share <= 0.15, (run.period, share)
        # On the last bills: most owe nothing from before; about one in ten does.
        assert 0.05 <= share <= 0.20, (slug, share)
        # Those behind are not always the same: some caught up.
        assert len(ever_behind) > len(behind) * 1.3
        # Over two years the committee collects nearly all it bills.
        billed = Bill.objects.filter(committee__slug=slug).aggregate(t=Sum("charges_total"))["t"]
        paid = Payment.objects.filter(committee__slug=slug, reversal__isnull=True).aggregate(
            t=Sum("amount")
        )["t"]
        assert 0.95 < paid / billed < 1, (slug, paid, billed)


def test_most_pay_cash_at_an_open_till_and_some_by_qr_or_transfer_with_a_reference(books):
    for slug in SLUGS:
        tz = ZoneInfo(committee(slug).timezone)
        methods = Counter(
            Payment.objects.filter(committee__slug=slug).values_list("method", flat=True)
        )
        total = sum(methods.values())
        assert methods["cash"] / total > 0.7
        assert methods["qr"] / total > 0.08 and methods["transfer"] / total > 0.02
        cashless = Payment.objects.filter(committee__slug=slug).exclude(method="cash")
        assert not cashless.filter(reference="").exists()
        assert not cashless.filter(session__isnull=False).exists()
        cash = Payment.objects.filter(committee__slug=slug, method="cash")
        assert not cash.exclude(reference="").exists()
        # Cash is paid at the office, on the day of the session that took it, which opens on
        # the office's days.
        for received_on, opened_at in cash.values_list("received_on", "session__opened_at"):
            assert timezone.localtime(opened_at, tz).date() == received_on
            assert received_on.weekday() in demo_ledger.OFFICE_DAYS
        # Nothing is dated today or later: today's office day is not over.
        assert not Payment.objects.filter(committee__slug=slug, received_on__gte=TODAY).exists()


def test_every_cash_session_is_closed_and_counted_and_the_few_differences_have_a_note(books):
    for slug in SLUGS:
        tz = ZoneInfo(committee(slug).timezone)
        sessions = list(CashSession.objects.filter(committee__slug=slug))
        assert len(sessions) > 24 * 8
        assert {s.status for s in sessions} == {CashSession.Status.CLOSED}
        differences = []
        for session in sessions:
            assert session.counted is not None and session.expected is not None
            opened, closed = (
                timezone.localtime(t, tz) for t in (session.opened_at, session.closed_at)
            )
            assert opened.date() == closed.date() and opened < closed
            if session.difference:
                differences.append(session.difference)
                assert session.note
            else:
                assert not session.note
        assert 1 <= len(differences) <= len(sessions) * 0.1
        assert any(d < 0 for d in differences)
        # Every difference is in the books, on the "cash over and short" account.
        ((_day, over_short),) = running(slug, "cash_differences")[-1:]
        assert -over_short == sum(differences)


def test_a_bounced_transfer_is_reversed_and_both_stay_in_the_books(books):
    reversals = PaymentReversal.objects.filter(committee__slug__in=SLUGS).select_related(
        "payment", "entry"
    )
    assert 2 <= len(reversals) <= 30
    for reversal in reversals:
        assert reversal.payment.method == "transfer" and reversal.reason
        assert reversal.entry.reverses_id == reversal.payment.entry_id
        assert reversal.entry.date > reversal.payment.received_on


# --- the committee pays its way ------------------------------------------------------------------


def test_two_years_of_expenses_for_electricity_chlorine_repairs_the_operator_and_lab_tests(books):
    issued = sorted(
        BillingRun.objects.filter(committee__slug=MAIN_SLUG).values_list("issued_on", flat=True)
    )
    months = {month(day) for day in issued}
    assert len(months) == 24
    for slug in SLUGS:
        expenses = Expense.objects.filter(committee__slug=slug)
        by_role = defaultdict(set)
        for role, day in expenses.values_list("account__role", "date"):
            by_role[role].add(month(day))
        assert by_role["electricity"] == by_role["chlorine"] == by_role["wages"] == months
        assert len(by_role["repairs"]) >= 18
        assert len(by_role["lab_tests"]) == 8  # every three months
        assert by_role["other_expenses"]
        assert not expenses.filter(supplier="").exists()
        assert not expenses.filter(document_number="").exists()
        assert not expenses.filter(attachment="").exists()
        # The pump's electricity follows the water billed: 1.15 to 1.45 Bs a m³.
        for run in BillingRun.objects.filter(committee__slug=slug):
            m3 = Bill.objects.filter(run=run).aggregate(m=Sum("consumption_m3"))["m"]
            (bill,) = expenses.filter(
                account__role="electricity",
                date__year=run.issued_on.year,
                date__month=run.issued_on.month,
            ).values_list("amount", flat=True)
            assert Decimal("1.10") < bill / Decimal(m3) < Decimal("1.50"), (run.period, bill, m3)


def test_the_loan_instalments_reduce_what_the_committee_owes_month_by_month(books):
    for slug in SLUGS:
        postings = Posting.objects.filter(committee__slug=slug, account__role="loans_payable")
        (loan,) = postings.filter(credit__gt=0).values_list("credit", flat=True)
        instalments = list(
            postings.filter(debit__gt=0).order_by("entry__date").values_list("entry__date", "debit")
        )
        assert len(instalments) == 24
        assert len({month(day) for day, _amount in instalments}) == 24
        assert len({amount for _day, amount in instalments}) == 1
        owed = [-balance for _day, balance in running(slug, "loans_payable")]
        assert owed[0] == loan and owed == sorted(owed, reverse=True)
        assert owed[-1] == loan - sum(amount for _day, amount in instalments) > 0
        # Each instalment is paid from the bank.
        for entry in JournalEntry.objects.filter(
            committee__slug=slug, postings__account__role="loans_payable", postings__debit__gt=0
        ):
            roles = set(entry.postings.filter(credit__gt=0).values_list("account__role", flat=True))
            assert roles == {"bank"}


def test_the_till_and_the_bank_never_go_below_zero_and_the_till_never_holds_much(books):
    for slug in SLUGS:
        for role in ("cash", "bank", "reserves_fund"):
            balances = [balance for _day, balance in running(slug, role)]
            assert min(balances) >= 0, (slug, role, min(balances))
        # The week's cash goes to the bank every Monday: the till never holds much.
        assert max(balance for _day, balance in running(slug, "cash")) < 6000


def test_a_quarter_of_what_is_collected_at_most_goes_to_the_reserves_which_paid_for_the_pump(
    books,
):
    for slug in SLUGS:
        postings = Posting.objects.filter(committee__slug=slug, account__role="reserves_fund")
        saved = postings.aggregate(t=Sum("debit"))["t"]
        collected = Payment.objects.filter(committee__slug=slug).aggregate(t=Sum("amount"))["t"]
        assert 0.10 < saved / collected <= 0.25, (slug, saved, collected)
        assert postings.filter(debit__gt=0).count() >= 20
        (withdrawal,) = postings.filter(credit__gt=0).select_related("entry")
        pump = Expense.objects.get(
            committee__slug=slug,
            account__role="repairs",
            date=withdrawal.entry.date,
            amount__gte=withdrawal.credit,
        )
        assert "bomba" in pump.supplier
        assert running(slug, "reserves_fund")[-1][1] > 0


# --- disconnections ------------------------------------------------------------------------------


def test_a_few_households_were_cut_after_a_notice_and_reconnected_with_the_fee(books):
    from comunagua.ledger.models import OpenItem, ServiceEvent

    main = committee(MAIN_SLUG)
    events = ServiceEvent.objects.filter(committee=main).order_by("date", "id")
    cuts = list(events.filter(kind=ServiceEvent.Kind.DISCONNECTION))
    assert 2 <= len(cuts) <= 15  # a few, not a habit
    for cut in cuts:
        notice = events.filter(
            connection=cut.connection, kind=ServiceEvent.Kind.NOTICE, date__lte=cut.date
        ).last()
        assert notice is not None and (cut.date - notice.date).days >= 7
        assert cut.debt > 0
        back = events.filter(
            connection=cut.connection, kind=ServiceEvent.Kind.RECONNECTION, date__gte=cut.date
        ).first()
        assert back is not None
        fee = OpenItem.objects.get(
            committee=main,
            connection=cut.connection,
            document_type="reconnection",
            due_on=back.date,
        )
        assert fee.amount == Decimal("50.00")  # the tariff's reconnection fee
