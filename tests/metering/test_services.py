"""Rounds, readings, reviews, estimates and settlement through the services."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from comunagua.lib.periods import Period
from comunagua.metering.meters import services as meter_services
from comunagua.metering.models import EstimationRule, Reading, Round
from comunagua.metering.readings import services as reading_services
from comunagua.metering.rounds import services as round_services
from comunagua.registry import services as registry
from comunagua.registry.models import Connection, Holding, Meter
from tests.actors import add_connection, close_round, meter_of, month_read, open_round, read

pytestmark = pytest.mark.django_db
D = Decimal


def reload(reading: Reading) -> Reading:
    with scopes_disabled():
        return Reading.objects.get(pk=reading.pk)


def live_readings(reading_round, connection):
    with scopes_disabled():
        return list(
            Reading.objects.filter(
                round=reading_round, connection=connection, status__in=Reading.LIVE
            )
        )


# --- rounds ------------------------------------------------------------------------------------


def test_a_round_opens_for_a_month_on_its_first_day(committee, board_user):
    reading_round = open_round(committee, 2025, 3, board_user)
    assert reading_round.period == date(2025, 3, 1)
    assert reading_round.status == "open" and reading_round.opened_by == board_user


def test_only_one_round_is_open_and_rounds_go_forward(committee):
    january = open_round(committee, 2025, 1)
    with pytest.raises(ValidationError):
        open_round(committee, 2025, 2)  # January is still open
    close_round(january)
    for year, month in ((2025, 1), (2024, 12)):
        with pytest.raises(ValidationError):
            open_round(committee, year, month)
    assert open_round(committee, 2025, 2).period == date(2025, 2, 1)


def test_a_round_is_not_opened_far_in_the_future(committee):
    far = Period.of(timezone.localdate()) + 3
    with pytest.raises(ValidationError):
        open_round(committee, far.year, far.month)


def test_two_committees_may_read_the_same_month(committee, other_committee):
    open_round(committee, 2025, 3)
    assert open_round(other_committee, 2025, 3).committee == other_committee


# --- entering a reading ------------------------------------------------------------------------


def test_a_first_reading_is_measured_from_the_meters_initial_reading(committee, march, board_user):
    connection = add_connection(committee, "101")
    reading = read(march, connection, "12.5", board_user)
    assert reading.status == "accepted" and reading.flags == []
    assert reading.consumption == D("12.5") and reading.previous_value == 0
    assert reading.entered_by == board_user and reading.source == "web"
    assert reading.meter == meter_of(connection)


def test_who_entered_a_reading_is_on_its_history(committee, march, board_user):
    connection = add_connection(committee, "101")
    reading = read(march, connection, "12", board_user)
    with scopes_disabled():
        assert reading.history.get().history_user == board_user


def test_a_roll_over_from_99990_to_12_is_22_m3_and_flagged_rollover(committee):
    connection = add_connection(committee, "101")
    month_read(committee, 2025, 1, {connection: 99990})
    february = open_round(committee, 2025, 2)
    reading = read(february, connection, "00012")
    assert reading.consumption == D(22) and reading.flags == ["rollover"]
    assert reading.status == "flagged" and reading.previous_value == D(99990)


def test_a_reading_below_the_previous_is_flagged_and_once_accepted_bills_nothing_and_credits(
    committee, board_user
):
    connection = add_connection(committee, "101")
    month_read(committee, 2025, 1, {connection: 1200})
    february = open_round(committee, 2025, 2)
    reading = read(february, connection, 1190)
    assert reading.flags == ["below_previous"] and reading.status == "flagged"
    with scope(committee=committee):
        reading_services.reading_accept(
            reading=reading, by=board_user, reason="January was misread"
        )
    reading = reload(reading)
    assert reading.status == "accepted" and reading.consumption == 0
    assert reading.carried_m3 == D(10)
    assert reading.review_reason == "January was misread" and reading.reviewed_by == board_user


def test_zero_consumption_is_flagged_on_an_occupied_household_only(committee):
    occupied = add_connection(committee, "101")
    suspended = add_connection(committee, "102", status="suspended")
    month_read(committee, 2025, 1, {occupied: 100, suspended: 50})
    february = open_round(committee, 2025, 2)
    assert read(february, occupied, 100).flags == ["zero"]
    assert read(february, suspended, 50).flags == []


def test_a_connection_without_a_holder_is_not_an_occupied_household(committee):
    connection = add_connection(committee, "101")
    with scopes_disabled():
        Holding.objects.filter(connection=connection).update(ended_on=date(2024, 12, 31))
    month_read(committee, 2025, 1, {connection: 100})
    february = open_round(committee, 2025, 2)
    assert read(february, connection, 100).flags == []


def test_a_spike_far_above_the_connections_own_history_is_flagged(committee):
    connection = add_connection(committee, "101")
    for month, value in enumerate((10, 20, 30, 40), start=1):
        month_read(committee, 2025, month, {connection: value})
    may = open_round(committee, 2025, 5)
    reading = read(may, connection, 100)  # 60 m³ where 10 is usual
    assert reading.flags == ["spike"] and reading.consumption == D(60)


def test_a_reading_of_a_removed_meter_is_flagged(committee):
    connection = add_connection(committee, "101")
    old = meter_of(connection)
    with scope(committee=committee):
        meter_services.meter_replace(
            connection=connection,
            by=None,
            removed_on=date(2025, 2, 10),
            final_reading=D(40),
            serial="NEW-1",
        )
    march = open_round(committee, 2025, 3)
    reading = read(march, connection, 45, meter=old)
    assert "removed_meter" in reading.flags and reading.status == "flagged"


def test_a_connection_whose_only_meter_was_removed_is_read_on_it_and_flagged(committee):
    connection = add_connection(committee, "101")
    with scopes_disabled():
        Meter.objects.filter(connection=connection).update(
            removed_on=date(2025, 1, 5), final_reading=D(30)
        )
    march = open_round(committee, 2025, 3)
    assert read(march, connection, 31).flags == ["removed_meter"]


def test_a_connection_without_any_meter_cannot_be_read(committee, march):
    connection = add_connection(committee, "101")
    with scopes_disabled():
        Meter.objects.filter(connection=connection).delete()
    with pytest.raises(ValidationError):
        read(march, connection, 10)


def test_the_same_value_twice_is_stored_once(committee, march):
    connection = add_connection(committee, "101")
    first = read(march, connection, "25.5")
    assert read(march, connection, "25,5".replace(",", ".")) == first
    with scopes_disabled():
        assert Reading.objects.filter(connection=connection).count() == 1


def test_a_second_different_value_is_kept_as_a_conflict_and_never_overwrites_the_first(
    committee, march
):
    connection = add_connection(committee, "101")
    first = read(march, connection, 25)
    second = read(march, connection, 52)
    assert second.pk != first.pk
    assert second.status == "conflict" and second.flags == ["twice"]
    assert second.conflict_with == first
    first = reload(first)
    assert first.status == "accepted" and first.value == 25
    # Typing either value again changes nothing.
    assert read(march, connection, 52) == second
    assert read(march, connection, 25) == first


def test_accepting_the_second_value_rejects_the_first_naming_the_decision(
    committee, march, board_user
):
    connection = add_connection(committee, "101")
    first = read(march, connection, 25)
    second = read(march, connection, 52)
    with scope(committee=committee):
        reading_services.reading_accept(
            reading=second, by=board_user, reason="typo, 52 on the dials"
        )
    first, second = reload(first), reload(second)
    assert (first.status, second.status) == ("rejected", "accepted")
    assert "typo, 52 on the dials" in first.review_reason
    assert live_readings(march, connection) == [second]
    with scopes_disabled():
        statuses = [h.status for h in first.history.order_by("history_id")]
    assert statuses == ["accepted", "rejected"]


def test_rejecting_the_second_value_keeps_the_first(committee, march, board_user):
    connection = add_connection(committee, "101")
    first = read(march, connection, 25)
    second = read(march, connection, 52)
    with scope(committee=committee):
        reading_services.reading_reject(reading=second, by=board_user, reason="reader mistyped")
    assert reload(second).status == "rejected"
    assert live_readings(march, connection) == [reload(first)]


def test_a_reason_is_required_to_accept_or_reject(committee, march, board_user):
    connection = add_connection(committee, "101")
    read(march, connection, 25)
    second = read(march, connection, 52)
    for action in (reading_services.reading_accept, reading_services.reading_reject):
        with scope(committee=committee), pytest.raises(ValidationError):
            action(reading=second, by=board_user, reason="   ")
    assert reload(second).status == "conflict"


def test_an_accepted_reading_cannot_be_accepted_again(committee, march, board_user):
    reading = read(march, add_connection(committee, "101"), 25)
    with scope(committee=committee), pytest.raises(ValidationError):
        reading_services.reading_accept(reading=reading, by=board_user, reason="why not")


def test_after_rejecting_a_reading_the_connection_can_be_read_again(committee, march, board_user):
    connection = add_connection(committee, "101")
    wrong = read(march, connection, 250)
    with scope(committee=committee):
        reading_services.reading_reject(reading=wrong, by=board_user, reason="wrong house")
    right = read(march, connection, 25)
    assert right.status == "accepted" and right.flags == []


def test_a_replayed_client_id_returns_the_stored_reading(committee, march):
    connection = add_connection(committee, "101")
    client_id = uuid4()
    first = read(march, connection, 25, client_id=client_id, source="phone")
    assert read(march, connection, 25, client_id=client_id, source="phone") == first
    with pytest.raises(ValidationError):
        read(march, connection, 26, client_id=client_id, source="phone")
    assert reload(first).client_id == client_id


def test_bad_values_are_refused_and_nothing_is_stored(committee, march):
    connection = add_connection(committee, "101")
    for value in ("-1", "100000", str(10**9), "12.3456", "abc", "NaN"):
        with pytest.raises(ValidationError), scope(committee=committee):
            reading_services.reading_enter(round=march, connection=connection, value=value, by=None)
    with scopes_disabled():
        assert not Reading.objects.exists()


def test_a_reading_cannot_be_estimated_by_hand_nor_enter_a_closed_round(committee, march):
    connection = add_connection(committee, "101")
    with pytest.raises(ValidationError):
        read(march, connection, 10, source="estimated")
    close_round(march)
    with pytest.raises(ValidationError):
        read(march, connection, 10)


def test_another_committees_connection_cannot_be_read_in_this_round(
    committee, other_committee, march
):
    foreign = add_connection(other_committee, "900")
    with pytest.raises(ValidationError):
        read(march, foreign, 10)
    with scopes_disabled():
        assert not Reading.objects.exists()


def test_a_date_in_the_future_is_flagged(committee, march):
    connection = add_connection(committee, "101")
    later = timezone.now() + timedelta(days=2)
    assert read(march, connection, 10, read_at=later, source="phone").flags == ["future"]


# --- meter replacement -------------------------------------------------------------------------


def test_consumption_across_a_meter_replacement_adds_both_meters(committee):
    connection = add_connection(committee, "101")
    january = open_round(committee, 2025, 1)
    # Read in January: the register refuses a meter change dated before the last reading.
    read(january, connection, 1500, read_at=datetime(2025, 1, 31, 10, tzinfo=UTC))
    close_round(january)
    with scope(committee=committee):
        meter_services.meter_replace(
            connection=connection,
            by=None,
            removed_on=date(2025, 2, 10),
            final_reading=D(1510),
            serial="NEW-1",
            initial_reading=D(3),
        )
    february = open_round(committee, 2025, 2)
    reading = read(february, connection, 20)
    assert reading.consumption == D(27)  # (1510 - 1500) + (20 - 3)
    assert reading.previous_value == D(3) and reading.meter.serial == "NEW-1"
    assert reading.flags == []


# --- closing, estimates and settlement ---------------------------------------------------------


def test_closing_is_refused_while_a_reading_waits_for_review_and_lists_them(committee):
    a = add_connection(committee, "101")
    b = add_connection(committee, "102")
    month_read(committee, 2025, 1, {a: 100, b: 100})
    february = open_round(committee, 2025, 2)
    read(february, a, 100)  # zero in an occupied household
    read(february, b, 90)  # below the previous
    with pytest.raises(ValidationError) as refused:
        close_round(february)
    assert "101" in str(refused.value) and "102" in str(refused.value)
    with scopes_disabled():
        assert Round.objects.get(pk=february.pk).status == "open"
        assert not Reading.objects.filter(round=february, estimated=True).exists()


def test_closing_estimates_every_active_connection_without_a_reading(committee, board_user):
    read_one = add_connection(committee, "101")
    missing = add_connection(committee, "102")
    suspended = add_connection(committee, "103", status="suspended")
    no_meter = add_connection(committee, "104")
    with scopes_disabled():
        Meter.objects.filter(connection=no_meter).delete()
    for month, value in enumerate((10, 22, 33), start=1):
        month_read(committee, 2025, month, {read_one: value, missing: value})
    april = open_round(committee, 2025, 4)
    read(april, read_one, 45)
    closed = close_round(april, board_user)
    assert closed.estimated == 1 and closed.without_meter == ["104"]
    assert closed.round.status == "closed" and closed.round.closed_by == board_user
    with scopes_disabled():
        estimate = Reading.objects.get(round=april, connection=missing)
        assert not Reading.objects.filter(round=april, connection=suspended).exists()
    assert estimate.estimated and estimate.source == "estimated" and estimate.status == "accepted"
    assert estimate.consumption == D(11)  # (12 + 11 + 11) / 3, the last three actual months
    assert estimate.value == D(44) and estimate.previous_value == D(33)


def test_a_committee_may_estimate_a_fixed_volume(committee):
    connection = add_connection(committee, "101")
    with scope(committee=committee):
        EstimationRule.objects.create(committee=committee, method="fixed", fixed_m3=D(8))
    january = open_round(committee, 2025, 1)
    close_round(january)
    with scopes_disabled():
        assert Reading.objects.get(round=january, connection=connection).consumption == D(8)


def test_the_next_actual_reading_settles_what_the_estimates_billed(committee):
    connection = add_connection(committee, "101")
    for month, value in enumerate((10, 20, 30), start=1):
        month_read(committee, 2025, month, {connection: value})
    month_read(committee, 2025, 4, {})  # estimated 10 m³: value 40
    month_read(committee, 2025, 5, {})  # estimated 10 m³: value 50
    june = open_round(committee, 2025, 6)
    reading = read(june, connection, 65)
    # 35 m³ metered since March, 20 billed as estimates: 15 to bill now.
    assert reading.consumption == D(15) and reading.metered_m3 == D(35)
    assert reading.months == 3 and reading.flags == []
    assert reading.previous_value == D(50)


def test_when_estimates_billed_more_than_was_used_the_rest_is_carried_to_the_next_months(
    committee,
):
    connection = add_connection(committee, "101")
    for month, value in enumerate((10, 20, 30), start=1):
        month_read(committee, 2025, month, {connection: value})
    month_read(committee, 2025, 4, {})  # estimated 10 m³
    month_read(committee, 2025, 5, {})  # estimated 10 m³
    month_read(committee, 2025, 6, {connection: 42})  # 12 used, 20 billed: 0 and 8 carried
    with scopes_disabled():
        june = Reading.objects.get(round__period=date(2025, 6, 1))
    assert (june.consumption, june.carried_m3) == (0, D(8))
    july = open_round(committee, 2025, 7)
    reading = read(july, connection, 55)  # 13 used, 8 already paid
    assert (reading.consumption, reading.carried_m3) == (D(5), 0)


def test_an_estimate_first_uses_up_what_was_carried(committee):
    connection = add_connection(committee, "101")
    for month, value in enumerate((10, 20, 30), start=1):
        month_read(committee, 2025, month, {connection: value})
    month_read(committee, 2025, 4, {})  # estimated 10
    month_read(committee, 2025, 5, {connection: 34})  # 4 used, 10 billed: 0 and 6 carried
    month_read(committee, 2025, 6, {})  # estimate of (10, 10, 2) = 7.333 minus 6 carried
    with scopes_disabled():
        june = Reading.objects.get(round__period=date(2025, 6, 1))
    assert june.estimated and june.consumption == D("1.333") and june.carried_m3 == 0
    july = open_round(committee, 2025, 7)
    # From May's 34 to 44: 10 used; June billed 1.333 and the carry of 6 paid the rest.
    assert read(july, connection, 44).consumption == D("2.667")


# --- routes ------------------------------------------------------------------------------------


def test_routes_are_built_from_sectors_in_connection_number_order(committee):
    with scope(committee=committee):
        alto = registry.sector_get_or_create(committee=committee, name="Alto")
        bajo = registry.sector_get_or_create(committee=committee, name="Bajo")
    for number, sector in (("10", alto), ("2", alto), ("3", bajo), ("7", None)):
        add_connection(committee, number, sector=sector)
    add_connection(committee, "99", sector=alto, status="closed", closed_on=date(2024, 12, 31))
    with scope(committee=committee):
        routes = round_services.routes_from_sectors(committee=committee)
        sheet = {
            r.name: [s.connection.number for s in r.stops.order_by("position")] for r in routes
        }
    # Connections without a sector share one more route, named in the user's language.
    assert list(sheet.values()) == [["2", "10"], ["3"], ["7"]]
    assert list(sheet)[:2] == ["Alto", "Bajo"]


def test_building_routes_again_only_adds_new_connections_at_the_end(committee):
    with scope(committee=committee):
        alto = registry.sector_get_or_create(committee=committee, name="Alto")
    add_connection(committee, "5", sector=alto)
    with scope(committee=committee):
        round_services.routes_from_sectors(committee=committee)
    add_connection(committee, "1", sector=alto)
    with scope(committee=committee):
        (route,) = round_services.routes_from_sectors(committee=committee)
        assert [s.connection.number for s in route.stops.order_by("position")] == ["5", "1"]
        assert round_services.routes_from_sectors(committee=committee) == []


def test_a_connection_is_on_at_most_one_route(committee):
    from comunagua.metering.models import Route, RouteStop

    connection = add_connection(committee, "1")
    with scope(committee=committee):
        a = Route.objects.create(committee=committee, name="A")
        b = Route.objects.create(committee=committee, name="B")
        RouteStop.objects.create(committee=committee, route=a, connection=connection)
        with pytest.raises(ValidationError):
            RouteStop(committee=committee, route=b, connection=connection).full_clean()


def test_a_connection_number_is_never_changed_by_reading(committee, march):
    connection = add_connection(committee, "101")
    read(march, connection, 5)
    with scopes_disabled():
        assert Connection.objects.get(pk=connection.pk).number == "101"
