"""`comunagua import-registry --committee SLUG FILE`, run as Django runs it (call_command).

The command's own words go through gettext and will read in Spanish once the catalogue is
written; the checks here look for what stays the same in any language: line numbers, the
column titles and values copied from the file, the counts, the exit status and the database.
"""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scopes_disabled

from comunagua.registry.models import Connection, Holding, Member, Meter, RegistryImport, Sector
from tests.actors import add_connection

HEADER = "numero_conexion;nombres;apellidos;ci;sector;direccion;categoria;medidor;lectura_inicial"
GOOD = (
    f"{HEADER}\n"
    "201;Rosa;Quispe Mamani;4455667;Alto;Calle Los Pinos 12;residencial;ZN-1;12,5\n"
    "202;Rosa;Quispe Mamani;4455667;Alto;Calle Los Pinos 14;comercial;ZN-2;0\n"
    "203;Juan;Condori;;Bajo;Av. Blanco Galindo km 5;social;;\n"
)
BAD = (
    f"{HEADER}\n"
    "201;Rosa;Quispe Mamani;4455667;Alto;Calle Los Pinos 12;residencial;ZN-1;0\n"
    "202;Ana;Mamani;;Alto;Calle 2;piscina;ZN-2;0\n"
    "203;;Condori;;Bajo;Calle 3;social;;\n"
    "201;Eva;Flores;;Bajo;Calle 4;social;;\n"
)


class Terminal(io.StringIO):
    """A person at the keyboard: stdin is a tty and holds their answer."""

    def isatty(self) -> bool:
        return True


def write(tmp_path, text: str, name: str = "registro.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_registry", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def run_failing(*args, **options) -> tuple[CommandError, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_registry", *args, stdout=out, stderr=err, **options)
    return failure.value, out.getvalue(), err.getvalue()


def counts() -> dict[str, int]:
    with scopes_disabled():
        return {
            model.__name__: model.objects.count()
            for model in (Member, Connection, Holding, Meter, Sector, RegistryImport)
        }


def numbers(committee) -> set[str]:
    with scopes_disabled():
        return set(Connection.objects.filter(committee=committee).values_list("number", flat=True))


def summary(output: str) -> list[int]:
    """The counts of the preview, in order: rows, new members, new connections, meters,
    new sectors, rows for members already registered ("Filas: 3" or "Rows: 3" alike)."""
    return [int(n) for n in re.findall(r"^[^:\n]+:\s*(\d+)\s*$", output, re.MULTILINE)]


def lines_with(output: str, *fragments: str) -> list[str]:
    return [line for line in output.splitlines() if all(f in line for f in fragments)]


def test_a_good_file_with_yes_is_imported(tmp_path, committee, board_user):
    out, _ = run(
        write(tmp_path, GOOD), committee=committee.slug, yes=True, user=board_user.username
    )

    assert numbers(committee) == {"201", "202", "203"}
    assert summary(out) == [3, 2, 3, 2, 2, 0]
    assert "3" in out.splitlines()[-1], "the last line says how many were imported"
    with scopes_disabled():
        batch = RegistryImport.objects.get(committee=committee)
        assert (batch.status, batch.uploaded_by) == ("applied", board_user)
        assert Connection.history.get(number="201").history_user == board_user
        assert Meter.objects.get(serial="ZN-1").initial_reading == Decimal("12.500")


def test_a_good_xlsx_is_imported(tmp_path, committee):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Número de conexión", "Nombres", "Apellidos", "Dirección", "Medidor"])
    book.active.append([105, "Rosa", "Quispe", "Calle 1", 7788])
    path = tmp_path / "padron.xlsx"
    book.save(path)

    run(str(path), committee=committee.slug, yes=True)

    assert numbers(committee) == {"105"}


def test_a_dry_run_shows_the_preview_and_imports_nothing(tmp_path, committee):
    before = counts()

    out, err = run(write(tmp_path, GOOD), committee=committee.slug, dry_run=True)

    assert summary(out) == [3, 2, 3, 2, 2, 0]
    assert err == ""
    assert counts() == before


def test_a_bad_file_is_refused_with_every_bad_line_and_nothing_stays(tmp_path, committee):
    add_connection(committee, "101")
    before = counts()

    failure, out, err = run_failing(write(tmp_path, BAD), committee=committee.slug, yes=True)

    assert failure.returncode != 0
    assert "3" in str(failure), "the refusal says how many errors"
    listing = out + err
    for line, column, value in (
        ("3", "categoria", "piscina"),
        ("4", "nombres", ""),
        ("5", "numero_conexion", "201"),
    ):
        found = lines_with(listing, column, value)
        assert any(re.search(rf"\b{line}\b", f) for f in found), (line, column, listing)
    assert not lines_with(listing, "Quispe Mamani"), "the good line 2 is not listed"
    assert counts() == before


def test_a_dry_run_of_a_bad_file_fails_too(tmp_path, committee):
    before = counts()

    _, out, err = run_failing(write(tmp_path, BAD), committee=committee.slug, dry_run=True)

    assert lines_with(out + err, "piscina")
    assert counts() == before


def test_an_unknown_committee_is_refused_by_name(tmp_path, committee):
    failure, _, _ = run_failing(write(tmp_path, GOOD), committee="no-existe", yes=True)

    assert "no-existe" in str(failure)
    assert counts()["Connection"] == 0


def test_the_committee_is_required(tmp_path, committee):
    with pytest.raises(CommandError):
        call_command("import_registry", write(tmp_path, GOOD), yes=True)
    assert counts()["Connection"] == 0


def test_an_unknown_user_is_refused_by_name(tmp_path, committee):
    failure, _, _ = run_failing(
        write(tmp_path, GOOD), committee=committee.slug, yes=True, user="nadie"
    )

    assert "nadie" in str(failure)
    assert counts()["Connection"] == 0


@pytest.mark.parametrize("name", ["registro.xls", "registro.pdf", "registro"])
def test_a_file_that_is_not_xlsx_or_csv_is_refused(tmp_path, committee, name):
    failure, _, _ = run_failing(write(tmp_path, GOOD, name), committee=committee.slug, yes=True)

    assert name in str(failure)
    assert counts()["Connection"] == 0


def test_a_missing_file_is_refused_by_name(tmp_path, committee):
    failure, _, _ = run_failing(str(tmp_path / "falta.csv"), committee=committee.slug, yes=True)

    assert "falta.csv" in str(failure)


def test_another_committees_connections_are_no_conflict(tmp_path, committee, other_committee):
    add_connection(other_committee, "201")

    run(write(tmp_path, GOOD), committee=committee.slug, yes=True)

    assert numbers(committee) == {"201", "202", "203"}
    assert numbers(other_committee) == {"201"}


def test_running_the_same_import_twice_imports_once(tmp_path, committee):
    path = write(tmp_path, GOOD)
    run(path, committee=committee.slug, yes=True)
    after_first = counts()

    _, out, err = run_failing(path, committee=committee.slug, yes=True)

    for line in ("2", "3", "4"):
        assert any(re.search(rf"\b{line}\b", f) for f in lines_with(out + err, "numero_conexion"))
    assert counts() == after_first


def test_without_yes_and_without_a_terminal_nothing_is_imported(tmp_path, committee):
    failure, out, _ = run_failing(
        write(tmp_path, GOOD), committee=committee.slug, stdin=io.StringIO("s\n")
    )

    assert "--yes" in str(failure)
    assert summary(out) == [3, 2, 3, 2, 2, 0], "the preview is still shown"
    assert counts()["Connection"] == 0


@pytest.mark.parametrize("answer", ["s", "S", "sí", "si", "y", "yes"])
def test_answering_yes_at_the_question_imports(tmp_path, committee, answer):
    out, _ = run(write(tmp_path, GOOD), committee=committee.slug, stdin=Terminal(answer + "\n"))

    assert "3" in lines_with(out, "[")[0], "the question says how many connections"
    assert numbers(committee) == {"201", "202", "203"}


@pytest.mark.parametrize("answer", ["", "n", "no", "quizás"])
def test_any_other_answer_imports_nothing(tmp_path, committee, answer):
    before = counts()

    run(write(tmp_path, GOOD), committee=committee.slug, stdin=Terminal(answer + "\n"))

    assert counts() == before
