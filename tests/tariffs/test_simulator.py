"""The tariff simulator, pure: hand-computed cases, then properties over random tariffs and
random months (the rows add up to the totals, deciles are fair tenths ranked by volume, the
tariff that issued the bills changes nothing, raising a price never lowers revenue)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comunagua.tariffs import engine, simulator
from comunagua.tariffs.simulator import Usage
from tests.properties import heavy
from tests.tariffs.helpers import EXAMPLE_FILE
from tests.tariffs.test_engine_properties import tariffs

TARIFA_2016 = engine.from_toml(EXAMPLE_FILE.read_text(encoding="utf-8"))


def usage(number, m3, category="residential", sewer=False, old=None) -> Usage:
    m3 = Decimal(m3)
    if old is None:  # billed with the 2016 tariff
        old = engine.quote(TARIFA_2016, category=category, m3=m3, sewer=sewer).total
    return Usage(str(number), category, m3, sewer, Decimal(old))


def proposal(**residential) -> engine.Tariff:
    """The 2016 tariff with the residential category changed."""
    data = engine.to_data(TARIFA_2016)
    data["name"] = "Propuesta"
    for category in data["category"]:
        if category["code"] == "residential":
            category.update(residential)
    return engine.parse(data)


# --- by hand ---------------------------------------------------------------------------------


def test_a_higher_fixed_charge_shows_as_the_difference_on_every_residential_bill():
    month = [usage(1, "4"), usage(2, "12"), usage(3, "25"), usage(4, "8", "social")]
    result = simulator.simulate(proposal(fixed_charge="20.00"), month)

    residential, social = result.categories
    assert residential.key == "residential" and social.key == "social"
    # 2016: 18 + 8 = 26.00; 18 + 20 + 6 = 44.00; 18 + 20 + 30 + 25 = 93.00
    assert residential.old_total == Decimal("163.00")
    assert residential.new_total == Decimal("169.00")
    assert residential.difference == Decimal("6.00")
    assert residential.change_percent == Decimal("3.7")
    assert social.difference == 0 and social.change_percent == Decimal("0.0")
    assert result.total.old_total == Decimal("188.00")  # 163 + social 9 + 16
    assert result.total.new_total == Decimal("194.00")
    assert result.total.m3 == Decimal("49")


def test_the_old_bill_is_the_bill_as_issued_not_a_recomputation():
    # A bill issued under an older, cheaper tariff: the simulator compares with what was paid.
    result = simulator.simulate(TARIFA_2016, [usage(1, "10", old="30.00")])
    assert result.total.old_total == Decimal("30.00")
    assert result.total.new_total == Decimal("38.00")
    assert result.total.difference == Decimal("8.00")


def test_twenty_households_fall_two_to_a_decile_from_the_least_water_to_the_most():
    month = [usage(n, str(n)) for n in range(20, 0, -1)]  # given in any order
    result = simulator.simulate(TARIFA_2016, month)

    assert [row.key for row in result.deciles] == [str(d) for d in range(1, 11)]
    assert [row.connections for row in result.deciles] == [2] * 10
    assert [(row.m3_min, row.m3_max) for row in result.deciles][:2] == [
        (Decimal(1), Decimal(2)),
        (Decimal(3), Decimal(4)),
    ]
    first = result.deciles[0]
    assert first.old_average == Decimal("21.00")  # (20.00 + 22.00) / 2
    assert result.deciles[-1].m3_max == Decimal(20)


def test_fewer_than_ten_households_have_no_deciles_to_show():
    result = simulator.simulate(TARIFA_2016, [usage(n, str(n)) for n in range(1, 10)])
    assert result.deciles == () and result.households.connections == 9


def test_deciles_count_households_only_not_shops():
    month = [usage(n, "5") for n in range(1, 11)] + [usage(99, "300", "commercial")]
    result = simulator.simulate(TARIFA_2016, month)
    assert result.households.connections == 10
    assert sum(row.connections for row in result.deciles) == 10
    assert all(row.m3_max == Decimal(5) for row in result.deciles)
    assert result.total.connections == 11


def test_costs_give_the_balance_and_the_coverage_before_and_after():
    month = [usage(1, "10"), usage(2, "10")]  # 38.00 each
    result = simulator.simulate(proposal(fixed_charge="23.00"), month, costs=Decimal("80.00"))
    assert result.total.new_total == Decimal("86.00")
    assert result.old_balance == Decimal("-4.00")
    assert result.new_balance == Decimal("6.00")
    assert result.old_coverage_percent == Decimal("95.0")
    assert result.new_coverage_percent == Decimal("107.5")


def test_without_costs_there_is_no_balance_to_show():
    result = simulator.simulate(TARIFA_2016, [usage(1, "3")])
    assert result.costs is None and result.new_balance is None
    assert result.new_coverage_percent is None


@pytest.mark.parametrize(
    ("usages", "kwargs", "words"),
    [
        ([], {}, "no billed consumption"),
        ([usage(1, "3", "institutional", old="10.00")], {}, "categories: institutional"),
        ([usage(1, "3")], {"costs": Decimal("-1")}, "cannot be negative"),
        ([usage(1, "3")], {"currency": "USD"}, "in BOB but the bills are in USD"),
    ],
)
def test_a_simulation_that_cannot_be_run_says_why(usages, kwargs, words):
    with pytest.raises(simulator.SimulationError, match=words):
        simulator.simulate(TARIFA_2016, usages, **kwargs)


# --- properties ------------------------------------------------------------------------------

volumes = st.decimals(min_value=0, max_value=Decimal("80"), places=3)


@st.composite
def months(draw, tariff: engine.Tariff):
    """A billed month priced with `tariff`'s categories, bills as issued by anything."""
    count = draw(st.integers(min_value=1, max_value=80))
    codes = list(tariff.categories)
    return [
        Usage(
            str(n),
            draw(st.sampled_from(codes)),
            draw(volumes),
            draw(st.booleans()),
            draw(st.decimals(min_value=0, max_value=Decimal("500"), places=2)),
        )
        for n in range(1, count + 1)
    ]


@st.composite
def cases(draw):
    tariff = draw(tariffs)
    return tariff, draw(months(tariff))


@heavy
@given(cases())
def test_the_rows_add_up_to_the_totals_to_the_centavo(case):
    tariff, month = case
    result = simulator.simulate(tariff, month)
    for field in ("connections", "m3", "old_total", "new_total"):
        assert sum(getattr(row, field) for row in result.categories) == getattr(result.total, field)
        if result.deciles:
            assert sum(getattr(row, field) for row in result.deciles) == getattr(
                result.households, field
            )
    assert result.total.old_total == sum(u.old_total for u in month)
    assert result.total.difference == result.total.new_total - result.total.old_total


@heavy
@given(cases())
def test_deciles_are_tenths_that_differ_by_one_household_at_most_and_rise_with_volume(case):
    tariff, month = case
    result = simulator.simulate(tariff, month)
    households = [u for u in month if u.category in simulator.HOUSEHOLD_CATEGORIES]
    sizes = [row.connections for row in result.deciles]
    if len(households) < 10:
        assert sizes == []  # tenths of a handful of families would show single bills
    else:
        assert len(sizes) == 10 and sum(sizes) == len(households)
        assert max(sizes) - min(sizes) <= 1
    for lower, upper in zip(result.deciles, result.deciles[1:], strict=False):
        assert lower.m3_max <= upper.m3_min


@heavy
@given(tariffs, st.data())
def test_the_tariff_that_issued_the_bills_changes_nothing(tariff, data):
    month = [
        Usage(
            u.number,
            u.category,
            u.m3,
            u.sewer,
            engine.quote(tariff, category=u.category, m3=u.m3, sewer=u.sewer).total,
        )
        for u in data.draw(months(tariff))
    ]
    result = simulator.simulate(tariff, month)
    assert all(row.difference == 0 for row in (*result.categories, *result.deciles, result.total))


@heavy
@given(cases(), st.decimals(min_value=0, max_value=Decimal("50"), places=2))
def test_a_higher_fixed_charge_never_lowers_anyones_bill(case, raise_by):
    tariff, month = case
    data = engine.to_data(tariff)
    for category in data["category"]:
        category["fixed_charge"] = format(Decimal(category["fixed_charge"]) + raise_by, "f")
    before = simulator.simulate(tariff, month)
    after = simulator.simulate(engine.parse(data), month)
    for old, new in zip(before.categories, after.categories, strict=True):
        assert new.new_total >= old.new_total
    assert after.total.new_total >= before.total.new_total
