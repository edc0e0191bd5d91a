"""Helpers for readings: open a round, read a connection, walk months forward."""

import pytest

from tests.actors import open_round


@pytest.fixture
def march(committee, board_user):
    return open_round(committee, 2025, 3, board_user)
