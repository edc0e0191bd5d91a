"""Energy and cost per m³ against what a m³ of water is billed: only the water lines of the
bills (not sewer, fines or the rounding), net of credit notes; money rounded once; kWh per m³
of the water the pumps lift; bought water at the price it had when it was logged."""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope

from comunagua.billing.services import credit_note_issue
from comunagua.lib.money import cents
from comunagua.lib.periods import Period
from comunagua.supply.balance.selectors import SpanBalance, span_balance
from comunagua.supply.log.entry import LogEntry
from comunagua.supply.log.services import operator_log_correct
from comunagua.supply.models import BalanceSettings, OperatorLog, Source
from comunagua.supply.network.services import source_save
from tests.actors import add_connection, log, make_meter, make_tariff, month_read, run

pytestmark = pytest.mark.django_db
D = Decimal
MARCH = Period(2025, 3)


def span(committee, first=MARCH, last=MARCH) -> SpanBalance:
    with scope(committee=committee):
        return span_balance(committee=committee, first=first, last=last)


@pytest.fixture
def sewer_bill(committee, board_user):
    """One connection with sewer, 12.5 m³ in March 2025: 18.00 fixed + 20.00 + 7.50 of water,
    6.83 of sewer, -0.03 of rounding = 52.30 (tests/billing/test_services.py)."""
    make_tariff(committee, board_user)
    connection = add_connection(committee, "2", by=board_user, has_sewer=True)
    month_read(committee, 2025, 3, {connection: "12.5"}, board_user)
    billing_run = run(committee)
    with scope(committee=committee):
        return billing_run.bills.get()


def test_the_average_tariff_counts_only_the_water_lines_not_the_sewer(committee, meter, sewer_bill):
    log(committee, date(2025, 3, 31), {meter: D("1040")})
    costs = span(committee).costs
    assert costs.water_charges == D("45.50")  # not the bill's 52.30
    assert costs.tariff_per_m3 == D("3.64")  # 45.50 / 12.5


def test_a_credit_note_takes_its_share_of_the_water_lines_back(
    committee, board_user, meter, sewer_bill
):
    log(committee, date(2025, 3, 31), {meter: D("1040")})
    with scope(committee=committee):
        # A fifth of the bill's 52.30 taken back: a fifth of its water too.
        credit_note_issue(bill=sewer_bill, amount=D("10.46"), reason="Fuga interna", by=board_user)
    costs = span(committee).costs
    assert costs.water_charges == D("36.40")
    assert costs.tariff_per_m3 == D("2.912")


def test_money_is_rounded_once_not_per_m3_first(committee, meter, sewer_bill):
    with scope(committee=committee):
        BalanceSettings.objects.create(committee=committee, maintenance_per_month=D("10"))
    log(committee, date(2025, 3, 31), {meter: D("1030")})  # 30 m³: Bs 10 / 30 = 0,333... a m³
    result = span(committee)
    assert result.costs.per_m3 == D(10) / D(30)  # not 0.33
    real = result.balance.real_losses_m3.value
    assert real > 10  # enough m³ for a rounded price to be a centavo off
    assert result.balance.real_losses_cost.value == cents(real * D(10) / D(30))
    assert result.balance.real_losses_cost.value != cents(real * D("0.33"))


def test_kwh_per_m3_divides_by_the_water_pumped_not_the_water_bought(committee, meter, sewer_bill):
    tanker = _tanker(committee, D("25"))
    assert tanker.is_active
    log(committee, date(2025, 3, 31), {meter: D("1040")}, energy_kwh=D("20"), tanker_m3=D("60"))
    costs = span(committee).costs
    assert costs.produced_m3 == D("100")
    assert costs.kwh_per_m3 == D("0.5")  # 20 kWh for the well's 40 m³, not for 100 m³


def _bought(committee, kind: str, name: str, price: Decimal) -> Source:
    """A source the committee buys water from, at `price` per m³."""
    with scope(committee=committee):
        return source_save(
            committee=committee, by=None, name=name, kind=kind, supplier=name, price_per_m3=price
        )


def _tanker(committee, price: Decimal) -> Source:
    return _bought(committee, Source.Kind.TANKER, "Cisterna", price)


def _bulk(committee, price: Decimal) -> Source:
    return _bought(committee, Source.Kind.BULK, "EPSAS", price)


def test_past_months_keep_the_price_bought_water_had_when_it_was_logged(
    committee, meter, sewer_bill
):
    tanker = _tanker(committee, D("25"))
    bulk = _bulk(committee, D("2.8"))
    bulk_meter = make_meter(committee, source=bulk, name="Medidor EPSAS")
    log(
        committee,
        date(2025, 3, 31),
        {meter: D("1040"), bulk_meter: D("1100")},
        tanker_m3=D("10"),
    )
    before = span(committee).costs.purchased_cost
    assert before == D("530")  # 10 m³ x Bs 25 + 100 m³ x Bs 2,80
    with scope(committee=committee):
        source_save(
            committee=committee, by=None, source=tanker, price_per_m3=D("40"), is_active=False
        )
        source_save(committee=committee, by=None, source=bulk, price_per_m3=D("9"))
    assert span(committee).costs.purchased_cost == before
    # A correction of the day keeps the prices it was first entered with.
    with scope(committee=committee):
        day = OperatorLog.objects.get(day=date(2025, 3, 31))
        entry = LogEntry(
            day=day.day, readings={meter: D("1040"), bulk_meter: D("1100")}, tanker_m3=D("10")
        )
        operator_log_correct(log=day, entry=entry, by=None)
    assert span(committee).costs.purchased_cost == before
