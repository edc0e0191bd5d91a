"""Reading a table from a text file (CSV) as people and banks export it. Pure Python: the
registry's import and the bank statement's import both read through here, and say in their own
words what went wrong.

- `decode(content)`: the file's text: UTF-8 with or without BOM, else Windows-1252 (and what
  else the caller lists); UTF-16 with its BOM when the caller allows it. A file that is no text,
  or an Excel workbook or a PDF renamed .csv, raises `Unreadable` with its `kind`, so that the
  caller can tell the person what the file really is.
- `records(text, delimiter)`: the records with the line of the file each starts on; a quotation
  mark never closed stops the reading and is reported by its line (`Table.broken`).
- `dialect_sniff(text)`: the delimiter (`,` `;` or tab) guessed by the csv module;
  `header_find(text, columns)`: the delimiter, and the header row, that recognise the most columns.
- `key(title)`: a header as it is compared, without accents, case or punctuation ("Nº de
  Conexión" -> "no_de_conexion"); `header_match(cells, columns)`: which position holds which
  column, given each column's spellings (Spanish or English, the caller's).
- `RowError`: a problem, with the line it is on (0: the file as a whole) and the column's title.
"""

import codecs
import csv
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

ENCODINGS = ("utf-8-sig", "cp1252")
SNIFF_CHARS = 4096  # enough of the file to guess its delimiter, and whether it is text
LONGEST_TITLE = 60  # a longer "header" is a sentence, not a column's title


@dataclass(frozen=True)
class RowError:
    line: int  # 0: the file as a whole
    column: str
    message: str


class Unreadable(Exception):
    """The file is not a table in text. `kind` says what it is: "empty", "excel", "pdf",
    "utf16" (when the caller does not read UTF-16) or "binary"."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def decode(
    content: bytes,
    *,
    encodings: Sequence[str] = ENCODINGS,
    utf16: bool = False,
    max_controls: int | None = None,
) -> str:
    """The file's text, in the first of `encodings` that reads it. `utf16`: a file starting with
    a UTF-16 byte order mark is read as UTF-16 (else refused). `max_controls`: a text with more
    control characters than this in its first 4 KB is refused as binary (None: only a NUL is)."""
    if not content.strip():
        raise Unreadable("empty")
    if content.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # .xlsx (a zip), .xls (OLE)
        raise Unreadable("excel")
    if content.startswith(b"%PDF"):
        raise Unreadable("pdf")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if not utf16:
            raise Unreadable("utf16")
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass  # not UTF-16 after all: read on as the other encodings would
    text = None
    for encoding in encodings:
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None or "\x00" in text:
        raise Unreadable("binary")
    if max_controls is not None:
        controls = sum(1 for c in text[:SNIFF_CHARS] if ord(c) < 32 and c not in "\r\n\t")
        if controls > max_controls:
            raise Unreadable("binary")
    return text


@dataclass
class Table:
    """The records of a text file, each as (the line of the file it starts on, its cells)."""

    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    broken: int | None = None  # the line where a record the csv module could not read starts


def records(text: str, dialect: "str | type[csv.Dialect] | csv.Dialect" = ",") -> Table:
    """Read `text` with a delimiter (or a csv dialect). Line ends are any of \\n, \\r\\n, \\r."""
    stream = io.StringIO(text, newline=None)
    if isinstance(dialect, str):
        reader = csv.reader(stream, delimiter=dialect)
    else:
        reader = csv.reader(stream, dialect)
    table = Table()
    start = 1
    try:
        for cells in reader:
            table.rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error:  # a field beyond the csv module's limit: a quote never closed
        table.broken = start
    return table


def dialect_sniff(text: str, delimiters: str = ",;\t") -> "type[csv.Dialect]":
    """The csv module's guess at the file's dialect from its first 4 KB; plain commas when there
    is nothing to guess from (one column)."""
    try:
        return csv.Sniffer().sniff(text[:SNIFF_CHARS], delimiters=delimiters)
    except csv.Error:
        return csv.excel


def key(text) -> str:
    """'Nro. Documento' -> 'nro_documento', 'Crédito' -> 'credito'."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def cell_text(value) -> str:
    """A cell's text with its runs of white space (new lines too) made one space."""
    return " ".join(str(value).split())


def header_match(
    cells: Sequence, columns: Mapping[str, Sequence[str]], *, prefix: bool = False
) -> dict[str, list[int]]:
    """{column: the positions whose title is one of its spellings (after `key`)}, left to right.
    With `prefix`, a title also counts when it starts with a spelling followed by more words
    ("Fecha de la transacción"), but a column spelled exactly somewhere keeps only those. A title
    counts for the first column that knows it."""
    exact: dict[str, list[int]] = defaultdict(list)
    loose: dict[str, list[int]] = defaultdict(list)
    for position, title in enumerate(cells):
        name = key(title)
        if not name or len(name) > LONGEST_TITLE:
            continue
        for column, spellings in columns.items():
            if name in spellings:
                exact[column].append(position)
                break
            if prefix and any(name.startswith(s + "_") for s in spellings):
                loose[column].append(position)
                break
    found = {}
    for column in columns:
        positions = exact.get(column) or loose.get(column)
        if positions:
            found[column] = positions
    return found


def header_find(
    text: str,
    columns: Mapping[str, Sequence[str]],
    *,
    delimiters: Sequence[str] = (";", ",", "\t", "|"),
    search: int = 40,
    score: Callable[[dict[str, list[int]]], int] = len,
    prefix: bool = True,
) -> tuple[Table | None, int | None, dict[str, list[int]] | None]:
    """(the table, its header's index among its rows, the header's columns) read with the
    delimiter whose header row, among the first `search` rows, `score`s highest; the first
    delimiter wins a tie. (None, None, None) when no row names a column."""
    best: tuple = (0, None, None, None)  # score, table, index, columns
    for delimiter in delimiters:
        table = records(text, delimiter)
        for index, (_line, cells) in enumerate(table.rows[:search]):
            found = header_match(cells, columns, prefix=prefix)
            points = score(found)
            if points > best[0]:
                best = (points, table, index, found)
    return best[1:]
