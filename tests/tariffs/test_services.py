"""Writing tariffs: versions with a start date, checked before saving, never edited once they
could have priced a bill, every change kept in the history with who made it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from comunagua.tariffs import engine, selectors, services
from comunagua.tariffs.models import Tariff
from comunagua.tenancy.roles import Role
from tests.actors import make_user

from .helpers import EXAMPLE_FILE, TARIFA_2016

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(committee):
    return committee.today()


def create(committee, by, effective_from, text=TARIFA_2016, **kwargs) -> Tariff:
    return services.tariff_create(
        committee=committee, by=by, effective_from=effective_from, toml_text=text, **kwargs
    )


def test_a_tariff_is_stored_as_data_and_as_the_text_written(in_scope, board_user, today):
    tariff = create(in_scope, board_user, today)
    assert tariff.name == "Tarifa 2016"
    assert tariff.data == engine.to_data(engine.from_toml(TARIFA_2016))
    assert tariff.source == TARIFA_2016  # with its comments
    assert tariff.engine() == engine.from_toml(TARIFA_2016)
    assert tariff.created_by == board_user


def test_a_tariff_can_be_created_from_data(in_scope, board_user, today):
    data = engine.to_data(engine.from_toml(EXAMPLE_FILE.read_text(encoding="utf-8")))
    tariff = services.tariff_create(
        committee=in_scope, by=board_user, effective_from=today, data=data
    )
    assert tariff.engine() == engine.parse(data)
    assert engine.from_toml(tariff.source) == engine.parse(data)


def test_a_name_typed_in_the_form_replaces_the_one_in_the_text(in_scope, board_user, today):
    tariff = create(in_scope, board_user, today, name="Tarifa aprobada en asamblea")
    assert tariff.name == tariff.engine().name == "Tarifa aprobada en asamblea"
    assert 'name = "Tarifa aprobada en asamblea"' in tariff.source
    assert "# the last block has no upper bound" in tariff.source  # comments kept


def test_a_bad_tariff_is_refused_naming_the_field_and_nothing_is_saved(in_scope, board_user, today):
    text = TARIFA_2016.replace('up_to_m3 = "20"', 'up_to_m3 = "10"')
    with pytest.raises(ValidationError) as refused:
        create(in_scope, board_user, today, text=text)
    messages = refused.value.message_dict["source"]
    assert messages[0].startswith("category[1].blocks[2].up_to_m3: ")
    assert not Tariff.objects.filter(committee=in_scope).exists()


def test_a_tariff_in_another_currency_than_the_committees_is_refused(in_scope, board_user, today):
    with pytest.raises(ValidationError) as refused:
        create(in_scope, board_user, today, text=TARIFA_2016.replace('"BOB"', '"USD"'))
    assert "BOB" in refused.value.message_dict["source"][0]


def test_two_tariffs_cannot_start_the_same_day(in_scope, board_user, today):
    create(in_scope, board_user, today + timedelta(days=30))
    with pytest.raises(ValidationError) as refused:
        create(in_scope, board_user, today + timedelta(days=30))
    assert "effective_from" in refused.value.message_dict
    assert Tariff.objects.filter(committee=in_scope).count() == 1


def test_the_first_tariff_may_start_in_the_past(in_scope, board_user, today):
    tariff = create(in_scope, board_user, today.replace(year=2016, month=1, day=1))
    assert tariff.pk


def test_a_new_tariff_may_not_start_inside_the_time_of_one_that_priced_bills(
    in_scope, board_user, today
):
    create(in_scope, board_user, today - timedelta(days=400))
    for start in (today - timedelta(days=10), today):
        with pytest.raises(ValidationError) as refused:
            create(in_scope, board_user, start)
        assert "effective_from" in refused.value.message_dict
    assert create(in_scope, board_user, today + timedelta(days=1)).pk


def test_an_older_tariff_may_be_added_before_every_other_one(in_scope, board_user, today):
    create(in_scope, board_user, today - timedelta(days=400))
    assert create(in_scope, board_user, today - timedelta(days=800)).pk


def test_a_future_tariff_can_be_edited(in_scope, board_user, today):
    tariff = create(in_scope, board_user, today + timedelta(days=20))
    text = TARIFA_2016.replace('fixed_charge = "18.00"', 'fixed_charge = "20.00"')
    services.tariff_update(
        tariff=tariff,
        by=board_user,
        toml_text=text,
        effective_from=today + timedelta(days=40),
        notes="Asamblea del 3 de mayo",
    )
    tariff.refresh_from_db()
    assert tariff.engine().categories["residential"].fixed_charge == Decimal("20.00")
    assert tariff.effective_from == today + timedelta(days=40)
    assert tariff.notes == "Asamblea del 3 de mayo"


def test_a_tariff_in_force_cannot_be_edited(in_scope, board_user, today):
    tariff = create(in_scope, board_user, today)
    with pytest.raises(ValidationError):
        services.tariff_update(tariff=tariff, by=board_user, notes="cambio")
    tariff.refresh_from_db()
    assert tariff.notes == ""


def test_a_future_tariff_cannot_be_moved_into_the_time_of_another(in_scope, board_user, today):
    create(in_scope, board_user, today - timedelta(days=100))
    future = create(in_scope, board_user, today + timedelta(days=10))
    with pytest.raises(ValidationError) as refused:
        services.tariff_update(tariff=future, by=board_user, effective_from=today)
    assert "effective_from" in refused.value.message_dict
    future.refresh_from_db()
    assert future.effective_from == today + timedelta(days=10)


def test_editing_only_the_name_renames_the_text_too(in_scope, board_user, today):
    tariff = create(in_scope, board_user, today + timedelta(days=5))
    services.tariff_update(tariff=tariff, by=board_user, name="Tarifa 2026")
    tariff.refresh_from_db()
    assert tariff.name == "Tarifa 2026"
    assert engine.from_toml(tariff.source).name == "Tarifa 2026"


def test_the_tariff_in_force_is_the_latest_started(in_scope, board_user, today):
    old = create(in_scope, board_user, today - timedelta(days=400))
    future = create(in_scope, board_user, today + timedelta(days=10))
    assert selectors.tariff_in_force(committee=in_scope, on=today) == old
    assert selectors.tariff_in_force(committee=in_scope, on=today + timedelta(days=10)) == future
    assert selectors.tariff_in_force(committee=in_scope, on=today - timedelta(days=401)) is None
    assert list(selectors.tariff_list(committee=in_scope)) == [future, old]


def test_another_committees_tariffs_are_never_in_force_here(
    committee, other_committee, board_user, today
):
    with scope(committee=other_committee):
        create(other_committee, None, today - timedelta(days=10))
    with scope(committee=committee):
        assert selectors.tariff_in_force(committee=committee, on=today) is None
        assert not selectors.tariff_list(committee=committee).exists()


def test_the_history_keeps_every_version_and_who_made_it(in_scope, board_user, today):
    president = make_user(in_scope, Role.BOARD, "presidenta")
    tariff = create(in_scope, board_user, today + timedelta(days=5))
    text = TARIFA_2016.replace('price = "5.00"', 'price = "6.00"')
    services.tariff_update(tariff=tariff, by=president, toml_text=text)
    created, changed = tariff.history.order_by("history_date")
    assert (created.history_type, created.history_user) == ("+", board_user)
    assert (changed.history_type, changed.history_user) == ("~", president)
    assert created.data["category"][0]["blocks"][2]["price"] == "5.00"
    assert changed.data["category"][0]["blocks"][2]["price"] == "6.00"


def test_a_query_on_tariffs_outside_a_committee_scope_fails_loudly(committee):
    from django_scopes.exceptions import ScopeError

    with pytest.raises(ScopeError):
        list(Tariff.objects.all())
