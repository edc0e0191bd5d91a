"""The tariff simulator's real input: the consumption billed in a month, each bill as the
simulator takes it. The arithmetic is the tariffs' (tariffs/simulator.py, pure); the page and
the `tariff simulate` command call simulate_tariff. Reads only."""

from decimal import Decimal

from comunagua.lib.periods import Period
from comunagua.tariffs import engine, simulator
from comunagua.tariffs.engine import gettext_noop
from comunagua.tariffs.simulator import Usage
from comunagua.tenancy.models import Committee

from .models import Bill


def billed_usages(*, committee: Committee, period: Period) -> list[Usage]:
    """Each bill of the period as the tariff simulator needs it, in one query: the volume,
    category and sewer it was priced with, and its charges as issued. Empty when the period was
    not billed."""
    return [
        Usage(number=number, category=category, m3=m3, sewer=sewer, old_total=total)
        for number, category, m3, sewer, total in Bill.objects.filter(
            committee=committee, period=period.first_day
        )
        .order_by("number")
        .values_list(
            "connection__number", "category", "consumption_m3", "has_sewer", "charges_total"
        )
    ]


def simulate_tariff(
    *,
    committee: Committee,
    proposed: engine.Tariff,
    period: Period,
    costs: Decimal | None = None,
) -> simulator.Simulation:
    """The proposed tariff applied to the period's bills. Raises simulator.SimulationError
    when the period was not billed or the tariff cannot price its connections."""
    usages = billed_usages(committee=committee, period=period)
    if not usages:
        raise simulator.SimulationError(
            gettext_noop("%(period)s was not billed: choose a month that has bills"),
            {"period": str(period)},
        )
    return simulator.simulate(proposed, usages, costs=costs, currency=committee.currency)
