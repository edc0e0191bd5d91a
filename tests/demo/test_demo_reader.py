"""The demo reader's login opens the reader's app on the current round, whose routes come with
each meter's previous reading and usual consumption from two years of readings."""

import pytest

from tests.actors import TODAY

# One worker runs all the demo tests (xdist: --dist loadgroup), so the demo loads once a leg.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

SLUG = "maria-auxiliadora"


def test_the_demo_reader_lands_in_the_app_on_the_current_rounds_routes(demo, client):
    landed = client.post(
        "/cuenta/ingresar/", {"username": "lector", "password": "demo"}, follow=True
    )
    assert landed.redirect_chain[-1][0] == f"/{SLUG}/lecturas/app/"
    current = client.get(f"/api/v1/committees/{SLUG}/rounds/open").json()
    assert current["month"] == f"{TODAY:%Y-%m}"
    assert current["status"] == "open"
    assert len(current["routes"]) >= 3
    assert sum(route["to_read"] for route in current["routes"]) > 300
    first = current["routes"][0]
    sheet = client.get(f"/api/v1/committees/{SLUG}/rounds/open/routes/{first['id']}").json()
    assert len(sheet["stops"]) == first["total"]
    with_past = [s for s in sheet["stops"] if s["previous"] and s["usual_m3"] is not None]
    assert len(with_past) > 0.9 * len(sheet["stops"])
