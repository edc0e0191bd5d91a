"""The geometry of the small SVG charts that pages and prints draw without JavaScript: the bill's
six months of consumption, the monthly report's income and expenses, the water's non-revenue
water and the well's levels. Templates draw the SVG; colours go in as attributes, which
WeasyPrint prints too. Pure arithmetic on Decimals, to a tenth of an SVG unit: figures in,
coordinates out.
"""

from dataclasses import dataclass
from decimal import Decimal

TENTH = Decimal("0.1")
ZERO = Decimal(0)
INK = "#1d2a30"  # text and axes on every chart


def tenth(value) -> Decimal:
    return Decimal(value).quantize(TENTH)


def month_label(period) -> str:
    """A month under its bar: "03/25"."""
    return f"{period.month:02d}/{period.year % 100:02d}"


@dataclass(frozen=True)
class Frame:
    """A chart of `width` by `height` units with room above (`top`: a scale, a legend, the values)
    and below (`bottom`: the months) and bars in `slots` equal columns."""

    width: int
    height: int
    top: int
    bottom: int
    slots: int

    @property
    def area(self) -> Decimal:
        """The height bars grow in."""
        return Decimal(self.height - self.top - self.bottom)

    @property
    def slot(self) -> Decimal:
        return Decimal(self.width) / max(self.slots, 1)

    @property
    def baseline(self) -> int:
        return self.height - self.bottom

    @property
    def label_y(self) -> int:
        """Where the months (or years) are written."""
        return self.height - 4

    def bar_width(self, share: str) -> Decimal:
        """A bar as a share of its slot ("0.6": a bar alone, "0.36": one of two)."""
        return tenth(self.slot * Decimal(share))

    def slot_left(self, index: int) -> Decimal:
        return self.slot * index

    def slot_middle(self, index: int) -> Decimal:
        return tenth(self.slot * index + self.slot / 2)

    def height_of(self, value: Decimal, scale: Decimal) -> Decimal:
        """A bar's height for `value` on a chart whose top is `scale`; nothing below zero."""
        return tenth(self.area * max(value, ZERO) / scale)

    def top_of(self, height: Decimal) -> Decimal:
        """The y of a bar's top, SVG's y growing downwards from the chart's top."""
        return Decimal(self.top) + self.area - height

    def y_of(self, value: Decimal, scale: Decimal) -> Decimal:
        """The y of `value` on a scale from zero to `scale` (a line, a whisker, a bar's top)."""
        shown = min(max(value, ZERO), scale)
        return tenth(Decimal(self.top) + self.area - self.area * shown / scale)

    def svg(self) -> dict:
        """What every chart template needs of the frame."""
        return {
            "width": self.width,
            "height": self.height,
            "top": self.top,
            "baseline": self.baseline,
            "month_y": self.label_y,
        }
