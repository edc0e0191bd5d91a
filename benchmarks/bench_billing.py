"""Billing run throughput: bills per second on SQLite and PostgreSQL, against a plain COPY.

`make bench` (benchmarks/run.py) calls `run()`, which writes benchmarks/results/billing.json.
Each leg runs in its own process with its own database and its own Django setup:

- sqlite: `python benchmarks/bench_billing.py --leg sqlite` with DATABASE_URL pointing at a
  fresh SQLite file in a temporary directory (the settings' WAL and synchronous=NORMAL apply);
  a committee of 370 connections, the size of the demo's hillside committee.
- postgresql: the same command with `--leg postgresql`, run through tests/pg_cluster.py, which
  starts a throwaway cluster (fsync, synchronous_commit and full_page_writes off, as for the
  tests) and sets DATABASE_URL; a committee of 100,000 connections. Without PostgreSQL server
  binaries the leg reports {"skipped": reason} instead of failing.

Each leg migrates an empty database and builds a synthetic committee: members, lots,
connections with a meter and a current holder, loaded straight into their tables (COPY on
PostgreSQL, executemany on SQLite, every other column at its field's default, no history rows:
billing reads none), so that 100,000 connections take seconds, not minutes. About 97 % of the
connections are active (the rest suspended or disconnected, which are not billed), in a mix of
categories (residential, social, commercial, institutional, public taps) priced by a tariff
with every category and sewer charges, about 40 % of homes and shops with sewer. Two closed
reading rounds (February and March 2025) with whole m³ between 1 and 15 as readers type them,
and about 1 % estimates with litre fractions. February is billed by `run_create` itself (its
time is `first_run_seconds`, not the headline), and about 2 % of February's bills get a credit
note, so March's previous balances come from both queries of `balances_before`.
`setup_seconds` is everything before the timed runs (migrate and the first run included).

The measured figure is `run_create` for March, wall clock, the whole transaction and its
commit included. It runs `repetitions` times; between two runs the March bills and run are
deleted and the bill number sequence is reset (on PostgreSQL the database is also vacuumed and
analysed and a checkpoint taken), all outside the timing, so every repetition bills the same
connections into the same state. `seconds` is the median, `seconds_all` every repetition,
`bills_per_second` is bills / median. `python_cpu_seconds_all` is the CPU time of the
benchmark's own process (Django and the service, not the database server) in each repetition;
`load_average_before` and `load_average_after` say how busy the machine was: other work on it
slows every figure.

`phases` breaks the median repetition down: the time spent inside each step `run_create`
calls (billable_consumptions, tariff_in_force, balances_before, numbers_take, the tariff
quotes, insert_rows, which writes the bills: COPY on PostgreSQL, executemany on SQLite);
`other_seconds` is the rest (the connection and holder queries, sorting, building the bill
rows, the lock, the run row, the commit with its deferred foreign key checks).
`execute_seconds` is the time inside cursor.execute across all of it (psycopg's adaptation of
the parameters, the server's work and the transfer), from Django's execute wrapper; the COPY
that writes the bills on PostgreSQL goes around that wrapper, so its time is in insert_rows
but not in `execute_seconds`. The wrappers are in place in every repetition, so every
repetition is timed alike; they wrap a handful of calls and about 60 queries, which costs
microseconds.

The physical reference (PostgreSQL only): the exact rows of billing_bill the last run wrote
(every column, ids included) are read with COPY ... TO STDOUT, deleted, and written back with
`COPY billing_bill (...) FROM STDIN` through psycopg in one transaction (commit included), into
the same table with its indexes, constraints and deferred foreign keys in place, after the same
vacuum, analyse and checkpoint. It runs as many times as the billing run (`copy_seconds` is
the median) and the rows read back after the last COPY must equal the rows the run wrote, byte
for byte. `ratio_to_copy` = seconds / copy_seconds; the target is a ratio of at most 5.

Both legs, the JSON on stdout; or one leg in the database DATABASE_URL names, with a cProfile
of one more run on stderr (`--profile`):

    python benchmarks/bench_billing.py
    export SECRET_KEY=x DATABASE_URL=sqlite:////tmp/bench.sqlite3
    python benchmarks/bench_billing.py --leg sqlite --connections 2000 --profile
"""

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MARKER = "BENCH-BILLING-RESULT "

SQLITE_CONNECTIONS = 370
POSTGRESQL_CONNECTIONS = 100_000
SQLITE_REPETITIONS = 7
POSTGRESQL_REPETITIONS = 3
TARGET_RATIO = 5
SEED = 20250301
LEG_TIMEOUT = 1800  # seconds: a hung leg must not hang `make bench`

FEBRUARY = (2025, 2)
MARCH = (2025, 3)

TARIFF = """\
name = "Tarifa de referencia"
currency = "BOB"
rounding = "0.10"

[[category]]
code = "residential"
fixed_charge = "18.00"
sewer_percent = "15"
blocks = [
  { up_to_m3 = "10", price = "2.00" },
  { up_to_m3 = "20", price = "3.00" },
  { price = "5.00" },
]

[[category]]
code = "social"
fixed_charge = "9.00"
blocks = [
  { up_to_m3 = "10", price = "1.50" },
  { up_to_m3 = "20", price = "3.00" },
  { price = "5.00" },
]

[[category]]
code = "commercial"
fixed_charge = "30.00"
minimum_m3 = "5"
sewer_percent = "30"
blocks = [
  { up_to_m3 = "10", price = "3.50" },
  { up_to_m3 = "30", price = "5.00" },
  { price = "8.00" },
]

[[category]]
code = "institutional"
fixed_charge = "25.00"
sewer_percent = "20"
blocks = [
  { up_to_m3 = "20", price = "2.50" },
  { price = "4.00" },
]

[[category]]
code = "public_tap"
fixed_charge = "0.00"
blocks = [{ price = "1.00" }]
"""

# (category, share of connections, share of those with sewer)
CATEGORY_MIX = (
    ("residential", 0.85, 0.40),
    ("social", 0.07, 0.0),
    ("commercial", 0.06, 0.40),
    ("institutional", 0.01, 0.50),
    ("public_tap", 0.01, 0.0),
)
SUSPENDED_SHARE = 0.02
DISCONNECTED_SHARE = 0.01
ESTIMATED_SHARE = 0.01
CREDIT_NOTE_SHARE = 0.02
# What the benchmark gives each reading; the other columns take their defaults.
READING_COLUMNS = (
    "id",
    "committee_id",
    "round_id",
    "connection_id",
    "meter_id",
    "value",
    "read_at",
    "source",
    "entered_by_id",
    "previous_value",
    "consumption",
    "metered_m3",
    "months",
    "estimated",
)


# --- the parent: one subprocess per leg --------------------------------------------------------


def run() -> dict:
    """Both legs, each in its own process; what benchmarks/run.py writes to billing.json."""
    with tempfile.TemporaryDirectory(prefix="comunagua-bench-") as tmp:
        sqlite = _leg_sqlite(Path(tmp))
        postgresql = _leg_postgresql(Path(tmp))
    return {
        "benchmark": "billing_run over a synthetic committee (see benchmarks/bench_billing.py)",
        "environment": _environment(sqlite, postgresql),
        "sqlite": sqlite,
        "postgresql": postgresql,
    }


def _child_env(tmp: Path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "comunagua.settings",
        "DEBUG": "false",  # DEBUG would keep every query in memory
        "SECRET_KEY": "benchmark-only-not-secret",
        "COMUNAGUA_VAR_DIR": str(tmp / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_URL", None)
    return env


def _collect(command: list[str], env: dict, leg: str) -> dict:
    """Run a leg; its progress goes to our stderr, its result is the line after MARKER."""
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        timeout=LEG_TIMEOUT,
        check=False,
    )
    for line in done.stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    if "SKIPPED" in done.stdout:  # tests/pg_cluster.py found no server
        return {"skipped": done.stdout.strip().splitlines()[-1]}
    raise RuntimeError(
        f"billing benchmark, {leg} leg: exit code {done.returncode}, no result\n{done.stdout}"
    )


def _leg_sqlite(tmp: Path) -> dict:
    env = _child_env(tmp)
    env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    command = [sys.executable, __file__, "--leg", "sqlite"]
    command += ["--connections", str(SQLITE_CONNECTIONS)]
    command += ["--repetitions", str(SQLITE_REPETITIONS)]
    return _collect(command, env, "sqlite")


def _pg_cluster():
    spec = importlib.util.spec_from_file_location("pg_cluster", ROOT / "tests" / "pg_cluster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _leg_postgresql(tmp: Path) -> dict:
    cluster = _pg_cluster()
    if cluster.find_bindir() is None:
        return {"skipped": "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)"}
    command = [sys.executable, str(ROOT / "tests" / "pg_cluster.py"), "--"]
    command += [sys.executable, __file__, "--leg", "postgresql"]
    command += ["--connections", str(POSTGRESQL_CONNECTIONS)]
    command += ["--repetitions", str(POSTGRESQL_REPETITIONS)]
    return _collect(command, _child_env(tmp), "postgresql")


def _environment(*legs: dict) -> dict:
    import django
    import psycopg

    found = {}
    for leg in legs:
        found.update(leg.get("versions", {}))
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "psycopg": psycopg.__version__,
        "sqlite": found.get("sqlite"),
        "postgresql": found.get("postgresql"),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "processor": platform.machine(),
    }


# --- the child: one leg in one database --------------------------------------------------------


def _log(message: str) -> None:
    print(f"[billing bench] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _timed(label: str):
    started = time.perf_counter()
    yield
    _log(f"{label}: {time.perf_counter() - started:.2f}s")


def leg(*, name: str, connections: int, repetitions: int, profile: bool) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django_scopes import scopes_disabled

    if connection.vendor != name:
        raise SystemExit(f"--leg {name} but DATABASE_URL points at {connection.vendor}")
    started = time.perf_counter()
    with _timed("migrate"):
        call_command("migrate", verbosity=0, interactive=False)
    with scopes_disabled():
        world = _build(connections)
        _settle()
        result = {
            "database": name,
            "connections": connections,
            "active_connections": world["active"],
            "setup_seconds": round(time.perf_counter() - started, 3),
            "first_run_seconds": round(world["first_run_seconds"], 4),
            "first_run_bills": world["first_run_bills"],
            "versions": _versions(),
            "load_average_before": _load_average(),
        }
        result.update(_measure_runs(world, repetitions))
        if name == "postgresql":
            result.update(_measure_copy(result["run_id"], repetitions))
            result["ratio_to_copy"] = round(result["seconds"] / result["copy_seconds"], 2)
            result["target_ratio"] = TARGET_RATIO
            result["meets_target"] = result["ratio_to_copy"] <= TARGET_RATIO
        result["load_average_after"] = _load_average()
        del result["run_id"]
        if profile:
            _profile(world)
    return result


def _load_average() -> list[float] | None:
    """The machine's 1, 5 and 15 minute load averages: other work on it slows the figures."""
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


def _versions() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return {connection.vendor: cursor.fetchone()[0]}


def _insert(model, names: tuple[str, ...], rows: list[tuple]) -> None:
    """Load rows into an empty table, fast: COPY on PostgreSQL, executemany on SQLite. `names`
    are the attnames the rows give (the id included); every other column gets its field's
    default, the same for all rows, as bulk_create would store it."""
    from django.db import connection, models
    from django.utils import timezone

    now = timezone.now()
    given = set(names)
    rest, tail = [], []
    for field in model._meta.concrete_fields:
        if field.attname in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:
            value = field.get_default()
        if isinstance(field, models.JSONField):
            value = json.dumps(value)
        rest.append(field.attname)
        tail.append(value)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(fields[n].column) for n in (*names, *rest))
    table = connection.ops.quote_name(model._meta.db_table)
    tail = tuple(tail)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row + tail)
        return
    placeholders = ", ".join(["%s"] * (len(names) + len(rest)))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
            [tuple(_sqlite(v) for v in row + tail) for row in rows],
        )


def _sqlite(value):
    """A value as Django stores it in SQLite: aware datetimes as naive UTC text."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return value


def _reset_sequences(*models_) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(statement)


def _build(count: int) -> dict:
    """The synthetic committee, February billed; returns what the timed runs need."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from comunagua.billing.models import Bill, CreditNote
    from comunagua.billing.services import run_create
    from comunagua.lib.periods import Period
    from comunagua.metering.models import Reading, Round
    from comunagua.registry.models import Connection, Holding, Lot, Member, Meter, Sector
    from comunagua.tariffs.services import tariff_create
    from comunagua.tenancy.models import Committee
    from comunagua.tenancy.services import numbers_take

    rng = random.Random(SEED)
    february, march = Period(*FEBRUARY), Period(*MARCH)
    since = date(2020, 1, 1)
    ids = range(1, count + 1)  # a fresh database: the loaded tables start at id 1
    with _timed(f"register of {count} connections"), transaction.atomic():
        committee = Committee.objects.create(name="Comité de Agua Banco de Pruebas", slug="banco")
        user = get_user_model().objects.create_user(username="tesorera", password=None)
        tariff_create(
            committee=committee, by=user, effective_from=date(2025, 1, 1), toml_text=TARIFF
        )
        sectors = Sector.objects.bulk_create(
            Sector(committee=committee, name=f"Sector {n}", position=n) for n in range(1, 41)
        )
        c = committee.pk
        names = ("Rosa", "Juan", "María", "Luis", "Ana", "Pedro", "Sonia", "Freddy")
        _insert(
            Member,
            ("id", "committee_id", "first_names", "last_names", "gender", "household_size"),
            [
                (n, c, rng.choice(names), f"Quispe Mamani {n}", rng.choice("FM"), rng.randint(1, 8))
                for n in ids
            ],
        )
        _insert(
            Lot,
            ("id", "committee_id", "sector_id", "address"),
            [(n, c, sectors[n % 40].pk, f"Calle {n // 40} #{n}") for n in ids],
        )
        connections = []  # (id, category, has_sewer, status)
        for n in ids:
            category, has_sewer = _category(rng)
            draw = rng.random()
            if draw < SUSPENDED_SHARE:
                status = Connection.Status.SUSPENDED
            elif draw < SUSPENDED_SHARE + DISCONNECTED_SHARE:
                status = Connection.Status.DISCONNECTED
            else:
                status = Connection.Status.ACTIVE
            connections.append((n, category, has_sewer, str(status)))
        _insert(
            Connection,
            ("id", "committee_id", "number", "lot_id", "category", "has_sewer", "status"),
            [(n, c, str(n), n, cat, sewer, status) for n, cat, sewer, status in connections],
        )
        _insert(  # connection n has meter n, lot n and holder n
            Meter,
            ("id", "committee_id", "connection_id", "serial", "installed_on"),
            [(n, c, n, f"M-{n}", since) for n in ids],
        )
        _insert(
            Holding,
            ("id", "committee_id", "connection_id", "member_id", "started_on"),
            [(n, c, n, n, since) for n in ids],
        )
        _reset_sequences(Member, Lot, Connection, Meter, Holding)
    active = [n for n, _, _, status in connections if status == Connection.Status.ACTIVE]
    with _timed(f"two closed rounds of {len(active)} readings"), transaction.atomic():
        positions = {n: Decimal(rng.randint(50, 3000)) for n in active}
        readings = []
        for period in (february, march):
            round_ = Round.objects.create(
                committee=committee,
                period=period.first_day,
                status=Round.Status.CLOSED,
                opened_by=user,
                closed_at=datetime.combine(period.last_day, datetime.min.time(), UTC),
                closed_by=user,
            )
            for n in active:
                previous = positions[n]
                estimated = period == march and rng.random() < ESTIMATED_SHARE
                if estimated:  # the average of earlier months: litre fractions
                    m3 = (Decimal(rng.randint(3000, 45000)) / 3000).quantize(Decimal("0.001"))
                else:
                    m3 = Decimal(rng.randint(1, 15))
                positions[n] = previous + m3
                read_at = datetime.combine(
                    period.first_day + timedelta(days=rng.randint(2, 25)), datetime.min.time(), UTC
                ) + timedelta(hours=rng.randint(12, 22), minutes=rng.randint(0, 59))
                source = Reading.Source.ESTIMATED if estimated else Reading.Source.PHONE
                readings.append(
                    (
                        *(len(readings) + 1, c, round_.pk, n, n, previous + m3, read_at),
                        *(str(source), user.pk, previous, m3, None if estimated else m3),
                        *(1, estimated),
                    )
                )
        _insert(Reading, READING_COLUMNS, readings)
        _reset_sequences(Reading)
    started = time.perf_counter()
    first = run_create(committee=committee, period=february, by=user, issued_on=date(2025, 3, 5))
    first_run_seconds = time.perf_counter() - started
    _log(f"first run (February, empty balances): {first_run_seconds:.2f}s")
    with _timed("credit notes on February bills"), transaction.atomic():
        bills = [
            (pk, total)
            for pk, total in Bill.objects.filter(run=first).values_list("pk", "charges_total")
            if rng.random() < CREDIT_NOTE_SHARE
        ]
        numbers = numbers_take(committee=committee, kind="credit_note", count=len(bills))
        CreditNote.objects.bulk_create(
            CreditNote(
                committee=committee,
                bill_id=pk,
                number=number,
                issued_on=date(2025, 3, 20),
                amount=(total / 2).quantize(Decimal("0.01")),
                reason="Fuga en la red pública frente a la casa",
                created_by=user,
            )
            for number, (pk, total) in zip(numbers, bills, strict=True)
        )
    return {
        "committee": committee,
        "user": user,
        "period": march,
        "active": len(active),
        "first_run_seconds": first_run_seconds,
        "first_run_bills": first.bill_count,
    }


def _category(rng: random.Random) -> tuple[str, bool]:
    draw = rng.random()
    for category, share, sewer in CATEGORY_MIX:
        if draw < share:
            return category, rng.random() < sewer
        draw -= share
    return CATEGORY_MIX[0][0], False


def _settle() -> None:
    """Before a timed step: the same clean state for the run and for the COPY. On PostgreSQL,
    dead rows of the previous repetition vacuumed, statistics current, dirty pages written."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")


def _billing_run(world: dict):
    from comunagua.billing.services import run_create

    return run_create(
        committee=world["committee"],
        period=world["period"],
        by=world["user"],
        issued_on=date(2025, 4, 5),
    )


def _undo(world: dict, run) -> None:
    """Take a timed run back: its bills, its entry in the books (postings, open items,
    allocations), the run, and the numbers it took."""
    from django.db import connection, transaction

    from comunagua.billing.models import Bill, BillingRun
    from comunagua.ledger.models import Allocation, JournalEntry, OpenItem, Posting
    from comunagua.tenancy.models import NumberSequence

    committee = world["committee"]
    entries = list(
        JournalEntry.objects.filter(
            committee=committee, number__gt=world["last_journal_number"]
        ).values_list("pk", flat=True)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for model, column in (
            (Allocation, "entry_id"),
            (OpenItem, "entry_id"),
            (Posting, "entry_id"),
        ):
            if entries:
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE {column} = ANY(%s)"
                    if connection.vendor == "postgresql"
                    else f"DELETE FROM {model._meta.db_table} WHERE {column} IN "
                    f"({', '.join(['%s'] * len(entries))})",
                    [entries] if connection.vendor == "postgresql" else entries,
                )
        if entries:
            JournalEntry.objects.filter(pk__in=entries)._raw_delete(JournalEntry.objects.db)
        cursor.execute(f"DELETE FROM {Bill._meta.db_table} WHERE run_id = %s", [run.pk])
        BillingRun.objects.filter(pk=run.pk).delete()
        NumberSequence.objects.filter(committee=committee, kind="bill").update(
            last=world["last_bill_number"]
        )
        NumberSequence.objects.filter(committee=committee, kind="journal").update(
            last=world["last_journal_number"]
        )


@contextlib.contextmanager
def _phases():
    """Time the steps run_create calls, and the time inside cursor.execute, while the block
    runs. Wrapping a handful of calls and ~60 queries costs microseconds."""
    from django.db import connection

    from comunagua.billing import services

    spent: dict[str, float] = {}
    calls: dict[str, int] = {}

    def add(label: str, started: float) -> None:
        spent[label] = spent.get(label, 0.0) + time.perf_counter() - started
        calls[label] = calls.get(label, 0) + 1

    def timing(label, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                add(label, started)

        return wrapper

    def execute(execute_, query, params, many, context):
        started = time.perf_counter()
        try:
            return execute_(query, params, many, context)
        finally:
            add("execute", started)

    targets = [
        (services, "billable_consumptions"),
        (services, "tariff_in_force"),
        (services, "balances_before"),
        (services, "numbers_take"),
        (services.tariff_engine, "quote"),
        (services, "insert_rows"),
        (services.ledger_arrears, "late_fines_apply"),
        (services.ledger_services, "charges_post"),
    ]
    originals = [getattr(target, attribute) for target, attribute in targets]
    for (target, attribute), original in zip(targets, originals, strict=True):
        setattr(target, attribute, timing(attribute, original))
    found: dict = {}
    started = time.perf_counter()
    try:
        with connection.execute_wrapper(execute):
            yield found
    finally:
        total = time.perf_counter() - started
        for (target, attribute), original in zip(targets, originals, strict=True):
            setattr(target, attribute, original)
    steps = {
        label: {"seconds": round(seconds, 4), "calls": calls[label]}
        for label, seconds in spent.items()
        if label != "execute"
    }
    found.update(
        steps=steps,
        other_seconds=round(total - sum(spent[label] for label in steps), 4),
        execute_seconds=round(spent.get("execute", 0.0), 4),
        queries=calls.get("execute", 0),
    )


def _measure_runs(world: dict, repetitions: int) -> dict:
    from comunagua.billing.models import Bill
    from comunagua.tenancy.models import NumberSequence

    world["last_bill_number"] = NumberSequence.objects.get(
        committee=world["committee"], kind="bill"
    ).last
    world["last_journal_number"] = (
        NumberSequence.objects.filter(committee=world["committee"], kind="journal")
        .values_list("last", flat=True)
        .first()
        or 0
    )
    times, cpu, phases, bills = [], [], [], None
    for repetition in range(repetitions):
        _settle()
        with _phases() as steps:
            started, started_cpu = time.perf_counter(), time.process_time()
            run = _billing_run(world)
            seconds = time.perf_counter() - started
            cpu_seconds = time.process_time() - started_cpu
        times.append(seconds)
        cpu.append(cpu_seconds)
        phases.append(steps)
        count = Bill.objects.filter(run=run).count()
        if count != world["active"]:
            raise RuntimeError(f"the run wrote {count} bills, expected {world['active']}")
        bills = count
        _log(f"billing run {repetition + 1}/{repetitions}: {seconds:.3f}s for {count} bills")
        if repetition < repetitions - 1:
            _undo(world, run)
    median = statistics.median(times)
    middle = sorted(range(repetitions), key=times.__getitem__)[repetitions // 2]
    _log(f"phases of run {middle + 1}: {json.dumps(phases[middle])}")
    return {
        "run_id": run.pk,
        "bills": bills,
        "repetitions": repetitions,
        "seconds": round(median, 4),
        "seconds_best": round(min(times), 4),
        "seconds_all": [round(t, 4) for t in times],
        "python_cpu_seconds_all": [round(t, 4) for t in cpu],
        "bills_per_second": round(bills / median, 1),
        "phases": {"repetition": middle + 1, "seconds": round(times[middle], 4)} | phases[middle],
    }


def _measure_copy(run_id: int, repetitions: int) -> dict:
    """COPY the rows the last run wrote back into billing_bill, `repetitions` times."""
    from django.db import connection

    from comunagua.billing.models import Bill

    table = connection.ops.quote_name(Bill._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in Bill._meta.concrete_fields)
    select = f"SELECT {columns} FROM {table} WHERE run_id = {int(run_id)} ORDER BY id"
    connection.ensure_connection()
    raw = connection.connection  # psycopg 3, in autocommit as Django keeps it

    def dump() -> bytes:
        with raw.cursor() as cursor, cursor.copy(f"COPY ({select}) TO STDOUT") as copy:
            return b"".join(bytes(chunk) for chunk in copy)

    rows = dump()
    times = []
    for repetition in range(repetitions):
        with raw.transaction(), raw.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE run_id = %s", [run_id])
        _settle()
        started = time.perf_counter()
        with (
            raw.transaction(),
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            copy.write(rows)
        seconds = time.perf_counter() - started
        times.append(seconds)
        _log(f"COPY {repetition + 1}/{repetitions}: {seconds:.3f}s for {len(rows)} bytes")
    if dump() != rows:
        raise RuntimeError("the rows read back after COPY differ from the rows the run wrote")
    return {
        "copy_seconds": round(statistics.median(times), 4),
        "copy_seconds_best": round(min(times), 4),
        "copy_seconds_all": [round(t, 4) for t in times],
        "copy_bytes": len(rows),
    }


def _profile(world: dict) -> None:
    """One more run under cProfile; the 40 costliest calls (cumulative) on stderr."""
    import cProfile
    import pstats

    from comunagua.billing.models import BillingRun

    run = BillingRun.objects.get(committee=world["committee"], period=world["period"].first_day)
    _undo(world, run)
    _settle()
    profiler = cProfile.Profile()
    profiler.runcall(_billing_run, world)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--leg", choices=("sqlite", "postgresql"))
    parser.add_argument("--connections", type=int)
    parser.add_argument("--repetitions", type=int)
    parser.add_argument("--profile", action="store_true", help="cProfile one more run (stderr)")
    args = parser.parse_args()
    if args.leg is None:  # both legs, as make bench runs them
        print(json.dumps(run(), indent=2, ensure_ascii=False))
        return 0
    sqlite = args.leg == "sqlite"
    default_connections = SQLITE_CONNECTIONS if sqlite else POSTGRESQL_CONNECTIONS
    default_repetitions = SQLITE_REPETITIONS if sqlite else POSTGRESQL_REPETITIONS
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comunagua.settings")
    result = leg(
        name=args.leg,
        connections=args.connections or default_connections,
        repetitions=args.repetitions or default_repetitions,
        profile=args.profile,
    )
    print(MARKER + json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
