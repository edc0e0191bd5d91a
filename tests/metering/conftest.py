"""Helpers for readings: open a round, read a connection, walk months forward."""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope

from comunagua.lib.periods import Period
from comunagua.metering.models import Reading, Round
from comunagua.metering.readings import services as reading_services
from comunagua.metering.rounds import services as round_services
from comunagua.registry.models import Meter
from comunagua.tenancy.roles import Role
from tests.conftest import make_user

D = Decimal


def open_round(committee, year: int, month: int, by=None) -> Round:
    with scope(committee=committee):
        return round_services.round_open(committee=committee, period=Period(year, month), by=by)


def close_round(reading_round: Round, by=None) -> round_services.Closed:
    with scope(committee=reading_round.committee):
        return round_services.round_close(round=reading_round, by=by)


def read(reading_round: Round, connection, value, by=None, **kwargs) -> Reading:
    with scope(committee=reading_round.committee):
        return reading_services.reading_enter(
            round=reading_round, connection=connection, value=D(value), by=by, **kwargs
        )


def month_read(committee, year: int, month: int, values: dict, by=None) -> Round:
    """Open a month, read {connection: value} (accepting any flag), close it."""
    reading_round = open_round(committee, year, month, by)
    for connection, value in values.items():
        reading = read(reading_round, connection, value, by)
        if reading.needs_review:
            with scope(committee=committee):
                reading_services.reading_accept(reading=reading, by=by, reason="confirmed on site")
    close_round(reading_round, by)
    return reading_round


def meter_of(connection) -> Meter:
    with scope(committee=connection.committee):
        return Meter.objects.get(connection=connection, removed_on__isnull=True)


@pytest.fixture
def reader(committee):
    return make_user(committee, Role.READER, "lector")


@pytest.fixture
def cashier(committee):
    return make_user(committee, Role.CASHIER, "cajera")


@pytest.fixture
def treasurer(committee):
    return make_user(committee, Role.TREASURER, "tesorera")


@pytest.fixture
def march(committee, board_user):
    return open_round(committee, 2025, 3, board_user)


FIRST_DAY = date(2025, 1, 1)
