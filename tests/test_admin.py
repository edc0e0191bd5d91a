"""The Django admin: the server's superusers reach every committee's register and its history
(the admin runs without a committee scope); a committee's board, not staff, is sent to log in."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_scopes import scopes_disabled

from comunagua.registry.models import Holding, Meter
from tests.actors import add_connection

REGISTRY = ["member", "lot", "connection", "holding", "meter"]


@pytest.fixture
def admin_client(client, db):
    client.force_login(
        get_user_model().objects.create_superuser("raiz", "raiz@example.org", "clave-de-prueba")
    )
    return client


@pytest.fixture
def objects(committee, other_committee):
    """One of each registry object in the committee (and a neighbour's connection besides)."""
    connection = add_connection(committee, "101")
    add_connection(other_committee, "202")
    with scopes_disabled():
        holding = Holding.objects.get(connection=connection)
        return {
            "member": holding.member,
            "lot": connection.lot,
            "connection": connection,
            "holding": holding,
            "meter": Meter.objects.get(connection=connection),
            "committee": committee,
        }


def admin_url(app, model, view, *args):
    return reverse(f"admin:{app}_{model}_{view}", args=args)


@pytest.mark.django_db
def test_the_admin_index_lists_the_register(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    for model in REGISTRY:
        assert admin_url("registry", model, "changelist") in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTRY)
def test_a_superuser_opens_each_registry_models_list_change_and_history_pages(
    admin_client, objects, model
):
    pk = objects[model].pk
    changelist = admin_client.get(admin_url("registry", model, "changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == 2  # both committees': the admin is unscoped
    assert admin_client.get(admin_url("registry", model, "change", pk)).status_code == 200
    history = admin_client.get(admin_url("registry", model, "history", pk))
    assert history.status_code == 200
    (record,) = history.context["page_obj"].object_list  # created once, by the service
    assert record.history_type == "+"
    version = admin_client.get(admin_url("registry", model, "simple_history", pk, record.pk))
    assert version.status_code == 200


@pytest.mark.django_db
def test_a_superuser_opens_the_committee_admin(admin_client, objects, committee):
    changelist = admin_client.get(admin_url("tenancy", "committee", "changelist"))
    assert changelist.status_code == 200
    assert committee.name in changelist.content.decode()
    for view in ("change", "history"):
        response = admin_client.get(admin_url("tenancy", "committee", view, committee.pk))
        assert response.status_code == 200, view


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        reverse("admin:index"),
        admin_url("registry", "member", "changelist"),
        admin_url("tenancy", "committee", "changelist"),
    ],
)
def test_a_board_member_who_is_not_staff_is_sent_to_the_admin_login(board_client, path):
    response = board_client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={path}"
