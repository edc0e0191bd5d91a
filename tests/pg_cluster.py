"""Run a command against a private, throwaway PostgreSQL cluster.

    python tests/pg_cluster.py -- pytest -q

Starts a cluster in a temporary directory (listening on 127.0.0.1 at a free port, and on a Unix
socket in that directory), creates the `comunagua` database, runs the command with DATABASE_URL
pointing at it through the socket, exits with the command's exit code, and always stops the
cluster and deletes the directory.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import psycopg

DATABASE = "comunagua"
# Tests need no durability; these make a cluster several times faster on slow disks.
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def find_bindir() -> Path | None:
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    if not found:
        return None

    def version(bindir: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in bindir.parent.name.split(".") if part.isdigit())

    return max(found, key=version)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        print("usage: python tests/pg_cluster.py -- CMD [ARGS...]", file=sys.stderr)
        return 2

    bindir = find_bindir()
    if bindir is None:
        reason = "no PostgreSQL server (/usr/lib/postgresql/*/bin/initdb); install `postgresql`"
        if in_ci():
            print(f"FAILED PostgreSQL leg: {reason}", file=sys.stderr)
            return 1
        print(f"SKIPPED PostgreSQL leg: {reason}")
        return 0

    # PostgreSQL refuses to run as root, so as root the cluster belongs to the postgres user.
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    tmp = Path(tempfile.mkdtemp(prefix="comunagua-pg-"))
    data = tmp / "data"
    if as_postgres:
        shutil.chown(tmp, "postgres", "postgres")

    def pg(*args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([*as_postgres, *args], cwd=tmp, check=True, **kwargs)

    # Ctrl-C and SIGTERM both end up in the `finally` below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started, child = False, None
    try:
        pg(
            str(bindir / "initdb"),
            *("-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"),
            "--no-sync",
            stdout=subprocess.DEVNULL,
        )
        port = free_port()
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(port),
            "unix_socket_directories": f"'{tmp}'",
            **FAST_SETTINGS,
        }
        with open(data / "postgresql.conf", "a") as conf:  # append keeps postgres as owner
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        pg(
            str(bindir / "pg_ctl"),
            *("-D", str(data), "-l", str(tmp / "server.log"), "-w", "-s", "start"),
        )
        started = True
        with psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
            version = conn.execute("SHOW server_version").fetchone()[0]
        # Through the socket: a query's round trip takes about half as long as through TCP.
        url = f"postgres://postgres@{quote(str(tmp), safe='')}:{port}/{DATABASE}"
        print(f"PostgreSQL {version} at {url} (cluster in {tmp})", flush=True)

        child = subprocess.Popen(argv, env={**os.environ, "DATABASE_URL": url})
        try:
            code = child.wait()
        except KeyboardInterrupt:
            code = child.wait()  # the child got the Ctrl-C too; let it finish its cleanup
        return 128 - code if code < 0 else code  # killed by a signal: shell convention
    except subprocess.CalledProcessError as error:
        print(f"PostgreSQL cluster failed: {error}", file=sys.stderr)
        log = tmp / "server.log"
        if log.exists():
            print(log.read_text(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # don't let a second Ctrl-C skip cleanup
        if child is not None and child.poll() is None:  # we were terminated: so is the command
            child.terminate()
            child.wait()
        if started:
            stop = [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-s", "stop"]
            subprocess.run([*as_postgres, *stop], cwd=tmp, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
