"""The late-payment fine at billing time, by the committee's rule: a household with a bill unpaid
more than N days past its due date is fined the tariff's late_fine once for that bill, and its
next bill's previous balance includes it; one that paid is not; with N = 0 nobody is fined."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from comunagua.billing.models import Bill
from comunagua.ledger.arrears import services as arrears_services
from comunagua.ledger.books import checks
from comunagua.ledger.books import selectors as books_selectors
from comunagua.ledger.cash import services as cash_services
from comunagua.ledger.models import OpenItem, Rules
from comunagua.tariffs.services import tariff_create
from tests.actors import APRIL, MARCH, TARIFF, add_connection, month_read, run

pytestmark = pytest.mark.django_db

WITH_FINE = (
    TARIFF
    + """
[[charge]]
code = "late_fine"
name = "Multa por mora"
amount = "5.00"
"""
)


@pytest.fixture
def two(committee, board_user):
    with scope(committee=committee):
        tariff_create(
            committee=committee, by=board_user, effective_from=date(2025, 1, 1), toml_text=WITH_FINE
        )
    payer = add_connection(committee, "1", by=board_user)
    late = add_connection(committee, "2", by=board_user)
    month_read(committee, 2025, 3, {payer: "10", late: "10"}, board_user)
    month_read(committee, 2025, 4, {payer: "20", late: "20"}, board_user)
    return payer, late


def rule(committee, days):
    with scope(committee=committee):
        Rules.objects.create(committee=committee, late_fine_after_days=days)


def pay_march(committee, connection, board_user):
    with scope(committee=committee):
        session = cash_services.session_open(committee=committee, cashier=board_user)
        cash_services.payment_take(
            committee=committee,
            connection_id=connection.pk,
            amount="38.00",
            method="cash",
            by=board_user,
            session=session,
            received_on=date(2025, 4, 15),
        )


def april_bill(connection) -> Bill:
    with scopes_disabled():
        return Bill.objects.get(connection=connection, period=APRIL.first_day)


def test_an_unpaid_bill_brings_the_fine_on_the_next_one(committee, board_user, two):
    payer, late = two
    rule(committee, 10)
    run(committee, MARCH, board_user, issued_on=date(2025, 4, 5))  # due 20 April
    pay_march(committee, payer, board_user)
    run(committee, APRIL, board_user, issued_on=date(2025, 5, 5))  # 15 days past due
    assert april_bill(late).charges_total == Decimal("38.00")
    assert april_bill(late).previous_balance == Decimal("43.00")  # March's 38 and the fine
    assert april_bill(payer).previous_balance == Decimal("0.00")
    with scope(committee=committee):
        assert books_selectors.account_balance(committee=committee, role="fines") == Decimal(
            "-5.00"
        )
        fines = OpenItem.objects.filter(committee=committee, document_type="fine")
        assert [(f.connection_id, f.amount) for f in fines] == [(late.pk, Decimal("5.00"))]
        assert checks.verify(committee) == []


def test_a_bill_is_fined_once_however_long_it_stays_unpaid(committee, board_user, two):
    _payer, late = two
    rule(committee, 10)
    run(committee, MARCH, board_user, issued_on=date(2025, 4, 5))
    run(committee, APRIL, board_user, issued_on=date(2025, 5, 5))
    with scope(committee=committee):
        # Both April bills (due 20 May) are fined now; March's is not fined again.
        assert (
            arrears_services.late_fines_apply(committee=committee, on=date(2025, 6, 5), by=None)
            == 2
        )
        fined = OpenItem.objects.filter(committee=committee, document_type="fine")
        assert fined.filter(connection=late).count() == 2


def test_no_fine_before_the_days_of_grace_have_passed(committee, board_user, two):
    _payer, late = two
    rule(committee, 20)
    run(committee, MARCH, board_user, issued_on=date(2025, 4, 5))
    run(committee, APRIL, board_user, issued_on=date(2025, 5, 5))  # 15 days: within grace
    assert april_bill(late).previous_balance == Decimal("38.00")


@pytest.mark.parametrize("days", [None, 0])
def test_without_a_rule_or_with_zero_days_nobody_is_fined(committee, board_user, two, days):
    _payer, late = two
    if days is not None:
        rule(committee, days)
    run(committee, MARCH, board_user, issued_on=date(2025, 4, 5))
    run(committee, APRIL, board_user, issued_on=date(2025, 5, 5))
    assert april_bill(late).previous_balance == Decimal("38.00")


def test_a_rule_with_a_tariff_that_has_no_fine_stops_the_run_and_says_why(committee, board_user):
    from tests.actors import make_tariff

    make_tariff(committee, board_user)
    one = add_connection(committee, "1", by=board_user)
    month_read(committee, 2025, 3, {one: "10"}, board_user)
    month_read(committee, 2025, 4, {one: "20"}, board_user)
    rule(committee, 10)
    run(committee, MARCH, board_user, issued_on=date(2025, 4, 5))
    with pytest.raises(ValidationError, match="late_fine"):
        run(committee, APRIL, board_user, issued_on=date(2025, 5, 5))
