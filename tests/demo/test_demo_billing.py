"""The demo's two years of readings and bills: closed rounds, one run each, sensible volumes."""

import statistics
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from comunagua.billing.models import Bill, BillingRun
from comunagua.demo import loader
from comunagua.demo.committees import MAIN_SLUG, SECOND_SLUG
from comunagua.metering.models import Reading, Round
from comunagua.registry.models import Connection
from comunagua.tariffs import engine
from comunagua.tenancy.models import Committee
from tests.demo.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def main(demo):
    with scopes_disabled():
        yield Committee.objects.get(slug=MAIN_SLUG)


def figures() -> dict:
    with scopes_disabled():
        return {
            (slug, model.__name__): model.objects.filter(committee__slug=slug).count()
            for slug in (MAIN_SLUG, SECOND_SLUG)
            for model in (Round, Reading, BillingRun, Bill)
        }


def test_the_main_committee_has_24_closed_rounds_24_billing_runs_and_this_month_open(main):
    with scopes_disabled():
        rounds = Round.objects.filter(committee=main)
        assert rounds.filter(status=Round.Status.CLOSED).count() == 24
        (open_round,) = rounds.filter(status=Round.Status.OPEN)
        assert open_round.period == TODAY.replace(day=1)
        assert not open_round.readings.exists()
        assert BillingRun.objects.filter(committee=main).count() == 24
        assert set(
            BillingRun.objects.filter(committee=main).values_list("period", flat=True)
        ) == set(rounds.filter(status=Round.Status.CLOSED).values_list("period", flat=True))


def test_every_run_has_one_bill_per_connection_in_service_that_month(main):
    with scopes_disabled():
        active = Connection.objects.filter(committee=main, status=Connection.Status.ACTIVE)
        for run in BillingRun.objects.filter(committee=main):
            bills = Bill.objects.filter(run=run)
            assert bills.count() == run.bill_count > 300
            assert bills.values("connection").distinct().count() == run.bill_count
            in_service = active.filter(
                meters__removed_on__isnull=True, meters__installed_on__lt=run.period
            )
            assert set(bills.values_list("connection_id", flat=True)) == set(
                in_service.values_list("id", flat=True)
            )


def test_bill_totals_equal_an_independent_quote_of_the_tariff(main):
    with scopes_disabled():
        bills = list(
            Bill.objects.filter(committee=main).select_related("run__tariff").order_by("id")
        )
        sample = bills[::37] + [b for b in bills if b.category != "residential"][::11]
        assert len(sample) > 100
        for bill in sample:
            quote = engine.quote(
                bill.run.tariff.engine(),
                category=bill.category,
                m3=bill.consumption_m3,
                sewer=bill.has_sewer,
            )
            assert bill.charges_total == quote.total, bill.number
            assert bill.charges_total == bill.charges_total.quantize(Decimal("0.01"))


def test_a_residential_bill_is_18_bs_fixed_plus_2_bs_a_cubic_metre_up_to_10(main):
    with scopes_disabled():
        bill = Bill.objects.filter(
            committee=main, category="residential", has_sewer=False, consumption_m3=6
        ).first()
    assert bill.charges_total == Decimal("30.00")


def test_there_is_a_rollover_an_estimate_and_flagged_readings_accepted_with_a_reason(main):
    with scopes_disabled():
        readings = Reading.objects.filter(committee=main)
        rollovers = readings.filter(review_reason="Vuelta del medidor")
        assert rollovers.count() == 1
        assert "rollover" in rollovers.get().flags
        assert rollovers.get().value < rollovers.get().previous_value
        assert readings.filter(estimated=True, source=Reading.Source.ESTIMATED).exists()
        flagged = readings.exclude(flags=[])
        assert flagged.count() >= 4
        for reading in flagged:
            assert reading.status == Reading.Status.ACCEPTED
            assert reading.review_reason and reading.reviewed_by.username == "tesorera"
        reasons = set(flagged.values_list("review_reason", flat=True))
        assert {"Casa deshabitada", "Fuga reparada", "Vuelta del medidor"} <= reasons


def test_household_consumption_runs_from_about_1_to_over_10_m3_with_a_plausible_mean(main):
    with scopes_disabled():
        rows = Reading.objects.filter(
            committee=main, estimated=False, connection__category="residential", months=1
        ).values_list("metered_m3", "flags")
        m3 = [float(v) for v, flags in rows if "spike" not in flags]
    assert min(m3) <= 1
    assert sum(1 for v in m3 if v > 10) >= 50
    assert 4.5 <= statistics.mean(m3) <= 7.5


def test_loading_twice_gives_the_same_readings_and_bills(demo):
    first = figures()
    assert first[(SECOND_SLUG, "BillingRun")] == 24
    loader.load(today=TODAY)
    assert figures() == first
