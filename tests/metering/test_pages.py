"""The reading pages: the route sheet built for speed, the round with its flags and their
review, closing; bad input changes nothing; roles and other committees' ids are kept out."""

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django_scopes import scope, scopes_disabled

from comunagua.metering.models import Reading, Round, Route
from comunagua.metering.rounds import services
from comunagua.registry import services as registry
from comunagua.tenancy.roles import Role
from tests.actors import add_connection, make_user, month_read, open_round, read, url

pytestmark = pytest.mark.django_db
D = Decimal
HTMX = {"HX-Request": "true"}


def readings():
    with scopes_disabled():
        return list(Reading.objects.order_by("id"))


def build_routes(committee, *numbers):
    with scope(committee=committee):
        sector = registry.sector_get_or_create(committee=committee, name="Alto")
    connections = [add_connection(committee, n, sector=sector) for n in numbers]
    with scope(committee=committee):
        (route,) = services.routes_from_sectors(committee=committee)
    return route, connections


@pytest.fixture
def sheet(committee, board_user):
    """Route "Alto" with connections 101 and 102; the round of March 2025 open."""
    route, (a, b) = build_routes(committee, "101", "102")
    reading_round = open_round(committee, 2025, 3, board_user)
    entry = url("route-entry", committee, pk=reading_round.pk, route=route.pk)
    return SimpleNamespace(round=reading_round, route=route, a=a, b=b, entry=entry)


def field(connection) -> str:
    return f"r-{connection.pk}"


# --- the route sheet ---------------------------------------------------------------------------


def test_the_route_sheet_has_one_decimal_field_per_connection_in_walking_order(board_client, sheet):
    html = board_client.get(sheet.entry).content.decode()
    assert html.count('inputmode="decimal"') == 2
    assert html.index(f'name="{field(sheet.a)}"') < html.index(f'name="{field(sheet.b)}"')
    assert "metering/entry.js" in html and "hx-post" in html


def test_the_sheet_shows_the_previous_reading_and_the_usual_consumption_beside_each_field(
    board_client, committee, board_user
):
    route, (a,) = build_routes(committee, "101")
    for month, value in enumerate((1010, 1020, 1031), start=1):
        month_read(committee, 2025, month, {a: value})
    april = open_round(committee, 2025, 4, board_user)
    html = board_client.get(url("route-entry", committee, pk=april.pk, route=route.pk))
    row = html.content.decode().split(f'id="row-{a.pk}"')[1]
    assert "1031" in row  # previous reading
    assert "≈ 11<" in row  # median of 1010, 10 and 11 m³ a month


def test_a_reading_typed_with_a_comma_is_saved_from_its_row_and_only_the_row_comes_back(
    board_client, sheet, board_user
):
    response = board_client.post(sheet.entry, {field(sheet.a): "1234,5"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="row-{sheet.a.pk}"') and "<html" not in html
    assert 'data-status="accepted"' in html
    (saved,) = readings()
    assert saved.value == D("1234.5") and saved.connection_id == sheet.a.pk
    assert saved.entered_by == board_user and saved.source == "web"


def test_a_flagged_row_shows_its_flag_at_once_with_a_link_to_review(
    board_client, committee, board_user
):
    route, (a,) = build_routes(committee, "101")
    month_read(committee, 2025, 1, {a: 99990})
    february = open_round(committee, 2025, 2, board_user)
    entry = url("route-entry", committee, pk=february.pk, route=route.pk)
    html = board_client.post(entry, {field(a): "12"}, headers=HTMX).content.decode()
    (_, flagged) = readings()
    assert 'data-flags="rollover' in html and 'data-status="flagged"' in html
    assert url("reading-review", committee, pk=flagged.pk) in html
    assert flagged.consumption == D(22)


@pytest.mark.parametrize("typed", ["abc", "12a", "-5", "1000000000", "100000", "1,2345"])
def test_bad_input_is_refused_beside_its_field_and_nothing_changes(board_client, sheet, typed):
    response = board_client.post(sheet.entry, {field(sheet.a): typed}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html and f'value="{typed}"' in html
    assert readings() == []


def test_a_replayed_post_stores_the_reading_once(board_client, sheet):
    for _ in range(3):
        board_client.post(sheet.entry, {field(sheet.a): "25"}, headers=HTMX)
    assert len(readings()) == 1


def test_a_different_value_for_the_same_connection_is_kept_beside_the_first_for_review(
    board_client, sheet
):
    board_client.post(sheet.entry, {field(sheet.a): "25"}, headers=HTMX)
    html = board_client.post(sheet.entry, {field(sheet.a): "52"}, headers=HTMX).content.decode()
    first, second = readings()
    assert (first.value, first.status) == (25, "accepted")
    assert (second.value, second.status, second.flags) == (52, "conflict", ["twice"])
    assert "twice" in html and url("reading-review", sheet.round.committee, pk=second.pk) in html


def test_without_javascript_the_whole_sheet_is_saved_at_once(board_client, sheet):
    response = board_client.post(sheet.entry, {field(sheet.a): "10", field(sheet.b): "7,25"})
    assert response.status_code == 302
    assert [r.value for r in readings()] == [D(10), D("7.25")]


def test_emptying_a_field_deletes_nothing(board_client, sheet):
    board_client.post(sheet.entry, {field(sheet.a): "25"}, headers=HTMX)
    response = board_client.post(sheet.entry, {field(sheet.a): ""}, headers=HTMX)
    assert response.status_code == 200 and 'data-status="accepted"' in response.content.decode()
    assert [(r.value, r.status) for r in readings()] == [(25, "accepted")]


def test_saving_the_whole_sheet_again_stores_nothing_new(board_client, sheet):
    board_client.post(sheet.entry, {field(sheet.a): "10", field(sheet.b): "7,25"})
    html = board_client.get(sheet.entry).content.decode()
    shown = dict(re.findall(r'name="(r-\d+)"[^>]*?value="([^"]*)"', html, re.S))
    assert shown == {field(sheet.a): "10", field(sheet.b): "7,25"}
    assert board_client.post(sheet.entry, shown).status_code == 302
    assert len(readings()) == 2


def test_without_javascript_one_bad_field_saves_nothing_and_keeps_what_was_typed(
    board_client, sheet
):
    response = board_client.post(sheet.entry, {field(sheet.a): "10", field(sheet.b): "diez"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="10"' in html and 'value="diez"' in html and html.count("aria-invalid") == 1
    assert readings() == []


def test_another_committees_connection_in_the_post_is_not_found_and_nothing_changes(
    board_client, sheet, other_committee
):
    foreign = add_connection(other_committee, "900")
    for headers in (HTMX, {}):
        response = board_client.post(sheet.entry, {f"r-{foreign.pk}": "10"}, headers=headers)
        assert response.status_code == 404
    assert readings() == []


def test_a_connection_that_is_not_on_the_route_is_not_found(board_client, sheet, committee):
    elsewhere = add_connection(committee, "555")
    response = board_client.post(sheet.entry, {f"r-{elsewhere.pk}": "10"}, headers=HTMX)
    assert response.status_code == 404 and readings() == []


def test_a_closed_round_has_a_read_only_sheet(board_client, sheet, board_user):
    read(sheet.round, sheet.a, 10, board_user)
    board_client.post(url("round-close", sheet.round.committee, pk=sheet.round.pk))
    html = board_client.get(sheet.entry).content.decode()
    assert html.count(" disabled") == 2
    response = board_client.post(sheet.entry, {field(sheet.a): "11"}, headers=HTMX)
    assert 'aria-invalid="true"' in response.content.decode()
    assert [r.value for r in readings() if not r.estimated] == [D(10)]


# --- the round, its flags and their review -----------------------------------------------------


def test_the_round_page_counts_per_route_and_lists_every_flag(board_client, committee, board_user):
    route, (a, b, c) = build_routes(committee, "101", "102", "103")
    month_read(committee, 2025, 1, {a: 100, b: 100, c: 100})
    february = open_round(committee, 2025, 2, board_user)
    zero = read(february, a, 100)
    below = read(february, b, 90)
    html = board_client.get(url("round-detail", committee, pk=february.pk)).content.decode()
    assert f'data-reading="{zero.pk}" data-flags="zero"' in html
    assert f'data-reading="{below.pk}" data-flags="below_previous"' in html
    progress = html.split(f'data-route="{route.pk}"')[1].split("</tr>")[0]
    assert ">2/3<" in progress  # read / to read; one missing, two to review


def test_accepting_a_flag_needs_a_reason(board_client, committee, board_user):
    _route, (a,) = build_routes(committee, "101")
    month_read(committee, 2025, 1, {a: 100})
    february = open_round(committee, 2025, 2, board_user)
    flagged = read(february, a, 100)
    review = url("reading-review", committee, pk=flagged.pk)
    response = board_client.post(review, {"action": "accept", "reason": "  "})
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert readings()[-1].status == "flagged"
    response = board_client.post(review, {"action": "accept", "reason": "house empty in March"})
    assert response.status_code == 302
    decided = readings()[-1]
    assert (decided.status, decided.review_reason) == ("accepted", "house empty in March")
    assert decided.reviewed_by == board_user


def test_rejecting_a_second_value_keeps_the_first(board_client, sheet, board_user):
    first = read(sheet.round, sheet.a, 25, board_user)
    second = read(sheet.round, sheet.a, 52, board_user)
    review = url("reading-review", sheet.round.committee, pk=second.pk)
    assert board_client.get(review).status_code == 200
    board_client.post(review, {"action": "reject", "reason": "mistyped"})
    assert [(r.pk, r.status) for r in readings()] == [
        (first.pk, "accepted"),
        (second.pk, "rejected"),
    ]


def test_closing_is_refused_while_flags_wait_then_estimates_the_missing(
    board_client, committee, board_user
):
    _route, (a, b) = build_routes(committee, "101", "102")
    month_read(committee, 2025, 1, {a: 100, b: 100})
    february = open_round(committee, 2025, 2, board_user)
    flagged = read(february, a, 100)
    close = url("round-close", committee, pk=february.pk)
    page = board_client.post(close, follow=True).content.decode()
    assert "101" in page and 'data-action="close"' in page
    with scopes_disabled():
        assert Round.objects.get(pk=february.pk).status == "open"
    board_client.post(
        url("reading-review", committee, pk=flagged.pk), {"action": "accept", "reason": "ok"}
    )
    board_client.post(close)
    with scopes_disabled():
        assert Round.objects.get(pk=february.pk).status == "closed"
        estimate = Reading.objects.get(round=february, connection=b)
    assert estimate.estimated and estimate.source == "estimated"


def test_a_round_is_opened_from_the_list_and_a_bad_month_is_refused(board_client, committee):
    page = board_client.get(url("round-list", committee))
    assert page.status_code == 200 and 'type="month"' in page.content.decode()
    for bad in ("marzo", "2025-13", ""):
        response = board_client.post(url("round-open", committee), {"period": bad})
        assert response.status_code == 200
    response = board_client.post(url("round-open", committee), {"period": "2025-04"})
    with scopes_disabled():
        (opened,) = Round.objects.all()
    assert response.status_code == 302 and opened.period.isoformat() == "2025-04-01"
    again = board_client.post(url("round-open", committee), {"period": "2025-04"})
    assert again.status_code == 200 and 'class="error"' in again.content.decode()
    with scopes_disabled():
        assert Round.objects.count() == 1


def test_routes_are_built_from_sectors_from_the_route_list(board_client, committee):
    with scope(committee=committee):
        sector = registry.sector_get_or_create(committee=committee, name="Bajo")
    add_connection(committee, "7", sector=sector)
    page = board_client.get(url("route-list", committee)).content.decode()
    assert url("route-build", committee) in page
    board_client.post(url("route-build", committee))
    with scopes_disabled():
        (route,) = Route.objects.all()
        assert route.name == "Bajo" and route.stops.count() == 1


# --- roles -------------------------------------------------------------------------------------


def test_a_reader_can_enter_readings_but_not_review_nor_close(client, committee, sheet):
    client.force_login(make_user(committee, Role.READER))
    assert client.post(sheet.entry, {field(sheet.a): "100"}, headers=HTMX).status_code == 200
    assert client.post(sheet.entry, {field(sheet.a): "1"}, headers=HTMX).status_code == 200
    conflict = readings()[-1]
    review = url("reading-review", committee, pk=conflict.pk)
    assert client.post(review, {"action": "accept", "reason": "x"}).status_code == 403
    assert client.post(url("round-close", committee, pk=sheet.round.pk)).status_code == 403
    assert client.post(url("round-open", committee), {"period": "2025-04"}).status_code == 403
    assert client.post(url("route-build", committee)).status_code == 403
    with scopes_disabled():
        assert Round.objects.get(pk=sheet.round.pk).status == "open"
    assert readings()[-1].status == "conflict"


def test_a_cashier_can_view_the_readings_but_not_enter_them(client, committee, sheet):
    client.force_login(make_user(committee, Role.CASHIER))
    assert client.get(url("round-list", committee)).status_code == 200
    assert client.get(url("round-detail", committee, pk=sheet.round.pk)).status_code == 200
    html = client.get(sheet.entry).content.decode()
    assert html.count(" disabled") == 2
    assert client.post(sheet.entry, {field(sheet.a): "100"}, headers=HTMX).status_code == 403
    assert readings() == []


def test_a_member_household_does_not_see_the_readings_pages(client, committee, sheet):
    client.force_login(make_user(committee, Role.MEMBER))
    assert client.get(url("round-list", committee)).status_code == 403
    assert client.get(sheet.entry).status_code == 403


# --- other committees --------------------------------------------------------------------------


@pytest.fixture
def foreign(other_committee):
    route, (connection,) = build_routes(other_committee, "900")
    reading_round = open_round(other_committee, 2025, 3)
    reading = read(reading_round, connection, 10)
    return SimpleNamespace(round=reading_round, route=route, reading=reading)


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_committees_round_route_or_reading_is_not_found(
    board_client, committee, sheet, foreign, method
):
    urls = [
        url("round-detail", committee, pk=foreign.round.pk),
        url("round-close", committee, pk=foreign.round.pk),
        url("route-entry", committee, pk=foreign.round.pk, route=foreign.route.pk),
        url("route-entry", committee, pk=sheet.round.pk, route=foreign.route.pk),
        url("route-entry", committee, pk=foreign.round.pk, route=sheet.route.pk),
        url("reading-review", committee, pk=foreign.reading.pk),
    ]
    data = {"action": "reject", "reason": "x", f"r-{sheet.a.pk}": "5"}
    for address in urls:
        assert getattr(board_client, method)(address, data).status_code == 404, address
    with scopes_disabled():
        assert Round.objects.get(pk=foreign.round.pk).status == "open"
        assert Reading.objects.get(pk=foreign.reading.pk).status == "accepted"
        assert not Reading.objects.filter(committee=sheet.round.committee).exists()


def test_the_readings_pages_of_another_committee_are_not_found(board_client, other_committee):
    for name in ("round-list", "round-open", "route-list", "route-build"):
        assert board_client.get(url(name, other_committee)).status_code == 404
