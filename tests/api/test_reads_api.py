"""The read side of the API: committees, connections with their latest reading, a route to walk,
bills by period and connection, the monthly report; paginated, scoped, with JSON errors."""

import pytest
from django_scopes import scope

from comunagua.tenancy.roles import Role
from tests.actors import MARCH, Api, add_connection, item, make_user, run, slug_path, token_for


def test_a_user_sees_the_committees_they_serve_with_role_and_permissions(
    committee, other_committee, reader_api, reading_round
):
    (only,) = reader_api.get("committees").json()
    assert only["slug"] == committee.slug
    assert only["role"] == "reader"
    assert "metering.enter" in only["permissions"]
    assert "ledger.cash" not in only["permissions"]


def test_connections_list_their_latest_accepted_reading(committee, reading_round, reader_api):
    reader_api.post(slug_path(committee, "readings"), {"readings": [item("102", "8.5")]})
    page = reader_api.get(slug_path(committee, "connections")).json()
    assert page["count"] == 3
    rows = {row["number"]: row for row in page["items"]}
    assert rows["102"]["status"] == "active"
    assert rows["102"]["last_reading"]["value"] == "8.500"
    assert rows["102"]["last_reading"]["read_at"]
    assert rows["101"]["last_reading"] is None


def test_lists_are_paginated(committee, houses, board_api):
    first = board_api.get(slug_path(committee, "connections"), page_size=2).json()
    second = board_api.get(slug_path(committee, "connections"), page_size=2, page=2).json()
    assert first["count"] == second["count"] == 3
    assert [r["number"] for r in first["items"]] == ["101", "102"]
    assert [r["number"] for r in second["items"]] == ["103"]
    too_big = board_api.get(slug_path(committee, "connections"), page_size=100000)
    assert too_big.status_code == 422
    assert too_big.json()["error"]["code"] == "invalid_request"


def test_one_connection_by_number_and_an_unknown_one_is_404(committee, houses, board_api):
    assert board_api.get(slug_path(committee, "connections/103")).json()["number"] == "103"
    missing = board_api.get(slug_path(committee, "connections/999"))
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": "No encontrado."}}


def test_members_are_listed_with_their_connections(committee, houses, board_api):
    page = board_api.get(slug_path(committee, "members"), q="101").json()
    assert page["count"] == 1
    assert page["items"][0]["connections"] == ["101"]


def test_a_route_comes_with_each_meter_previous_reading_and_usual_range(
    committee, reading_round, reader_api
):
    (route,) = reader_api.get(slug_path(committee, "rounds/open")).json()["routes"]
    sheet = reader_api.get(slug_path(committee, f"rounds/open/routes/{route['id']}")).json()
    assert [s["number"] for s in sheet["stops"]] == ["101", "102", "103"]
    stop = sheet["stops"][0]
    assert stop["previous"] == {"value": "0.000", "on": "2020-01-01", "estimated": False}
    assert stop["meter_serial"] == f"M-{committee.slug}-101"
    assert stop["meter_digits"] == 5
    assert stop["occupied"] is True
    assert stop["usual_m3"] is None  # no history yet: nothing to compare with
    by_month = reader_api.get(
        slug_path(committee, f"rounds/{reading_round.period:%Y-%m}/routes/{route['id']}")
    )
    assert by_month.json() == sheet


def test_a_route_or_round_that_does_not_exist_is_404_and_a_bad_month_is_422(
    committee, reading_round, reader_api
):
    assert reader_api.get(slug_path(committee, "rounds/2001-01")).status_code == 404
    assert reader_api.get(slug_path(committee, "rounds/open/routes/999999")).status_code == 404
    bad = reader_api.get(slug_path(committee, "rounds/noviembre"))
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "bad_month"


def test_another_committees_route_is_404(committee, other_committee, reading_round, board_user):
    from comunagua.metering.rounds import services as metering

    add_connection(other_committee, "9")
    with scope(committee=other_committee):
        (foreign,) = metering.routes_from_sectors(committee=other_committee)
    api = Api(token_for(board_user))
    assert api.get(slug_path(committee, f"rounds/open/routes/{foreign.pk}")).status_code == 404


@pytest.fixture
def billed(committee, board_user, tariff, three):
    run(committee, MARCH, board_user)


def test_bills_are_read_by_period_and_connection(committee, billed, board_api):
    page = board_api.get(slug_path(committee, "bills"), period="2025-03").json()
    assert page["count"] == 3
    (bill,) = board_api.get(slug_path(committee, "bills"), connection="2").json()["items"]
    assert bill["period"] == "2025-03"
    assert bill["consumption_m3"] == "12.500"
    assert sum(float(line["amount"]) for line in bill["lines"]) > 0
    assert bill["total_due"] == bill["charges_total"]
    assert board_api.get(slug_path(committee, "bills"), period="2025-04").json()["count"] == 0
    assert board_api.get(slug_path(committee, "bills"), period="marzo").status_code == 422


def test_a_reader_may_not_read_bills(committee, billed, reader_api):
    assert reader_api.get(slug_path(committee, "bills")).status_code == 403


def test_the_monthly_report_is_read_by_every_member(committee, billed):
    member = Api(token_for(make_user(committee, Role.MEMBER, "socio")))
    report = member.get(slug_path(committee, "reports/2025-04")).json()
    assert report["month"] == "2025-04"
    assert report["billed"] != "0.00"
    assert report["owed_by_households"] == report["billed"]
    assert member.get(slug_path(committee, "reports/2999-01")).status_code == 422


def test_without_a_token_or_with_a_revoked_one_the_answer_is_401(committee, reader, houses):
    from comunagua.tenancy import tokens

    token, secret = tokens.token_create(user=reader, name="móvil")
    api = Api(secret)
    assert api.get("committees").status_code == 200
    tokens.token_revoke(user=reader, token_id=token.pk)
    for client in (api, Api(None), Api("cma_nope")):
        response = client.get("committees")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"


def test_a_route_after_an_estimate_compares_with_the_last_actual_reading(
    committee, board_user, houses, reader_api
):
    from comunagua.metering.rounds import services as metering
    from tests.actors import close_round, month_read, open_round

    with scope(committee=committee):
        metering.routes_from_sectors(committee=committee, by=board_user)
    month_read(committee, 2025, 1, {houses[0]: "10"}, board_user)
    close_round(open_round(committee, 2025, 2), board_user)  # 101 is estimated in February
    open_round(committee, 2025, 3)
    (route,) = reader_api.get(slug_path(committee, "rounds/2025-03")).json()["routes"]
    stop = reader_api.get(slug_path(committee, f"rounds/2025-03/routes/{route['id']}")).json()[
        "stops"
    ][0]
    assert stop["previous"]["estimated"] is True
    assert stop["compare_with"] == "10.000"  # January's actual reading, not the estimate
    assert stop["months"] == 2


def test_an_unknown_api_address_answers_json(client):
    response = client.get("/api/v1/no-existe")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get("/api/otra-cosa").json()["error"]["message"] == "No encontrado."


def test_a_session_write_without_the_csrf_token_is_refused_in_spanish(
    committee, reading_round, reader
):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reader)
    response = browser.post(
        f"/api/v1/{slug_path(committee, 'readings')}",
        '{"readings": []}',
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert "recargue" in response.json()["error"]["message"]


def test_the_openapi_document_and_the_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/committees/{slug}/readings" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200
