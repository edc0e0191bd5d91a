"""Words for tariff lines and tariff errors, in the user's language. Used by the pages, the
`tariff` command and printed bills: `describe(line, tariff, category=...)` -> "Bloque 1 (0-10 m³)"
(with an en dash).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comunagua.web.formats import format_money, format_number, format_volume

from . import engine

EN_DASH = "\u2013"  # in ranges: 0-10 m³
TIMES = "\u00d7"  # the multiplication sign: 2,5 m³ x Bs 3,00

# The same words as registry.models.Connection.Category, so one translation serves both.
CATEGORY_LABELS = {
    "residential": gettext_lazy("Residential"),
    "social": gettext_lazy("Social"),
    "commercial": gettext_lazy("Commercial"),
    "institutional": gettext_lazy("Institutional"),
    "public_tap": gettext_lazy("Public tap"),
}

CHARGE_LABELS = {
    "late_fine": gettext_lazy("Late-payment fine"),
    "reconnection": gettext_lazy("Reconnection fee"),
    "assembly_fine": gettext_lazy("Fine for missing an assembly"),
    "connection_right": gettext_lazy("Connection right instalment"),
}


def category_label(code: str) -> str:
    return str(CATEGORY_LABELS.get(code, code))


def charge_label(charge: engine.Charge) -> str:
    """The name the tariff gives the charge, else the standard one, else its code."""
    return charge.name or str(CHARGE_LABELS.get(charge.code, charge.code))


def block_range(lower, upper) -> str:
    """ "0-10 m³" (an en dash), "more than 20 m³"."""
    if upper is None:
        return _("more than %(m3)s") % {"m3": format_volume(lower)}
    return f"{format_number(lower)}{EN_DASH}{format_volume(upper)}"


def describe(line: engine.Line, tariff: engine.Tariff, *, category: str | None = None) -> str:
    """What a bill line is, in words. With the category, blocks show their range and the fixed
    charge the volume it includes."""
    found = tariff.categories.get(category) if category else None
    code = line.code
    if code == "fixed":
        if found is not None and found.minimum_m3 > 0:
            return _("Fixed charge (includes %(m3)s)") % {"m3": format_volume(found.minimum_m3)}
        return _("Fixed charge")
    if code.startswith("block") and code[5:].isdigit():
        number = int(code[5:])
        if found is not None and 1 <= number <= len(found.blocks):
            lower, upper = engine.block_ranges(found)[number - 1]
            return _("Block %(n)s (%(range)s)") % {"n": number, "range": block_range(lower, upper)}
        return _("Block %(n)s") % {"n": number}
    if code == "sewer":
        if found is not None:
            return _("Sewer (%(percent)s %%)") % {"percent": format_number(found.sewer_percent)}
        return _("Sewer")
    if code == "rounding":
        return _("Rounding")
    if code.startswith("charge:"):
        charge_code = code.removeprefix("charge:")
        charge = tariff.charges.get(charge_code)
        if charge is not None:
            return charge_label(charge)
        return str(CHARGE_LABELS.get(charge_code, charge_code))
    return code


def detail(line: engine.Line, tariff: engine.Tariff) -> str:
    """How a block line was computed: "2,5 m³ x Bs 3,00" (a times sign); empty for other lines."""
    if line.m3 is None or line.price is None:
        return ""
    return f"{format_volume(line.m3)} {TIMES} {format_money(line.price, tariff.currency)}"


def error_message(error: engine.TariffError) -> str:
    """ "category[1].blocks[2].up_to_m3: …" with the message in the user's language; the field
    stays as the file writes it."""
    message = _(error.template)
    if error.params:
        message = message % error.params
    return f"{error.field}: {message}"


def simulation_message(error) -> str:
    """A `simulator.SimulationError` in the user's language."""
    message = _(error.template)
    return message % error.params if error.params else message
