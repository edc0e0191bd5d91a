"""Helpers for billing: a tariff, connections read for a month, a run."""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope

from comunagua.billing import services
from comunagua.lib.periods import Period
from comunagua.tariffs.services import tariff_create
from tests.conftest import add_connection
from tests.metering.conftest import month_read

D = Decimal

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
        return services.billing_run(committee=committee, period=period, by=by, **kwargs)


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
