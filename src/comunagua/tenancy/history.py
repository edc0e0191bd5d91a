"""History tables obey the committee scope like the tables they track.

django-simple-history copies a tracked model's fields, `committee` included, into a
`Historical<Model>` table, but gives it plain managers: `Member.history.all()` outside any scope
would list every committee's changes. Tracked models therefore declare

    history = scoped_history()  # HistoricalRecords with the two pieces below

`ScopedHistoryManager` is what `Model.history` and `instance.history` answer with;
`ScopedHistory` gives the historical model's own default manager (`objects`, used by the admin,
bulk history writes and any `HistoricalX.objects` query) the same rule. The rule is django-scopes'
(`django_scopes.manager.ScopedManager`): without a `committee` scope a query raises ScopeError;
with one, it is filtered to that committee (a list or tuple: to those; None: not filtered);
inside `scopes_disabled()` nothing is filtered.

An abstract base is flattened out of migrations and a manager without `use_in_migrations` is not
recorded, so this changes no migration.
"""

from django.db import models
from django_scopes import ScopedManager
from django_scopes.manager import DisabledQuerySet
from django_scopes.state import get_scope
from simple_history.manager import HistoricalQuerySet, HistoryManager
from simple_history.models import HistoricalRecords

# The scope dimension and the field it filters, as TenantModel's ScopedManager(committee=...).
SCOPES = {"committee": "committee"}


class DisabledHistoricalQuerySet(DisabledQuerySet, HistoricalQuerySet):
    """django-scopes' refusing queryset, with simple-history's methods (`as_instances`,
    `latest_of_each`) present so that they too end in ScopeError, not AttributeError."""


class ScopedHistoryManager(HistoryManager):
    """simple-history's manager (`Model.history`, `instance.history`) under the committee scope."""

    def get_super_queryset(self):
        # HistoryManager builds every queryset (the instance's too) from this one.
        queryset = super().get_super_queryset()
        current = get_scope()
        if not current.get("_enabled", True):
            return queryset
        missing = set(SCOPES) - set(current)
        if missing:
            return DisabledHistoricalQuerySet(self.model, using=self._db, missing_scopes=missing)
        for dimension, field in SCOPES.items():
            value = current[dimension]
            if isinstance(value, list | tuple):
                queryset = queryset.filter(**{f"{field}__in": value})
            elif value is not None:
                queryset = queryset.filter(**{field: value})
        return queryset

    def all(self):
        # As ScopedManager.all(): refuse at once rather than on first use.
        result = super().all()
        if isinstance(result, DisabledQuerySet):
            result = result.all()
        return result


class ScopedHistory(models.Model):
    """Base of a historical model: its default manager `objects` is scoped by committee."""

    objects = ScopedManager(**SCOPES)

    class Meta:
        abstract = True


def scoped_history() -> HistoricalRecords:
    """The `history` of a committee's table: who changed what and when, under its scope."""
    return HistoricalRecords(history_manager=ScopedHistoryManager, bases=[ScopedHistory])
