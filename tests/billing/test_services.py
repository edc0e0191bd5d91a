"""The billing run and credit notes, against hand-computed amounts."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from comunagua.billing import selectors, services
from comunagua.billing.models import Bill, BillingRun, CreditNote, ImmutableError
from comunagua.ledger.books import selectors as ledger_selectors
from comunagua.registry.models import Connection
from comunagua.tariffs import engine
from comunagua.tenancy.models import NumberSequence
from comunagua.tenancy.roles import Role
from tests.actors import (
    APRIL,
    ISSUED,
    MARCH,
    add_connection,
    close_round,
    make_tariff,
    make_user,
    month_read,
    open_round,
    read,
    run,
)

D = Decimal


def bills_of(committee, period=MARCH):
    with scope(committee=committee):
        return {
            b.connection.number: b
            for b in selectors.bills_of_period(committee=committee, period=period)
        }


def last_number(committee, kind):
    found = NumberSequence.objects.filter(committee=committee, kind=kind).first()
    return 0 if found is None else found.last


# --- the run -----------------------------------------------------------------------------------


def test_a_run_bills_every_active_connection_exactly_to_the_centavo(
    committee, board_user, tariff, three
):
    billing_run = run(committee, by=board_user)
    bills = bills_of(committee)

    assert billing_run.bill_count == 3
    assert billing_run.tariff == tariff
    assert billing_run.issued_on == ISSUED and billing_run.due_on == date(2025, 4, 20)
    # 0 m³ residential: the fixed charge only.
    assert bills["1"].lines == [{"code": "fixed", "amount": "18.00", "m3": None, "price": None}]
    assert bills["1"].charges_total == D("18.00")
    # 12.5 m³ residential with sewer: 18.00 + 10 x 2.00 + 2.5 x 3.00 = 45.50 of water;
    # sewer 15 % = 6.825 -> 6.83; 52.33 rounded half-up to 0.10 = 52.30 (rounding -0.03).
    assert bills["2"].lines == [
        {"code": "fixed", "amount": "18.00", "m3": None, "price": None},
        {"code": "block1", "amount": "20.00", "m3": "10", "price": "2.00"},
        {"code": "block2", "amount": "7.50", "m3": "2.500", "price": "3.00"},
        {"code": "sewer", "amount": "6.83", "m3": None, "price": None},
        {"code": "rounding", "amount": "-0.03", "m3": None, "price": None},
    ]
    assert bills["2"].charges_total == D("52.30")
    # 25 m³ commercial, minimum 5 m³: 30.00 + (10 - 5) x 3.50 + (25 - 10) x 5.00 = 122.50.
    assert [line["amount"] for line in bills["10"].lines] == ["30.00", "17.50", "75.00"]
    assert bills["10"].charges_total == D("122.50")
    assert sum(b.charges_total for b in bills.values()) == D("192.80")

    for bill in bills.values():
        assert bill.previous_balance == D("0.00")
        assert bill.total_due == bill.charges_total
        assert bill.period == MARCH.first_day
        assert bill.due_on == date(2025, 4, 20)
        assert not bill.estimated and bill.reading_id is not None
    assert bills["2"].has_sewer and bills["10"].category == "commercial"
    assert bills["2"].consumption_m3 == D("12.5")
    assert (bills["2"].previous_value, bills["2"].current_value) == (D(0), D("12.5"))
    assert bills["1"].member.last_names == "Quispe 1"


def test_bill_numbers_follow_connection_numbers_without_gaps(committee, board_user, tariff, three):
    run(committee, by=board_user)
    bills = bills_of(committee)
    # "10" comes after "2": human order, not text order.
    assert [(n, b.number) for n, b in sorted(bills.items(), key=lambda i: i[1].number)] == [
        ("1", 1),
        ("2", 2),
        ("10", 3),
    ]
    assert last_number(committee, "bill") == 3


def test_running_twice_issues_nothing_new(committee, board_user, tariff, three):
    first = run(committee, by=board_user)
    second = run(committee, by=board_user, issued_on=date(2025, 4, 9))
    assert second.pk == first.pk
    with scope(committee=committee):
        assert Bill.objects.count() == 3
        assert BillingRun.objects.count() == 1
    assert last_number(committee, "bill") == 3


def test_a_run_that_fails_halfway_leaves_no_bill_and_consumes_no_number(
    committee, board_user, tariff, three, monkeypatch
):
    real = engine.quote
    calls = []

    def breaks_on_the_third(*args, **kwargs):
        calls.append(kwargs["category"])
        if len(calls) == 3:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "quote", breaks_on_the_third)
    with pytest.raises(RuntimeError):
        run(committee, by=board_user)
    with scope(committee=committee):
        assert not Bill.objects.exists()
        assert not BillingRun.objects.exists()
    assert last_number(committee, "bill") == 0

    monkeypatch.setattr(engine, "quote", real)
    run(committee, by=board_user)
    assert sorted(b.number for b in bills_of(committee).values()) == [1, 2, 3]


def test_a_run_is_refused_while_the_round_is_open(committee, board_user, tariff, connection):
    reading_round = open_round(committee, 2025, 3, board_user)
    read(reading_round, connection, "7", board_user)
    with pytest.raises(ValidationError, match="still open"):
        run(committee, by=board_user)
    with scope(committee=committee):
        assert not BillingRun.objects.exists()


def test_a_run_is_refused_without_a_reading_round(committee, board_user, tariff, connection):
    with pytest.raises(ValidationError, match="missing or still open"):
        run(committee, by=board_user)


def test_a_run_is_refused_without_a_tariff_in_force(committee, board_user, three):
    make_tariff(committee, board_user, start=date(2025, 3, 2))  # starts after the 1st
    with pytest.raises(ValidationError, match="No tariff is in force on 01/03/2025"):
        run(committee, by=board_user)
    assert last_number(committee, "bill") == 0


def test_an_active_connection_without_a_reading_refuses_the_whole_run(
    committee, board_user, tariff, three
):
    add_connection(committee, "11", by=board_user)  # joined after the round closed
    with pytest.raises(ValidationError, match="1 active connection has no reading to bill: 11"):
        run(committee, by=board_user)
    with scope(committee=committee):
        assert not Bill.objects.exists()


def test_suspended_connections_are_not_billed(committee, board_user, tariff, three):
    plain, _sewer, _shop = three
    with scope(committee=committee):
        Connection.objects.filter(pk=plain.pk).update(status=Connection.Status.SUSPENDED)
    assert run(committee, by=board_user).bill_count == 2
    assert sorted(bills_of(committee)) == ["10", "2"]


def test_an_estimated_reading_is_billed_and_marked(committee, board_user, tariff, connection):
    reading_round = open_round(committee, 2025, 3, board_user)
    close_round(reading_round, board_user)  # the round estimates the unread connection
    run(committee, by=board_user)
    bill = bills_of(committee)["101"]
    assert bill.estimated
    expected = engine.quote(tariff.engine(), category="residential", m3=bill.consumption_m3)
    assert bill.charges_total == expected.total


# --- immutability ------------------------------------------------------------------------------


def test_a_bill_cannot_be_modified_or_deleted(committee, board_user, tariff, three):
    run(committee, by=board_user)
    bill = bills_of(committee)["2"]
    bill.charges_total = D("1.00")
    with scope(committee=committee):
        with pytest.raises(ImmutableError):
            bill.save()
        with pytest.raises(ImmutableError):
            bill.delete()
        assert Bill.objects.get(pk=bill.pk).charges_total == D("52.30")
    assert not hasattr(services, "bill_delete") and not hasattr(services, "bill_update")


# --- credit notes ------------------------------------------------------------------------------


def credit(bill, amount, reason="reading typed wrong", by=None, **kwargs):
    with scope(committee=bill.committee):
        return services.credit_note_issue(bill=bill, amount=amount, reason=reason, by=by, **kwargs)


def test_credit_notes_take_back_at_most_the_bill_charges(committee, board_user, tariff, three):
    run(committee, by=board_user)
    bill = bills_of(committee)["2"]  # 52.30

    first = credit(bill, "50.00", by=board_user)
    assert (first.number, first.amount) == (1, D("50.00"))
    with pytest.raises(ValidationError, match=r"only 2\.30 left"):
        credit(bill, "2.31", by=board_user)
    second = credit(bill, "2.30", by=board_user)
    assert second.number == 2
    with pytest.raises(ValidationError, match=r"only 0\.00 left"):
        credit(bill, "0.01", by=board_user)
    assert last_number(committee, "credit_note") == 2


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        ("0", "x", "greater than zero"),
        ("-5", "x", "greater than zero"),
        ("1.005", "x", "two decimal places"),
        ("abc", "x", "as a number"),
        ("1.00", "   ", "Say why"),
    ],
)
def test_a_credit_note_needs_a_positive_amount_and_a_reason(
    committee, board_user, tariff, three, amount, reason, message
):
    run(committee, by=board_user)
    bill = bills_of(committee)["10"]
    with pytest.raises(ValidationError, match=message):
        credit(bill, amount, reason=reason, by=board_user)
    with scope(committee=committee):
        assert not CreditNote.objects.exists()
    assert last_number(committee, "credit_note") == 0


def test_a_replayed_credit_note_is_issued_once(committee, board_user, tariff, three):
    run(committee, by=board_user)
    bill = bills_of(committee)["10"]
    first = credit(bill, "100.00", by=board_user, client_id="phone-1-note-7")
    again = credit(bill, "100.00", by=board_user, client_id="phone-1-note-7")
    assert again.pk == first.pk
    with scope(committee=committee):
        assert CreditNote.objects.count() == 1
    assert last_number(committee, "credit_note") == 1
    with pytest.raises(ValidationError, match="already used"):
        credit(bill, "5.00", by=board_user, client_id="phone-1-note-7")


def test_a_credit_note_cannot_be_modified_or_deleted(committee, board_user, tariff, three):
    run(committee, by=board_user)
    note = credit(bills_of(committee)["10"], "10.00", by=board_user)
    note.amount = D("1.00")
    with scope(committee=committee):
        with pytest.raises(ImmutableError):
            note.save()
        with pytest.raises(ImmutableError):
            note.delete()


# --- balances ----------------------------------------------------------------------------------


def test_the_previous_balance_carries_into_the_next_month(committee, board_user, tariff, three):
    plain, sewer, shop = three
    run(committee, by=board_user)
    march = bills_of(committee)
    credit(march["10"], "22.50", by=board_user)
    # April: plain 0 -> 10 m³ (18 + 20 = 38.00); sewer 12.5 -> 12.5 (0 m³: 18.00 + 15 % = 20.70);
    # shop 25 -> 25 m³ (30.00).
    month_read(committee, 2025, 4, {plain: "10", sewer: "12.5", shop: "25"}, board_user)
    run(committee, period=APRIL, by=board_user, issued_on=date(2025, 5, 5))
    april = bills_of(committee, APRIL)

    assert april["1"].charges_total == D("38.00")
    assert april["1"].previous_balance == D("18.00")
    assert april["1"].total_due == D("56.00")
    assert april["2"].charges_total == D("20.70")
    assert april["2"].previous_balance == D("52.30")
    assert april["2"].total_due == D("73.00")
    assert april["10"].charges_total == D("30.00")
    assert april["10"].previous_balance == D("100.00")  # 122.50 - 22.50
    assert april["10"].total_due == D("130.00")
    assert [b.number for b in sorted(april.values(), key=lambda b: b.number)] == [4, 5, 6]


def test_the_household_account_runs_a_balance_through_bills_and_credit_notes(
    committee, board_user, tariff, three
):
    plain, sewer, shop = three
    run(committee, by=board_user)
    credit(bills_of(committee)["10"], "22.50", by=board_user, issued_on=date(2025, 4, 10))
    month_read(committee, 2025, 4, {plain: "10", sewer: "12.5", shop: "25"}, board_user)
    run(committee, period=APRIL, by=board_user, issued_on=date(2025, 5, 5))

    with scope(committee=committee):
        rows = ledger_selectors.household_lines(committee=committee, connection_id=shop.pk)
    assert [
        (
            r["document_type"],
            r["date"],
            r["document_number"],
            r["debit"] - r["credit"],
            r["balance"],
        )
        for r in rows
    ] == [
        ("bill", date(2025, 4, 5), "3", D("122.50"), D("122.50")),
        ("credit_note", date(2025, 4, 10), "1", D("-22.50"), D("100.00")),
        ("bill", date(2025, 5, 5), "6", D("30.00"), D("130.00")),
    ]
    assert rows[-1]["balance"] == bills_of(committee, APRIL)["10"].total_due


# --- tenants -----------------------------------------------------------------------------------


def test_another_committees_bills_never_mix_in(
    committee, other_committee, board_user, tariff, three
):
    other_user = make_user(other_committee, Role.BOARD)
    make_tariff(other_committee, other_user)
    theirs = add_connection(other_committee, "1", by=other_user)
    month_read(other_committee, 2025, 3, {theirs: "30"}, other_user)
    run(other_committee, by=other_user)
    run(committee, by=board_user)

    ours = bills_of(committee)
    their_bills = bills_of(other_committee)
    assert sorted(ours) == ["1", "10", "2"]
    assert list(their_bills) == ["1"]
    # Numbers are per committee: both start at 1.
    assert their_bills["1"].number == 1 and ours["1"].number == 1
    assert their_bills["1"].previous_balance == D("0.00")
    with scope(committee=committee):
        assert Bill.objects.filter(committee=committee).count() == 3
        assert not Bill.objects.filter(connection=theirs).exists()
        lines = ledger_selectors.household_lines(committee=committee, connection_id=theirs.pk)
        assert lines == []
    with scope(committee=other_committee), pytest.raises(Bill.DoesNotExist):
        Bill.objects.filter(committee=other_committee).get(pk=ours["1"].pk)
    assert last_number(other_committee, "bill") == 1
    assert last_number(committee, "bill") == 3


# --- speed -------------------------------------------------------------------------------------


def test_a_run_takes_as_many_queries_for_many_connections_as_for_few(
    committee, other_committee, board_user, tariff, three
):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    make_tariff(other_committee, board_user)
    many = [add_connection(other_committee, str(n), by=board_user) for n in range(1, 13)]
    month_read(other_committee, 2025, 3, {c: str(n) for n, c in enumerate(many)}, board_user)
    march_run = run(other_committee, period=MARCH, by=board_user)
    assert march_run.bill_count == 12

    month_read(other_committee, 2025, 4, {c: str(n + 3) for n, c in enumerate(many)}, board_user)
    with CaptureQueriesContext(db) as many_queries:
        run(other_committee, period=APRIL, by=board_user)
    month_read(committee, 2025, 4, dict(zip(three, ["1", "13", "26"], strict=True)), board_user)
    run(committee, by=board_user)
    with CaptureQueriesContext(db) as few_queries:
        run(committee, period=APRIL, by=board_user)
    assert len(many_queries) == len(few_queries)
    assert len(few_queries) <= 30  # the run, its bills and their posting to the books


@pytest.fixture(autouse=True)
def _messages_in_english():
    """These tests match the service's message ids; the Spanish is checked on the pages."""
    from django.utils import translation

    with translation.override("en"):
        yield
