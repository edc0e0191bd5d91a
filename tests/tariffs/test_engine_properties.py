"""Properties of the engine over random valid tariffs: more water never costs less, the lines add
up to the total, no water costs the fixed charge (and sewer on it), totals are whole units of
the rounding, and a tariff survives being written down and read back."""

import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from comunagua.lib.money import cents, round_to_unit
from comunagua.tariffs import engine
from tests.properties import pure


def _plain(value: Decimal) -> str:
    return format(value, "f")


def _money(max_value="1000"):
    return st.decimals(min_value=0, max_value=Decimal(max_value), places=2).map(_plain)


prices = st.decimals(min_value=0, max_value=Decimal("100"), places=4).map(_plain)
volumes = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("500"), places=3)
consumptions = st.decimals(min_value=0, max_value=Decimal("2000"), places=3)
roundings = st.one_of(
    st.sampled_from(["0.01", "0.05", "0.10", "0.20", "0.50", "1", "5"]),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10"), places=2).map(_plain),
)


@st.composite
def blocks(draw):
    bounds = sorted(draw(st.lists(volumes, unique=True, max_size=5)))
    written = [{"up_to_m3": _plain(b), "price": draw(prices)} for b in bounds]
    return [*written, {"price": draw(prices)}]


@st.composite
def categories(draw, code):
    category = {"code": code, "fixed_charge": draw(_money()), "blocks": draw(blocks())}
    if draw(st.booleans()):
        category["minimum_m3"] = _plain(draw(st.decimals(0, Decimal("50"), places=3)))
    if draw(st.booleans()):
        category["sewer_percent"] = _plain(draw(st.decimals(0, Decimal("100"), places=2)))
    return category


@st.composite
def tariff_data(draw):
    codes = draw(st.lists(st.sampled_from(engine.CATEGORIES), min_size=1, max_size=5, unique=True))
    charge_codes = draw(
        st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True), max_size=4, unique=True)
    )
    return {
        "name": draw(st.text(min_size=1, max_size=40).filter(str.strip).map(str.strip)),
        "currency": draw(st.sampled_from(["BOB", "USD", "PEN"])),
        "rounding": draw(roundings),
        "category": [draw(categories(code)) for code in codes],
        "charge": [
            {"code": code, "name": draw(st.sampled_from(["", "Multa"])), "amount": draw(_money())}
            for code in charge_codes
        ],
    }


tariffs = tariff_data().map(engine.parse)


@st.composite
def cases(draw):
    """A tariff, one of its categories, and sewer or not."""
    tariff = draw(tariffs)
    return tariff, draw(st.sampled_from(list(tariff.categories))), draw(st.booleans())


@pure
@given(cases(), consumptions, consumptions)
def test_more_water_never_costs_less(case, a, b):
    tariff, category, sewer = case
    less, more = sorted([a, b])
    cheaper = engine.quote(tariff, category=category, m3=less, sewer=sewer)
    dearer = engine.quote(tariff, category=category, m3=more, sewer=sewer)
    assert cheaper.total <= dearer.total


@pure
@given(cases(), consumptions, st.data())
def test_the_total_is_the_sum_of_the_lines(case, m3, data):
    tariff, category, sewer = case
    extra = [
        (code, None)
        for code in data.draw(st.lists(st.sampled_from(list(tariff.charges) or [""]), max_size=3))
        if code
    ]
    result = engine.quote(tariff, category=category, m3=m3, sewer=sewer, extra=extra)
    assert sum(line.amount for line in result.lines) == result.total
    assert all(line.amount == cents(line.amount) for line in result.lines)
    assert [line.code for line in result.lines].count("rounding") <= 1


@pure
@given(cases())
def test_no_water_costs_the_fixed_charge_plus_sewer_on_it(case):
    tariff, category, sewer = case
    chosen = tariff.categories[category]
    fixed = cents(chosen.fixed_charge)
    sewer_charge = cents(fixed * chosen.sewer_percent / 100) if sewer else Decimal(0)
    result = engine.quote(tariff, category=category, m3=Decimal(0), sewer=sewer)
    assert result.total == round_to_unit(fixed + sewer_charge, tariff.rounding)
    assert not [line for line in result.lines if line.code.startswith("block")]


@pure
@given(cases(), consumptions)
def test_every_total_is_a_whole_number_of_rounding_units(case, m3):
    tariff, category, sewer = case
    result = engine.quote(tariff, category=category, m3=m3, sewer=sewer)
    assert result.total % tariff.rounding == 0
    assert result.total.as_tuple().exponent == -2  # always shown to the centavo


@pure
@given(cases(), consumptions)
def test_the_block_volumes_add_up_to_the_consumption_above_the_minimum(case, m3):
    tariff, category, sewer = case
    result = engine.quote(tariff, category=category, m3=m3, sewer=sewer)
    billed = sum((line.m3 for line in result.lines if line.m3 is not None), Decimal(0))
    assert billed == max(m3 - tariff.categories[category].minimum_m3, Decimal(0))


@pure
@given(tariffs)
def test_a_tariff_survives_being_written_as_data_json_and_toml(tariff):
    data = engine.to_data(tariff)
    assert engine.parse(data) == tariff
    assert engine.parse(json.loads(json.dumps(data))) == tariff
    assert engine.from_toml(engine.to_toml(tariff)) == tariff
