"""Reading an existing register from a spreadsheet (.xlsx) or a .csv file.

One row per connection. A member who holds several connections appears on several rows with
the same ID document (or the same names when there is no document). Headers are matched
loosely in Spanish or English. The preview and the import read the same checks: an import is
all or nothing, and every bad row is listed with its line number and the reason.
"""

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from comunagua.lib import tabular
from comunagua.lib.numbers import parse_decimal
from comunagua.lib.tabular import RowError

from .models import (
    Connection,
    Gender,
    Member,
    Meter,
    id_document_key,
    normalize_id_document,
)


class ImportRejected(Exception):
    def __init__(self, errors):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


# Column -> accepted header spellings (after tabular.key); the first is the one the docs use.
COLUMNS: dict[str, tuple[str, ...]] = {
    "number": (
        "numero_conexion",
        "numero_de_conexion",
        "conexion",
        "nro_conexion",
        "n_conexion",
        "connection",
        "connection_number",
        "number",
    ),
    "first_names": ("nombres", "nombre", "first_names", "first_name"),
    "last_names": ("apellidos", "apellido", "last_names", "last_name"),
    "id_document": ("ci", "carnet", "documento", "carnet_de_identidad", "id_document"),
    "member_code": ("numero_socio", "nro_socio", "codigo_socio", "member_number", "member_code"),
    "phone": ("telefono", "celular", "phone"),
    "gender": ("genero", "sexo", "gender"),
    "household_size": ("personas", "miembros_familia", "familia", "household_size"),
    "joined_on": ("fecha_ingreso", "fecha_de_ingreso", "joined_on"),
    "sector": ("sector", "zona", "barrio"),
    "address": ("direccion", "address"),
    "reference": ("manzano_lote", "referencia", "lote", "reference"),
    "latitude": ("latitud", "lat", "latitude"),
    "longitude": ("longitud", "lon", "lng", "longitude"),
    "category": ("categoria", "category"),
    "has_sewer": ("alcantarillado", "sewer", "has_sewer"),
    "status": ("estado", "status"),
    "connected_on": ("fecha_conexion", "fecha_de_conexion", "connected_on"),
    "closed_on": ("fecha_cierre", "fecha_de_cierre", "closed_on"),
    "meter_serial": ("medidor", "serie_medidor", "medidor_serie", "meter_serial", "meter"),
    "meter_digits": ("digitos", "medidor_digitos", "meter_digits"),
    "meter_installed_on": ("fecha_instalacion", "medidor_fecha_instalacion", "meter_installed_on"),
    "meter_reading": (
        "lectura_inicial",
        "medidor_lectura_inicial",
        "meter_reading",
        "initial_reading",
    ),
}
REQUIRED = ("number", "first_names", "last_names", "address")

_CATEGORY_WORDS = {
    "residencial": Connection.Category.RESIDENTIAL,
    "domestica": Connection.Category.RESIDENTIAL,
    "domiciliaria": Connection.Category.RESIDENTIAL,
    "social": Connection.Category.SOCIAL,
    "comercial": Connection.Category.COMMERCIAL,
    "institucional": Connection.Category.INSTITUTIONAL,
    "pileta_publica": Connection.Category.PUBLIC_TAP,
    "pila_publica": Connection.Category.PUBLIC_TAP,
    **{c.value: c for c in Connection.Category},
}
_STATUS_WORDS = {
    "activa": Connection.Status.ACTIVE,
    "activo": Connection.Status.ACTIVE,
    "suspendida": Connection.Status.SUSPENDED,
    "suspendido": Connection.Status.SUSPENDED,
    "cortada": Connection.Status.DISCONNECTED,
    "cortado": Connection.Status.DISCONNECTED,
    "cerrada": Connection.Status.CLOSED,
    "cerrado": Connection.Status.CLOSED,
    **{s.value: s for s in Connection.Status},
}
_GENDER_WORDS = {
    "f": Gender.FEMALE,
    "mujer": Gender.FEMALE,
    "femenino": Gender.FEMALE,
    "woman": Gender.FEMALE,
    "m": Gender.MALE,
    "hombre": Gender.MALE,
    "varon": Gender.MALE,
    "masculino": Gender.MALE,
    "man": Gender.MALE,
    "o": Gender.OTHER,
    "otro": Gender.OTHER,
    "other": Gender.OTHER,
    "": Gender.UNSPECIFIED,
}
_YES = {"si", "s", "yes", "y", "1", "x", "true"}
_NO = {"no", "n", "0", "", "false"}


@dataclass
class ImportRow:
    line: int
    number: str
    member: dict
    lot: dict
    connection: dict
    meter: dict | None
    # Set by preview() when the row's member is already registered: who, and why it is them.
    member_id: int | None = None
    joins: str = ""


@dataclass
class Preview:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new_members: int = 0
    titles: dict[str, str] = field(default_factory=dict)

    def title(self, column: str) -> str:
        """The header as the file wrote it, so the message names the user's own column."""
        return self.titles.get(column, column)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors

    @property
    def joined(self) -> int:
        """Rows whose member is already registered (see preview())."""
        return sum(1 for row in self.rows if row.member_id)


def _read_table(filename: str, content: bytes) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            # read_only parses lazily: a damaged sheet fails here, not in load_workbook.
            return [
                ["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)
            ]
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise ImportRejected([RowError(0, "", _("The file is not a readable .xlsx."))]) from exc
    try:
        text = tabular.decode(content)
    except tabular.Unreadable as unreadable:
        if unreadable.kind == "empty":
            return []  # parse() says "The file is empty."
        # No text in UTF-8 nor Windows-1252, a PDF, a workbook, UTF-16: a binary file named .csv.
        raise ImportRejected([RowError(0, "", _("The file is not a readable .csv."))]) from None
    table = tabular.records(text, tabular.dialect_sniff(text))
    if table.broken is not None:  # e.g. a field longer than the csv module allows
        raise ImportRejected([RowError(0, "", _("The file is not a readable .csv."))])
    # Rows are numbered as a spreadsheet numbers them (a cell of two lines is one row).
    return [cells for _line, cells in table.rows]


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet turns "105" into 105.0
    return " ".join(str(value).split())


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _decimal(value) -> Decimal:
    if isinstance(value, float):
        # openpyxl gives floats; repr is the shortest exact spelling, and Decimal reads its
        # exponent form too ("1e-05"), which parse_decimal (for typed text) refuses.
        value = Decimal(repr(value))
    return parse_decimal(value)


class _Row:
    """Collects one row's values and its errors, one message per bad cell."""

    def __init__(self, line: int, cells: dict, preview: Preview, today: date):
        self.line, self.cells, self.preview, self.today = line, cells, preview, today

    def error(self, column: str, message: str) -> None:
        self.preview.errors.append(RowError(self.line, self.preview.title(column), message))

    def text(self, column: str, max_length: int = 200) -> str:
        value = _text(self.cells.get(column, ""))
        if len(value) > max_length:
            self.error(column, _("longer than %(n)s characters") % {"n": max_length})
        return value[:max_length]

    def choice(self, column: str, words: dict, default):
        raw = tabular.key(self.cells.get(column, ""))
        if raw == "":
            return default
        if raw not in words:
            self.error(column, _("unknown value “%(value)s”") % {"value": self.cells[column]})
            return default
        return words[raw]

    def date(self, column: str) -> date | None:
        raw = self.cells.get(column, "")
        if _text(raw) == "":
            return None
        try:
            value = _date(raw)
        except ValueError:
            self.error(column, _("bad date “%(value)s” (use DD/MM/YYYY)") % {"value": raw})
            return None
        if value > self.today:
            self.error(column, _("date in the future"))
        if value.year < 1900:
            self.error(column, _("date before 1900"))
        return value

    def number(self, column: str, low: Decimal, high: Decimal, integer: bool = False):
        raw = self.cells.get(column, "")
        if _text(raw) == "":
            return None
        try:
            value = _decimal(raw)
        except ValueError:
            self.error(column, _("not a number: “%(value)s”") % {"value": raw})
            return None
        if integer and value != value.to_integral_value():
            self.error(column, _("must be a whole number"))
            return None
        if not low <= value <= high:
            self.error(
                column, _("must be between %(low)s and %(high)s") % {"low": low, "high": high}
            )
            return None
        return int(value) if integer else value


def parse(filename: str, content: bytes, today: date | None = None) -> Preview:
    """Check the file alone, without the database. `today` is the committee's (preview() passes
    it): a date after it is in the future."""
    today = today or date.today()
    table = _read_table(filename, content)
    preview = Preview()
    header_index = next((i for i, row in enumerate(table) if any(_text(c) for c in row)), None)
    if header_index is None:
        preview.errors.append(RowError(0, "", _("The file is empty.")))
        return preview
    found = tabular.header_match(table[header_index], COLUMNS)
    headers = dict(sorted((p, column) for column, positions in found.items() for p in positions))
    preview.titles = {column: _text(table[header_index][pos]) for pos, column in headers.items()}
    missing = [c for c in REQUIRED if c not in headers.values()]
    if missing:
        preview.errors.append(
            RowError(
                header_index + 1,
                "",
                _("Missing columns: %(columns)s")
                % {"columns": ", ".join(COLUMNS[c][0] for c in missing)},
            )
        )
        return preview

    seen_numbers: dict[str, int] = {}
    seen_serials: dict[str, int] = {}
    seen_documents: dict[tuple, tuple[int, tuple]] = {}  # member key -> (line, names)
    seen_codes: dict[str, tuple[int, tuple]] = {}  # member number -> (line, member key)
    for index, raw in enumerate(table[header_index + 1 :], start=header_index + 2):
        cells = {col: raw[pos] for pos, col in headers.items() if pos < len(raw)}
        if not any(_text(v) for v in cells.values()):
            continue
        row = _Row(index, cells, preview, today)
        number = row.text("number", 20)
        for column in REQUIRED:
            if not _text(cells.get(column, "")):
                row.error(column, _("is empty"))
        if number:
            if number in seen_numbers:
                row.error(
                    "number",
                    _("connection %(n)s repeated (also on line %(line)s)")
                    % {"n": number, "line": seen_numbers[number]},
                )
            seen_numbers.setdefault(number, index)
        member = {
            "first_names": row.text("first_names", 100),
            "last_names": row.text("last_names", 100),
            "id_document": normalize_id_document(row.text("id_document", 30)),
            "code": row.text("member_code", 20),
            "phone": row.text("phone", 30),
            "gender": row.choice("gender", _GENDER_WORDS, Gender.UNSPECIFIED),
            "household_size": row.number("household_size", Decimal(1), Decimal(60), True) or 1,
            "joined_on": row.date("joined_on"),
        }
        # Rows with one CI become one member: a CI typed on someone else's row would silently
        # give that household's connection to the wrong person, so the names must agree.
        key = member_key(member)
        names = (tabular.key(member["first_names"]), tabular.key(member["last_names"]))
        if key[0] == "ci" and all(names):
            first_line, first_names = seen_documents.setdefault(key, (index, names))
            if first_names != names:
                row.error(
                    "id_document",
                    _("CI %(ci)s is on line %(line)s with another name")
                    % {"ci": member["id_document"], "line": first_line},
                )
        if member["code"]:
            first_line, first_key = seen_codes.setdefault(member["code"], (index, key))
            if first_key != key:
                row.error(
                    "member_code",
                    _("member number %(code)s is also on line %(line)s for another member")
                    % {"code": member["code"], "line": first_line},
                )
        latitude = row.number("latitude", Decimal(-90), Decimal(90))
        longitude = row.number("longitude", Decimal(-180), Decimal(180))
        if (_text(cells.get("latitude", "")) == "") != (_text(cells.get("longitude", "")) == ""):
            row.error("latitude", _("give both latitude and longitude, or neither"))
        lot = {
            "sector": row.text("sector", 100),
            "address": row.text("address", 200),
            "reference": row.text("reference", 100),
            "latitude": None if latitude is None else latitude.quantize(Decimal("0.000001")),
            "longitude": None if longitude is None else longitude.quantize(Decimal("0.000001")),
        }
        sewer_raw = tabular.key(cells.get("has_sewer", ""))
        if sewer_raw not in _YES | _NO:
            row.error("has_sewer", _("write “sí” or “no”"))
        connection = {
            "category": row.choice("category", _CATEGORY_WORDS, Connection.Category.RESIDENTIAL),
            "status": row.choice("status", _STATUS_WORDS, Connection.Status.ACTIVE),
            "has_sewer": sewer_raw in _YES,
            "connected_on": row.date("connected_on"),
            "closed_on": row.date("closed_on"),
        }
        # As the connection form: closed since a date, or not closed.
        closed = connection["status"] == Connection.Status.CLOSED
        if closed and not _text(cells.get("closed_on", "")):
            row.error(
                "status",
                _("a closed connection needs its closing date (column %(column)s)")
                % {"column": preview.titles.get("closed_on", COLUMNS["closed_on"][0])},
            )
        if not closed and connection["closed_on"] is not None:
            row.error("closed_on", _("a closing date goes only with the status “closed”"))
        if (
            connection["closed_on"] is not None
            and connection["connected_on"] is not None
            and connection["closed_on"] < connection["connected_on"]
        ):
            row.error("closed_on", _("before the connection date"))
        meter = None
        serial = row.text("meter_serial", 40)
        if serial:
            if serial in seen_serials:
                row.error(
                    "meter_serial",
                    _("meter %(s)s repeated (also on line %(line)s)")
                    % {"s": serial, "line": seen_serials[serial]},
                )
            seen_serials.setdefault(serial, index)
            digits = row.number("meter_digits", Decimal(3), Decimal(9), True) or 5
            reading = row.number("meter_reading", Decimal(0), Decimal(10) ** 9) or Decimal(0)
            if reading != reading.quantize(Decimal("0.001")):
                row.error("meter_reading", _("more than 3 decimals (litres)"))
            if reading >= Decimal(10) ** digits:
                row.error(
                    "meter_reading",
                    _("a %(d)s-digit meter cannot show %(v)s") % {"d": digits, "v": reading},
                )
            meter = {
                "serial": serial,
                "digits": digits,
                "installed_on": row.date("meter_installed_on") or connection["connected_on"],
                "initial_reading": reading.quantize(Decimal("0.001")),
            }
        else:
            for column in ("meter_digits", "meter_reading", "meter_installed_on"):
                if _text(cells.get(column, "")):
                    row.error(column, _("there is no meter serial number on this row"))
        preview.rows.append(ImportRow(index, number, member, lot, connection, meter))
    if not preview.rows and not preview.errors:
        preview.errors.append(RowError(header_index + 1, "", _("The file has no rows.")))
    return preview


def full_name_key(first_names: str, last_names: str) -> str:
    """'José  PÉREZ', 'jose perez' -> 'jose_perez': one person however the name was typed."""
    return tabular.key(f"{first_names} {last_names}")


def member_key(member: dict) -> tuple[str, ...]:
    """Rows with the same ID document are one member; without one, the same full name."""
    if member["id_document"]:
        return ("ci", id_document_key(member["id_document"]))
    return ("name", full_name_key(member["first_names"], member["last_names"]))


def preview(*, committee, filename: str, content: bytes) -> Preview:
    """Parse the file and check it against what the committee already has.

    A row joins a registered member when its ID document is theirs (under the same name), or,
    without an ID document, when exactly one member has its full name and no ID document
    either; row.member_id and row.joins say so. Several such members: the row is an error, as
    only an ID document can tell them apart."""
    try:
        result = parse(filename, content, today=committee.today())
    except ImportRejected as rejected:
        return Preview(errors=rejected.errors)
    existing_numbers = set(
        Connection.objects.filter(committee=committee).values_list("number", flat=True)
    )
    in_service = set(
        Meter.objects.filter(committee=committee, removed_on__isnull=True).values_list(
            "serial", flat=True
        )
    )
    # CI -> the member the committee already has with it; full name -> those without a CI.
    by_document: dict[str, tuple[int, str, str]] = {}
    without_document: dict[str, list[tuple[int, str, str]]] = {}
    for pk, document, first, last in Member.objects.filter(committee=committee).values_list(
        "pk", "id_document", "first_names", "last_names"
    ):
        if document:
            by_document[id_document_key(document)] = (pk, first, last)
        else:
            without_document.setdefault(full_name_key(first, last), []).append((pk, first, last))
    taken_codes = set(
        Member.objects.filter(committee=committee).exclude(code="").values_list("code", flat=True)
    )
    new_keys = set()
    for row in result.rows:
        if row.number in existing_numbers:
            result.errors.append(
                RowError(
                    row.line,
                    result.title("number"),
                    _("connection %(n)s already exists") % {"n": row.number},
                )
            )
        if row.meter and row.meter["serial"] in in_service:
            result.errors.append(
                RowError(
                    row.line,
                    result.title("meter_serial"),
                    _("meter %(s)s is already in service") % {"s": row.meter["serial"]},
                )
            )
        key = member_key(row.member)
        name = full_name_key(row.member["first_names"], row.member["last_names"])
        if key[0] == "ci" and key[1] in by_document:
            pk, first, last = by_document[key[1]]
            if full_name_key(first, last) != name:
                result.errors.append(
                    RowError(
                        row.line,
                        result.title("id_document"),
                        _("CI %(ci)s is already registered to %(name)s")
                        % {"ci": row.member["id_document"], "name": f"{first} {last}"},
                    )
                )
            else:
                row.member_id = pk
                row.joins = _("registered member with this ID document")
            continue
        namesakes = without_document.get(name, []) if key[0] == "name" else []
        if len(namesakes) == 1:
            row.member_id = namesakes[0][0]
            row.joins = _("registered member with the same name and no ID document")
            continue
        if len(namesakes) > 1:
            result.errors.append(
                RowError(
                    row.line,
                    result.titles.get("id_document", COLUMNS["id_document"][0]),
                    _(
                        "%(n)s members named %(name)s are registered without an ID document: "
                        "write this one's ID document (CI) to tell them apart"
                    )
                    % {
                        "n": len(namesakes),
                        "name": f"{row.member['first_names']} {row.member['last_names']}",
                    },
                )
            )
            continue
        new_keys.add(key)
        if row.member["code"] in taken_codes:
            result.errors.append(
                RowError(
                    row.line,
                    result.title("member_code"),
                    _("member number %(code)s already belongs to another member")
                    % {"code": row.member["code"]},
                )
            )
    result.new_members = len(new_keys)
    result.errors.sort(key=lambda e: (e.line, e.column))
    return result
