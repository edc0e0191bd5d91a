"""Hypothesis settings for the whole suite, chosen here and nowhere else.

A profile sets how many examples each property test tries: `dev` (a developer's `make test`:
quick), `ci` (CI=true: more), `deep` (`make deep`, which CI runs too: many more). A test picks
one of two tiers by what one example costs: `pure` for a calculation on a few values, `heavy`
for one that builds many rows (in memory or in the database) per example. HYPOTHESIS_PROFILE
chooses a profile by name.
"""

import os

from hypothesis import HealthCheck, settings

# Examples per test: (pure, heavy).
EXAMPLES = {"dev": (60, 8), "ci": (200, 20), "deep": (3000, 300)}


def _chosen() -> str:
    named = os.environ.get("HYPOTHESIS_PROFILE", "").strip()
    if named:
        return named
    in_ci = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
    return "ci" if in_ci else "dev"


PROFILE = _chosen()
if PROFILE not in EXAMPLES:
    raise SystemExit(f"HYPOTHESIS_PROFILE={PROFILE!r}: use one of {', '.join(EXAMPLES)}")
for _name, (_pure, _heavy) in EXAMPLES.items():
    settings.register_profile(_name, max_examples=_pure, deadline=None)
settings.load_profile(PROFILE)

pure = settings(max_examples=EXAMPLES[PROFILE][0], deadline=None)
# A test's fixtures (a committee, its households) are built once and shared by its examples,
# which each work inside a transaction of their own: hence the function-scoped fixture check off.
heavy = settings(
    max_examples=EXAMPLES[PROFILE][1],
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
