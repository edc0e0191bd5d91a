"""`comunagua bill`, run as Django runs it (call_command): it issues a period's bills once, says
how many and for how much, and refuses bad input with a message and a non-zero exit."""

import io

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from comunagua.billing.models import Bill, BillingRun
from tests.actors import command_refused

pytestmark = pytest.mark.django_db


def bill(*args) -> str:
    out = io.StringIO()
    call_command("bill", *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int]:
    with scopes_disabled():
        return BillingRun.objects.count(), Bill.objects.count()


def test_the_command_issues_the_bills_and_says_how_many_and_the_total(
    committee, board_user, tariff, three
):
    out = bill("--committee", committee.slug, "--period", "2025-03", "--user", "directiva")
    assert "3" in out and "Bs 192,80" in out
    assert counts() == (1, 3)
    with scopes_disabled():
        billing_run = BillingRun.objects.get()
    assert billing_run.created_by == board_user
    assert (billing_run.due_on - billing_run.issued_on).days == 15


def test_a_second_call_for_the_same_period_issues_nothing(committee, tariff, three):
    bill("--committee", committee.slug, "--period", "2025-03", "--due-days", "20")
    out = bill("--committee", committee.slug, "--period", "2025-03")
    assert counts() == (1, 3)
    assert "2025-03" in out and "Bs 192,80" in out


def test_an_unknown_committee_is_refused(db):
    assert "no-existe" in command_refused("bill", "--committee", "no-existe", "--period", "2025-03")


@pytest.mark.parametrize("period", ["2025-13", "abc"])
def test_a_bad_period_is_refused(committee, period):
    assert "AAAA-MM" in command_refused("bill", "--committee", committee.slug, "--period", period)
    assert counts() == (0, 0)


def test_the_service_refusal_becomes_the_commands_error_and_nothing_is_issued(
    committee, tariff, connection
):
    message = command_refused("bill", "--committee", committee.slug, "--period", "2025-03")
    assert "2025-03" in message
    assert counts() == (0, 0)


def test_an_unknown_user_is_refused(committee, tariff, three):
    assert "nadie" in command_refused(
        "bill", "--committee", committee.slug, "--period", "2025-03", "--user", "nadie"
    )
    assert counts() == (0, 0)


def test_errors_exit_non_zero_from_the_command_line(committee, capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(
            ["manage.py", "bill", "--committee", committee.slug, "--period", "abc"]
        ).execute()
    assert exit_.value.code != 0
