"""Households with debts to pay: charges posted straight to the books, as billing posts them."""

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django_scopes import scope

from comunagua.ledger.books import services as books_services
from comunagua.ledger.cash import services as cash_services
from comunagua.tenancy.roles import Role
from tests.conftest import add_connection, make_user

D = Decimal
_numbers = itertools.count(1)


def charge(
    committee, connection, amount, *, due_on=date(2025, 4, 20), kind="bill", role="water_sales"
):
    """Post one debt of `amount` to the household, as a billing run would."""
    number = str(next(_numbers))
    with scope(committee=committee), transaction.atomic():
        books_services.charges_post(
            committee=committee,
            on=date(2025, 4, 5),
            charges=[
                books_services.Charge(
                    connection_id=connection.pk,
                    document_type=kind,
                    document_number=number,
                    due_on=due_on,
                    lines=((role, D(amount)),),
                    description=f"{kind} {number}",
                )
            ],
            document_type="test",
            document_number=number,
        )
    return number


@pytest.fixture
def cashier(committee):
    return make_user(committee, Role.CASHIER, "cajera")


@pytest.fixture
def session(committee, cashier):
    with scope(committee=committee):
        return cash_services.session_open(
            committee=committee, cashier=cashier, opening_float=D("50")
        )


@pytest.fixture
def household(committee, board_user):
    return add_connection(committee, "7", by=board_user)


def pay(committee, connection, amount, *, session=None, by=None, method="cash", **kwargs):
    with scope(committee=committee):
        return cash_services.payment_take(
            committee=committee,
            connection_id=connection.pk,
            amount=amount,
            method=method,
            by=by,
            session=session,
            reference=kwargs.pop("reference", "" if method == "cash" else "REF-1"),
            **kwargs,
        )
