"""`comunagua tariff ACTION …`: work with a tariff written as a TOML file.

    comunagua tariff quote --tariff FILE.toml --m3 12.5 [--category residential] [--sewer]
                           [--charge CODE[=AMOUNT] …] [--json]

prints the bill lines and the total for a month's consumption; with --json an object with
`total` (a decimal string), `currency` and `lines` (`code`, `description`, `amount`, and for
blocks `m3` and `price`). A malformed or inconsistent file is refused with a message naming the
field ("category[1].blocks[2].up_to_m3: …").

Each action is one subparser (`add_<action>_arguments`) and one method (`handle_<action>`):
adding another (e.g. `simulate`) touches nothing else.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from comunagua.lib.numbers import parse_decimal
from comunagua.tariffs import engine, labels
from comunagua.tariffs.templatetags.money import format_money, format_volume


class Command(BaseCommand):
    help = _("Work with tariffs written as TOML files: quote a month's bill.")

    actions = ("quote",)

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
