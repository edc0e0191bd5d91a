"""The cash desk on a 360 px phone, as the cashier works it: open the till, type a name in the
search box, take part of what the household owes, see the printed receipt, and follow its QR
code's address to the public page that says the receipt is valid."""

import os
import re
from datetime import date

import pytest
from django_scopes import scope

from comunagua.registry import services as registry
from comunagua.tenancy.roles import Role
from tests.actors import PASSWORD, add_connection, charge, login, make_committee, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
SHOTS = os.environ.get("CASH_SCREENSHOTS")  # a folder: keep screenshots to look at
NBSP = "\N{NO-BREAK SPACE}"


def _text(page, selector: str) -> str:
    """What the eye reads: spaces of any kind as plain spaces."""
    return " ".join(page.inner_text(selector).replace(NBSP, " ").split())


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_cashier_finds_a_household_by_name_takes_part_of_its_debt_and_the_qr_checks_out(
    page, live_server
):
    committee = make_committee("Comité de Agua Caja (prueba)", "caja-prueba")
    make_user(committee, Role.CASHIER, "cajera")
    with scope(committee=committee):
        juana = registry.member_create(
            committee=committee,
            by=None,
            first_names="Juana",
            last_names="Mamani Flores",
            id_document="CI-4455667",
            gender="F",
            household_size=5,
        )
    household = add_connection(committee, "215", holder=juana)
    add_connection(committee, "216")  # a neighbour the search must not list
    charge(committee, household, "38.00", due_on=date(2025, 3, 20))
    charge(committee, household, "42.50", due_on=date(2025, 4, 20))

    login(page, live_server, "cajera", PASSWORD)
    page.wait_for_url(f"**/{committee.slug}/")

    # The cash desk from the menu: no till open yet, so open it with the change in hand.
    page.click(f"nav.main-nav a[href='/{committee.slug}/caja/']")
    page.fill("input[name=opening_float]", "50")
    page.click("button[data-action=open-session]")
    page.wait_for_selector("#session-summary")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    # Type part of the holder's name: the matches appear as you type (htmx), with the balance.
    page.locator("#q").press_sequentially("mamani", delay=40)
    match = page.locator(f"#matches a[data-connection='{household.pk}']")
    match.wait_for()
    assert page.locator("#matches a.match").count() == 1
    assert "Juana Mamani Flores" in _text(page, "#matches")
    assert "Bs 80,50" in _text(page, "#matches")
    assert "q=mamani" in page.url  # the search is in the address: reload keeps it
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    _shot(page, "cash-desk-360")

    # The household's account: the balance is offered; take only 50 in cash.
    match.click()
    page.wait_for_selector("form#pay")
    assert page.input_value("input[name=amount]") == "80,50"
    assert page.is_checked("input[name=method][value=cash]")
    assert page.locator("#dues tr[data-item]").count() == 2
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    _shot(page, "cash-account-360")
    page.fill("input[name=amount]", "50")
    page.click("button[data-action=pay]")

    # The receipt: the amount, what is still owed, and the QR code.
    page.wait_for_url(re.compile(r"/caja/recibos/\d+/$"))
    assert _text(page, "#receipt-amount") == "Bs 50,00"
    assert _text(page, "#balance-after") == "Bs 30,50"
    assert page.get_attribute("article.receipt", "data-status") == "valid"
    assert "Juana Mamani Flores" in _text(page, ".receipt-holder")
    assert page.is_visible("#verify svg.qr-code")
    box = page.locator("#verify svg.qr-code").bounding_box()
    assert box and box["width"] > 80 and abs(box["width"] - box["height"]) < 1  # scannable
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    _shot(page, "receipt-360")
    page.emulate_media(media="print")
    assert not page.is_visible("nav.toolbar")
    assert page.is_visible("#verify svg.qr-code")
    page.emulate_media(media="screen")

    # The same receipt on an 80 mm roll.
    page.click("nav.toolbar a[href='?format=thermal']")
    page.wait_for_selector("body.thermal")
    assert _text(page, "#receipt-amount") == "Bs 50,00"
    _shot(page, "receipt-thermal")

    # Follow the QR code's address as a stranger would: not logged in.
    verify = page.get_attribute("#verify", "data-verify-url")
    assert page.get_attribute("#verify a.verify-url", "href") == verify
    assert verify.startswith(live_server.url + "/recibo/")
    page.context.clear_cookies()
    page.goto(verify)
    page.wait_for_selector("#public-receipt")
    assert page.get_attribute("#public-receipt", "data-status") == "valid"
    assert _text(page, "#public-amount") == "Bs 50,00"
    public = _text(page, "main")
    assert "Juana" not in public and "Mamani" not in public and "215" not in public
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    _shot(page, "receipt-public-360")
