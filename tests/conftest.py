"""Shared fixtures: real committees, real users with real roles, real database."""

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django_scopes import scope, scopes_disabled

from comunagua.registry import services
from comunagua.tenancy.models import Committee, RoleAssignment
from comunagua.tenancy.roles import Role
from tests import properties  # noqa: F401  (loads the Hypothesis profile for every test)

PASSWORD = "clave-de-prueba"
_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def _spanish(settings):
    settings.LANGUAGE_CODE = "es"


def make_committee(name: str = "Comité de Agua Prueba", slug: str | None = None) -> Committee:
    slug = slug or f"comite-{next(_serial)}"
    return Committee.objects.create(name=name, slug=slug)


def make_user(committee: Committee | None, role: Role | None, username: str | None = None):
    user = get_user_model().objects.create_user(
        username=username or f"user{next(_serial)}", password=PASSWORD
    )
    if committee is not None and role is not None:
        RoleAssignment.objects.create(user=user, committee=committee, role=role)
    return user


@pytest.fixture
def committee(db):
    return make_committee("Comité de Agua Villa Esperanza", "villa-esperanza")


@pytest.fixture
def other_committee(db):
    return make_committee("Comité de Agua Otro Valle", "otro-valle")


@pytest.fixture
def board_user(committee):
    return make_user(committee, Role.BOARD, "directiva")


@pytest.fixture
def board_client(client, board_user):
    client.force_login(board_user)
    return client


@pytest.fixture
def in_scope(committee):
    """Run the test body inside the committee's scope, as a request would."""
    with scope(committee=committee):
        yield committee


@pytest.fixture
def no_scope():
    with scopes_disabled():
        yield


def add_connection(committee, number: str, *, by=None, holder=None, sector=None, **fields):
    """A connection with a holder and a meter, as the office would register it."""
    with scope(committee=committee):
        if holder is None:
            holder = services.member_create(
                committee=committee,
                by=by,
                first_names="Rosa",
                last_names=f"Quispe {number}",
                id_document=f"CI-{committee.slug}-{number}",
                gender="F",
                household_size=4,
            )
        return services.connection_create(
            committee=committee,
            by=by,
            number=number,
            address=f"Calle Los Pinos {number}",
            sector=sector,
            holder=holder,
            holder_since=date(2020, 1, 1),
            connected_on=date(2020, 1, 1),
            meter={
                "serial": f"M-{committee.slug}-{number}",
                "installed_on": date(2020, 1, 1),
                "initial_reading": Decimal("0"),
            },
            **fields,
        )


@pytest.fixture
def connection(committee, board_user):
    return add_connection(committee, "101", by=board_user)


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql` need real concurrent connections: they run in the PostgreSQL
    leg and are left out (not skipped) of the SQLite one, whose test database is one shared
    in-memory connection.

    Under pytest-xdist (`make test` runs two workers per leg, `--dist loadgroup`) the demo's
    tests stay together on one worker, so the demo is loaded once per leg, not once per worker."""
    import os

    for item in items:
        if item.nodeid.startswith("tests/demo/"):
            item.add_marker(pytest.mark.xdist_group("demo"))
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.property)  # what `make deep` runs, with more examples
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    kept = [item for item in items if item.get_closest_marker("postgresql") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept
