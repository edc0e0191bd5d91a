"""The pure checks of a reading: consumption, roll-over, flags and estimates, without a database."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comunagua.metering import validation as v
from comunagua.metering.validation import check, consumption, estimate, settle
from tests.properties import pure

D = Decimal

digits = st.integers(min_value=3, max_value=9)


@st.composite
def two_readings(draw):
    n = draw(digits)
    top = D(10) ** n - D("0.001")
    value = st.decimals(min_value=0, max_value=top, places=3)
    return draw(value), draw(value), n


volumes = st.decimals(min_value=0, max_value=D(500), places=3)
histories = st.lists(volumes, max_size=8)


# --- consumption and roll-over ----------------------------------------------------------------


def test_consumption_is_the_difference_when_the_meter_moved_forward():
    assert consumption(D("1200.5"), D("1215"), 5) == (D("14.5"), False)


def test_a_five_digit_meter_rolls_over_after_99999():
    assert consumption(D(99990), D(12), 5) == (D(22), True)


def test_a_reading_the_dials_cannot_show_is_refused():
    with pytest.raises(ValueError):
        consumption(D(0), D(100000), 5)
    with pytest.raises(ValueError):
        consumption(D(-1), D(5), 5)


@pure
@given(two_readings())
def test_consumption_is_never_negative(readings):
    previous, current, n = readings
    m3, _rolled = consumption(previous, current, n)
    assert m3 >= 0


@pure
@given(two_readings())
def test_with_a_roll_over_previous_plus_consumption_is_current_modulo_the_dials(readings):
    previous, current, n = readings
    m3, rolled = consumption(previous, current, n)
    assert (previous + m3) % (D(10) ** n) == current
    assert rolled == (current < previous)


# --- flags -------------------------------------------------------------------------------------


def test_a_normal_reading_has_no_flag():
    assert check(value=D(1220), previous=D(1200), digits=5, history=[D(20)] * 4) == (D(20), ())


def test_a_plausible_roll_over_is_counted_and_still_flagged_for_a_person_to_confirm():
    m3, flags = check(value=D(12), previous=D(99990), digits=5, history=[D(20)] * 3)
    assert m3 == D(22) and flags == ("rollover",)


def test_a_reading_lower_than_the_previous_where_a_roll_over_is_absurd_is_below_previous():
    m3, flags = check(value=D(1190), previous=D(1200), digits=5)
    assert flags == ("below_previous",)
    assert m3 == D(-10)  # reported as it is: never turned into 99990 m³


def test_the_roll_over_ceiling_grows_with_the_usual_consumption_and_the_months():
    assert v.rollover_limit([]) == D(200)
    assert v.rollover_limit([D(30)] * 3) == D(300)
    assert v.rollover_limit([D(30)] * 3, months=2) == D(600)
    _m3, flags = check(value=D(250), previous=D(99990), digits=5, history=[D(30)] * 3)
    assert flags == ("rollover", "spike")


def test_zero_consumption_is_flagged_only_in_an_occupied_household():
    assert check(value=D(50), previous=D(50), digits=5, occupied=True).flags == ("zero",)
    assert check(value=D(50), previous=D(50), digits=5, occupied=False).flags == ()


def test_a_spike_needs_three_months_of_history_and_both_thresholds():
    history = [D(10), D(12), D(11)]
    # median 11: the limit is max(3 x 11, 11 + 15) = 33 m³.
    assert check(value=D(33), previous=D(0), digits=5, history=history).flags == ()
    assert check(value=D(34), previous=D(0), digits=5, history=history).flags == ("spike",)
    assert check(value=D(34), previous=D(0), digits=5, history=history[:2]).flags == ()
    # With a small usual consumption, 3x is not enough: it must also pass median + 15 m³.
    assert check(value=D(12), previous=D(0), digits=5, history=[D(2)] * 3).flags == ()
    assert check(value=D(18), previous=D(0), digits=5, history=[D(2)] * 3).flags == ("spike",)


def test_a_spike_is_judged_per_month_after_estimated_months():
    history = [D(10)] * 6
    assert check(value=D(60), previous=D(0), digits=5, history=history, months=3).flags == ()
    assert check(value=D(60), previous=D(0), digits=5, history=history, months=1).flags == (
        "spike",
    )


def test_a_removed_meter_a_second_value_and_a_future_date_are_flagged():
    now = datetime(2025, 3, 1, 12, tzinfo=UTC)
    _m3, flags = check(
        value=D(30),
        previous=D(10),
        digits=5,
        meter_removed=True,
        existing=D(31),
        read_at=now + timedelta(hours=1),
        now=now,
    )
    assert flags == ("removed_meter", "twice", "future")


def test_the_same_value_twice_is_not_a_conflict_and_a_few_minutes_of_clock_drift_are_fine():
    now = datetime(2025, 3, 1, 12, tzinfo=UTC)
    _m3, flags = check(
        value=D("30.0"),
        previous=D(10),
        digits=5,
        existing=D(30),
        read_at=now + timedelta(minutes=5),
        now=now,
    )
    assert flags == ()


def test_a_value_the_dials_cannot_show_is_too_large_and_nothing_else():
    assert check(value=D(100000), previous=D(10), digits=5) == (D(0), ("too_large",))
    assert check(value=D(10) ** 9, previous=D(10), digits=5).flags == ("too_large",)


def test_a_negative_value_is_refused():
    with pytest.raises(ValueError):
        check(value=D(-1), previous=D(10), digits=5)


def test_consumption_across_a_meter_replacement_adds_the_old_meter_and_the_new_one():
    # Last read 1500 on the old meter, removed at 1510; the new one started at 3 and reads 20.
    m3, flags = check(
        value=D(20), previous=D(3), digits=5, replaced=[(D(1500), D(1510), 5)], occupied=True
    )
    assert m3 == D(27) and flags == ()


@pure
@given(two_readings(), histories, st.integers(1, 4), st.booleans(), st.booleans())
def test_flags_are_deterministic_and_in_the_documented_order(
    readings, history, months, occupied, removed
):
    previous, current, n = readings
    kwargs = dict(
        value=current,
        previous=previous,
        digits=n,
        history=history,
        months=months,
        occupied=occupied,
        meter_removed=removed,
    )
    first, second = check(**kwargs), check(**kwargs)
    assert first == second
    assert list(first.flags) == [f for f in v.FLAGS if f in first.flags]
    assert first.consumption >= 0 or "below_previous" in first.flags
    assert not {"rollover", "below_previous"} <= set(first.flags)


# --- estimates and settlement ------------------------------------------------------------------


def test_an_estimate_is_the_average_of_the_last_three_actual_months():
    assert estimate([D(100), D(10), D(11), D(13)]) == D("11.333")
    assert estimate([D(7)]) == D("7.000")


def test_without_history_the_estimate_is_zero():
    assert estimate([]) == D(0)


@pure
@given(histories)
def test_an_estimate_lies_between_the_least_and_the_most_of_the_last_three(history):
    result = estimate(history)
    recent = history[-3:]
    if recent:
        assert min(recent) <= result <= max(recent)
    else:
        assert result == 0
    assert result == result.quantize(D("0.001"))


def test_an_actual_reading_after_estimates_bills_what_the_estimates_did_not():
    # 30 m³ metered over three months, 2 x 10 m³ already billed as estimates.
    assert settle(D(30), D(20), D(0)) == (D(10), D(0))


def test_when_estimates_billed_too_much_the_month_bills_nothing_and_the_rest_is_carried():
    assert settle(D(12), D(20), D(0)) == (D(0), D(8))
    assert settle(D(12), D(0), D(8)) == (D(4), D(0))


@pure
@given(volumes, volumes, volumes)
def test_settlement_never_bills_a_negative_volume_and_loses_nothing(metered, billed, carried):
    m3, carry = settle(metered, billed, carried)
    assert m3 >= 0 and carry >= 0 and m3 * carry == 0
    assert m3 - carry == metered - billed - carried
