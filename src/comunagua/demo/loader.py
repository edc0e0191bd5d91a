"""Load the demo: wipe the demo committees and logins, then generate them again, flow by flow.

Loading twice gives the same data, not twice the data. Everything happens in one transaction,
so a failed load leaves the database as it was.
"""

import time
from datetime import date
from graphlib import TopologicalSorter

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled
from simple_history.models import HistoricalChanges

from comunagua.tenancy.models import Committee, TenantModel
from comunagua.tenancy.roles import Role

from . import billing, ledger, metering, registry, supply, tariffs
from . import committees as committees_module
from .context import DEFAULT_SEED, DemoContext

# The flows, in the order data flows through the committee, each a module with
# `generate(ctx) -> dict`; a new domain's demo data is one more module here.
FLOWS = [registry, tariffs, metering, billing, ledger, supply]

SLUGS = [spec.slug for spec in committees_module.COMMITTEES]


def load(*, stdout=None, seed: int = DEFAULT_SEED, today: date | None = None, flows=None) -> dict:
    """Wipe and regenerate the demo committees. Returns what was loaded, for the command.

    `flows` (default: all of FLOWS, in order) lets a test load only the first few."""
    flows = FLOWS if flows is None else flows
    started = time.perf_counter()
    today = today or timezone.localdate()
    result: dict = {"committees": {}, "logins": []}
    with scopes_disabled(), transaction.atomic():
        wiped = wipe()
        committees = committees_module.create_committees()
        users = committees_module.create_users(committees, seed=seed)
        for slug, committee in committees.items():
            member_logins = [
                users[login.username]
                for login in committees_module.LOGINS
                if login.role == Role.MEMBER and slug == committees_module.MAIN_SLUG
            ]
            ctx = DemoContext(
                committee=committee,
                today=today,
                seed=seed,
                users=users,
                member_logins=member_logins,
            )
            counts: dict = {}
            for flow in flows:
                counts.update(flow.generate(ctx))
            result["committees"][slug] = {"name": committee.name, **counts}
            if stdout is not None:
                stdout.write(
                    f"  {committee.name}: {counts.get('members', 0)} socios, "
                    f"{counts.get('connections', 0)} conexiones, "
                    f"{counts.get('meters', 0)} medidores"
                )
    result["logins"] = [(login.username, login.label) for login in committees_module.LOGINS]
    result["wiped"] = wiped
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def wipe() -> int:
    """Delete the demo committees with every row they own, their history and the demo logins.

    Returns how many committees were removed.
    """
    committees = list(Committee.objects.filter(slug__in=SLUGS))
    ids = [c.pk for c in committees]
    if ids:
        # Dependents first, so that no PROTECT link stops a delete.
        done: set = set()
        for model in _tenant_models_in_delete_order():
            done.add(model)
            _delete_rows(model, ids, done)
        # History tables keep a plain committee id, with no cascade: clear them explicitly
        # (this also takes the "deleted" records the deletes above just wrote).
        for model in _historical_models():
            model.objects.filter(committee_id__in=ids).delete()
        Committee.objects.filter(pk__in=ids).delete()
    get_user_model().objects.filter(username__in=committees_module.USERNAMES).delete()
    return len(ids)


def _delete_rows(model, ids: list[int], done: set) -> None:
    """Delete a tenant table's demo rows.

    When every table that points at this one has already been emptied (history tables hold
    plain ids), one DELETE statement does: no per-row signals, so no "deleted" history record
    per row that would only be thrown away. Otherwise Django's delete, with its cascades.
    """
    rows = model.objects.filter(committee_id__in=ids)
    blockers = [
        rel
        for rel in model._meta.related_objects
        if rel.related_model not in done and not issubclass(rel.related_model, HistoricalChanges)
    ]
    if blockers:
        rows.delete()
    else:
        rows._raw_delete(rows.db)


def _tenant_models_in_delete_order() -> list:
    models = [
        m
        for m in apps.get_models()
        if issubclass(m, TenantModel) and not issubclass(m, HistoricalChanges)
    ]
    graph: dict = {m: set() for m in models}
    for model in models:
        for f in model._meta.concrete_fields:
            target = f.related_model if f.is_relation else None
            if target in graph and target is not model:
                graph[target].add(model)  # the referring model goes first
    return list(TopologicalSorter(graph).static_order())


def _historical_models() -> list:
    result = []
    for model in apps.get_models():
        if not issubclass(model, HistoricalChanges):
            continue
        if any(f.name == "committee" for f in model._meta.concrete_fields):
            result.append(model)
    return result
