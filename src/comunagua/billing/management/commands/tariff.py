"""`comunagua tariff ACTION …`: work with a tariff written as a TOML file.

    comunagua tariff quote --tariff FILE.toml --m3 12.5 [--category residential] [--sewer]
                           [--charge CODE[=AMOUNT] …] [--json]

prints the bill lines and the total for a month's consumption; with --json an object with
`total` (a decimal string), `currency` and `lines` (`code`, `description`, `amount`, and for
blocks `m3` and `price`). A malformed or inconsistent file is refused with a message naming the
field ("category[1].blocks[2].up_to_m3: …").

    comunagua tariff simulate --committee SLUG --tariff FILE.toml --period YYYY-MM
                              [--costs AMOUNT] [--json]

applies the tariff to the consumption billed in the period and prints, per category and per
household decile, the bills as issued, the bills under the tariff and the difference, and the
month's revenue against the committee's costs (docs/tariffs.md, "The simulator").

Each action is one subparser (`add_<action>_arguments`) and one method (`handle_<action>`):
adding another touches nothing else.

The command lives in billing, not in tariffs: `simulate` reads the billed months, which the
tariffs (below billing) cannot; `quote` is the tariff engine alone.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from comunagua.billing import simulation
from comunagua.lib.numbers import parse_decimal
from comunagua.lib.periods import Period
from comunagua.tariffs import engine, labels, simulator
from comunagua.tenancy.commands import committee_from, period_from
from comunagua.tenancy.scoping import committee_scope
from comunagua.web.formats import format_money, format_number, format_volume


class Command(BaseCommand):
    help = _(
        "Work with tariffs written as TOML files: quote a month's bill, or simulate a tariff "
        "on a billed month."
    )

    actions = ("quote", "simulate")

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        for action in self.actions:
            getattr(self, f"add_{action}_arguments")(subparsers)

    def handle(self, *args, action: str, **options):
        return getattr(self, f"handle_{action}")(**options)

    # --- quote -----------------------------------------------------------------------------

    def add_quote_arguments(self, subparsers):
        quote = subparsers.add_parser(
            "quote",
            help=_("the bill lines and total for a month's consumption"),
            description=_("Print the bill lines and the total for a month's consumption."),
        )
        tariff_file_argument(quote)
        quote.add_argument(
            "--m3", required=True, metavar="M3", help=_("the month's consumption in m³, e.g. 12.5")
        )
        quote.add_argument(
            "--category",
            default="residential",
            metavar="CODE",
            help=_("the connection's category (default: residential)"),
        )
        quote.add_argument(
            "--sewer", action="store_true", help=_("the connection has a sewer connection")
        )
        quote.add_argument(
            "--charge",
            action="append",
            default=[],
            metavar="CODE[=AMOUNT]",
            help=_("add a charge of the tariff, e.g. late_fine or late_fine=7.50 (repeatable)"),
        )
        quote.add_argument(
            "--json", action="store_true", help=_("print a JSON object instead of a table")
        )

    def handle_quote(self, *, tariff: str, m3: str, category: str, sewer: bool, **options):
        rules = read_tariff(tariff)
        volume = _decimal_option("m3", m3)
        extra = [_charge_option(text) for text in options["charge"]]
        try:
            result = engine.quote(rules, category=category, m3=volume, sewer=sewer, extra=extra)
        except engine.TariffError as error:
            raise CommandError(labels.error_message(error)) from error
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    quote_as_data(rules, result, category=category, m3=volume, sewer=sewer),
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            self.stdout.write(
                "\n".join(quote_as_table(rules, result, category=category, m3=volume, sewer=sewer))
            )

    # --- simulate --------------------------------------------------------------------------

    def add_simulate_arguments(self, subparsers):
        simulate = subparsers.add_parser(
            "simulate",
            help=_("a proposed tariff applied to the consumption of a billed month"),
            description=_(
                "Apply a proposed tariff to the consumption billed in a month: the old and the "
                "new bills per category and per household decile, and the revenue against the "
                "committee's costs."
            ),
        )
        simulate.add_argument("--committee", required=True, metavar="SLUG", help=_("the committee"))
        tariff_file_argument(simulate)
        simulate.add_argument(
            "--period", required=True, metavar="YYYY-MM", help=_("a billed month, e.g. 2025-03")
        )
        simulate.add_argument(
            "--costs",
            metavar="AMOUNT",
            help=_("the committee's costs for one month (energy, operator, chlorine, repairs)"),
        )
        simulate.add_argument(
            "--json", action="store_true", help=_("print a JSON object instead of tables")
        )

    def handle_simulate(self, *, committee: str, tariff: str, period: str, costs, **options):
        rules = read_tariff(tariff)
        current = committee_from(committee)
        month = period_from(period)
        amount = None if costs is None else _decimal_option("costs", costs)
        with committee_scope(current):
            try:
                result = simulation.simulate_tariff(
                    committee=current, proposed=rules, period=month, costs=amount
                )
            except simulator.SimulationError as error:
                raise CommandError(labels.simulation_message(error)) from error
        if options["json"]:
            data = simulation_as_data(result)
            data = {"committee": current.slug, "period": str(month), "tariff": rules.name, **data}
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\n".join(simulation_as_table(rules, result, period=month)))


def tariff_file_argument(parser) -> None:
    parser.add_argument(
        "--tariff", required=True, metavar="FILE.toml", help=_("the tariff, as a TOML file")
    )


def read_tariff(path: str) -> engine.Tariff:
    """The tariff in a TOML file; anything wrong is a CommandError naming the field."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise CommandError(
            _("tariff: cannot read “%(name)s”: %(reason)s") % {"name": path, "reason": reason}
        ) from error
    try:
        return engine.from_toml(text)
    except engine.TariffError as error:
        raise CommandError(labels.error_message(error)) from error


def _decimal_option(name: str, text: str) -> Decimal:
    try:
        return parse_decimal(text)
    except ValueError:
        raise CommandError(
            _("%(field)s: not a number: “%(value)s”") % {"field": name, "value": text}
        ) from None


def _charge_option(text: str) -> tuple[str, Decimal | None]:
    code, sep, amount = text.partition("=")
    return code.strip(), _decimal_option(f"charge:{code.strip()}", amount) if sep else None


def _plain(value: Decimal) -> str:
    return format(value, "f")


def quote_as_data(rules: engine.Tariff, result: engine.Quote, *, category, m3, sewer) -> dict:
    lines = []
    for line in result.lines:
        entry = {
            "code": line.code,
            "description": labels.describe(line, rules, category=category),
            "amount": _plain(line.amount),
        }
        if line.m3 is not None:
            entry["m3"] = _plain(line.m3)
        if line.price is not None:
            entry["price"] = _plain(line.price)
        lines.append(entry)
    return {
        "tariff": rules.name,
        "category": category,
        "m3": _plain(m3),
        "sewer": sewer,
        "currency": result.currency,
        "lines": lines,
        "total": _plain(result.total),
    }


def quote_as_table(rules: engine.Tariff, result: engine.Quote, *, category, m3, sewer) -> list:
    heading = [rules.name, labels.category_label(category), format_volume(m3)]
    if sewer:
        heading.append(_("with sewer"))
    rows = [
        (
            labels.describe(line, rules, category=category),
            labels.detail(line, rules),
            format_money(line.amount, result.currency),
        )
        for line in result.lines
    ]
    total = (_("Total"), "", format_money(result.total, result.currency))
    width = [max(len(row[i]) for row in [*rows, total]) for i in range(3)]

    def row(cells) -> str:
        text, how, amount = cells
        return f"  {text:<{width[0]}}  {how:<{width[1]}}  {amount:>{width[2]}}".rstrip()

    rule = "  " + "-" * (sum(width) + 4)
    return [" · ".join(heading), *map(row, rows), rule, row(total)]


def _optional(value: Decimal | None) -> str | None:
    return None if value is None else _plain(value)


def row_as_data(row: simulator.Row) -> dict:
    return {
        "connections": row.connections,
        "m3": _plain(row.m3),
        "m3_min": _plain(row.m3_min),
        "m3_max": _plain(row.m3_max),
        "m3_average": _plain(row.m3_average),
        "old_total": _plain(row.old_total),
        "new_total": _plain(row.new_total),
        "difference": _plain(row.difference),
        "change_percent": _optional(row.change_percent),
        "old_average": _plain(row.old_average),
        "new_average": _plain(row.new_average),
    }


def simulation_as_data(result: simulator.Simulation) -> dict:
    return {
        "currency": result.currency,
        "categories": [
            {"code": row.key, "label": labels.category_label(row.key), **row_as_data(row)}
            for row in result.categories
        ],
        "deciles": [{"decile": int(row.key), **row_as_data(row)} for row in result.deciles],
        "households": row_as_data(result.households),
        "total": row_as_data(result.total),
        "costs": _optional(result.costs),
        "old_balance": _optional(result.old_balance),
        "new_balance": _optional(result.new_balance),
        "old_coverage_percent": _optional(result.old_coverage_percent),
        "new_coverage_percent": _optional(result.new_coverage_percent),
    }


def _percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{'+' if value > 0 else ''}{format_number(value, 1)} %"


def _table(heading: list[str], rows: list[list[str]]) -> list[str]:
    """Left-aligned first column, the rest right-aligned, two spaces apart."""
    width = [max(len(row[i]) for row in [heading, *rows]) for i in range(len(heading))]

    def line(cells: list[str]) -> str:
        first, *rest = cells
        cells = zip(rest, width[1:], strict=True)
        text = [f"{first:<{width[0]}}", *(f"{cell:>{w}}" for cell, w in cells)]
        return "  " + "  ".join(text).rstrip()

    return [line(heading), "  " + "-" * (sum(width) + 2 * (len(width) - 1)), *map(line, rows)]


def simulation_as_table(
    rules: engine.Tariff, result: simulator.Simulation, *, period: Period
) -> list[str]:
    currency = result.currency

    def money(value: Decimal) -> str:
        return format_money(value, currency)

    def signed(value: Decimal) -> str:
        return ("+" if value > 0 else "") + money(value)

    out = [
        _("“%(tariff)s” on the consumption billed in %(period)s: %(count)d connections.")
        % {"tariff": rules.name, "period": period, "count": result.total.connections},
        "",
        _("By category"),
    ]
    heading = [
        _("Category"),
        _("Connections"),
        _("Volume"),
        _("Billed"),
        _("With this tariff"),
        _("Difference"),
        "%",
    ]
    rows = [
        [
            labels.category_label(row.key) if row.key != "total" else _("Total"),
            str(row.connections),
            format_volume(row.m3),
            money(row.old_total),
            money(row.new_total),
            signed(row.difference),
            _percent(row.change_percent),
        ]
        for row in (*result.categories, result.total)
    ]
    out += _table(heading, rows)
    if result.deciles:
        out += ["", _("Households by decile of consumption (average bill)")]
        heading = [
            _("Decile"),
            _("Households"),
            _("Volume"),
            _("Billed"),
            _("With this tariff"),
            _("Difference"),
            "%",
        ]
        rows = [
            [
                row.key,
                str(row.connections),
                labels.block_range(row.m3_min, row.m3_max)
                if row.m3_min != row.m3_max
                else format_volume(row.m3_min),
                money(row.old_average),
                money(row.new_average),
                signed(row.average_difference),
                _percent(row.change_percent),
            ]
            for row in result.deciles
        ]
        out += _table(heading, rows)
    out.append("")
    if result.costs is None:
        out.append(
            _("Revenue: %(new)s with this tariff, %(old)s as billed (give --costs to compare).")
            % {"new": money(result.total.new_total), "old": money(result.total.old_total)}
        )
    else:
        out.append(
            _(
                "Revenue: %(new)s with this tariff, %(old)s as billed; costs %(costs)s: "
                "covered %(new_cover)s (now %(old_cover)s), balance %(new_balance)s "
                "(now %(old_balance)s)."
            )
            % {
                "new": money(result.total.new_total),
                "old": money(result.total.old_total),
                "costs": money(result.costs),
                "new_cover": _percent(result.new_coverage_percent).lstrip("+"),
                "old_cover": _percent(result.old_coverage_percent).lstrip("+"),
                "new_balance": signed(result.new_balance),
                "old_balance": signed(result.old_balance),
            }
        )
    return out
