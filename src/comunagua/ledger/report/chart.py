"""The chart of the monthly report: two bars a month (income, expenses) laid out in SVG user
units, colours as attributes (which WeasyPrint needs). Pure: figures in, coordinates out."""

from dataclasses import dataclass
from decimal import Decimal

from comunagua.lib.periods import Period
from comunagua.web import charts

ZERO = Decimal("0.00")
INCOME_COLOUR = "#1f6f9f"
EXPENSES_COLOUR = "#c2571a"


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
    # 640 x 200 units, room above for the scale and the legend, below for the months.
    frame = charts.Frame(width=640, height=200, top=26, bottom=18, slots=len(history))
    width = frame.bar_width("0.36")
    largest = max((max(m.income, m.expenses) for m in history), default=ZERO)
    scale = largest if largest > 0 else Decimal(1)

    def bar(left: Decimal, amount: Decimal) -> Bar:
        height = frame.height_of(amount, scale)
        return Bar(charts.tenth(left), frame.top_of(height), width, height, amount)

    slots = []
    for index, month in enumerate(history):
        start = frame.slot_left(index) + (frame.slot - 2 * width) / 2
        slots.append(
            Slot(
                month=charts.month_label(month.period),
                label_x=frame.slot_middle(index),
                income=bar(start, month.income),
                expenses=bar(start + width, month.expenses),
                current=month.period == current,
            )
        )
    return {
        "slots": slots,
        **frame.svg(),
        "largest": largest,
        "income_colour": INCOME_COLOUR,
        "expenses_colour": EXPENSES_COLOUR,
        "ink": charts.INK,
        "legend_x": frame.width - 250,
    }
