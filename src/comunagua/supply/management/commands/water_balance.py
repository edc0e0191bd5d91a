"""`comunagua water-balance --committee SLUG --from YYYY-MM --to YYYY-MM [--json]`: the IWA water
balance of a span of months, as the balance page shows it, with each month's non-revenue water.

With --json: an object whose volumes and percentages are decimal strings — at least
system_input_m3, billed_authorized_m3, unbilled_authorized_m3, apparent_losses_m3, real_losses_m3,
non_revenue_water_m3 and nrw_percent — with every figure's 95 % range under "ranges", the cost
per m³ under "costs", the months under "months", and where district meters exist each
sector's total and months under "sectors".
"""

import json
from dataclasses import fields
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.translation import gettext as _

from comunagua.lib.money import CENT, round_to_unit
from comunagua.supply.balance import figures, selectors
from comunagua.supply.balance.iwa import Quantity
from comunagua.tenancy.commands import committee_from, period_from
from comunagua.tenancy.scoping import committee_scope
from comunagua.web.formats import format_money, format_number

KWH_UNIT = Decimal("0.001")


def _plain(value) -> str | None:
    return None if value is None else format(value, "f")


def _rounded(value: Decimal | None, unit: Decimal = CENT) -> Decimal | None:
    """The selectors keep costs unrounded; the command rounds what it prints."""
    return None if value is None else round_to_unit(value, unit)


def _sector_month(m: figures.SectorMonth) -> dict:
    return {
        "period": str(m.period),
        "entered_m3": _plain(m.input_m3),
        "billed_m3": _plain(m.billed_m3),
        "non_revenue_water_m3": _plain(m.nrw_m3),
        "nrw_percent": _plain(m.nrw_percent) if m.billed_m3 else None,
    }


def balance_as_data(committee, result: selectors.SpanBalance, months, sectors=()) -> dict:
    balance = result.balance
    data: dict = {
        "committee": committee.slug,
        "from": str(result.first),
        "to": str(result.last),
        "days": result.days,
    }
    ranges = {}
    for f in fields(balance):
        value = getattr(balance, f.name)
        if isinstance(value, Quantity):
            data[f.name] = _plain(value.value)
            ranges[f.name] = {"low": _plain(value.low), "high": _plain(value.high)}
    data["ranges"] = ranges
    data["ili"] = _plain(balance.ili)
    data["ili_status"] = balance.ili_status
    data["connections"] = result.inputs.connections
    costs = result.costs
    data["costs"] = {
        "energy_kwh": _plain(costs.energy_kwh),
        "kwh_per_m3": _plain(_rounded(costs.kwh_per_m3, KWH_UNIT)),
        "production_cost": _plain(_rounded(costs.total)),
        "production_cost_per_m3": _plain(_rounded(costs.per_m3)),
        "tariff_per_m3": _plain(_rounded(costs.tariff_per_m3)),
        "currency": committee.currency,
    }
    data["months_not_billed"] = [str(m) for m in result.months_not_billed]
    data["months"] = [
        {
            "period": str(m.period),
            "status": m.status,
            "system_input_m3": _plain(m.input_m3),
            "billed_authorized_m3": _plain(m.billed_m3),
            "non_revenue_water_m3": _plain(m.nrw_m3),
            "nrw_percent": _plain(m.nrw_percent),
        }
        for m in months
    ]
    data["sectors"] = [
        {
            "sector": s.sector.name,
            "total": _sector_month(s.total) | {"period": None},
            "months": [_sector_month(m) for m in s.months],
        }
        for s in sectors
    ]
    return data


class Command(BaseCommand):
    help = _("The water balance (IWA method) of a span of months, with non-revenue water.")

    def add_arguments(self, parser):
        parser.add_argument("--committee", required=True, metavar="SLUG", help=_("the committee"))
        parser.add_argument(
            "--from", dest="first", required=True, metavar="YYYY-MM", help=_("the first month")
        )
        parser.add_argument(
            "--to", dest="last", required=True, metavar="YYYY-MM", help=_("the last month")
        )
        parser.add_argument(
            "--json", action="store_true", help=_("print a JSON object instead of a table")
        )

    def handle(self, *args, committee: str, first: str, last: str, **options):
        current = committee_from(committee)
        start, end = period_from(first), period_from(last)
        if start > end:
            raise CommandError(_("--from must not come after --to."))
        if len(figures.months_of(start, end)) > 240:
            raise CommandError(_("Choose at most twenty years."))
        with committee_scope(current):
            result = selectors.span_balance(committee=current, first=start, last=end)
            months = selectors.monthly_nrw(committee=current, first=start, last=end)
            sectors = figures.sector_nrw(committee=current, first=start, last=end)
        if result.problem == "bad_inputs":
            raise CommandError(
                _(
                    "The water balance from %(first)s to %(last)s cannot be made: %(detail)s. "
                    "Correct the estimates on the water balance settings page (%(url)s)."
                )
                % {
                    "first": start,
                    "last": end,
                    "detail": result.detail,
                    "url": reverse("supply-settings", kwargs={"committee": current.slug}),
                }
            )
        if result.balance is None:
            raise CommandError(
                _("No production was logged from %(first)s to %(last)s: there is no balance.")
                % {"first": start, "last": end}
            )
        if options["json"]:
            data = balance_as_data(current, result, months, sectors)
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write("\n".join(self._table(current, result, months)))

    def _table(self, committee, result, months) -> list[str]:
        balance = result.balance
        lines = [
            _("Water balance of %(name)s, %(first)s to %(last)s")
            % {"name": committee.name, "first": result.first, "last": result.last},
            "",
        ]
        for name, label, indent in selectors.BALANCE_ROWS:
            q = getattr(balance, name)
            text = "  " * indent + str(label)
            figure = f"{format_number(q.value, 3):>14} m³"
            spread = ""
            if q.low != q.value or q.high != q.value:
                spread = f"  ({format_number(q.low, 3)} - {format_number(q.high, 3)})"
            lines.append(f"{text:<44}{figure}{spread}")
        nrw = balance.nrw_percent
        lines += [
            "",
            _("Non-revenue water: %(value)s %% (%(low)s - %(high)s %%)")
            % {
                "value": format_number(nrw.value, 2),
                "low": format_number(nrw.low, 2),
                "high": format_number(nrw.high, 2),
            },
        ]
        costs = result.costs
        if costs.per_m3 is not None:
            lines.append(
                _("Production cost per m³: %(cost)s; average tariff per m³: %(tariff)s")
                % {
                    "cost": format_money(_rounded(costs.per_m3), committee.currency),
                    "tariff": format_money(_rounded(costs.tariff_per_m3), committee.currency)
                    if costs.tariff_per_m3 is not None
                    else "—",
                }
            )
        if result.months_not_billed:
            lines.append(
                _("Months without bills (their NRW is overstated): %(months)s")
                % {"months": ", ".join(str(m) for m in result.months_not_billed)}
            )
        lines += ["", _("Non-revenue water by month:")]
        for m in months:
            shown = f"{format_number(m.nrw_percent, 2)} %" if m.nrw_percent is not None else "—"
            lines.append(f"  {m.period}  {shown:>10}")
        return lines
