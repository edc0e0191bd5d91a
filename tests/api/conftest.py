"""A committee ready for the API: three connections on a route, an open round, users with
tokens, and a client that sends `Authorization: Bearer …`."""

import pytest
from django.utils import timezone
from django_scopes import scope

from comunagua.lib.periods import Period
from comunagua.metering.rounds import services as metering
from tests.actors import NUMBERS, Api, add_connection, token_for


@pytest.fixture
def houses(committee, board_user):
    return [add_connection(committee, n, by=board_user) for n in NUMBERS]


@pytest.fixture
def reading_round(committee, board_user, houses):
    with scope(committee=committee):
        metering.routes_from_sectors(committee=committee, by=board_user)
        return metering.round_open(
            committee=committee, period=Period.of(timezone.localdate()), by=board_user
        )


@pytest.fixture
def reader_api(reader):
    return Api(token_for(reader))


@pytest.fixture
def board_api(board_user):
    return Api(token_for(board_user))
