"""The operator on a cheap phone logs a day at the well in one short form, and the month's water
balance shows the water pumped against what the households were billed."""

import os

import pytest
from django_scopes import scope, scopes_disabled

from comunagua.registry import services as registry
from comunagua.supply.models import MeterReading
from comunagua.tenancy.roles import Role
from tests.actors import (
    PASSWORD,
    add_connection,
    login,
    make_committee,
    make_meter,
    make_tank,
    make_tariff,
    make_user,
    make_well,
    month_read,
    run,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
SHOTS = os.environ.get("SUPPLY_SCREENSHOTS")  # a folder: keep screenshots to look at


def test_an_operator_logs_a_day_on_a_phone_and_sees_it_in_the_months_balance(page, live_server):
    committee = make_committee("Comité de Agua Pozo (prueba)", "pozo-prueba")
    make_user(committee, Role.OPERATOR, "operador")
    with scope(committee=committee):
        sector = registry.sector_get_or_create(committee=committee, name="Loma Alta")
    a, b = (add_connection(committee, n, sector=sector) for n in ("101", "102"))
    make_tariff(committee)
    month_read(committee, 2025, 3, {a: "20", b: "16"})  # 36 m³ billed in March
    run(committee)
    well = make_well(committee)
    meter = make_meter(committee, source=well)  # reads 1000 at installation
    tank = make_tank(committee)

    login(page, live_server, "operador", PASSWORD)
    page.wait_for_url(f"**/{committee.slug}/")
    page.goto(f"{live_server.url}/{committee.slug}/agua/diario/")
    page.fill("#id_day", "2025-03-31")
    page.fill(f"#id_meter-{meter.pk}", "1048")
    page.fill("#id_pump_hours", "4,5")
    page.fill("#id_energy_kwh", "80")
    page.fill(f"#id_tank-{tank.pk}", "75")
    page.fill("#id_chlorine_kg", "0,15")
    page.click("#interruption summary")
    page.select_option("#id_interruption_cause", "power")
    page.fill("#id_interruption_hours", "2")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/operator-log-360.png", full_page=True)
    page.click("#save-log")
    page.wait_for_selector("tr[data-day='2025-03-31'][data-produced='48.000']")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    page.goto(f"{live_server.url}/{committee.slug}/agua/balance/?desde=2025-03&hasta=2025-03")
    system_input = page.locator("tr[data-key=system_input_m3]")
    assert system_input.get_attribute("data-value") == "48.000"
    billed = page.locator("tr[data-key=billed_authorized_m3]")
    assert billed.get_attribute("data-value") == "36.000"
    month = page.locator("#months tr[data-period='2025-03']")
    assert month.get_attribute("data-nrw") == "25.00"  # 12 of 48 m³ not billed
    assert page.locator("#nrw-chart rect.bar[data-period='2025-03']").count() == 1
    cut = page.locator("#interruptions tr[data-day='2025-03-31'][data-cause='power']")
    assert cut.locator("td.hours").inner_text() == "2"
    assert cut.locator("td.cause").inner_text().startswith("Corte de energía")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/balance-360.png", full_page=True)

    with scopes_disabled():
        reading = MeterReading.objects.get()
        assert (str(reading.value), str(reading.volume_m3)) == ("1048.000", "48.000")
