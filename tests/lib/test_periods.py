"""Months and the days a measurement covers."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from comunagua.lib.periods import Period, days_by_month


def test_a_week_across_a_months_end_is_counted_in_each_month():
    assert days_by_month(date(2026, 1, 28), date(2026, 2, 4)) == [
        (Period(2026, 1), 3),
        (Period(2026, 2), 4),
    ]


def test_a_leap_february_is_counted_whole():
    assert days_by_month(date(2028, 1, 31), date(2028, 2, 29)) == [(Period(2028, 2), 29)]


def test_no_days_between_a_day_and_itself_or_an_earlier_one():
    assert days_by_month(date(2026, 3, 5), date(2026, 3, 5)) == []
    assert days_by_month(date(2026, 3, 5), date(2026, 3, 1)) == []


@given(st.dates(date(2000, 1, 1), date(2100, 1, 1)), st.integers(1, 800))
def test_the_months_days_add_up_to_the_span_in_consecutive_months(after, length):
    until = after + timedelta(days=length)
    months = days_by_month(after, until)
    assert sum(days for _month, days in months) == length
    assert all(0 < days <= month.days for month, days in months)
    assert [m for m, _d in months] == [months[0][0] + i for i in range(len(months))]
    assert months[0][0] == Period.of(after + timedelta(days=1))
    assert months[-1][0] == Period.of(until)
