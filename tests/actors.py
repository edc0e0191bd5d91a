"""The named actors and the committee builders every test shares, in one importable module.

Actors are fixtures (tests/conftest.py registers this module with `pytest_plugins`): real users
with real roles, named as the demo names them.

- `committee`, `other_committee`: two committees ("villa-esperanza", "otro-valle").
- In `committee`, one of each role: `board_user` ("directiva"), `treasurer` ("tesorera"),
  `cashier` ("cajera"), `reader` ("lector"), `operator` ("operador"), `member` ("socio").
- `stranger`: the board of `other_committee`, who must find nothing of `committee`.
- `board_client`: a test client logged in as the board.
- `connection`: connection 101 with its holder and meter; `tariff` (TARIFF, from January 2025)
  and `three`, three connections read for March 2025, for billing.

Builders are plain functions a test calls: committees, users, connections, tariffs, readings,
bills, debts and payments, wells and logs, incidents, API clients; and two helpers every page
test uses, `url(name, committee, **kwargs)` and `refused(match)`.
"""

import io
import itertools
import json
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_scopes import scope, scopes_disabled

from comunagua.billing import services as billing_services
from comunagua.ledger.books import services as books_services
from comunagua.ledger.cash import services as cash_services
from comunagua.lib.periods import Period
from comunagua.metering.models import Reading, Round
from comunagua.metering.readings import services as reading_services
from comunagua.metering.rounds import services as round_services
from comunagua.registry import services as registry_services
from comunagua.registry.models import Meter
from comunagua.supply.incidents.services import incident_report
from comunagua.supply.log.entry import LogEntry
from comunagua.supply.log.services import operator_log_enter
from comunagua.supply.models import ProductionMeter, Source, Tank
from comunagua.supply.network.services import meter_save, source_save, tank_save
from comunagua.tariffs.services import tariff_create
from comunagua.tenancy import tokens
from comunagua.tenancy.models import Committee, RoleAssignment
from comunagua.tenancy.roles import Role

# --- committees, users and connections ---------------------------------------------------------


PASSWORD = "clave-de-prueba"


_serial = itertools.count(1)


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


def add_connection(
    committee, number: str, *, by=None, holder=None, sector=None, meter=None, **fields
):
    """A connection with a holder and a meter, as the office would register it; `meter` changes
    the meter's fields (serial, digits, initial reading...)."""
    with scope(committee=committee):
        if holder is None:
            holder = registry_services.member_create(
                committee=committee,
                by=by,
                first_names="Rosa",
                last_names=f"Quispe {number}",
                id_document=f"CI-{committee.slug}-{number}",
                gender="F",
                household_size=4,
            )
        return registry_services.connection_create(
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
                **(meter or {}),
            },
            **fields,
        )


# --- the actors --------------------------------------------------------------------------------


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
def treasurer(committee):
    return make_user(committee, Role.TREASURER, "tesorera")


@pytest.fixture
def cashier(committee):
    return make_user(committee, Role.CASHIER, "cajera")


@pytest.fixture
def reader(committee):
    return make_user(committee, Role.READER, "lector")


@pytest.fixture
def operator(committee):
    return make_user(committee, Role.OPERATOR, "operador")


@pytest.fixture
def member(committee):
    return make_user(committee, Role.MEMBER, "socio")


@pytest.fixture
def stranger(other_committee):
    """The board of another committee: to them, `committee` does not exist."""
    return make_user(other_committee, Role.BOARD, "directiva-otra")


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


@pytest.fixture
def connection(committee, board_user):
    """Connection 101, with its holder and meter."""
    return add_connection(committee, "101", by=board_user)


def client_as(client, committee, role, username=None):
    """`client`, logged in as a new user with `role` in `committee`."""
    client.force_login(make_user(committee, role, username))
    return client


def url(name: str, committee, **kwargs) -> str:
    """The address of the committee page `name`."""
    return reverse(name, kwargs={"committee": committee.slug, **kwargs})


@contextmanager
def refused(match: str | None = None, *, error: type[Exception] = ValidationError):
    """The block inside is refused: it raises `error` (a ValidationError unless told) whose
    message, in English, matches `match` when given. `with refused(...) as caught:` keeps the
    error in `caught.value`."""
    with translation.override("en"), pytest.raises(error, match=match) as caught:
        yield caught


def command_refused(*argv) -> str:
    """`comunagua <argv>` refuses to run (CommandError): its message."""
    with pytest.raises(CommandError) as caught:
        call_command(*argv, stdout=io.StringIO(), stderr=io.StringIO())
    return str(caught.value)


# --- readings ----------------------------------------------------------------------------------


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


FIRST_DAY = date(2025, 1, 1)


# --- a tariff and a billing run ----------------------------------------------------------------


# Residential with a sewer charge of 15 %, commercial with a minimum: enough to exercise every
# kind of line (fixed, blocks, sewer, rounding).
TARIFF = """\
name = "Tarifa de prueba"
currency = "BOB"
rounding = "0.10"

[[category]]
code = "residential"
fixed_charge = "18.00"
minimum_m3 = "0"
sewer_percent = "15"
blocks = [
  { up_to_m3 = "10", price = "2.00" },
  { up_to_m3 = "20", price = "3.00" },
  { price = "5.00" },
]

[[category]]
code = "commercial"
fixed_charge = "30.00"
minimum_m3 = "5"
sewer_percent = "30"
blocks = [
  { up_to_m3 = "10", price = "3.50" },
  { up_to_m3 = "30", price = "5.00" },
  { price = "8.00" },
]
"""


MARCH = Period(2025, 3)


APRIL = Period(2025, 4)


ISSUED = date(2025, 4, 5)


def make_tariff(committee, by=None, start=date(2025, 1, 1)):
    with scope(committee=committee):
        return tariff_create(committee=committee, by=by, effective_from=start, toml_text=TARIFF)


def run(committee, period=MARCH, by=None, **kwargs):
    kwargs.setdefault("issued_on", ISSUED)
    with scope(committee=committee):
        return billing_services.run_create(committee=committee, period=period, by=by, **kwargs)


@pytest.fixture
def tariff(committee, board_user):
    """The test tariff (TARIFF) in force from January 2025."""
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


# --- debts and payments, posted as billing and the cash desk post them -------------------------


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


# --- the water: a well, its meter, a tank, a day's log, an incident ----------------------------


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


# --- the JSON API: a client that sends a token -------------------------------------------------


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


def item(connection: str, value, client_id: str | None = None, **extra) -> dict:
    return {
        "client_id": client_id or str(uuid4()),
        "connection": connection,
        "value": value,
        **extra,
    }


def slug_path(committee, rest: str) -> str:
    return f"committees/{committee.slug}/{rest}"


# --- the demo ----------------------------------------------------------------------------------


TODAY = date(2026, 11, 23)


# --- the browser -------------------------------------------------------------------------------


def login(page, live_server, username: str, password: str) -> None:
    page.goto(live_server.url + "/cuenta/ingresar/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
