"""Arrears and service: the aging of debts, the households due for disconnection, the notice,
the disconnection and the reconnection with its fee, payment plans and late-payment fines.
Every write keeps the books balanced; the same request sent twice is recorded once; what the
rules do not allow is refused and changes nothing; another committee's households are not found.

Messages are checked in English (the msgids), whatever the translations say."""

import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from hypothesis import given
from hypothesis import strategies as st

from comunagua.ledger.arrears import arithmetic as arrears_arithmetic
from comunagua.ledger.arrears import selectors as arrears_selectors
from comunagua.ledger.arrears import services as arrears_services
from comunagua.ledger.books import checks
from comunagua.ledger.books import selectors as books_selectors
from comunagua.ledger.cash import services as cash_services
from comunagua.ledger.models import (
    Allocation,
    JournalEntry,
    OpenItem,
    PaymentPlan,
    Rules,
    ServiceEvent,
)
from comunagua.registry import services as registry
from comunagua.registry.models import Connection
from comunagua.tariffs import services as tariff_services
from comunagua.tenancy.roles import Role
from tests.actors import D, add_connection, charge, make_user, pay, refused, url
from tests.concurrency import at_once
from tests.properties import heavy, pure

pytestmark = pytest.mark.django_db

JUNE_25 = date(2025, 6, 25)


# --- helpers ---------------------------------------------------------------------------------


def problems(committee):
    with scope(committee=committee):
        return checks.verify(committee)


def status_of(committee, connection) -> str:
    with scope(committee=committee):
        return Connection.objects.get(pk=connection.pk).status


def events(committee, **filters) -> list[str]:
    with scopes_disabled():
        return list(
            ServiceEvent.objects.filter(committee=committee, **filters)
            .order_by("date", "id")
            .values_list("kind", flat=True)
        )


def open_left(committee, connection) -> list[tuple[str, Decimal]]:
    with scope(committee=committee):
        dues = books_selectors.open_dues(committee=committee, connection_ids={connection.pk}).get(
            connection.pk, []
        )
        items = OpenItem.objects.in_bulk([d.key for d in dues])
    return [(items[d.key].document_type, d.open) for d in dues]


def run(where, service, /, **kwargs):
    """Call `service` inside the committee's scope, as a request would."""
    with scope(committee=where):
        return service(**kwargs)


def set_rules(committee, **values):
    with scope(committee=committee):
        return arrears_services.rules_update(committee=committee, by=None, **values)


def add_tariff(committee):
    """The example tariff: a late-payment fine of 5.00 and a reconnection fee of 50.00."""
    with scope(committee=committee):
        return tariff_services.tariff_create(
            committee=committee,
            by=None,
            effective_from=date(2016, 1, 1),
            toml_text=Path("docs/examples/tarifa-2016.toml").read_text(),
        )


@pytest.fixture
def three_unpaid(committee, household):
    """Bills of 40.00 due on the 20th of March, April and May 2025, unpaid; June's not yet due."""
    for month in (3, 4, 5):
        charge(committee, household, "40.00", due_on=date(2025, month, 20))
    charge(committee, household, "40.00", due_on=date(2025, 6, 30))
    return household


@pytest.fixture
def noticed(committee, board_user, three_unpaid):
    """Three unpaid bills and a notice given on 25 June 2025."""
    run(
        committee,
        arrears_services.notice_give,
        connection=three_unpaid,
        by=board_user,
        on=JUNE_25,
    )
    return three_unpaid


# --- aging -----------------------------------------------------------------------------------


def test_the_aging_puts_each_open_debt_in_its_month_past_due(committee, household, session):
    charge(committee, household, "10.00", due_on=date(2025, 7, 10))  # not yet due
    charge(committee, household, "11.00", due_on=JUNE_25)  # due today: not yet past due
    charge(committee, household, "20.00", due_on=date(2025, 6, 20))  # 5 days: first month
    charge(committee, household, "21.00", due_on=date(2025, 5, 25))  # one month exactly
    charge(committee, household, "30.00", due_on=date(2025, 5, 24))  # second month
    charge(committee, household, "40.00", due_on=date(2025, 4, 24))  # third month
    charge(committee, household, "50.00", due_on=date(2024, 12, 20))  # long ago
    pay(committee, household, "45.00", session=session)  # settles 50.00 long ago in part

    with scope(committee=committee):
        aging = arrears_selectors.aging(committee=committee, on=JUNE_25)
    (row,) = aging.rows
    assert row.connection_id == household.pk
    assert row.holder.startswith("Rosa Quispe")
    assert row.buckets == arrears_arithmetic.Buckets(D("21.00"), D("41.00"), D("30.00"), D("45.00"))
    assert row.buckets.total == D("137.00")
    assert aging.totals == row.buckets
    assert aging.households == aging.households_overdue == 1


def test_the_aging_adds_up_households_and_leaves_out_those_who_owe_nothing(
    committee, household, session
):
    other = add_connection(committee, "8")
    settled = add_connection(committee, "9")
    charge(committee, household, "10.00", due_on=date(2025, 3, 20))
    charge(committee, other, "25.50", due_on=date(2025, 6, 20))
    charge(committee, other, "4.50", due_on=date(2025, 8, 20))
    charge(committee, settled, "12.00", due_on=date(2025, 3, 20))
    pay(committee, settled, "12.00", session=session)

    with scope(committee=committee):
        aging = arrears_selectors.aging(committee=committee, on=JUNE_25)
    assert [row.number for row in aging.rows] == ["7", "8"]  # the oldest debt first
    assert aging.totals == arrears_arithmetic.Buckets(D("4.50"), D("25.50"), D("0.00"), D("10.00"))
    assert aging.totals.total == sum((row.buckets.total for row in aging.rows), D(0))


def test_the_aging_takes_the_same_few_queries_for_many_households(
    committee, django_assert_max_num_queries
):
    for number in range(20):
        connection = add_connection(committee, f"H{number}")
        charge(committee, connection, "10.00", due_on=date(2025, 3 + number % 4, 20))
    with scope(committee=committee), django_assert_max_num_queries(2):
        aging = arrears_selectors.aging(committee=committee, on=JUNE_25)
    assert aging.households == 20
    with scope(committee=committee), django_assert_max_num_queries(4):
        arrears_selectors.due_for_disconnection(committee=committee, on=JUNE_25)


# --- who is due for disconnection ----------------------------------------------------------


def test_a_household_with_three_unpaid_bills_past_due_is_due_for_disconnection(
    committee, three_unpaid
):
    two_bills = add_connection(committee, "8")
    for month in (4, 5):
        charge(committee, two_bills, "40.00", due_on=date(2025, month, 20))
    with scope(committee=committee):
        (row,) = arrears_selectors.due_for_disconnection(committee=committee, on=JUNE_25)
    assert row.connection_id == three_unpaid.pk
    assert row.unpaid_bills == 3
    assert row.overdue == D("120.00")  # June's bill is not past due yet
    assert row.oldest_due_on == date(2025, 3, 20)
    assert row.notice is None and not row.ready

    set_rules(committee, disconnect_after_months=2)
    with scope(committee=committee):
        due = arrears_selectors.due_for_disconnection(committee=committee, on=JUNE_25)
    assert {row.number for row in due} == {"7", "8"}


def test_fines_and_fees_do_not_count_as_unpaid_months(committee, household):
    charge(committee, household, "40.00", due_on=date(2025, 4, 20))
    charge(committee, household, "40.00", due_on=date(2025, 5, 20))
    charge(committee, household, "5.00", due_on=date(2025, 5, 21), kind="fine", role="fines")
    with scope(committee=committee):
        assert arrears_selectors.due_for_disconnection(committee=committee, on=JUNE_25) == []


def test_a_partly_paid_bill_still_counts_as_unpaid(committee, three_unpaid, session):
    pay(committee, three_unpaid, "79.99", session=session)  # March's, and April's but 0.01
    with scope(committee=committee):
        assert arrears_selectors.due_for_disconnection(committee=committee, on=JUNE_25) == []
    set_rules(committee, disconnect_after_months=2)
    with scope(committee=committee):
        (row,) = arrears_selectors.due_for_disconnection(committee=committee, on=JUNE_25)
    assert row.unpaid_bills == 2
    assert row.overdue == D("40.01")
    assert row.oldest_due_on == date(2025, 4, 20)


def test_only_active_connections_are_listed(committee, board_user, three_unpaid):
    with scope(committee=committee):
        registry.connection_update(connection=three_unpaid, by=board_user, status="suspended")
        assert arrears_selectors.due_for_disconnection(committee=committee, on=JUNE_25) == []


def test_the_list_shows_the_notice_and_when_its_days_have_passed(committee, noticed):
    with scope(committee=committee):
        (row,) = arrears_selectors.due_for_disconnection(committee=committee, on=date(2025, 7, 1))
        assert row.notice.date == JUNE_25
        assert row.disconnect_from == date(2025, 7, 2)
        assert not row.ready
        (row,) = arrears_selectors.due_for_disconnection(committee=committee, on=date(2025, 7, 2))
        assert row.ready


def test_a_notice_given_before_the_debt_was_paid_no_longer_counts(
    committee, noticed, session, board_user
):
    pay(committee, noticed, "160.00", session=session)  # everything, June's bill too
    for month in (7, 8, 9):
        charge(committee, noticed, "40.00", due_on=date(2025, month, 20))
    with scope(committee=committee):
        (row,) = arrears_selectors.due_for_disconnection(committee=committee, on=date(2025, 10, 1))
    assert row.notice is None
    with scope(committee=committee), refused("notice first"):
        arrears_services.connection_disconnect(
            connection=noticed, by=board_user, on=date(2025, 10, 1)
        )


# --- notice, disconnection, reconnection ---------------------------------------------------


def test_notice_disconnection_and_reconnection_are_recorded_and_change_the_status(
    committee, board_user, noticed
):
    add_tariff(committee)
    with scope(committee=committee):
        cut = arrears_services.connection_disconnect(
            connection=noticed, by=board_user, on=date(2025, 7, 3), note="llave cerrada"
        )
    assert cut.debt == D("160.00")  # June's bill is past due by then
    assert cut.note == "llave cerrada"
    assert status_of(committee, noticed) == "disconnected"
    with scope(committee=committee):
        history = list(
            Connection.history.filter(id=noticed.pk)
            .order_by("history_date")
            .values_list("status", "history_user_id")
        )
    assert history[-1] == ("disconnected", board_user.pk)
    with scope(committee=committee):
        (row,) = arrears_selectors.disconnected(committee=committee)
    assert row.since == date(2025, 7, 3) and row.owes == D("160.00")

    with scope(committee=committee):
        back = arrears_services.connection_reconnect(
            connection=noticed, by=board_user, on=date(2025, 7, 10)
        )
    assert status_of(committee, noticed) == "active"
    assert events(committee) == ["notice", "disconnection", "reconnection"]
    # The fee is the tariff's, charged as a debt the cash desk collects.
    assert ("reconnection", D("50.00")) in open_left(committee, noticed)
    with scope(committee=committee):
        fee = OpenItem.objects.get(document_type="reconnection")
        assert fee.document_number == str(back.pk)
        assert books_selectors.balance_of(committee=committee, connection_id=noticed.pk) == D(
            "210.00"
        )
    assert problems(committee) == []


def test_the_reconnection_fee_may_be_changed_or_waived(committee, board_user, household):
    other = add_connection(committee, "8")
    for connection in (household, other):
        with scope(committee=committee):
            registry.connection_update(connection=connection, by=None, status="disconnected")
    run(
        committee,
        arrears_services.connection_reconnect,
        connection=household,
        by=board_user,
        fee="35.50",
    )
    run(
        committee,
        arrears_services.connection_reconnect,
        connection=other,
        by=board_user,
        fee=D("0"),
    )
    assert open_left(committee, household) == [("reconnection", D("35.50"))]
    assert open_left(committee, other) == []
    assert problems(committee) == []


def test_disconnecting_without_a_notice_is_refused(committee, board_user, three_unpaid):
    with scope(committee=committee), refused("notice first"):
        arrears_services.connection_disconnect(connection=three_unpaid, by=board_user, on=JUNE_25)
    assert status_of(committee, three_unpaid) == "active"
    assert events(committee) == []


def test_disconnecting_before_the_notice_days_have_passed_is_refused(
    committee, board_user, noticed
):
    with scope(committee=committee), refused("may be disconnected from 02/07/2025"):
        arrears_services.connection_disconnect(
            connection=noticed, by=board_user, on=date(2025, 7, 1)
        )
    assert status_of(committee, noticed) == "active"
    assert events(committee) == ["notice"]


def test_a_household_that_paid_after_its_notice_is_not_disconnected(
    committee, board_user, noticed, session
):
    pay(committee, noticed, "80.00", session=session)  # March and April: May and June left
    with scope(committee=committee), refused("owes 2 unpaid bills"):
        arrears_services.connection_disconnect(
            connection=noticed, by=board_user, on=date(2025, 7, 3)
        )
    assert status_of(committee, noticed) == "active"
    # With July's bill past due it owes three again, in the same spell: the notice stands.
    charge(committee, noticed, "40.00", due_on=date(2025, 7, 20))
    with scope(committee=committee):
        arrears_services.connection_disconnect(
            connection=noticed, by=board_user, on=date(2025, 7, 21)
        )
    assert status_of(committee, noticed) == "disconnected"


def test_the_notice_days_come_from_the_rules(committee, board_user, three_unpaid):
    set_rules(committee, notice_days=0)
    run(committee, arrears_services.notice_give, connection=three_unpaid, by=board_user, on=JUNE_25)
    run(
        committee,
        arrears_services.connection_disconnect,
        connection=three_unpaid,
        by=board_user,
        on=JUNE_25,
    )
    assert status_of(committee, three_unpaid) == "disconnected"


def test_a_notice_needs_a_debt_past_due_and_is_given_once(committee, board_user, household):
    charge(committee, household, "40.00", due_on=date(2025, 7, 20))
    with scope(committee=committee), refused("no debt past due"):
        arrears_services.notice_give(connection=household, by=board_user, on=JUNE_25)
    charge(committee, household, "40.00", due_on=date(2025, 6, 20))
    run(committee, arrears_services.notice_give, connection=household, by=board_user, on=JUNE_25)
    with scope(committee=committee), refused("already given a notice on 25/06/2025"):
        arrears_services.notice_give(connection=household, by=board_user, on=date(2025, 6, 26))
    assert events(committee) == ["notice"]


def test_only_a_disconnected_household_is_reconnected_and_only_an_active_one_cut(
    committee, board_user, noticed
):
    with scope(committee=committee), refused("Only a disconnected connection"):
        arrears_services.connection_reconnect(
            connection=noticed, by=board_user, on=date(2025, 7, 3)
        )
    run(
        committee,
        arrears_services.connection_disconnect,
        connection=noticed,
        by=board_user,
        on=date(2025, 7, 3),
    )
    with scope(committee=committee), refused("Only an active connection"):
        arrears_services.connection_disconnect(
            connection=noticed, by=board_user, on=date(2025, 7, 4)
        )
    with scope(committee=committee), refused("Only an active connection"):
        arrears_services.notice_give(connection=noticed, by=board_user, on=date(2025, 7, 4))


@pytest.mark.parametrize("fee", ["-1", "12.345", "abc", "1e12"])
def test_a_bad_reconnection_fee_is_refused_and_changes_nothing(
    committee, board_user, household, fee
):
    with scope(committee=committee):
        registry.connection_update(connection=household, by=None, status="disconnected")
    with scope(committee=committee), refused("negative|decimal places|number|too large"):
        arrears_services.connection_reconnect(connection=household, by=board_user, fee=fee)
    assert status_of(committee, household) == "disconnected"
    assert events(committee) == []


def test_the_same_service_event_sent_twice_is_recorded_once(committee, board_user, noticed):
    add_tariff(committee)
    first = run(
        committee,
        arrears_services.connection_disconnect,
        connection=noticed,
        by=board_user,
        on=date(2025, 7, 3),
        client_id="corte-1",
    )
    again = run(
        committee,
        arrears_services.connection_disconnect,
        connection=noticed,
        by=board_user,
        on=date(2025, 7, 3),
        client_id="corte-1",
    )
    assert again.pk == first.pk
    for _twice in range(2):
        run(
            committee,
            arrears_services.connection_reconnect,
            connection=noticed,
            by=board_user,
            on=date(2025, 7, 4),
            client_id="reconexion-1",
        )
    assert events(committee) == ["notice", "disconnection", "reconnection"]
    with scopes_disabled():
        assert OpenItem.objects.filter(document_type="reconnection").count() == 1
    # The same id for another kind of event is a mistake, not a replay.
    with scope(committee=committee), refused("already used for another service event"):
        arrears_services.notice_give(
            connection=noticed, by=board_user, on=date(2025, 8, 1), client_id="corte-1"
        )


def test_another_committees_connection_cannot_be_acted_on_here(
    committee, other_committee, board_user, three_unpaid
):
    foreign = add_connection(other_committee, "900")
    with scope(committee=committee), pytest.raises(ValidationError):
        arrears_services.notice_give(connection=foreign, by=board_user, on=JUNE_25)
    assert events(other_committee) == []


# --- payment plans -------------------------------------------------------------------------


def test_a_payment_plan_moves_the_whole_debt_to_monthly_instalments(
    committee, board_user, three_unpaid, session
):
    pay(committee, three_unpaid, "15.00", session=session)
    with scope(committee=committee):
        plan = arrears_services.plan_create(
            connection=three_unpaid,
            instalments=3,
            first_due_on=date(2025, 7, 31),
            by=board_user,
            note="acuerdo de directiva",
            on=JUNE_25,
        )
    assert plan.total == D("145.00")
    assert open_left(committee, three_unpaid) == [("instalment", D("48.33"))] * 2 + [
        ("instalment", D("48.34"))
    ]
    with scope(committee=committee):
        items = list(OpenItem.objects.filter(document_type="instalment").order_by("due_on", "id"))
        assert [i.document_number for i in items] == [f"{plan.pk}-{k}" for k in (1, 2, 3)]
        assert [i.due_on for i in items] == [
            date(2025, 7, 31),
            date(2025, 8, 31),
            date(2025, 9, 30),
        ]
        # The entry: receivable credited and debited by the debt, for the household; net zero.
        entry = plan.entry
        assert entry.kind == JournalEntry.Kind.PLAN
        lines = list(
            entry.postings.values_list("account__role", "connection_id", "debit", "credit")
        )
        assert sorted(lines) == sorted(
            [
                ("receivable", three_unpaid.pk, D("0"), D("145.00")),
                ("receivable", three_unpaid.pk, D("145.00"), D("0")),
            ]
        )
        # The old debts are settled by the plan's entry.
        assert sum(
            Allocation.objects.filter(source=entry).values_list("amount", flat=True), D(0)
        ) == D("145.00")
        assert books_selectors.balance_of(committee=committee, connection_id=three_unpaid.pk) == D(
            "145.00"
        )
    assert problems(committee) == []


def test_a_bill_shows_only_the_instalments_already_due(committee, board_user, three_unpaid):
    run(
        committee,
        arrears_services.plan_create,
        connection=three_unpaid,
        instalments=4,
        first_due_on=date(2025, 7, 10),
        by=board_user,
        on=JUNE_25,
    )
    with scope(committee=committee):

        def due(on):
            return books_selectors.balances_due(committee=committee, on=on)[three_unpaid.pk]

        assert due(JUNE_25) == D("0.00")
        assert due(date(2025, 7, 10)) == D("40.00")
        assert due(date(2025, 8, 9)) == D("40.00")
        assert due(date(2025, 8, 10)) == D("80.00")
        assert due(date(2025, 12, 1)) == D("160.00")


def test_paying_an_instalment_keeps_the_books_balanced(
    committee, board_user, three_unpaid, session
):
    run(
        committee,
        arrears_services.plan_create,
        connection=three_unpaid,
        instalments=2,
        first_due_on=date(2025, 7, 10),
        by=board_user,
        on=JUNE_25,
    )
    pay(committee, three_unpaid, "100.00", session=session)
    assert open_left(committee, three_unpaid) == [("instalment", D("60.00"))]
    assert problems(committee) == []


def test_a_plan_for_a_household_without_debt_is_refused(committee, board_user, household):
    with scope(committee=committee), refused("no debt to split"):
        arrears_services.plan_create(
            connection=household,
            instalments=3,
            first_due_on=date(2025, 7, 10),
            by=board_user,
            on=JUNE_25,
        )
    with scopes_disabled():
        assert PaymentPlan.objects.count() == 0
        assert JournalEntry.objects.filter(kind="plan").count() == 0


@pytest.mark.parametrize(
    ("instalments", "words"),
    [
        (0, "1 or more"),
        (-2, "1 or more"),
        ("tres", "1 or more"),
        ("2.5", "1 or more"),
        (True, "1 or more"),
        (37, "At most 36"),
        (10_000, "At most 36"),
    ],
)
def test_a_plan_with_a_bad_number_of_instalments_is_refused(
    committee, board_user, three_unpaid, instalments, words
):
    with scope(committee=committee), refused(words):
        arrears_services.plan_create(
            connection=three_unpaid,
            instalments=instalments,
            first_due_on=date(2025, 7, 10),
            by=board_user,
            on=JUNE_25,
        )
    with scopes_disabled():
        assert PaymentPlan.objects.count() == 0


def test_a_tiny_debt_cannot_be_split_below_a_centavo(committee, board_user, household):
    charge(committee, household, "0.05", due_on=date(2025, 5, 20))
    with scope(committee=committee), refused("at most 5 instalments"):
        arrears_services.plan_create(
            connection=household,
            instalments=6,
            first_due_on=date(2025, 7, 10),
            by=board_user,
            on=JUNE_25,
        )
    plan = run(
        committee,
        arrears_services.plan_create,
        connection=household,
        instalments=5,
        first_due_on=date(2025, 7, 10),
        by=board_user,
        on=JUNE_25,
    )
    assert plan.total == D("0.05")
    assert [left for _kind, left in open_left(committee, household)] == [D("0.01")] * 5


@pytest.mark.parametrize(
    ("first_due_on", "words"),
    [(date(2025, 6, 24), "before the agreement"), (date(2026, 7, 1), "within a year")],
)
def test_a_plan_whose_first_instalment_is_out_of_bounds_is_refused(
    committee, board_user, three_unpaid, first_due_on, words
):
    with scope(committee=committee), refused(words):
        arrears_services.plan_create(
            connection=three_unpaid,
            instalments=3,
            first_due_on=first_due_on,
            by=board_user,
            on=JUNE_25,
        )


def test_the_same_plan_sent_twice_is_agreed_once(committee, board_user, three_unpaid):
    kwargs = {
        "connection": three_unpaid,
        "instalments": 3,
        "first_due_on": date(2025, 7, 10),
        "by": board_user,
        "on": JUNE_25,
        "client_id": "plan-1",
    }
    first = run(committee, arrears_services.plan_create, **kwargs)
    again = run(committee, arrears_services.plan_create, **kwargs)
    assert again.pk == first.pk
    with scopes_disabled():
        assert PaymentPlan.objects.count() == 1
        assert OpenItem.objects.filter(document_type="instalment").count() == 3
    with scope(committee=committee), refused("already used for another payment plan"):
        arrears_services.plan_create(**{**kwargs, "instalments": 4})
    assert problems(committee) == []


def test_a_new_plan_takes_in_what_is_left_of_an_earlier_one(committee, board_user, three_unpaid):
    first = run(
        committee,
        arrears_services.plan_create,
        connection=three_unpaid,
        instalments=4,
        first_due_on=date(2025, 7, 10),
        by=board_user,
        on=JUNE_25,
    )
    charge(committee, three_unpaid, "40.00", due_on=date(2025, 7, 20))
    second = run(
        committee,
        arrears_services.plan_create,
        connection=three_unpaid,
        instalments=6,
        first_due_on=date(2025, 9, 10),
        by=board_user,
        on=date(2025, 8, 25),
    )
    assert first.total == D("160.00") and second.total == D("200.00")
    assert [kind for kind, _left in open_left(committee, three_unpaid)] == ["instalment"] * 6
    assert problems(committee) == []


@pure
@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2),
    st.integers(min_value=1, max_value=arrears_arithmetic.MAX_INSTALMENTS),
)
def test_instalments_add_up_to_the_debt_to_the_centavo(total, count):
    if total < count * Decimal("0.01"):
        with pytest.raises(ValueError):
            arrears_arithmetic.split(total, count)
        return
    amounts = arrears_arithmetic.split(total, count)
    assert len(amounts) == count
    assert sum(amounts, Decimal(0)) == total
    assert all(a > 0 and a == a.quantize(Decimal("0.01")) for a in amounts)
    assert len(set(amounts[:-1])) <= 1  # all equal but the last
    assert Decimal(0) <= amounts[-1] - amounts[0] < count * Decimal("0.01")


@heavy
@given(
    st.lists(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("300"), places=2),
        min_size=1,
        max_size=5,
    ),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("400"), places=2),
    st.integers(min_value=1, max_value=12),
)
def test_any_plan_keeps_the_books_balanced_and_the_debt_whole(
    committee, board_user, household, bills, paid, count
):
    with scope(committee=committee), transaction.atomic():
        for amount in bills:
            charge(committee, household, amount, due_on=date(2025, 5, 20))
        if paid:
            cash_services.payment_take(
                committee=committee,
                connection_id=household.pk,
                amount=paid,
                method="transfer",
                reference="T",
                by=None,
            )
        before = books_selectors.balance_of(committee=committee, connection_id=household.pk)
        owed = sum(
            (
                d.open
                for d in books_selectors.open_dues(
                    committee=committee, connection_ids={household.pk}
                ).get(household.pk, [])
            ),
            D(0),
        )
        if owed * 100 < count:
            with refused("no debt|at most"):
                arrears_services.plan_create(
                    connection=household,
                    instalments=count,
                    first_due_on=date(2025, 7, 1),
                    by=board_user,
                    on=JUNE_25,
                )
        else:
            plan = arrears_services.plan_create(
                connection=household,
                instalments=count,
                first_due_on=date(2025, 7, 1),
                by=board_user,
                on=JUNE_25,
            )
            assert plan.total == owed
            instalments = OpenItem.objects.filter(entry=plan.entry).values_list("amount", flat=True)
            assert sum(instalments, D(0)) == owed
        assert books_selectors.balance_of(committee=committee, connection_id=household.pk) == before
        assert checks.verify(committee) == []
        transaction.set_rollback(True)


# --- late-payment fines ----------------------------------------------------------------------


def test_late_fines_charge_each_bill_past_due_once(committee, board_user, household, session):
    add_tariff(committee)
    set_rules(committee, late_fine_after_days=10)
    charge(committee, household, "40.00", due_on=date(2025, 5, 20))  # 36 days: fined
    charge(committee, household, "40.00", due_on=date(2025, 6, 15))  # exactly 10 days: not yet
    charge(committee, household, "40.00", due_on=date(2025, 6, 14))  # 11 days: fined
    charge(committee, household, "5.00", due_on=date(2025, 4, 1), kind="fee", role="fees")
    paid = add_connection(committee, "8")
    charge(committee, paid, "40.00", due_on=date(2025, 5, 20))
    pay(committee, paid, "40.00", session=session)

    count = run(
        committee, arrears_services.late_fines_apply, committee=committee, on=JUNE_25, by=None
    )
    assert count == 2
    fines = [left for kind, left in open_left(committee, household) if kind == "fine"]
    assert fines == [D("5.00"), D("5.00")]
    assert open_left(committee, paid) == []
    # The next day the June 15 bill is fined; the others are not fined again.
    assert (
        run(
            committee,
            arrears_services.late_fines_apply,
            committee=committee,
            on=date(2025, 6, 26),
            by=None,
        )
        == 1
    )
    assert (
        run(committee, arrears_services.late_fines_apply, committee=committee, on=JUNE_25, by=None)
        == 0
    )
    with scopes_disabled():
        numbers = set(
            OpenItem.objects.filter(document_type="fine").values_list("document_number", flat=True)
        )
        bills = OpenItem.objects.filter(document_type="bill", connection=household)
        assert numbers == {f"fine-{pk}" for pk in bills.values_list("pk", flat=True)}
    assert problems(committee) == []


def test_late_fines_are_off_when_the_rules_say_zero_days(committee, household):
    add_tariff(committee)
    charge(committee, household, "40.00", due_on=date(2025, 1, 20))
    assert (
        run(committee, arrears_services.late_fines_apply, committee=committee, on=JUNE_25, by=None)
        == 0
    )
    set_rules(committee, late_fine_after_days=0)
    assert (
        run(committee, arrears_services.late_fines_apply, committee=committee, on=JUNE_25, by=None)
        == 0
    )
    assert open_left(committee, household) == [("bill", D("40.00"))]


def test_late_fines_need_the_tariffs_fine_or_an_amount(committee, household):
    set_rules(committee, late_fine_after_days=5)
    charge(committee, household, "40.00", due_on=date(2025, 1, 20))
    with scope(committee=committee), refused("no late-payment fine"):
        arrears_services.late_fines_apply(committee=committee, on=JUNE_25, by=None)
    assert (
        run(
            committee,
            arrears_services.late_fines_apply,
            committee=committee,
            on=JUNE_25,
            by=None,
            amount="7.50",
        )
        == 1
    )
    assert ("fine", D("7.50")) in open_left(committee, household)


# --- rules -----------------------------------------------------------------------------------


def test_a_committee_without_rules_uses_the_defaults(committee):
    with scope(committee=committee):
        rules = arrears_selectors.rules_of(committee)
        assert (rules.late_fine_after_days, rules.disconnect_after_months, rules.notice_days) == (
            0,
            3,
            7,
        )
        assert not Rules.objects.filter(committee=committee).exists()


@pytest.mark.parametrize(
    "values",
    [
        {"disconnect_after_months": 0},
        {"notice_days": -1},
        {"late_fine_after_days": 400},
        {"notice_days": "siete"},
    ],
)
def test_rules_out_of_bounds_are_refused(committee, values):
    with scope(committee=committee), refused("whole number"):
        arrears_services.rules_update(committee=committee, by=None, **values)
    with scopes_disabled():
        assert not Rules.objects.filter(committee=committee).exists()


# --- pages ---------------------------------------------------------------------------------


def text(response) -> str:
    return response.content.decode().replace("\N{NO-BREAK SPACE}", " ")


TODAY = timezone.localdate()


@pytest.fixture
def behind(committee, household):
    """Three bills long past due (whatever today is)."""
    for months in (5, 4, 3):
        charge(committee, household, "40.00", due_on=arrears_arithmetic.add_months(TODAY, -months))
    return household


def test_the_cash_desk_links_to_the_arrears_for_the_board_only(
    committee, board_client, client, session, cashier
):
    response = board_client.get(url("cash-home", committee))
    assert url("arrears", committee) in text(response)
    client.force_login(cashier)
    response = client.get(url("cash-home", committee))
    assert url("arrears", committee) not in text(response)


def test_the_arrears_pages_are_refused_to_a_cashier(committee, client, cashier, behind):
    client.force_login(cashier)
    for name, kwargs in [
        ("arrears", {}),
        ("arrears-disconnections", {}),
        ("arrears-rules", {}),
        ("arrears-household", {"pk": behind.pk}),
        ("arrears-notice-print", {"pk": behind.pk}),
    ]:
        assert client.get(url(name, committee, **kwargs)).status_code == 403
    response = client.post(url("arrears-notice", committee, pk=behind.pk), {"client_id": "x"})
    assert response.status_code == 403
    assert events(committee) == []


def test_the_aging_page_lists_the_household_with_a_link_to_its_account(
    committee, board_client, behind
):
    response = board_client.get(url("arrears", committee))
    assert response.status_code == 200
    page = text(response)
    assert f'data-connection="{behind.pk}"' in page
    assert 'data-total="120.00"' in page
    assert url("cash-account", committee, pk=behind.pk) in page
    assert url("arrears-household", committee, pk=behind.pk) in page


def test_notice_print_and_disconnection_through_the_pages(
    committee, board_client, board_user, behind
):
    listing = text(board_client.get(url("arrears-disconnections", committee)))
    assert f'data-connection="{behind.pk}"' in listing
    assert 'data-ready="no"' in listing
    response = board_client.post(
        url("arrears-notice", committee, pk=behind.pk), {"client_id": "n-1", "next": "list"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("arrears-notice-print", committee, pk=behind.pk)
    # A double click lands on the same notice.
    board_client.post(url("arrears-notice", committee, pk=behind.pk), {"client_id": "n-1"})
    assert events(committee) == ["notice"]
    printed = text(board_client.get(response["Location"]))
    assert 'data-total="120.00"' in printed
    until = TODAY + timedelta(days=7)
    assert f'data-until="{until:%Y-%m-%d}"' in printed

    # Too early: refused, shown on the page, nothing changes.
    response = board_client.post(
        url("arrears-disconnect", committee, pk=behind.pk), {"client_id": "c-1"}
    )
    assert response.status_code == 400
    assert status_of(committee, behind) == "active"

    # Another household, noticed eight days ago: its days have passed.
    other = add_connection(committee, "8")
    for months in (5, 4, 3):
        charge(committee, other, "40.00", due_on=arrears_arithmetic.add_months(TODAY, -months))
    run(
        committee,
        arrears_services.notice_give,
        connection=other,
        by=board_user,
        on=TODAY - timedelta(days=8),
    )
    listing = text(board_client.get(url("arrears-disconnections", committee)))
    assert 'data-ready="yes"' in listing
    response = board_client.post(
        url("arrears-disconnect", committee, pk=other.pk), {"client_id": "c-2", "next": "list"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("arrears-disconnections", committee)
    assert status_of(committee, other) == "disconnected"


def test_reconnection_through_the_page_charges_the_prefilled_fee(
    committee, board_client, household
):
    add_tariff(committee)
    with scope(committee=committee):
        registry.connection_update(connection=household, by=None, status="disconnected")
    listing = text(board_client.get(url("arrears-disconnections", committee)))
    assert 'name="fee"' in listing and 'value="50,00"' in listing
    page = text(board_client.get(url("arrears-household", committee, pk=household.pk)))
    assert 'id="reconnect-form"' in page and 'value="50,00"' in page
    response = board_client.post(
        url("arrears-reconnect", committee, pk=household.pk),
        {"client_id": "r-1", "fee": "50,00", "note": ""},
    )
    assert response.status_code == 302
    assert status_of(committee, household) == "active"
    assert open_left(committee, household) == [("reconnection", D("50.00"))]


def test_a_payment_plan_through_the_page(committee, board_client, behind):
    page = text(board_client.get(url("arrears-household", committee, pk=behind.pk)))
    assert 'id="plan-form"' in page
    first = arrears_arithmetic.add_months(TODAY, 1)
    data = {"instalments": "4", "first_due_on": f"{first:%Y-%m-%d}", "client_id": "p-1"}
    response = board_client.post(url("arrears-plan", committee, pk=behind.pk), data)
    assert response.status_code == 302
    board_client.post(url("arrears-plan", committee, pk=behind.pk), data)
    with scopes_disabled():
        plan = PaymentPlan.objects.get()
    assert plan.total == D("120.00") and plan.instalments == 4
    page = text(board_client.get(url("arrears-household", committee, pk=behind.pk)))
    assert page.count("data-instalment=") == 4
    assert problems(committee) == []


@pytest.mark.parametrize(
    "data",
    [
        {"instalments": "0", "first_due_on": "2030-01-01", "client_id": "x"},
        {"instalments": "99", "first_due_on": "2030-01-01", "client_id": "x"},
        {"instalments": "3", "first_due_on": "ayer", "client_id": "x"},
        {"instalments": "3", "first_due_on": "2000-01-01", "client_id": "x"},
    ],
)
def test_a_bad_payment_plan_form_is_answered_on_the_page(committee, board_client, behind, data):
    response = board_client.post(url("arrears-plan", committee, pk=behind.pk), data)
    assert response.status_code == 400
    assert 'id="plan-form"' in text(response)
    with scopes_disabled():
        assert PaymentPlan.objects.count() == 0


def test_the_rules_form_saves_the_rules(committee, board_client):
    response = board_client.post(
        url("arrears-rules", committee),
        {"late_fine_after_days": "15", "disconnect_after_months": "2", "notice_days": "10"},
    )
    assert response.status_code == 302
    with scope(committee=committee):
        rules = Rules.objects.get(committee=committee)
    assert (rules.late_fine_after_days, rules.disconnect_after_months, rules.notice_days) == (
        15,
        2,
        10,
    )
    response = board_client.post(
        url("arrears-rules", committee),
        {"late_fine_after_days": "15", "disconnect_after_months": "0", "notice_days": "10"},
    )
    assert response.status_code == 400


def test_the_fines_button_charges_the_fines(committee, board_client, behind):
    add_tariff(committee)
    set_rules(committee, late_fine_after_days=5)
    assert 'data-action="fines"' in text(board_client.get(url("arrears", committee)))
    response = board_client.post(url("arrears-fines", committee))
    assert response.status_code == 302
    assert [kind for kind, _left in open_left(committee, behind)].count("fine") == 3
    board_client.post(url("arrears-fines", committee))
    assert [kind for kind, _left in open_left(committee, behind)].count("fine") == 3


def test_another_committees_household_is_not_found(committee, board_client, other_committee):
    foreign = add_connection(other_committee, "900")
    charge(other_committee, foreign, "40.00", due_on=date(2025, 1, 20))
    for name in ("arrears-household", "arrears-notice-print"):
        assert board_client.get(url(name, committee, pk=foreign.pk)).status_code == 404
    for name in ("arrears-notice", "arrears-plan", "arrears-disconnect", "arrears-reconnect"):
        response = board_client.post(
            url(name, committee, pk=foreign.pk),
            {"client_id": uuid.uuid4().hex, "instalments": "2", "first_due_on": "2030-01-01"},
        )
        assert response.status_code == 404
    assert events(other_committee) == []
    with scopes_disabled():
        assert PaymentPlan.objects.count() == 0


def test_the_treasurer_may_use_the_arrears_pages(committee, client, behind):
    treasurer = make_user(committee, Role.TREASURER)
    client.force_login(treasurer)
    assert client.get(url("arrears", committee)).status_code == 200


def test_a_refused_action_is_explained_at_the_top_of_the_page(committee, board_client, behind):
    response = board_client.post(
        url("arrears-disconnect", committee, pk=behind.pk), {"client_id": "c-1"}
    )
    assert response.status_code == 400
    assert "flash-error" in text(response)
    assert status_of(committee, behind) == "active"
    # From the list, the message waits on the list.
    board_client.post(url("arrears-notice", committee, pk=behind.pk), {"client_id": "n-1"})
    response = board_client.post(
        url("arrears-notice", committee, pk=behind.pk), {"client_id": "n-2", "next": "list"}
    )
    assert response["Location"] == url("arrears-disconnections", committee)
    assert "flash-error" in text(board_client.get(response["Location"]))
    assert events(committee) == ["notice"]


def test_a_bad_reconnection_fee_is_answered_on_its_field(committee, board_client, household):
    with scope(committee=committee):
        registry.connection_update(connection=household, by=None, status="disconnected")
    response = board_client.post(
        url("arrears-reconnect", committee, pk=household.pk), {"client_id": "r-1", "fee": "-5"}
    )
    assert response.status_code == 400
    assert 'id="reconnect-form"' in text(response)
    assert status_of(committee, household) == "disconnected"
    assert events(committee) == []


def test_printing_a_notice_never_given_goes_back_to_the_household(committee, board_client, behind):
    response = board_client.get(url("arrears-notice-print", committee, pk=behind.pk))
    assert response.status_code == 302
    assert response["Location"] == url("arrears-household", committee, pk=behind.pk)


# --- at the same moment (PostgreSQL: real concurrent connections) ----------------------------


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_same_plan_sent_twice_at_once_is_agreed_once(committee, board_user, three_unpaid):
    def agree():
        return run(
            committee,
            arrears_services.plan_create,
            connection=three_unpaid,
            instalments=3,
            first_due_on=date(2025, 7, 10),
            by=board_user,
            on=JUNE_25,
            client_id="plan-at-once",
        )

    first, second = at_once(agree, agree)
    assert isinstance(first, PaymentPlan) and isinstance(second, PaymentPlan)
    assert first.pk == second.pk
    with scopes_disabled():
        assert OpenItem.objects.filter(document_type="instalment").count() == 3
    assert problems(committee) == []


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_fine_runs_at_once_fine_each_bill_once(committee, three_unpaid):
    set_rules(committee, late_fine_after_days=1)

    def fine():
        return run(
            committee,
            arrears_services.late_fines_apply,
            committee=committee,
            on=JUNE_25,
            by=None,
            amount="5.00",
        )

    results = at_once(fine, fine)
    assert sorted(results) == [0, 3]
    with scopes_disabled():
        assert OpenItem.objects.filter(document_type="fine").count() == 3
    assert problems(committee) == []
