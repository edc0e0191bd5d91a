"""The demo committees: idempotent, deterministic, realistic enough to show."""

import io
import statistics
from datetime import date

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django_scopes import scopes_disabled

from comunagua.demo import loader
from comunagua.demo.committees import LOGINS, MAIN_SLUG, SECOND_SLUG
from comunagua.registry.models import Connection, Holding, Lot, Member, Meter, Sector
from comunagua.tenancy.models import Committee, RoleAssignment
from comunagua.tenancy.roles import Role
from tests.actors import TODAY, add_connection, make_committee

# One worker runs all the demo tests (xdist: --dist loadgroup), so the demo loads once a leg.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

REGISTER = [Member, Sector, Lot, Connection, Holding, Meter]
HISTORIES = [Member, Lot, Connection, Holding, Meter]


def counts() -> dict:
    with scopes_disabled():
        figures = {
            (slug, model.__name__): model.objects.filter(committee__slug=slug).count()
            for slug in (MAIN_SLUG, SECOND_SLUG)
            for model in REGISTER
        }
        for model in HISTORIES:
            figures[("history", model.__name__)] = model.history.count()
    figures["committees"] = Committee.objects.count()
    figures["users"] = get_user_model().objects.count()
    figures["roles"] = RoleAssignment.objects.count()
    return figures


def people(slug: str = MAIN_SLUG) -> list[tuple]:
    with scopes_disabled():
        return list(
            Member.objects.filter(committee__slug=slug)
            .order_by("code")
            .values_list("code", "first_names", "last_names", "gender", "household_size")
        )


def committee(slug: str = MAIN_SLUG) -> Committee:
    return Committee.objects.get(slug=slug)


# The register's own tests reload only the register: a full reload (two years of readings and
# bills) inside one test transaction is slow, and it is tested once in test_demo_billing.py.
REGISTER_ONLY = loader.FLOWS[:1]


def test_loading_the_demo_twice_gives_the_same_data_not_twice_the_data():
    loader.load(today=TODAY, flows=REGISTER_ONLY)
    first = counts()
    loader.load(today=TODAY, flows=REGISTER_ONLY)
    assert counts() == first
    assert first[(MAIN_SLUG, "Connection")] > 0


def test_the_same_people_come_out_on_every_load():
    loader.load(today=TODAY, flows=REGISTER_ONLY)
    first = people()
    with scopes_disabled():
        first_addresses = list(
            Connection.objects.filter(committee__slug=MAIN_SLUG)
            .order_by("number")
            .values_list("number", "lot__address", "category", "connected_on")
        )
    loader.load(today=TODAY, flows=REGISTER_ONLY)
    with scopes_disabled():
        second_addresses = list(
            Connection.objects.filter(committee__slug=MAIN_SLUG)
            .order_by("number")
            .values_list("number", "lot__address", "category", "connected_on")
        )
    assert people() == first
    assert second_addresses == first_addresses


def test_the_register_does_not_depend_on_the_day_it_is_loaded():
    loader.load(today=date(2026, 11, 23), flows=REGISTER_ONLY)
    first = people()
    loader.load(today=date(2027, 2, 10), flows=REGISTER_ONLY)
    second = people()
    # Transfers bring in new members whose draw follows the recent events; the rest is fixed.
    assert [p[1:] for p in second[:300]] == [p[1:] for p in first[:300]]


def test_the_main_committee_has_about_370_connections_and_the_second_is_smaller(demo):
    with scopes_disabled():
        main = Connection.objects.filter(committee=committee(MAIN_SLUG)).count()
        second = Connection.objects.filter(committee=committee(SECOND_SLUG)).count()
        members = Member.objects.filter(committee=committee(MAIN_SLUG)).count()
    assert 360 <= main <= 380
    assert 320 <= members <= 340
    assert 60 <= second <= 100
    assert committee(MAIN_SLUG).name == "Comité de Agua María Auxiliadora (demo)"


def test_the_main_committee_has_a_logo_and_reloading_keeps_one_file_of_it(demo):
    first = committee(MAIN_SLUG).logo
    assert first.name.startswith("logos/maria-auxiliadora-") and first.storage.exists(first.name)
    loader.load(today=TODAY, flows=REGISTER_ONLY)
    again = committee(MAIN_SLUG).logo
    assert again.name == first.name  # the same picture, the same file: not a copy per load
    assert not committee(SECOND_SLUG).logo


def test_every_demo_login_authenticates_with_password_demo_and_has_its_role(demo):
    main = committee(MAIN_SLUG)
    for login in LOGINS:
        user = authenticate(username=login.username, password="demo")
        assert user is not None, login.username
        assert RoleAssignment.objects.get(user=user, committee=main).role == login.role
    expected = {
        "directiva": Role.BOARD,
        "tesorera": Role.TREASURER,
        "cajera": Role.CASHIER,
        "lector": Role.READER,
        "operador": Role.OPERATOR,
        "socio": Role.MEMBER,
        "federacion": Role.FEDERATION,
    }
    assert {login.username: login.role for login in LOGINS} == expected


def test_only_the_federation_analyst_also_sees_the_second_committee(demo):
    roles = RoleAssignment.objects.filter(committee=committee(SECOND_SLUG))
    assert list(roles.values_list("user__username", "role")) == [("federacion", Role.FEDERATION)]


def test_the_socio_login_is_one_household_of_the_main_committee(demo):
    with scopes_disabled():
        member = Member.objects.get(user__username="socio")
        assert member.committee.slug == MAIN_SLUG
        assert member.holdings.filter(ended_on__isnull=True).count() == 1
    assert get_user_model().objects.get(username="socio").last_name == member.last_names


def test_meters_have_been_replaced_with_their_history_kept(demo):
    with scopes_disabled():
        removed = Meter.objects.filter(committee=committee(MAIN_SLUG), removed_on__isnull=False)
        assert removed.count() >= 2
        for old in removed:
            new = Meter.objects.get(connection=old.connection, removed_on__isnull=True)
            assert new.installed_on == old.removed_on
            assert old.final_reading is not None and old.removal_reason
            # The replacement went through the service, so it has a change in the history.
            assert old.history.filter(history_type="~").exists()


def test_at_least_one_holder_transfer_ends_one_holding_and_starts_another(demo):
    with scopes_disabled():
        ended = Holding.objects.filter(committee=committee(MAIN_SLUG), ended_on__isnull=False)
        assert ended.count() >= 1
        for holding in ended:
            current = Holding.objects.get(connection=holding.connection, ended_on__isnull=True)
            assert current.started_on == holding.ended_on
            assert current.member != holding.member


def test_about_half_the_members_are_women(demo):
    with scopes_disabled():
        members = Member.objects.filter(committee=committee(MAIN_SLUG))
        women = members.filter(gender="F").count()
    assert 0.45 <= women / members.count() <= 0.55


def test_household_sizes_run_from_one_to_ten_with_a_mean_near_four_and_a_half(demo):
    with scopes_disabled():
        sizes = list(
            Member.objects.filter(committee=committee(MAIN_SLUG))
            .exclude(gender="")
            .values_list("household_size", flat=True)
        )
    assert min(sizes) == 1
    assert max(sizes) == 10
    assert 4.1 <= statistics.mean(sizes) <= 4.9


def test_the_register_mixes_categories_sectors_sewer_and_cuts(demo):
    with scopes_disabled():
        connections = Connection.objects.filter(committee=committee(MAIN_SLUG))
        total = connections.count()
        categories = set(connections.values_list("category", flat=True))
        assert categories == set(Connection.Category.values)
        assert 1 <= connections.filter(category=Connection.Category.PUBLIC_TAP).count() <= 2
        assert 0.07 <= connections.filter(has_sewer=True).count() / total <= 0.14
        assert connections.filter(status=Connection.Status.SUSPENDED).exists()
        assert connections.filter(status=Connection.Status.DISCONNECTED).exists()
        assert Sector.objects.filter(committee=committee(MAIN_SLUG)).count() == 6
        first = connections.order_by("connected_on").first().connected_on
        assert first.year == 2010
        lots = Lot.objects.filter(committee=committee(MAIN_SLUG))
        assert not lots.filter(latitude__isnull=True).exclude(address__startswith="Pileta")
        for lot in lots[:50]:
            assert -17.44 < lot.latitude < -17.40 and -66.15 < lot.longitude < -66.11


def test_the_history_of_the_register_is_dated_when_things_happened(demo):
    with scopes_disabled():
        connection = Connection.objects.filter(committee=committee(MAIN_SLUG)).first()
        record = connection.history.earliest()
        assert record.history_type == "+"
        assert record.history_date.date() == connection.connected_on
        assert not Meter.history.filter(history_date__date__gt=TODAY).exists()


def test_loading_the_demo_leaves_other_committees_alone():
    other = make_committee("Comité de Agua Vecino", "vecino")
    add_connection(other, "9001")
    loader.load(today=TODAY, flows=REGISTER_ONLY)
    loader.load(today=TODAY, flows=REGISTER_ONLY)
    with scopes_disabled():
        assert Connection.objects.filter(committee=other).count() == 1
        assert Connection.history.filter(committee_id=other.pk).count() == 1
        assert Member.objects.filter(committee=other).count() == 1


def test_the_demo_command_loads_without_serving_and_prints_the_logins(monkeypatch):
    # The command's own work is to load and to print: the register is enough for that (the
    # full load is tested once, by the package's fixture and the reload test).
    monkeypatch.setattr(loader, "FLOWS", loader.FLOWS[:1])
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    text = out.getvalue()
    for login in LOGINS:
        assert login.username in text
    assert "demo" in text
    assert "http://127.0.0.1:8000/" in text
    with scopes_disabled():
        assert Connection.objects.filter(committee__slug=MAIN_SLUG).count() > 300
