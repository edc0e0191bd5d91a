"""A volunteer on a cheap phone: logs in, finds a household, opens its connection."""

import pytest

from comunagua.tenancy.roles import Role
from tests.actors import PASSWORD, add_connection, login, make_committee, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_a_treasurer_logs_in_finds_a_connection_and_reads_it_in_spanish_on_360_px(
    page, live_server
):
    committee = make_committee("Comité de Agua María Auxiliadora (prueba)", "maria-prueba")
    make_user(committee, Role.TREASURER, "tesorera")
    for number in ("101", "102", "103"):
        add_connection(committee, number)

    login(page, live_server, "tesorera", PASSWORD)
    page.wait_for_url(f"**/{committee.slug}/")
    assert page.get_attribute("html", "lang") == "es"

    page.click("text=Conexiones")
    page.wait_for_selector("h1:has-text('Conexiones')")
    assert page.locator("table.list tbody tr").count() == 3
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    # Live search: typing swaps the rows in place (htmx), without a page load.
    page.fill("input[name=q]", "Quispe 102")
    page.wait_for_function("document.querySelectorAll('table.list tbody tr').length === 1")
    assert page.locator("table.list tbody").inner_text().startswith("102")

    page.click("table.list tbody a:has-text('102')")
    page.wait_for_selector("h1:has-text('Conexión 102')")
    body = page.inner_text("body")
    for words in ("Titular", "Medidores", "Historial", "Dirección", "Activa"):
        assert words in body
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


def test_the_login_page_refuses_a_wrong_password_in_spanish(page, live_server):
    make_user(None, None, "alguien")
    login(page, live_server, "alguien", "equivocada")
    assert "contraseña" in page.inner_text("[role=alert]")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
