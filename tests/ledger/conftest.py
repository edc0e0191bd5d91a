"""Households with debts to pay: charges posted straight to the books, as billing posts them."""

import pytest
from django_scopes import scope

from comunagua.ledger.cash import services as cash_services
from tests.actors import D, add_connection


@pytest.fixture
def session(committee, cashier):
    with scope(committee=committee):
        return cash_services.session_open(
            committee=committee, cashier=cashier, opening_float=D("50")
        )


@pytest.fixture
def household(committee, board_user):
    return add_connection(committee, "7", by=board_user)
