"""Two cashiers at the same moment, on PostgreSQL with real concurrent connections: the same debt
cannot be paid twice, the same request is recorded once, and receipts keep their numbers without
gaps."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from comunagua.ledger.books import checks
from comunagua.ledger.cash import services as cash_services
from comunagua.ledger.models import Payment
from comunagua.tenancy.roles import Role
from tests.actors import D, charge, make_user
from tests.concurrency import at_once

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_tills(committee):
    tills = []
    for name in ("cajera1", "cajera2"):
        user = make_user(committee, Role.CASHIER, name)
        with scope(committee=committee):
            tills.append((user, cash_services.session_open(committee=committee, cashier=user)))
    return tills


def paying(committee, household, till, amount, **kwargs):
    user, session = till

    def call():
        with scope(committee=committee):
            return cash_services.payment_take(
                committee=committee,
                connection_id=household.pk,
                amount=amount,
                method="cash",
                by=user,
                session=session,
                **kwargs,
            )

    return call


def test_two_cashiers_paying_the_same_bill_at_once_record_one_payment(
    committee, household, two_tills
):
    charge(committee, household, "38.00", due_on=date(2025, 4, 20))
    results = at_once(
        *(
            paying(committee, household, till, "38.00", expected_balance=D("38.00"))
            for till in two_tills
        )
    )
    paid = [r for r in results if isinstance(r, Payment)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(paid) == 1 and len(refused) == 1, results
    with scopes_disabled():
        assert list(Payment.objects.values_list("number", flat=True)) == [1]
    with scope(committee=committee):
        assert checks.verify(committee) == []


def test_the_same_request_sent_twice_at_once_is_recorded_once(committee, household, two_tills):
    charge(committee, household, "38.00")
    till = two_tills[0]
    results = at_once(
        paying(committee, household, till, "20.00", client_id="phone-1"),
        paying(committee, household, till, "20.00", client_id="phone-1"),
    )
    assert all(isinstance(r, Payment) for r in results), results
    assert results[0].pk == results[1].pk
    with scopes_disabled():
        assert Payment.objects.count() == 1
    with scope(committee=committee):
        assert checks.verify(committee) == []


def test_ten_payments_at_once_on_different_households_number_receipts_without_gaps(
    committee, board_user, two_tills
):
    from tests.actors import add_connection

    households = [add_connection(committee, str(100 + n), by=board_user) for n in range(10)]
    for household in households:
        charge(committee, household, "10.00")
    results = at_once(
        *(
            paying(committee, household, two_tills[n % 2], "10.00")
            for n, household in enumerate(households)
        )
    )
    assert all(isinstance(r, Payment) for r in results), results
    assert sorted(r.number for r in results) == list(range(1, 11))
    with scope(committee=committee):
        assert checks.verify(committee) == []
