"""Helpers for the water: a committee's well with its meter and tank, and a day's log."""

import pytest
from django_scopes import scope

from comunagua.registry import services as registry
from tests.actors import make_meter, make_tank, make_well


@pytest.fixture
def well(committee):
    return make_well(committee)


@pytest.fixture
def meter(committee, well):
    return make_meter(committee, source=well)


@pytest.fixture
def tank(committee):
    return make_tank(committee)


@pytest.fixture
def sector(committee):
    with scope(committee=committee):
        return registry.sector_get_or_create(committee=committee, name="Sector Alto")


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client
