"""The demo's water: two years of the operator's log against two years of bills. About a quarter
of the water is not billed, one month's leak stands out in `comunagua water-balance`, the well's
static level falls slowly and the projection gives a range of dates."""

import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from comunagua.demo import supply as demo_supply
from comunagua.demo.committees import MAIN_SLUG, SECOND_SLUG
from comunagua.demo.context import DEFAULT_SEED, DemoContext
from comunagua.lib.periods import Period
from comunagua.supply import models as supply_models
from comunagua.supply.balance.figures import sector_nrw
from comunagua.supply.models import (
    Incident,
    Interruption,
    MeterReading,
    OperatorLog,
    Source,
    WellLevel,
)
from comunagua.supply.wells.selectors import well_report
from comunagua.tenancy.models import Committee
from tests.actors import TODAY

# One worker runs all the demo tests (xdist: --dist loadgroup), so the demo loads once a leg.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]
LEAK = Period.of(TODAY) - demo_supply.LEAK_MONTHS_BACK
FIRST, LAST = Period.of(TODAY) - 24, Period.of(TODAY) - 1
# Dependents first.
SUPPLY_MODELS = [
    getattr(supply_models, name)
    for name in (
        "InterruptionSector",
        "Interruption",
        "MeterReading",
        "TankLevel",
        "SupplyHours",
        "OperatorLog",
        "WellLevel",
        "IncidentPhoto",
        "Incident",
        "ProductionMeter",
        "Tank",
        "BalanceSettings",
        "Source",
    )
]


def balance_json(slug: str, first: Period = FIRST, last: Period = LAST) -> dict:
    out = io.StringIO()
    call_command(
        "water_balance",
        "--committee",
        slug,
        "--from",
        str(first),
        "--to",
        str(last),
        "--json",
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_water_balance_over_the_demo_shows_the_leak_month_as_the_nrw_peak(demo):
    data = balance_json(MAIN_SLUG)
    months = {m["period"]: Decimal(m["nrw_percent"]) for m in data["months"]}
    assert len(months) == 24 and all(m["status"] == "ok" for m in data["months"])
    peak = max(months, key=months.get)
    assert peak == str(LEAK)
    others = [v for period, v in months.items() if period != str(LEAK)]
    assert months[peak] > max(others) + 10  # clearly, not by a hair
    assert all(Decimal(20) < v < Decimal(30) for v in others)  # about a quarter the rest
    # Repaired: the month after is back to the usual.
    assert months[str(LEAK.next())] < Decimal(30)


def test_over_two_years_about_a_quarter_of_the_water_is_not_billed(demo):
    for slug in (MAIN_SLUG, SECOND_SLUG):
        data = balance_json(slug)
        assert Decimal(22) < Decimal(data["nrw_percent"]) < Decimal(30), slug
        parts = ("billed_authorized_m3", "unbilled_authorized_m3", "apparent_losses_m3")
        total = sum(Decimal(data[k]) for k in (*parts, "real_losses_m3"))
        assert total == Decimal(data["system_input_m3"])
        assert Decimal(data["costs"]["production_cost_per_m3"]) > 0


def test_the_demo_well_falls_slowly_and_its_projection_is_a_range_of_dates(demo):
    with scopes_disabled():
        main = Committee.objects.get(slug=MAIN_SLUG)
    with scope(committee=main):
        well = Source.objects.get(committee=main, kind=Source.Kind.WELL)
        report = well_report(source=well, today=TODAY)
    trend = report.trend
    assert Decimal("0.3") < trend.slope_m_per_year < Decimal("0.7")
    assert trend.slope_low < trend.slope_m_per_year < trend.slope_high
    assert Decimal("0.8") < trend.seasonal_amplitude_m < Decimal("1.6")
    projection = report.projection
    assert projection.status == "crossing"
    assert TODAY < projection.earliest < projection.likely < projection.latest


def test_the_demo_log_is_daily_with_interruptions_an_incident_and_a_district_meter(demo):
    with scopes_disabled():
        main = Committee.objects.get(slug=MAIN_SLUG)
        days = OperatorLog.objects.filter(committee=main).count()
        assert 700 < days < 760
        cuts = Interruption.objects.filter(committee=main)
        assert 4 <= cuts.count() <= 8
        assert cuts.filter(
            cause="burst", log__day__gte=LEAK.first_day, log__day__lte=LEAK.last_day
        ).exists()
        assert Incident.objects.filter(committee=main, status="reported").count() == 1
    with scope(committee=main):
        (top,) = sector_nrw(committee=main, first=FIRST, last=LAST)
    leak = next(m for m in top.months if m.period == LEAK)
    usual = [m.nrw_percent for m in top.months if m.period != LEAK and m.billed_m3]
    assert leak.nrw_percent > max(usual)  # the leak was in the sector with the meter


def fingerprint(slug: str) -> tuple:
    with scopes_disabled():
        readings = MeterReading.objects.filter(committee__slug=slug).order_by("meter__name", "day")
        levels = WellLevel.objects.filter(committee__slug=slug).order_by("measured_on", "kind")
        return (
            list(readings.values_list("meter__name", "day", "value", "volume_m3")),
            list(levels.values_list("measured_on", "kind", "depth_m", "flow_m3h")),
            list(
                OperatorLog.objects.filter(committee__slug=slug)
                .order_by("day")
                .values_list("day", "pump_hours", "energy_kwh", "chlorine_kg", "flushing_m3")
            ),
        )


def test_the_water_flow_generated_again_gives_the_same_log_not_twice_the_log(demo):
    before = {slug: fingerprint(slug) for slug in (MAIN_SLUG, SECOND_SLUG)}
    users = {u.username: u for u in get_user_model().objects.all()}
    with scopes_disabled():
        for slug in (MAIN_SLUG, SECOND_SLUG):
            committee = Committee.objects.get(slug=slug)
            for model in SUPPLY_MODELS:
                model.objects.filter(committee=committee).delete()
            ctx = DemoContext(
                committee=committee, today=TODAY, seed=DEFAULT_SEED, users=users, member_logins=[]
            )
            demo_supply.generate(ctx)
    assert {slug: fingerprint(slug) for slug in (MAIN_SLUG, SECOND_SLUG)} == before
