"""The statement shows the household's whole account (bills, payments, credit notes); the board
corrects a bill with a credit note that never changes the bill, refuses too much or a replay,
and keeps cashiers and other committees out."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from comunagua.billing.models import Bill, CreditNote
from comunagua.ledger.books import checks
from comunagua.ledger.books import selectors as books_selectors
from comunagua.ledger.cash import services as cash_services
from comunagua.tenancy.roles import Role
from tests.actors import make_user

from .test_pages import bills_by_connection, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def billed(committee, board_user, tariff, three):
    from tests.actors import run

    return run(committee)


@pytest.fixture
def bill(committee, billed) -> Bill:
    return bills_by_connection(committee)["2"]  # Bs 52,30


def test_the_statement_shows_the_payment_and_links_its_receipt(
    board_client, committee, board_user, bill
):
    with scope(committee=committee):
        session = cash_services.session_open(committee=committee, cashier=board_user)
        payment = cash_services.payment_take(
            committee=committee,
            connection_id=bill.connection_id,
            amount="50.00",
            method="cash",
            by=board_user,
            session=session,
        )
    html = board_client.get(url("statement", committee, pk=bill.connection_id)).content.decode()
    assert reverse("receipt", kwargs={"committee": committee.slug, "pk": payment.pk}) in html
    assert 'class="statement-balance">Bs 2,30<' in html  # 52,30 billed, 50,00 paid


def test_a_credit_note_takes_back_part_of_a_bill_and_settles_it(board_client, committee, bill):
    page = url("credit-note", committee, pk=bill.pk)
    form = board_client.get(page).content.decode()
    client_id = form.split('name="client_id" value="')[1].split('"')[0]
    data = {"amount": "10,00", "reason": "lectura mal anotada", "client_id": client_id}
    assert board_client.post(page, data).status_code == 302
    assert board_client.post(page, data).status_code == 302  # the same form twice: one note
    with scopes_disabled():
        (note,) = CreditNote.objects.all()
        bill.refresh_from_db()
    assert note.amount == Decimal("10.00") and bill.charges_total == Decimal("52.30")
    with scope(committee=committee):
        balance = books_selectors.balance_of(committee=committee, connection_id=bill.connection_id)
        assert balance == Decimal("42.30")
        assert checks.verify(committee) == []


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("60", "solo le quedan"),
        ("-1", "mayor que cero"),
        ("abc", "Introduzca un número"),
        ("1,234", "decimales"),
    ],
)
def test_a_credit_note_beyond_the_bill_or_not_a_number_is_refused(
    board_client, committee, bill, amount, words
):
    page = url("credit-note", committee, pk=bill.pk)
    data = {"amount": amount, "reason": "x", "client_id": "c-1"}
    html = board_client.post(page, data).content.decode()
    assert words in html
    with scopes_disabled():
        assert CreditNote.objects.count() == 0


def test_cashiers_cannot_issue_credit_notes_and_another_committees_bill_is_not_found(
    client, committee, other_committee, bill
):
    client.force_login(make_user(committee, Role.CASHIER, "cajera2"))
    assert client.get(url("credit-note", committee, pk=bill.pk)).status_code == 403
    outsider = make_user(other_committee, Role.BOARD, "ajena")
    client.force_login(outsider)
    page = reverse("credit-note", kwargs={"committee": other_committee.slug, "pk": bill.pk})
    assert client.get(page).status_code == 404
