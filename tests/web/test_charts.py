"""The charts' shared frame (web/charts.py): a bar never leaves the chart, more never draws
less, and a bar stands on the baseline."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from comunagua.lib.periods import Period
from comunagua.web.charts import Frame, month_label
from tests.properties import pure

frames = st.builds(
    Frame,
    width=st.integers(60, 2000),
    height=st.integers(60, 600),
    top=st.integers(0, 30),
    bottom=st.integers(0, 30),
    slots=st.integers(0, 40),
)
amounts = st.decimals(min_value=-1000, max_value=10**7, places=2)
scales = st.decimals(min_value="0.01", max_value=10**7, places=2)


@pure
@given(frames, amounts, scales)
def test_a_bar_stands_on_the_baseline_and_never_rises_above_the_chart(frame, value, scale):
    value = min(value, scale)
    height = frame.height_of(value, scale)
    top = frame.top_of(height)
    assert Decimal(0) <= height <= frame.area
    assert top + height == frame.baseline
    assert frame.top <= top <= frame.baseline


@pure
@given(frames, amounts, amounts, scales)
def test_more_never_draws_a_shorter_bar_nor_a_lower_line(frame, a, b, scale):
    low, high = sorted((a, b))
    assert frame.height_of(low, scale) <= frame.height_of(high, scale)
    assert frame.y_of(low, scale) >= frame.y_of(high, scale)  # y grows downwards


@pure
@given(frames, st.integers(0, 39))
def test_each_slots_middle_lies_inside_the_chart(frame, index):
    if index >= max(frame.slots, 1):
        return
    assert Decimal(0) <= frame.slot_middle(index) <= frame.width


def test_a_month_is_written_under_its_bar_as_month_and_two_digit_year():
    assert month_label(Period(2026, 3)) == "03/26"
