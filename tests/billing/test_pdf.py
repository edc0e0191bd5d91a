"""The printed bills as PDF: the very notices of the print pages, on an A4 sheet or an 80 mm
roll, for one bill or a run's batch (a route's, in walking order); drawn offline; and kept to the
same roles and committees as the pages."""

import re
import zlib

import pytest
from django.utils.html import escape
from django_scopes import scope
from weasyprint.formatting_structure import boxes

from comunagua.metering.models import Route, RouteStop
from comunagua.tenancy.roles import Role
from comunagua.web import pdf
from tests.actors import make_user, run

from .test_pages import bills_by_connection, client_as, url

pytestmark = pytest.mark.django_db

PX_PER_MM = 96 / 25.4  # WeasyPrint's pages are measured in CSS pixels
PT_PER_MM = 72 / 25.4  # a PDF's in points


@pytest.fixture
def billed(committee, board_user, tariff, three):
    return run(committee, by=board_user)


@pytest.fixture
def rendered(monkeypatch):
    """Every document the views lay out, to look inside the PDFs they answer."""
    documents = []
    real = pdf.render

    def spy(*args, **kwargs):
        documents.append(real(*args, **kwargs))
        return documents[-1]

    monkeypatch.setattr(pdf, "render", spy)
    return documents


@pytest.fixture
def north(committee, billed):
    """A route that walks to connection 10 first, then to 1 (2 is on no route)."""
    bills = bills_by_connection(committee)
    with scope(committee=committee):
        route = Route.objects.create(committee=committee, name="Ruta Norte")
        for position, number in enumerate(["10", "1"], start=1):
            RouteStop.objects.create(
                committee=committee,
                route=route,
                connection=bills[number].connection,
                position=position,
            )
    return route


def media_boxes_mm(data: bytes) -> list[tuple[float, float]]:
    """Each page's size in mm, read from the PDF itself (its objects are deflated streams)."""
    sizes = []
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            inflated = zlib.decompressobj().decompress(data[match.end() :])
        except zlib.error:
            continue
        for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", inflated):
            left, bottom, right, top = (float(n) for n in box.split())
            sizes.append((round((right - left) / PT_PER_MM), round((top - bottom) / PT_PER_MM)))
    return sizes


def text_of(page) -> str:
    """The words laid out on a page. WeasyPrint subsets and compresses the fonts of the PDF, so
    its text is read from the layout (internal boxes: fine for a test)."""
    words = [b.text for b in page._page_box.descendants() if isinstance(b, boxes.TextBox)]
    return " ".join(" ".join(words).replace("\N{NO-BREAK SPACE}", " ").split())


def has_chart(page) -> bool:
    return any(
        type(getattr(b, "replacement", None)).__name__ == "SVGImage" and b.width > 0
        for b in page._page_box.descendants()
    )


def notices_on(page) -> list[str]:
    return [name for name in page.anchors if name.startswith("bill-")]


def test_a_bills_pdf_is_one_a4_page_named_after_the_bill(board_client, committee, billed):
    bill = bills_by_connection(committee)["2"]
    answer = board_client.get(url("bill-pdf", committee, pk=bill.pk))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
    assert answer["Content-Disposition"] == f'attachment; filename="aviso-{bill.number:06d}.pdf"'
    assert media_boxes_mm(answer.content) == [(210, 297)]


def test_the_pdf_shows_the_number_connection_consumption_total_due_date_and_chart(
    board_client, committee, billed, rendered
):
    bill = bills_by_connection(committee)["2"]
    board_client.get(url("bill-pdf", committee, pk=bill.pk))
    (document,) = rendered
    (page,) = document.pages
    text = text_of(page)
    assert committee.name in text
    assert f"N.º {bill.number}" in text
    assert "Conexión 2 · Residencial · con alcantarillado" in text
    assert "Calle Los Pinos 2" in text and "M-villa-esperanza-2" in text
    assert "Consumo 12,5 m³" in text
    assert "Total a pagar Bs 52,30" in text
    assert "Pague hasta el 20/04/2025" in text
    assert "Cómo pagar" in text
    assert has_chart(page)
    assert document.metadata.title == f"Aviso de cobranza {bill.number} · {committee.name}"


def test_the_thermal_pdf_is_80_mm_wide_and_cut_just_below_its_notice(
    board_client, committee, billed, rendered
):
    bill = bills_by_connection(committee)["10"]
    answer = board_client.get(url("bill-pdf", committee, pk=bill.pk), {"format": "thermal"})
    assert answer.status_code == 200
    assert answer["Content-Disposition"].endswith(f'filename="aviso-{bill.number:06d}-80mm.pdf"')
    ((width, height),) = media_boxes_mm(answer.content)
    assert width == 80
    # Laid out on a 1 m strip, then cut: a notice is longer than an A6 card, shorter than A4.
    assert 148 < height < 297, height
    (page,) = rendered[0].pages
    bottom = page.anchors[f"bill-{bill.number}"][-1]
    assert bottom < page.height <= bottom + 10 * PX_PER_MM
    text = text_of(page)
    assert "Total a pagar Bs 122,50" in text
    assert "Pague hasta el 20/04/2025" in text
    assert has_chart(page)


def test_a_runs_pdf_has_a_page_per_bill_in_number_order_with_an_outline(
    board_client, committee, billed, rendered
):
    answer = board_client.get(url("run-print-pdf", committee, pk=billed.pk))
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == 'attachment; filename="avisos-2025-03.pdf"'
    assert media_boxes_mm(answer.content) == [(210, 297)] * 3
    bills = sorted(bills_by_connection(committee).values(), key=lambda b: b.number)
    (document,) = rendered
    assert [notices_on(page) for page in document.pages] == [[f"bill-{b.number}"] for b in bills]
    outline = [label for label, _target, _children, _state in document.make_bookmark_tree()]
    assert outline == [f"{b.number} · {b.connection.number} · {b.member}" for b in bills], outline
    assert "Total a pagar Bs 52,30" in text_of(document.pages[1])


def test_a_routes_thermal_pdf_holds_its_bills_in_walking_order_each_cut_to_length(
    board_client, committee, north, rendered
):
    bills = bills_by_connection(committee)
    answer = board_client.get(
        url("run-print-pdf", committee, pk=bills["1"].run_id),
        {"route": north.pk, "format": "thermal"},
    )
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == (
        'attachment; filename="avisos-2025-03-ruta-norte-80mm.pdf"'
    )
    sizes = media_boxes_mm(answer.content)
    assert [width for width, _height in sizes] == [80, 80]
    assert all(148 < height < 297 for _width, height in sizes), sizes
    (document,) = rendered
    assert [notices_on(page) for page in document.pages] == [
        [f"bill-{bills['10'].number}"],
        [f"bill-{bills['1'].number}"],
    ]
    assert document.metadata.title.startswith("Avisos de 03/2025 · Ruta Norte")


def test_a_route_without_bills_gives_a_short_page_that_says_so(
    board_client, committee, billed, rendered
):
    with scope(committee=committee):
        empty = Route.objects.create(committee=committee, name="Ruta Vacía")
    answer = board_client.get(
        url("run-print-pdf", committee, pk=billed.pk), {"route": empty.pk, "format": "thermal"}
    )
    assert answer.status_code == 200
    ((width, height),) = media_boxes_mm(answer.content)
    assert width == 80 and height < 40
    assert "No hay avisos para imprimir." in text_of(rendered[0].pages[0])


def test_the_print_pages_link_to_their_pdf_on_the_same_paper_and_route(
    board_client, committee, north
):
    bill = bills_by_connection(committee)["1"]
    html = board_client.get(url("bill-detail", committee, pk=bill.pk)).content.decode()
    assert f'href="{url("bill-pdf", committee, pk=bill.pk)}"' in html
    thermal = board_client.get(
        url("bill-detail", committee, pk=bill.pk), {"format": "thermal"}
    ).content.decode()
    assert f'href="{url("bill-pdf", committee, pk=bill.pk)}?format=thermal"' in thermal
    batch = board_client.get(
        url("run-print", committee, pk=bill.run_id), {"route": north.pk, "format": "thermal"}
    ).content.decode()
    pdf_url = url("run-print-pdf", committee, pk=bill.run_id)
    assert f'href="{pdf_url}?route={north.pk}&amp;format=thermal"' in batch
    run_page = board_client.get(url("run-detail", committee, pk=bill.run_id)).content.decode()
    assert f'href="{pdf_url}"' in run_page  # the whole run, A4
    assert f'formaction="{pdf_url}"' in run_page  # the route and paper chosen in the form


def test_a_cashier_downloads_the_pdfs_and_a_member_household_gets_403(client, committee, billed):
    bill = bills_by_connection(committee)["1"]
    addresses = (
        url("bill-pdf", committee, pk=bill.pk),
        url("run-print-pdf", committee, pk=billed.pk),
    )
    cashier = client_as(client, committee, Role.CASHIER, "cajera")
    for address in addresses:
        assert cashier.get(address)["Content-Type"] == "application/pdf", address
    client.force_login(make_user(committee, Role.MEMBER, "socia"))
    for address in addresses:
        assert client.get(address).status_code == 403, address
    client.logout()
    for address in addresses:
        assert client.get(address).status_code == 302, address  # to the login page


def test_another_committees_bill_run_and_route_pdfs_are_not_found(
    client, committee, other_committee, north
):
    bill = bills_by_connection(committee)["1"]
    other_board = client_as(client, other_committee, Role.BOARD, "otra-directiva")
    assert other_board.get(url("bill-pdf", other_committee, pk=bill.pk)).status_code == 404
    assert other_board.get(url("run-print-pdf", other_committee, pk=bill.run_id)).status_code == 404
    with scope(committee=other_committee):
        foreign = Route.objects.create(committee=other_committee, name="Ruta ajena")
    client.force_login(make_user(committee, Role.BOARD, "directiva-2"))
    answer = client.get(url("run-print-pdf", committee, pk=bill.run_id), {"route": foreign.pk})
    assert answer.status_code == 404


@pytest.mark.parametrize("value", ["pdf", "thermal-pdf", "letter", "<b>80mm</b>"])
@pytest.mark.parametrize("name", ["bill-detail", "bill-pdf", "run-print", "run-print-pdf"])
def test_an_unknown_paper_answers_400_with_a_link_to_each_paper_there_is(
    board_client, committee, north, name, value
):
    bill = bills_by_connection(committee)["1"]
    pk = bill.pk if name.startswith("bill") else bill.run_id
    address = url(name, committee, pk=pk)
    answer = board_client.get(address, {"format": value, "route": north.pk})
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("text/html")
    html = answer.content.decode()
    assert escape(value) in html and "<b>80mm</b>" not in html  # shown, escaped
    assert f'href="{address}?route={north.pk}"' in html  # A4
    assert f'href="{address}?route={north.pk}&amp;format=thermal"' in html
    assert "Hoja A4" in html and "Rollo de 80 mm" in html


@pytest.mark.parametrize(("value", "width"), [("a4", 210), ("A4", 210), (" Thermal ", 80)])
def test_a_paper_is_understood_whatever_its_case(board_client, committee, billed, value, width):
    bill = bills_by_connection(committee)["1"]
    answer = board_client.get(url("bill-pdf", committee, pk=bill.pk), {"format": value})
    assert answer.status_code == 200
    assert media_boxes_mm(answer.content)[0][0] == width


def test_the_pdf_reads_our_static_files_from_disk_and_fetches_nothing_else():
    fetcher = pdf.StaticOnlyFetcher("http://testserver/")
    css = fetcher.fetch("http://testserver/static/billing/bill.css")
    assert b".notice" in css.read()
    assert css.content_type == "text/css"
    for refused in (
        "http://example.org/static/billing/bill.css",  # another host
        "http://testserver/media/x.png",  # not a static file
        "http://testserver/static/billing/missing.css",
        "http://testserver/static/../../settings.py",
        "file:///etc/passwd",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(refused)
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
