"""Playwright fixtures: Debian's Chromium on a small phone-sized screen, in Spanish."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; without this Django's ORM refuses
# to run there ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


CHROMIUM = Path("/usr/bin/chromium")


CHROMIUM_ARGS = [
    "--no-sandbox",  # we may run as root in a container
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found; install Debian's `chromium` package"
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(f"browser tests need Chromium in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-BO")
    context.set_default_timeout(10_000)  # a local server answers fast; fail sooner than 30 s
    page = context.new_page()
    yield page
    context.close()
