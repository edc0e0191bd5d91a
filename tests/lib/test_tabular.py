"""The one reader of tabular text files (lib/tabular.py): decoding, refusing what is not a table
in text, records with their lines, delimiters, headers matched loosely."""

import codecs
import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comunagua.lib import tabular

COLUMNS = {
    "date": ("fecha", "date"),
    "amount": ("monto", "importe", "amount"),
    "reference": ("referencia", "nro_documento", "reference"),
}

# --- decoding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"Fecha;Monto\n15/03/2025;Bs 10,00\n",
        "Fecha;Monto\n15/03/2025;Bs 10,00\n".encode("utf-8-sig"),
        "Fecha;Monto\n15/03/2025;Bs 10,00\n".encode("cp1252"),
    ],
    ids=["utf-8", "utf-8 with BOM", "windows-1252"],
)
def test_utf8_with_or_without_bom_and_windows_1252_read_the_same(content):
    assert tabular.decode(content) == "Fecha;Monto\n15/03/2025;Bs 10,00\n"


def test_accents_in_windows_1252_are_read_as_accents():
    assert tabular.decode("Descripción;Año\n".encode("cp1252")) == "Descripción;Año\n"


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"", "empty"),
        (b" \r\n\t\n", "empty"),
        (b"PK\x03\x04\x14\x00\x06\x00 xl/workbook.xml", "excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old .xls", "excel"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "pdf"),
        ("Fecha,Monto\n".encode("utf-16"), "utf16"),
        (b"Fecha,Monto\n\x00\x01\x02", "binary"),
    ],
)
def test_what_is_not_a_table_in_text_is_refused_with_what_it_is(content, kind):
    with pytest.raises(tabular.Unreadable) as refused:
        tabular.decode(content)
    assert refused.value.kind == kind


def test_utf16_is_read_when_the_caller_reads_it():
    content = "Fecha\tDescripción\n15/03/2025\tPAGO\n".encode("utf-16")
    assert tabular.decode(content, utf16=True) == "Fecha\tDescripción\n15/03/2025\tPAGO\n"


def test_control_characters_count_only_when_the_caller_says_how_many():
    content = b"a,b\n" + b"\x01" * 9 + b"\n"
    assert tabular.decode(content).startswith("a,b")
    with pytest.raises(tabular.Unreadable):
        tabular.decode(content, max_controls=8)
    assert tabular.decode(b"a,b\n\x01\x02\n", max_controls=8) == "a,b\n\x01\x02\n"


def test_bytes_no_encoding_reads_are_binary():
    # 0x81 is undefined in Windows-1252 and not UTF-8 on its own.
    with pytest.raises(tabular.Unreadable) as refused:
        tabular.decode(b"a,b\n\x81\x81\n")
    assert refused.value.kind == "binary"
    assert tabular.decode(b"a,b\n\x81\n", encodings=("utf-8", "latin-1")) == "a,b\n\x81\n"


# --- records -------------------------------------------------------------------------------


def test_each_record_keeps_the_line_it_starts_on():
    table = tabular.records('a;b\r\n"one\ntwo";c\n\nx;y\r', ";")
    assert table.rows == [(1, ["a", "b"]), (2, ["one\ntwo", "c"]), (4, []), (5, ["x", "y"])]
    assert table.broken is None


def test_a_quote_never_closed_is_reported_by_its_line():
    text = "a,b\n1,2\n" + '3,"' + "x" * 200_000 + "\n"
    table = tabular.records(text, ",")
    assert table.rows == [(1, ["a", "b"]), (2, ["1", "2"])]
    assert table.broken == 3


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_csv_module_guesses_the_delimiter(delimiter):
    text = delimiter.join(["numero", "nombres", "apellidos"]) + "\n"
    text += delimiter.join(["101", "Rosa", "Quispe"]) + "\n"
    assert tabular.dialect_sniff(text).delimiter == delimiter


def test_one_column_is_read_with_commas():
    assert tabular.dialect_sniff("numero\n101\n") is csv.excel


# --- headers -------------------------------------------------------------------------------


def test_a_title_is_compared_without_accents_case_or_punctuation():
    assert tabular.key("Nro. Documento") == "nro_documento"
    assert tabular.key("  CRÉDITO ") == "credito"
    assert tabular.key("Nº de Conexión") == "no_de_conexion"  # º is a small o


def test_exact_spellings_are_matched_in_either_language():
    cells = ["Fecha", "Importe", "Reference", "Saldo"]
    assert tabular.header_match(cells, COLUMNS) == {"date": [0], "amount": [1], "reference": [2]}


def test_a_title_with_more_words_counts_only_with_prefix_and_after_an_exact_one():
    cells = ["Fecha de la transacción", "Monto", "Fecha"]
    assert tabular.header_match(cells, COLUMNS) == {"date": [2], "amount": [1]}
    loose = tabular.header_match(["Fecha de la transacción", "Monto"], COLUMNS, prefix=True)
    assert loose == {"date": [0], "amount": [1]}
    both = tabular.header_match(cells, COLUMNS, prefix=True)
    assert both == {"date": [2], "amount": [1]}


def test_a_column_repeated_lists_each_position():
    assert tabular.header_match(["monto", "x", "Monto"], COLUMNS) == {"amount": [0, 2]}


def test_the_header_is_found_below_the_banks_lines_with_the_best_delimiter():
    text = "Banco Unión;Cuenta 1-234\n\nFecha;Monto;Referencia\n15/03/2025;10,00;A-1\n"
    table, index, columns = tabular.header_find(text, COLUMNS)
    assert table.rows[index] == (3, ["Fecha", "Monto", "Referencia"])
    assert columns == {"date": [0], "amount": [1], "reference": [2]}


def test_no_header_is_none():
    assert tabular.header_find("a;b\n1;2\n", COLUMNS) == (None, None, None)


# --- the round trip ------------------------------------------------------------------------

# Letters Windows-1252 writes as single bytes that never form UTF-8 (a lead byte followed by
# continuation bytes): a Spanish table reads back whatever its encoding. "¿" or "°" after an
# accented capital would ("Ó°" is valid UTF-8), which is why the decoding is a guess.
ALPHABET = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-/,;\t\"'\n")
    + list("áéíóúñÁÉÍÓÚÑüÜ")
)
CELL = st.text(ALPHABET, max_size=12)


@given(
    rows=st.integers(1, 4).flatmap(
        lambda width: st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=6)
    ),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    line_end=st.sampled_from(["\n", "\r\n"]),
)
def test_any_table_written_reads_back_the_same_cells(rows, delimiter, encoding, line_end):
    header = ["Fecha", "Monto", "Referencia", "Otra"][: len(rows[0]) if rows else 1]
    table = [header, *rows]
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator=line_end).writerows(table)
    content = out.getvalue().encode(encoding)

    text = tabular.decode(content)
    read = tabular.records(text, delimiter)

    assert read.broken is None
    assert [cells for _line, cells in read.rows] == table
    assert read.rows[0][0] == 1
    _table, index, columns = tabular.header_find(text, COLUMNS, delimiters=(delimiter,))
    assert index == 0 and columns["date"] == [0]


@given(st.binary(max_size=200))
def test_any_bytes_decode_or_are_refused_with_a_kind(content):
    try:
        text = tabular.decode(content, max_controls=8)
    except tabular.Unreadable as refused:
        assert refused.kind in {"empty", "excel", "pdf", "utf16", "binary"}
    else:
        assert "\x00" not in text
        tabular.records(text, ",")  # never raises


def test_a_bom_is_not_part_of_the_first_title():
    content = codecs.BOM_UTF8 + b"Fecha,Monto\n"
    assert tabular.header_match(tabular.records(tabular.decode(content)).rows[0][1], COLUMNS)
