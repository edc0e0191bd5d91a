"""Helpers for the water: a committee's well with its meter and tank, and a day's log."""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope

from comunagua.registry import services as registry
from comunagua.supply.incidents.services import incident_report
from comunagua.supply.log.entry import LogEntry
from comunagua.supply.log.services import operator_log_enter
from comunagua.supply.models import ProductionMeter, Source, Tank
from comunagua.supply.network.services import meter_save, source_save, tank_save
from comunagua.tenancy.roles import Role
from tests.conftest import make_user

D = Decimal
INSTALLED = date(2025, 1, 1)


def make_well(committee, **fields) -> Source:
    values = {
        "name": "Pozo 1",
        "kind": Source.Kind.WELL,
        "depth_m": D("90"),
        "pump_intake_m": D("60"),
        "pump_power_kw": D("15"),
        "licence": "Licencia AAPS 12/2015",
        "protected_radius_m": D("200"),
    }
    values.update(fields)
    with scope(committee=committee):
        return source_save(committee=committee, by=None, **values)


def make_meter(committee, source=None, sector=None, **fields) -> ProductionMeter:
    values = {
        "name": "Medidor del pozo",
        "source": source,
        "sector": sector,
        "digits": 6,
        "installed_on": INSTALLED,
        "initial_reading": D("1000"),
    }
    values.update(fields)
    with scope(committee=committee):
        return meter_save(committee=committee, by=None, **values)


def make_tank(committee, name="Tanque elevado") -> Tank:
    with scope(committee=committee):
        return tank_save(
            committee=committee, by=None, name=name, capacity_m3=D("120"), elevation_m=D("2650")
        )


def log(committee, day: date, readings: dict, by=None, **values):
    """Enter a day's log: {meter: value} plus any LogEntry field."""
    with scope(committee=committee):
        entry = LogEntry(day=day, readings=readings, **values)
        return operator_log_enter(committee=committee, entry=entry, by=by)


def report_incident(committee, **fields):
    """An oil spill in the ravine, reported by nobody in particular; `fields` change it."""
    values = {
        "kind": "spill",
        "happened_on": date(2025, 5, 1),
        "location": "Quebrada",
        "description": "Aceite",
    }
    values.update(fields)
    with scope(committee=committee):
        return incident_report(committee=committee, by=None, **values)


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
def operator(committee):
    return make_user(committee, Role.OPERATOR, "operador")


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client
