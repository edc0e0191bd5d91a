"""The books' pages: the board records an expense, writes a manual entry that balances, renames
and adds accounts; the trial balance always adds up; bad input is answered and changes nothing;
cashiers and other committees are kept out."""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from comunagua.ledger.books import checks
from comunagua.ledger.books import services as books_services
from comunagua.ledger.models import Account, Expense, JournalEntry
from tests.actors import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(committee):
    with scope(committee=committee):
        return books_services.accounts_by_role(committee)


def entries() -> int:
    with scopes_disabled():
        return JournalEntry.objects.count()


def test_an_expense_is_recorded_once_and_shows_in_the_trial_balance(
    board_client, committee, accounts
):
    data = {
        "on": "2025-04-10",
        "account": accounts["electricity"].pk,
        "amount": "1.520,40",
        "supplier": "ELFEC",
        "document_number": "F-123",
        "paid_from": "bank",
        "client_id": "form-1",
    }
    response = board_client.post(url("books-expenses", committee), data)
    assert response.status_code == 302
    board_client.post(url("books-expenses", committee), data)  # the same form sent twice
    with scopes_disabled():
        (expense,) = Expense.objects.all()
    assert expense.amount == Decimal("1520.40")
    html = board_client.get(url("books-home", committee)).content.decode()
    row = html[html.index('data-role="electricity"') :]
    assert "Bs 1\xa0520,40" in row[: row.index("</tr>")]
    assert 'id="total-debit">Bs 1\xa0520,40' in html
    assert 'id="total-credit">Bs 1\xa0520,40' in html
    with scope(committee=committee):
        assert checks.verify(committee) == []


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"amount": "-5"}, "mayor que cero"),
        ({"amount": "abc"}, "Introduzca un número"),
        ({"supplier": ""}, "obligatorio"),
        ({"account": "999999"}, "Escoja una opción válida"),
    ],
)
def test_a_bad_expense_is_answered_in_spanish_and_records_nothing(
    board_client, committee, accounts, change, words
):
    data = {
        "on": "2025-04-10",
        "account": accounts["chlorine"].pk,
        "amount": "250",
        "supplier": "Química Andina",
        "paid_from": "cash",
        "client_id": "form-2",
        **change,
    }
    html = board_client.post(url("books-expenses", committee), data).content.decode()
    assert words in html
    assert entries() == 0


def test_an_income_account_cannot_be_used_for_an_expense(board_client, committee, accounts):
    data = {
        "on": "2025-04-10",
        "account": accounts["water_sales"].pk,
        "amount": "250",
        "supplier": "X",
        "paid_from": "cash",
        "client_id": "form-3",
    }
    html = board_client.post(url("books-expenses", committee), data).content.decode()
    assert "Escoja una opción válida" in html
    assert entries() == 0


def test_a_manual_entry_that_balances_is_posted_and_one_that_does_not_is_refused(
    board_client, committee, accounts
):
    lines = {
        "on": "2025-04-01",
        "memo": "Préstamo municipal para el tanque",
        "account_1": accounts["bank"].pk,
        "debit_1": "48000",
        "account_2": accounts["loans_payable"].pk,
        "credit_2": "47000",
    }
    html = board_client.post(url("books-manual-entry", committee), lines).content.decode()
    assert "no cuadra" in html and entries() == 0
    lines["credit_2"] = "48000"
    assert board_client.post(url("books-manual-entry", committee), lines).status_code == 302
    assert entries() == 1
    with scope(committee=committee):
        assert checks.verify(committee) == []


def test_household_accounts_are_not_offered_for_manual_entries(board_client, committee, accounts):
    html = board_client.get(url("books-manual-entry", committee)).content.decode()
    assert f'value="{accounts["receivable"].pk}"' not in html


def test_the_board_adds_an_account_and_cannot_take_away_one_the_books_need(
    board_client, committee, accounts
):
    new = {
        "code": "5107",
        "name": "Combustible del generador",
        "kind": "expense",
        "is_active": "on",
    }
    assert board_client.post(url("books-chart", committee), new).status_code == 302
    html = board_client.post(url("books-chart", committee), new).content.decode()
    assert "Otra cuenta ya tiene este código" in html  # the same code again is refused
    cash = accounts["cash"]
    off = {"code": cash.code, "name": "Caja chica", "kind": "asset"}  # is_active unticked
    html = board_client.post(url("books-account", committee, pk=cash.pk), off).content.decode()
    assert "no se puede desactivar" in html
    with scopes_disabled():
        cash.refresh_from_db()
        assert cash.is_active and cash.name != "Caja chica"
        assert Account.objects.filter(code="5107").count() == 1


def test_the_journal_lists_every_entry_with_its_postings(board_client, committee, accounts):
    with scope(committee=committee):
        books_services.expense_record(
            committee=committee,
            account=accounts["repairs"],
            amount="80.00",
            on=date(2025, 4, 3),
            supplier="Ferretería",
            paid_from="cash",
            by=None,
        )
    html = board_client.get(url("books-journal", committee)).content.decode()
    assert 'data-entry="1"' in html and "Ferretería" in html


def test_another_committees_account_is_not_found_here(board_client, committee, other_committee):
    with scope(committee=other_committee):
        foreign = books_services.accounts_by_role(other_committee)["cash"]
    assert board_client.get(url("books-account", committee, pk=foreign.pk)).status_code == 404
