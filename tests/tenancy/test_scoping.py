"""Every table with a committee column refuses a query made outside a committee scope, and the
few that must not are named here with their reason: a new tenant table cannot forget its scoped
manager, and simple-history's copies of the tenant tables are scoped like the tables."""

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError

from comunagua.registry.models import Connection, Member
from comunagua.tenancy.history import ScopedHistoryManager
from tests.actors import add_connection

# Tables with a committee column that are reachable without a scope, and why. A change here is a
# change of policy: it must be deliberate.
UNSCOPED = {
    # The scope is decided from this table: committee_view asks for the user's role in the
    # committee of the URL (scoping.role_of) before any scope exists, the home page and the API
    # list a person's committees across all of them (scoping.committees_of), and the people page
    # asks whether an account is the committee's alone (tenancy.selectors.passwords_settable).
    "tenancy.RoleAssignment",
    # The gap-free document counters: infrastructure beneath the domains, never listed on a
    # page, always asked for by an explicit committee (tenancy.services.numbers_take, under a row
    # lock; ledger.books.checks). Nothing needs it outside a scope (every writer that takes numbers
    # runs in one), so it could be scoped too; it is left open as the bottom layer's own table.
    "tenancy.NumberSequence",
}


def _committee_models():
    for model in apps.get_models():
        try:
            model._meta.get_field("committee")
        except FieldDoesNotExist:
            continue
        yield model


def test_the_exceptions_are_real_tables_with_a_committee():
    assert {m._meta.label for m in _committee_models()} >= UNSCOPED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model",
    [m for m in _committee_models() if m._meta.label not in UNSCOPED],
    ids=lambda m: m._meta.label,
)
def test_every_committee_table_refuses_a_query_outside_a_scope(model):
    with pytest.raises(ScopeError):
        list(model._default_manager.all())
    with pytest.raises(ScopeError):
        model._default_manager.filter(pk=1).first()
    with pytest.raises(ScopeError):
        model._default_manager.count()
    with pytest.raises(ScopeError):  # not a yes/no about other committees either
        model._default_manager.exists()
    with pytest.raises(ScopeError):
        model._default_manager.exclude(pk=1).exists()


def _history_models():
    return [
        m
        for m in _committee_models()
        if m._meta.label not in UNSCOPED and hasattr(m, "instance_type")  # simple-history's
    ]


def test_the_registry_metering_and_tariff_history_is_among_the_guarded_tables():
    assert {m.__name__ for m in _history_models()} >= {
        "HistoricalMember",
        "HistoricalLot",
        "HistoricalConnection",
        "HistoricalHolding",
        "HistoricalMeter",
        "HistoricalReading",
        "HistoricalTariff",
        "HistoricalRoleAssignment",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("history", _history_models(), ids=lambda m: m.__name__)
def test_a_tracked_models_history_manager_refuses_a_query_outside_a_scope(history):
    tracked = history.instance_type
    manager = getattr(tracked, tracked._meta.simple_history_manager_attribute)
    assert isinstance(manager, ScopedHistoryManager)
    with pytest.raises(ScopeError):
        list(manager.all())
    with pytest.raises(ScopeError):
        manager.filter(history_type="+").exists()
    with pytest.raises(ScopeError):
        list(manager.as_of("2025-01-01"))


@pytest.mark.django_db
def test_history_in_a_scope_is_that_committees_only(committee, other_committee):
    ours = add_connection(committee, "1")
    theirs = add_connection(other_committee, "1")
    with scope(committee=committee):
        assert {h.committee_id for h in Member.history.all()} == {committee.pk}
        assert list(Connection.history.values_list("id", flat=True)) == [ours.pk]
        # An instance's own history, and through it nothing of another committee's.
        assert ours.history.count() == 1
        assert theirs.history.count() == 0
        assert Member.history.model.objects.filter(committee=other_committee).count() == 0
    with scope(committee=[committee, other_committee]):
        assert Member.history.count() == 2
    with scopes_disabled():
        assert Member.history.count() == 2
        assert theirs.history.count() == 1
    with pytest.raises(ScopeError):
        ours.history.first()
