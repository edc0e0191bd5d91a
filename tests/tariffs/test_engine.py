"""The engine against sums done by hand: block edges, a minimum volume, sewer, rounding to 0.10
and fractions of a litre."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from comunagua.registry.models import Connection
from comunagua.tariffs import engine
from comunagua.tariffs.engine import Line, TariffError, quote

from .helpers import EXAMPLE_FILE, TARIFA_2016, residential

D = Decimal


@pytest.fixture
def tarifa():
    return engine.from_toml(TARIFA_2016)


def amounts(result) -> dict[str, Decimal]:
    return {line.code: line.amount for line in result.lines}


def test_the_engine_imports_no_django_only_the_standard_library_and_lib():
    tree = ast.parse(Path(engine.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {name for name in imported if name.split(".")[0] == "django"}
    assert {name for name in imported if name.startswith("comunagua")} == {"comunagua.lib.money"}


def test_the_engine_knows_the_same_categories_as_the_registry():
    assert list(engine.CATEGORIES) == list(Connection.Category.values)


def test_zero_consumption_costs_the_fixed_charge(tarifa):
    result = quote(tarifa, category="residential", m3=D("0"))
    assert result.lines == (Line("fixed", D("18.00")),)
    assert result.total == D("18.00") and str(result.total) == "18.00"
    assert result.currency == "BOB"


def test_twelve_and_a_half_m3_fill_the_first_block_and_half_a_quarter_of_the_second(tarifa):
    result = quote(tarifa, category="residential", m3=D("12.5"))
    assert result.lines == (
        Line("fixed", D("18.00")),
        Line("block1", D("20.00"), m3=D("10"), price=D("2.00")),
        Line("block2", D("7.50"), m3=D("2.5"), price=D("3.00")),
    )
    assert result.total == D("45.50")


def test_exactly_ten_m3_stays_in_the_first_block(tarifa):
    result = quote(tarifa, category="residential", m3=D("10"))
    assert [line.code for line in result.lines] == ["fixed", "block1"]
    assert result.total == D("38.00")


def test_a_litre_past_ten_m3_starts_the_second_block(tarifa):
    result = quote(tarifa, category="residential", m3=D("10.001"))
    assert result.lines[-1] == Line("block2", D("0.00"), m3=D("0.001"), price=D("3.00"))
    assert result.total == D("38.00")


def test_exactly_twenty_m3_fill_two_blocks_and_leave_the_last_empty(tarifa):
    result = quote(tarifa, category="residential", m3=D("20"))
    assert amounts(result) == {"fixed": D("18.00"), "block1": D("20.00"), "block2": D("30.00")}
    assert result.total == D("68.00")


def test_twenty_five_m3_reach_the_open_last_block(tarifa):
    result = quote(tarifa, category="residential", m3=D("25"))
    assert result.lines[-1] == Line("block3", D("25.00"), m3=D("5"), price=D("5.00"))
    assert result.total == D("93.00")


def test_a_thousandth_of_a_m3_is_a_block_line_worth_less_than_a_centavo(tarifa):
    result = quote(tarifa, category="residential", m3=D("0.001"))
    assert result.lines[1] == Line("block1", D("0.00"), m3=D("0.001"), price=D("2.00"))
    assert result.total == D("18.00")


def test_half_a_centavo_on_a_line_rounds_up():
    expensive = residential(blocks=[{"price": "5.00"}])
    result = quote(expensive, category="residential", m3=D("0.001"))
    assert amounts(result)["block1"] == D("0.01")  # 0.005 half-up
    assert amounts(result)["rounding"] == D("-0.01")  # 18.01 -> 18.00
    assert result.total == D("18.00")


@pytest.mark.parametrize(
    "m3,blocks,total",
    [
        # minimum 5 m³ covered by the fixed charge: 3 m³ pay nothing more
        ("3", {}, "18.00"),
        # 12 m³: 5-10 in block 1 (5 * 2.00) and 10-12 in block 2 (2 * 3.00)
        ("12", {"block1": ("5", "10.00"), "block2": ("2", "6.00")}, "34.00"),
        # exactly the minimum
        ("5", {}, "18.00"),
        ("5.5", {"block1": ("0.5", "1.00")}, "19.00"),
    ],
)
def test_the_minimum_volume_is_covered_by_the_fixed_charge(m3, blocks, total):
    tariff = residential(minimum_m3="5")
    result = quote(tariff, category="residential", m3=D(m3))
    found = {line.code: (line.m3, line.amount) for line in result.lines if line.m3 is not None}
    assert found == {code: (D(v), D(a)) for code, (v, a) in blocks.items()}
    assert result.total == D(total)


def test_a_minimum_beyond_the_first_block_starts_charging_inside_the_second():
    tariff = residential(minimum_m3="15")
    assert quote(tariff, category="residential", m3=D("12")).total == D("18.00")
    result = quote(tariff, category="residential", m3=D("17"))
    assert [(line.code, line.m3) for line in result.lines] == [
        ("fixed", None),
        ("block2", D("2")),
    ]
    assert result.total == D("24.00")


def test_sewer_is_a_percentage_of_the_water_charges_and_the_total_is_rounded():
    tariff = residential(sewer_percent="50")
    result = quote(tariff, category="residential", m3=D("12.5"), sewer=True)
    # water 18.00 + 20.00 + 7.50 = 45.50; sewer 22.75; 68.25 -> 68.30
    assert amounts(result) == {
        "fixed": D("18.00"),
        "block1": D("20.00"),
        "block2": D("7.50"),
        "sewer": D("22.75"),
        "rounding": D("0.05"),
    }
    assert result.total == D("68.30")


def test_without_a_sewer_connection_there_is_no_sewer_line():
    tariff = residential(sewer_percent="50")
    result = quote(tariff, category="residential", m3=D("12.5"))
    assert "sewer" not in amounts(result) and result.total == D("45.50")


def test_zero_consumption_with_sewer_costs_the_fixed_charge_plus_sewer_on_it():
    tariff = residential(sewer_percent="50")
    result = quote(tariff, category="residential", m3=D("0"), sewer=True)
    assert amounts(result) == {"fixed": D("18.00"), "sewer": D("9.00")}
    assert result.total == D("27.00")


@pytest.mark.parametrize(
    "m3,subtotal,rounding,total",
    [
        ("10.625", "39.25", "0.05", "39.30"),  # half a unit: up
        ("10.62", "39.24", "-0.04", "39.20"),
        ("10.63", "39.26", "0.04", "39.30"),
        ("10.6", "39.20", None, "39.20"),  # already whole: no rounding line
    ],
)
def test_the_total_is_rounded_half_up_to_ten_centavos(m3, subtotal, rounding, total):
    tariff = residential(blocks=[{"price": "2.00"}])
    result = quote(tariff, category="residential", m3=D(m3))
    found = amounts(result)
    assert sum(a for code, a in found.items() if code != "rounding") == D(subtotal)
    assert found.get("rounding") == (None if rounding is None else D(rounding))
    assert result.total == D(total) and str(result.total) == total


def test_a_rounding_unit_of_one_boliviano_still_shows_centavos():
    data = residential(blocks=[{"price": "2.00"}])
    tariff = engine.parse({**engine.to_data(data), "rounding": "1"})
    result = quote(tariff, category="residential", m3=D("10.625"))
    assert str(result.total) == "39.00"
    assert result.lines[-1] == Line("rounding", D("-0.25"))


def test_extra_charges_are_lines_of_their_own_and_pay_no_sewer():
    data = engine.to_data(residential(sewer_percent="50"))
    data["charge"] = [
        {"code": "late_fine", "name": "Multa por mora", "amount": "5.00"},
        {"code": "reconnection", "name": "", "amount": "50.00"},
    ]
    tariff = engine.parse(data)
    result = quote(
        tariff,
        category="residential",
        m3=D("0"),
        sewer=True,
        extra=[("late_fine", None), ("reconnection", D("25.5"))],
    )
    assert amounts(result) == {
        "fixed": D("18.00"),
        "sewer": D("9.00"),
        "charge:late_fine": D("5.00"),
        "charge:reconnection": D("25.50"),
    }
    assert result.total == D("57.50")


def test_the_lines_always_add_up_to_the_total(tarifa):
    for m3 in ("0", "0.001", "9.999", "10", "12.5", "19.37", "20", "123.456"):
        result = quote(tarifa, category="residential", m3=D(m3))
        assert sum(line.amount for line in result.lines) == result.total


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"category": "commercial", "m3": D("1")}, "category"),
        ({"category": "residential", "m3": D("-0.001")}, "m3"),
        ({"category": "residential", "m3": 1.5}, "m3"),
        ({"category": "residential", "m3": "doce"}, "m3"),
        ({"category": "residential", "m3": D("1"), "extra": [("late_fine", None)]}, "charge"),
    ],
)
def test_a_quote_that_cannot_be_is_refused_naming_the_field(tarifa, kwargs, field):
    with pytest.raises(TariffError) as refused:
        quote(tarifa, **kwargs)
    assert refused.value.field == field
    assert str(refused.value) == f"{field}: {refused.value.message}"


def test_the_example_file_prices_each_category_by_hand():
    tariff = engine.from_toml(EXAMPLE_FILE.read_text(encoding="utf-8"))
    assert list(tariff.categories) == ["residential", "social", "commercial"]
    assert {c.code: c.amount for c in tariff.charges.values()} == {
        "late_fine": D("5.00"),
        "reconnection": D("50.00"),
        "assembly_fine": D("20.00"),
    }
    # social: 9.00 + 10 * 2.00 + 2.5 * 3.00
    assert quote(tariff, category="social", m3=D("12.5")).total == D("36.50")
    # commercial, 5 m³ included: 30.00 + 5 * 3.50 + 20 * 5.00 + 3 * 8.00 = 171.50,
    # sewer 30 % = 51.45, 222.95 -> 223.00
    commercial = quote(tariff, category="commercial", m3=D("33"), sewer=True)
    assert amounts(commercial) == {
        "fixed": D("30.00"),
        "block1": D("17.50"),
        "block2": D("100.00"),
        "block3": D("24.00"),
        "sewer": D("51.45"),
        "rounding": D("0.05"),
    }
    assert commercial.total == D("223.00")
