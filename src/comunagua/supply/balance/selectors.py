"""Reads of the water balance shared by pages and the `water-balance` command: the balance of a
span of months (production from the log, billed volumes and prices from billing, estimates from
the committee's settings) and of each month, with energy and cost per m³, and the span the
pages show by default. The month's figures are gathered in figures.py; the arithmetic is
balance.py's (the IWA balance) and costs.py's.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from comunagua.billing.selectors import latest_billed_period
from comunagua.lib.money import round_to_unit
from comunagua.lib.periods import Period
from comunagua.registry.models import Connection
from comunagua.tenancy.models import Committee

from ..models import BalanceSettings, OperatorLog
from .costs import Billed, Costs, Produced, costs_of
from .figures import billing_by_month, months_of, production_by_month
from .iwa import (
    BalanceError,
    BalanceInputs,
    Estimate,
    NoInflowError,
    WaterBalance,
    water_balance,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
LITRE = Decimal("0.001")


def balance_settings_of(committee: Committee) -> BalanceSettings:
    """The committee's settings, or the documented defaults (not saved) when it has none."""
    found = BalanceSettings.objects.filter(committee=committee).first()
    return found if found is not None else BalanceSettings(committee=committee)


# --- the water balance -------------------------------------------------------------------------

# The standard's table, in its order: (WaterBalance field, label, indent level).
BALANCE_ROWS = [
    ("system_input_m3", _("System input volume"), 0),
    ("authorized_consumption_m3", _("Authorized consumption"), 1),
    ("billed_authorized_m3", _("Billed authorized consumption"), 2),
    ("billed_metered_m3", _("Billed metered consumption"), 3),
    ("billed_unmetered_m3", _("Billed unmetered consumption"), 3),
    ("unbilled_authorized_m3", _("Unbilled authorized consumption"), 2),
    ("unbilled_metered_m3", _("Unbilled metered consumption"), 3),
    ("unbilled_unmetered_m3", _("Unbilled unmetered consumption"), 3),
    ("water_losses_m3", _("Water losses"), 1),
    ("apparent_losses_m3", _("Apparent losses"), 2),
    ("unauthorized_m3", _("Unauthorized consumption"), 3),
    ("meter_under_registration_m3", _("Customer meter under-registration"), 3),
    ("data_handling_errors_m3", _("Data handling errors"), 3),
    ("real_losses_m3", _("Real losses"), 2),
    ("revenue_water_m3", _("Revenue water"), 1),
    ("non_revenue_water_m3", _("Non-revenue water"), 1),
]


# --- the balance of a span ---------------------------------------------------------------------


def _estimate(value: Decimal, margin: Decimal) -> Estimate:
    return Estimate(Decimal(value), Decimal(margin))


def _connections(committee: Committee, billed: list[Billed]) -> int:
    """Connections served over the span: the bills of an average billed month, or the active
    connections when nothing was billed yet."""
    months = [b.bills for b in billed if b.bills]
    if months:
        return max(1, round(sum(months) / len(months)))
    active = Connection.objects.filter(committee=committee, status=Connection.Status.ACTIVE)
    return max(1, active.count())


def inputs_of(
    *,
    committee: Committee,
    produced: list[Produced],
    billed: list[Billed],
    settings: BalanceSettings,
    days: int,
    costs: Costs,
) -> BalanceInputs:
    unbilled = sum((p.unbilled_m3 for p in produced), ZERO)
    return BalanceInputs(
        own_sources_m3=sum((p.own_m3 for p in produced), ZERO),
        source_meter_error_pct=_estimate(
            settings.source_meter_error_pct, settings.source_meter_error_margin
        ),
        bulk_import_m3=sum((p.bulk_m3 for p in produced), ZERO),
        billed_metered_m3=sum((b.metered_m3 for b in billed), ZERO),
        billed_unmetered_m3=sum((b.unmetered_m3 for b in billed), ZERO),
        unbilled_metered_m3=ZERO,
        unbilled_unmetered_m3=Estimate(
            unbilled, round_to_unit(unbilled * settings.unbilled_margin_pct / HUNDRED, LITRE)
        ),
        unauthorized_pct=_estimate(settings.unauthorized_pct, settings.unauthorized_margin),
        customer_meter_under_registration_pct=_estimate(
            settings.under_registration_pct, settings.under_registration_margin
        ),
        data_handling_error_pct=_estimate(
            settings.data_handling_pct, settings.data_handling_margin
        ),
        connections=_connections(committee, billed),
        days=days,
        network_length_km=settings.network_length_km,
        average_pressure_m=settings.average_pressure_m,
        production_cost_per_m3=costs.per_m3 or ZERO,
        average_tariff_per_m3=costs.tariff_per_m3 or ZERO,
    )


@dataclass(frozen=True)
class SpanBalance:
    """The water balance of a span of months, with what it was made from. `balance` is None
    when it cannot be made (`problem` says why: "no_production")."""

    first: Period
    last: Period
    inputs: BalanceInputs | None
    balance: WaterBalance | None
    costs: Costs
    months_not_billed: list[Period]
    months_not_logged: list[Period]
    problem: str = ""
    detail: str = ""  # for "bad_inputs": what water_balance refused, in English

    @property
    def days(self) -> int:
        return (self.last.last_day - self.first.first_day).days + 1


def balance_or_problem(inputs: BalanceInputs) -> tuple[WaterBalance | None, str, str]:
    """(balance, problem, detail): the balance of `inputs`, or why there is none —
    "no_production" when no water entered the network (balance.NoInflowError), "bad_inputs"
    when water_balance refuses the inputs (an estimate out of range written straight to the
    table, say), with its message as `detail`."""
    try:
        return water_balance(inputs), "", ""
    except NoInflowError:
        return None, "no_production", ""
    except BalanceError as error:
        return None, "bad_inputs", str(error)


def span_balance(*, committee: Committee, first: Period, last: Period) -> SpanBalance:
    """The IWA water balance of the months first..last."""
    months = months_of(first, last)
    production = production_by_month(committee=committee, first=first, last=last)
    billing = billing_by_month(committee=committee, first=first, last=last)
    settings = balance_settings_of(committee)
    produced = [production.get(m, Produced()) for m in months]
    billed = [billing.get(m, Billed()) for m in months]
    costs = costs_of(produced, billed, settings, len(months))
    days = (last.last_day - first.first_day).days + 1
    not_billed = [m for m in months if m not in billing]
    not_logged = [m for m in months if m not in production]
    inputs = inputs_of(
        committee=committee,
        produced=produced,
        billed=billed,
        settings=settings,
        days=days,
        costs=costs,
    )
    balance, problem, detail = balance_or_problem(inputs)
    return SpanBalance(first, last, inputs, balance, costs, not_billed, not_logged, problem, detail)


@dataclass(frozen=True)
class MonthNRW:
    """A month's non-revenue water. `status`: "ok", "not_billed" (no bills yet: the month's NRW
    would be all its water), "no_production" (nothing logged) or "bad_inputs" (the balance
    refused the inputs: `detail` says why)."""

    period: Period
    input_m3: Decimal
    billed_m3: Decimal
    nrw_m3: Decimal | None
    nrw_percent: Decimal | None
    low: Decimal | None
    high: Decimal | None
    status: str
    detail: str = ""


def monthly_nrw(*, committee: Committee, first: Period, last: Period) -> list[MonthNRW]:
    """Each month's balance, by the same method as the span's (three queries for all months)."""
    months = months_of(first, last)
    production = production_by_month(committee=committee, first=first, last=last)
    billing = billing_by_month(committee=committee, first=first, last=last)
    settings = balance_settings_of(committee)
    result = []
    for month in months:
        produced = production.get(month, Produced())
        billed = billing.get(month)
        if produced.input_m3 <= 0:
            status = "no_production"
        elif billed is None:
            status = "not_billed"
        else:
            status = "ok"
        if status != "ok":
            result.append(
                MonthNRW(
                    month,
                    produced.input_m3,
                    billed.m3 if billed else ZERO,
                    None,
                    None,
                    None,
                    None,
                    status,
                )
            )
            continue
        costs = costs_of([produced], [billed], settings, 1)
        inputs = inputs_of(
            committee=committee,
            produced=[produced],
            billed=[billed],
            settings=settings,
            days=month.days,
            costs=costs,
        )
        balance, problem, detail = balance_or_problem(inputs)
        if balance is None:
            result.append(
                MonthNRW(
                    month, produced.input_m3, billed.m3, None, None, None, None, problem, detail
                )
            )
            continue
        nrw = balance.nrw_percent
        result.append(
            MonthNRW(
                month,
                balance.system_input_m3.value,
                balance.billed_authorized_m3.value,
                balance.non_revenue_water_m3.value,
                nrw.value,
                nrw.low,
                nrw.high,
                "ok",
            )
        )
    return result


def first_logged_month(committee: Committee) -> Period | None:
    day = (
        OperatorLog.objects.filter(committee=committee)
        .order_by("day")
        .values_list("day", flat=True)
        .first()
    )
    return Period.of(day) if day else None


def default_span(committee: Committee, today: date) -> tuple[Period, Period]:
    """The last twelve billed months (or fewer, from the first log)."""
    last = latest_billed_period(committee=committee) or Period.of(today).previous()
    first = last - 11
    logged = first_logged_month(committee)
    if logged is not None and first < logged <= last:
        first = logged
    return first, last
