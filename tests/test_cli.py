"""The `comunagua` command: our commands written with dashes, Django's settings preset, and what a
person sees when they ask for help or mistype a command."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from comunagua import cli

COMUNAGUA = Path(sys.executable).with_name("comunagua")


def run(*args, tmp_path):
    """The installed console script, as a person runs it: no DJANGO_SETTINGS_MODULE set."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(SECRET_KEY="tests-only", COMUNAGUA_VAR_DIR=str(tmp_path), DEBUG="false")
    return subprocess.run(
        [str(COMUNAGUA), *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_the_console_script_is_installed():
    assert COMUNAGUA.is_file(), "pip install -e . makes .venv/bin/comunagua"


def test_help_for_a_dashed_command_without_any_settings_in_the_environment(tmp_path):
    done = run("import-registry", "--help", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out = done.stdout
    assert out.startswith("usage: comunagua import-registry ")  # as typed, not import_registry
    assert "--committee SLUG" in out and "FILE" in out and "--dry-run" in out
    # The command's own description, in Spanish (the settings' language).
    assert "Importa un padrón de socios y conexiones" in " ".join(out.split())


def test_an_unknown_command_says_so_and_where_to_look(tmp_path):
    done = run("frobnicate", tmp_path=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "Unknown command: 'frobnicate'",
        "Type 'comunagua help' for usage.",
    ]


def test_a_mistyped_dashed_command_gets_a_suggestion(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["comunagua", "import-registri"])
    assert stop.value.code == 1
    err = capsys.readouterr().err
    assert "Unknown command: 'import" in err
    assert re.search(r"Did you mean import[-_]registry\?", err)


def test_dashes_become_underscores_in_the_command_name_only(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["comunagua", "check-ledger", "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: comunagua check-ledger ")
    assert "--committee" in out  # the option keeps its dashes: it is not renamed


def test_help_on_a_dashed_command_shows_it_as_typed(capsys):
    cli.main(["comunagua", "help", "water-balance"])
    assert capsys.readouterr().out.startswith("usage: comunagua water-balance ")


def test_an_option_first_is_left_alone(capsys):
    # "--help" has dashes but is no command name: Django's general help, listing our commands.
    cli.main(["comunagua", "--help"])
    out = capsys.readouterr().out
    assert "Type 'comunagua help <subcommand>'" in out
    assert "import_registry" in out and "check_ledger" in out


def test_the_settings_are_preset_and_an_explicit_choice_wins(monkeypatch, capsys):
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE")
    cli.main(["comunagua", "--version"])
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "comunagua.settings"
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "tests.settings")
    cli.main(["comunagua", "--version"])
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "tests.settings"
    assert capsys.readouterr().out.strip().splitlines()[0][0].isdigit()
