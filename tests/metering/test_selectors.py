"""Reads shared by the pages and billing: progress, the route sheet, flags, billable volumes."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from comunagua.lib.periods import Period
from comunagua.metering.meters import services as meter_services
from comunagua.metering.readings import selectors as reading_selectors
from comunagua.metering.readings import services as reading_services
from comunagua.metering.readings.selectors import BillableConsumption, RoundNotClosed
from comunagua.metering.rounds import selectors as round_selectors
from comunagua.metering.rounds import services as round_services
from comunagua.registry import services as registry
from tests.actors import add_connection, close_round, month_read, open_round, read

pytestmark = pytest.mark.django_db
D = Decimal


def routed(committee, *numbers, sector="Alto"):
    with scope(committee=committee):
        place = registry.sector_get_or_create(committee=committee, name=sector)
    connections = [add_connection(committee, n, sector=place) for n in numbers]
    with scope(committee=committee):
        round_services.routes_from_sectors(committee=committee)
    return connections


def test_the_overview_counts_read_missing_flagged_and_estimated_per_route(committee):
    a, b, c = routed(committee, "1", "2", "3")
    (d,) = routed(committee, "4", sector="Bajo")
    add_connection(committee, "5")  # on no route
    add_connection(committee, "6", status="closed", closed_on=date(2024, 12, 31))  # not read
    month_read(committee, 2025, 1, {a: 10, b: 10, c: 10, d: 10})
    february = open_round(committee, 2025, 2)
    read(february, a, 20)
    read(february, b, 5)  # below the previous: waits for review
    with scope(committee=committee):
        overview = round_selectors.round_overview(round=february)
    alto, bajo = overview.routes
    assert (alto.route.name, alto.to_read, alto.read, alto.missing, alto.flagged) == (
        "Alto",
        3,
        2,
        1,
        1,
    )
    assert (bajo.to_read, bajo.read, bajo.missing) == (1, 0, 1)
    assert (overview.unrouted.total, overview.unrouted.missing) == (1, 1)
    assert (overview.total.to_read, overview.total.read, overview.total.missing) == (5, 2, 3)
    assert alto.percent == 67


def test_after_closing_the_missing_are_counted_as_estimated(committee):
    a, _b = routed(committee, "1", "2")
    january = open_round(committee, 2025, 1)
    read(january, a, 10)
    close_round(january)
    with scope(committee=committee):
        (alto,) = round_selectors.round_overview(round=january).routes
    assert (alto.read, alto.estimated, alto.missing, alto.percent) == (1, 1, 0, 100)


def test_the_route_sheet_gives_each_row_what_the_reader_needs(committee):
    a, b = routed(committee, "1", "2")
    with scope(committee=committee):
        meter_services.meter_replace(
            connection=b, by=None, removed_on=date(2025, 1, 20), final_reading=D(9), serial="NEW"
        )
    for month, value in enumerate((10, 21, 30, 42), start=1):
        month_read(committee, 2025, month, {a: value})
    may = open_round(committee, 2025, 5)
    read(may, a, 50)
    with scope(committee=committee):
        route = a.route_stops.get().route
        first, second = reading_selectors.route_sheet(round=may, route=route)
    assert first.connection == a and first.holder.startswith("Rosa Quispe")
    assert first.address == "Calle Los Pinos 1" and first.meter_serial.endswith("-1")
    assert first.previous_value == D(42) and first.previous_date is not None
    assert first.usual == D("10.5")  # median of 10, 11, 9, 12
    assert first.reading.value == D(50) and not first.needs_review
    # The second had its meter replaced and was never read: estimated from nothing, 0 m³.
    assert second.meter_serial == "NEW" and second.previous_value == 0
    assert second.previous_estimated and second.reading is None and second.usual is None


def test_the_route_sheet_makes_the_same_few_queries_for_2_or_20_connections(committee):
    def queries(count):
        numbers = [f"{count}-{i}" for i in range(count)]
        connections = routed(committee, *numbers, sector=f"S{count}")
        return connections

    small = queries(2)
    large = queries(20)
    reading_round = open_round(committee, 2025, 1)
    for c in small + large:
        read(reading_round, c, 10)
    with scope(committee=committee):
        routes = {s: c[0].route_stops.get().route for s, c in (("s", small), ("l", large))}
        counts = {}
        for key, route in routes.items():
            with CaptureQueriesContext(db) as captured:
                rows = reading_selectors.route_sheet(round=reading_round, route=route)
                assert all(r.reading is not None for r in rows)
            counts[key] = len(captured.captured_queries)
    assert counts["s"] == counts["l"] <= 6


def test_flags_of_a_round_list_those_waiting_first_then_those_decided(committee, board_user):
    a, b, c = routed(committee, "1", "2", "3")
    month_read(committee, 2025, 1, {a: 10, b: 10, c: 10})
    february = open_round(committee, 2025, 2)
    decided = read(february, a, 10)
    with scope(committee=committee):
        reading_services.reading_accept(reading=decided, by=board_user, reason="holiday")
    waiting = read(february, b, 10)
    read(february, c, 15)  # fine: not listed
    with scope(committee=committee):
        flags = reading_selectors.flags_of_round(round=february)
    assert [r.pk for r in flags] == [waiting.pk, decided.pk]


def test_billable_consumptions_are_refused_until_the_round_is_closed(committee):
    with scope(committee=committee), pytest.raises(RoundNotClosed):
        reading_selectors.billable_consumptions(committee=committee, period=Period(2025, 3))
    open_round(committee, 2025, 3)
    with scope(committee=committee), pytest.raises(RoundNotClosed):
        reading_selectors.billable_consumptions(committee=committee, period=Period(2025, 3))


def test_billable_consumptions_give_accepted_and_estimated_volumes_by_connection(
    committee, board_user
):
    a, b, c = (add_connection(committee, n) for n in ("1", "2", "3"))
    month_read(committee, 2025, 1, {a: 10, b: 10, c: 10})
    february = open_round(committee, 2025, 2)
    read(february, a, 25)
    wrong = read(february, c, 99)
    with scope(committee=committee):
        reading_services.reading_reject(reading=wrong, by=board_user, reason="wrong meter")
    close_round(february)
    with scope(committee=committee):
        bills = reading_selectors.billable_consumptions(committee=committee, period=Period(2025, 2))
    assert set(bills) == {a.pk, b.pk, c.pk}
    assert bills[a.pk] == BillableConsumption(
        connection_id=a.pk,
        reading_id=bills[a.pk].reading_id,
        m3=D(15),
        previous_value=D(10),
        current_value=D(25),
        estimated=False,
        meter_serial="M-villa-esperanza-1",
    )
    # b was never read and c's only reading was rejected: both estimated from January's 10 m³.
    assert bills[b.pk].estimated and bills[b.pk].m3 == D(10)
    assert bills[c.pk].estimated and bills[c.pk].current_value == D(20)


def test_the_consumption_history_for_a_bill_is_oldest_first_and_ends_at_the_period(committee):
    a = add_connection(committee, "1")
    for month, value in enumerate((10, 22, 30), start=1):
        month_read(committee, 2025, month, {a: value})
    month_read(committee, 2025, 4, {})
    with scope(committee=committee):
        history = reading_selectors.consumption_history(
            connection=a, months=3, until=Period(2025, 4)
        )
        assert reading_selectors.consumption_history(
            connection=a, months=6, until=Period(2025, 1)
        ) == [(Period(2025, 1), D(10), False)]
    assert history == [
        (Period(2025, 2), D(12), False),
        (Period(2025, 3), D(8), False),
        (Period(2025, 4), D(10), True),
    ]
    period, m3, estimated = history[-1]
    assert (period, m3, estimated) == (Period(2025, 4), D(10), True)


def test_rounds_are_listed_newest_first_with_their_counts(committee):
    a = add_connection(committee, "1")
    add_connection(committee, "2")
    month_read(committee, 2025, 1, {a: 10})
    february = open_round(committee, 2025, 2)
    read(february, a, 5)  # below the previous: waits for review
    with scope(committee=committee):
        rounds = list(round_selectors.round_list(committee=committee))
    assert [r.period.month for r in rounds] == [2, 1]
    assert [(r.read_count, r.estimated_count, r.pending_count) for r in rounds] == [
        (1, 0, 1),
        (1, 1, 0),
    ]
