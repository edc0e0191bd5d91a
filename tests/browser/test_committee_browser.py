"""The board on a phone: uploads the committee's logo, adds the new cashier, and the cashier logs
in with the password the board gave her."""

import pytest

from comunagua.tenancy.roles import Role
from tests.actors import PASSWORD, login, make_committee, make_user
from tests.pictures import picture_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_the_board_adds_a_cashier_on_a_phone_and_she_logs_in(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    committee = make_committee("Comité de Agua Loma Verde (prueba)", "loma-verde")
    make_user(committee, Role.BOARD, "presidenta")
    logo = tmp_path / "logo.png"
    logo.write_bytes(picture_bytes(size=(800, 800)))

    login(page, live_server, "presidenta", PASSWORD)
    page.wait_for_url(f"**/{committee.slug}/")
    page.click("nav >> text=El comité")
    page.wait_for_selector("h1:has-text('El comité')")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.set_input_files("#logo input[type=file]", str(logo))
    page.click("#logo button:has-text('Subir el logotipo')")
    page.wait_for_selector("text=Se guardó el logotipo.")
    assert page.locator("header img.brand-logo").evaluate("img => img.naturalWidth") == 400

    page.click("text=Personas y roles")
    page.wait_for_selector("h1:has-text('Personas y roles')")
    page.fill("#id_username", "cajera2")
    page.fill("#id_first_name", "Rosa")
    page.fill("#id_last_name", "Mamani")
    page.select_option("#id_role", "cashier")
    page.fill("#id_password", "agua-de-la-loma-7")
    page.click("#add-person button[type=submit]")
    page.wait_for_selector("text=cajera2 ya puede entrar.")
    card = page.locator("li.person[data-user=cajera2]")
    assert "Rosa Mamani" in card.inner_text()
    assert card.locator("select").input_value() == "cashier"
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    # Every action of the card is on the screen, not cut off beyond 360 px.
    for action in ("button:has-text('Cambiar')", "button:has-text('Quitar del comité')"):
        box = card.locator(action).bounding_box()
        assert card.locator(action).is_visible() and box["x"] + box["width"] <= 360
    card.locator("summary:has-text('Contraseña nueva')").click()
    assert card.locator("input[type=password]").is_visible()
    # A reader first, then back to cashier: the role changes from the card.
    card.locator("select").select_option("reader")
    card.locator("button:has-text('Cambiar')").click()
    page.wait_for_selector("text=Se cambió el rol.")
    card = page.locator("li.person[data-user=cajera2]")
    assert card.locator("select").input_value() == "reader"
    card.locator("select").select_option("cashier")
    card.locator("button:has-text('Cambiar')").click()
    page.wait_for_selector("text=Se cambió el rol.")

    page.click("button:has-text('Salir')")
    login(page, live_server, "cajera2", "agua-de-la-loma-7")
    page.wait_for_url(f"**/{committee.slug}/")
    assert "cajera2 · Cajera" in page.inner_text("header")
    assert page.locator("nav >> text=El comité").count() == 0  # a cashier does not manage it
