"""The money loop end to end on a 360 px phone, as the board does it each month: read a route
with the keyboard, accept a meter's roll-over with a reason, close the round, bill the month
and open the printed notice a household receives."""

import os
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django_scopes import scope

from comunagua.metering.rounds import services as round_services
from comunagua.registry import services as registry
from comunagua.tenancy.roles import Role
from tests.actors import (
    PASSWORD,
    add_connection,
    login,
    make_committee,
    make_tariff,
    make_user,
    month_read,
    open_round,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
FOCUSED = "document.activeElement.id"
SHOTS = os.environ.get("BILLING_SCREENSHOTS")  # a folder: keep screenshots to look at
NBSP = "\N{NO-BREAK SPACE}"


def _four_digit_connection(committee, number: str, sector):
    """A connection whose old meter has four dials, near their end: after 9999 it shows 0000."""
    return add_connection(
        committee,
        number,
        sector=sector,
        meter={"serial": "VIEJO-4D", "digits": 4, "initial_reading": Decimal("9978")},
    )


def _text(page, selector: str) -> str:
    """What the eye reads: spaces of any kind as plain spaces."""
    return " ".join(page.inner_text(selector).replace(NBSP, " ").split())


def test_a_board_member_reads_a_route_by_keyboard_accepts_a_roll_over_and_prints_the_bill(
    page,
    live_server,
):
    committee = make_committee("Comité de Agua Facturación (prueba)", "facturacion-prueba")
    make_user(committee, Role.BOARD, "directiva")
    make_tariff(committee)  # residential: Bs 18 fixed, 2/m³ to 10, 3/m³ to 20; sewer +15 %
    with scope(committee=committee):
        sector = registry.sector_get_or_create(committee=committee, name="Loma Alta")
    a = add_connection(committee, "101", sector=sector)
    b = _four_digit_connection(committee, "102", sector)
    c = add_connection(committee, "103", sector=sector, has_sewer=True)
    with scope(committee=committee):
        round_services.routes_from_sectors(committee=committee)
    month_read(committee, 2025, 1, {a: 120, b: 9990, c: 40})
    open_round(committee, 2025, 2)

    login(page, live_server, "directiva", PASSWORD)
    page.wait_for_url(f"**/{committee.slug}/")

    # Readings menu -> February's round -> the route.
    page.click("nav.main-nav a:text-is('Lecturas')")
    page.click("a:text-is('Febrero 2025')")
    page.click("a:text-is('Loma Alta')")
    page.wait_for_selector(f"#r-{a.pk}")

    # Type each reading and press Enter: the next field opens and the row comes back saved
    # (or flagged) before the next one is typed. Waiting keeps the posts one at a time: the
    # live server shares one in-memory SQLite connection between its request threads.
    page.focus(f"#r-{a.pk}")
    page.keyboard.type("131,5")
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED) == f"r-{b.pk}"
    page.wait_for_selector(f"#row-{a.pk}[data-status=accepted]")
    page.keyboard.type("5")  # the four dials went 9990 -> 0005
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED) == f"r-{c.pk}"
    page.wait_for_selector(f"#row-{b.pk}[data-status=flagged]")
    page.keyboard.type("48")
    page.keyboard.press("Enter")  # the last field: Enter leaves it, which saves it
    page.wait_for_selector(f"#row-{c.pk}[data-status=accepted]")
    assert "✓ 11,5 m³" in _text(page, f"#row-{a.pk}")
    assert "✓ 8 m³" in _text(page, f"#row-{c.pk}")
    assert "rollover" in page.get_attribute(f"#row-{b.pk}", "data-flags").split()
    assert "¿vuelta del medidor?" in _text(page, f"#row-{b.pk}")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/route-entered-360.png", full_page=True)

    # The round lists the roll-over with what it will bill; the board accepts it with a reason.
    page.click("a:text-is('Volver a la ronda')")
    flag = page.locator("article.flag[data-flags~=rollover]")
    assert "Conexión 102" in flag.inner_text()
    assert "15 m³" in flag.inner_text()  # 9990 -> 0005 on four dials: 10 + 5
    flag.locator("input[name=reason]").fill("El medidor de 4 dígitos dio la vuelta; visto en sitio")
    flag.locator("button[value=accept]").click()
    page.wait_for_selector(".flash-success")
    assert "Nada por revisar." in _text(page, "#flags")
    decided = page.locator("details.card")
    decided.locator("summary").click()
    accepted = decided.locator("tr[data-status=accepted]")
    assert "102" in accepted.inner_text()
    assert "dio la vuelta" in accepted.inner_text()

    # Close the round (nothing is missing, nothing left to review).
    page.click("button[data-action=close]")
    page.wait_for_selector(".badge-round-closed")
    assert "Ronda cerrada" in _text(page, ".flash-success")

    # Billing menu -> bill February.
    page.click("nav.main-nav a:text-is('Facturación')")
    page.fill("input[name=period]", "2025-02")
    assert page.input_value("input[name=due_days]") == "15"
    page.click("button:text-is('Emitir avisos')")
    page.wait_for_url(re.compile(r"/facturacion/corridas/\d+/$"))
    assert "3 avisos" in _text(page, ".flash-success")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 3
    rolled = rows.filter(has=page.get_by_role("link", name="102", exact=True))
    assert rolled.locator("td.num").first.inner_text() == "15"  # m³
    assert rolled.locator("td.num").last.inner_text().replace(NBSP, " ") == "Bs 53,00"
    # 11.5 m³: 18 + 20 + 4.50;  15 m³: 18 + 20 + 15;  8 m³ with sewer: (18 + 16) x 1.15
    assert "Bs 134,60" in _text(page, "table.list tfoot")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    # The printed notice of the roll-over connection.
    rolled.locator("td:first-child a").click()
    page.wait_for_selector("article.notice")
    assert page.text_content("article.notice h1") == "Aviso de cobranza"  # CSS capitals it
    notice = _text(page, "article.notice")
    assert "Febrero 2025" in notice
    assert "102 · Residencial" in notice
    assert "VIEJO-4D" in notice
    assert _text(page, "table.readings") == (
        "Lectura anterior 9 990 Lectura actual 5 Consumo 15 m³ "
        "(el medidor pasó de su último número y volvió a empezar desde cero)"
    ), _text(page, "table.readings")  # the household can see why 9 990 → 5 is 15 m³
    assert _text(page, ".total-due") == "Bs 53,00"
    due = committee.today() + timedelta(days=15)
    assert _text(page, "p.due") == f"Pague hasta el {due:%d/%m/%Y}"
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/bill-360.png", full_page=True)

    # On paper the buttons are gone and the amount to pay stays.
    page.emulate_media(media="print")
    assert not page.is_visible("nav.toolbar")
    assert page.is_visible(".total-due")
