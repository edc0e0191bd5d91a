"""A meter read weekly: each reading's volume belongs to the days since the previous reading, so
the month's production is its own water, not a week shifted across the month's end."""

from datetime import date

from django_scopes import scope

from comunagua.lib.periods import Period
from comunagua.supply.balance.figures import production_by_month, sector_nrw
from tests.actors import D, log, make_meter


def produced(committee, first, last):
    with scope(committee=committee):
        return production_by_month(
            committee=committee, first=Period.parse(first), last=Period.parse(last)
        )


def test_a_weekly_reading_across_the_months_end_is_shared_by_days(committee, meter):
    log(committee, date(2026, 1, 28), {meter: D("1000")})
    log(committee, date(2026, 2, 4), {meter: D("1070")})  # 70 m³ over Jan 29..Feb 4: 3 + 4 days
    months = produced(committee, "2026-01", "2026-02")
    assert months[Period(2026, 1)].own_m3 == D("30.000")
    assert months[Period(2026, 2)].own_m3 == D("40.000")


def test_a_month_asked_alone_still_gets_its_share_of_a_reading_taken_after_it(committee, meter):
    log(committee, date(2026, 1, 28), {meter: D("1000")})
    log(committee, date(2026, 2, 4), {meter: D("1070")})
    assert produced(committee, "2026-01", "2026-01")[Period(2026, 1)].own_m3 == D("30.000")
    assert produced(committee, "2026-02", "2026-02")[Period(2026, 2)].own_m3 == D("40.000")


def test_shares_that_do_not_divide_evenly_still_add_up_to_the_litre(committee, meter):
    log(committee, date(2026, 1, 30), {meter: D("1000")})
    log(committee, date(2026, 2, 2), {meter: D("1010")})  # 10 m³ over 3 days: 1 + 2 days
    months = produced(committee, "2026-01", "2026-02")
    assert months[Period(2026, 1)].own_m3 == D("3.333")
    assert months[Period(2026, 2)].own_m3 == D("6.667")
    assert months[Period(2026, 1)].own_m3 + months[Period(2026, 2)].own_m3 == D("10")


def test_a_reading_after_a_gap_longer_than_a_quarter_counts_on_its_own_day(committee, meter):
    log(committee, date(2025, 9, 1), {meter: D("1000")})
    log(committee, date(2026, 1, 10), {meter: D("1500")})
    months = produced(committee, "2025-09", "2026-01")
    assert months[Period(2026, 1)].own_m3 == D("500.000")
    assert Period(2025, 12) not in months


def test_a_district_meters_weekly_volume_is_shared_by_days_in_the_sectors_nrw(
    committee, sector, meter
):
    district = make_meter(committee, sector=sector, name="Macromedidor Sector Alto")
    log(committee, date(2026, 1, 28), {district: D("1000"), meter: D("1000")})
    log(committee, date(2026, 2, 4), {district: D("1070"), meter: D("1080")})
    with scope(committee=committee):
        (row,) = sector_nrw(committee=committee, first=Period(2026, 1), last=Period(2026, 2))
    assert [m.input_m3 for m in row.months] == [D("30.000"), D("40.000")]
