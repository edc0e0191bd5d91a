"""A malformed or inconsistent tariff is refused with a message that names the field, as the
file writes it and counting from 1, so a treasurer can find the line to fix."""

import copy

import pytest

from comunagua.tariffs import engine
from comunagua.tariffs.engine import TariffError

from .helpers import TARIFA_2016

BASE = engine.to_data(engine.from_toml(TARIFA_2016))
BASE["category"].append(copy.deepcopy(BASE["category"][0]) | {"code": "social"})
BASE["charge"] = [{"code": "late_fine", "name": "Multa por mora", "amount": "5.00"}]


def changed(path: str, value=None, *, delete: bool = False) -> dict:
    """BASE with one value set (or deleted): path like 'category.1.blocks.0.price'."""
    data = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    key = int(last) if last.isdigit() else last
    if delete:
        del target[key]
    else:
        target[key] = value
    return data


def parse_refused(data) -> TariffError:
    with pytest.raises(TariffError) as failure:
        engine.parse(data)
    error = failure.value
    assert str(error) == f"{error.field}: {error.message}"
    return error


def test_the_base_tariff_of_these_tests_is_valid():
    assert list(engine.parse(BASE).categories) == ["residential", "social"]


@pytest.mark.parametrize(
    "path,value,field",
    [
        ("nmae", "Tarifa", "nmae"),  # a typo is not silently ignored
        ("name", "", "name"),
        ("name", "   ", "name"),
        ("name", 2016, "name"),
        ("name", "x" * 201, "name"),
        ("currency", "Bs", "currency"),
        ("currency", "bob", "currency"),
        ("rounding", "0", "rounding"),
        ("rounding", "-0.10", "rounding"),
        ("rounding", "0.005", "rounding"),
        ("rounding", "diez", "rounding"),
        ("category", [], "category"),
        ("category", "residential", "category"),
        ("category.0", "residential", "category[1]"),
        ("category.0.fixed", "18.00", "category[1].fixed"),
        ("category.0.code", "luxury", "category[1].code"),
        ("category.1.code", "residential", "category[2].code"),  # twice
        ("category.0.fixed_charge", "-1", "category[1].fixed_charge"),
        ("category.0.fixed_charge", "18.001", "category[1].fixed_charge"),
        ("category.0.fixed_charge", "18,50", "category[1].fixed_charge"),
        ("category.0.fixed_charge", "1e3", "category[1].fixed_charge"),
        ("category.0.fixed_charge", True, "category[1].fixed_charge"),
        ("category.0.fixed_charge", "1000000000", "category[1].fixed_charge"),
        ("category.0.fixed_charge", None, "category[1].fixed_charge"),
        ("category.0.minimum_m3", "-5", "category[1].minimum_m3"),
        ("category.0.minimum_m3", "0.0005", "category[1].minimum_m3"),
        ("category.0.sewer_percent", "100.01", "category[1].sewer_percent"),
        ("category.0.sewer_percent", "-1", "category[1].sewer_percent"),
        ("category.1.blocks", [], "category[2].blocks"),
        ("category.1.blocks", {"price": "2.00"}, "category[2].blocks"),
        ("category.1.blocks.0.price", "-2.00", "category[2].blocks[1].price"),
        ("category.1.blocks.0.price", "2.00001", "category[2].blocks[1].price"),
        ("category.1.blocks.0.upto_m3", "10", "category[2].blocks[1].upto_m3"),
        ("category.1.blocks.0.up_to_m3", "0", "category[2].blocks[1].up_to_m3"),
        ("category.1.blocks.0.up_to_m3", "-10", "category[2].blocks[1].up_to_m3"),
        ("category.1.blocks.1.up_to_m3", "10", "category[2].blocks[2].up_to_m3"),  # equal
        ("category.1.blocks.1.up_to_m3", "5", "category[2].blocks[2].up_to_m3"),  # down
        ("category.1.blocks.2.up_to_m3", "30", "category[2].blocks[3].up_to_m3"),  # last bounded
        ("category.1.blocks.1", "3.00", "category[2].blocks[2]"),
        ("charge", {"code": "late_fine"}, "charge"),
        ("charge.0.code", "Late Fine", "charge[1].code"),
        ("charge.0.code", "", "charge[1].code"),
        ("charge.0.name", 5, "charge[1].name"),
        ("charge.0.amount", "-5.00", "charge[1].amount"),
        ("charge.0.amount", "5.001", "charge[1].amount"),
        ("charge.0.fee", "5.00", "charge[1].fee"),
    ],
)
def test_every_validation_error_names_its_field(path, value, field):
    assert parse_refused(changed(path, value)).field == field


@pytest.mark.parametrize(
    "path,field",
    [
        ("name", "name"),
        ("currency", "currency"),
        ("rounding", "rounding"),
        ("category", "category"),
        ("category.0.code", "category[1].code"),
        ("category.0.fixed_charge", "category[1].fixed_charge"),
        ("category.0.blocks", "category[1].blocks"),
        ("category.0.blocks.0.price", "category[1].blocks[1].price"),
        ("category.0.blocks.1.up_to_m3", "category[1].blocks[2].up_to_m3"),
        ("charge.0.code", "charge[1].code"),
        ("charge.0.amount", "charge[1].amount"),
    ],
)
def test_a_missing_required_field_is_named(path, field):
    assert parse_refused(changed(path, delete=True)).field == field


def test_the_minimum_sewer_charges_and_a_charge_name_may_be_left_out():
    data = changed("category.0.minimum_m3", delete=True)
    del data["category"][0]["sewer_percent"]
    del data["charge"][0]["name"]
    tariff = engine.parse(data)
    assert tariff.categories["residential"].minimum_m3 == 0
    assert tariff.categories["residential"].sewer_percent == 0
    assert tariff.charges["late_fine"].name == ""
    assert dict(engine.parse(changed("charge", delete=True)).charges) == {}


def test_a_second_charge_with_the_same_code_is_named():
    data = copy.deepcopy(BASE)
    data["charge"].append({"code": "late_fine", "amount": "7.00"})
    assert parse_refused(data).field == "charge[2].code"


def test_a_toml_float_is_refused_with_the_number_to_write_in_quotes():
    text = TARIFA_2016.replace('fixed_charge = "18.00"', "fixed_charge = 18.5")
    with pytest.raises(TariffError) as failure:
        engine.from_toml(text)
    assert failure.value.field == "category[1].fixed_charge"
    assert '"18.5"' in failure.value.message


def test_a_decimal_comma_is_refused_with_the_number_written_with_a_point():
    error = parse_refused(changed("category.0.fixed_charge", "18,50"))
    assert '"18.50"' in error.message


def test_toml_integers_are_accepted_as_exact_numbers():
    text = TARIFA_2016.replace('fixed_charge = "18.00"', "fixed_charge = 18")
    assert engine.from_toml(text).categories["residential"].fixed_charge == 18


def test_a_toml_syntax_error_is_named_toml_with_its_line():
    with pytest.raises(TariffError) as failure:
        engine.from_toml(TARIFA_2016.replace('currency = "BOB"', "currency = BOB"))
    assert failure.value.field == "toml"
    assert "line 2" in failure.value.message


def test_the_increasing_blocks_error_says_which_bound_it_must_pass():
    error = parse_refused(changed("category.0.blocks.1.up_to_m3", "8"))
    assert error.field == "category[1].blocks[2].up_to_m3"
    assert error.params == {"previous": "10"}


def test_an_unknown_category_lists_the_ones_allowed():
    error = parse_refused(changed("category.0.code", "piscina"))
    assert "residential, social, commercial, institutional, public_tap" in error.message
