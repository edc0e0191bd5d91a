"""The tariff engine: a month's consumption and a category in, bill lines and a total out.

Pure: no Django here, Decimal throughout, every rounding through `comunagua.lib.money`. A tariff
is data (`parse`, `from_toml`, `to_data`, `to_toml`); `quote` prices one connection's month:

- a fixed charge, whatever the consumption, which covers `minimum_m3` (consumo mínimo);
- increasing blocks over the whole month's consumption: each block's price times the part of
  the consumption that falls inside the block and above the minimum;
- for connections with sewer, `sewer_percent` of those water charges (fixed plus blocks);
- extra charges (fines, fees) as lines of their own, not subject to sewer;
- each line rounded half-up to the centavo, the total half-up to the tariff's rounding unit,
  the difference shown as a "rounding" line so that the lines always add up to the total.

Validation errors are `TariffError`s naming the field as the file writes it, counting from 1:
"category[2].blocks[1].up_to_m3: must be greater than 0". Their messages are English templates
marked for translation (`labels.error_message` renders them in the user's language).
"""

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from comunagua.lib.money import CENT, MoneyError, as_decimal, cents, round_to_unit

# The registry's connection categories (registry.models.Connection.Category); kept here because
# the engine imports no Django. tests/tariffs/test_engine.py checks the two lists agree.
CATEGORIES = ("residential", "social", "commercial", "institutional", "public_tap")

# Extra charges committees commonly apply; any other code that fits CHARGE_CODE is allowed.
KNOWN_CHARGES = ("late_fine", "reconnection", "assembly_fine", "connection_right")

# Nothing a water committee charges or measures comes near this.
LIMIT = Decimal("1e9")
MONEY_PLACES = 2  # fixed charges, extra charges, the rounding unit
PRICE_PLACES = 4  # a price per m³ may be written to the hundredth of a centavo
VOLUME_PLACES = 3  # m³ with litre precision
PERCENT_PLACES = 2

CHARGE_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
CURRENCY = re.compile(r"[A-Z]{3}")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_COMMA_NUMBER = re.compile(r"-?\d+,\d+")


def gettext_noop(message: str) -> str:
    """Marks a message for extraction (makemessages); translated where it is shown."""
    return message


# --- the tariff ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """Prices the consumption up to `up_to_m3` (from the previous block's bound); the last block
    has no bound."""

    up_to_m3: Decimal | None
    price: Decimal


@dataclass(frozen=True)
class Category:
    code: str
    fixed_charge: Decimal
    minimum_m3: Decimal
    sewer_percent: Decimal
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Charge:
    """A charge a committee applies beside the water: "late_fine", "reconnection",
    "assembly_fine", "connection_right" ... `name` may be empty (a standard label is shown)."""

    code: str
    name: str
    amount: Decimal


@dataclass(frozen=True)
class Tariff:
    name: str
    currency: str
    rounding: Decimal
    categories: Mapping[str, Category]
    charges: Mapping[str, Charge]


@dataclass(frozen=True)
class Line:
    """One line of a bill. Codes: "fixed", "block1", "block2" ... (m3 and price set),
    "sewer", "charge:<code>", "rounding"."""

    code: str
    amount: Decimal
    m3: Decimal | None = None
    price: Decimal | None = None


@dataclass(frozen=True)
class Quote:
    lines: tuple[Line, ...]
    total: Decimal
    currency: str


class TariffError(ValueError):
    """A tariff or a quote that cannot be: `field` says where ("category[1].fixed_charge"),
    `message` what is wrong (English); `template` and `params` let it be translated."""

    def __init__(self, field: str, message: str, params: Mapping[str, object] | None = None):
        self.field = field
        self.template = message
        self.params = dict(params or {})
        self.message = message % self.params if self.params else message
        super().__init__(f"{field}: {self.message}")


def block_ranges(category: Category) -> tuple[tuple[Decimal, Decimal | None], ...]:
    """(from, to) of every block, as written in the tariff: ((0, 10), (10, 20), (20, None))."""
    ranges = []
    lower = Decimal(0)
    for block in category.blocks:
        ranges.append((lower, block.up_to_m3))
        if block.up_to_m3 is not None:
            lower = block.up_to_m3
    return tuple(ranges)


# --- pricing ---------------------------------------------------------------------------------


def quote(
    tariff: Tariff,
    *,
    category: str,
    m3: Decimal,
    sewer: bool = False,
    extra: Sequence[tuple[str, Decimal | None]] = (),
) -> Quote:
    """Price a month's consumption `m3` for a connection of `category`.

    `extra` lists charges of the tariff to add, as (code, amount); an amount of None takes the
    tariff's own amount. The lines add up to the total exactly.
    """
    try:
        chosen = tariff.categories[category]
    except (KeyError, TypeError):
        raise TariffError(
            "category",
            gettext_noop("this tariff has no category “%(code)s”; it has: %(codes)s"),
            {"code": category, "codes": ", ".join(tariff.categories)},
        ) from None
    volume = _consumption(m3)

    lines = [Line("fixed", cents(chosen.fixed_charge))]
    for number, ((lower, upper), block) in enumerate(
        zip(block_ranges(chosen), chosen.blocks, strict=True), start=1
    ):
        start = max(lower, chosen.minimum_m3)
        end = volume if upper is None else min(volume, upper)
        if end > start:
            part = end - start
            lines.append(Line(f"block{number}", cents(part * block.price), part, block.price))
    if sewer and chosen.sewer_percent > 0:
        water = sum(line.amount for line in lines)
        lines.append(Line("sewer", cents(water * chosen.sewer_percent / 100)))
    for code, amount in extra:
        lines.append(Line(f"charge:{code}", cents(_extra_amount(tariff, code, amount))))

    subtotal = sum((line.amount for line in lines), Decimal("0.00"))
    total = round_to_unit(subtotal, tariff.rounding)
    if total != subtotal:
        lines.append(Line("rounding", total - subtotal))
    if total.as_tuple().exponent > -MONEY_PLACES:  # a unit of 1 or 0.5: still show centavos
        total = total.quantize(CENT)
    return Quote(lines=tuple(lines), total=total, currency=tariff.currency)


def _consumption(m3) -> Decimal:
    try:
        volume = as_decimal(m3)
    except MoneyError:
        raise TariffError(
            "m3", gettext_noop("not a volume: %(value)s"), {"value": repr(m3)}
        ) from None
    if volume < 0:
        raise TariffError("m3", gettext_noop("cannot be negative"))
    if volume >= LIMIT:
        raise TariffError("m3", gettext_noop("is too large"))
    return volume


def _extra_amount(tariff: Tariff, code: str, amount) -> Decimal:
    charge = tariff.charges.get(code)
    if charge is None:
        raise TariffError(
            "charge",
            gettext_noop("this tariff has no charge “%(code)s”; it has: %(codes)s"),
            {"code": code, "codes": ", ".join(tariff.charges) or "—"},
        )
    if amount is None:
        return charge.amount
    try:
        value = as_decimal(amount)
    except MoneyError:
        raise TariffError(
            f"charge:{code}", gettext_noop("not an amount: %(value)s"), {"value": repr(amount)}
        ) from None
    if value < 0:
        raise TariffError(f"charge:{code}", gettext_noop("cannot be negative"))
    if value >= LIMIT:
        raise TariffError(f"charge:{code}", gettext_noop("is too large"))
    return value


# --- reading and writing tariffs -------------------------------------------------------------

_TARIFF_KEYS = ("name", "currency", "rounding", "category", "charge")
_CATEGORY_KEYS = ("code", "fixed_charge", "minimum_m3", "sewer_percent", "blocks")
_BLOCK_KEYS = ("up_to_m3", "price")
_CHARGE_KEYS = ("code", "name", "amount")


def from_toml(text: str) -> Tariff:
    """Read a tariff written in TOML (see docs/tariffs.md)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TariffError(
            "toml", gettext_noop("not valid TOML: %(error)s"), {"error": str(error)}
        ) from None
    return parse(data)


def parse(data: Mapping) -> Tariff:
    """Check a tariff given as data (parsed TOML or `to_data`'s output) and build it."""
    _mapping(data, "tariff")
    _known_keys(data, _TARIFF_KEYS, "")
    name = _text(data, "name", "name", max_length=200)
    currency = _required(data, "currency", "currency")
    if not isinstance(currency, str) or not CURRENCY.fullmatch(currency):
        raise TariffError(
            "currency", gettext_noop("write the currency as three capital letters, e.g. BOB")
        )
    rounding = _number(_required(data, "rounding", "rounding"), "rounding", MONEY_PLACES)
    if rounding <= 0:
        raise TariffError("rounding", gettext_noop('must be greater than 0, e.g. "0.10"'))

    categories: dict[str, Category] = {}
    entries = _tables(_required(data, "category", "category"), "category")
    if not entries:
        raise TariffError("category", gettext_noop("a tariff needs at least one category"))
    for index, entry in enumerate(entries, start=1):
        found = _category(entry, f"category[{index}]")
        if found.code in categories:
            raise TariffError(
                f"category[{index}].code",
                gettext_noop("category “%(code)s” appears twice"),
                {"code": found.code},
            )
        categories[found.code] = found

    charges: dict[str, Charge] = {}
    for index, entry in enumerate(_tables(data.get("charge", []), "charge"), start=1):
        found = _charge(entry, f"charge[{index}]")
        if found.code in charges:
            raise TariffError(
                f"charge[{index}].code",
                gettext_noop("charge “%(code)s” appears twice"),
                {"code": found.code},
            )
        charges[found.code] = found

    return Tariff(
        name=name,
        currency=currency,
        rounding=rounding,
        categories=MappingProxyType(categories),
        charges=MappingProxyType(charges),
    )


def _category(entry: Mapping, path: str) -> Category:
    _known_keys(entry, _CATEGORY_KEYS, path)
    code = _required(entry, "code", f"{path}.code")
    if code not in CATEGORIES:
        raise TariffError(
            f"{path}.code",
            gettext_noop("unknown category “%(code)s”; use one of: %(codes)s"),
            {"code": code, "codes": ", ".join(CATEGORIES)},
        )
    fixed = _number(
        _required(entry, "fixed_charge", f"{path}.fixed_charge"),
        f"{path}.fixed_charge",
        MONEY_PLACES,
    )
    minimum = _number(entry.get("minimum_m3", 0), f"{path}.minimum_m3", VOLUME_PLACES)
    sewer = _number(entry.get("sewer_percent", 0), f"{path}.sewer_percent", PERCENT_PLACES)
    if sewer > 100:
        raise TariffError(f"{path}.sewer_percent", gettext_noop("cannot be more than 100"))
    blocks = _blocks(_required(entry, "blocks", f"{path}.blocks"), f"{path}.blocks")
    return Category(
        code=code, fixed_charge=fixed, minimum_m3=minimum, sewer_percent=sewer, blocks=blocks
    )


def _blocks(value, path: str) -> tuple[Block, ...]:
    entries = _tables(value, path)
    if not entries:
        raise TariffError(
            path, gettext_noop("needs at least one block; the last one has no up_to_m3")
        )
    blocks = []
    previous = Decimal(0)
    last = len(entries)
    for index, entry in enumerate(entries, start=1):
        where = f"{path}[{index}]"
        _known_keys(entry, _BLOCK_KEYS, where)
        price = _number(_required(entry, "price", f"{where}.price"), f"{where}.price", PRICE_PLACES)
        bound = entry.get("up_to_m3")
        if bound is None:
            if index != last:
                raise TariffError(
                    f"{where}.up_to_m3",
                    gettext_noop("required: only the last block goes on without a bound"),
                )
        else:
            bound = _number(bound, f"{where}.up_to_m3", VOLUME_PLACES)
            if index == last:
                raise TariffError(
                    f"{where}.up_to_m3",
                    gettext_noop(
                        "the last block has no upper bound (it prices all the water above the "
                        "previous block): remove up_to_m3 or add a block after it"
                    ),
                )
            if bound <= previous:
                if index == 1:
                    raise TariffError(f"{where}.up_to_m3", gettext_noop("must be greater than 0"))
                raise TariffError(
                    f"{where}.up_to_m3",
                    gettext_noop(
                        "blocks must increase: must be greater than the previous block's "
                        "up_to_m3 (%(previous)s)"
                    ),
                    {"previous": _plain(previous)},
                )
            previous = bound
        blocks.append(Block(up_to_m3=bound, price=price))
    return tuple(blocks)


def _charge(entry: Mapping, path: str) -> Charge:
    _known_keys(entry, _CHARGE_KEYS, path)
    code = _required(entry, "code", f"{path}.code")
    if not isinstance(code, str) or not CHARGE_CODE.fullmatch(code):
        raise TariffError(
            f"{path}.code",
            gettext_noop("write the code in lower-case letters, digits and _, e.g. late_fine"),
        )
    name = entry.get("name", "")
    if not isinstance(name, str) or len(name) > 100:
        raise TariffError(f"{path}.name", gettext_noop("must be a text of at most 100 characters"))
    amount = _number(_required(entry, "amount", f"{path}.amount"), f"{path}.amount", MONEY_PLACES)
    return Charge(code=code, name=name.strip(), amount=amount)


def _mapping(value, path: str) -> None:
    if not isinstance(value, Mapping):
        raise TariffError(path, gettext_noop("must be a table of keys and values"))


def _tables(value, path: str) -> list[Mapping]:
    if not isinstance(value, list | tuple):
        raise TariffError(path, gettext_noop("must be a list of tables"))
    for index, entry in enumerate(value, start=1):
        _mapping(entry, f"{path}[{index}]")
    return list(value)


def _known_keys(entry: Mapping, allowed: tuple[str, ...], path: str) -> None:
    for key in entry:
        if key not in allowed:
            raise TariffError(
                f"{path}.{key}" if path else str(key),
                gettext_noop("unknown field; the fields here are: %(fields)s"),
                {"fields": ", ".join(allowed)},
            )


def _required(entry: Mapping, key: str, path: str):
    if key not in entry:
        raise TariffError(path, gettext_noop("required"))
    return entry[key]


def _text(entry: Mapping, key: str, path: str, *, max_length: int) -> str:
    value = _required(entry, key, path)
    if not isinstance(value, str) or not value.strip():
        raise TariffError(path, gettext_noop("must be a text in quotes"))
    if len(value) > max_length:
        raise TariffError(path, gettext_noop("at most %(n)s characters, please"), {"n": max_length})
    return value.strip()


def _number(value, path: str, places: int) -> Decimal:
    """A decimal written as a string ("2.50") or an integer (18); never a float."""
    if isinstance(value, float):
        raise TariffError(
            path,
            gettext_noop(
                'write the number in quotes, "%(value)s": numbers without quotes are '
                "binary fractions and lose centavos"
            ),
            {"value": repr(value)},
        )
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise TariffError(path, gettext_noop('must be a number in quotes, e.g. "2.50"'))
    if isinstance(value, str):
        text = value.strip()
        if _COMMA_NUMBER.fullmatch(text):
            raise TariffError(
                path,
                gettext_noop('use a point for decimals: "%(value)s"'),
                {"value": text.replace(",", ".")},
            )
        if not _NUMBER.fullmatch(text):
            raise TariffError(
                path,
                gettext_noop('not a number: “%(value)s”; write it like "2.50"'),
                {"value": value},
            )
        number = Decimal(text)
    else:
        number = Decimal(value)
        if not number.is_finite():
            raise TariffError(path, gettext_noop('must be a number in quotes, e.g. "2.50"'))
    if number < 0:
        raise TariffError(path, gettext_noop("cannot be negative"))
    if number >= LIMIT:
        raise TariffError(path, gettext_noop("is too large"))
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise TariffError(
            path, gettext_noop("at most %(places)s decimal places"), {"places": places}
        )
    return number


def _plain(value: Decimal) -> str:
    """A decimal without exponent notation: Decimal(10) -> "10", Decimal("2.50") -> "2.50"."""
    return format(value, "f")


def to_data(tariff: Tariff) -> dict:
    """The tariff as JSON-ready data, decimals as strings, in the shape of the TOML file;
    `parse(to_data(t)) == t`."""
    return {
        "name": tariff.name,
        "currency": tariff.currency,
        "rounding": _plain(tariff.rounding),
        "category": [
            {
                "code": category.code,
                "fixed_charge": _plain(category.fixed_charge),
                "minimum_m3": _plain(category.minimum_m3),
                "sewer_percent": _plain(category.sewer_percent),
                "blocks": [
                    (
                        {"price": _plain(block.price)}
                        if block.up_to_m3 is None
                        else {"up_to_m3": _plain(block.up_to_m3), "price": _plain(block.price)}
                    )
                    for block in category.blocks
                ],
            }
            for category in tariff.categories.values()
        ],
        "charge": [
            {"code": charge.code, "name": charge.name, "amount": _plain(charge.amount)}
            for charge in tariff.charges.values()
        ],
    }


def to_toml(tariff: Tariff) -> str:
    """The tariff written as a TOML file; `from_toml(to_toml(t)) == t`."""
    data = to_data(tariff)
    out = [
        f"name = {toml_string(data['name'])}",
        f"currency = {toml_string(data['currency'])}",
        f"rounding = {toml_string(data['rounding'])}",
    ]
    for category in data["category"]:
        out += ["", "[[category]]"]
        out += [f"{key} = {toml_string(category[key])}" for key in _CATEGORY_KEYS[:-1]]
        out.append("blocks = [")
        for block in category["blocks"]:
            pairs = ", ".join(f"{key} = {toml_string(value)}" for key, value in block.items())
            out.append(f"  {{ {pairs} }},")
        out.append("]")
    for charge in data["charge"]:
        out += ["", "[[charge]]"]
        out += [f"{key} = {toml_string(charge[key])}" for key in _CHARGE_KEYS]
    return "\n".join(out) + "\n"


def toml_string(text: str) -> str:
    # A JSON string is a TOML basic string, except that TOML wants DEL escaped too.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
