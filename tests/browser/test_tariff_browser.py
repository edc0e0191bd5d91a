"""On a 360 px phone: a member of the board reads the tariff, works out a month's bill in place
(htmx) and opens the form for a new version, without sideways scrolling."""

from datetime import timedelta

import pytest
from django_scopes import scope

from comunagua.tariffs import services
from comunagua.tenancy.roles import Role
from tests.actors import PASSWORD, login, make_committee, make_user
from tests.tariffs.helpers import EXAMPLE_FILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_the_board_prices_a_month_on_a_phone_and_opens_the_form_for_a_new_tariff(
    page,
    live_server,
):
    committee = make_committee("Comité de Agua Tarifa (prueba)", "tarifa-prueba")
    make_user(committee, Role.BOARD, "directiva")
    with scope(committee=committee):
        tariff = services.tariff_create(
            committee=committee,
            by=None,
            effective_from=committee.today() - timedelta(days=30),
            toml_text=EXAMPLE_FILE.read_text(encoding="utf-8"),
        )

    login(page, live_server, "directiva", PASSWORD)
    page.wait_for_url(f"**/{committee.slug}/")
    page.goto(f"{live_server.url}/{committee.slug}/tarifas/")
    page.click(f"a:has-text('{tariff.name}')")
    page.wait_for_selector("#category-commercial")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert "Bs 18,00" in page.inner_text("#category-residential")

    page.fill("input[name=m3]", "12,5")
    page.select_option("select[name=category]", "residential")
    page.click("form.quote button[type=submit]")
    page.wait_for_selector("#quote .total")
    assert "Bs 45,50" in page.inner_text("#quote .total")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    page.goto(f"{live_server.url}/{committee.slug}/tarifas/nueva/")
    page.wait_for_selector("textarea[name=source]")
    assert "Multa por mora" in page.input_value("textarea[name=source]")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
