"""`comunagua tariff quote`, run as Django runs it (call_command), agrees with the engine and
with sums done by hand; a bad file is refused naming the field."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.actors import command_refused

from .helpers import EXAMPLE_FILE, TARIFA_2016

D = Decimal


def write(tmp_path, text: str = TARIFA_2016, name: str = "tarifa.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def quote(*args) -> str:
    out = io.StringIO()
    call_command("tariff", "quote", *args, stdout=out)
    return out.getvalue()


def quote_json(*args) -> dict:
    return json.loads(quote(*args, "--json"), parse_float=D)


def test_the_json_quote_has_the_total_the_currency_and_the_lines(tmp_path):
    answer = quote_json("--tariff", write(tmp_path), "--m3", "12.5")
    assert answer["total"] == "45.50" and answer["currency"] == "BOB"
    assert [(line["code"], line["amount"]) for line in answer["lines"]] == [
        ("fixed", "18.00"),
        ("block1", "20.00"),
        ("block2", "7.50"),
    ]
    assert (answer["lines"][2]["m3"], answer["lines"][2]["price"]) == ("2.5", "3.00")
    assert "m3" not in answer["lines"][0]
    assert sum(D(line["amount"]) for line in answer["lines"]) == D(answer["total"])


@pytest.mark.parametrize(
    "m3,total",
    [("0", "18.00"), ("10", "38.00"), ("20", "68.00"), ("0.001", "18.00"), ("25", "93.00")],
)
def test_the_command_agrees_with_the_hand_sums_on_the_block_edges(tmp_path, m3, total):
    assert quote_json("--tariff", write(tmp_path), "--m3", m3)["total"] == total


def test_the_command_takes_a_decimal_comma_as_people_type_it(tmp_path):
    assert quote_json("--tariff", write(tmp_path), "--m3", "12,5")["total"] == "45.50"


def test_sewer_rounding_and_a_charge_from_the_example_file():
    answer = quote_json(
        "--tariff",
        str(EXAMPLE_FILE),
        "--m3",
        "33",
        "--category",
        "commercial",
        "--sewer",
        "--charge",
        "late_fine",
        "--charge",
        "reconnection=25.50",
    )
    amounts = {line["code"]: D(line["amount"]) for line in answer["lines"]}
    assert amounts == {
        "fixed": D("30.00"),
        "block1": D("17.50"),
        "block2": D("100.00"),
        "block3": D("24.00"),
        "sewer": D("51.45"),
        "charge:late_fine": D("5.00"),
        "charge:reconnection": D("25.50"),
        "rounding": D("0.05"),
    }
    assert D(answer["total"]) == D("253.50")
    assert answer["sewer"] is True and answer["category"] == "commercial"


def test_a_minimum_volume_in_the_command(tmp_path):
    text = TARIFA_2016.replace('minimum_m3 = "0"', 'minimum_m3 = "5"')
    answer = quote_json("--tariff", write(tmp_path, text), "--m3", "12")
    blocks = [(line["m3"], line["amount"]) for line in answer["lines"] if "m3" in line]
    assert blocks == [("5", "10.00"), ("2", "6.00")] and answer["total"] == "34.00"


def test_the_table_shows_every_line_and_the_total_in_spanish_numbers(tmp_path):
    table = quote("--tariff", write(tmp_path), "--m3", "12.5")
    lines = table.strip().splitlines()
    assert lines[0].startswith("Tarifa 2016")
    assert "12,5 m³" in lines[0]
    assert "0\u201310 m³" in lines[2] and lines[2].endswith("Bs 20,00")
    assert "2,5 m³ \u00d7 Bs 3,00" in lines[3] and lines[3].endswith("Bs 7,50")
    assert lines[-1].endswith("Bs 45,50")
    assert len(lines) == 6  # heading, 3 lines, a rule, the total


def test_a_rounding_line_appears_in_the_table(tmp_path):
    text = TARIFA_2016.replace('sewer_percent = "0"', 'sewer_percent = "50"')
    table = quote("--tariff", write(tmp_path, text), "--m3", "12.5", "--sewer")
    assert "Bs 22,75" in table and "Bs 0,05" in table and table.strip().endswith("Bs 68,30")


@pytest.mark.parametrize(
    "old,new,field",
    [
        (
            '{ up_to_m3 = "20", price = "3.00" }',
            '{ up_to_m3 = "8", price = "3.00" }',
            "category[1].blocks[2].up_to_m3",
        ),
        ('price = "2.00"', 'price = "-2.00"', "category[1].blocks[1].price"),
        ('price = "2.00"', "price = 2.00", "category[1].blocks[1].price"),
        ('code = "residential"', 'code = "residencial"', "category[1].code"),
        (
            '{ price = "5.00" },',
            '{ up_to_m3 = "30", price = "5.00" },',
            "category[1].blocks[3].up_to_m3",
        ),
        ('rounding = "0.10"', 'rounding = "0.10"\nrounding_mode = "up"', "rounding_mode"),
        ('currency = "BOB"', "currency = BOB", "toml"),
    ],
)
def test_a_bad_file_is_refused_naming_the_field(tmp_path, old, new, field):
    assert old in TARIFA_2016
    message = command_refused(
        "tariff", "quote", "--tariff", write(tmp_path, TARIFA_2016.replace(old, new)), "--m3", "1"
    )
    assert message.startswith(f"{field}: ")


def test_an_unknown_category_is_refused_naming_the_option(tmp_path):
    message = command_refused(
        "tariff", "quote", "--tariff", write(tmp_path), "--m3", "1", "--category", "commercial"
    )
    assert message.startswith("category: ") and "residential" in message


@pytest.mark.parametrize("m3", ["-1", "doce", "1e400"])
def test_a_bad_consumption_is_refused_naming_m3(tmp_path, m3):
    assert command_refused("tariff", "quote", "--tariff", write(tmp_path), "--m3", m3).startswith(
        "m3: "
    )


def test_an_unknown_charge_is_refused_naming_it(tmp_path):
    message = command_refused(
        "tariff", "quote", "--tariff", write(tmp_path), "--m3", "1", "--charge", "late_fine"
    )
    assert message.startswith("charge: ")


def test_a_missing_file_is_refused_naming_it(tmp_path):
    message = command_refused(
        "tariff", "quote", "--tariff", str(tmp_path / "no-such.toml"), "--m3", "1"
    )
    assert message.startswith("tariff: ") and "no-such.toml" in message


def test_a_file_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "tarifa.toml"
    path.write_bytes(b"\xff\xfe\x00name")
    assert command_refused("tariff", "quote", "--tariff", str(path), "--m3", "1").startswith(
        "tariff: "
    )


def test_the_command_wants_an_action():
    with pytest.raises(CommandError):
        call_command("tariff", stdout=io.StringIO())
