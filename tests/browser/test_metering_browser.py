"""A reader on a cheap phone walks a route: types a reading, presses Enter, the next field
opens and the row comes back saved, or flagged, without a page load."""

import os

import pytest
from django_scopes import scope, scopes_disabled

from comunagua.metering.models import Reading
from comunagua.metering.readings import services as reading_services
from comunagua.metering.rounds import services as round_services
from comunagua.registry import services as registry
from comunagua.tenancy.roles import Role
from tests.actors import (
    PASSWORD,
    add_connection,
    login,
    make_committee,
    make_user,
    month_read,
    open_round,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
SHOTS = os.environ.get("METERING_SCREENSHOTS")  # a folder: keep screenshots to look at


def test_a_reader_enters_a_route_with_enter_and_sees_each_row_saved_or_flagged(
    page,
    live_server,
):
    committee = make_committee("Comité de Agua Lecturas (prueba)", "lecturas-prueba")
    make_user(committee, Role.READER, "lector")
    with scope(committee=committee):
        sector = registry.sector_get_or_create(committee=committee, name="Loma Alta")
    a, b, c = (add_connection(committee, n, sector=sector) for n in ("101", "102", "103"))
    with scope(committee=committee):
        (route,) = round_services.routes_from_sectors(committee=committee)
    month_read(committee, 2025, 1, {a: 120, b: 99990, c: 40})
    february = open_round(committee, 2025, 2)

    login(page, live_server, "lector", PASSWORD)
    page.wait_for_url(f"**/{committee.slug}/lecturas/app/")  # a reader lands in the app
    page.goto(f"{live_server.url}/{committee.slug}/lecturas/rondas/{february.pk}/rutas/{route.pk}/")
    first, second, third = (f"#r-{x.pk}" for x in (a, b, c))

    page.fill(first, "131,5")
    page.press(first, "Enter")
    assert page.evaluate("document.activeElement.id") == f"r-{b.pk}"
    page.wait_for_selector(f"#row-{a.pk}[data-status=accepted]")

    page.fill(second, "12")  # 99990 -> 12: a roll-over, flagged for the office
    page.press(second, "Enter")
    page.wait_for_selector(f"#row-{b.pk}[data-status=flagged]")
    assert "rollover" in page.get_attribute(f"#row-{b.pk}", "data-flags")
    assert page.evaluate("document.activeElement.id") == f"r-{c.pk}"

    page.fill(third, "cuarenta")  # refused beside the field, nothing stored
    page.press(third, "Enter")
    page.wait_for_selector(f"#row-{c.pk}.has-error")
    assert page.input_value(third) == "cuarenta"
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/route-entry-360.png", full_page=True)

    with scopes_disabled():
        entered = Reading.objects.filter(round=february).order_by("connection__number")
        assert [(r.connection.number, str(r.value), r.status) for r in entered] == [
            ("101", "131.500", "accepted"),
            ("102", "12.000", "flagged"),
        ]


def test_the_round_page_fits_a_phone_and_lists_the_flags(page, live_server):
    committee = make_committee("Comité de Agua Ronda (prueba)", "ronda-prueba")
    make_user(committee, Role.TREASURER, "tesorera")
    with scope(committee=committee):
        sector = registry.sector_get_or_create(committee=committee, name="Loma Alta")
    a = add_connection(committee, "101", sector=sector)
    with scope(committee=committee):
        round_services.routes_from_sectors(committee=committee)
    month_read(committee, 2025, 1, {a: 120})
    february = open_round(committee, 2025, 2)
    with scope(committee=committee):
        reading_services.reading_enter(round=february, connection=a, value=110, by=None)

    login(page, live_server, "tesorera", PASSWORD)
    page.wait_for_url(f"**/{committee.slug}/")
    page.goto(f"{live_server.url}/{committee.slug}/lecturas/rondas/{february.pk}/")
    page.wait_for_selector("article.flag[data-flags=below_previous]")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/round-360.png", full_page=True)
