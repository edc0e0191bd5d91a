"""The billing pages: the office runs a period's billing from the page and prints the bills; bad
input changes nothing; roles and committees keep each one to its own bills."""

import re

import pytest
from django_scopes import scope, scopes_disabled

from comunagua.billing.models import Bill, BillingRun
from comunagua.metering.models import Route, RouteStop
from comunagua.tenancy.roles import Role
from comunagua.web.formats import format_money
from tests.actors import (
    add_connection,
    close_round,
    make_tariff,
    make_user,
    month_read,
    open_round,
    read,
    run,
    url,
)

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int]:
    with scopes_disabled():
        return BillingRun.objects.count(), Bill.objects.count()


def bills_by_connection(committee) -> dict[str, Bill]:
    with scope(committee=committee):
        return {b.connection.number: b for b in Bill.objects.select_related("connection")}


def client_as(client, committee, role, username):
    client.force_login(make_user(committee, role, username))
    return client


@pytest.fixture
def billed(committee, board_user, tariff, three):
    return run(committee, by=board_user)


def test_the_board_runs_billing_from_the_page_and_sees_the_bills(
    board_client, committee, tariff, three
):
    answer = board_client.post(
        url("billing-run", committee), {"period": "2025-03", "due_days": "10"}, follow=True
    )
    assert answer.status_code == 200
    assert counts() == (1, 3)
    with scope(committee=committee):
        billing_run = BillingRun.objects.get()
    assert (billing_run.due_on - billing_run.issued_on).days == 10
    html = answer.content.decode()
    assert answer.redirect_chain[-1][0] == url("run-detail", committee, pk=billing_run.pk)
    for bill in bills_by_connection(committee).values():
        assert url("bill-detail", committee, pk=bill.pk) in html
    assert format_money("192.80") in html  # the run's total


def test_running_a_billed_period_again_issues_nothing(board_client, committee, billed):
    answer = board_client.post(
        url("billing-run", committee), {"period": "2025-03", "due_days": "15"}
    )
    assert answer.status_code == 302
    assert counts() == (1, 3)


@pytest.mark.parametrize("period", ["2025-13", "abc", "", "2025-3-1"])
def test_a_bad_period_shows_an_error_and_creates_nothing(
    board_client, committee, tariff, three, period
):
    answer = board_client.post(url("billing-run", committee), {"period": period, "due_days": "15"})
    assert answer.status_code == 400
    assert 'class="error"' in answer.content.decode()
    assert counts() == (0, 0)


def test_an_unclosed_round_shows_the_service_error_and_creates_nothing(
    board_client, committee, board_user, tariff, connection
):
    reading_round = open_round(committee, 2025, 3, board_user)
    read(reading_round, connection, "7", board_user)
    answer = board_client.post(
        url("billing-run", committee), {"period": "2025-03", "due_days": "15"}
    )
    assert answer.status_code == 400
    assert re.search(r'class="error" role="alert">\s*<p>.*2025-03', answer.content.decode())
    assert counts() == (0, 0)


def test_a_cashier_can_view_the_bills_but_not_run_billing(client, committee, tariff, three, billed):
    cashier = client_as(client, committee, Role.CASHIER, "cajera")
    assert cashier.get(url("billing-home", committee)).status_code == 200
    assert cashier.get(url("run-detail", committee, pk=billed.pk)).status_code == 200
    bill = bills_by_connection(committee)["2"]
    assert cashier.get(url("bill-detail", committee, pk=bill.pk)).status_code == 200
    home = cashier.get(url("billing-home", committee)).content.decode()
    assert url("billing-run", committee) not in home
    answer = cashier.post(url("billing-run", committee), {"period": "2025-04", "due_days": "15"})
    assert answer.status_code == 403


def test_a_member_household_gets_403_on_every_billing_page(client, committee, billed):
    member = client_as(client, committee, Role.MEMBER, "socia")
    bill = bills_by_connection(committee)["1"]
    for address in (
        url("billing-home", committee),
        url("run-detail", committee, pk=billed.pk),
        url("run-print", committee, pk=billed.pk),
        url("bill-detail", committee, pk=bill.pk),
        url("statement", committee, pk=bill.connection_id),
    ):
        assert member.get(address).status_code == 403, address
    answer = member.post(url("billing-run", committee), {"period": "2025-04", "due_days": "15"})
    assert answer.status_code == 403


def test_another_committees_run_bill_and_connection_are_not_found(
    client, committee, other_committee, billed
):
    other_board = client_as(client, other_committee, Role.BOARD, "otra-directiva")
    bill = bills_by_connection(committee)["1"]
    for name, pk in (
        ("run-detail", billed.pk),
        ("run-print", billed.pk),
        ("bill-detail", bill.pk),
        ("statement", bill.connection_id),
    ):
        assert other_board.get(url(name, other_committee, pk=pk)).status_code == 404, name


def test_the_bill_shows_its_number_consumption_lines_and_total_due_to_the_centavo(
    board_client, committee, billed
):
    bill = bills_by_connection(committee)["2"]
    answer = board_client.get(url("bill-detail", committee, pk=bill.pk))
    assert answer.status_code == 200
    html = answer.content.decode()
    assert committee.name in html
    assert f'<dd class="bill-number">{bill.number}</dd>' in html
    assert "12,5 m³" in html
    assert "Calle Los Pinos 2" in html and "M-villa-esperanza-2" in html
    for amount in ("18.00", "20.00", "7.50", "6.83", "-0.03"):
        assert format_money(amount) in html, amount
    assert format_money("52.30") == "Bs 52,30"
    assert '<td class="num total-due">Bs 52,30</td>' in html
    assert "20/04/2025" in html  # the due date
    assert "<svg" in html and "<rect" in html
    assert "@page { size: A4" in html


def test_an_estimated_consumption_is_marked_on_the_bill(board_client, committee, board_user):
    make_tariff(committee, board_user)
    house = add_connection(committee, "7", by=board_user)
    month_read(committee, 2025, 2, {house: "10"}, board_user)
    # March's round is closed without reading the house: the round estimates it.
    close_round(open_round(committee, 2025, 3, board_user), board_user)
    run(committee, by=board_user)
    bill = bills_by_connection(committee)["7"]
    assert bill.estimated
    html = board_client.get(url("bill-detail", committee, pk=bill.pk)).content.decode()
    assert '<span class="estimated">' in html


def test_the_thermal_format_renders_an_80_mm_page(board_client, committee, billed):
    bill = bills_by_connection(committee)["10"]
    answer = board_client.get(url("bill-detail", committee, pk=bill.pk), {"format": "thermal"})
    assert answer.status_code == 200
    html = answer.content.decode()
    assert '<body class="thermal">' in html and "size: 80mm auto" in html
    assert "Bs 122,50" in html


def test_a_routes_batch_prints_its_bills_in_walking_order(board_client, committee, billed):
    bills = bills_by_connection(committee)
    with scope(committee=committee):
        route = Route.objects.create(committee=committee, name="Ruta Norte")
        for position, number in enumerate(["10", "1"], start=1):
            RouteStop.objects.create(
                committee=committee,
                route=route,
                connection=bills[number].connection,
                position=position,
            )
    html = board_client.get(
        url("run-print", committee, pk=billed.pk), {"route": route.pk}
    ).content.decode()
    numbers = re.findall(r'<dd class="bill-number">(\d+)</dd>', html)
    assert numbers == [str(bills["10"].number), str(bills["1"].number)]
    every = board_client.get(url("run-print", committee, pk=billed.pk)).content.decode()
    assert len(re.findall(r'class="bill-number"', every)) == 3


def test_another_committees_route_is_not_found(board_client, committee, other_committee, billed):
    with scope(committee=other_committee):
        route = Route.objects.create(committee=other_committee, name="Ruta ajena")
    answer = board_client.get(url("run-print", committee, pk=billed.pk), {"route": route.pk})
    assert answer.status_code == 404


def test_the_statement_lists_the_bills_with_a_running_balance(board_client, committee, billed):
    bill = bills_by_connection(committee)["2"]
    html = board_client.get(url("statement", committee, pk=bill.connection_id)).content.decode()
    assert url("bill-detail", committee, pk=bill.pk) in html
    assert html.count("Bs 52,30") >= 2
