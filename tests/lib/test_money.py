"""Rounding money: the one place where amounts are rounded, half-up, to a committee's unit."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comunagua.lib.money import MoneyError, as_decimal, cents, round_to_unit, split_exactly
from tests.properties import pure

# Amounts a committee meets: up to a thousand million Bs, to the millionth (prices per litre).
amounts = st.decimals(
    min_value=Decimal("-1e9"),
    max_value=Decimal("1e9"),
    places=6,
    allow_nan=False,
    allow_infinity=False,
)
# The units committees choose (coins), and any other positive one to the centavo.
units = st.one_of(
    st.sampled_from(["0.01", "0.05", "0.10", "0.20", "0.50", "1", "5", "10"]).map(Decimal),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"), places=2),
)


@pure
@given(amounts, units)
def test_a_rounded_amount_is_a_whole_number_of_units(amount, unit):
    assert round_to_unit(amount, unit) % unit == 0


@pure
@given(amounts, units)
def test_rounding_moves_an_amount_by_at_most_half_a_unit(amount, unit):
    assert abs(round_to_unit(amount, unit) - amount) <= unit / 2


@pure
@given(amounts, units)
def test_rounding_a_rounded_amount_changes_nothing(amount, unit):
    once = round_to_unit(amount, unit)
    twice = round_to_unit(once, unit)

    assert twice == once
    assert str(twice) == str(once)


@pure
@given(amounts, amounts, units)
def test_a_larger_amount_never_rounds_to_less(a, b, unit):
    low, high = sorted((a, b))

    assert round_to_unit(low, unit) <= round_to_unit(high, unit)


@pure
@given(st.integers(min_value=0, max_value=10**8), units)
def test_an_exact_half_rounds_up(whole_units, unit):
    halfway = (whole_units + Decimal("0.5")) * unit

    assert round_to_unit(halfway, unit) == (whole_units + 1) * unit


@pure
@given(amounts, units)
def test_a_credit_rounds_like_the_charge_it_cancels(amount, unit):
    assert round_to_unit(-amount, unit) == -round_to_unit(amount, unit)


@pure
@given(amounts, units)
def test_the_result_is_written_with_the_units_decimals(amount, unit):
    """Bs 12.3 rounded to 0.10 prints as 12.30 on the bill, not 12.3."""
    places = min(unit.as_tuple().exponent, 0)

    assert round_to_unit(amount, unit).as_tuple().exponent == places


@pure
@given(amounts, units)
def test_text_and_decimal_amounts_round_alike(amount, unit):
    assert round_to_unit(str(amount), str(unit)) == round_to_unit(amount, unit)


@pure
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_whole_bolivianos_are_kept_as_they_are(amount):
    assert round_to_unit(amount, "0.10") == amount
    assert cents(amount) == amount


@pure
@given(amounts)
def test_a_line_is_rounded_to_the_centavo(amount):
    line = cents(amount)

    assert line == round_to_unit(amount, "0.01")
    assert line.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("amount", "unit", "rounded"),
    [
        ("12.35", "0.10", "12.40"),
        ("12.25", "0.10", "12.30"),  # half-up, not to the even 12.20
        ("12.34", "0.10", "12.30"),
        ("12.349", "0.10", "12.30"),
        ("12.3", "0.10", "12.30"),
        ("0.05", "0.10", "0.10"),
        ("0.045", "0.01", "0.05"),
        ("12.25", "0.50", "12.50"),
        ("12.24", "0.50", "12.00"),
        ("2.5", "1", "3"),
        ("3.5", "1", "4"),
        ("-12.25", "0.10", "-12.30"),
        ("17", "5", "15"),
        ("17.5", "5", "20"),
    ],
)
def test_known_amounts_round_as_people_round_by_hand(amount, unit, rounded):
    assert str(round_to_unit(amount, unit)) == rounded


@pure
@given(st.floats(), units)
def test_a_float_amount_is_refused(amount, unit):
    with pytest.raises(MoneyError):
        round_to_unit(amount, unit)


@pure
@given(amounts, st.floats())
def test_a_float_unit_is_refused(amount, unit):
    with pytest.raises(MoneyError):
        round_to_unit(amount, unit)


@pytest.mark.parametrize(
    "unit", ["0", "0.00", "-0.10", "-1", "abc", "", "NaN", "Infinity", "-Infinity", None, 0.1]
)
def test_a_unit_that_is_not_a_positive_number_is_refused(unit):
    with pytest.raises(MoneyError):
        round_to_unit("12.35", unit)


@pytest.mark.parametrize("amount", ["abc", "", "12,35", "NaN", "sNaN", "Infinity", None, 12.35])
def test_an_amount_that_is_not_a_number_is_refused(amount):
    with pytest.raises(MoneyError):
        round_to_unit(amount, "0.10")


@pure
@given(st.one_of(st.text(), st.none(), st.floats()))
def test_text_that_is_not_money_is_refused_with_a_money_error(value):
    """Never another kind of exception: forms and imports catch MoneyError (a ValueError)."""
    try:
        result = as_decimal(value)
    except MoneyError:
        return
    assert result.is_finite()


def test_a_money_error_is_a_value_error():
    assert issubclass(MoneyError, ValueError)


@pytest.mark.parametrize("value", [True, [0, [1, 2], -2], (0, (1,), 0), None, b"12"])
def test_things_that_are_not_amounts_are_refused(value):
    with pytest.raises(MoneyError):
        as_decimal(value)


def test_an_amount_beyond_any_bill_is_refused_with_a_money_error():
    with pytest.raises(MoneyError):
        round_to_unit("1e30", "0.10")


# --- sharing a total by weights (a volume over the months it covers) ---------------------------

LITRES = Decimal("0.001")


@given(
    st.integers(-(10**9), 10**9),
    st.lists(st.integers(0, 400), min_size=1, max_size=40).filter(any),
    st.sampled_from([LITRES, Decimal("0.01"), Decimal("0.10"), Decimal(1)]),
)
def test_shares_add_up_to_the_total_exactly_and_stay_within_a_unit_of_the_proportion(
    units, weights, unit
):
    total = units * unit
    shares = split_exactly(total, weights, unit)
    assert sum(shares) == total
    assert len(shares) == len(weights)
    assert all(share % unit == 0 for share in shares)
    whole = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        assert abs(share - total * weight / whole) < unit
        if weight == 0:
            assert share == 0


@given(st.integers(0, 10**9), st.lists(st.integers(1, 400), min_size=2, max_size=40))
def test_a_heavier_weight_never_gets_a_smaller_share(units, weights):
    shares = split_exactly(units * LITRES, weights, LITRES)
    for i in range(len(weights)):
        for j in range(len(weights)):
            if weights[i] > weights[j]:
                assert shares[i] >= shares[j]


def test_ten_cubic_metres_over_one_and_two_days():
    assert split_exactly(Decimal("10.000"), [1, 2], LITRES) == [Decimal("3.333"), Decimal("6.667")]


def test_a_tie_gives_the_spare_unit_to_the_earliest():
    assert split_exactly(Decimal("0.01"), [1, 1], Decimal("0.01")) == [
        Decimal("0.01"),
        Decimal("0.00"),
    ]


@pytest.mark.parametrize(
    ("total", "weights", "unit"),
    [
        ("10.0005", [1, 2], LITRES),  # not a whole number of litres
        ("10", [], LITRES),
        ("10", [0, 0], LITRES),
        ("10", [1, -1], LITRES),
        ("10", [1, 2], "0"),
        (10.5, [1, 2], LITRES),
    ],
)
def test_a_split_that_cannot_be_exact_is_refused(total, weights, unit):
    with pytest.raises(MoneyError):
        split_exactly(total, weights, unit)
