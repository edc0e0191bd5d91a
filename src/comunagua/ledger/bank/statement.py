"""A bank statement read alone, without the database: the CSV the bank exports, its credit lines
(deposits) with their date, amount, reference and description, every bad row with its line
number and the reason, and how many debit lines were left out.

Liberal in what it reads (see docs/bank-import.md): `;`, `,`, tab or `|`; UTF-8 with or without
BOM, Windows-1252/Latin-1, UTF-16 (the file's reading is `lib.tabular`'s); dates DD/MM/YYYY or
YYYY-MM-DD; amounts "1.234,50" or "1234.50"; headers as the Bolivian banks write them, anywhere
in the first rows.

A line's fingerprint is the hash of its date, amount, reference, description and its place
among identical lines of the same file: importing the same file again, or the next statement
that overlaps it, finds the lines already imported and leaves them out. A payment's client id
is made from the fingerprint, so no line can pay twice, whichever way it is recorded.

No database, no models: only the translations of the messages come from Django.
"""

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from comunagua.lib import tabular
from comunagua.lib.money import CENT
from comunagua.lib.numbers import parse_decimal
from comunagua.lib.tabular import RowError, cell_text

from ..books.amounts import LIMIT

HEADER_SEARCH = 40  # rows before the header that a bank may fill with its name, the account...
CLIENT_ID_PREFIX = "bank-"


class StatementRejected(Exception):
    """The statement cannot be imported: `errors` says why, each with its line."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass(frozen=True)
class StatementLine:
    """A credit line of the file: money that came in."""

    line: int
    date: date
    amount: Decimal
    reference: str
    description: str
    fingerprint: str = ""

    @property
    def client_id(self) -> str:
        return client_id_of(self.fingerprint)

    @property
    def text(self) -> str:
        return f"{self.reference} {self.description}"


@dataclass
class Parsed:
    lines: list[StatementLine] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    debits: int = 0  # lines that are not deposits (debits, zero), left out
    header_line: int = 0


def client_id_of(fingerprint: str) -> str:
    return CLIENT_ID_PREFIX + fingerprint[:40]


# Column -> header spellings (after _key). A header also counts when it starts with one of
# them followed by more words ("Fecha de la transacción"), but an exact spelling wins.
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": (
        "fecha",
        "fecha_transaccion",
        "fecha_de_transaccion",
        "fecha_operacion",
        "fecha_movimiento",
        "fecha_contable",
        "fecha_valor",
        "date",
    ),
    "description": (
        "descripcion",
        "glosa",
        "concepto",
        "detalle",
        "detalle_transaccion",
        "description",
    ),
    "reference": (
        "referencia",
        "nro_documento",
        "n_documento",
        "no_documento",
        "numero_documento",
        "numero_de_documento",
        "nro_doc",
        "documento",
        "nro_referencia",
        "nro_transaccion",
        "numero_transaccion",
        "comprobante",
        "nro_comprobante",
        "reference",
    ),
    "amount": ("monto", "importe", "valor", "amount"),
    "credit": (
        "credito",
        "creditos",
        "abono",
        "abonos",
        "haber",
        "deposito",
        "depositos",
        "ingreso",
        "ingresos",
        "credit",
    ),
    "debit": (
        "debito",
        "debitos",
        "cargo",
        "cargos",
        "debe",
        "retiro",
        "retiros",
        "egreso",
        "egresos",
        "debit",
    ),
    "kind": ("tipo", "tipo_movimiento", "tipo_de_movimiento", "movimiento", "d_c", "db_cr"),
}


_DEBIT_KINDS = {"d", "db", "deb", "debito", "cargo", "retiro", "egreso", "debit"}


_CURRENCY = re.compile(r"^(?:bs\.?|bob|\$us|\$)\s*", re.IGNORECASE)


_SUMMARY = re.compile(r"\b(total|totales|saldo|saldos)\b", re.IGNORECASE)


_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d", "%d/%m/%y")


def _decode(content: bytes) -> str:
    """The file's text, or StatementRejected with one message saying what the file is."""
    try:
        return tabular.decode(
            content, encodings=("utf-8-sig", "cp1252", "latin-1"), utf16=True, max_controls=8
        )
    except tabular.Unreadable as unreadable:
        messages = {
            "empty": _("The file is empty."),
            "excel": _(
                "This is an Excel file, not a CSV file. Open it and save it as "
                "“CSV”, or download the statement from the bank as CSV."
            ),
            "pdf": _(
                "This is a PDF, not a CSV file. Download the statement from the bank's "
                "online service as CSV (sometimes called “text” or “Excel CSV”)."
            ),
        }
        message = messages.get(unreadable.kind) or _("The file is not a CSV text file.")
        raise StatementRejected([RowError(0, "", message)]) from None


BROKEN = None  # in place of a record's cells: the csv module could read no further


def _score(columns: dict) -> int:
    """A header naming the date and an amount beats one naming more of the other columns."""
    score = len(columns) + (2 if "date" in columns else 0)
    return score + (2 if ("amount" in columns or "credit" in columns) else 0)


def _find_header(text: str):
    """The rows, the header's index among them and its columns (several description columns
    are read together; of the others, the first counts), read with the delimiter that
    recognises the most columns in the first rows."""
    table, index, found = tabular.header_find(text, COLUMNS, search=HEADER_SEARCH, score=_score)
    if found is None:
        return None, None, None
    columns = {
        column: positions if column == "description" else positions[:1]
        for column, positions in found.items()
    }
    rows: list[tuple[int, list[str] | None]] = list(table.rows)
    if table.broken is not None:
        rows.append((table.broken, BROKEN))
    return rows, index, columns


def parse_date(raw: str) -> date:
    """'15/03/2025', '2025-03-15', '15/03/2025 10:32' ... ValueError otherwise."""
    text = cell_text(raw)
    text = text.split(" ")[0].split("T")[0] if text else ""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(raw)


def parse_amount(raw: str) -> Decimal:
    """'1.234,50', '1234.50', 'Bs 150,00', '-50,00', '(50,00)', '50,00-'. ValueError otherwise."""
    text = _CURRENCY.sub("", cell_text(raw))
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    elif text.endswith("-"):
        negative, text = True, text[:-1]
    text = _CURRENCY.sub("", text.strip())
    value = parse_decimal(text)
    return -value if negative else value


def fingerprint(line_date: date, amount: Decimal, reference: str, description: str, n: int) -> str:
    """The same deposit, in this file or the next, has the same fingerprint; the second of two
    identical deposits in one file (two neighbours paying the same at the same branch) has
    another one."""
    parts = (
        line_date.isoformat(),
        str(amount.quantize(CENT)),
        cell_text(reference).upper(),
        cell_text(description).upper(),
        str(n),
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def parse(content: bytes, *, today: date | None = None) -> Parsed:
    """Read the statement alone. A file that is not a statement gets one message; each bad row
    of a statement gets its own, with its line number."""
    try:
        text = _decode(content)
    except StatementRejected as rejected:
        return Parsed(errors=rejected.errors)
    rows, index, columns = _find_header(text)
    parsed = Parsed()
    if not columns or "date" not in columns:
        parsed.errors.append(
            RowError(
                0,
                "",
                _(
                    "This does not look like a bank statement: no row has the columns “Fecha” "
                    "and “Monto” (or “Crédito”). Download the statement from the bank as CSV."
                ),
            )
        )
        return parsed
    header_line, header_cells = rows[index]
    parsed.header_line = header_line
    if "amount" not in columns and "credit" not in columns:
        parsed.errors.append(
            RowError(
                header_line,
                "",
                _(
                    "The statement has no amount column: name it “Monto”, “Importe”, "
                    "“Abono” or “Crédito”."
                ),
            )
        )
        return parsed

    def title(column: str) -> str:
        return cell_text(header_cells[columns[column][0]])

    def cell(cells: list[str], column: str) -> str:
        return " ".join(
            cell_text(cells[p])
            for p in columns.get(column, [])
            if p < len(cells) and cell_text(cells[p])
        )

    seen: Counter = Counter()
    for line, cells in rows[index + 1 :]:
        if cells is BROKEN or any("\n" in c for c in cells):
            # The rest of the file would be read as one cell: say where, read no further.
            parsed.errors.append(
                RowError(line, "", _('a quotation mark (") opened on this line is never closed'))
            )
            break
        if not any(cell_text(c) for c in cells):
            continue
        errors = []

        def error(column: str, message: str, _errors=errors, _line=line) -> None:
            _errors.append(RowError(_line, title(column) if column else "", message))

        raw_date = cell(cells, "date")
        raw_amount = cell(cells, "amount")
        raw_credit = cell(cells, "credit")
        raw_debit = cell(cells, "debit")
        description = cell(cells, "description")[:300]
        reference = cell(cells, "reference")[:120]
        try:
            line_date = parse_date(raw_date) if raw_date else None
        except ValueError:
            line_date = None
        # The bank's own lines ("Saldo anterior", "Totales"): the word stands where the date
        # would, or the line has no date at all. A deposit with a bad date is never one of them.
        summary = bool(_SUMMARY.search(raw_date)) or (
            not raw_date and bool(_SUMMARY.search(" ".join(cells)))
        )
        if not (raw_amount or raw_credit or raw_debit):
            # "Saldo anterior", a note: no money moved on this line.
            if not raw_date or summary or _SUMMARY.search(description):
                continue
            error("", _("no amount"))
            parsed.errors += errors
            continue
        if line_date is None and summary:
            continue  # "Totales", "Saldo final": the bank's sums, not a movement
        if not raw_date:
            error("date", _("no date"))
        elif line_date is None:
            error("date", _("bad date “%(value)s” (use DD/MM/YYYY)") % {"value": raw_date})
        elif today is not None and line_date > today:
            error("date", _("date in the future"))
        elif line_date.year < 2000:
            error("date", _("date before 2000"))
        amount = None
        is_credit = True
        if "credit" in columns:
            credit = debit = None
            for column, raw in (("credit", raw_credit), ("debit", raw_debit)):
                if not raw:
                    continue
                try:
                    value = parse_amount(raw)
                except ValueError:
                    error(column, _("not an amount: “%(value)s”") % {"value": raw})
                    continue
                if column == "credit":
                    credit = value
                else:
                    debit = value
            if credit is not None and credit > 0:
                amount = credit
            elif credit is not None or debit is not None:
                is_credit = False  # a debit, a negative or zero credit
            elif not errors:
                is_credit = False
        else:
            try:
                amount = parse_amount(raw_amount)
            except ValueError:
                error("amount", _("not an amount: “%(value)s”") % {"value": raw_amount})
            else:
                kind = tabular.key(cell(cells, "kind"))
                if amount <= 0 or kind in _DEBIT_KINDS:
                    is_credit, amount = False, None
        if errors:
            parsed.errors += errors
            continue
        if not is_credit:
            parsed.debits += 1
            continue
        column = "credit" if "credit" in columns else "amount"
        if amount != amount.quantize(CENT):
            error(column, _("more than two decimal places: “%(value)s”") % {"value": amount})
        elif amount >= LIMIT:
            error(column, _("amount too large: “%(value)s”") % {"value": amount})
        if errors:
            parsed.errors += errors
            continue
        amount = amount.quantize(CENT)
        same = (line_date, amount, reference.upper(), description.upper())
        print_ = fingerprint(line_date, amount, reference, description, seen[same])
        seen[same] += 1
        parsed.lines.append(
            StatementLine(line, line_date, amount, reference, description, fingerprint=print_)
        )
    if not parsed.lines and not parsed.errors:
        parsed.errors.append(
            RowError(
                0,
                "",
                _("The statement has no deposits (credit lines): there is nothing to import."),
            )
        )
    return parsed
