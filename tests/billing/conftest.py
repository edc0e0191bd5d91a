"""Helpers for billing: a tariff, connections read for a month, a run."""

import pytest

from tests.actors import add_connection, make_tariff, month_read


@pytest.fixture
def tariff(committee, board_user):
    return make_tariff(committee, board_user)


@pytest.fixture
def three(committee, board_user):
    """Three connections of the hand computation: 0 m³ residential, 12.5 m³ residential with
    sewer, 25 m³ commercial, read in March 2025 (every meter started at 0)."""
    plain = add_connection(committee, "1", by=board_user)
    sewer = add_connection(committee, "2", by=board_user, has_sewer=True)
    shop = add_connection(committee, "10", by=board_user, category="commercial")
    month_read(committee, 2025, 3, {plain: "0", sewer: "12.5", shop: "25"}, board_user)
    return plain, sewer, shop
