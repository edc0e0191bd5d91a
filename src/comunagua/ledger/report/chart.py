"""The chart of the monthly report: two bars a month (income, expenses) laid out in SVG user
units, colours as attributes (which WeasyPrint needs). Pure: figures in, coordinates out."""

from dataclasses import dataclass
from decimal import Decimal

from comunagua.lib.periods import Period

ZERO = Decimal("0.00")
# The chart of income and expenses, in SVG user units.
CHART_WIDTH = 640


CHART_HEIGHT = 200


CHART_TOP = 26  # room for the scale and the legend


CHART_BOTTOM = 18  # room for the months below the bars


INCOME_COLOUR = "#1f6f9f"


EXPENSES_COLOUR = "#c2571a"


INK = "#1d2a30"


TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Bar:
    x: Decimal
    y: Decimal
    width: Decimal
    height: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Slot:
    month: str
    label_x: Decimal
    income: Bar
    expenses: Bar
    current: bool


def chart(history, *, current: Period) -> dict:
    """Two bars a month (income, expenses), scaled to the largest figure of the twelve months.
    A negative figure (more credit notes than income) draws no bar."""
    count = max(len(history), 1)
    slot = Decimal(CHART_WIDTH) / count
    width = (slot * Decimal("0.36")).quantize(TENTH)
    area = Decimal(CHART_HEIGHT - CHART_TOP - CHART_BOTTOM)
    largest = max((max(m.income, m.expenses) for m in history), default=ZERO)
    scale = largest if largest > 0 else Decimal(1)

    def bar(left: Decimal, amount: Decimal) -> Bar:
        height = (area * max(amount, ZERO) / scale).quantize(TENTH)
        top = Decimal(CHART_TOP) + area - height
        return Bar(left.quantize(TENTH), top, width, height, amount)

    slots = []
    for index, month in enumerate(history):
        start = slot * index + (slot - 2 * width) / 2
        slots.append(
            Slot(
                month=f"{month.period.month:02d}/{month.period.year % 100:02d}",
                label_x=(slot * index + slot / 2).quantize(TENTH),
                income=bar(start, month.income),
                expenses=bar(start + width, month.expenses),
                current=month.period == current,
            )
        )
    return {
        "slots": slots,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "top": CHART_TOP,
        "baseline": CHART_HEIGHT - CHART_BOTTOM,
        "month_y": CHART_HEIGHT - 4,
        "largest": largest,
        "income_colour": INCOME_COLOUR,
        "expenses_colour": EXPENSES_COLOUR,
        "ink": INK,
        "legend_x": CHART_WIDTH - 250,
    }
