"""The ledger's print pages follow the one rule of `comunagua.web.printing`: `?format=` asks for an
A4 sheet (nothing, `a4`) or an 80 mm roll (`thermal`), in any case; anything else answers 400 with
a link to each paper the page has. Each PDF answers as a PDF under a file name that says what it
is."""

from datetime import date

import pytest
from django.utils.html import escape
from django_scopes import scope

from comunagua.ledger.arrears import arithmetic as arrears_arithmetic
from comunagua.ledger.arrears import services as arrears_services
from tests.actors import add_connection, charge, pay, url

pytestmark = pytest.mark.django_db

UNKNOWN = ["pdf", "letter", "<b>80mm</b>"]


@pytest.fixture
def payment(committee, household, session, cashier):
    charge(committee, household, "38.00", due_on=date(2025, 3, 20))
    return pay(committee, household, "38.00", session=session, by=cashier)


@pytest.fixture
def noticed(committee, household, board_user):
    for months in (5, 4, 3):
        charge(
            committee,
            household,
            "40.00",
            due_on=arrears_arithmetic.add_months(committee.today(), -months),
        )
    with scope(committee=committee):
        arrears_services.notice_give(connection=household, by=board_user, on=committee.today())
    return household


def assert_refused(response, address: str, value: str, *, thermal: bool = True) -> None:
    """A 400 page repeating the value (escaped) with a link to each paper, the query kept."""
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert escape(value) in html and "<b>80mm</b>" not in html
    assert 'id="bad-paper"' in html and "Formato de papel desconocido" in html
    assert f'href="{address}?x=1"' in html and "Hoja A4" in html
    assert (f'href="{address}?x=1&amp;format=thermal"' in html) is thermal
    assert ("Rollo de 80 mm" in html) is thermal


@pytest.mark.parametrize("value", UNKNOWN)
@pytest.mark.parametrize("name", ["receipt", "receipt-pdf"])
def test_an_unknown_paper_for_a_receipt_answers_400_with_a_link_to_each_paper(
    board_client, committee, payment, name, value
):
    address = url(name, committee, pk=payment.pk)
    response = board_client.get(address, {"format": value, "x": "1"})
    assert_refused(response, address, value)


def test_the_receipts_refusal_speaks_of_the_page_not_of_bills(board_client, committee, payment):
    response = board_client.get(url("receipt", committee, pk=payment.pk), {"format": "letter"})
    html = response.content.decode()
    assert "se pueda imprimir esta página" in html  # the pages are in Spanish
    assert "imprimir los avisos" not in html


@pytest.mark.parametrize(("value", "body"), [("A4", "a4"), (" Thermal ", "thermal"), ("", "a4")])
def test_a_receipts_paper_is_understood_whatever_its_case(
    board_client, committee, payment, value, body
):
    response = board_client.get(url("receipt", committee, pk=payment.pk), {"format": value})
    assert response.status_code == 200
    assert f'<body class="{body}">' in response.content.decode()


def test_the_closing_report_and_the_notice_refuse_an_unknown_paper_too(
    board_client, committee, payment, session, noticed
):
    for address in (
        url("session-report", committee, pk=session.pk),
        url("arrears-notice-print", committee, pk=noticed.pk),
    ):
        assert board_client.get(address, {"format": "thermal"}).status_code == 200
        assert_refused(board_client.get(address, {"format": "A5", "x": "1"}), address, "A5")


@pytest.mark.parametrize(
    ("paper", "name"), [("", "recibo-000001.pdf"), ("thermal", "recibo-000001-80mm.pdf")]
)
def test_the_receipt_pdf_is_named_after_its_number_and_paper(
    board_client, committee, payment, paper, name
):
    assert payment.number == 1
    response = board_client.get(url("receipt-pdf", committee, pk=payment.pk), {"format": paper})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_the_receipt_page_links_to_its_pdf_on_the_same_paper(board_client, committee, payment):
    pdf = url("receipt-pdf", committee, pk=payment.pk)
    page = board_client.get(url("receipt", committee, pk=payment.pk)).content.decode()
    assert f'href="{pdf}"' in page
    page = board_client.get(url("receipt", committee, pk=payment.pk), {"format": "thermal"})
    assert f'href="{pdf}?format=thermal"' in page.content.decode()


def test_the_monthly_report_pdf_is_named_after_the_committee_and_the_month(board_client, committee):
    add_connection(committee, "7")
    response = board_client.get(url("report-pdf", committee, period="2025-04"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    expected = 'attachment; filename="informe-villa-esperanza-2025-04.pdf"'
    assert response["Content-Disposition"] == expected


@pytest.mark.parametrize("name", ["report-month", "report-pdf"])
def test_the_monthly_report_is_printed_on_a4_only(board_client, committee, name):
    address = url(name, committee, period="2025-04")
    assert board_client.get(address, {"format": "a4"}).status_code == 200
    response = board_client.get(address, {"format": "thermal", "x": "1"})
    assert_refused(response, address, "thermal", thermal=False)
