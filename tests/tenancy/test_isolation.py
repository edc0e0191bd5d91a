"""One committee never sees another's records: every URL that takes an id answers 404 when
the id belongs to another committee, and a committee's slug is 404 to outsiders."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scope, scopes_disabled

from comunagua.registry import services
from comunagua.registry.models import Holding, RegistryImport
from tests.conftest import add_connection


def _committee_patterns(resolver=None, prefix=""):
    """Every named URL under /<committee>/, from the real URL configuration."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _committee_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            full = prefix + str(entry.pattern)
            if full.startswith("<slug:committee>/"):
                yield entry.name, full


# How to find another committee's object for each kind of id a URL takes.
ID_KIND = {
    "member-detail": "member",
    "member-edit": "member",
    "connection-detail": "connection",
    "connection-edit": "connection",
    "connection-transfer": "connection",
    "connection-meter": "connection",
    "import-preview": "import",
}


@pytest.fixture
def foreign_ids(other_committee):
    connection = add_connection(other_committee, "900")
    with scope(committee=other_committee):
        batch = services.registry_import_upload(
            committee=other_committee, by=None, filename="x.csv", content=b"a"
        )
    with scopes_disabled():
        member_id = Holding.objects.get(connection=connection).member_id
    return {"connection": connection.pk, "member": member_id, "import": batch.pk}


def test_every_url_with_an_id_is_listed_in_this_test():
    with_ids = {name for name, path in _committee_patterns() if "<int:pk>" in path}
    assert with_ids == set(ID_KIND), "a new URL takes an id: add it to ID_KIND"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ID_KIND))
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_committees_id_is_not_found(board_client, committee, foreign_ids, name, method):
    url = reverse(name, kwargs={"committee": committee.slug, "pk": foreign_ids[ID_KIND[name]]})
    response = getattr(board_client, method)(url, {"first_names": "X", "serial": "Y"})
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", sorted({n for n, p in _committee_patterns() if "<int:pk>" not in p})
)
def test_a_committee_page_is_not_found_for_someone_from_another_committee(
    board_client, other_committee, name
):
    response = board_client.get(reverse(name, kwargs={"committee": other_committee.slug}))
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
