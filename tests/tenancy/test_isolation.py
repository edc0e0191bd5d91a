"""One committee never sees another's records: every URL that takes an id answers 404 when
the id belongs to another committee, and a committee's slug is 404 to outsiders."""

from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django_scopes import scopes_disabled

from comunagua.registry.models import RegistryImport
from comunagua.tenancy.roles import Role
from tests.actors import make_committee, make_user
from tests.tenancy.objects import (
    ID_KIND,
    NOT_IDS,
    PUBLIC,
    committee_objects,
    committee_patterns,
    committee_url,
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two committees, each with its board, and one of everything in the other one (its
    incident photo a real file), built once for the whole module inside a transaction that is
    rolled back at its end. Each test runs inside it on a savepoint of its own, so what one
    test posts is gone before the next. Files are not rolled back: the incident photo and the
    logo are shared by every test here, and no request below may delete or replace them."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), media, transaction.atomic():
        committee = make_committee("Comité de Agua Villa Esperanza", "villa-esperanza")
        other = make_committee("Comité de Agua Otro Valle", "otro-valle")
        yield SimpleNamespace(
            committee=committee,
            other_committee=other,
            board_user=make_user(committee, Role.BOARD),
            their_board=make_user(other, Role.BOARD),
            foreign_ids=committee_objects(other),
        )
        transaction.set_rollback(True)


@pytest.fixture
def committee(world, db):
    return world.committee


@pytest.fixture
def other_committee(world, db):
    return world.other_committee


@pytest.fixture
def board_user(world, db):
    return world.board_user


@pytest.fixture
def foreign_ids(world, db):
    return world.foreign_ids


@pytest.fixture
def their_client(world, db):
    """The other committee's own board: the objects in foreign_ids are theirs."""
    client = Client()
    client.force_login(world.their_board)
    return client


def test_every_url_with_an_id_is_listed_in_this_test():
    with_ids = {name for name, path, _ in committee_patterns() if "<int:pk>" in path}
    assert with_ids == set(ID_KIND), (
        "a new URL takes an id: add it to ID_KIND in tests/tenancy/objects.py"
    )


DATA = {"first_names": "X", "serial": "Y"}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ID_KIND))
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_committees_id_is_not_found(
    board_client, their_client, committee, other_committee, foreign_ids, name, method
):
    url = committee_url(name, committee.slug, foreign_ids)
    response = getattr(board_client, method)(url, DATA)
    assert response.status_code == 404
    # The same request by the object's own committee finds it: the 404 above is the scoping's
    # doing, not a missing object's or file's, so this entry of the matrix cannot pass vacuously.
    own = getattr(their_client, method)(
        committee_url(name, other_committee.slug, foreign_ids), DATA
    )
    assert own.status_code != 404, f"{name} is 404 even in its own committee"


@pytest.mark.django_db
def test_an_incident_photo_is_served_to_its_own_committee_only(
    board_client, their_client, committee, other_committee, foreign_ids
):
    own = their_client.get(
        committee_url("supply-incident-photo", other_committee.slug, foreign_ids)
    )
    assert own.status_code == 200
    assert b"".join(own.streaming_content).startswith(b"\xff\xd8")  # the JPEG itself
    url = committee_url("supply-incident-photo", committee.slug, foreign_ids)
    assert board_client.get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", sorted({n for n, p, _ in committee_patterns() if "<int:pk>" not in p} - PUBLIC)
)
def test_a_committee_page_is_not_found_for_someone_from_another_committee(
    board_client, other_committee, name
):
    kwargs = {"committee": other_committee.slug, **NOT_IDS.get(name, {})}
    response = board_client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_post_to_another_committees_record_changes_nothing(
    board_client, committee, other_committee, foreign_ids
):
    url = reverse("member-edit", kwargs={"committee": committee.slug, "pk": foreign_ids["member"]})
    board_client.post(
        url, {"first_names": "Cambiado", "last_names": "X", "household_size": 2, "status": "active"}
    )
    with scopes_disabled():
        from comunagua.registry.models import Member

        assert Member.objects.get(pk=foreign_ids["member"]).first_names == "Rosa"
        assert RegistryImport.objects.get(pk=foreign_ids["import"]).status == "preview"


@pytest.mark.django_db
def test_a_query_outside_any_committee_scope_fails_loudly(committee):
    from django_scopes.exceptions import ScopeError

    from comunagua.registry.models import Connection

    with pytest.raises(ScopeError):
        list(Connection.objects.all())
