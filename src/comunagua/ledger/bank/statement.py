"""Bank statements: payments that arrived by transfer, read from the CSV the bank exports,
matched to households by what the payer wrote, recorded as receipts.

Three parts, top to bottom:

- `parse(content)` reads the file alone, without the database: the credit lines (deposits) with
  their date, amount, reference and description, every bad row with its line number and the
  reason, and how many debit lines were left out. Liberal in what it reads (see
  docs/bank-import.md): `;`, `,` or tab; UTF-8 with or without BOM, Windows-1252/Latin-1,
  UTF-16; dates DD/MM/YYYY or YYYY-MM-DD; amounts "1.234,50" or "1234.50"; headers as the
  Bolivian banks write them, anywhere in the first rows.
- `match_text(directory, text)` finds the household a line names: a connection number, a member
  code or the holder's ID document (CI) as a whole word of the reference or the description.
  Two households, or none: the line waits for a person.
- The services: `statement_preview` (no writes), `statement_import` (all or nothing; matched
  lines become payments in one `payments_take_many` call), `line_resolve` and `line_ignore`.

A line's fingerprint is the hash of its date, amount, reference, description and its place
among identical lines of the same file: importing the same file again, or the next statement
that overlaps it, finds the lines already imported and leaves them out. A payment's client id
is made from the fingerprint, so no line can pay twice, whichever way it is recorded.
"""

import codecs
import csv
import hashlib
import io
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from comunagua.lib.money import CENT
from comunagua.lib.numbers import parse_decimal
from comunagua.registry.models import Connection, Holding
from comunagua.tenancy.models import Committee

from . import services
from .models import BankImport, BankLine, Payment

HEADER_SEARCH = 40  # rows before the header that a bank may fill with its name, the account...
LIMIT = services.LIMIT
CLIENT_ID_PREFIX = "bank-"
MIN_DOCUMENT_DIGITS = 5  # "4567890 LP" is also found as "4567890"; shorter digits are too common


class StatementRejected(Exception):
    """The statement cannot be imported: `errors` says why, each with its line."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass(frozen=True)
class RowError:
    line: int  # 0: the file as a whole
    column: str
    message: str


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


# --- reading the file ------------------------------------------------------------------------


def _key(text) -> str:
    """'Nro. Documento' -> 'nro_documento', 'Crédito' -> 'credito'."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _text(value) -> str:
    return " ".join(str(value).split())


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
    if not content.strip():
        raise StatementRejected([RowError(0, "", _("The file is empty."))])
    if content.startswith(b"PK\x03\x04") or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise StatementRejected(
            [
                RowError(
                    0,
                    "",
                    _(
                        "This is an Excel file, not a CSV file. Open it and save it as "
                        "“CSV”, or download the statement from the bank as CSV."
                    ),
                )
            ]
        )
    if content.startswith(b"%PDF"):
        raise StatementRejected(
            [
                RowError(
                    0,
                    "",
                    _(
                        "This is a PDF, not a CSV file. Download the statement from the bank's "
                        "online service as CSV (sometimes called “text” or “Excel CSV”)."
                    ),
                )
            ]
        )
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    text = None
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    controls = sum(1 for c in text[:4096] if ord(c) < 32 and c not in "\r\n\t")
    if "\x00" in text or controls > 8:
        raise StatementRejected([RowError(0, "", _("The file is not a CSV text file."))])
    return text


BROKEN = None  # in place of a record's cells: the csv module could read no further


def _rows(text: str, delimiter: str) -> list[tuple[int, list[str] | None]]:
    """(line number in the file where the record starts, cells) for each record."""
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    rows: list[tuple[int, list[str] | None]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error:  # a field beyond the csv module's limit: a quote never closed
        rows.append((start, BROKEN))
    return rows


def _header(cells: list[str]) -> dict[str, list[int]]:
    """Which position holds which column: exact spellings first, then the leftmost prefix."""
    exact: dict[str, list[int]] = defaultdict(list)
    loose: dict[str, list[int]] = defaultdict(list)
    for position, title in enumerate(cells):
        key = _key(title)
        if not key or len(key) > 60:
            continue
        for column, spellings in COLUMNS.items():
            if key in spellings:
                exact[column].append(position)
                break
            if any(key.startswith(s + "_") for s in spellings):
                loose[column].append(position)
                break
    found = {}
    for column in COLUMNS:
        positions = exact.get(column) or loose.get(column)
        if positions:
            # Several description columns are read together; of the others, the first counts.
            found[column] = positions if column == "description" else positions[:1]
    return found


def _find_header(text: str):
    """The rows, the header's index among them and its columns, read with the delimiter that
    recognises the most columns in the first rows."""
    best = (0, None, None, None)  # score, rows, index, columns
    for delimiter in (";", ",", "\t", "|"):
        rows = _rows(text, delimiter)
        for index, (_line, cells) in enumerate(rows[:HEADER_SEARCH]):
            if cells is BROKEN:
                break
            columns = _header(cells)
            score = len(columns) + (2 if "date" in columns else 0)
            score += 2 if ("amount" in columns or "credit" in columns) else 0
            if score > best[0]:
                best = (score, rows, index, columns)
    return best[1:]


def parse_date(raw: str) -> date:
    """'15/03/2025', '2025-03-15', '15/03/2025 10:32' ... ValueError otherwise."""
    text = _text(raw)
    text = text.split(" ")[0].split("T")[0] if text else ""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(raw)


def parse_amount(raw: str) -> Decimal:
    """'1.234,50', '1234.50', 'Bs 150,00', '-50,00', '(50,00)', '50,00-'. ValueError otherwise."""
    text = _CURRENCY.sub("", _text(raw))
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
        _text(reference).upper(),
        _text(description).upper(),
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
        return _text(header_cells[columns[column][0]])

    def cell(cells: list[str], column: str) -> str:
        return " ".join(
            _text(cells[p]) for p in columns.get(column, []) if p < len(cells) and _text(cells[p])
        )

    seen: Counter = Counter()
    for line, cells in rows[index + 1 :]:
        if cells is BROKEN or any("\n" in c for c in cells):
            # The rest of the file would be read as one cell: say where, read no further.
            parsed.errors.append(
                RowError(line, "", _('a quotation mark (") opened on this line is never closed'))
            )
            break
        if not any(_text(c) for c in cells):
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
                kind = _key(cell(cells, "kind"))
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


# --- matching --------------------------------------------------------------------------------

# A word of the text: letters and digits, with inner "-", "/" or "." ("A-12", "15/03/2025").
_WORD = re.compile(r"[0-9A-Z]+(?:[-/.][0-9A-Z]+)*")
_AMOUNT_WORDS = {"BS", "BOB", "USD", "SUS"}


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return text.upper()


def words(text: str) -> list[str]:
    """The words a household may be named by. A compound word counts whole; if it names no one,
    its parts count ("CONEX-123" -> "123"), unless it is all digits (a date, an amount). A
    number right after "Bs" is an amount, not a household."""
    found = []
    previous = ""
    for word in _WORD.findall(_normal(text)):
        if previous in _AMOUNT_WORDS:
            previous = word
            continue
        previous = word
        found.append(word)
    return found


@dataclass
class Directory:
    """A committee's households by the words that name them."""

    by_word: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def add(self, word: str, connection_id: int) -> None:
        word = _normal(word).strip()
        if word:
            self.by_word[word].add(connection_id)


def directory(committee: Committee) -> Directory:
    """Connection numbers (every connection: a closed one may still owe), and the member code and
    ID document of each connection's current holder."""
    found = Directory()
    for pk, number in Connection.objects.filter(committee=committee).values_list("pk", "number"):
        found.add(number, pk)
    holdings = Holding.objects.filter(committee=committee, ended_on__isnull=True).values_list(
        "connection_id", "member__code", "member__id_document"
    )
    for connection_id, code, document in holdings:
        if code:
            found.add(code, connection_id)
        if document:
            compact = re.sub(r"[\s.]", "", _normal(document))
            found.add(compact, connection_id)
            # "4567890 LP", "4567890-1B": the bank's payer writes the number alone.
            digits = re.match(r"\d+", compact)
            if digits and len(digits.group()) >= MIN_DOCUMENT_DIGITS:
                found.add(digits.group(), connection_id)
    return found


def match_text(found: Directory, text: str) -> set[int]:
    """The households the text names (one: a match; several: ambiguous; none: unknown)."""
    matched: set[int] = set()
    for word in words(text):
        if word in found.by_word:
            matched |= found.by_word[word]
            continue
        parts = re.split(r"[-/.]", word)
        if len(parts) > 1 and not all(p.isdigit() for p in parts):
            for part in parts:
                matched |= found.by_word.get(part, set())
    return matched


# --- services --------------------------------------------------------------------------------


@dataclass
class PreviewLine:
    line: StatementLine
    connection_id: int | None = None  # the household it will be paid to
    candidates: tuple[int, ...] = ()  # more than one: ambiguous
    imported: BankLine | None = None  # the same line, already imported
    connection: Connection | None = None
    candidate_connections: list = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.imported is not None:
            return "duplicate"
        return "matched" if self.connection_id else "unmatched"


@dataclass
class Preview:
    filename: str
    lines: list[PreviewLine] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    debits: int = 0

    def _of(self, status: str) -> list[PreviewLine]:
        return [p for p in self.lines if p.status == status]

    @property
    def matched(self) -> list[PreviewLine]:
        return self._of("matched")

    @property
    def unmatched(self) -> list[PreviewLine]:
        return self._of("unmatched")

    @property
    def duplicates(self) -> list[PreviewLine]:
        return self._of("duplicate")

    @property
    def new(self) -> list[PreviewLine]:
        return [p for p in self.lines if p.imported is None]

    @property
    def matched_total(self) -> Decimal:
        return sum((p.line.amount for p in self.matched), Decimal("0.00"))

    @property
    def unmatched_total(self) -> Decimal:
        return sum((p.line.amount for p in self.unmatched), Decimal("0.00"))

    @property
    def ok(self) -> bool:
        """Nothing wrong, and something new to import."""
        return not self.errors and bool(self.new)

    @property
    def digest(self) -> str:
        """What the person saw: if the import would do anything else, it asks again."""
        parts = sorted(f"{p.line.fingerprint}:{p.connection_id or ''}" for p in self.new)
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def statement_preview(*, committee: Committee, content: bytes, filename: str) -> Preview:
    """What importing the file would do: each deposit with its household (or none), the lines
    already imported, and every error. Writes nothing."""
    parsed = parse(content, today=committee.today())
    preview = Preview(filename=filename, errors=parsed.errors, debits=parsed.debits)
    if parsed.errors:
        return preview
    imported = {
        line.fingerprint: line
        for line in BankLine.objects.filter(
            committee=committee, fingerprint__in=[s.fingerprint for s in parsed.lines]
        ).select_related("statement", "payment", "payment__connection")
    }
    found = directory(committee)
    for statement_line in parsed.lines:
        row = PreviewLine(statement_line, imported=imported.get(statement_line.fingerprint))
        if row.imported is None:
            households = match_text(found, statement_line.text)
            if len(households) == 1:
                row.connection_id = next(iter(households))
            else:
                row.candidates = tuple(sorted(households))
        preview.lines.append(row)
    _attach_connections(committee, preview.lines)
    return preview


def _attach_connections(committee: Committee, rows: list[PreviewLine]) -> None:
    """The connections the page names, with their current holders, in two queries."""
    ids = {r.connection_id for r in rows if r.connection_id}
    ids |= {pk for r in rows for pk in r.candidates}
    if not ids:
        return
    connections = households(committee, ids)
    for r in rows:
        r.connection = connections.get(r.connection_id)
        r.candidate_connections = [connections[pk] for pk in r.candidates if pk in connections]


def households(committee: Committee, ids) -> dict[int, Connection]:
    """Connections by id, each with `holders` (its current holders' members)."""
    connections = {
        c.pk: c for c in Connection.objects.filter(committee=committee, pk__in=list(ids))
    }
    for c in connections.values():
        c.holders = []
    for holding in Holding.objects.filter(
        committee=committee, connection_id__in=list(connections), ended_on__isnull=True
    ).select_related("member"):
        connections[holding.connection_id].holders.append(holding.member)
    return connections


def line_candidates(line: BankLine) -> list[Connection]:
    """The households an unresolved line names (several: the ambiguity a person resolves)."""
    ids = match_text(directory(line.committee), f"{line.reference} {line.description}")
    found = households(line.committee, ids)
    return [found[pk] for pk in sorted(found, key=lambda pk: found[pk].number)]


def _payment_reference(line: StatementLine | BankLine) -> str:
    """The bank's reference; without one, the description; at least the line."""
    text = _text(line.reference) or _text(line.description)
    if not text:
        number = line.line if isinstance(line, StatementLine) else line.line_number
        text = _("bank statement, line %(n)s") % {"n": number}
    return text[:80]


def statement_import(
    *, committee: Committee, content: bytes, filename: str, by, expected: str | None = None
) -> BankImport:
    """Import the statement, all or nothing: its deposits as bank lines, the ones matched to a
    household recorded as payments (by transfer, on the deposit's date). Lines already imported
    are left out. Any error, and nothing is written. With `expected` (the preview's digest), an
    import that would now do something else than the preview showed is refused."""
    try:
        return _import(
            committee=committee, content=content, filename=filename, by=by, expected=expected
        )
    except IntegrityError:
        # Another import of the same lines was saved while this one ran: nothing of this one is.
        raise StatementRejected(
            [
                RowError(
                    0,
                    "",
                    _(
                        "Some of these lines were imported at the same moment by someone else. "
                        "Nothing was imported: look at the statements, then try again."
                    ),
                )
            ]
        ) from None


@transaction.atomic
def _import(*, committee, content, filename, by, expected) -> BankImport:
    preview = statement_preview(committee=committee, content=content, filename=filename)
    if preview.errors:
        raise StatementRejected(preview.errors)
    if not preview.new:
        raise StatementRejected(
            [RowError(0, "", _("Every line of this statement was already imported."))]
        )
    if expected is not None and expected != preview.digest:
        raise StatementRejected(
            [
                RowError(
                    0,
                    "",
                    _(
                        "Something changed since the preview (another import, or the register). "
                        "Nothing was imported: check the new preview and confirm again."
                    ),
                )
            ]
        )
    matched = [p for p in preview.new if p.connection_id]
    try:
        services.payments_take_many(
            committee=committee,
            payments=[
                services.Incoming(
                    connection_id=p.connection_id,
                    amount=p.line.amount,
                    method=Payment.Method.TRANSFER,
                    received_on=p.line.date,
                    reference=_payment_reference(p.line),
                    client_id=p.line.client_id,
                )
                for p in matched
            ],
            by=by,
        )
    except ValidationError as error:
        raise StatementRejected([RowError(0, "", " ".join(error.messages))]) from error
    payments = dict(
        Payment.objects.filter(
            committee=committee, client_id__in=[p.line.client_id for p in matched]
        ).values_list("client_id", "pk")
    )
    statement = BankImport.objects.create(
        committee=committee, filename=filename[:200], uploaded_by=by
    )
    BankLine.objects.bulk_create(
        [
            BankLine(
                committee=committee,
                statement=statement,
                line_number=p.line.line,
                date=p.line.date,
                amount=p.line.amount,
                reference=p.line.reference,
                description=p.line.description,
                fingerprint=p.line.fingerprint,
                status=BankLine.Status.MATCHED if p.connection_id else BankLine.Status.UNMATCHED,
                payment_id=payments.get(p.line.client_id) if p.connection_id else None,
                resolved_by=None,
            )
            for p in preview.new
        ]
    )
    return statement


def _locked(line: BankLine) -> BankLine:
    return BankLine.objects.select_for_update().get(committee=line.committee_id, pk=line.pk)


@transaction.atomic
def line_resolve(*, line: BankLine, connection: Connection, by) -> BankLine:
    """A person says whose deposit this is: it is recorded as that household's payment. Sent
    twice, one payment; a line already paid to another household is refused (reverse that
    receipt first). An ignored line may still be resolved."""
    committee = line.committee
    if connection.committee_id != committee.pk:
        raise ValidationError(_("There is no such connection in this committee."))
    line = _locked(line)
    if line.status == BankLine.Status.MATCHED:
        if line.payment is not None and line.payment.connection_id == connection.pk:
            return line
        raise ValidationError(
            _("This line is already recorded as receipt %(number)s of connection %(conn)s.")
            % {
                "number": line.payment.number if line.payment else "—",
                "conn": line.payment.connection.number if line.payment else "—",
            }
        )
    payment = services.payment_take(
        committee=committee,
        connection_id=connection.pk,
        amount=line.amount,
        method=Payment.Method.TRANSFER,
        by=by,
        reference=_payment_reference(line),
        received_on=line.date,
        client_id=client_id_of(line.fingerprint),
    )
    line.status = BankLine.Status.MATCHED
    line.payment = payment
    line.resolved_by = by
    line.save(update_fields=["status", "payment", "resolved_by"])
    return line


@transaction.atomic
def line_ignore(*, line: BankLine, by, note: str) -> BankLine:
    """A deposit that is not a household's payment (a donation, a loan, the till's cash taken to
    the bank): kept on the statement as ignored, with the reason."""
    note = _text(note or "")
    if not note:
        raise ValidationError({"note": _("Say why this line is not a household's payment.")})
    line = _locked(line)
    if line.status == BankLine.Status.MATCHED:
        raise ValidationError(
            _(
                "This line is already recorded as receipt %(number)s: to undo it, reverse the "
                "receipt at the cash desk."
            )
            % {"number": line.payment.number if line.payment else "—"}
        )
    line.status = BankLine.Status.IGNORED
    line.note = note[:300]
    line.resolved_by = by
    line.save(update_fields=["status", "note", "resolved_by"])
    return line


def statements(committee: Committee):
    """The committee's statements, newest first, with their counts and totals."""
    from django.db.models import Count, Sum

    return BankImport.objects.filter(committee=committee).annotate(
        line_count=Count("lines"),
        matched_count=Count("lines", filter=Q(lines__status=BankLine.Status.MATCHED)),
        unmatched_count=Count("lines", filter=Q(lines__status=BankLine.Status.UNMATCHED)),
        ignored_count=Count("lines", filter=Q(lines__status=BankLine.Status.IGNORED)),
        total=Sum("lines__amount"),
        matched_total=Sum("lines__amount", filter=Q(lines__status=BankLine.Status.MATCHED)),
    )
