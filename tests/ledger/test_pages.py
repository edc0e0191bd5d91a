"""The cash desk through its pages, as the cashier uses it: open the till, find the household,
take its payment, print the receipt with its QR code, check it on the public page, close the
till with the count. Bad input is answered on the form and changes nothing; other committees'
records are not found; roles without the cash desk are refused."""

import re
import uuid
from datetime import date

import pytest
from django_scopes import scope, scopes_disabled

from comunagua.ledger.books import selectors as books_selectors
from comunagua.ledger.cash import selectors as cash_selectors
from comunagua.ledger.cash import services as cash_services
from comunagua.ledger.models import CashSession, OpenItem, Payment, PaymentReversal
from comunagua.tenancy.roles import Role
from tests.actors import D, add_connection, charge, make_user, pay, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def cashier_client(client, cashier):
    client.force_login(cashier)
    return client


@pytest.fixture
def in_debt(committee, household):
    """The household owes two bills: 38.00 due in March, 42.50 due in April."""
    charge(committee, household, "38.00", due_on=date(2025, 3, 20))
    charge(committee, household, "42.50", due_on=date(2025, 4, 20))
    return household


def text(response) -> str:
    """The page as the eye reads it: non-breaking spaces as spaces."""
    return response.content.decode().replace("\N{NO-BREAK SPACE}", " ")


def balance(committee, connection):
    with scope(committee=committee):
        return books_selectors.balance_of(committee=committee, connection_id=connection.pk)


def payments(committee) -> int:
    with scopes_disabled():
        return Payment.objects.filter(committee=committee).count()


def payment_form(client, committee, connection) -> dict:
    """What the account page's form would send as rendered: its hidden fields and the amount."""
    html = client.get(url("cash-account", committee, pk=connection.pk)).content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    amount = re.search(r'name="amount" value="([^"]*)"', html)
    return {
        "client_id": fields["client_id"],
        "expected_balance": fields["expected_balance"],
        "amount": amount.group(1) if amount else "",
        "method": "cash",
        "reference": "",
    }


# --- the whole flow -------------------------------------------------------------------------


def test_a_cashier_without_an_open_till_is_offered_to_open_one_and_opens_it(
    cashier_client, committee, cashier
):
    page = text(cashier_client.get(url("cash-home", committee)))
    assert 'id="open-session"' in page
    assert 'id="find"' not in page
    response = cashier_client.post(url("cash-open", committee), {"opening_float": "100,50"})
    assert response.status_code == 302
    with scopes_disabled():
        session = CashSession.objects.get(committee=committee, cashier=cashier)
    assert session.status == "open" and session.opening_float == D("100.50")
    page = text(cashier_client.get(url("cash-home", committee)))
    assert 'id="find"' in page
    assert f'data-session="{session.pk}"' in page
    assert 'data-expected="100.50"' in page


def test_an_opening_amount_that_is_not_a_number_is_refused_in_spanish(
    cashier_client, committee, cashier
):
    response = cashier_client.post(url("cash-open", committee), {"opening_float": "mucho"})
    assert response.status_code == 400
    assert "Introduzca un número." in text(response)
    with scopes_disabled():
        assert not CashSession.objects.filter(committee=committee).exists()


@pytest.mark.parametrize("typed", ["Quispe 7", "rosa quispe", "CI-villa-esperanza-7", "7"])
def test_the_search_box_finds_a_household_by_name_number_or_id_document(
    cashier_client, committee, session, in_debt, typed
):
    page = text(cashier_client.get(url("cash-home", committee), {"q": typed}))
    assert f'data-connection="{in_debt.pk}"' in page
    assert "Rosa Quispe 7" in page
    assert 'data-balance="80.50"' in page  # what the household owes, beside its name
    assert "Bs 80,50" in page


def test_the_live_search_answers_htmx_with_the_matches_only(
    cashier_client, committee, session, in_debt
):
    response = cashier_client.get(
        url("cash-home", committee), {"q": "Quispe"}, HTTP_HX_REQUEST="true"
    )
    page = text(response)
    assert f'data-connection="{in_debt.pk}"' in page
    assert "<html" not in page and 'id="session-summary"' not in page
    nothing = text(
        cashier_client.get(url("cash-home", committee), {"q": "Nadie"}, HTTP_HX_REQUEST="true")
    )
    assert 'id="no-match"' in nothing


def test_the_account_page_lists_the_debts_oldest_first_and_prefills_the_balance(
    cashier_client, committee, session, in_debt
):
    response = cashier_client.get(url("cash-account", committee, pk=in_debt.pk))
    page = text(response)
    assert response.status_code == 200
    assert 'id="balance"' in page and "Bs 80,50" in page
    lefts = re.findall(r'data-left="([^"]+)"', page)
    assert lefts == ["38.00", "42.50"]  # March's bill before April's
    form = payment_form(cashier_client, committee, in_debt)
    assert form["amount"] == "80,50"
    assert form["expected_balance"] == "80.50"
    assert uuid.UUID(form["client_id"])
    # Every rendering is a new payment: a new client id.
    assert payment_form(cashier_client, committee, in_debt)["client_id"] != form["client_id"]


def test_a_partial_payment_lands_on_a_receipt_with_the_balance_after_and_a_qr_code(
    cashier_client, committee, session, in_debt, cashier
):
    form = payment_form(cashier_client, committee, in_debt)
    response = cashier_client.post(
        url("cash-account", committee, pk=in_debt.pk), {**form, "amount": "50"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        payment = Payment.objects.get(committee=committee)
    assert response["Location"] == url("receipt", committee, pk=payment.pk)
    assert payment.amount == D("50.00") and payment.session_id == session.pk
    assert balance(committee, in_debt) == D("30.50")

    page = text(cashier_client.get(response["Location"]))
    assert f'data-number="{payment.number}"' in page
    assert 'data-status="valid"' in page
    assert "Bs 50,00" in page  # the amount in figures
    assert 'data-balance="30.50"' in page and "Bs 30,50" in page  # owed after the payment
    assert "Rosa Quispe 7" in page and "Calle Los Pinos 7" in page
    assert 'data-method="cash"' in page
    assert cashier.get_username() in page
    # What it settled: all of March's bill, part of April's.
    settled = re.findall(
        r'<tr data-document="bill-(\d+)"><td>.*?</td><td class="num">(.*?)</td>', page
    )
    assert [amount for _number, amount in settled] == ["Bs 38,00", "Bs 12,00"]
    # The QR code, inline, and the address it holds.
    assert re.search(r"<svg [^>]*class=\"qr-code\"", page)
    verify = re.search(r'data-verify-url="([^"]+)"', page).group(1)
    assert verify == f"http://testserver/recibo/{payment.public_token}/"
    assert f'href="{verify}"' in page

    summary = text(cashier_client.get(url("cash-home", committee)))
    assert 'data-count="1"' in summary
    assert 'data-expected="100.00"' in summary  # 50 at opening + 50 received


def test_the_public_page_shows_the_amount_and_validity_but_not_who_paid(
    client, committee, session, in_debt, cashier
):
    payment = pay(committee, in_debt, "50.00", session=session, by=cashier)
    response = client.get(f"/recibo/{payment.public_token}/")  # nobody logged in
    page = text(response)
    assert response.status_code == 200
    assert 'data-status="valid"' in page
    assert "Bs 50,00" in page
    assert committee.name in page
    for private in ("Rosa", "Quispe", "Los Pinos", "CI-villa-esperanza", in_debt.number + "<"):
        assert private.lower() not in page.lower()  # ID documents are kept in capitals
    assert response["X-Robots-Tag"].startswith("noindex")


def test_an_unknown_receipt_token_is_not_found(client, committee):
    assert client.get("/recibo/no-existe-este-recibo/").status_code == 404


def test_the_receipt_prints_on_an_80_mm_roll(cashier_client, committee, session, in_debt, cashier):
    payment = pay(committee, in_debt, "50.00", session=session, by=cashier)
    page = text(cashier_client.get(url("receipt", committee, pk=payment.pk), {"format": "thermal"}))
    assert '<body class="thermal">' in page
    assert "Bs 50,00" in page and "qr-code" in page


@pytest.mark.parametrize(("paper", "suffix"), [("", ".pdf"), ("thermal", "-80mm.pdf")])
def test_the_receipt_downloads_as_a_pdf(
    cashier_client, committee, session, in_debt, cashier, paper, suffix
):
    payment = pay(committee, in_debt, "50.00", session=session, by=cashier)
    response = cashier_client.get(url("receipt-pdf", committee, pk=payment.pk), {"format": paper})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"recibo-{payment.number:06d}{suffix}" in response["Content-Disposition"]


def test_a_replayed_payment_is_recorded_once_and_lands_on_the_same_receipt(
    cashier_client, committee, session, in_debt
):
    form = {**payment_form(cashier_client, committee, in_debt), "amount": "50"}
    first = cashier_client.post(url("cash-account", committee, pk=in_debt.pk), form)
    again = cashier_client.post(url("cash-account", committee, pk=in_debt.pk), form)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert payments(committee) == 1
    assert balance(committee, in_debt) == D("30.50")


def test_a_ticked_debt_is_settled_before_the_oldest(cashier_client, committee, session, in_debt):
    with scopes_disabled():
        april = OpenItem.objects.get(connection=in_debt, amount=D("42.50"))
    form = {**payment_form(cashier_client, committee, in_debt), "amount": "42,50"}
    response = cashier_client.post(
        url("cash-account", committee, pk=in_debt.pk), {**form, "chosen": [april.pk]}
    )
    assert response.status_code == 302
    page = text(cashier_client.get(url("cash-account", committee, pk=in_debt.pk)))
    assert re.findall(r'data-left="([^"]+)"', page) == ["38.00"]


def test_a_transfer_with_its_reference_needs_no_open_till(client, committee, in_debt):
    treasurer = make_user(committee, Role.TREASURER, "tesorera")
    client.force_login(treasurer)
    form = payment_form(client, committee, in_debt)
    page = text(client.get(url("cash-account", committee, pk=in_debt.pk)))
    assert 'id="no-till"' in page
    response = client.post(
        url("cash-account", committee, pk=in_debt.pk),
        {**form, "method": "transfer", "reference": "BNB-123456"},
    )
    assert response.status_code == 302
    receipt = text(client.get(response["Location"]))
    assert "BNB-123456" in receipt and 'data-method="transfer"' in receipt


# --- bad input: answered on the form, nothing changes ----------------------------------------


@pytest.mark.parametrize(
    ("typed", "spanish"),
    [
        ("abc", "Introduzca un número."),
        ("-5", "El monto debe ser mayor que cero."),
        ("0", "El monto debe ser mayor que cero."),
        ("", "Este campo es obligatorio."),
        ("99999999999", None),  # absurd: more than any household pays at once
        ("12,345", None),  # a tenth of a centavo
    ],
)
def test_a_bad_amount_is_refused_on_the_form_and_changes_nothing(
    cashier_client, committee, session, in_debt, typed, spanish
):
    form = {**payment_form(cashier_client, committee, in_debt), "amount": typed}
    response = cashier_client.post(url("cash-account", committee, pk=in_debt.pk), form)
    assert response.status_code == 400
    assert "amount" in response.context["form"].errors
    assert 'data-field="amount"' in text(response)
    if spanish:
        assert spanish in text(response)
    assert payments(committee) == 0
    assert balance(committee, in_debt) == D("80.50")


@pytest.mark.parametrize("method", ["transfer", "qr"])
def test_a_transfer_or_qr_payment_without_its_reference_is_refused(
    cashier_client, committee, session, in_debt, method
):
    form = {**payment_form(cashier_client, committee, in_debt), "method": method}
    response = cashier_client.post(url("cash-account", committee, pk=in_debt.pk), form)
    assert response.status_code == 400
    assert "reference" in response.context["form"].errors
    assert 'data-field="reference"' in text(response)
    assert payments(committee) == 0


def test_an_unknown_payment_method_is_refused_in_spanish(
    cashier_client, committee, session, in_debt
):
    form = {**payment_form(cashier_client, committee, in_debt), "method": "cheque"}
    response = cashier_client.post(url("cash-account", committee, pk=in_debt.pk), form)
    assert response.status_code == 400
    assert "Escoja una opción válida" in text(response)
    assert payments(committee) == 0


def test_cash_without_an_open_till_is_refused(client, committee, in_debt):
    treasurer = make_user(committee, Role.TREASURER, "tesorera")
    client.force_login(treasurer)
    form = payment_form(client, committee, in_debt)
    response = client.post(url("cash-account", committee, pk=in_debt.pk), form)
    assert response.status_code == 400
    assert 'id="pay-errors"' in text(response)
    assert payments(committee) == 0


def test_another_committees_connection_is_not_found_and_nothing_is_paid(
    cashier_client, committee, other_committee, session, in_debt
):
    foreign = add_connection(other_committee, "900")
    charge(other_committee, foreign, "20.00")
    form = payment_form(cashier_client, committee, in_debt)
    page_url = url("cash-account", committee, pk=foreign.pk)
    assert cashier_client.get(page_url).status_code == 404
    response = cashier_client.post(page_url, {**form, "amount": "20"})
    assert response.status_code == 404
    assert "No encontrado" in text(response)
    with scopes_disabled():
        assert not Payment.objects.exists()
    assert balance(other_committee, foreign) == D("20.00")


@pytest.mark.parametrize("foreign_kind", ["other_committee", "other_household", "garbage"])
def test_a_debt_that_is_not_this_households_cannot_be_ticked(
    cashier_client, committee, other_committee, session, in_debt, board_user, foreign_kind
):
    if foreign_kind == "garbage":
        item_id = "uno"
    else:
        owner = other_committee if foreign_kind == "other_committee" else committee
        neighbour = add_connection(owner, "901", by=board_user)
        charge(owner, neighbour, "20.00")
        with scopes_disabled():
            item_id = OpenItem.objects.get(connection=neighbour).pk
    form = {**payment_form(cashier_client, committee, in_debt), "chosen": [item_id]}
    response = cashier_client.post(url("cash-account", committee, pk=in_debt.pk), form)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "chosen" in errors or "__all__" in errors
    assert payments(committee) == 0
    assert balance(committee, in_debt) == D("80.50")


def test_a_payment_on_a_page_left_open_while_the_balance_changed_is_refused(
    cashier_client, committee, session, in_debt, cashier
):
    form = payment_form(cashier_client, committee, in_debt)
    pay(committee, in_debt, "38.00", session=session, by=cashier)  # another cashier, meanwhile
    response = cashier_client.post(url("cash-account", committee, pk=in_debt.pk), form)
    assert response.status_code == 400
    page = text(response)
    assert 'id="pay-errors"' in page
    assert 'id="stale"' in page and 'data-shown="80.50"' in page
    assert payments(committee) == 1
    assert balance(committee, in_debt) == D("42.50")


# --- who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.READER, Role.MEMBER, Role.OPERATOR])
@pytest.mark.parametrize("page", ["cash-home", "cash-account", "receipt", "session-list"])
def test_roles_without_the_cash_desk_are_refused(
    client, committee, session, in_debt, cashier, role, page
):
    payment = pay(committee, in_debt, "10.00", session=session, by=cashier)
    client.force_login(make_user(committee, role))
    ids = {"cash-account": in_debt.pk, "receipt": payment.pk}
    kwargs = {"pk": ids[page]} if page in ids else {}
    response = client.post(url(page, committee, **kwargs), {"amount": "10", "method": "cash"})
    assert response.status_code == 403
    assert client.get(url(page, committee, **kwargs)).status_code == 403
    assert payments(committee) == 1


def test_the_menu_shows_the_cash_desk_to_the_cashier_and_not_to_the_reader(
    client, committee, cashier
):
    link = f'href="{url("cash-home", committee)}"'
    client.force_login(cashier)
    assert link in text(client.get(url("committee-home", committee)))
    client.force_login(make_user(committee, Role.READER))
    assert link not in text(client.get(url("committee-home", committee)))


def test_another_committees_receipt_and_session_are_not_found(
    board_client, committee, other_committee
):
    foreign = add_connection(other_committee, "900")
    other_cashier = make_user(other_committee, Role.CASHIER)
    with scope(committee=other_committee):
        till = cash_services.session_open(committee=other_committee, cashier=other_cashier)
    payment = pay(other_committee, foreign, "10.00", session=till, by=other_cashier)
    for name, pk in [
        ("receipt", payment.pk),
        ("receipt-pdf", payment.pk),
        ("receipt-reverse", payment.pk),
        ("session-report", till.pk),
        ("session-close", till.pk),
    ]:
        assert board_client.get(url(name, committee, pk=pk)).status_code == 404, name
        assert board_client.post(url(name, committee, pk=pk), {"reason": "x"}).status_code == 404
    with scopes_disabled():
        assert not PaymentReversal.objects.exists()
        assert CashSession.objects.get(pk=till.pk).status == "open"


# --- reversing a payment --------------------------------------------------------------------


def test_the_board_reverses_a_payment_and_both_receipt_pages_say_so(
    board_client, committee, session, in_debt, cashier, client
):
    payment = pay(committee, in_debt, "50.00", session=session, by=cashier)
    reverse_url = url("receipt-reverse", committee, pk=payment.pk)
    refused = board_client.post(reverse_url, {"reason": ""})
    assert refused.status_code == 400
    assert "Este campo es obligatorio." in text(refused)
    response = board_client.post(reverse_url, {"reason": "Conexión equivocada"})
    assert response.status_code == 302
    assert balance(committee, in_debt) == D("80.50")
    page = text(board_client.get(url("receipt", committee, pk=payment.pk)))
    assert 'data-status="reversed"' in page and 'id="void"' in page
    assert "Conexión equivocada" in page
    assert 'id="reverse-link"' not in page
    public = text(client.get(f"/recibo/{payment.public_token}/"))
    assert 'data-status="reversed"' in public
    assert "Conexión equivocada" not in public  # the reason may name people: not public
    # Asking again changes nothing.
    assert board_client.post(reverse_url, {"reason": "otra vez"}).status_code == 302
    with scopes_disabled():
        assert PaymentReversal.objects.count() == 1


def test_the_cashier_cannot_reverse_a_payment(cashier_client, committee, session, in_debt, cashier):
    payment = pay(committee, in_debt, "50.00", session=session, by=cashier)
    response = cashier_client.post(
        url("receipt-reverse", committee, pk=payment.pk), {"reason": "me equivoqué"}
    )
    assert response.status_code == 403
    page = text(cashier_client.get(url("receipt", committee, pk=payment.pk)))
    assert 'id="reverse-link"' not in page
    with scopes_disabled():
        assert not PaymentReversal.objects.exists()


def test_a_cash_payment_of_a_closed_till_is_reversed_from_the_reversers_open_till(
    board_client, committee, session, in_debt, cashier, board_user
):
    payment = pay(committee, in_debt, "50.00", session=session, by=cashier)
    with scope(committee=committee):
        cash_services.session_close(session=session, counted=D("100.00"), by=cashier)
    reverse_url = url("receipt-reverse", committee, pk=payment.pk)
    assert 'id="needs-till"' in text(board_client.get(reverse_url))
    refused = board_client.post(reverse_url, {"reason": "Pago duplicado"})
    assert refused.status_code == 400
    with scopes_disabled():
        assert not PaymentReversal.objects.exists()
    board_client.post(url("cash-open", committee), {"opening_float": "100"})
    assert board_client.post(reverse_url, {"reason": "Pago duplicado"}).status_code == 302
    with scope(committee=committee):
        till = cash_selectors.open_session(committee=committee, cashier=board_user)
        assert cash_selectors.session_summary(session=till).reversed_cash == D("50.00")


# --- closing the till ------------------------------------------------------------------------


def test_closing_with_a_difference_needs_a_note_and_the_report_shows_it(
    cashier_client, committee, session, in_debt, cashier
):
    pay(committee, in_debt, "50.00", session=session, by=cashier)
    close_url = url("session-close", committee, pk=session.pk)
    page = text(cashier_client.get(close_url))
    assert 'data-expected="100.00"' in page and "Bs 100,00" in page
    refused = cashier_client.post(close_url, {"counted": "95"})
    assert refused.status_code == 400
    assert "note" in refused.context["form"].errors
    with scopes_disabled():
        assert CashSession.objects.get(pk=session.pk).status == "open"
    response = cashier_client.post(close_url, {"counted": "95", "note": "Faltan 5 de cambio"})
    assert response.status_code == 302
    assert response["Location"] == url("session-report", committee, pk=session.pk)
    report = text(cashier_client.get(response["Location"]))
    assert 'data-status="closed"' in report
    assert 'data-expected="100.00"' in report
    assert 'data-counted="95.00"' in report
    assert 'data-difference="-5.00"' in report
    assert 'id="moved">Bs 50,00<' in report  # the receipts' cash, not the difference
    assert "Faltan 5 de cambio" in report
    # The closed till is closed: the desk offers to open a new one.
    assert 'id="open-session"' in text(cashier_client.get(url("cash-home", committee)))
    assert cashier_client.get(close_url).status_code == 302


def test_closing_with_the_exact_count_needs_no_note(cashier_client, committee, session):
    response = cashier_client.post(
        url("session-close", committee, pk=session.pk), {"counted": "50"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        closed = CashSession.objects.get(pk=session.pk)
    assert closed.status == "closed" and closed.difference == 0


def test_a_count_that_is_not_a_number_is_refused_in_spanish(cashier_client, committee, session):
    response = cashier_client.post(url("session-close", committee, pk=session.pk), {"counted": "x"})
    assert response.status_code == 400
    assert "Introduzca un número." in text(response)


def test_a_cashier_cannot_close_another_cashiers_till_but_the_treasurer_can(
    client, committee, session
):
    client.force_login(make_user(committee, Role.CASHIER))
    close_url = url("session-close", committee, pk=session.pk)
    assert client.post(close_url, {"counted": "50"}).status_code == 403
    with scopes_disabled():
        assert CashSession.objects.get(pk=session.pk).status == "open"
    client.force_login(make_user(committee, Role.TREASURER))
    assert client.post(close_url, {"counted": "50"}).status_code == 302
    with scopes_disabled():
        assert CashSession.objects.get(pk=session.pk).status == "closed"


def test_the_sessions_list_shows_expected_counted_and_difference(
    cashier_client, committee, session, in_debt, cashier
):
    pay(committee, in_debt, "20.00", session=session, by=cashier)
    cashier_client.post(
        url("session-close", committee, pk=session.pk), {"counted": "71", "note": "sobra 1"}
    )
    page = text(cashier_client.get(url("session-list", committee)))
    assert f'data-session="{session.pk}"' in page
    assert "Bs 70,00" in page and "Bs 71,00" in page and "Bs 1,00" in page
