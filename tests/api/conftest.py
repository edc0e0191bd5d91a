"""A committee ready for the API: three connections on a route, an open round, users with
tokens, and a client that sends `Authorization: Bearer …`."""

import json
from uuid import uuid4

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scope

from comunagua.lib.periods import Period
from comunagua.metering.rounds import services as metering
from comunagua.tenancy import tokens
from comunagua.tenancy.roles import Role
from tests.billing.conftest import tariff, three  # noqa: F401 (fixtures for bills)
from tests.conftest import add_connection, make_user

NUMBERS = ("101", "102", "103")


class Api:
    """The test client, speaking JSON with a token."""

    def __init__(self, secret: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1/{path}", params, headers=self.headers)

    def post(self, path: str, body):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.post(
            f"/api/v1/{path}", data, content_type="application/json", headers=self.headers
        )


def token_for(user) -> str:
    return tokens.token_create(user=user, name="pruebas")[1]


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
def reader(committee):
    return make_user(committee, Role.READER, "lector")


@pytest.fixture
def reader_api(reader):
    return Api(token_for(reader))


@pytest.fixture
def board_api(board_user):
    return Api(token_for(board_user))


def item(connection: str, value, client_id: str | None = None, **extra) -> dict:
    return {
        "client_id": client_id or str(uuid4()),
        "connection": connection,
        "value": value,
        **extra,
    }


def slug_path(committee, rest: str) -> str:
    return f"committees/{committee.slug}/{rest}"
