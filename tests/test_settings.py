"""The one settings file: safe by default in production, no setup needed in development."""

import os
import subprocess
import sys


def _settings(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean.update(COMUNAGUA_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-c", "import comunagua.settings as s; print(s.SECRET_KEY)"],
        env=clean,
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _settings(tmp_path, DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_makes_a_secret_key_once_and_keeps_it(tmp_path):
    first = _settings(tmp_path, DEBUG="true")
    second = _settings(tmp_path, DEBUG="true")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and len(first.stdout.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_given_secret_key_and_database_url_are_used(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import comunagua.settings as s; print(s.SECRET_KEY, s.DATABASES['default']['ENGINE'])",
        ],
        env={
            **os.environ,
            "SECRET_KEY": "k" * 50,
            "DEBUG": "false",
            "DATABASE_URL": "postgres://u:p@127.0.0.1:5999/x",
        },
        capture_output=True,
        text=True,
    )
    assert result.stdout.split() == ["k" * 50, "django.db.backends.postgresql"]
