"""An independent recomputation of a committee's bills, from raw rows and the written rules.

The bills of the demo were made by `billing.services.run_create`, which prices with
`tariffs.engine.quote` and takes its volumes from `metering.readings.selectors`. To check them
against something that is not the same code, this module imports none of that (nor `lib.money`,
`metering.validation` or the metering services): it reads plain rows with `values_list`, the
tariffs' TOML text with `tomllib`, and applies the rules of docs/tariffs.md and docs/readings.md
with its own Decimal and integer-centavo arithmetic.

- Volumes (docs/readings.md). Every accepted reading of a connection, oldest round first. An
  actual reading measures from the last *actual* reading on the same meter (or the meter's initial
  reading): value - previous, or, when the value went down, + 10**digits (a roll-over) if that
  stays under max(10 x usual, 200 m³) x months, usual being the median of the last six actual
  monthly volumes of the last twelve months; otherwise the negative difference. An estimate is
  the mean of the last three actual monthly volumes (to the litre, half-up; 0 without history).
  Settlement is kept as two running sums per connection: `used` (the metered total at an actual
  reading, plus the estimate at an estimated one) and `billed`; each month bills
  max(used - billed, 0) and carries billed - used. That is the docs' `due = metered - billed
  since - carried` and `max(estimate - carried, 0)` written another way, so it checks them too.
- Money (docs/tariffs.md). In whole centavos: the fixed charge; for every block, its price x the
  part of the consumption inside the block and above minimum_m3, each line half-up to the
  centavo; sewer = sewer_percent of (fixed + blocks) for connections with sewer; the sum rounded
  half-up to the tariff's `rounding` unit, the difference as a "rounding" line.
- Balances (docs/ledger.md): a bill's previous balance is what the household owed when its
  bills were issued: the (recomputed) charges of the connection's earlier bills, plus its other
  charges (a fine, a fee) dated up to the issue date (the run charges the late fines first, on
  its issue date), less the credit notes, less the payments received (`Payment.received_on`),
  plus the payments taken back (a `PaymentReversal`, on its entry's date), these three dated
  before the issue date. Total due = charges + previous balance. The demo dates every payment
  for a month's bills from their issue date to the day before the next ones, so "dated before
  the issue date" is "recorded before the run" there. The same movements, all of them, must add
  up to each household's receivable account in the books today; a receivable movement of
  another kind (a payment plan) is reported, not guessed.
"""

import tomllib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django_scopes import scopes_disabled

from comunagua.billing.models import Bill, BillingRun, CreditNote
from comunagua.ledger.models import JournalEntry, OpenItem, Payment, PaymentReversal, Posting
from comunagua.metering.models import EstimationRule, Reading
from comunagua.registry.models import Connection, Meter
from comunagua.tariffs.models import Tariff

ZERO = Decimal(0)
DAY = timedelta(days=1)
LITRE = Decimal("0.001")
ROLLOVER_FLOOR_M3 = Decimal(200)  # a roll-over is plausible up to max(10 x usual, 200) a month
HISTORY_MONTHS = 12  # the usual consumption looks back this far ...
USUAL_OF = 6  # ... at this many actual months (median);
ESTIMATE_OF = 3  # an estimate is the mean of the newest three.


# --- small arithmetic ----------------------------------------------------------------------------


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def to_litre(m3: Decimal) -> Decimal:
    return m3.quantize(LITRE, rounding=ROUND_HALF_UP)


def half_up(amount: Decimal) -> int:
    """A non-negative Decimal to the nearest whole number, halves up."""
    assert amount >= 0, amount
    whole = int(amount)  # truncates towards 0, exactly
    return whole + (1 if amount - whole >= Decimal("0.5") else 0)


def centavos(amount: Decimal) -> int:
    """An amount in bolivianos in whole centavos, half-up."""
    return half_up(amount * 100)


def bs(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def number(value) -> Decimal:
    """A number as the TOML file (or the stored data) writes it: "2.50" or 18, never a float."""
    assert isinstance(value, str | int) and not isinstance(value, bool), repr(value)
    return Decimal(str(value))


# --- tariffs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    fixed: Decimal
    minimum_m3: Decimal
    sewer_percent: Decimal
    blocks: tuple[tuple[Decimal | None, Decimal], ...]  # (up_to_m3 or None for the last, price)


@dataclass(frozen=True)
class Version:
    id: int
    effective_from: date
    rounding: Decimal
    categories: dict[str, Category]


def read_version(id: int, effective_from: date, written: dict) -> Version:
    categories = {}
    for entry in written["category"]:
        blocks = tuple(
            (None if "up_to_m3" not in b else number(b["up_to_m3"]), number(b["price"]))
            for b in entry["blocks"]
        )
        categories[entry["code"]] = Category(
            fixed=number(entry["fixed_charge"]),
            minimum_m3=number(entry.get("minimum_m3", 0)),
            sewer_percent=number(entry.get("sewer_percent", 0)),
            blocks=blocks,
        )
    return Version(id, effective_from, number(written["rounding"]), categories)


def in_force(versions: list[Version], day: date) -> Version:
    """The version that started last on or before `day`."""
    started = [v for v in versions if v.effective_from <= day]
    assert started, f"no tariff in force on {day}"
    return max(started, key=lambda v: v.effective_from)


def price(version: Version, category: str, m3: Decimal, sewer: bool) -> tuple[list, int]:
    """The lines [(code, centavos, m3, price)] and the total in centavos of a month."""
    rules = version.categories[category]
    lines = [("fixed", centavos(rules.fixed), None, None)]
    floor = ZERO
    for position, (up_to, per_m3) in enumerate(rules.blocks, start=1):
        # The block runs from `floor` to `up_to`; only what is above the minimum is paid.
        top = m3 if up_to is None else min(m3, up_to)
        part = top - max(floor, rules.minimum_m3)
        if part > 0:
            lines.append((f"block{position}", centavos(part * per_m3), part, per_m3))
        if up_to is not None:
            floor = up_to
    if sewer and rules.sewer_percent:
        water = sum(line[1] for line in lines)
        lines.append(("sewer", half_up(water * rules.sewer_percent / 100), None, None))
    subtotal = sum(line[1] for line in lines)
    unit = centavos(version.rounding)
    assert bs(unit) == version.rounding and unit > 0, version.rounding
    units, rest = divmod(subtotal, unit)
    total = (units + (1 if 2 * rest >= unit else 0)) * unit
    if total != subtotal:
        lines.append(("rounding", total - subtotal, None, None))
    return lines, total


# --- volumes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Volume:
    """What a reading should hold, by this recomputation."""

    reading_id: int
    connection_id: int
    period: date
    estimated: bool
    value: Decimal
    previous_value: Decimal
    consumption: Decimal
    metered: Decimal | None
    months: int
    carried: Decimal
    rolled: bool = False
    below_previous: bool = False
    replaced_meter: bool = False
    settled: bool = False  # an actual reading after one or more estimates


@dataclass(frozen=True)
class MeterRow:
    id: int
    connection_id: int
    digits: int
    initial: Decimal
    final: Decimal | None
    order: int  # installation order on its connection


def _segment(start: Decimal, end: Decimal, digits: int, limit: Decimal) -> tuple[Decimal, str]:
    if end >= start:
        return end - start, ""
    wrapped = end + Decimal(10) ** digits - start
    if wrapped <= limit:
        return wrapped, "rolled"
    return end - start, "below"


def volumes(readings: list[tuple], meters: dict[int, MeterRow], rule) -> dict[int, Volume]:
    """Recompute every accepted reading. `readings`: (id, connection_id, meter_id, period,
    value, estimated) rows; `meters` by id; `rule`: (method, fixed_m3) or None."""
    by_connection: dict[int, list[tuple]] = defaultdict(list)
    for row in readings:
        by_connection[row[1]].append(row)
    found: dict[int, Volume] = {}
    for connection_id, rows in by_connection.items():
        rows.sort(key=lambda r: (r[3], r[0]))
        assert len({r[3] for r in rows}) == len(rows), f"two readings a month: {connection_id}"
        used = billed = ZERO  # running m³: used (metered or estimated) and billed
        metered_total = ZERO
        history: list[tuple[int, Decimal]] = []  # (month index, actual m³ a month), oldest first
        last_actual = None  # (month index, meter id, value)
        previous = None  # (meter id, value) of the last accepted reading, actual or estimated
        estimates_since: list[int] = []  # meter ids of the estimates since the last actual
        for reading_id, _, meter_id, period, value, estimated in rows:
            meter = meters[meter_id]
            month = month_index(period)
            recent = [m3 for at, m3 in history if at >= month - HISTORY_MONTHS][-USUAL_OF:]
            if previous is not None and previous[0] == meter_id:
                previous_value = previous[1]
            else:
                previous_value = meter.initial
            if estimated:
                if rule is not None and rule[0] == EstimationRule.Method.FIXED:
                    guess = to_litre(rule[1])
                else:
                    newest = recent[-ESTIMATE_OF:]
                    guess = to_litre(sum(newest, ZERO) / len(newest)) if newest else to_litre(ZERO)
                used += guess
                this = max(used - billed, ZERO)
                billed += this
                value = to_litre((previous_value + guess) % Decimal(10) ** meter.digits)
                found[reading_id] = Volume(
                    reading_id=reading_id,
                    connection_id=connection_id,
                    period=period,
                    estimated=True,
                    value=value,
                    previous_value=previous_value,
                    consumption=this,
                    metered=None,
                    months=1,
                    carried=billed - used,
                )
                previous = (meter_id, value)
                estimates_since.append(meter_id)
                continue

            if last_actual is not None:
                anchor_meter, anchor_value = meters[last_actual[1]], last_actual[2]
                months = max(month - last_actual[0], 1)
            else:
                anchor_meter = meters[estimates_since[0] if estimates_since else meter_id]
                anchor_value = anchor_meter.initial
                months = len(estimates_since) + 1
            usual = to_litre(median(recent)) if recent else None
            monthly_limit = (
                ROLLOVER_FLOOR_M3 if usual is None else max(10 * usual, ROLLOVER_FLOOR_M3)
            )
            limit = monthly_limit * months
            if anchor_meter.id == meter_id:
                segments = [(anchor_value, value, meter.digits)]
            elif anchor_meter.order < meter.order:  # meters replaced since the last reading
                between = sorted(
                    (
                        m
                        for m in meters.values()
                        if m.connection_id == connection_id
                        and anchor_meter.order < m.order < meter.order
                    ),
                    key=lambda m: m.order,
                )
                segments = [(anchor_value, _final(anchor_meter, anchor_value), anchor_meter.digits)]
                segments += [(m.initial, _final(m, m.initial), m.digits) for m in between]
                segments.append((meter.initial, value, meter.digits))
            else:  # a reading of a meter older than the last one read
                segments = [(meter.initial, value, meter.digits)]
            metered, kinds = ZERO, set()
            for start, end, digits in segments:
                m3, kind = _segment(start, end, digits, limit)
                metered += m3
                kinds.add(kind)
            metered_total += metered
            used = metered_total
            this = max(used - billed, ZERO)
            billed += this
            found[reading_id] = Volume(
                reading_id=reading_id,
                connection_id=connection_id,
                period=period,
                estimated=False,
                value=value,
                previous_value=previous_value,
                consumption=this,
                metered=metered,
                months=months,
                carried=billed - used,
                rolled="rolled" in kinds,
                below_previous="below" in kinds,
                replaced_meter=len(segments) > 1,
                settled=bool(estimates_since),
            )
            if metered >= 0:
                history.append((month, to_litre(metered / months)))
            last_actual = (month, meter_id, value)
            previous = (meter_id, value)
            estimates_since = []
    return found


def _final(meter: MeterRow, fallback: Decimal) -> Decimal:
    return meter.final if meter.final is not None else fallback


# --- the rows ------------------------------------------------------------------------------------


class Run(NamedTuple):
    period: date
    tariff_id: int
    issued_on: date


class Movement(NamedTuple):
    """Something other than a bill that moves a household's account: + owes more, - less."""

    connection_id: int
    on: date
    cents: int
    what: str  # "payment 12", "reversal of payment 12", "late_fine 7"
    charge: bool = False  # a charge (not a bill): it counts on a bill issued the same day


# The journal's kinds of entry whose receivable postings the recomputation accounts for.
KNOWN_KINDS = {"charge", "payment", "reversal", "credit_note"}


@dataclass
class Rows:
    """Everything the recomputation reads, loaded in one query per table."""

    versions: list[Version]
    runs: dict[int, Run]
    connections: dict[int, tuple[str, bool]]  # id -> (category, has_sewer)
    meters: dict[int, MeterRow]
    readings: list[tuple]  # accepted: (id, connection_id, meter_id, period, value, estimated)
    stored_readings: dict[int, tuple]  # id -> (value, previous_value, consumption, metered_m3,
    #                                    months, carried_m3, flags)
    rule: tuple | None
    bills: list[dict]
    credit_notes: list[tuple]  # (bill id, amount, issued_on)
    toml_matches_data: list[int] = field(default_factory=list)  # versions whose TOML = data
    # Payments, reversals and charges other than bills, each dated.
    movements: list[Movement] = field(default_factory=list)
    # What the books hold: each household's receivable account (debits - credits, centavos),
    # and the receivable postings of entries of a kind not in KNOWN_KINDS.
    accounts: dict[int, int] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)


BILL_FIELDS = (
    "id",
    "number",
    "run_id",
    "connection_id",
    "period",
    "category",
    "has_sewer",
    "consumption_m3",
    "previous_value",
    "current_value",
    "estimated",
    "reading_id",
    "lines",
    "charges_total",
    "previous_balance",
    "total_due",
)


def load(committee_id: int) -> Rows:
    with scopes_disabled():
        versions, same = [], []
        for id, effective_from, source, data in Tariff.objects.filter(
            committee_id=committee_id
        ).values_list("id", "effective_from", "source", "data"):
            from_data = read_version(id, effective_from, data)
            if source.strip():
                written = read_version(id, effective_from, tomllib.loads(source))
                if written == from_data:
                    same.append(id)
            else:
                written = from_data
            versions.append(written)
        meters = {}
        by_connection: dict[int, list] = defaultdict(list)
        for row in Meter.objects.filter(committee_id=committee_id).values_list(
            "id", "connection_id", "digits", "initial_reading", "final_reading", "installed_on"
        ):
            by_connection[row[1]].append(row)
        for connection_id, rows in by_connection.items():
            rows.sort(key=lambda r: (r[5], r[0]))
            for order, (id, _, digits, initial, final, _) in enumerate(rows):
                meters[id] = MeterRow(id, connection_id, digits, initial, final, order)
        readings, stored = [], {}
        for row in Reading.objects.filter(
            committee_id=committee_id, status=Reading.Status.ACCEPTED
        ).values_list(
            "id",
            "connection_id",
            "meter_id",
            "round__period",
            "value",
            "estimated",
            "previous_value",
            "consumption",
            "metered_m3",
            "months",
            "carried_m3",
            "flags",
        ):
            readings.append(row[:6])
            stored[row[0]] = (row[4], *row[6:])
        rule = (
            EstimationRule.objects.filter(committee_id=committee_id)
            .values_list("method", "fixed_m3")
            .first()
        )
        return Rows(
            versions=versions,
            runs={
                id: Run(period, tariff_id, issued_on)
                for id, period, tariff_id, issued_on in BillingRun.objects.filter(
                    committee_id=committee_id
                ).values_list("id", "period", "tariff_id", "issued_on")
            },
            connections={
                id: (category, sewer)
                for id, category, sewer in Connection.objects.filter(
                    committee_id=committee_id
                ).values_list("id", "category", "has_sewer")
            },
            meters=meters,
            readings=readings,
            stored_readings=stored,
            rule=rule,
            bills=list(
                Bill.objects.filter(committee_id=committee_id).order_by("id").values(*BILL_FIELDS)
            ),
            credit_notes=list(
                CreditNote.objects.filter(committee_id=committee_id).values_list(
                    "bill_id", "amount", "issued_on"
                )
            ),
            toml_matches_data=same,
            movements=_movements(committee_id),
            **_books(committee_id),
        )


def _movements(committee_id: int) -> list[Movement]:
    """Payments, their reversals and the charges that are not bills, as plain dated rows."""
    found = []
    for connection_id, number, amount, received_on in Payment.objects.filter(
        committee_id=committee_id
    ).values_list("connection_id", "number", "amount", "received_on"):
        found.append(Movement(connection_id, received_on, -centavos(amount), f"payment {number}"))
    for connection_id, number, amount, on in PaymentReversal.objects.filter(
        committee_id=committee_id
    ).values_list("payment__connection_id", "payment__number", "payment__amount", "entry__date"):
        found.append(Movement(connection_id, on, centavos(amount), f"reversal of payment {number}"))
    for connection_id, document, number, amount, on in (
        OpenItem.objects.filter(committee_id=committee_id, entry__kind="charge")
        .exclude(document_type="bill")
        .values_list("connection_id", "document_type", "document_number", "amount", "entry__date")
    ):
        found.append(
            Movement(connection_id, on, centavos(amount), f"{document} {number}", charge=True)
        )
    return found


def _books(committee_id: int) -> dict:
    accounts: dict[int, int] = defaultdict(int)
    unknown = []
    for connection_id, debit, credit, kind, number in Posting.objects.filter(
        committee_id=committee_id, account__role="receivable"
    ).values_list("connection_id", "debit", "credit", "entry__kind", "entry__number"):
        accounts[connection_id] += centavos(debit) - centavos(credit)
        if kind not in KNOWN_KINDS:
            unknown.append(f"entry {number} ({kind}) moves connection {connection_id}'s account")
    assert set(KNOWN_KINDS) <= set(JournalEntry.Kind.values), KNOWN_KINDS
    return {"accounts": dict(accounts), "unknown": unknown}


# --- the bills -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    bill_id: int
    connection_id: int
    period: date
    tariff_id: int
    category: str
    has_sewer: bool
    volume: Volume
    lines: tuple  # (code, centavos, m3, price)
    charges_total: int  # centavos
    previous_balance: int
    total_due: int


def _dated(rows: Rows) -> dict[int, list[tuple[date, int]]]:
    """Per connection, every movement that is not a bill's charges: (the first issue date of a
    bill it counts on, centavos). A charge counts on a bill issued the same day; a credit note,
    a payment or a reversal on the bills issued after its day."""
    connection_of = {b["id"]: b["connection_id"] for b in rows.bills}
    dated: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for bill_id, amount, issued_on in rows.credit_notes:
        dated[connection_of[bill_id]].append((issued_on + DAY, -centavos(amount)))
    for movement in rows.movements:
        counts_from = movement.on if movement.charge else movement.on + DAY
        dated[movement.connection_id].append((counts_from, movement.cents))
    return dated


def expected_bills(rows: Rows) -> dict[int, Expected]:
    """Each bill as the rules make it, keyed by bill id."""
    found = volumes(rows.readings, rows.meters, rows.rule)
    reading_of = {(v.connection_id, v.period): v for v in found.values()}
    dated = _dated(rows)
    result = {}
    by_connection: dict[int, list[dict]] = defaultdict(list)
    for bill in rows.bills:
        by_connection[bill["connection_id"]].append(bill)
    for connection_id, bills in by_connection.items():
        bills.sort(key=lambda b: b["period"])
        category, sewer = rows.connections[connection_id]
        earlier = 0  # the recomputed charges of the connection's earlier bills
        for bill in bills:
            run = rows.runs[bill["run_id"]]
            version = in_force(rows.versions, run.period)
            volume = reading_of[(connection_id, run.period)]
            lines, total = price(version, category, volume.consumption, sewer)
            # What the household owed when the bills were issued.
            balance = earlier + sum(
                cents for counts_from, cents in dated[connection_id] if counts_from <= run.issued_on
            )
            result[bill["id"]] = Expected(
                bill_id=bill["id"],
                connection_id=connection_id,
                period=run.period,
                tariff_id=version.id,
                category=category,
                has_sewer=sewer,
                volume=volume,
                lines=tuple(lines),
                charges_total=total,
                previous_balance=balance,
                total_due=total + balance,
            )
            earlier += total
    return result


def account_discrepancies(rows: Rows, expected: dict[int, Expected]) -> list[str]:
    """Every household whose receivable account in the books is not its (recomputed) bills plus
    its other movements, and every receivable movement the recomputation does not know."""
    problems = list(rows.unknown)
    owed: dict[int, int] = defaultdict(int)
    for want in expected.values():
        owed[want.connection_id] += want.charges_total
    for connection_id, movements in _dated(rows).items():
        owed[connection_id] += sum(cents for _on, cents in movements)
    for connection_id in sorted(set(owed) | set(rows.accounts)):
        books, want = rows.accounts.get(connection_id, 0), owed.get(connection_id, 0)
        if books != want:
            problems.append(
                f"connection {connection_id}: the books say {bs(books)}, not {bs(want)}"
            )
    return problems


def _lines_differ(stored: list[dict], expected: tuple) -> str:
    got = [
        (
            line["code"],
            Decimal(line["amount"]),
            None if line.get("m3") is None else Decimal(line["m3"]),
            None if line.get("price") is None else Decimal(line["price"]),
        )
        for line in stored
    ]
    want = [(code, bs(cents), m3, per_m3) for code, cents, m3, per_m3 in expected]
    if got == want:
        return ""
    for position, (one, other) in enumerate(zip(got, want, strict=False), start=1):
        if one != other:
            return f"line {position} {one} != {other}"
    return f"lines {[g[0] for g in got]} != {[w[0] for w in want]}"


def discrepancies(rows: Rows, expected: dict[int, Expected]) -> list[str]:
    """Every way the stored bills (and the readings behind them) differ from the recomputation,
    one line each; empty when they agree to the centavo and the litre."""
    problems = []
    if {b["id"] for b in rows.bills} != set(expected):
        problems.append("the recomputation does not cover the same bills")
    # A run bills exactly the connections with an accepted reading in its round.
    billed_periods = {run.period for run in rows.runs.values()}
    read = {(r[1], r[3]) for r in rows.readings if r[3] in billed_periods}
    billed = {(b["connection_id"], b["period"]) for b in rows.bills}
    for connection_id, period in sorted(read ^ billed):
        problems.append(f"connection {connection_id} in {period:%Y-%m}: read xor billed")
    for bill in rows.bills:
        want = expected.get(bill["id"])
        if want is None:
            continue
        volume = want.volume
        tariff_id = rows.runs[bill["run_id"]].tariff_id
        checks = [
            ("tariff", tariff_id, want.tariff_id),
            ("category", bill["category"], want.category),
            ("has_sewer", bill["has_sewer"], want.has_sewer),
            ("reading_id", bill["reading_id"], volume.reading_id),
            ("estimated", bill["estimated"], volume.estimated),
            ("consumption_m3", bill["consumption_m3"], volume.consumption),
            ("previous_value", bill["previous_value"], volume.previous_value),
            ("current_value", bill["current_value"], volume.value),
            ("charges_total", bill["charges_total"], bs(want.charges_total)),
            ("previous_balance", bill["previous_balance"], bs(want.previous_balance)),
            ("total_due", bill["total_due"], bs(want.total_due)),
        ]
        for name, got, wanted in checks:
            if got != wanted:
                problems.append(f"bill {bill['number']}: {name} {got} != {wanted}")
        lines = _lines_differ(bill["lines"], want.lines)
        if lines:
            problems.append(f"bill {bill['number']}: {lines}")
        if sum(Decimal(line["amount"]) for line in bill["lines"]) != bill["charges_total"]:
            problems.append(f"bill {bill['number']}: lines do not add up to charges_total")
    return problems


def reading_discrepancies(rows: Rows, found: dict[int, Volume]) -> list[str]:
    """Every accepted reading whose stored volumes differ from the recomputation."""
    problems = []
    for reading_id, (
        value,
        previous_value,
        consumption,
        metered,
        months,
        carried,
        flags,
    ) in rows.stored_readings.items():
        want = found[reading_id]
        got = (value, previous_value, consumption, metered, months, carried)
        wanted = (
            want.value,
            want.previous_value,
            want.consumption,
            want.metered,
            want.months,
            want.carried,
        )
        if got != wanted:
            problems.append(f"reading {reading_id}: {got} != {wanted}")
        if ("rollover" in flags) != want.rolled or ("below_previous" in flags) != (
            want.below_previous
        ):
            problems.append(f"reading {reading_id}: flags {flags} vs {want}")
    return problems


def with_bill(rows: Rows, index: int, **changes) -> Rows:
    """A copy of the rows with one bill changed (the database is left alone)."""
    bills = list(rows.bills)
    bills[index] = {**bills[index], **changes}
    return replace(rows, bills=bills)
