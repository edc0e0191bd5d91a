"""The reader's app on a phone with no signal: readings entered offline survive a reload, are
sent when the signal comes back, and are stored exactly once, even when the same queue is sent
from two phones."""

import pytest
from django.utils import timezone
from django_scopes import scope

from comunagua.lib.periods import Period
from comunagua.metering.models import Reading
from comunagua.metering.rounds import services
from comunagua.registry import services as registry
from comunagua.tenancy.roles import Role
from tests.actors import PASSWORD, add_connection, login, make_committee, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
APP_READY = "document.body.dataset.ready === '1'"
CONTROLLED = "navigator.serviceWorker.controller !== null"


def hillside():
    committee = make_committee("Comité de Agua Lector (prueba)", "lector-prueba")
    make_user(committee, Role.READER, "lector")
    make_user(committee, Role.READER, "lector2")
    with scope(committee=committee):
        sector = registry.sector_get_or_create(committee=committee, name="Loma Alta")
    houses = [add_connection(committee, n, sector=sector) for n in ("101", "102", "103")]
    with scope(committee=committee):
        services.routes_from_sectors(committee=committee)
        services.round_open(committee=committee, period=Period.of(timezone.localdate()), by=None)
    return committee, houses


def stored(committee) -> list[tuple[str, str]]:
    with scope(committee=committee):
        return sorted(
            (number, str(value))
            for number, value in Reading.objects.values_list("connection__number", "value")
        )


def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-BO")
    context.set_default_timeout(15_000)
    return context, context.new_page()


def open_app_with_route(page, live_server, username):
    """Log in (the reader lands in the app), let the service worker take over, download the
    route while there is signal."""
    login(page, live_server, username, PASSWORD)
    page.wait_for_url("**/lecturas/app/")
    page.wait_for_function(APP_READY)
    page.wait_for_function(CONTROLLED)
    page.click(".route .download")
    page.wait_for_url("**#r/**")
    page.wait_for_selector(".stop")


def read(page, value: str) -> None:
    page.fill("#value", value)
    page.click("button.save")


def pending(page) -> str:
    return page.inner_text("#pending-count")


def test_offline_readings_survive_a_reload_and_are_stored_once_when_the_signal_returns(
    browser, live_server
):
    committee, _houses = hillside()
    context, page = phone(browser)
    open_app_with_route(page, live_server, "lector")

    context.set_offline(True)
    page.click(".stop a >> nth=0")
    page.wait_for_selector("#value")
    assert page.inner_text(".number") == "101"
    assert "0.000" in page.inner_text(".previous")
    read(page, "0")  # nothing used in an occupied house: a warning before moving on
    page.wait_for_selector(".warnings:not([hidden])")
    assert "Sin consumo" in page.inner_text(".warnings") or "No consumption" in page.inner_text(
        ".warnings"
    )
    assert page.inner_text(".number") == "101"
    read(page, "12,5")  # a different value: no warning, saved
    page.wait_for_function("document.querySelector('.number').textContent === '102'")
    read(page, "4")
    page.wait_for_function("document.querySelector('.number').textContent === '103'")
    read(page, "7.25")
    page.wait_for_selector(".stops")
    assert pending(page) == "3"
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert stored(committee) == []

    page.reload()  # still offline: the service worker serves the app, IndexedDB the queue
    page.wait_for_function(APP_READY)
    assert pending(page) == "3"
    assert page.locator(".stop.queued").count() == 3

    context.set_offline(False)  # the "online" event sends the queue by itself
    page.wait_for_function("document.querySelector('#pending-count').textContent === '0'")
    assert stored(committee) == [("101", "12.500"), ("102", "4.000"), ("103", "7.250")]
    page.click("#sync")  # sending again finds nothing to send and stores nothing
    page.wait_for_function("document.querySelector('#sync-status').textContent !== ''")
    assert stored(committee) == [("101", "12.500"), ("102", "4.000"), ("103", "7.250")]
    context.close()


# Two browsers writing at once need real concurrent connections: SQLite's shared in-memory test
# database answers "table is locked" instead of waiting.
@pytest.mark.postgresql
def test_the_same_queue_sent_from_two_phones_at_once_is_stored_once(browser, live_server):
    committee, _houses = hillside()
    first_context, first = phone(browser)
    second_context, second = phone(browser)
    open_app_with_route(first, live_server, "lector")
    open_app_with_route(second, live_server, "lector2")

    first_context.set_offline(True)
    first.click(".stop a >> nth=0")
    for value in ("12", "4", "7"):
        read(first, value)
        first.wait_for_timeout(50)
    first.wait_for_selector(".stops")
    queue = first.evaluate("comunaguaReader.queued()")
    assert len(queue) == 3
    # The second phone holds the very same readings (same UUIDs), as after a restored backup.
    second_context.set_offline(True)
    second.evaluate(
        """async (items) => {
            const db = await comunaguaReader.dbReady;
            for (const item of items) await db.put("queue", item);
        }""",
        queue,
    )
    second.reload()
    second.wait_for_function(APP_READY)
    assert pending(second) == "3"

    # Both come back online and send at the same moment.
    first_context.set_offline(False)
    second_context.set_offline(False)
    first.evaluate("comunaguaReader.sync(true)")
    second.evaluate("comunaguaReader.sync(true)")
    for page in (first, second):
        page.wait_for_function("document.querySelector('#pending-count').textContent === '0'")
    assert stored(committee) == [("101", "12.000"), ("102", "4.000"), ("103", "7.000")]
    answers = [
        r["status"] for p in (first, second) for r in p.evaluate("comunaguaReader.results()")
    ]
    assert sorted(answers) == ["duplicate"] * 3 + ["stored"] * 3
    first_context.close()
    second_context.close()
