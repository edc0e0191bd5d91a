"""The supply pages' charts, laid out on the shared frame of `comunagua.web.charts`: non-revenue
water month by month, and the well's levels. Only geometry here: the figures come from the
selectors.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from comunagua.web.charts import INK, ZERO, Frame, month_label, tenth

NRW_COLOUR = "#0b6e99"
STATIC_COLOUR = "#0b6e99"
PUMPING_COLOUR = "#c2571a"
INTAKE_COLOUR = "#b3261e"

WIDTH = 640
HEIGHT = 220
TOP = 26  # room for the scale and the legend
BOTTOM = 22  # room for the months
LEFT = 40  # room for the depth scale (well chart)


@dataclass(frozen=True)
class NrwBar:
    month: str  # "03/25"; "" when a long series leaves every other month unlabelled
    period: str  # "2025-03"
    title: str  # "03/25", always
    label_x: Decimal
    x: Decimal
    y: Decimal
    width: Decimal
    height: Decimal
    percent: Decimal | None
    low_y: Decimal | None
    high_y: Decimal | None
    status: str


def nrw_chart(months) -> dict:
    """One bar a month: its NRW as a percentage of system input, with a whisker for the 95 %
    range. A month not billed yet, or without production, draws no bar."""
    count = len(months)
    frame = Frame(width=WIDTH, height=HEIGHT, top=TOP, bottom=BOTTOM, slots=count)
    width = frame.bar_width("0.6")
    highest = max((m.high or m.nrw_percent or ZERO for m in months), default=ZERO)
    # The scale: the highest figure rounded up to ten, at least 40 %.
    scale = max(Decimal(40), (highest / 10).to_integral_value(ROUND_CEILING) * 10)

    def y(percent: Decimal) -> Decimal:
        return frame.y_of(percent, scale)

    bars = []
    for index, m in enumerate(months):
        left = frame.slot_left(index) + (frame.slot - width) / 2
        if m.nrw_percent is None:
            top = height = ZERO
        else:
            top = y(m.nrw_percent)
            height = tenth(frame.top_of(ZERO) - top)
        labelled = count <= 14 or index % 2 == (count - 1) % 2  # always the last month
        bars.append(
            NrwBar(
                month=month_label(m.period) if labelled else "",
                title=month_label(m.period),
                period=str(m.period),
                label_x=frame.slot_middle(index),
                x=tenth(left),
                y=top,
                width=width,
                height=height,
                percent=m.nrw_percent,
                low_y=y(m.low) if m.low is not None else None,
                high_y=y(m.high) if m.high is not None else None,
                status=m.status,
            )
        )
    return {
        "bars": bars,
        **frame.svg(),
        "scale": scale,
        "quarter_y": y(scale / 4),
        "quarter": scale / 4,
        "colour": NRW_COLOUR,
        "ink": INK,
    }


@dataclass(frozen=True)
class Point:
    x: Decimal
    y: Decimal
    day: date
    depth: Decimal


def well_chart(report) -> dict | None:
    """Static levels as a line, pumping levels as dots, the static trend dashed and the pump
    intake as a red line; depth grows downwards, as in the well."""
    levels = report.static + report.pumping
    if not levels:
        return None
    start = min(lv.measured_on for lv in levels)
    end = max(lv.measured_on for lv in levels)
    days = max((end - start).days, 1)
    depths = [lv.depth_m for lv in levels]
    intake = report.source.pump_intake_m
    shallow = min(depths)
    deep = max([*depths, intake] if intake is not None else depths)
    shallow = (shallow - 1).to_integral_value()
    deep = (deep + 1).to_integral_value(ROUND_CEILING)
    span = max(deep - shallow, Decimal(1))
    plot_width = Decimal(WIDTH - LEFT - 8)
    area = Decimal(HEIGHT - TOP - BOTTOM)

    def x(day: date) -> Decimal:
        return tenth(Decimal(LEFT) + plot_width * Decimal((day - start).days) / Decimal(days))

    def y(depth: Decimal) -> Decimal:
        return tenth(Decimal(TOP) + area * (Decimal(depth) - shallow) / span)

    static = [
        Point(x(lv.measured_on), y(lv.depth_m), lv.measured_on, lv.depth_m) for lv in report.static
    ]
    pumping = [
        Point(x(lv.measured_on), y(lv.depth_m), lv.measured_on, lv.depth_m) for lv in report.pumping
    ]
    trend = None
    if report.trend is not None:
        trend = {
            "x1": x(start),
            "y1": y(report.trend.level_on(start)),
            "x2": x(end),
            "y2": y(report.trend.level_on(end)),
        }
    years = []
    for year in range(start.year + 1, end.year + 1):
        day = date(year, 1, 1)
        years.append({"x": x(day), "label": str(year)})
    ticks = []
    step = max(Decimal(1), (span / 4).to_integral_value(ROUND_CEILING))
    depth = shallow
    while depth <= deep:
        ticks.append({"y": y(depth), "label": depth})
        depth += step
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "top": TOP,
        "right": WIDTH - 8,
        "baseline": HEIGHT - BOTTOM,
        "year_y": HEIGHT - 4,
        "static_points": " ".join(f"{p.x},{p.y}" for p in static),
        "static": static,
        "pumping": pumping,
        "trend": trend,
        "intake_y": y(intake) if intake is not None else None,
        "intake": intake,
        "years": years,
        "ticks": ticks,
        "static_colour": STATIC_COLOUR,
        "pumping_colour": PUMPING_COLOUR,
        "intake_colour": INTAKE_COLOUR,
        "ink": INK,
    }
