"""POST /committees/{slug}/payments: a payment taken once per client id, bad input refused with
a reason and nothing taken."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django_scopes import scope

from comunagua.ledger.cash import services as cash_services
from comunagua.ledger.models import Payment
from comunagua.tenancy.roles import Role
from tests.actors import Api, charge, make_user, slug_path, token_for
from tests.concurrency import at_once


@pytest.fixture
def till(committee, cashier, houses):
    with scope(committee=committee):
        cash_services.session_open(committee=committee, cashier=cashier)
    charge(committee, houses[0], "38.00")
    return Api(token_for(cashier))


def payments(committee):
    with scope(committee=committee):
        return list(Payment.objects.values_list("connection__number", "amount", "method"))


def pay(api, committee, **body):
    body = {"client_id": "caja-1", "connection": "101", "amount": "20.00", "method": "cash", **body}
    return api.post(slug_path(committee, "payments"), body)


def test_a_payment_is_taken_and_its_replay_takes_nothing(committee, till):
    first = pay(till, committee)
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "stored"
    assert first.json()["balance_after"] == "18.00"
    assert "/recibo/" in first.json()["receipt_url"]
    again = pay(till, committee)
    assert again.json()["status"] == "duplicate"
    assert again.json()["receipt_number"] == first.json()["receipt_number"]
    assert len(payments(committee)) == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"amount": "-5"}, "rejected"),
        ({"amount": "abc"}, "rejected"),
        ({"amount": "0.001"}, "rejected"),
        ({"amount": "1e30"}, "rejected"),
        ({"amount": 10**40}, "rejected"),
        ({"connection": "999"}, "unknown_connection"),
        ({"method": "transfer"}, "rejected"),  # a transfer needs its reference
        ({"method": "cheque"}, "invalid_request"),
        ({"received_on": "2999-01-01"}, "future_date"),
    ],
)
def test_bad_payments_are_refused_and_take_nothing(committee, till, body, code):
    response = pay(till, committee, **body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert payments(committee) == []


def test_a_client_id_reused_for_another_amount_is_refused(committee, till):
    pay(till, committee)
    response = pay(till, committee, amount="10.00")
    assert response.status_code == 422
    assert len(payments(committee)) == 1


def test_cash_needs_the_cashiers_open_session_but_a_transfer_does_not(committee, houses):
    board = Api(token_for(make_user(committee, Role.TREASURER, "tesorera")))
    assert pay(board, committee).status_code == 422
    ok = pay(board, committee, method="transfer", reference="BNB-123", client_id="t-1")
    assert ok.status_code == 200
    assert payments(committee) == [
        ("101", ok.json()["amount"] and payments(committee)[0][1], "transfer")
    ]


def test_a_reader_cannot_take_payments(committee, till, reader_api):
    assert pay(reader_api, committee).status_code == 403
    assert payments(committee) == []


def test_a_payment_without_a_date_is_dated_by_the_committees_clock_not_the_servers(committee, till):
    """A committee far from the server's zone: the payment is dated its own today."""
    server_today = datetime.now(ZoneInfo(settings.TIME_ZONE)).date()
    zone = next(
        name
        for name in ("Pacific/Kiritimati", "Pacific/Pago_Pago")  # 25 h apart: one always differs
        if datetime.now(ZoneInfo(name)).date() != server_today
    )
    committee.timezone = zone
    committee.save(update_fields=["timezone"])
    answer = pay(till, committee)
    assert answer.status_code == 200, answer.content
    assert answer.json()["received_on"] == datetime.now(ZoneInfo(zone)).date().isoformat()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_payment_and_its_replay_racing_each_other_are_told_apart_correctly(committee, till):
    """The phone's retry arrives while the first request is still being written: one answer
    says stored, the other duplicate, and one receipt is taken."""
    answers = at_once(*[lambda: pay(till, committee)] * 2)
    assert len(payments(committee)) == 1
    statuses = sorted(a.json().get("status") or a.json()["error"]["code"] for a in answers)
    assert statuses == ["duplicate", "stored"]
    assert len({a.json()["receipt_number"] for a in answers}) == 1
