"""The bills' PDFs answer as PDFs under a file name that says what they are: the bill's number,
the run's month and route, the paper. The page that refuses an unknown paper still speaks of
bills."""

import pytest
from django_scopes import scope

from comunagua.metering.models import Route, RouteStop
from tests.actors import run

from .test_pages import bills_by_connection, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def billed(committee, board_user, tariff, three):
    return run(committee, by=board_user)


def assert_pdf(response, filename: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'


@pytest.mark.parametrize(
    ("paper", "suffix"), [("", ".pdf"), ("a4", ".pdf"), ("thermal", "-80mm.pdf")]
)
def test_a_bills_pdf_is_named_after_its_number_and_paper(
    board_client, committee, billed, paper, suffix
):
    bill = bills_by_connection(committee)["1"]
    response = board_client.get(url("bill-pdf", committee, pk=bill.pk), {"format": paper})
    assert_pdf(response, f"aviso-{bill.number:06d}{suffix}")


def test_a_runs_pdf_is_named_after_its_month_its_route_and_its_paper(
    board_client, committee, billed
):
    with scope(committee=committee):
        route = Route.objects.create(committee=committee, name="Ruta Norte")
        RouteStop.objects.create(
            committee=committee,
            route=route,
            connection=bills_by_connection(committee)["1"].connection,
            position=1,
        )
    address = url("run-print-pdf", committee, pk=billed.pk)
    assert_pdf(board_client.get(address), f"avisos-{billed.period:%Y-%m}.pdf")
    assert_pdf(
        board_client.get(address, {"route": route.pk, "format": "thermal"}),
        f"avisos-{billed.period:%Y-%m}-ruta-norte-80mm.pdf",
    )


def test_the_refusal_of_an_unknown_paper_on_a_bill_speaks_of_bills(board_client, committee, billed):
    bill = bills_by_connection(committee)["1"]
    response = board_client.get(url("bill-detail", committee, pk=bill.pk), {"format": "letter"})
    assert response.status_code == 400
    assert "imprimir los avisos" in response.content.decode()
