"""The reader's app as the server delivers it: the shell for readers only, a service worker and
a manifest that need no login, a shell light enough for a cheap phone, and the reader's login
landing in it."""

from pathlib import Path

from django.contrib.staticfiles import finders

from comunagua.metering.app.views import SHELL_ASSETS, VENDOR
from comunagua.tenancy.roles import Role
from tests.actors import PASSWORD, make_user

SHELL_BUDGET = 150 * 1024  # bytes, the limit for the app shell


def app_url(committee) -> str:
    return f"/{committee.slug}/lecturas/app/"


def test_a_reader_logging_in_lands_in_the_app(client, committee, reader):
    response = client.post("/cuenta/ingresar/", {"username": "lector", "password": PASSWORD})
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"] == app_url(committee)


def test_the_shell_is_in_spanish_and_carries_the_committee_and_the_api(client, committee, reader):
    client.force_login(reader)
    page = client.get(app_url(committee))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'lang="es"' in html
    assert "Sincronizar" in html
    assert f'data-slug="{committee.slug}"' in html
    assert 'data-api="/api/v1/"' in html
    assert "csrftoken" in page.cookies  # the app sends it back with each batch
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


def test_a_cashier_may_not_open_the_readers_app_and_an_outsider_does_not_see_it(
    client, committee, other_committee
):
    client.force_login(make_user(committee, Role.CASHIER, "cajera"))
    assert client.get(app_url(committee)).status_code == 403
    client.force_login(make_user(other_committee, Role.READER, "otro"))
    assert client.get(app_url(committee)).status_code == 404


def test_the_service_worker_and_manifest_need_no_login(client, committee):
    sw = client.get(f"{app_url(committee)}sw.js")
    assert sw.status_code == 200
    assert sw["Content-Type"].startswith("text/javascript")
    assert sw["Service-Worker-Allowed"] == app_url(committee)
    assert "workbox-7.4.1" in sw.content.decode()
    manifest = client.get(f"{app_url(committee)}manifest.webmanifest").json()
    assert manifest["start_url"] == manifest["scope"] == app_url(committee)
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    assert client.get("/no-existe/lecturas/app/sw.js").status_code == 404


def _size(path: str) -> int:
    found = finders.find(path)
    assert found, path
    return Path(found).stat().st_size


def test_the_app_shell_weighs_less_than_150_kb(client, committee, reader):
    client.force_login(reader)
    html = len(client.get(app_url(committee)).content)
    sw = len(client.get(f"{app_url(committee)}sw.js").content)
    workbox = sum(
        _size(VENDOR["workbox"] + name)
        for name in (
            "workbox-sw.js",
            "workbox-core.prod.js",
            "workbox-routing.prod.js",
            "workbox-strategies.prod.js",
        )
    )
    assets = sum(_size(path) for path in SHELL_ASSETS)
    worker = _size("metering/app/sw-main.js")
    total = html + sw + workbox + assets + worker + _size("metering/app/icon-192.png")
    assert total < SHELL_BUDGET, f"{total} bytes"
