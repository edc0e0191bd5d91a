"""The complaint letter goes through `comunagua.web.printing`: an A4 page, its PDF named after the
committee and the incident, and a clear 400 for a paper it is not printed on."""

import pytest
from django.utils.html import escape

from tests.actors import report_incident, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(committee, well):
    return report_incident(committee)


def test_the_complaint_letters_pdf_is_named_after_the_committee_and_the_incident(
    board_client, committee, incident
):
    response = board_client.get(url("supply-incident-letter-pdf", committee, pk=incident.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    expected = f'attachment; filename="denuncia-villa-esperanza-{incident.pk}.pdf"'
    assert response["Content-Disposition"] == expected


def test_the_complaint_letter_links_to_its_pdf(board_client, committee, incident):
    page = board_client.get(url("supply-incident-letter", committee, pk=incident.pk))
    pdf = url("supply-incident-letter-pdf", committee, pk=incident.pk)
    assert page.status_code == 200 and f'href="{pdf}" id="pdf-link"' in page.content.decode()


@pytest.mark.parametrize("name", ["supply-incident-letter", "supply-incident-letter-pdf"])
@pytest.mark.parametrize("value", ["thermal", "<i>A5</i>"])
def test_the_complaint_letter_is_printed_on_a4_only(board_client, committee, incident, name, value):
    address = url(name, committee, pk=incident.pk)
    assert board_client.get(address, {"format": "A4"}).status_code == 200
    response = board_client.get(address, {"format": value})
    assert response.status_code == 400
    html = response.content.decode()
    assert escape(value) in html and "<i>A5</i>" not in html
    assert f'href="{address}"' in html and "Hoja A4" in html
    assert f'href="{address}?format=thermal"' not in html and "Rollo de 80 mm" not in html
