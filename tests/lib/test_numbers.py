"""Reading numbers as people type them in Bolivia: "1.234,5", "1234.5", "1 234,50"."""

from decimal import Decimal
from string import ascii_letters

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comunagua.lib.numbers import parse_decimal
from tests.properties import pure

# Meter readings, amounts and coordinates: up to three decimals (litres), either sign.
values = st.builds(
    lambda whole, fraction, places: (Decimal(whole) + Decimal(fraction) / 1000).quantize(
        Decimal(1).scaleb(-places)
    ),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.integers(min_value=0, max_value=999),
    st.integers(min_value=0, max_value=3),
)
with_decimals = values.filter(lambda d: d.as_tuple().exponent < 0)


def grouped(value: Decimal, thousands: str, mark: str) -> str:
    """1234567.5 -> "1.234.567,5" (thousands ".", mark ",")."""
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):f}".partition(".")
    whole = f"{int(whole):,}".replace(",", thousands)
    return f"{sign}{whole}{mark}{fraction}" if fraction else f"{sign}{whole}"


@pure
@given(with_decimals)
def test_a_number_written_bolivian_style_reads_back_exactly(value):
    assert parse_decimal(grouped(value, ".", ",")) == value


@pure
@given(values)
def test_a_number_written_plain_reads_back_exactly(value):
    assert parse_decimal(f"{value:f}") == value


@pure
@given(values)
def test_a_number_written_with_a_plain_decimal_comma_reads_back_exactly(value):
    assert parse_decimal(f"{value:f}".replace(".", ",")) == value


@pure
@given(with_decimals, st.sampled_from([" ", "\u00a0", "'"]))
def test_thousands_grouped_by_spaces_or_apostrophes_read_back_exactly(value, space):
    assert parse_decimal(grouped(value, space, ",")) == value


@pure
@given(with_decimals)
def test_a_number_written_english_style_reads_back_exactly(value):
    assert parse_decimal(grouped(value, ",", ".")) == value


@pure
@given(values, st.sampled_from(["", " ", "  ", "\t"]))
def test_spaces_around_a_number_are_ignored(value, space):
    assert parse_decimal(f"{space}{value:f}{space}".replace(".", ",")) == value


@pure
@given(values)
def test_decimals_and_integers_pass_through_unchanged(value):
    assert parse_decimal(value) == value
    assert parse_decimal(int(value)) == int(value)


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("1.234,5", "1234.5"),
        ("1.234.567", "1234567"),  # several points can only group thousands
        ("1,234,567", "1234567"),
        ("12,5", "12.5"),
        ("1.234", "1.234"),  # one point alone is a decimal point, as spreadsheets write
        ("0,001", "0.001"),
        ("-3,5", "-3.5"),
        ("+3,5", "3.5"),
        (",5", "0.5"),
        ("1 234,50", "1234.50"),
    ],
)
def test_known_spellings_read_as_meant(written, meant):
    assert parse_decimal(written) == Decimal(meant)


@pure
@given(st.text(), st.sampled_from(ascii_letters), st.text())
def test_text_with_letters_is_refused(before, letter, after):
    with pytest.raises(ValueError):
        parse_decimal(f"{before}{letter}{after}")


@pytest.mark.parametrize(
    "written",
    [
        "",
        "   ",
        ",",
        ".",
        "-",
        "1-",
        "--1",
        "1e3",
        "NaN",
        "Infinity",
        "1/2",
        "1,2,3.4.5",
        "1.2.3,4,5",
        "12,5 m³",
        "Bs 10",
        "½",
    ],
)
def test_garbage_is_refused(written):
    with pytest.raises(ValueError):
        parse_decimal(written)


@pure
@given(st.text())
def test_any_text_reads_as_a_finite_number_or_is_refused_with_a_value_error(text):
    """Never another kind of exception, never NaN or infinity: forms and imports rely on it."""
    try:
        value = parse_decimal(text)
    except ValueError:
        return
    assert value.is_finite()


@pure
@given(st.floats())
def test_a_float_is_refused(value):
    with pytest.raises(ValueError):
        parse_decimal(value)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_a_decimal_that_is_not_finite_is_refused(value):
    with pytest.raises(ValueError):
        parse_decimal(value)
