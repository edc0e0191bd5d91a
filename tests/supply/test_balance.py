"""The IWA/AWWA water balance (supply/balance/iwa.py): hand-computed cases, the ILI's
validity rule, and properties over random inputs. Pure: no database."""

from dataclasses import fields, replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comunagua.supply.balance.iwa import (
    DEFAULT_SOURCE_METER_ERROR,
    BalanceError,
    BalanceInputs,
    Estimate,
    Quantity,
    WaterBalance,
    water_balance,
)
from tests.properties import pure

D = Decimal
E = Estimate

UNCERTAIN = (
    "source_meter_error_pct",
    "unbilled_unmetered_m3",
    "unauthorized_pct",
    "customer_meter_under_registration_pct",
    "data_handling_error_pct",
)


def known(**changes) -> BalanceInputs:
    """The hillside committee's month with every input known exactly."""
    values = {
        "own_sources_m3": D("9800"),
        "source_meter_error_pct": E.exact(2),
        "bulk_import_m3": D("1000"),
        "water_exported_m3": D("500"),
        "billed_metered_m3": D("6860"),
        "billed_unmetered_m3": D("240"),
        "unbilled_metered_m3": D("150"),
        "unbilled_unmetered_m3": E.exact(50),
        "unauthorized_pct": E.exact("0.25"),
        "customer_meter_under_registration_pct": E.exact(2),
        "data_handling_error_pct": E.exact("0.5"),
        "connections": 370,
        "days": 30,
        "network_length_km": D("12"),
        "average_pressure_m": D("40"),
        "production_cost_per_m3": D("1.50"),
        "average_tariff_per_m3": D("3.20"),
    }
    values.update(changes)
    return BalanceInputs(**values)


def exact(value: str) -> Quantity:
    return Quantity(D(value), D(value), D(value))


def test_a_month_with_every_input_known_matches_the_hand_computed_balance():
    # own sources 9 800 m³ read by meters that under-register 2 %:
    #   9 800 / 0.98 = 10 000 m³ really produced; + 1 000 bought - 500 passed on = 10 500 input
    # billed: 6 860 metered + 240 unmetered = 7 100; unbilled: 150 metered + 50 unmetered = 200
    # authorized = 7 300
    # apparent losses: unauthorized 0.25 % x 10 500 = 26.25
    #                  customer meters under-register 2 %: 6 860 x 2 / 98 = 140
    #                  data handling 0.5 % x 6 860 = 34.30            → 200.55
    # real losses = 10 500 - 7 300 - 200.55 = 2 999.45
    # water losses = 200.55 + 2 999.45 = 3 200; NRW = 10 500 - 7 100 = 3 400
    # NRW % = 3 400 / 10 500 = 32.380… → 32.38
    # per connection per day: 3 400 000 L / (370 x 30) = 306.31 → 306.3;
    #                         real 2 999 450 L / 11 100 = 270.22 → 270.2
    # cost: real 2 999.45 x 1.50 = 4 499.175 → 4 499.18; apparent 200.55 x 3.20 = 641.76
    balance = water_balance(known())

    assert balance.system_input_m3 == exact("10500.000")
    assert balance.billed_authorized_m3 == exact("7100.000")
    assert balance.unbilled_authorized_m3 == exact("200.000")
    assert balance.authorized_consumption_m3 == exact("7300.000")
    assert balance.unauthorized_m3 == exact("26.250")
    assert balance.meter_under_registration_m3 == exact("140.000")
    assert balance.data_handling_errors_m3 == exact("34.300")
    assert balance.apparent_losses_m3 == exact("200.550")
    assert balance.real_losses_m3 == exact("2999.450")
    assert balance.water_losses_m3 == exact("3200.000")
    assert balance.revenue_water_m3 == exact("7100.000")
    assert balance.non_revenue_water_m3 == exact("3400.000")
    assert balance.nrw_percent == exact("32.38")
    assert balance.nrw_litres_per_connection_day == exact("306.3")
    assert balance.real_losses_litres_per_connection_day == exact("270.2")
    assert balance.real_losses_cost == exact("4499.18")
    assert balance.apparent_losses_cost == exact("641.76")


def test_uncertain_estimates_give_the_hand_computed_range():
    # input 10 000 m³ exactly; billed 7 000 metered; unbilled 100 metered + 50 ± 30 unmetered
    # unauthorized 0.25 ± 0.4 % of 10 000 = 25 ± 40 m³; meters and data handling exact at 0
    # real losses = 10 000 - 7 150 - 25 = 2 825, margin √(30² + 40²) = 50 → 2 775 … 2 875
    # water losses = input - authorized = 2 850: only the unbilled estimate moves them (± 30);
    #   unauthorized use moves water between apparent and real losses, not out of them
    # NRW = 10 000 - 7 000 = 3 000 exactly, 30 %
    # real losses per connection per day: 2 825 000 / 11 100 = 254.50 ± 4.50 → 250.0 … 259.0
    # their cost at Bs 2: 5 650 ± 100
    balance = water_balance(
        known(
            own_sources_m3=D("10000"),
            source_meter_error_pct=E.exact(0),
            bulk_import_m3=D(0),
            water_exported_m3=D(0),
            billed_metered_m3=D("7000"),
            billed_unmetered_m3=D(0),
            unbilled_metered_m3=D("100"),
            unbilled_unmetered_m3=E(D("50"), D("30")),
            unauthorized_pct=E(D("0.25"), D("0.4")),
            customer_meter_under_registration_pct=E.exact(0),
            data_handling_error_pct=E.exact(0),
            production_cost_per_m3=D("2"),
        )
    )

    assert balance.real_losses_m3 == Quantity(D("2825.000"), D("2775.000"), D("2875.000"))
    assert balance.unauthorized_m3 == Quantity(D("25.000"), D("0.000"), D("65.000"))
    assert balance.unbilled_authorized_m3 == Quantity(D("150.000"), D("120.000"), D("180.000"))
    assert balance.water_losses_m3 == Quantity(D("2850.000"), D("2820.000"), D("2880.000"))
    assert balance.non_revenue_water_m3 == exact("3000.000")
    assert balance.nrw_percent == exact("30.00")
    assert balance.real_losses_litres_per_connection_day == Quantity(
        D("254.5"), D("250.0"), D("259.0")
    )
    assert balance.real_losses_cost == Quantity(D("5650.00"), D("5550.00"), D("5750.00"))


def test_the_default_source_meter_margin_gives_the_system_input_a_range():
    # 10 000 m³ read, meters 0 ± 2 %: 10 000 / 0.98 = 10 204.08 and 10 000 / 1.02 = 9 803.92,
    # half the difference is ± 200.08 m³ around 10 000
    balance = water_balance(
        known(
            own_sources_m3=D("10000"),
            source_meter_error_pct=DEFAULT_SOURCE_METER_ERROR,
            bulk_import_m3=D(0),
            water_exported_m3=D(0),
        )
    )

    assert balance.system_input_m3 == Quantity(D("10000.000"), D("9799.920"), D("10200.080"))


def test_the_documented_defaults_are_the_ones_used():
    defaults = {f.name: f.default for f in fields(BalanceInputs)}
    assert defaults["source_meter_error_pct"] == E(D(0), D(2))
    assert defaults["unauthorized_pct"] == E(D("0.25"), D("0.25"))
    assert defaults["customer_meter_under_registration_pct"] == E(D(2), D(2))
    assert defaults["data_handling_error_pct"] == E(D(0), D("0.25"))
    assert defaults["water_exported_m3"] == 0


@pytest.mark.parametrize("name", UNCERTAIN)
def test_every_estimates_margin_widens_the_real_losses_range(name):
    estimate = getattr(known(), name)
    wider = E(estimate.value, D("1"))
    real = water_balance(known(**{name: wider})).real_losses_m3

    assert real.low < real.value < real.high


# --- the Infrastructure Leakage Index ------------------------------------------------------


def big_system(**changes) -> BalanceInputs:
    """A town of 5 000 connections on 100 km of mains at 40 m, real losses 20 880 m³ a month."""
    values = {
        "own_sources_m3": D("100000"),
        "source_meter_error_pct": E.exact(0),
        "bulk_import_m3": D(0),
        "billed_metered_m3": D("79120"),
        "billed_unmetered_m3": D(0),
        "unbilled_metered_m3": D(0),
        "unbilled_unmetered_m3": E.exact(0),
        "unauthorized_pct": E.exact(0),
        "customer_meter_under_registration_pct": E.exact(0),
        "data_handling_error_pct": E.exact(0),
        "connections": 5000,
        "days": 30,
        "network_length_km": D("100"),
        "average_pressure_m": D("40"),
        "production_cost_per_m3": D("1"),
        "average_tariff_per_m3": D("3"),
    }
    values.update(changes)
    return BalanceInputs(**values)


def test_a_big_system_gets_its_infrastructure_leakage_index():
    # UARL = (18 x 100 km + 0.8 x 5 000) x 40 m = 232 000 L/day = 232 m³/day → 6 960 m³ in 30 days
    # real losses 100 000 - 79 120 = 20 880 m³ → ILI = 20 880 / 6 960 = 3.00
    balance = water_balance(big_system())

    assert balance.ili_status == "ok"
    assert balance.ili == D("3.00")
    assert balance.ili_low == balance.ili_high == D("3.00")
    assert balance.uarl_m3 == D("6960.000")
    assert balance.ili_note == ""


def test_the_pipes_behind_the_property_line_raise_the_unavoidable_losses():
    # 10 km between property lines and meters: (1 800 + 4 000 + 25 x 10) x 40 = 242 000 L/day
    # → 7 260 m³ in 30 days; ILI = 20 880 / 7 260 = 2.876… → 2.88
    balance = water_balance(big_system(private_pipe_length_km=D("10")))

    assert balance.uarl_m3 == D("7260.000")
    assert balance.ili == D("2.88")


def test_the_ili_range_follows_the_real_losses_range():
    # unbilled unmetered 0 ± 696 m³ moves real losses by ± 696 = ± 0.10 of the UARL
    balance = water_balance(big_system(unbilled_unmetered_m3=E(D(0), D("696"))))

    assert (balance.ili_low, balance.ili, balance.ili_high) == (D("2.90"), D("3.00"), D("3.10"))


def test_the_hillside_committee_is_too_small_for_an_ili():
    balance = water_balance(known())

    assert balance.ili_status == "too_few_connections"
    assert balance.ili is None and balance.ili_low is None and balance.ili_high is None
    assert "370 connections" in balance.ili_note


@pytest.mark.parametrize(
    ("changes", "status", "reason"),
    [
        ({"network_length_km": D("300")}, "too_low_density", "16.7 connections per km"),
        ({"average_pressure_m": D("20")}, "too_low_pressure", "pressure is 20 m"),
    ],
)
def test_a_sparse_or_low_pressure_network_gets_no_ili_and_says_why(changes, status, reason):
    balance = water_balance(big_system(**changes))  # 5 000 connections

    assert balance.ili_status == status
    assert balance.ili is None
    assert reason in balance.ili_note
    if status == "too_low_density":
        assert balance.connections_per_km == D("16.7")  # 5 000 / 300 km


@pytest.mark.parametrize("missing", ["network_length_km", "average_pressure_m"])
def test_a_big_system_without_length_or_pressure_gets_no_ili(missing):
    balance = water_balance(big_system(**{missing: None}))

    assert balance.ili_status == "missing_inputs"
    assert balance.ili is None
    assert balance.ili_note


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"billed_metered_m3": D("-1")}, "billed_metered_m3: cannot be negative"),
        ({"unbilled_unmetered_m3": E(D("-5"), D(1))}, "unbilled_unmetered_m3: cannot be"),
        ({"unauthorized_pct": E(D("1"), D("-1"))}, "margin cannot be negative"),
        ({"source_meter_error_pct": E(D("45"), D("10"))}, "within ±50 %"),
        ({"own_sources_m3": 9800.0}, "floats are not accepted"),  # they lost their litres
        ({"days": 0}, "days: must be a whole number"),
        ({"connections": 0}, "connections: must be a whole number"),
        ({"own_sources_m3": D(0), "bulk_import_m3": D(0)}, "system input volume must be"),
        ({"water_exported_m3": D("20000")}, "system input volume must be"),  # more out than in
    ],
)
def test_impossible_inputs_are_refused_with_the_reason(changes, reason):
    with pytest.raises(BalanceError, match=reason):
        water_balance(known(**changes))


def test_ints_are_taken_as_decimals():
    balance = water_balance(known(own_sources_m3=9800, billed_metered_m3=6860))

    assert balance.system_input_m3.value == D("10500.000")


# --- properties ----------------------------------------------------------------------------

volumes = st.decimals(min_value=0, max_value=D("100000"), places=3)
percentages = st.decimals(min_value=0, max_value=D(10), places=2)
pct_margins = st.decimals(min_value=0, max_value=D(5), places=2)


@st.composite
def percent_estimates(draw, low=0):
    value = draw(st.decimals(min_value=low, max_value=D(10), places=2))
    return E(value, draw(pct_margins))


@st.composite
def balance_inputs(draw):
    bulk = draw(volumes)
    return BalanceInputs(
        own_sources_m3=draw(st.decimals(min_value=1, max_value=D("100000"), places=3)),
        source_meter_error_pct=draw(percent_estimates(low=-10)),
        bulk_import_m3=bulk,
        water_exported_m3=draw(st.decimals(min_value=0, max_value=bulk, places=3)),
        billed_metered_m3=draw(volumes),
        billed_unmetered_m3=draw(volumes),
        unbilled_metered_m3=draw(volumes),
        unbilled_unmetered_m3=E(draw(volumes), draw(volumes)),
        unauthorized_pct=draw(percent_estimates()),
        customer_meter_under_registration_pct=draw(percent_estimates()),
        data_handling_error_pct=draw(percent_estimates()),
        connections=draw(st.integers(min_value=1, max_value=20000)),
        days=draw(st.integers(min_value=1, max_value=366)),
        network_length_km=draw(st.none() | st.decimals(min_value=1, max_value=500, places=1)),
        average_pressure_m=draw(st.none() | st.decimals(min_value=1, max_value=100, places=1)),
        production_cost_per_m3=draw(st.decimals(min_value=0, max_value=D(20), places=2)),
        average_tariff_per_m3=draw(st.decimals(min_value=0, max_value=D(20), places=2)),
    )


@pure
@given(balance_inputs())
def test_the_components_add_up_exactly_to_the_system_input(inputs):
    b = water_balance(inputs)

    assert (
        b.billed_authorized_m3.value
        + b.unbilled_authorized_m3.value
        + b.apparent_losses_m3.value
        + b.real_losses_m3.value
        == b.system_input_m3.value
    )
    assert b.billed_metered_m3.value + b.billed_unmetered_m3.value == b.billed_authorized_m3.value
    assert (
        b.unauthorized_m3.value
        + b.meter_under_registration_m3.value
        + b.data_handling_errors_m3.value
        == b.apparent_losses_m3.value
    )
    assert b.apparent_losses_m3.value + b.real_losses_m3.value == b.water_losses_m3.value
    assert (
        b.unbilled_authorized_m3.value + b.water_losses_m3.value
        == b.non_revenue_water_m3.value
        == b.system_input_m3.value - b.revenue_water_m3.value
    )


@pure
@given(balance_inputs(), volumes, volumes)
def test_more_billed_water_never_raises_real_losses(inputs, more_metered, more_unmetered):
    before = water_balance(inputs).real_losses_m3.value
    after = water_balance(
        replace(
            inputs,
            billed_metered_m3=inputs.billed_metered_m3 + more_metered,
            billed_unmetered_m3=inputs.billed_unmetered_m3 + more_unmetered,
        )
    ).real_losses_m3.value

    assert after <= before


@pure
@given(balance_inputs(), st.sampled_from(UNCERTAIN), pct_margins)
def test_widening_a_margin_never_narrows_the_real_losses_range(inputs, name, extra):
    estimate = getattr(inputs, name)
    wider = replace(inputs, **{name: E(estimate.value, estimate.margin + extra)})

    before = water_balance(inputs).real_losses_m3
    after = water_balance(wider).real_losses_m3

    assert after.low <= before.low
    assert after.high >= before.high


@pure
@given(balance_inputs())
def test_every_figure_lies_within_its_own_range(inputs):
    b = water_balance(inputs)

    assert b.nrw_percent.low <= b.nrw_percent.value <= b.nrw_percent.high
    for f in fields(WaterBalance):
        figure = getattr(b, f.name)
        if isinstance(figure, Quantity):
            assert figure.low <= figure.value <= figure.high, f.name
    if b.ili is not None:
        assert b.ili_low <= b.ili <= b.ili_high
