"""The books behind the cash desk: a payment settles the oldest debt first, an advance waits for
the next bill, a reversal reopens what the payment settled, a replay is recorded once, and the
books always hold together."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from comunagua.ledger.books import checks
from comunagua.ledger.books import selectors as books_selectors
from comunagua.ledger.books import services as books_services
from comunagua.ledger.cash import services as cash_services
from comunagua.ledger.models import JournalEntry, Payment, Posting
from tests.actors import D, charge, pay

pytestmark = pytest.mark.django_db


def balance(committee, connection) -> Decimal:
    with scope(committee=committee):
        return books_selectors.balance_of(committee=committee, connection_id=connection.pk)


def open_amounts(committee, connection) -> list[Decimal]:
    with scope(committee=committee):
        dues = books_selectors.open_dues(committee=committee, connection_ids={connection.pk})
    return [d.open for d in dues.get(connection.pk, [])]


def problems(committee):
    with scope(committee=committee):
        return checks.verify(committee)


def test_a_partial_payment_settles_the_oldest_debt_first(committee, household, session, cashier):
    from datetime import date

    charge(committee, household, "38.00", due_on=date(2025, 3, 20))
    charge(committee, household, "42.50", due_on=date(2025, 4, 20))
    payment = pay(committee, household, "50.00", session=session, by=cashier)
    assert payment.number == 1
    assert open_amounts(committee, household) == [D("30.50")]
    assert balance(committee, household) == D("30.50")
    assert problems(committee) == []


def test_an_advance_is_used_by_the_next_bill(committee, household, session, cashier):
    charge(committee, household, "20.00")
    pay(committee, household, "50.00", session=session, by=cashier)
    assert balance(committee, household) == D("-30.00")
    charge(committee, household, "42.50")
    assert open_amounts(committee, household) == [D("12.50")]
    assert balance(committee, household) == D("12.50")
    assert problems(committee) == []


def test_the_cashier_may_choose_which_debt_a_payment_settles(
    committee, household, session, cashier
):
    from datetime import date

    charge(committee, household, "38.00", due_on=date(2025, 3, 20))
    charge(committee, household, "50.00", due_on=date(2025, 4, 20), kind="fee")
    with scope(committee=committee):
        dues = books_selectors.open_dues(committee=committee, connection_ids={household.pk})
    newest = dues[household.pk][1].key
    pay(committee, household, "50.00", session=session, by=cashier, chosen=[newest])
    assert open_amounts(committee, household) == [D("38.00")]


def test_the_same_payment_sent_twice_is_recorded_once(committee, household, session, cashier):
    charge(committee, household, "38.00")
    first = pay(committee, household, "38.00", session=session, by=cashier, client_id="abc-1")
    again = pay(committee, household, "38.00", session=session, by=cashier, client_id="abc-1")
    assert again.pk == first.pk
    with scopes_disabled():
        assert Payment.objects.count() == 1
    with pytest.raises(ValidationError, match="ya se usó"):
        pay(committee, household, "10.00", session=session, by=cashier, client_id="abc-1")


def test_a_payment_dated_tomorrow_is_refused_by_the_service_itself_and_takes_nothing(
    committee, household, session, cashier
):
    """Not only by the API (tested there): the bank import and any script go through it too."""
    from datetime import timedelta

    charge(committee, household, "38.00")
    tomorrow = committee.today() + timedelta(days=1)
    with pytest.raises(ValidationError, match="no puede tener fecha futura"):
        pay(committee, household, "38.00", session=session, by=cashier, received_on=tomorrow)
    with scopes_disabled():
        assert not Payment.objects.exists()
    assert balance(committee, household) == D("38.00")
    assert pay(committee, household, "38.00", session=session, by=cashier).received_on == (
        committee.today()
    )


def test_a_reversal_reopens_the_debt_and_keeps_both_entries(
    committee, household, session, cashier, board_user
):
    charge(committee, household, "38.00")
    payment = pay(committee, household, "38.00", session=session, by=cashier)
    with scope(committee=committee):
        cash_services.payment_reverse(payment=payment, reason="wrong household", by=board_user)
    assert balance(committee, household) == D("38.00")
    assert open_amounts(committee, household) == [D("38.00")]
    with scopes_disabled():
        kinds = list(JournalEntry.objects.order_by("number").values_list("kind", flat=True))
    assert kinds == ["charge", "payment", "reversal"]
    with scope(committee=committee), pytest.raises(ValidationError, match="ya fue anulado"):
        cash_services.payment_reverse(payment=payment, reason="again", by=board_user)
    assert problems(committee) == []


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "mayor que cero"),
        ("-5", "mayor que cero"),
        ("12.345", "dos decimales"),
        ("abc", "como número"),
        ("1e12", "demasiado grande"),
    ],
)
def test_bad_amounts_are_refused_and_change_nothing(
    committee, household, session, cashier, amount, words
):
    charge(committee, household, "38.00")
    with pytest.raises(ValidationError, match=words):
        pay(committee, household, amount, session=session, by=cashier)
    with scopes_disabled():
        assert Payment.objects.count() == 0
        assert JournalEntry.objects.count() == 1


def test_cash_needs_an_open_session_and_a_transfer_its_reference(
    committee, household, cashier, session
):
    charge(committee, household, "38.00")
    with pytest.raises(ValidationError, match="Abra una sesión de caja"):
        pay(committee, household, "10", by=cashier)
    with pytest.raises(ValidationError, match="referencia"):
        pay(committee, household, "10", by=cashier, method="transfer", reference="")


def test_another_committees_household_cannot_be_paid_here(
    committee, other_committee, session, cashier
):
    from tests.actors import add_connection

    foreign = add_connection(other_committee, "7")
    with pytest.raises(ValidationError, match="No existe esa conexión"):
        pay(committee, foreign, "10", session=session, by=cashier)


def test_a_balance_that_changed_meanwhile_refuses_the_second_payment(
    committee, household, session, cashier
):
    charge(committee, household, "38.00")
    pay(committee, household, "38.00", session=session, by=cashier, expected_balance=D("38.00"))
    with pytest.raises(ValidationError, match="cambió mientras trabajaba"):
        pay(committee, household, "38.00", session=session, by=cashier, expected_balance=D("38.00"))


def test_closing_the_till_posts_a_shortage_and_keeps_the_note(
    committee, household, session, cashier
):
    charge(committee, household, "38.00")
    pay(committee, household, "38.00", session=session, by=cashier)
    with scope(committee=committee):
        with pytest.raises(ValidationError, match="explique qué pasó"):
            cash_services.session_close(session=session, counted="85.00", by=cashier)
        closed = cash_services.session_close(
            session=session, counted="85.00", by=cashier, note="a coin of 5 missing? 3 Bs"
        )
    assert closed.expected == D("88.00") and closed.difference == D("-3.00")
    assert problems(committee) == []


def test_check_ledger_names_a_tampered_posting(committee, household, session, cashier):
    from django.db import connection

    charge(committee, household, "38.00")
    pay(committee, household, "38.00", session=session, by=cashier)
    with scopes_disabled():
        posting = Posting.objects.filter(entry__kind="payment", debit__gt=0).get()
        number = posting.entry.number
    with connection.cursor() as cursor:
        table = Posting._meta.db_table
        cursor.execute(f"UPDATE {table} SET debit = debit + 1 WHERE id = %s", [posting.pk])
    found = problems(committee)
    assert any(p.code == "unbalanced" and f"asiento {number} " in p.message for p in found), found


def test_a_batch_of_payments_writes_what_one_by_one_would(
    committee, household, board_user, session, cashier
):
    from datetime import date

    from tests.actors import add_connection

    other = add_connection(committee, "8", by=board_user)
    charge(committee, household, "38.00", due_on=date(2025, 3, 20))
    charge(committee, household, "42.50", due_on=date(2025, 4, 20))
    charge(committee, other, "20.00")
    batch = [
        cash_services.Incoming(household.pk, D("50.00"), "cash", date(2025, 4, 8), client_id="b-1"),
        cash_services.Incoming(other.pk, D("30.00"), "qr", date(2025, 4, 8), "QR-77", "b-2"),
    ]
    with scope(committee=committee):
        numbers = cash_services.payments_take_many(
            committee=committee, payments=batch, by=cashier, session=session
        )
        again = cash_services.payments_take_many(
            committee=committee, payments=batch, by=cashier, session=session
        )
    assert numbers == [1, 2] and again == []
    assert open_amounts(committee, household) == [D("30.50")]
    assert balance(committee, other) == D("-10.00")  # an advance for the next bill
    with scopes_disabled():
        qr = Payment.objects.get(number=2)
    assert qr.session_id is None and qr.reference == "QR-77"
    assert problems(committee) == []


def test_a_batch_with_a_bad_payment_records_none_of_it(committee, household, session, cashier):
    from datetime import date

    charge(committee, household, "38.00")
    batch = [
        cash_services.Incoming(household.pk, D("10.00"), "cash", date(2025, 4, 8)),
        cash_services.Incoming(household.pk, D("-1.00"), "cash", date(2025, 4, 8)),
    ]
    with scope(committee=committee), pytest.raises(ValidationError, match="Pago 2 del lote"):
        cash_services.payments_take_many(
            committee=committee, payments=batch, by=cashier, session=session
        )
    with scopes_disabled():
        assert Payment.objects.count() == 0


def test_an_expense_debits_its_account_and_credits_the_till_or_the_bank(committee, board_user):
    from datetime import date

    with scope(committee=committee):
        accounts = books_services.accounts_by_role(committee)
        books_services.expense_record(
            committee=committee,
            account=accounts["chlorine"],
            amount="250.00",
            on=date(2025, 4, 3),
            supplier="Química Andina",
            paid_from="cash",
            by=board_user,
            client_id="x1",
        )
        assert books_selectors.account_balance(committee=committee, role="chlorine") == D("250.00")
        assert books_selectors.account_balance(committee=committee, role="cash") == D("-250.00")
        with pytest.raises(ValidationError, match="cuentas de gasto"):
            books_services.expense_record(
                committee=committee,
                account=accounts["water_sales"],
                amount="5",
                on=date(2025, 4, 3),
                supplier="X",
                paid_from="cash",
                by=board_user,
            )
        assert checks.verify(committee) == []


def test_a_manual_entry_cannot_touch_a_household_account(committee, board_user):
    from datetime import date

    with scope(committee=committee):
        accounts = books_services.accounts_by_role(committee)
        with pytest.raises(ValidationError, match="cuentas de los hogares"):
            books_services.manual_entry_post(
                committee=committee,
                on=date(2025, 4, 1),
                lines=[(accounts["receivable"], D("5"), 0), (accounts["cash"], 0, D("5"))],
                memo="perdonar una deuda",
                by=board_user,
            )
