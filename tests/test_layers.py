"""The layers hold: every API module imports on its own, first, in a fresh interpreter (a cycle
between the kit and the domains' routers used to fail there with a partially initialised module).
The layer contract itself is checked by import-linter in `make lint`."""

import os
import subprocess
import sys

import pytest

API_MODULES = [
    "comunagua.api.kit",
    "comunagua.tenancy.api",
    "comunagua.registry.api",
    "comunagua.metering.api",
    "comunagua.billing.api",
    "comunagua.ledger.api",
    "comunagua.api.v1",
]


@pytest.fixture(scope="module")
def imported_first():
    """Each module imported first in its own interpreter, all started at once."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    runs = {
        module: subprocess.Popen(
            [sys.executable, "-c", f"import django; django.setup(); import {module}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for module in API_MODULES
    }
    results = {}
    for module, run in runs.items():
        output, _ = run.communicate(timeout=120)
        results[module] = (output, run.returncode)
    return results


@pytest.mark.parametrize("module", API_MODULES)
def test_each_api_module_imports_first_in_a_fresh_interpreter(imported_first, module):
    output, code = imported_first[module]
    assert code == 0, output
