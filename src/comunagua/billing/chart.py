"""The consumption chart on a printed bill: the last months' m³ as bars on the shared frame of
`comunagua.web.charts`, the current month marked and estimates told apart. Figures in,
coordinates out."""

from dataclasses import dataclass
from decimal import Decimal

from comunagua.lib.periods import Period
from comunagua.web import charts
from comunagua.web.formats import format_number

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Bar:
    x: Decimal
    y: Decimal
    width: Decimal
    height: Decimal
    label_x: Decimal
    value_y: Decimal
    month: str
    value: str
    estimated: bool
    current: bool


def consumption_chart(points, *, current: Period) -> dict:
    """Bars for the last months' consumption, scaled to the largest one."""
    # 300 x 110 units, room for the value above the tallest bar and the month below the bars;
    # six slots at least, so one month does not fill the chart.
    frame = charts.Frame(width=300, height=110, top=16, bottom=18, slots=max(len(points), 6))
    width = frame.bar_width("0.6")
    largest = max((p.m3 for p in points), default=ZERO) or Decimal(1)
    bars = []
    for index, point in enumerate(points):
        height = frame.height_of(point.m3, largest)
        top = frame.top_of(height)
        left = frame.slot_left(index) + (frame.slot - width) / 2
        bars.append(
            Bar(
                x=charts.tenth(left),
                y=top,
                width=width,
                height=height,
                label_x=charts.tenth(left + width / 2),
                value_y=top - 3,
                month=charts.month_label(point.period),
                value=format_number(point.m3),
                estimated=point.estimated,
                current=point.period == current,
            )
        )
    return {"bars": bars, **frame.svg()}
