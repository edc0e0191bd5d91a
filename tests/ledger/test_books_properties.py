"""The books over random histories, on the real database: any sequence of bills, payments,
reversals and credit notes keeps every entry balanced, each household's balance equal to its
open debts less its credit, and the receivable account equal to the sum of the households."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django_scopes import scope
from hypothesis import given
from hypothesis import strategies as st

from comunagua.ledger.books import checks
from comunagua.ledger.books import selectors as books_selectors
from comunagua.ledger.books import services as books_services
from comunagua.ledger.cash import services as cash_services
from comunagua.ledger.models import Payment
from tests.properties import heavy

pytestmark = pytest.mark.django_db

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2)
step = st.one_of(
    st.tuples(st.just("bill"), st.integers(0, 2), money),
    st.tuples(st.just("pay"), st.integers(0, 2), money),
    st.tuples(st.just("credit"), st.integers(0, 2), money),
    st.tuples(st.just("reverse"), st.integers(0, 30), st.just(Decimal(0))),
)


@heavy
@given(st.lists(step, min_size=1, max_size=14))
def test_any_history_keeps_the_books_balanced_and_the_households_equal_to_receivables(
    committee, board_user, three_households, history
):
    with scope(committee=committee), transaction.atomic():
        session = cash_services.session_open(committee=committee, cashier=board_user)
        bills = 0
        for kind, who, amount in history:
            household = three_households[who % 3]
            with transaction.atomic():
                if kind == "bill":
                    bills += 1
                    books_services.charges_post(
                        committee=committee,
                        on=date(2025, 1, 5),
                        charges=[
                            books_services.Charge(
                                household.pk,
                                "bill",
                                str(bills),
                                date(2025, 1, bills % 28 + 1),
                                (
                                    ("water_sales", amount - Decimal("0.05")),
                                    ("sewer", Decimal("0.05")),
                                ),
                            )
                        ],
                    )
                elif kind == "pay":
                    cash_services.payment_take(
                        committee=committee,
                        connection_id=household.pk,
                        amount=amount,
                        method="cash",
                        by=board_user,
                        session=session,
                    )
                elif kind == "credit":
                    books_services.credit_post(
                        committee=committee,
                        connection_id=household.pk,
                        amount=amount,
                        on=date(2025, 2, 1),
                        document_number=str(amount),
                        against=("bill", str(bills)),
                    )
                else:
                    payments = list(Payment.objects.filter(committee=committee, reversal=None))
                    if payments:
                        cash_services.payment_reverse(
                            payment=payments[who % len(payments)], reason="error", by=board_user
                        )
        assert checks.verify(committee) == []
        balances = books_selectors.balances(committee=committee)
        receivable = sum(
            (
                debit - credit
                for account, debit, credit in books_selectors.account_balances(committee=committee)
                if account.role == "receivable"
            ),
            Decimal(0),
        )
        assert receivable == sum(balances.values(), Decimal(0))
        transaction.set_rollback(True)


@pytest.fixture
def three_households(committee, board_user):
    from tests.actors import add_connection

    return [add_connection(committee, str(n), by=board_user) for n in (1, 2, 3)]
