"""Reading ingestion: the time to take in one 1,000-reading batch through the JSON API, and
readings per second, on SQLite and PostgreSQL.

`make bench` (benchmarks/run.py) calls `run()`, which writes benchmarks/results/readings.json.
Each leg runs in its own process with its own database (SQLite: a fresh file in a temporary
directory; PostgreSQL: a throwaway cluster started by tests/pg_cluster.py, as for the tests).

Each leg migrates an empty database and registers a committee of 1,000 connections (a member,
a lot, a meter each) through the registry's services, with one route, then three closed monthly
rounds read through the same batch service, so that every connection has the history the checks
use (previous reading, usual consumption, spikes). None of that is timed.

The measured figure is one `POST /api/v1/committees/{slug}/readings` carrying 1,000 readings
(one per connection, as a phone that walked the whole hillside would send), made with Django's
test client in the same process: JSON parsing, token authentication, the role check, the batch
service with its checks and inserts (with history rows), the commit and the JSON answer are all
in it; the network is not. It runs `repetitions` times; between two runs the round's readings and
their history rows are deleted, outside the timing. `seconds` is the median, `seconds_all` every
repetition, `readings_per_second` = 1,000 / median. `replay_seconds` is the median time to send
the very same batch again: every answer is "duplicate" and nothing is written.
`load_average_before`/`after` say how busy the machine was.

    python benchmarks/bench_readings.py            # both legs, JSON on stdout
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MARKER = "BENCH-READINGS-RESULT "
CONNECTIONS = 1000
REPETITIONS = 5
LEG_TIMEOUT = 1800
HISTORY = ((2025, 1), (2025, 2), (2025, 3))
MEASURED = (2025, 4)


# --- the parent: one subprocess per leg --------------------------------------------------------


def run() -> dict:
    with tempfile.TemporaryDirectory(prefix="comunagua-bench-") as tmp:
        tmp = Path(tmp)
        sqlite = _collect(
            [sys.executable, __file__, "--leg", "sqlite"],
            {**_env(tmp), "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}"},
        )
        cluster = [sys.executable, str(ROOT / "tests" / "pg_cluster.py"), "--"]
        postgresql = _collect(
            [*cluster, sys.executable, __file__, "--leg", "postgresql"], _env(tmp)
        )
    return {
        "benchmark": "one 1,000-reading batch through the JSON API (benchmarks/bench_readings.py)",
        "cpu_count": os.cpu_count(),
        "sqlite": sqlite,
        "postgresql": postgresql,
    }


def _env(tmp: Path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "comunagua.settings",
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-not-secret",
        "ALLOWED_HOSTS": "testserver",
        "COMUNAGUA_VAR_DIR": str(tmp / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_URL", None)
    return env


def _collect(command: list[str], env: dict) -> dict:
    done = subprocess.run(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, timeout=LEG_TIMEOUT
    )
    for line in done.stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    if "SKIPPED" in done.stdout:
        return {"skipped": done.stdout.strip().splitlines()[-1]}
    raise RuntimeError(f"readings benchmark: exit code {done.returncode}\n{done.stdout}")


# --- the child: one leg ------------------------------------------------------------------------


def _log(message: str) -> None:
    print(f"[readings bench] {message}", file=sys.stderr, flush=True)


def _build(count: int):
    from django.contrib.auth import get_user_model
    from django_scopes import scope

    from comunagua.lib.periods import Period
    from comunagua.metering.readings import services as reading_services
    from comunagua.metering.rounds import services as round_services
    from comunagua.registry import services as registry
    from comunagua.tenancy import tokens
    from comunagua.tenancy.models import Committee, RoleAssignment
    from comunagua.tenancy.roles import Role

    committee = Committee.objects.create(name="Comité de referencia", slug="referencia")
    reader = get_user_model().objects.create_user("lector")
    RoleAssignment.objects.create(user=reader, committee=committee, role=Role.READER)
    with scope(committee=committee):
        sector = registry.sector_get_or_create(committee=committee, name="Loma")
        for n in range(1, count + 1):
            holder = registry.member_create(
                committee=committee,
                by=None,
                first_names="Socia",
                last_names=f"Número {n}",
                household_size=1 + n % 6,
            )
            registry.connection_create(
                committee=committee,
                by=None,
                number=str(n),
                address=f"Calle {n}",
                sector=sector,
                holder=holder,
                holder_since=date(2020, 1, 1),
                connected_on=date(2020, 1, 1),
                meter={"serial": f"M-{n}", "installed_on": date(2020, 1, 1), "initial_reading": 0},
            )
        round_services.routes_from_sectors(committee=committee)
        value = {n: 0 for n in range(1, count + 1)}
        for year, month in HISTORY:
            reading_round = round_services.round_open(
                committee=committee, period=Period(year, month), by=None
            )
            for n in value:
                value[n] += 3 + (n * 7 + month) % 12
            reading_services.readings_enter(
                committee=committee,
                round=reading_round,
                readings=[reading_services.ReadingInput(str(n), str(v)) for n, v in value.items()],
                by=None,
            )
            round_services.round_close(round=reading_round, by=None)
        reading_round = round_services.round_open(
            committee=committee, period=Period(*MEASURED), by=None
        )
    batch = [
        {
            "client_id": str(uuid.uuid4()),
            "connection": str(n),
            "value": f"{v + 4 + n % 9}.{n % 1000:03d}",
            "read_at": "2025-04-20T10:00:00-04:00",
        }
        for n, v in value.items()
    ]
    return committee, reading_round, tokens.token_create(user=reader, name="bench")[1], batch


def _undo(committee, reading_round) -> None:
    from django_scopes import scope

    from comunagua.metering.models import Reading

    with scope(committee=committee):
        Reading.history.filter(round_id=reading_round.pk).delete()
        Reading.objects.filter(round=reading_round).delete()


def leg(name: str) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    if connection.vendor != name:
        raise SystemExit(f"--leg {name} but DATABASE_URL points at {connection.vendor}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    committee, reading_round, secret, batch = _build(CONNECTIONS)
    if name == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    setup = time.perf_counter() - started
    _log(f"{name}: setup {setup:.1f}s")
    client = Client()
    headers = {"Authorization": f"Bearer {secret}"}
    url = f"/api/v1/committees/{committee.slug}/readings"
    body = json.dumps({"readings": batch})
    load_before = os.getloadavg()
    timings, replays = [], []
    for _ in range(REPETITIONS):
        _undo(committee, reading_round)
        began = time.perf_counter()
        response = client.post(url, body, content_type="application/json", headers=headers)
        timings.append(time.perf_counter() - began)
        answers = [r["status"] for r in response.json()["results"]]
        if response.status_code != 200 or answers.count("stored") != CONNECTIONS:
            raise SystemExit(f"unexpected answer: {response.status_code} {set(answers)}")
        began = time.perf_counter()
        replay = client.post(url, body, content_type="application/json", headers=headers)
        replays.append(time.perf_counter() - began)
        if {r["status"] for r in replay.json()["results"]} != {"duplicate"}:
            raise SystemExit("a replay stored something")
    median = statistics.median(timings)
    return {
        "database": name,
        "version": connection.Database.sqlite_version
        if name == "sqlite"
        else connection.cursor().connection.info.server_version,
        "readings": CONNECTIONS,
        "repetitions": REPETITIONS,
        "setup_seconds": round(setup, 1),
        "seconds": round(median, 3),
        "seconds_all": [round(t, 3) for t in timings],
        "readings_per_second": round(CONNECTIONS / median),
        "replay_seconds": round(statistics.median(replays), 3),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--leg", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    if args.leg is None:
        print(json.dumps(run(), indent=2))
        return 0
    sys.path.insert(0, str(ROOT / "src"))
    print(MARKER + json.dumps(leg(args.leg)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
