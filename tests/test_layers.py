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

# One interpreter sets Django up once (models, no API module), then forks a child per module:
# each child imports its module first, as a fresh interpreter would, for a fraction of the cost.
IMPORT_EACH_FIRST = """
import os, sys, traceback
import django
API_NAMES = ("api", "kit", "v1")
django.setup()
loaded = [m for m in sys.modules if m.startswith("comunagua.") and m.rsplit(".")[-1] in API_NAMES]
assert not loaded, f"loaded before the test: {loaded}"
for module in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            __import__(module)
        except Exception:
            print(module, traceback.format_exc(), flush=True)
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print(module, "ok" if status == 0 else "FAILED", flush=True)
"""


@pytest.fixture(scope="module")
def imported_first():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    run = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH_FIRST, *API_MODULES],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


@pytest.mark.parametrize("module", API_MODULES)
def test_each_api_module_imports_first_in_a_fresh_interpreter(imported_first, module):
    assert f"{module} ok" in imported_first.splitlines(), imported_first
