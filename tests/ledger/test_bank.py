"""Bank statements: the CSV as Bolivian banks export it is read, its deposits are matched to
households by what the payer wrote, the matched ones are recorded as payments and the others
wait for a person. A bad file gets a clear message and changes nothing; a statement imported
again, or the next one that overlaps it, pays nothing twice."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from comunagua.ledger.bank import matching as bank_matching
from comunagua.ledger.bank import selectors as bank_selectors
from comunagua.ledger.bank import services as bank_services
from comunagua.ledger.bank import statement as bank_statement
from comunagua.ledger.books import checks
from comunagua.ledger.books import selectors as books_selectors
from comunagua.ledger.models import BankImport, BankLine, Payment
from comunagua.registry import services as registry
from comunagua.tenancy.roles import Role
from tests.actors import D, add_connection, charge, make_user, url
from tests.concurrency import at_once

DATA = Path(__file__).parent / "data"
MARCH = "bnb-marzo-2025.csv"  # ; and 1.234,50, Latin-1, the bank's own lines above the header
MARCH_APRIL = "bnb-marzo-abril-2025.csv"  # the next statement, overlapping March's last days
APRIL = "union-abril-2025.csv"  # , and 1,234.50, UTF-8 with BOM, ISO dates, negative debits


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def parse(name_or_bytes) -> bank_statement.Parsed:
    content = read(name_or_bytes) if isinstance(name_or_bytes, str) else name_or_bytes
    return bank_statement.parse(content, today=date(2025, 12, 31))


# --- reading the file ----------------------------------------------------------------------


def test_a_semicolon_statement_in_latin1_with_comma_decimals_is_read():
    parsed = parse(MARCH)
    assert parsed.errors == []
    assert parsed.header_line == 5  # below the bank's name, account and period
    first = parsed.lines[0]
    assert (first.line, first.date, first.amount) == (7, date(2025, 3, 3), D("45.50"))
    assert first.reference == "100201"
    assert first.description == "DEPÓSITO AGUA CONEX 123"  # the accent survives Latin-1
    assert parsed.lines[1].amount == D("1234.50")  # "1.234,50"
    assert [line.line for line in parsed.lines] == [7, 8, 10, 11, 12, 13, 14]


def test_a_comma_statement_with_point_decimals_and_a_bom_is_read():
    parsed = parse(APRIL)
    assert parsed.errors == []
    assert [(line.line, line.date, line.amount) for line in parsed.lines] == [
        (2, date(2025, 4, 2), D("1250.00")),  # "1,250.00", quoted
        (3, date(2025, 4, 3), D("35.00")),
        (5, date(2025, 4, 5), D("25.50")),
    ]
    assert parsed.lines[0].reference == "TRX-0001"
    assert parsed.lines[2].description == "Pago conexión 46 señora Flores"


def test_debits_and_negative_amounts_are_left_out_and_counted():
    assert parse(MARCH).debits == 1  # the bank's fee, in the Débito column
    assert parse(APRIL).debits == 1  # the cash machine, as -200.00


def test_the_banks_balance_and_totals_lines_are_not_movements():
    descriptions = [line.description for line in parse(MARCH).lines]
    assert not any("SALDO" in d or "TOTAL" in d for d in descriptions)


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("1.234,50", "1234.50"),
        ("1234.50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("45,5", "45.50"),
        ("Bs 150,00", "150.00"),
        ("Bs. 1.000,00", "1000.00"),
    ],
)
def test_amounts_are_read_as_bolivian_banks_write_them(written, amount):
    parsed = parse(f'Fecha;Glosa;Monto\n15/03/2025;PAGO;"{written}"\n'.encode())
    assert parsed.errors == []
    assert parsed.lines[0].amount == D(amount)


@pytest.mark.parametrize("written", ["-50,00", "(50,00)", "50,00-", "0,00"])
def test_negative_and_zero_amounts_are_not_deposits(written):
    parsed = parse(f"Fecha;Glosa;Monto\n15/03/2025;RETIRO;{written}\n".encode())
    assert (parsed.lines, parsed.debits) == ([], 1)


@pytest.mark.parametrize("written", ["15/03/2025", "2025-03-15", "15-03-2025", "15/03/25"])
def test_dates_are_read_in_either_order(written):
    parsed = parse(f"Fecha,Concepto,Importe\n{written} 10:32,PAGO,10.00\n".encode())
    assert parsed.lines[0].date == date(2025, 3, 15)


def test_a_tab_separated_statement_in_utf16_is_read():
    content = "Fecha\tDescripción\tAbono\n15/03/2025\tPAGO CONEX 7\t10,00\n".encode("utf-16")
    assert parse(content).lines[0].description == "PAGO CONEX 7"


def test_a_bad_date_on_line_7_is_named_with_its_line_and_every_bad_row_is_listed():
    parsed = parse("fecha-mala.csv")
    assert [(e.line, e.column) for e in parsed.errors] == [(7, "Fecha"), (9, "Importe")]
    assert "31/02/2025" in parsed.errors[0].message
    assert "fecha incorrecta" in parsed.errors[0].message  # in the user's language
    assert "diez" in parsed.errors[1].message


def test_a_deposit_with_a_bad_date_is_an_error_even_when_it_mentions_a_balance():
    parsed = parse(b"Fecha;Glosa;Monto\n31/02/2025;PAGO SALDO CONEX 7;50,00\nTOTAL;;50,00\n")
    assert [e.line for e in parsed.errors] == [2]


def test_a_quote_never_closed_is_named_rather_than_swallowing_the_lines_after_it():
    parsed = parse(
        b'Fecha;Glosa;Monto\n15/03/2025;PAGO;10,00\n16/03/2025;"PAGO CONEX 7;10,00\n'
        b"17/03/2025;PAGO;20,00\n"
    )
    assert [e.line for e in parsed.errors] == [3]


def test_a_deposit_dated_in_the_future_is_an_error():
    parsed = bank_statement.parse(
        b"Fecha;Glosa;Monto\n15/03/2026;PAGO;10,00\n", today=date(2025, 3, 1)
    )
    assert [e.line for e in parsed.errors] == [2]


def test_more_than_two_decimals_is_an_error_not_a_rounding():
    parsed = parse(b"Fecha;Glosa;Monto\n15/03/2025;PAGO;10.005\n")
    assert [(e.line, e.column) for e in parsed.errors] == [(2, "Monto")]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "vac"),  # "El archivo está vacío."
        (b"   \r\n  \n", "vac"),
        (b"PK\x03\x04\x14\x00\x06\x00 xl/workbook.xml", "Excel"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (bytes(range(256)) * 4, "CSV"),
        (read("padron.csv"), "Fecha"),
        (b"hola, esto es una carta\nno un extracto\n", "Fecha"),
    ],
)
def test_a_file_that_is_not_a_statement_gets_one_clear_message(content, words):
    parsed = parse(content)
    assert parsed.lines == []
    assert len(parsed.errors) == 1
    assert words in parsed.errors[0].message


def test_a_statement_without_an_amount_column_says_so():
    (error,) = parse("sin-monto.csv").errors
    assert error.line == 1
    assert "Monto" in error.message


def test_a_statement_with_only_debits_has_nothing_to_import():
    parsed = parse(b"Fecha;Glosa;Debito;Credito\n15/03/2025;COMISION;10,00;\n")
    assert (len(parsed.errors), parsed.lines, parsed.debits) == (1, [], 1)


def test_two_identical_deposits_in_one_file_are_two_deposits():
    twins = parse(MARCH).lines[-2:]
    assert twins[0].description == twins[1].description
    assert twins[0].fingerprint != twins[1].fingerprint


def test_the_same_deposit_in_the_next_statement_has_the_same_fingerprint():
    march = {line.fingerprint for line in parse(MARCH).lines}
    overlap = [line for line in parse(MARCH_APRIL).lines if line.fingerprint in march]
    assert [line.line for line in overlap] == [7, 8, 9]  # March's lines 12, 13 and 14


# --- matching ------------------------------------------------------------------------------


@pytest.fixture
def households(committee, board_user):
    """123 held by Juan Pérez (CI 4567890 LP, member S-015); 7 by Rosa; 45 and 46 both held by
    Carmen Flores (CI 7654321); 15 exists to tempt dates and amounts."""
    with scope(committee=committee):
        juan = registry.member_create(
            committee=committee,
            by=board_user,
            first_names="Juan",
            last_names="Pérez",
            id_document="4567890 LP",
            code="S-015",
        )
        carmen = registry.member_create(
            committee=committee,
            by=board_user,
            first_names="Carmen",
            last_names="Flores",
            id_document="7654321",
        )
    return {
        "123": add_connection(committee, "123", by=board_user, holder=juan),
        "7": add_connection(committee, "7", by=board_user),
        "45": add_connection(committee, "45", by=board_user, holder=carmen),
        "46": add_connection(committee, "46", by=board_user, holder=carmen),
        "15": add_connection(committee, "15", by=board_user),
    }


def numbers_named(committee, text) -> set[str]:
    with scope(committee=committee):
        found = bank_matching.match_text(bank_selectors.directory(committee), text)
        with scopes_disabled():
            from comunagua.registry.models import Connection

            return set(Connection.objects.filter(pk__in=found).values_list("number", flat=True))


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("AGUA CONEX 123", {"123"}),
        ("PAGO 123 JUAN PEREZ", {"123"}),
        ("CONEX-123", {"123"}),
        ("CI 4567890", {"123"}),
        ("CI 4567890 LP", {"123"}),
        ("4567890LP", {"123"}),
        ("PAGO AGUA SOCIO S-015", {"123"}),
        ("pago conexión 7", {"7"}),
        ("CI 7654321", {"45", "46"}),  # one holder, two households: ambiguous
        ("PAGO 7 Y 123", {"7", "123"}),  # two households named: ambiguous
        ("DEPOSITO EN EFECTIVO", set()),
        ("CONEX1234", set()),  # not a whole word
        ("DEP 15/03/2025", set()),  # a date, not connection 15
        ("PAGO Bs 15", set()),  # an amount, not connection 15
        ("CI 456789", set()),  # part of a CI is not the CI
    ],
)
def test_a_deposit_names_the_households_whose_number_code_or_ci_is_a_whole_word(
    committee, households, text, numbers
):
    assert numbers_named(committee, text) == numbers


def test_another_committees_households_are_never_named(committee, other_committee, households):
    add_connection(other_committee, "999")
    assert numbers_named(committee, "PAGO CONEX 999") == set()


# --- preview and import --------------------------------------------------------------------


def counts(committee) -> tuple[int, int, int]:
    with scopes_disabled():
        return (
            BankImport.objects.filter(committee=committee).count(),
            BankLine.objects.filter(committee=committee).count(),
            Payment.objects.filter(committee=committee).count(),
        )


def preview(committee, name, content=None):
    with scope(committee=committee):
        return bank_selectors.statement_preview(
            committee=committee,
            content=read(name) if content is None else content,
            filename=name,
        )


def import_(committee, name, by=None, content=None, **kwargs):
    with scope(committee=committee):
        return bank_services.statement_import(
            committee=committee,
            content=read(name) if content is None else content,
            filename=name,
            by=by,
            **kwargs,
        )


def test_the_preview_proposes_a_household_for_each_deposit_and_writes_nothing(
    committee, households
):
    shown = preview(committee, MARCH)
    assert shown.errors == []
    assert [(p.line.line, p.connection.number) for p in shown.matched] == [
        (7, "123"),
        (8, "7"),
        (10, "123"),
        (13, "7"),
        (14, "7"),
    ]
    assert [p.line.line for p in shown.unmatched] == [11, 12]
    assert sorted(c.number for c in shown.unmatched[1].candidate_connections) == ["45", "46"]
    assert shown.matched_total == D("1400.00")
    assert shown.debits == 1
    assert counts(committee) == (0, 0, 0)


def test_importing_records_the_matched_deposits_as_payments_and_the_books_balance(
    committee, households, board_user
):
    charge(committee, households["123"], "40.00", due_on=date(2025, 2, 20))
    statement = import_(committee, MARCH, by=board_user)
    assert counts(committee) == (1, 7, 5)
    with scope(committee=committee):
        payments = Payment.objects.filter(committee=committee).order_by("number")
        assert {p.method for p in payments} == {"transfer"}
        first = payments.get(reference="100201")
        assert (first.connection, first.amount) == (households["123"], D("45.50"))
        assert first.received_on == date(2025, 3, 3)
        assert first.client_id.startswith("bank-")
        assert first.bank_line.statement == statement
        # 45.50 + 60.00 paid against a debt of 40.00: 65.50 in the household's favour.
        assert books_selectors.balance_of(
            committee=committee, connection_id=households["123"].pk
        ) == D("-65.50")
        lines = BankLine.objects.filter(committee=committee, statement=statement)
        assert sorted(lines.filter(status="unmatched").values_list("line_number", flat=True)) == [
            11,
            12,
        ]
        assert not lines.filter(status="unmatched", payment__isnull=False).exists()
        assert checks.verify(committee) == []


def test_importing_the_same_file_again_pays_nothing_twice(committee, households, board_user):
    import_(committee, MARCH, by=board_user)
    before = counts(committee)
    shown = preview(committee, MARCH)
    assert len(shown.duplicates) == 7 and not shown.ok
    with pytest.raises(bank_statement.StatementRejected) as rejected:
        import_(committee, MARCH, by=board_user)
    assert len(rejected.value.errors) == 1
    assert counts(committee) == before


def test_the_next_statement_overlapping_this_one_pays_only_its_new_deposits(
    committee, households, board_user
):
    import_(committee, MARCH, by=board_user)
    shown = preview(committee, MARCH_APRIL)
    assert [p.line.line for p in shown.duplicates] == [7, 8, 9]
    assert [p.line.line for p in shown.new] == [10, 11]
    import_(committee, MARCH_APRIL, by=board_user)
    assert counts(committee) == (2, 9, 7)
    with scope(committee=committee):
        assert checks.verify(committee) == []


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"PK\x03\x04\x14\x00\x06\x00 xl/workbook.xml",
        read("padron.csv"),
        read("sin-monto.csv"),
        read("fecha-mala.csv"),
    ],
    ids=["empty", "not-csv", "not-a-statement", "no-amount-column", "bad-date-on-line-7"],
)
def test_a_bad_file_changes_nothing(committee, households, board_user, content):
    with pytest.raises(bank_statement.StatementRejected) as rejected:
        import_(committee, "x.csv", by=board_user, content=content)
    assert rejected.value.errors
    assert counts(committee) == (0, 0, 0)


def test_an_import_that_would_differ_from_its_preview_asks_again(committee, households, board_user):
    shown = preview(committee, MARCH)
    add_connection(committee, "100205")  # now line 11's reference names a household
    with pytest.raises(bank_statement.StatementRejected):
        import_(committee, MARCH, by=board_user, expected=shown.digest)
    assert counts(committee) == (0, 0, 0)
    import_(committee, MARCH, by=board_user, expected=preview(committee, MARCH).digest)
    assert counts(committee)[2] == 6


# --- resolving lines -----------------------------------------------------------------------


@pytest.fixture
def imported(committee, households, board_user):
    statement = import_(committee, MARCH, by=board_user)
    with scopes_disabled():
        lines = {line.line_number: line for line in statement.lines.all()}
    return lines


def resolve(committee, line, connection, by):
    with scope(committee=committee):
        return bank_services.line_resolve(line=line, connection=connection, by=by)


def test_resolving_a_line_records_its_payment_once_even_when_sent_twice(
    committee, households, imported, board_user
):
    line = imported[12]  # CI 7654321: Carmen's, connection 45 or 46
    first = resolve(committee, line, households["46"], board_user)
    again = resolve(committee, line, households["46"], board_user)
    assert first.payment == again.payment
    assert (first.status, first.payment.connection, first.payment.amount) == (
        "matched",
        households["46"],
        D("90.00"),
    )
    assert first.resolved_by == board_user
    assert counts(committee)[2] == 6
    with scope(committee=committee):
        assert checks.verify(committee) == []


def test_a_line_paid_to_one_household_is_not_paid_again_to_another(
    committee, households, imported, board_user
):
    resolve(committee, imported[12], households["46"], board_user)
    with pytest.raises(ValidationError):
        resolve(committee, imported[12], households["45"], board_user)
    with pytest.raises(ValidationError):
        resolve(committee, imported[7], households["7"], board_user)  # matched at import
    assert counts(committee)[2] == 6


def test_another_committees_household_cannot_be_chosen(
    committee, other_committee, imported, board_user
):
    foreign = add_connection(other_committee, "123")
    with pytest.raises(ValidationError):
        resolve(committee, imported[11], foreign, board_user)
    assert counts(committee)[2] == 5
    with scopes_disabled():
        assert not Payment.objects.filter(committee=other_committee).exists()


def test_a_line_that_is_no_households_payment_is_ignored_with_its_reason(
    committee, households, imported, board_user
):
    with scope(committee=committee):
        with pytest.raises(ValidationError):
            bank_services.line_ignore(line=imported[11], by=board_user, note="  ")
        line = bank_services.line_ignore(
            line=imported[11], by=board_user, note="Donación de la alcaldía"
        )
        assert (line.status, line.note) == ("ignored", "Donación de la alcaldía")
        with pytest.raises(ValidationError):
            bank_services.line_ignore(
                line=imported[7], by=board_user, note="no"
            )  # already a receipt
    # Ignored by mistake: it may still be recorded.
    assert resolve(committee, imported[11], households["7"], board_user).status == "matched"


# --- pages ---------------------------------------------------------------------------------


def upload(client, committee, name, content=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(name, content if content is not None else read(name))
    return client.post(url("bank-home", committee), {"file": file})


def token_of(response) -> str:
    return re.search(r'name="statement" value="([^"]+)"', response.content.decode()).group(1)


def test_upload_preview_confirm_then_resolve_through_the_pages(board_client, committee, households):
    assert board_client.get(url("bank-home", committee)).status_code == 200
    shown = upload(board_client, committee, MARCH)
    assert shown.status_code == 200
    page = shown.content.decode()
    assert 'id="count-matched" data-count="5"' in page
    assert 'id="count-unmatched" data-count="2"' in page
    assert counts(committee) == (0, 0, 0)

    done = board_client.post(url("bank-confirm", committee), {"statement": token_of(shown)})
    with scopes_disabled():
        statement = BankImport.objects.get(committee=committee)
        line = statement.lines.get(line_number=12)
    assert done.status_code == 302
    assert done["Location"] == url("bank-statement", committee, pk=statement.pk)
    assert counts(committee) == (1, 7, 5)
    page = board_client.get(done["Location"]).content.decode()
    assert url("bank-line", committee, pk=line.pk) in page

    # The line page suggests the two households; the search box finds others too.
    page = board_client.get(url("bank-line", committee, pk=line.pk)).content.decode()
    assert 'id="candidates"' in page
    found = board_client.get(
        url("bank-line", committee, pk=line.pk), {"q": "46"}, HTTP_HX_REQUEST="true"
    )
    assert f'data-connection="{households["46"].pk}"' in found.content.decode()

    paid = board_client.post(
        url("bank-line", committee, pk=line.pk), {"connection": households["46"].pk}
    )
    assert paid.status_code == 302
    board_client.post(url("bank-line", committee, pk=line.pk), {"connection": households["46"].pk})
    assert counts(committee) == (1, 7, 6)

    with scopes_disabled():
        eleven = BankLine.objects.get(statement=statement, line_number=11)
    refused = board_client.post(url("bank-line-ignore", committee, pk=eleven.pk), {"note": ""})
    assert refused.status_code == 400
    board_client.post(url("bank-line-ignore", committee, pk=eleven.pk), {"note": "Donación"})
    with scopes_disabled():
        eleven.refresh_from_db()
    assert eleven.status == "ignored"

    # Confirming the same preview again (a double click, the back button) pays nothing twice.
    again = board_client.post(url("bank-confirm", committee), {"statement": token_of(shown)})
    assert again.status_code == 409
    assert counts(committee) == (1, 7, 6)


def test_a_bad_file_shows_every_error_and_no_way_to_import(board_client, committee):
    shown = upload(board_client, committee, "fecha-mala.csv")
    assert shown.status_code == 400
    page = shown.content.decode()
    assert 'data-line="7"' in page and "31/02/2025" in page
    assert 'data-line="9"' in page
    assert 'name="statement"' not in page
    assert counts(committee) == (0, 0, 0)


def test_an_empty_upload_is_refused_on_the_form(board_client, committee):
    response = upload(board_client, committee, "vacio.csv", b"")
    assert response.status_code == 400
    assert counts(committee) == (0, 0, 0)


@pytest.mark.parametrize("token", ["", "x", "eyJmIjoieCJ9:abc:def"])
def test_a_tampered_confirmation_imports_nothing(board_client, committee, households, token):
    response = board_client.post(url("bank-confirm", committee), {"statement": token})
    assert response.status_code == 302
    assert counts(committee) == (0, 0, 0)


def test_a_confirmation_made_for_another_committee_is_refused(
    board_client, committee, other_committee, households
):
    board = make_user(other_committee, Role.BOARD)
    from django.test import Client

    other = Client()
    other.force_login(board)
    shown = upload(other, other_committee, MARCH)
    board_client.post(url("bank-confirm", committee), {"statement": token_of(shown)})
    assert counts(committee) == (0, 0, 0)


def test_another_committees_household_is_not_found_when_resolving(
    board_client, committee, other_committee, imported
):
    foreign = add_connection(other_committee, "500")
    response = board_client.post(
        url("bank-line", committee, pk=imported[11].pk), {"connection": foreign.pk}
    )
    assert response.status_code == 404
    assert counts(committee)[2] == 5


def test_a_cashier_cannot_open_the_bank_pages_nor_see_the_link(client, committee):
    client.force_login(make_user(committee, Role.CASHIER))
    assert client.get(url("bank-home", committee)).status_code == 403
    assert "bank-link" not in client.get(url("cash-home", committee)).content.decode()


def test_the_cash_desk_links_the_board_to_the_bank_statement(board_client, committee):
    page = board_client.get(url("cash-home", committee)).content.decode()
    assert url("bank-home", committee) in page
    assert 'id="bank-link"' in page  # "Extracto bancario" once the translation is in


# --- at the same moment (PostgreSQL) -------------------------------------------------------


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_same_statement_imported_twice_at_once_pays_once(committee, households, board_user):
    results = at_once(*[lambda: import_(committee, MARCH, by=board_user)] * 2)
    assert sorted(type(r).__name__ for r in results) == ["BankImport", "StatementRejected"]
    assert counts(committee) == (1, 7, 5)
    with scope(committee=committee):
        assert checks.verify(committee) == []
