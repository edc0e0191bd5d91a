"""The suite's plugins and hooks. The named actors and the builders are tests/actors.py,
registered here as a plugin so that its fixtures reach every test."""

import pytest

from tests import properties  # noqa: F401  (loads the Hypothesis profile for every test)

pytest_plugins = ["tests.actors"]


@pytest.fixture(autouse=True)
def _spanish(settings):
    settings.LANGUAGE_CODE = "es"


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql` need real concurrent connections: they run in the PostgreSQL
    leg and are left out (not skipped) of the SQLite one, whose test database is one shared
    in-memory connection. Hypothesis tests are marked `property`, for `make deep`."""
    import os

    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.property)  # what `make deep` runs, with more examples
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    kept = [item for item in items if item.get_closest_marker("postgresql") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept
