"""The ledger's pages read the same few queries whatever the number of rows they show: the
disconnection list (households due, households cut with the reconnection fee prefilled) and the
household search of the cash desk and of the bank line."""

from datetime import date
from pathlib import Path

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from comunagua.ledger.arrears import arithmetic as arrears_arithmetic
from comunagua.ledger.bank import services as bank_services
from comunagua.ledger.cash import selectors as cash_selectors
from comunagua.registry import services as registry
from comunagua.tariffs import services as tariff_services
from tests.actors import add_connection, charge, pay, url

pytestmark = pytest.mark.django_db

CSV = (
    "Fecha;Descripción;Nro. Documento;Débito;Crédito;Saldo\n"
    "12/03/2025;DEPÓSITO EN EFECTIVO;100205;;80,00;80,00\n"
)


@pytest.fixture
def tariff(committee):
    """The example tariff: its reconnection fee is 50.00."""
    with scope(committee=committee):
        return tariff_services.tariff_create(
            committee=committee,
            by=None,
            effective_from=date(2016, 1, 1),
            toml_text=Path("docs/examples/tarifa-2016.toml").read_text(),
        )


def add_households(committee, start: int, count: int) -> None:
    """`count` households with three bills long past due, and as many cut off."""
    for n in range(start, start + count):
        due = add_connection(committee, f"D{n}")
        cut = add_connection(committee, f"C{n}")
        for months in (5, 4, 3):
            on = arrears_arithmetic.add_months(date.today(), -months)
            charge(committee, due, "40.00", due_on=on)
            charge(committee, cut, "40.00", due_on=on)
        with scope(committee=committee):
            registry.connection_update(connection=cut, by=None, status="disconnected")


def queries(client, address, **params) -> tuple[int, str]:
    with CaptureQueriesContext(db_connection) as captured:
        response = client.get(address, params)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_disconnection_list_reads_the_fee_once_whatever_the_number_of_rows(
    committee, board_client, tariff
):
    address = url("arrears-disconnections", committee)
    add_households(committee, 0, 3)
    few, page = queries(board_client, address)
    assert page.count('name="fee"') == 3 and page.count('value="50,00"') == 3
    add_households(committee, 3, 9)
    many, page = queries(board_client, address)
    assert page.count('name="fee"') == 12 and page.count('value="50,00"') == 12
    assert page.count('data-ready="no"') == 12  # the households due, listed too
    assert many == few


def test_the_household_search_reads_the_same_queries_for_one_match_or_many(
    committee, django_assert_max_num_queries
):
    for n in range(12):
        add_connection(committee, f"{n + 1:03d}")
    with scope(committee=committee):
        with CaptureQueriesContext(db_connection) as for_one:
            one = cash_selectors.household_matches(committee=committee, text="001")
        with CaptureQueriesContext(db_connection) as for_many:
            many = cash_selectors.household_matches(committee=committee, text="Quispe")
        assert len(for_many.captured_queries) == len(for_one.captured_queries) <= 3
        with django_assert_max_num_queries(0):
            assert cash_selectors.household_matches(committee=committee, text="  ") == []
    assert [m["connection"].number for m in one] == ["001"]
    assert len(many) == 12
    assert [str(h) for h in many[0]["holders"]] == ["Rosa Quispe 001"]


def test_the_cash_desk_and_the_bank_line_show_the_same_matches(
    committee, client, board_user, cashier, session
):
    owing = add_connection(committee, "7")
    charge(committee, owing, "40.00")
    pay(committee, owing, "15.00", session=session, by=cashier)
    add_connection(committee, "70")
    with scope(committee=committee):
        statement = bank_services.statement_import(
            committee=committee, content=CSV.encode(), filename="extracto.csv", by=board_user
        )
        line = statement.lines.get()
    client.force_login(cashier)
    desk = client.get(url("cash-home", committee), {"q": "7"}, HTTP_HX_REQUEST="true")
    client.force_login(board_user)
    found = client.get(url("bank-line", committee, pk=line.pk), {"q": "7"}, HTTP_HX_REQUEST="true")
    for response in (desk, found):
        html = response.content.decode().replace("\N{NO-BREAK SPACE}", " ")
        assert html.count('class="match-number"') == 2
        assert "Rosa Quispe 7<" in html and "Rosa Quispe 70<" in html
        assert "Bs 25,00" in html and "Bs 0,00" in html


def test_a_search_with_control_characters_finds_what_the_printable_part_names(
    committee, client, cashier, session
):
    """A NUL in the box (a broken scanner, a pasted cell) is an error on PostgreSQL if it reaches
    the query: it is read as a space instead."""
    add_connection(committee, "7")
    client.force_login(cashier)
    response = client.get(url("cash-home", committee), {"q": "\x007\x01"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().count('class="match-number"') == 1
