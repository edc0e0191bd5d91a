"""Money, volumes and bill lines in words: "Bs 18,00", "12,5 m³", block ranges. Numbers are
checked in Spanish format; words that the catalog translates are not."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from comunagua.tariffs import engine, labels
from comunagua.web.formats import format_money, format_number, format_volume

from .helpers import EXAMPLE_FILE

D = Decimal


@pytest.fixture
def example():
    return engine.from_toml(EXAMPLE_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "amount,currency,shown",
    [
        (D("18"), "BOB", "Bs 18,00"),
        (D("18.00"), "BOB", "Bs 18,00"),
        (D("7.5"), "BOB", "Bs 7,50"),
        (D("-0.04"), "BOB", "-Bs 0,04"),
        (D("2.125"), "BOB", "Bs 2,125"),  # a price keeps its decimals
        (D("1234.5"), "BOB", "Bs 1\xa0234,50"),
        (D("3"), "USD", "US$ 3,00"),
        (D("3"), "XYZ", "XYZ 3,00"),
        ("45.50", None, "Bs 45,50"),
    ],
)
def test_money_reads_as_in_bolivia(amount, currency, shown):
    with translation.override("es"):
        assert format_money(amount, currency) == shown


def test_money_follows_the_language():
    with translation.override("en"):
        assert format_money(D("18"), "BOB") == "Bs 18.00"


@pytest.mark.parametrize(
    "value,shown",
    [(D("12.5"), "12,5 m³"), (D("10"), "10 m³"), (D("10.000"), "10 m³"), (D("0.001"), "0,001 m³")],
)
def test_volumes_drop_trailing_zeros(value, shown):
    with translation.override("es"):
        assert format_volume(value) == shown


def test_the_filters_work_in_a_template_and_leave_empty_values_empty():
    template = Template(
        "{% load money %}{{ a|money:'BOB' }}|{{ v|volume }}|{{ p|number }}|{{ n|money }}"
    )
    with translation.override("es"):
        html = template.render(Context({"a": D("18"), "v": D("12.5"), "p": D("50.00"), "n": None}))
    assert html == "Bs 18,00|12,5 m³|50|"


def test_a_number_can_be_asked_for_with_fixed_places():
    with translation.override("es"):
        assert format_number(D("12.5"), 2) == "12,50"


def test_a_block_line_is_described_with_its_range_and_how_it_was_computed(example):
    result = engine.quote(example, category="residential", m3=D("25"))
    block1, block3 = result.lines[1], result.lines[3]
    with translation.override("es"):
        assert labels.describe(block1, example, category="residential").endswith("(0\u201310 m³)")
        assert "20 m³" in labels.describe(block3, example, category="residential")
        assert labels.detail(result.lines[2], example) == "10 m³ \u00d7 Bs 3,00"
        assert labels.detail(result.lines[0], example) == ""
    assert "1" in labels.describe(block1, example)  # without the category: the number only


def test_a_charge_is_described_by_the_name_the_tariff_gives_it(example):
    result = engine.quote(example, category="social", m3=D("1"), extra=[("late_fine", None)])
    assert labels.describe(result.lines[-1], example) == "Multa por mora"


def test_a_charge_without_a_name_gets_the_standard_label():
    tariff = engine.parse(
        {
            **engine.to_data(engine.from_toml(EXAMPLE_FILE.read_text(encoding="utf-8"))),
            "charge": [{"code": "reconnection", "amount": "50"}],
        }
    )
    line = engine.Line("charge:reconnection", D("50.00"))
    assert labels.describe(line, tariff) == str(labels.CHARGE_LABELS["reconnection"])


def test_the_fixed_charge_says_how_much_water_it_includes(example):
    line = engine.Line("fixed", D("30.00"))
    with translation.override("es"):
        assert "5 m³" in labels.describe(line, example, category="commercial")
        assert "m³" not in labels.describe(line, example, category="residential")


def test_every_line_code_has_a_description(example):
    result = engine.quote(
        example, category="commercial", m3=D("33"), sewer=True, extra=[("assembly_fine", None)]
    )
    codes = [line.code for line in result.lines]
    assert codes == [
        "fixed",
        "block1",
        "block2",
        "block3",
        "sewer",
        "charge:assembly_fine",
        "rounding",
    ]
    descriptions = [labels.describe(line, example, category="commercial") for line in result.lines]
    assert all(descriptions) and len(set(descriptions)) == len(descriptions)
    assert not set(codes) & set(descriptions)


def test_an_error_message_keeps_the_field_as_the_file_writes_it():
    error = engine.TariffError(
        "category[1].blocks[2].up_to_m3",
        "blocks must increase: must be greater than the previous block's up_to_m3 (%(previous)s)",
        {"previous": "10"},
    )
    assert labels.error_message(error).startswith("category[1].blocks[2].up_to_m3: ")
    assert labels.error_message(error).endswith("(10)")
