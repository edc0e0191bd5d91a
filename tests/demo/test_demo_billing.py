"""The demo's two years of readings and bills: closed rounds, one run each, sensible volumes, and
every bill exact to the centavo against an independent recomputation (tests/demo/recompute.py)."""

import ast
import statistics
import tomllib
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from django_scopes import scopes_disabled

from comunagua.billing import services as billing_services
from comunagua.billing.models import Bill, BillingRun
from comunagua.demo import loader
from comunagua.demo.committees import MAIN_SLUG, SECOND_SLUG
from comunagua.ledger.models import CashSession, Expense, JournalEntry, Payment, PaymentReversal
from comunagua.lib.periods import Period
from comunagua.metering.models import Reading, Round
from comunagua.metering.rounds import services as metering_services
from comunagua.registry.models import Connection
from comunagua.tariffs.models import Tariff
from comunagua.tenancy.models import Committee, NumberSequence
from tests.actors import TODAY
from tests.demo import recompute

# One worker runs all the demo tests (xdist: --dist loadgroup), so the demo loads once a leg.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


@pytest.fixture
def main(demo):
    with scopes_disabled():
        yield Committee.objects.get(slug=MAIN_SLUG)


def _load(django_db_blocker, slug: str) -> recompute.Rows:
    with django_db_blocker.unblock(), scopes_disabled():
        return recompute.load(Committee.objects.get(slug=slug).pk)


@pytest.fixture(scope="module")
def rows(demo, django_db_blocker) -> recompute.Rows:
    """The main committee's raw rows, read once for the module (the tests only read them)."""
    return _load(django_db_blocker, MAIN_SLUG)


@pytest.fixture(scope="module")
def expected(rows) -> dict[int, recompute.Expected]:
    return recompute.expected_bills(rows)


def figures() -> dict:
    with scopes_disabled():
        paid = {
            (slug, "paid"): sum(
                Payment.objects.filter(committee__slug=slug).values_list("amount", flat=True)
            )
            for slug in (MAIN_SLUG, SECOND_SLUG)
        }
        return paid | {
            (slug, model.__name__): model.objects.filter(committee__slug=slug).count()
            for slug in (MAIN_SLUG, SECOND_SLUG)
            for model in (
                Round,
                Reading,
                BillingRun,
                Bill,
                Payment,
                PaymentReversal,
                CashSession,
                Expense,
                JournalEntry,
            )
        }


def last_bill_number(committee) -> int:
    found = NumberSequence.objects.filter(committee=committee, kind="bill").first()
    return 0 if found is None else found.last


def test_the_main_committee_has_24_closed_rounds_24_billing_runs_and_this_month_open(main):
    with scopes_disabled():
        rounds = Round.objects.filter(committee=main)
        assert rounds.filter(status=Round.Status.CLOSED).count() == 24
        (open_round,) = rounds.filter(status=Round.Status.OPEN)
        assert open_round.period == TODAY.replace(day=1)
        assert not open_round.readings.exists()
        assert BillingRun.objects.filter(committee=main).count() == 24
        assert set(
            BillingRun.objects.filter(committee=main).values_list("period", flat=True)
        ) == set(rounds.filter(status=Round.Status.CLOSED).values_list("period", flat=True))


def test_every_run_has_one_bill_per_connection_in_service_that_month(main):
    with scopes_disabled():
        active = Connection.objects.filter(committee=main, status=Connection.Status.ACTIVE)
        for run in BillingRun.objects.filter(committee=main):
            bills = Bill.objects.filter(run=run)
            assert bills.count() == run.bill_count > 300
            assert bills.values("connection").distinct().count() == run.bill_count
            in_service = active.filter(
                meters__removed_on__isnull=True, meters__installed_on__lt=run.period
            )
            assert set(bills.values_list("connection_id", flat=True)) == set(
                in_service.values_list("id", flat=True)
            )


# --- the independent recomputation ---------------------------------------------------------------


def test_every_bill_agrees_to_the_centavo_with_an_independent_recomputation(rows, expected):
    problems = recompute.discrepancies(rows, expected)
    assert not problems, f"{len(problems)} discrepancies, the first: {problems[:20]}"


def test_every_accepted_reading_holds_the_volumes_the_reading_rules_give(rows, expected):
    found = recompute.volumes(rows.readings, rows.meters, rows.rule)
    problems = recompute.reading_discrepancies(rows, found)
    assert not problems, f"{len(problems)} discrepancies, the first: {problems[:20]}"
    # Nothing is lost: per connection, what was billed up to its last actual reading is what
    # the meters moved, plus what is carried forward.
    by_connection: dict[int, list[recompute.Volume]] = {}
    for volume in sorted(found.values(), key=lambda v: v.period):
        by_connection.setdefault(volume.connection_id, []).append(volume)
    for volumes in by_connection.values():
        actual = [i for i, v in enumerate(volumes) if not v.estimated]
        if actual:
            upto = volumes[: actual[-1] + 1]
            billed = sum(v.consumption for v in upto)
            metered = sum(v.metered for v in upto if not v.estimated)
            assert billed == metered + upto[-1].carried


def test_the_recomputation_covers_every_bill_and_every_case_the_demo_has(main, rows, expected):
    with scopes_disabled():
        assert len(expected) == len(rows.bills) == Bill.objects.filter(committee=main).count()
        assert len(expected) > 24 * 350
        assert len({e.period for e in expected.values()}) == len(rows.runs) == 24
        categories = set(
            Connection.objects.filter(committee=main, bills__isnull=False).values_list(
                "category", flat=True
            )
        )
    # Every tariff version of the committee is read from its TOML, which says what its stored
    # data says; the runs use each version in force in their months (the demo has one).
    assert set(rows.toml_matches_data) == {v.id for v in rows.versions}
    used = {e.tariff_id for e in expected.values()}
    assert used == {recompute.in_force(rows.versions, run.period).id for run in rows.runs.values()}
    assert (
        {e.category for e in expected.values()}
        == categories
        == {c.value for c in Connection.Category}
    )

    volumes = [e.volume for e in expected.values()]
    codes = Counter(line[0] for e in expected.values() for line in e.lines)
    kinds = {
        "rolled over": sum(v.rolled for v in volumes),
        "estimated": sum(v.estimated for v in volumes),
        "settled after an estimate": sum(v.settled for v in volumes),
        "litres (not whole m³)": sum(v.consumption != v.consumption.to_integral() for v in volumes),
        "no consumption": sum(v.consumption == 0 for v in volumes),
        "sewer": codes["sewer"],
        "third block": codes["block3"],
        "rounded up": sum(
            1
            for e in expected.values()
            for line in e.lines
            if line[0] == "rounding" and line[1] > 0
        ),
        "rounded down": sum(
            1
            for e in expected.values()
            for line in e.lines
            if line[0] == "rounding" and line[1] < 0
        ),
        "under the minimum": sum(
            1 for e in expected.values() if e.category == "commercial" and e.volume.consumption <= 5
        ),
        "with a previous balance": sum(e.previous_balance > 0 for e in expected.values()),
    }
    missing = [kind for kind, count in kinds.items() if not count]
    assert not missing, kinds
    assert kinds["rolled over"] == 1
    # No estimate in the demo exceeded what was then read, so nothing is carried forward; the
    # carried m³ are still recomputed and compared (zero) on every reading.
    assert not any(v.carried for v in volumes)


def test_a_centavo_off_anywhere_on_a_bill_is_caught(rows, expected):
    index = next(i for i, b in enumerate(rows.bills) if len(b["lines"]) >= 3)
    bill = rows.bills[index]
    cent = Decimal("0.01")
    lines = [dict(line) for line in bill["lines"]]
    lines[1]["amount"] = str(Decimal(lines[1]["amount"]) + cent)
    for changes, field in (
        ({"lines": lines}, "lines"),
        ({"charges_total": bill["charges_total"] + cent}, "charges_total"),
        ({"previous_balance": bill["previous_balance"] - cent}, "previous_balance"),
        ({"total_due": bill["total_due"] + cent}, "total_due"),
        ({"consumption_m3": bill["consumption_m3"] + Decimal("0.001")}, "consumption_m3"),
    ):
        problems = recompute.discrepancies(recompute.with_bill(rows, index, **changes), expected)
        assert problems, field
        assert all(p.startswith(f"bill {bill['number']}: ") for p in problems), problems
        assert any(field in p for p in problems), problems


def test_a_tariff_a_centavo_dearer_or_a_misread_meter_is_caught(rows, expected):
    used = {e.tariff_id for e in expected.values()}
    (version,) = [v for v in rows.versions if v.id in used]
    residential = version.categories["residential"]
    dearer = replace(
        residential,
        blocks=(
            (residential.blocks[0][0], residential.blocks[0][1] + Decimal("0.01")),
            *residential.blocks[1:],
        ),
    )
    other = replace(version, categories={**version.categories, "residential": dearer})
    changed = replace(rows, versions=[other if v is version else v for v in rows.versions])
    problems = recompute.discrepancies(rows, recompute.expected_bills(changed))
    assert len({p.split(":")[0] for p in problems}) > 1000

    # One reading a litre higher: its bill and the next month's bill of that connection differ.
    first_month = min(r[3] for r in rows.readings)
    index = next(
        i
        for i, r in enumerate(rows.readings)
        if r[3] == first_month and not r[5] and rows.stored_readings[r[0]][2] > 0
    )
    readings = list(rows.readings)
    row = readings[index]
    readings[index] = (*row[:4], row[4] + Decimal("0.001"), row[5])
    misread = replace(rows, readings=readings)
    problems = recompute.discrepancies(rows, recompute.expected_bills(misread))
    numbers = {p.split(":")[0] for p in problems}
    assert len(numbers) == 2, problems
    assert any("consumption_m3" in p for p in problems)


def test_a_reading_that_does_not_hold_what_the_rules_give_is_caught(rows):
    found = recompute.volumes(rows.readings, rows.meters, rows.rule)
    reading_id = next(v.reading_id for v in found.values() if v.settled)
    value, previous, consumption, *rest = rows.stored_readings[reading_id]
    stored = {**rows.stored_readings, reading_id: (value, previous, consumption + 1, *rest)}
    problems = recompute.reading_discrepancies(replace(rows, stored_readings=stored), found)
    assert len(problems) == 1 and problems[0].startswith(f"reading {reading_id}:"), problems


def test_the_recomputation_imports_none_of_the_code_that_made_the_bills():
    tree = ast.parse(Path(recompute.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
            imported |= {f"{node.module}.{alias.name}" for alias in node.names}
    forbidden = {
        "comunagua.tariffs.engine",
        "comunagua.billing.services",
        "comunagua.billing.selectors",
        "comunagua.metering.readings.selectors",
        "comunagua.metering.readings.services",
        "comunagua.metering.rounds.services",
        "comunagua.metering.validation",
        "comunagua.tariffs.selectors",
        "comunagua.tariffs.services",
        "comunagua.lib.money",
        "comunagua.lib.periods",
        "comunagua.ledger.books.services",
        "comunagua.ledger.books.selectors",
        "comunagua.ledger.books.allocation",
        "comunagua.ledger.books.checks",
        "comunagua.ledger.arrears.selectors",
        "comunagua.ledger.arrears.services",
        "comunagua.ledger.arrears.arithmetic",
        "comunagua.ledger.report.selectors",
    }
    assert not imported & forbidden, imported & forbidden


def test_the_second_committee_agrees_to_the_centavo_too(demo, django_db_blocker):
    rows = _load(django_db_blocker, SECOND_SLUG)
    expected = recompute.expected_bills(rows)
    assert len(expected) == len(rows.bills) > 24 * 50
    assert not recompute.discrepancies(rows, expected)
    found = recompute.volumes(rows.readings, rows.meters, rows.rule)
    assert not recompute.reading_discrepancies(rows, found)


# --- runs: once per period, all or nothing -------------------------------------------------------


def test_billing_a_demo_month_again_returns_its_run_and_issues_nothing(main):
    with scopes_disabled():
        run = BillingRun.objects.filter(committee=main).order_by("period")[5]
        bills, last = Bill.objects.filter(committee=main).count(), last_bill_number(main)
        again = billing_services.run_create(
            committee=main, period=Period.of(run.period), by=None, issued_on=TODAY
        )
        assert again.pk == run.pk
        assert Bill.objects.filter(committee=main).count() == bills
        assert last_bill_number(main) == last


def close_this_month(committee) -> Period:
    """Close the demo's open round (no reading yet: every connection is estimated)."""
    open_round = Round.objects.get(committee=committee, status=Round.Status.OPEN)
    metering_services.round_close(round=open_round, by=None)
    return Period.of(open_round.period)


def test_an_interrupted_run_leaves_no_bill_and_consumes_no_number(main, monkeypatch):
    with scopes_disabled():
        period = close_this_month(main)
        bills, last = Bill.objects.filter(committee=main).count(), last_bill_number(main)

        insert_rows = billing_services.insert_rows

        def power_cut(*args, **kwargs):  # the bills are written, then the power goes
            insert_rows(*args, **kwargs)
            raise RuntimeError("power cut")

        monkeypatch.setattr(billing_services, "insert_rows", power_cut)
        with pytest.raises(RuntimeError):
            billing_services.run_create(committee=main, period=period, by=None)
        assert not BillingRun.objects.filter(committee=main, period=period.first_day).exists()
        assert Bill.objects.filter(committee=main).count() == bills
        assert last_bill_number(main) == last

        monkeypatch.undo()
        run = billing_services.run_create(committee=main, period=period, by=None)
        numbers = sorted(Bill.objects.filter(run=run).values_list("number", flat=True))
        assert numbers == list(range(last + 1, last + 1 + run.bill_count))
        assert run.bill_count > 300


# A second version, in force from the demo's current month: other prices, a minimum, sewer on
# residential connections at a percentage that makes half centavos, rounding to 0.50.
TARIFF_2026 = """\
name = "Tarifa 2026"
currency = "BOB"
rounding = "0.50"

[[category]]
code = "residential"
fixed_charge = "19.50"
minimum_m3 = "2.5"
sewer_percent = "12.5"
blocks = [
  { up_to_m3 = "8", price = "2.25" },
  { up_to_m3 = "20", price = "3.4567" },
  { price = "5.50" },
]

[[category]]
code = "social"
fixed_charge = "9.90"
blocks = [{ up_to_m3 = "10", price = "1.80" }, { price = "3.00" }]

[[category]]
code = "commercial"
fixed_charge = "32.00"
minimum_m3 = "5"
sewer_percent = "30"
blocks = [{ up_to_m3 = "10", price = "3.75" }, { price = "6.00" }]

[[category]]
code = "institutional"
fixed_charge = "21.00"
sewer_percent = "7.25"
blocks = [{ up_to_m3 = "30", price = "2.10" }, { price = "3.10" }]

[[category]]
code = "public_tap"
fixed_charge = "0"
blocks = [{ price = "2.10" }]
"""


def test_a_new_tariff_version_prices_the_month_it_starts_and_the_recomputation_follows(main):
    with scopes_disabled():
        period = close_this_month(main)
        # Stored directly (the service refuses a start date already past once bills exist).
        newer = Tariff.objects.create(
            committee=main,
            name="Tarifa 2026",
            effective_from=period.first_day,
            data=tomllib.loads(TARIFF_2026),
            source=TARIFF_2026,
        )
        run = billing_services.run_create(committee=main, period=period, by=None)
        assert run.tariff_id == newer.pk
        rows = recompute.load(main.pk)
    expected = recompute.expected_bills(rows)
    assert len(rows.versions) == 2 and len(expected) == len(rows.bills) > 25 * 350
    assert {e.tariff_id for e in expected.values() if e.period == period.first_day} == {newer.pk}
    assert {e.tariff_id for e in expected.values() if e.period < period.first_day} == {
        v.id for v in rows.versions if v.id != newer.pk
    }
    problems = recompute.discrepancies(rows, expected)
    assert not problems, f"{len(problems)} discrepancies, the first: {problems[:20]}"
    this_month = [e for e in expected.values() if e.period == period.first_day]
    assert all(e.volume.estimated for e in this_month)
    codes = Counter(line[0] for e in this_month for line in e.lines)
    assert codes["sewer"] >= 30 and codes["rounding"] > 300 and codes["block3"]
    assert {e.category for e in this_month} == {c.value for c in Connection.Category}


# --- what the demo looks like --------------------------------------------------------------------


def test_a_residential_bill_is_18_bs_fixed_plus_2_bs_a_cubic_metre_up_to_10(main):
    with scopes_disabled():
        bill = Bill.objects.filter(
            committee=main, category="residential", has_sewer=False, consumption_m3=6
        ).first()
    assert bill.charges_total == Decimal("30.00")


def test_there_is_a_rollover_an_estimate_and_flagged_readings_accepted_with_a_reason(main):
    with scopes_disabled():
        readings = Reading.objects.filter(committee=main)
        rollovers = readings.filter(review_reason="Vuelta del medidor")
        assert rollovers.count() == 1
        assert "rollover" in rollovers.get().flags
        assert rollovers.get().value < rollovers.get().previous_value
        assert readings.filter(estimated=True, source=Reading.Source.ESTIMATED).exists()
        flagged = readings.exclude(flags=[])
        assert flagged.count() >= 4
        for reading in flagged:
            assert reading.status == Reading.Status.ACCEPTED
            assert reading.review_reason and reading.reviewed_by.username == "tesorera"
        reasons = set(flagged.values_list("review_reason", flat=True))
        assert {"Casa deshabitada", "Fuga reparada", "Vuelta del medidor"} <= reasons


def test_household_consumption_runs_from_about_1_to_over_10_m3_with_a_plausible_mean(main):
    with scopes_disabled():
        rows = Reading.objects.filter(
            committee=main, estimated=False, connection__category="residential", months=1
        ).values_list("metered_m3", "flags")
        m3 = [float(v) for v, flags in rows if "spike" not in flags]
    assert min(m3) <= 1
    assert sum(1 for v in m3 if v > 10) >= 50
    assert 4.5 <= statistics.mean(m3) <= 7.5


def test_loading_twice_gives_the_same_readings_bills_payments_and_books(demo):
    first = figures()
    assert first[(SECOND_SLUG, "BillingRun")] == 24
    loader.load(today=TODAY)
    assert figures() == first
