"""Bringing an existing register in from a spreadsheet: a preview first, then all or nothing.

The files are built here, the way committees write them today: Spanish headers, day-first
dates, decimal commas, Excel's own numbers and dates, Windows encodings. Messages are checked
through what the user would look for in them: the line number, the column as the file names
it, and the offending value copied from the file.
"""

import io
import random
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from openpyxl import Workbook

from comunagua.registry import importer, selectors, services
from comunagua.registry.models import (
    Connection,
    Holding,
    Lot,
    Member,
    Meter,
    RegistryImport,
    Sector,
)
from comunagua.tenancy.roles import Role
from tests.actors import PASSWORD, add_connection, make_user

COLUMNS = [
    "numero_conexion",
    "nombres",
    "apellidos",
    "ci",
    "telefono",
    "genero",
    "personas",
    "fecha_ingreso",
    "sector",
    "direccion",
    "categoria",
    "alcantarillado",
    "estado",
    "fecha_conexion",
    "medidor",
    "digitos",
    "lectura_inicial",
]

GOOD = {
    "numero_conexion": "201",
    "nombres": "Rosa",
    "apellidos": "Quispe Mamani",
    "ci": "4455667",
    "telefono": "71234567",
    "genero": "F",
    "personas": "4",
    "fecha_ingreso": "15/03/2010",
    "sector": "Alto Pagador",
    "direccion": "Calle Los Pinos 12",
    "categoria": "residencial",
    "alcantarillado": "sí",
    "estado": "activa",
    "fecha_conexion": "20/03/2010",
    "medidor": "ZN-0001",
    "digitos": "5",
    "lectura_inicial": "0",
}


def row(columns=COLUMNS, **values) -> str:
    """One line of the register: a good row unless told otherwise."""
    cells = {**GOOD, **values}
    return ";".join(cells.get(c, "") for c in columns)


def register(*rows: str, columns=COLUMNS, encoding="utf-8") -> bytes:
    return "\n".join([";".join(columns), *rows]).encode(encoding)


def xlsx(*rows) -> bytes:
    book = Workbook()
    for values in rows:
        book.active.append(list(values))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check(committee, content: bytes, filename: str = "registro.csv") -> importer.Preview:
    with scope(committee=committee):
        return importer.preview(committee=committee, filename=filename, content=content)


def upload(committee, content: bytes, filename: str = "registro.csv", by=None):
    with scope(committee=committee):
        return services.registry_import_upload(
            committee=committee, by=by, filename=filename, content=content
        )


def apply(batch, by=None) -> int:
    with scope(committee=batch.committee):
        return services.registry_import_apply(batch=batch, by=by)


def import_file(committee, content: bytes, filename: str = "registro.csv", by=None) -> int:
    return apply(upload(committee, content, filename, by), by)


def counts() -> dict[str, int]:
    """Every register table, across all committees."""
    with scopes_disabled():
        return {
            model.__name__: model.objects.count()
            for model in (Member, Connection, Lot, Holding, Meter, Sector)
        }


def where(preview: importer.Preview) -> set[tuple[int, str]]:
    """The (line, column) of every error, as the preview page and the command show them."""
    return {(error.line, error.column) for error in preview.errors}


def connection(committee, number: str) -> Connection:
    with scopes_disabled():
        return Connection.objects.select_related("lot__sector").get(
            committee=committee, number=number
        )


def holder(conn: Connection) -> Member:
    with scopes_disabled():
        return selectors.current_holding(conn).member


def meter(conn: Connection) -> Meter | None:
    with scopes_disabled():
        return conn.meters.filter(removed_on__isnull=True).first()


# --- good files ---------------------------------------------------------------------------


def test_a_good_csv_imports_every_row_with_one_member_per_id_document(committee, board_user):
    content = register(
        row(lectura_inicial="12,5"),
        row(
            numero_conexion="202",
            categoria="comercial",
            alcantarillado="no",
            direccion="Calle Los Pinos 14",
            medidor="ZN-0002",
        ),
        row(
            numero_conexion="203",
            nombres="Juan",
            apellidos="Condori",
            ci="",
            telefono="",
            genero="M",
            personas="3",
            fecha_ingreso="",
            sector="Bajo",
            direccion="Av. Blanco Galindo km 5",
            estado="suspendida",
            medidor="",
            digitos="",
            lectura_inicial="",
        ),
    )

    preview = check(committee, content)
    assert preview.ok, preview.errors
    assert (len(preview.rows), preview.new_members) == (3, 2)

    assert import_file(committee, content, by=board_user) == 3

    rosa, juan = holder(connection(committee, "201")), holder(connection(committee, "203"))
    assert holder(connection(committee, "202")) == rosa
    assert (rosa.first_names, rosa.last_names, rosa.id_document) == (
        "Rosa",
        "Quispe Mamani",
        "4455667",
    )
    assert (rosa.gender, rosa.household_size, rosa.phone) == ("F", 4, "71234567")
    assert rosa.joined_on == date(2010, 3, 15)
    assert (juan.full_name, juan.id_document, juan.gender) == ("Juan Condori", "", "M")
    with scopes_disabled():
        assert Member.objects.filter(committee=committee).count() == 2
        assert set(Sector.objects.filter(committee=committee).values_list("name", flat=True)) == {
            "Alto Pagador",
            "Bajo",
        }

    c201, c202, c203 = (connection(committee, n) for n in ("201", "202", "203"))
    assert (c201.category, c201.has_sewer, c201.status) == ("residential", True, "active")
    assert (c202.category, c202.has_sewer) == ("commercial", False)
    assert (c203.status, c203.lot.sector.name) == ("suspended", "Bajo")
    assert c201.connected_on == date(2010, 3, 20)
    assert c201.lot.address == "Calle Los Pinos 12"
    assert c201.lot.sector == c202.lot.sector

    installed = meter(c201)
    assert (installed.serial, installed.digits) == ("ZN-0001", 5)
    assert installed.initial_reading == Decimal("12.500")
    assert installed.installed_on == date(2010, 3, 20)
    assert meter(c203) is None
    with scopes_disabled():
        assert selectors.current_holding(c201).started_on == date(2010, 3, 20)


def test_an_import_is_recorded_in_the_history_with_who_imported_it(committee, board_user):
    import_file(committee, register(row()), by=board_user)

    with scopes_disabled():
        created = Connection.history.get(number="201", history_type="+")
        member = Member.history.get(id_document="4455667", history_type="+")
        batch = RegistryImport.objects.get(committee=committee)
    assert created.history_user == board_user
    assert member.history_user == board_user
    assert (batch.status, batch.rows_imported, batch.uploaded_by) == ("applied", 1, board_user)
    assert batch.applied_at is not None


def test_an_xlsx_with_excel_numbers_and_dates_imports_them_exactly(committee):
    content = xlsx(
        (
            "Número de conexión",
            "Nombres",
            "Apellidos",
            "CI",
            "Teléfono",
            "Dirección",
            "Fecha de conexión",
            "Medidor",
            "Dígitos",
            "Lectura inicial",
            "Personas",
            "Latitud",
            "Longitud",
        ),
        (
            105,
            "Rosa",
            "Quispe",
            4455667,
            71234567,
            "Calle 1",
            datetime(2015, 6, 1),
            "M-9",
            5,
            12.5,
            4,
            -17.3935,
            -66.157,
        ),
        (
            106.0,
            "Ana",
            "Mamani",
            None,
            None,
            "Calle 2",
            "01/02/2016",
            7788,
            4.0,
            0.1,
            None,
            None,
            None,
        ),
    )

    assert import_file(committee, content, filename="padron.xlsx") == 2

    c105, c106 = connection(committee, "105"), connection(committee, "106")
    assert meter(c105).initial_reading == Decimal("12.500")
    assert meter(c106).initial_reading == Decimal("0.100")
    assert (meter(c106).serial, meter(c106).digits) == ("7788", 4)
    assert c105.connected_on == date(2015, 6, 1)
    assert c106.connected_on == date(2016, 2, 1)
    assert (c105.lot.latitude, c105.lot.longitude) == (Decimal("-17.393500"), Decimal("-66.157000"))
    rosa = holder(c105)
    assert (rosa.id_document, rosa.phone, rosa.household_size) == ("4455667", "71234567", 4)


def test_an_xlsx_row_is_named_by_its_spreadsheet_row_number(committee):
    content = xlsx(
        (),
        ("numero_conexion", "nombres", "apellidos", "direccion", "categoria"),
        (301, "Rosa", "Quispe", "Calle 1", "residencial"),
        (302, "Ana", "Mamani", "Calle 2", "piscina"),
    )

    preview = check(committee, content, "padron.xlsx")

    assert where(preview) == {(4, "categoria")}
    assert "piscina" in preview.errors[0].message


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("03/04/2012", date(2012, 4, 3)),
        ("3/4/2012", date(2012, 4, 3)),
        ("2012-04-03", date(2012, 4, 3)),
        ("03-04-2012", date(2012, 4, 3)),
        ("03.04.2012", date(2012, 4, 3)),
    ],
)
def test_dates_are_read_day_first(committee, written, meant):
    import_file(committee, register(row(fecha_conexion=written)))

    assert connection(committee, "201").connected_on == meant


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("7,25", Decimal("7.250")),
        ("1.234,5", Decimal("1234.500")),
        ("1 234,5", Decimal("1234.500")),
        ("1234.5", Decimal("1234.500")),
        ("0,001", Decimal("0.001")),
    ],
)
def test_readings_with_a_decimal_comma_are_read_as_people_write_them(committee, written, meant):
    import_file(committee, register(row(lectura_inicial=written)))

    assert meter(connection(committee, "201")).initial_reading == meant


def test_without_ci_the_same_full_name_in_the_file_is_one_member(committee):
    no_ci = {"ci": "", "nombres": "Juan", "apellidos": "Condori"}
    content = register(
        row(**no_ci),
        row(
            **{**no_ci, "nombres": "JUAN", "apellidos": "Cóndori"},
            numero_conexion="202",
            medidor="ZN-0002",
        ),
        row(**{**no_ci, "nombres": "Juana"}, numero_conexion="203", medidor="ZN-0003"),
    )

    preview = check(committee, content)
    assert preview.new_members == 2
    import_file(committee, content)

    assert holder(connection(committee, "201")) == holder(connection(committee, "202"))
    assert holder(connection(committee, "203")).first_names == "Juana"


def test_a_row_with_a_registered_ci_joins_that_member(committee):
    existing = holder(add_connection(committee, "101"))  # CI "CI-villa-esperanza-101"
    content = register(row(ci="ci-villa-esperanza-101", nombres="Rosa", apellidos="Quispe 101"))

    assert check(committee, content).new_members == 0
    import_file(committee, content)

    assert holder(connection(committee, "201")) == existing
    with scopes_disabled():
        assert Member.objects.filter(committee=committee).count() == 1


def registered(committee, first_names: str, last_names: str, id_document: str = "") -> Member:
    with scope(committee=committee):
        return services.member_create(
            committee=committee,
            by=None,
            first_names=first_names,
            last_names=last_names,
            id_document=id_document,
        )


def members_of(committee) -> int:
    with scopes_disabled():
        return Member.objects.filter(committee=committee).count()


def test_a_row_without_ci_joins_the_one_registered_member_of_that_name_without_ci(committee):
    juan = registered(committee, "Juan", "Condori")
    content = register(row(ci="", nombres="JUAN", apellidos="Cóndori"))

    preview = check(committee, content)
    assert preview.ok, preview.errors
    assert (preview.new_members, preview.joined) == (0, 1)
    assert preview.rows[0].member_id == juan.pk and preview.rows[0].joins
    import_file(committee, content)

    assert holder(connection(committee, "201")) == juan
    assert members_of(committee) == 1


def test_rows_of_one_file_without_ci_for_a_registered_name_all_join_that_member(committee):
    juan = registered(committee, "Juan", "Condori")
    no_ci = {"ci": "", "nombres": "Juan", "apellidos": "Condori"}
    content = register(
        row(**no_ci),
        row(**no_ci, numero_conexion="202", medidor="ZN-0002"),
        row(numero_conexion="203", medidor="ZN-0003"),  # Rosa, with her CI: new
    )

    preview = check(committee, content)
    assert (preview.new_members, preview.joined) == (1, 2)
    import_file(committee, content)

    assert holder(connection(committee, "201")) == juan == holder(connection(committee, "202"))
    assert members_of(committee) == 2


def test_a_name_several_registered_members_share_without_ci_asks_for_the_ci(committee):
    registered(committee, "Juan", "Condori")
    registered(committee, "Juan", "Condori")
    content = register(row(ci="", nombres="Juan", apellidos="Condori"))
    before = counts()

    preview = check(committee, content)
    assert where(preview) == {(2, "ci")}
    assert "2" in preview.errors[0].message and "Juan Condori" in preview.errors[0].message
    with pytest.raises(importer.ImportRejected):
        import_file(committee, content)
    assert counts() == before


def test_a_file_without_a_ci_column_names_the_ci_column_when_asking_for_it(committee):
    registered(committee, "Juan", "Condori")
    registered(committee, "Juan", "Condori")
    columns = [c for c in COLUMNS if c != "ci"]
    content = register(row(columns, nombres="Juan", apellidos="Condori"), columns=columns)

    assert where(check(committee, content)) == {(2, "ci")}


def test_a_registered_member_with_a_ci_is_not_joined_by_a_row_without_ci(committee):
    registered(committee, "Juan", "Condori", id_document="123")
    content = register(row(ci="", nombres="Juan", apellidos="Condori"))

    assert check(committee, content).new_members == 1
    import_file(committee, content)
    assert members_of(committee) == 2


def test_a_ci_in_other_capitals_or_spaces_is_the_registered_members(committee):
    rosa = registered(committee, "Rosa", "Quispe Mamani", id_document="4455667 CB")
    content = register(
        row(ci="4455667  cb"),
        row(ci=" 4455667 Cb", numero_conexion="202", medidor="ZN-0002"),
        row(ci="4455667-CB", numero_conexion="203", medidor="ZN-0003"),
        row(ci="4455667cb", numero_conexion="204", medidor="ZN-0004"),
    )

    preview = check(committee, content)
    assert preview.ok, preview.errors
    assert (preview.new_members, preview.joined) == (0, 4)
    import_file(committee, content)
    holders = {holder(connection(committee, n)) for n in ("201", "202", "203", "204")}
    assert holders == {rosa}


def test_one_ci_in_other_capitals_in_the_file_is_one_member_written_in_capitals(committee):
    content = register(
        row(ci="ab 123"),
        row(ci="AB  123", numero_conexion="202", medidor="ZN-0002"),
    )

    assert check(committee, content).new_members == 1
    import_file(committee, content)
    assert holder(connection(committee, "201")).id_document == "AB 123"
    assert members_of(committee) == 1


def test_the_preview_page_says_which_rows_go_to_registered_members(board_client, committee):
    registered(committee, "Juan", "Condori")
    content = register(
        row(ci="", nombres="Juan", apellidos="Condori"),
        row(numero_conexion="202", medidor="ZN-0002"),
    )
    _post_file(board_client, committee, content)

    page = board_client.get(_preview_url(committee, _only_batch(committee)))
    html = page.content.decode()
    assert html.count('class="joins"') == 1
    assert page.context["preview"].new_members == 1


CLOSING = [*COLUMNS, "fecha_cierre"]


def test_a_closed_connection_is_imported_with_its_closing_date(committee):
    content = register(row(CLOSING, estado="cerrada", fecha_cierre="30/06/2024"), columns=CLOSING)

    import_file(committee, content)
    closed = connection(committee, "201")
    assert (closed.status, closed.closed_on) == ("closed", date(2024, 6, 30))


@pytest.mark.parametrize(
    "values,column",
    [
        ({"estado": "cerrada"}, "estado"),
        ({"estado": "activa", "fecha_cierre": "30/06/2024"}, "fecha_cierre"),
        ({"estado": "cerrada", "fecha_cierre": "01/01/2005"}, "fecha_cierre"),  # before 2010
        ({"estado": "cerrada", "fecha_cierre": "01/01/2999"}, "fecha_cierre"),
    ],
)
def test_a_closing_date_and_the_status_closed_go_together(committee, values, column):
    content = register(row(CLOSING, **values), columns=CLOSING)
    before = counts()

    assert where(check(committee, content)) == {(2, column)}
    with pytest.raises(importer.ImportRejected):
        import_file(committee, content)
    assert counts() == before


def test_a_closed_connection_in_a_file_without_a_closing_date_column_names_that_column(committee):
    preview = check(committee, register(row(estado="cerrada")))

    assert where(preview) == {(2, "estado")}
    assert "fecha_cierre" in preview.errors[0].message


def test_a_date_is_in_the_future_by_the_committees_calendar(committee, monkeypatch):
    """Noon on 15 June 2030 in La Paz: 10 June has happened there, 20 June has not."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: datetime(2030, 6, 15, 16, tzinfo=UTC))

    assert check(committee, register(row(fecha_conexion="10/06/2030"))).ok
    assert where(check(committee, register(row(fecha_conexion="20/06/2030")))) == {
        (2, "fecha_conexion")
    }


def test_a_csv_saved_by_excel_on_windows_keeps_its_accents(committee):
    columns = ["Número de conexión", "Nombres", "Apellidos", "Dirección", "Categoría", "Sector"]
    content = register(
        "301;María José;Peña Ñañez;Calle Ñuñoa 5;doméstica;Señor de Mayo",
        columns=columns,
        encoding="cp1252",
    )

    import_file(committee, content)

    c301 = connection(committee, "301")
    assert holder(c301).full_name == "María José Peña Ñañez"
    assert (c301.lot.address, c301.lot.sector.name) == ("Calle Ñuñoa 5", "Señor de Mayo")
    assert c301.category == "residential"


def test_a_comma_separated_csv_with_quoted_addresses_is_read_too(committee):
    content = (
        b"numero_conexion,nombres,apellidos,direccion,lectura_inicial,medidor\n"
        b'301,Rosa,Quispe,"Calle 3, casa 2",12.5,M-1\n'
    )

    import_file(committee, content)

    c301 = connection(committee, "301")
    assert c301.lot.address == "Calle 3, casa 2"
    assert meter(c301).initial_reading == Decimal("12.500")


# --- bad files: every bad row listed, nothing changed ---------------------------------------


def test_a_bad_file_lists_every_bad_row_and_imports_nothing(committee, other_committee):
    add_connection(committee, "101")  # its meter is "M-villa-esperanza-101"
    add_connection(other_committee, "500")
    columns = [*COLUMNS, "latitud", "longitud"]

    def line(**values):
        return row(columns, **values)

    content = register(
        line(),  # 2: good
        line(medidor="ZN-0003"),  # 3: connection 201 again
        line(numero_conexion="204", medidor="ZN-0004", categoria="piscina"),  # 4
        line(numero_conexion="205", medidor="ZN-0005", fecha_conexion="31/02/2019"),  # 5
        line(numero_conexion="206", medidor="ZN-0006", nombres="", ci="1"),  # 6
        line(numero_conexion="207", medidor="ZN-0007", lectura_inicial="-5"),  # 7
        line(numero_conexion="208", medidor="ZN-0008", digitos="4", lectura_inicial="12345"),  # 8
        line(numero_conexion="209", medidor="ZN-0009", personas="0"),  # 9
        line(numero_conexion="210", medidor="ZN-0010", latitud="200", longitud="-66,15"),  # 10
        line(numero_conexion="211", medidor="ZN-0011", personas="cuatro"),  # 11
        line(numero_conexion="101", medidor="ZN-0012"),  # 12: exists in this committee
        line(numero_conexion="213", medidor="M-villa-esperanza-101"),  # 13: meter in service
        line(numero_conexion="500", medidor="ZN-0014"),  # 14: only the other committee's
        columns=columns,
    )
    before = counts()

    preview = check(committee, content)

    assert where(preview) == {
        (3, "numero_conexion"),
        (4, "categoria"),
        (5, "fecha_conexion"),
        (6, "nombres"),
        (7, "lectura_inicial"),
        (8, "lectura_inicial"),
        (9, "personas"),
        (10, "latitud"),
        (11, "personas"),
        (12, "numero_conexion"),
        (13, "medidor"),
    }
    assert len(preview.errors) == 11, "one reason per bad cell, no echoes"
    by_line = {error.line: error.message for error in preview.errors}
    assert "2" in by_line[3], "a repeated number names the line it first appeared on"
    assert "piscina" in by_line[4]
    assert "31/02/2019" in by_line[5]
    assert "cuatro" in by_line[11]
    assert "101" in by_line[12]
    assert "M-villa-esperanza-101" in by_line[13]
    assert not preview.ok

    batch = upload(committee, content)
    with pytest.raises(importer.ImportRejected) as rejected:
        apply(batch)
    assert {(e.line, e.column) for e in rejected.value.errors} == where(preview)
    assert counts() == before
    with scopes_disabled():
        assert RegistryImport.objects.get(pk=batch.pk).status == "preview"


@pytest.mark.parametrize(
    ("column", "written"),
    [
        ("numero_conexion", ""),
        ("numero_conexion", "X" * 21),
        ("nombres", ""),
        ("apellidos", ""),
        ("direccion", ""),
        ("categoria", "piscina"),
        ("estado", "perdida"),
        ("genero", "quizás"),
        ("alcantarillado", "tal vez"),
        ("fecha_conexion", "31/02/2019"),
        ("fecha_conexion", "ayer"),
        ("fecha_ingreso", "01/01/2999"),
        ("fecha_ingreso", "01/01/1850"),
        ("personas", "0"),
        ("personas", "-3"),
        ("personas", "2,5"),
        ("personas", "1000"),
        ("personas", "cuatro"),
        ("digitos", "12"),
        ("digitos", "2"),
        ("lectura_inicial", "-0,5"),
        ("lectura_inicial", "doce"),
        ("lectura_inicial", "1e3"),
        ("lectura_inicial", "99999999999"),
        ("ci", "9" * 31),
    ],
)
def test_each_bad_value_is_named_by_its_line_and_column(committee, column, written):
    content = register(
        row(), row(**{"numero_conexion": "202", "medidor": "ZN-0002", column: written})
    )
    before = counts()

    preview = check(committee, content)

    assert where(preview) == {(3, column)}
    with pytest.raises(importer.ImportRejected):
        import_file(committee, content)
    assert counts() == before


def test_a_reading_the_meter_dials_cannot_show_is_refused(committee):
    content = register(
        row(digitos="4", lectura_inicial="10000"),
        row(numero_conexion="202", medidor="ZN-0002", digitos="4", lectura_inicial="9999,999"),
    )

    preview = check(committee, content)

    assert where(preview) == {(2, "lectura_inicial")}
    assert "10000" in preview.errors[0].message


def test_a_latitude_without_its_longitude_is_refused(committee):
    columns = [*COLUMNS, "latitud", "longitud"]
    content = register(
        row(columns, latitud="-17,39", longitud=""),
        row(columns, numero_conexion="202", medidor="ZN-0002", latitud="", longitud="-66,15"),
        row(columns, numero_conexion="203", medidor="ZN-0003", latitud="-17,39", longitud="-66,15"),
        columns=columns,
    )

    assert where(check(committee, content)) == {(2, "latitud"), (3, "latitud")}


def test_a_meter_serial_repeated_in_the_file_names_both_lines(committee):
    content = register(row(), row(numero_conexion="202", medidor="ZN-0001"))

    preview = check(committee, content)

    assert where(preview) == {(3, "medidor")}
    assert "ZN-0001" in preview.errors[0].message and "2" in preview.errors[0].message


def test_one_ci_written_with_two_different_names_is_refused(committee):
    """Otherwise Juan's connection would silently become Rosa's."""
    content = register(
        row(),
        row(numero_conexion="202", medidor="ZN-0002", nombres="Juan", apellidos="Condori"),
    )
    before = counts()

    preview = check(committee, content)

    assert where(preview) == {(3, "ci")}
    assert "4455667" in preview.errors[0].message
    with pytest.raises(importer.ImportRejected):
        import_file(committee, content)
    assert counts() == before


def test_a_registered_ci_under_another_name_is_refused(committee):
    """The office would otherwise hand a new connection to whoever first had that CI."""
    add_connection(committee, "101")  # CI "CI-villa-esperanza-101", Rosa Quispe 101
    content = register(row(ci="CI-villa-esperanza-101", nombres="Pedro", apellidos="Vargas"))
    before = counts()

    preview = check(committee, content)

    assert where(preview) == {(2, "ci")}
    assert "Rosa Quispe 101" in preview.errors[0].message
    assert counts() == before


def test_meter_details_without_a_meter_serial_are_refused_not_dropped(committee):
    content = register(row(medidor="", digitos="6", lectura_inicial="12"))

    assert where(check(committee, content)) == {(2, "digitos"), (2, "lectura_inicial")}


def test_a_reading_finer_than_a_litre_is_refused_not_rounded(committee):
    content = register(row(lectura_inicial="12,3456"))

    assert where(check(committee, content)) == {(2, "lectura_inicial")}


def test_a_member_number_is_refused_when_already_taken(committee):
    with scope(committee=committee):
        services.member_create(
            committee=committee, by=None, first_names="Ana", last_names="Mamani", code="S-7"
        )
    columns = [*COLUMNS, "numero_socio"]
    content = register(
        row(columns, numero_socio="S-7"),  # 2: taken by Ana in the register
        row(
            columns,
            numero_conexion="202",
            medidor="ZN-0002",
            ci="111",
            nombres="Eva",
            numero_socio="S-8",
        ),
        row(
            columns,
            numero_conexion="203",
            medidor="ZN-0003",
            ci="222",
            nombres="Luz",
            numero_socio="S-8",
        ),  # 4: S-8 is Eva's on line 3
        columns=columns,
    )
    before = counts()

    preview = check(committee, content)

    assert where(preview) == {(2, "numero_socio"), (4, "numero_socio")}
    with pytest.raises(importer.ImportRejected):
        import_file(committee, content)
    assert counts() == before


def test_a_connection_number_of_another_committee_is_no_conflict(committee, other_committee):
    theirs = add_connection(other_committee, "201")
    their_holder = holder(theirs)
    content = register(
        row(ci="CI-otro-valle-201", medidor="M-otro-valle-201")  # their CI, their serial
    )

    preview = check(committee, content)
    assert preview.ok, preview.errors
    assert preview.new_members == 1, "another committee's member is not ours to reuse"

    import_file(committee, content)

    ours = connection(committee, "201")
    assert ours.pk != theirs.pk
    assert holder(ours).committee == committee
    assert holder(ours) != their_holder
    assert meter(ours).committee_id == committee.pk
    with scopes_disabled():
        assert [h.connection_id for h in Holding.objects.filter(member=their_holder)] == [theirs.pk]


def test_applying_the_same_import_twice_imports_once(committee):
    batch = upload(committee, register(row(), row(numero_conexion="202", medidor="ZN-0002")))
    assert apply(batch) == 2
    after_first = counts()

    with pytest.raises(importer.ImportRejected) as rejected:
        apply(batch)

    assert len(rejected.value.errors) == 1
    assert counts() == after_first


def test_uploading_an_imported_file_again_lists_every_row_as_existing(committee):
    content = register(row(), row(numero_conexion="202", medidor="ZN-0002"))
    import_file(committee, content)
    after_first = counts()

    preview = check(committee, content)

    assert where(preview) == {
        (2, "numero_conexion"),
        (2, "medidor"),
        (3, "numero_conexion"),
        (3, "medidor"),
    }
    with pytest.raises(importer.ImportRejected):
        import_file(committee, content)
    assert counts() == after_first


def test_a_file_without_the_required_columns_names_them(committee):
    content = b"numero_conexion;ci;telefono\n201;4455667;71234567\n"

    preview = check(committee, content)

    assert not preview.ok
    assert len(preview.errors) == 1
    message = preview.errors[0].message
    for missing in ("nombres", "apellidos", "direccion"):
        assert missing in message
    assert "numero_conexion" not in message


def test_headers_are_recognised_with_accents_capitals_and_other_spellings(committee):
    content = "Nro. Conexión;NOMBRE;Apellido;Carnet;Zona;Dirección\n7;Rosa;Quispe;1;Alto;C 1\n"

    import_file(committee, content.encode())

    c7 = connection(committee, "7")
    assert (holder(c7).id_document, c7.lot.sector.name) == ("1", "Alto")


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("registro.csv", b""),
        ("registro.csv", b"\n\n;;;\n\n"),
        ("registro.csv", ";".join(COLUMNS).encode()),
        ("registro.csv", register(";" * (len(COLUMNS) - 1))),
        ("registro.xlsx", xlsx()),
        ("registro.xlsx", xlsx(COLUMNS)),
    ],
    ids=["no bytes", "blank lines", "header only", "blank row", "empty sheet", "xlsx header only"],
)
def test_an_empty_file_is_refused_and_imports_nothing(committee, filename, content):
    before = counts()

    preview = check(committee, content, filename)

    assert not preview.ok
    assert preview.rows == []
    assert len(preview.errors) == 1 and preview.errors[0].message
    with pytest.raises(importer.ImportRejected):
        import_file(committee, content, filename)
    assert counts() == before


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("registro.xlsx", random.Random(1).randbytes(3000)),
        ("registro.csv", random.Random(2).randbytes(3000)),
        ("registro.xlsx", register(row())),  # a CSV renamed .xlsx
        ("registro.csv", xlsx(COLUMNS, [GOOD[c] for c in COLUMNS])),  # an xlsx renamed .csv
        ("registro.xlsx", b"PK\x03\x04" + b"\x00" * 200),  # a broken zip
    ],
    ids=["random bytes xlsx", "random bytes csv", "csv named xlsx", "xlsx named csv", "bad zip"],
)
def test_a_file_that_is_not_a_spreadsheet_gets_a_clear_error(committee, filename, content):
    before = counts()

    preview = check(committee, content, filename)

    assert not preview.ok
    assert preview.errors and all(error.message for error in preview.errors)
    with pytest.raises(importer.ImportRejected):
        import_file(committee, content, filename)
    assert counts() == before


# --- through the web page -------------------------------------------------------------------


def _post_file(client, committee, content, filename="registro.csv"):
    return client.post(
        reverse("import-upload", kwargs={"committee": committee.slug}),
        {"file": SimpleUploadedFile(filename, content, content_type="text/csv")},
    )


def _preview_url(committee, batch):
    return reverse("import-preview", kwargs={"committee": committee.slug, "pk": batch.pk})


def _only_batch(committee) -> RegistryImport:
    with scopes_disabled():
        return RegistryImport.objects.get(committee=committee)


def test_the_import_page_shows_a_preview_then_imports_on_confirmation(board_client, committee):
    content = register(row(), row(numero_conexion="202", medidor="ZN-0002"))

    response = _post_file(board_client, committee, content)

    batch = _only_batch(committee)
    assert response.status_code == 302
    assert response["Location"] == _preview_url(committee, batch)
    page = board_client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["preview"].ok
    assert "Quispe Mamani" in page.content.decode(), "the rows to import are shown"
    assert counts()["Connection"] == 0, "the preview changes nothing"

    confirmed = board_client.post(_preview_url(committee, batch))

    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("connection-list", kwargs={"committee": committee.slug})
    with scopes_disabled():
        assert set(
            Connection.objects.filter(committee=committee).values_list("number", flat=True)
        ) == {
            "201",
            "202",
        }
    assert holder(connection(committee, "201")).full_name == "Rosa Quispe Mamani"


def test_a_bad_file_preview_page_lists_its_lines_and_confirming_imports_nothing(
    board_client, committee
):
    content = register(
        row(),
        row(numero_conexion="202", medidor="ZN-0002", categoria="piscina"),
        row(numero_conexion="203", medidor="ZN-0003", fecha_conexion="31/02/2019"),
    )
    _post_file(board_client, committee, content)
    batch = _only_batch(committee)
    before = counts()

    page = board_client.get(_preview_url(committee, batch))

    assert page.status_code == 200
    assert where(page.context["preview"]) == {(3, "categoria"), (4, "fecha_conexion")}
    html = page.content.decode()
    assert "piscina" in html and "31/02/2019" in html

    confirmed = board_client.post(_preview_url(committee, batch))

    assert confirmed.status_code == 200
    assert counts() == before
    assert _only_batch(committee).status == "preview"


def test_confirming_the_same_import_twice_through_the_page_imports_once(board_client, committee):
    _post_file(board_client, committee, register(row()))
    batch = _only_batch(committee)
    board_client.post(_preview_url(committee, batch))
    after_first = counts()

    again = board_client.post(_preview_url(committee, batch))

    assert again.status_code == 200
    assert counts() == after_first
    assert after_first["Connection"] == 1


def test_a_file_that_is_neither_xlsx_nor_csv_is_refused_at_upload(board_client, committee):
    response = _post_file(board_client, committee, b"%PDF-1.4", filename="registro.pdf")

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    with scopes_disabled():
        assert not RegistryImport.objects.exists()


def test_another_committees_import_is_not_found(board_client, committee, other_committee):
    theirs = upload(other_committee, register(row()))

    peek = board_client.get(_preview_url(committee, theirs))
    confirm = board_client.post(_preview_url(committee, theirs))
    through_theirs = board_client.post(_preview_url(other_committee, theirs))

    assert (peek.status_code, confirm.status_code, through_theirs.status_code) == (404, 404, 404)
    assert counts()["Connection"] == 0
    with scopes_disabled():
        assert RegistryImport.objects.get(pk=theirs.pk).status == "preview"


def test_a_member_household_may_not_import(client, committee):
    member = make_user(committee, Role.MEMBER)
    client.login(username=member.username, password=PASSWORD)

    response = _post_file(client, committee, register(row()))

    assert response.status_code == 403
    with scopes_disabled():
        assert not RegistryImport.objects.exists()
    assert counts()["Connection"] == 0
