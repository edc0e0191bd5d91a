"""The monthly transparency report: a month built by hand through the services, with every figure
worked out on paper; its pages for each role; publishing, the public page and withdrawing it; a
member household's own account. (The demo's months are recomputed from the raw tables in
tests/demo/test_demo_report.py.)"""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from comunagua.ledger.books import services as books_services
from comunagua.ledger.cash import services as cash_services
from comunagua.ledger.models import PublishedReport
from comunagua.ledger.report import selectors as report_selectors
from comunagua.lib.periods import Period
from comunagua.registry.models import Holding, Member
from comunagua.tenancy.roles import Role
from tests.actors import D, add_connection, make_user, pay, url

pytestmark = pytest.mark.django_db

APRIL = Period(2025, 4)


def post_charge(committee, connection, lines, *, on, kind="bill", number):
    """A household's charge dated `on`: lines as ((role, amount), ...)."""
    with scope(committee=committee), transaction.atomic():
        books_services.charges_post(
            committee=committee,
            on=on,
            charges=[
                books_services.Charge(
                    connection_id=connection.pk,
                    document_type=kind,
                    document_number=number,
                    due_on=on.replace(day=20),
                    lines=tuple((role, D(amount)) for role, amount in lines),
                    description=f"{kind} {number}",
                )
            ],
            document_type="test",
            document_number=number,
        )


def by_role(committee) -> dict:
    with scope(committee=committee):
        return books_services.accounts_by_role(committee)


@pytest.fixture
def households(committee, board_user):
    """Three households: A (7), B (8), C (9)."""
    return {
        name: add_connection(committee, number, by=board_user)
        for name, number in (("A", "7"), ("B", "8"), ("C", "9"))
    }


@pytest.fixture
def april(committee, board_user, households, session, cashier):
    """March: the opening balances (bank 5 000, a loan of 4 000), A billed 30 and paying 10.
    April, the month reported:
      charges  A 38 water + 4 sewer; B 25 water and a 5 fine; C 18 water       billed 90.00
      receipts A 45 cash; B 40 QR; B 15 transfer, reversed on the 16th          collected 85.00
      A's credit note of 2 on its April bill; 12 of other income into the till
      expenses electricity 300 (bank), chlorine 45.50 (till)
      the board repays 500 of the loan and puts 100 into the reserves fund
    May: more of everything, which April must not count."""
    a, b, c = households["A"], households["B"], households["C"]
    accounts = by_role(committee)
    with scope(committee=committee):
        books_services.manual_entry_post(
            committee=committee,
            on=date(2025, 3, 1),
            lines=[
                (accounts["bank"], D("5000"), 0),
                (accounts["loans_payable"], 0, D("4000")),
                (accounts["equity"], 0, D("1000")),
            ],
            memo="Saldos de apertura",
            by=board_user,
        )
    post_charge(committee, a, [("water_sales", "30")], on=date(2025, 3, 5), number="M-A")
    pay(committee, a, D("10"), method="transfer", received_on=date(2025, 3, 15))

    post_charge(
        committee, a, [("water_sales", "38"), ("sewer", "4")], on=date(2025, 4, 5), number="A-A"
    )
    post_charge(committee, b, [("water_sales", "25")], on=date(2025, 4, 5), number="A-B")
    post_charge(committee, c, [("water_sales", "18")], on=date(2025, 4, 5), number="A-C")
    post_charge(committee, b, [("fines", "5")], on=date(2025, 4, 20), kind="fine", number="F-B")
    pay(committee, a, D("45"), session=session, by=cashier, received_on=date(2025, 4, 10))
    pay(committee, b, D("40"), method="qr", received_on=date(2025, 4, 12))
    wrong = pay(committee, b, D("15"), method="transfer", received_on=date(2025, 4, 14))
    with scope(committee=committee):
        cash_services.payment_reverse(
            payment=wrong, reason="Transferencia rechazada", by=board_user, on=date(2025, 4, 16)
        )
        books_services.credit_post(
            committee=committee,
            connection_id=a.pk,
            amount=D("2"),
            on=date(2025, 4, 25),
            document_number="NC-1",
            against=("bill", "A-A"),
        )
        books_services.manual_entry_post(
            committee=committee,
            on=date(2025, 4, 18),
            lines=[(accounts["cash"], D("12"), 0), (accounts["other_income"], 0, D("12"))],
            memo="Venta de tubería vieja",
            by=board_user,
        )
        for role, amount, paid_from, day in (
            ("electricity", "300", "bank", 8),
            ("chlorine", "45.50", "cash", 9),
        ):
            books_services.expense_record(
                committee=committee,
                account=accounts[role],
                amount=D(amount),
                on=date(2025, 4, day),
                supplier="Proveedor",
                paid_from=paid_from,
                by=board_user,
            )
        books_services.manual_entry_post(
            committee=committee,
            on=date(2025, 4, 28),
            lines=[(accounts["loans_payable"], D("500"), 0), (accounts["bank"], 0, D("500"))],
            memo="Cuota del préstamo",
            by=board_user,
        )
        books_services.manual_entry_post(
            committee=committee,
            on=date(2025, 4, 30),
            lines=[(accounts["reserves_fund"], D("100"), 0), (accounts["bank"], 0, D("100"))],
            memo="Al fondo de reserva",
            by=board_user,
        )
    # May: none of it belongs to April.
    post_charge(committee, a, [("water_sales", "50")], on=date(2025, 5, 5), number="Y-A")
    pay(committee, c, D("18"), method="qr", received_on=date(2025, 5, 2))
    with scope(committee=committee):
        books_services.expense_record(
            committee=committee,
            account=accounts["repairs"],
            amount=D("20"),
            on=date(2025, 5, 3),
            supplier="Ferretería",
            paid_from="bank",
            by=board_user,
        )
    return households


def report_of(committee, period=APRIL, **kwargs) -> report_selectors.Report:
    with scope(committee=committee):
        return report_selectors.monthly_report(committee, period, **kwargs)


def figures(lines) -> dict:
    return {line.role: line.amount for line in lines}


# --- the figures ------------------------------------------------------------------------------


def test_income_and_expenses_of_the_month_by_account_and_the_result(committee, april):
    report = report_of(committee)
    assert figures(report.income) == {
        "water_sales": D("81.00"),
        "sewer": D("4.00"),
        "fines": D("5.00"),
        "other_income": D("12.00"),
        "credit_notes": D("-2.00"),
    }
    assert [line.code for line in report.income] == sorted(line.code for line in report.income)
    assert figures(report.expenses) == {"electricity": D("300.00"), "chlorine": D("45.50")}
    assert report.income_total == D("100.00")
    assert report.expenses_total == D("345.50")
    assert report.result == D("-245.50")
    assert all(isinstance(v, Decimal) for v in (report.income_total, report.result))


def test_cash_bank_reserves_and_loans_at_the_months_end(committee, april):
    report = report_of(committee)
    assert report.cash == D("11.50")  # 45 received + 12 other income - 45.50 chlorine
    assert report.bank == D("4150.00")  # 5000 + 10 + 40 + 15 - 15 - 300 - 500 - 100
    assert report.reserves_fund == D("100.00")
    assert report.funds == D("4261.50")
    assert report.loans_payable == D("3500.00")


def test_what_households_owe_is_a_total_and_a_count_without_names(committee, april):
    report = report_of(committee)
    # A: 30 - 10 + 42 - 45 - 2 = 15; B: 25 + 5 - 40 (+15 - 15) = -10; C: 18.
    assert report.owed_by_households == D("33.00")
    assert report.households_owing == 2
    assert report.held_for_households == D("10.00")
    assert report.households_in_credit == 1
    assert report.debtors is None


def test_with_names_the_households_that_owe_are_listed_most_first(committee, april):
    report = report_of(committee, with_names=True)
    assert [(d.connection, d.holder, d.amount) for d in report.debtors] == [
        ("9", "Rosa Quispe 9", D("18.00")),
        ("7", "Rosa Quispe 7", D("15.00")),
    ]


def test_the_collection_rate_is_what_was_paid_less_reversals_over_what_was_charged(
    committee, april
):
    report = report_of(committee)
    assert report.billed == D("90.00")
    assert report.payments == D("100.00")
    assert report.reversed == D("15.00")
    assert report.collected == D("85.00")
    assert report.collection_rate == D("94.4")  # 85 / 90 = 94.44 %


def test_a_month_with_nothing_charged_has_no_rate(committee, april):
    report = report_of(committee, Period(2025, 2))
    assert report.billed == 0 and report.collection_rate is None
    assert report.income == () and report.expenses == () and report.result == 0


def test_twelve_months_of_income_and_expenses_end_with_the_month(committee, april):
    history = report_of(committee).history
    assert [m.period for m in history] == [Period(2024, 5) + i for i in range(12)]
    by_month = {m.period: (m.income, m.expenses) for m in history}
    assert by_month[Period(2025, 3)] == (D("30.00"), D("0.00"))
    assert by_month[APRIL] == (D("100.00"), D("345.50"))
    assert all(by_month[p] == (0, 0) for p in by_month if p < Period(2025, 3))
    may = report_of(committee, Period(2025, 5))
    assert may.history[-1].income == D("50.00") and may.history[-1].expenses == D("20.00")
    assert may.history[-2] == history[-1]


def test_the_balances_carry_the_months_before(committee, april):
    march = report_of(committee, Period(2025, 3))
    assert (march.bank, march.cash, march.loans_payable) == (D("5010.00"), 0, D("4000.00"))
    assert (march.owed_by_households, march.households_owing) == (D("20.00"), 1)
    assert march.collection_rate == D("33.3")  # 10 / 30


def test_another_committees_books_do_not_count(committee, other_committee, april):
    elsewhere = add_connection(other_committee, "1")
    post_charge(other_committee, elsewhere, [("water_sales", "999")], on=date(2025, 4, 5),
                number="X-1")  # fmt: skip
    report = report_of(committee)
    assert report.income_total == D("100.00") and report.billed == D("90.00")
    assert report.households_owing == 2


# --- the pages --------------------------------------------------------------------------------


def value(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*data-value="([^"]*)"', html)
    assert match, element_id
    return match.group(1)


def client_as(client, committee, role, username=None):
    client.force_login(make_user(committee, role, username))
    return client


@pytest.fixture
def member_client(client, committee, april):
    """The member household holding connection 7 (A), with its login."""
    user = make_user(committee, Role.MEMBER, "socia")
    with scopes_disabled():
        member = Holding.objects.get(connection=april["A"], ended_on__isnull=True).member
        Member.objects.filter(pk=member.pk).update(user=user)
    client.force_login(user)
    return client


def test_the_months_page_shows_every_figure_of_the_report(board_client, committee, april):
    response = board_client.get(url("report-month", committee, period="2025-04"))
    assert response.status_code == 200
    html = response.content.decode()
    expected = {
        "income-total": "100.00",
        "expenses-total": "345.50",
        "result": "-245.50",
        "cash": "11.50",
        "bank": "4150.00",
        "reserves-fund": "100.00",
        "funds": "4261.50",
        "owed": "33.00",
        "held": "10.00",
        "loans": "3500.00",
        "billed": "90.00",
        "payments": "100.00",
        "reversed": "15.00",
        "collected": "85.00",
        "collection-rate": "94.4",
    }
    assert {key: value(html, key) for key in expected} == expected
    assert 'data-households="2"' in html
    assert 'id="debtors"' not in html and "Quispe" not in html.split('id="report"')[1]
    # The chart: twelve months, two bars each, coloured by attributes (WeasyPrint needs them).
    assert html.count('class="bar income"') == 12 and html.count('class="bar expenses"') == 12
    assert 'fill="#1f6f9f"' in html and 'fill="#c2571a"' in html
    assert html.count("<tr data-period=") == 12


def test_the_board_may_print_it_with_the_names_of_the_households_that_owe(
    board_client, committee, april
):
    html = board_client.get(url("report-month", committee, period="2025-04") + "?names=1")
    html = html.content.decode()
    assert 'id="debtors"' in html and "Rosa Quispe 9" in html and "Rosa Quispe 7" in html
    assert 'pdf/?names=1" id="pdf-link"' in html


def test_a_member_asking_for_names_gets_none(member_client, committee, april):
    html = member_client.get(url("report-month", committee, period="2025-04") + "?names=1")
    assert 'id="debtors"' not in html.content.decode()


def test_the_pdf_is_a_pdf(board_client, committee, april):
    response = board_client.get(url("report-pdf", committee, period="2025-04"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "informe-villa-esperanza-2025-04.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize("asked", ["2026-13", "abc", "2025-00", "99999-01", "2025-04-01"])
def test_a_month_that_is_not_one_is_answered_clearly(board_client, committee, asked):
    response = board_client.get(url("report-month", committee, period=asked))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="bad-month"' in html and asked in html
    assert board_client.get(url("report-pdf", committee, period=asked)).status_code == 400
    chosen = board_client.get(url("report-home", committee), {"period": asked})
    assert chosen.status_code == 400


def test_a_month_written_short_goes_to_its_one_address(board_client, committee):
    response = board_client.get(url("report-month", committee, period="2025-4") + "?names=1")
    assert response.status_code == 302
    assert response["Location"] == url("report-month", committee, period="2025-04") + "?names=1"


def test_a_month_that_has_not_begun_is_refused(board_client, committee):
    later = Period.of(date.today()) + 2
    response = board_client.get(url("report-month", committee, period=str(later)))
    assert response.status_code == 400


def test_the_home_page_offers_the_last_complete_month_and_goes_to_the_one_chosen(
    board_client, committee
):
    last = Period.of(date.today()).previous()
    html = board_client.get(url("report-home", committee)).content.decode()
    assert url("report-month", committee, period=str(last)) in html
    response = board_client.get(url("report-home", committee), {"period": "2025-04"})
    assert response.status_code == 302
    assert response["Location"] == url("report-month", committee, period="2025-04")


def test_the_menu_links_the_report_for_every_role(client, committee):
    for role in Role:
        client.force_login(make_user(committee, role))
        html = client.get(url("report-home", committee)).content.decode()
        assert f'href="{url("report-home", committee)}"' in html, role


def test_a_member_sees_the_report_and_its_own_account_and_nothing_else(
    member_client, committee, april
):
    assert member_client.get(url("report-month", committee, period="2025-04")).status_code == 200
    # Which pages a member may open at all is tests/tenancy/test_role_pages.py's matrix.
    response = member_client.post(
        url("report-publish", committee, period="2025-04"), {"action": "publish"}
    )
    assert response.status_code == 403
    with scopes_disabled():
        assert not PublishedReport.objects.exists()


def test_another_committees_report_is_not_found(client, committee, other_committee, april):
    client_as(client, other_committee, Role.BOARD)
    for name, kwargs in (
        ("report-home", {}),
        ("report-month", {"period": "2025-04"}),
        ("report-pdf", {"period": "2025-04"}),
        ("report-my-account", {}),
    ):
        assert client.get(url(name, committee, **kwargs)).status_code == 404
    response = client.post(
        url("report-publish", committee, period="2025-04"), {"action": "publish"}
    )
    assert response.status_code == 404
    with scopes_disabled():
        assert not PublishedReport.objects.exists()


def test_logged_out_the_report_asks_to_log_in(client, committee):
    response = client.get(url("report-month", committee, period="2025-04"))
    assert response.status_code == 302 and "ingresar" in response["Location"]


# --- publishing -------------------------------------------------------------------------------


def publish(client, committee, period="2025-04", **data):
    return client.post(url("report-publish", committee, period=period), data)


def the_published(committee) -> PublishedReport:
    with scopes_disabled():
        return PublishedReport.objects.get(committee=committee)


def test_the_board_publishes_a_month_and_anyone_reads_it_without_names(
    board_client, client, committee, april, board_user
):
    response = publish(board_client, committee, action="publish")
    assert response.status_code == 302
    record = the_published(committee)
    assert record.period == date(2025, 4, 1) and not record.show_debtor_names
    assert record.published_by == board_user and record.withdrawn_at is None
    public_url = reverse("report-public", kwargs={"token": record.token})
    assert (
        public_url
        in board_client.get(url("report-month", committee, period="2025-04")).content.decode()
    )

    board_client.logout()
    response = client.get(public_url)
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    html = response.content.decode()
    assert value(html, "owed") == "33.00" and value(html, "income-total") == "100.00"
    assert 'data-households="2"' in html
    assert "Quispe" not in html and 'id="debtors"' not in html
    assert 'id="publish"' not in html and "csrfmiddlewaretoken" not in html


def test_published_with_names_the_public_page_and_the_members_name_the_debtors(
    board_client, client, committee, april
):
    publish(board_client, committee, action="publish", show_debtor_names="on")
    record = the_published(committee)
    assert record.show_debtor_names
    html = client.get(reverse("report-public", kwargs={"token": record.token})).content.decode()
    assert 'id="debtors"' in html and "Rosa Quispe 9" in html
    client_as(client, committee, Role.MEMBER)
    html = client.get(url("report-month", committee, period="2025-04")).content.decode()
    assert "Rosa Quispe 9" in html


def test_a_withdrawn_report_is_not_found_and_publishing_again_keeps_its_address(
    board_client, client, committee, april
):
    publish(board_client, committee, action="publish", show_debtor_names="on")
    token = the_published(committee).token
    public_url = reverse("report-public", kwargs={"token": token})
    publish(board_client, committee, action="withdraw")
    assert the_published(committee).withdrawn_at is not None
    assert client.get(public_url).status_code == 404
    publish(board_client, committee, action="publish")
    record = the_published(committee)
    assert record.token == token and record.withdrawn_at is None
    assert not record.show_debtor_names
    html = client.get(public_url).content.decode()
    assert "Quispe" not in html


def test_an_unknown_token_and_an_inactive_committees_report_are_not_found(
    board_client, client, committee, april
):
    assert client.get(reverse("report-public", kwargs={"token": "nope"})).status_code == 404
    publish(board_client, committee, action="publish")
    public_url = reverse("report-public", kwargs={"token": the_published(committee).token})
    type(committee).objects.filter(pk=committee.pk).update(is_active=False)
    assert client.get(public_url).status_code == 404


def test_a_month_not_over_is_not_published(board_client, committee):
    now = str(Period.of(date.today()))
    response = publish(board_client, committee, period=now, action="publish")
    assert response.status_code == 302
    with scopes_disabled():
        assert not PublishedReport.objects.exists()
    page = board_client.get(response["Location"]).content.decode()
    assert "flash-error" in page and 'id="not-over"' in page


def test_only_the_board_publishes(client, committee, april):
    for role in (Role.TREASURER, Role.CASHIER, Role.FEDERATION):
        client_as(client, committee, role)
        assert publish(client, committee, action="publish").status_code == 403
        assert (
            'id="publish"'
            not in client.get(url("report-month", committee, period="2025-04")).content.decode()
        )
    with scopes_disabled():
        assert not PublishedReport.objects.exists()


def test_an_unknown_action_changes_nothing(board_client, committee, april):
    response = publish(board_client, committee, action="delete")
    assert response.status_code == 302
    with scopes_disabled():
        assert not PublishedReport.objects.exists()
    assert board_client.get(url("report-publish", committee, period="2025-04")).status_code == 302


# --- a member household's own account -----------------------------------------------------------


def test_a_member_sees_its_own_account_and_no_one_elses(member_client, committee, april):
    response = member_client.get(url("report-my-account", committee))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="household-{april["A"].pk}"' in html
    assert f'id="household-{april["B"].pk}"' not in html
    assert f'id="household-{april["C"].pk}"' not in html
    # A owes 15 (April) + 50 (May): its balance, and both bills open.
    assert 'data-balance="65.00"' in html
    assert 'data-left="15.00"' in html and 'data-left="50.00"' in html  # 42 - 25 - 2; May
    assert 'data-kind="reversal"' not in html  # B's reversal is B's
    assert html.count('data-kind="payment"') == 2 and html.count('data-kind="charge"') == 3
    # Each charge shows the household's own document, not the entry that posted it.
    assert all(number in html for number in ("M-A", "A-A", "Y-A", "NC-1"))
    assert "A-B" not in html and "F-B" not in html


def test_a_login_without_a_household_is_told_so(board_client, committee, april):
    html = board_client.get(url("report-my-account", committee)).content.decode()
    assert 'id="no-household"' in html and "household-" not in html
