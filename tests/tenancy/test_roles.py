"""The permission table, as a matrix: every role against every permission, and the pages."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from comunagua.registry.models import Holding
from comunagua.tenancy.roles import PERMISSIONS, Role, can, permissions_of
from tests.actors import add_connection, make_user

R = Role
# What each role may do. A change here is a change of policy: it must be deliberate.
EXPECTED = {
    "committee.view": {
        R.BOARD,
        R.TREASURER,
        R.CASHIER,
        R.READER,
        R.OPERATOR,
        R.MEMBER,
        R.FEDERATION,
    },
    "committee.manage": {R.BOARD},
    "registry.view": {R.BOARD, R.TREASURER, R.CASHIER, R.READER, R.OPERATOR},
    "registry.edit": {R.BOARD, R.TREASURER},
    "registry.import": {R.BOARD, R.TREASURER},
    "metering.view": {R.BOARD, R.TREASURER, R.CASHIER, R.READER},
    "metering.enter": {R.BOARD, R.TREASURER, R.READER},
    "metering.review": {R.BOARD, R.TREASURER},
    "tariffs.view": set(Role),
    "tariffs.edit": {R.BOARD},
    "billing.view": {R.BOARD, R.TREASURER, R.CASHIER},
    "billing.run": {R.BOARD, R.TREASURER},
    "ledger.cash": {R.BOARD, R.TREASURER, R.CASHIER},
    "ledger.reverse": {R.BOARD, R.TREASURER},
    "ledger.view": {R.BOARD, R.TREASURER, R.CASHIER},
    "ledger.arrears": {R.BOARD, R.TREASURER},
    "ledger.books": {R.BOARD, R.TREASURER},
    "ledger.report": set(Role),
    "ledger.publish": {R.BOARD},
    "supply.view": {R.BOARD, R.TREASURER, R.OPERATOR},
    "supply.log": {R.BOARD, R.OPERATOR},
    "supply.balance": {R.BOARD, R.TREASURER, R.OPERATOR},
    "supply.summary": set(Role),
    "supply.manage": {R.BOARD},
}


def test_the_permission_table_is_exactly_the_agreed_matrix():
    assert set(PERMISSIONS) == set(EXPECTED)
    for permission, roles in EXPECTED.items():
        for role in Role:
            assert can(role, permission) == (role in roles), (role, permission)


def test_no_role_means_no_permission():
    assert not any(can(None, p) for p in PERMISSIONS)
    assert permissions_of(None) == frozenset()


def test_a_misspelt_permission_is_an_error_not_a_silent_yes():
    with pytest.raises(KeyError):
        can(Role.BOARD, "registry.edti")


# Every page of the register, with the permission it needs.
PAGES = [
    ("committee-home", False, "committee.view"),
    ("member-list", False, "registry.view"),
    ("member-detail", "member", "registry.view"),
    ("member-create", False, "registry.edit"),
    ("member-edit", "member", "registry.edit"),
    ("connection-list", False, "registry.view"),
    ("connection-detail", "connection", "registry.view"),
    ("connection-create", False, "registry.edit"),
    ("connection-edit", "connection", "registry.edit"),
    ("connection-transfer", "connection", "registry.edit"),
    ("connection-meter", "connection", "registry.edit"),
    ("import-upload", False, "registry.import"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_role_opens_exactly_the_pages_its_permissions_allow(client, committee, role):
    connection = add_connection(committee, "7")
    with scopes_disabled():
        member_id = Holding.objects.get(connection=connection).member_id
    client.force_login(make_user(committee, role))
    for name, needs, permission in PAGES:
        kwargs = {"committee": committee.slug}
        if needs == "connection":
            kwargs["pk"] = connection.pk
        elif needs == "member":
            kwargs["pk"] = member_id
        response = client.get(reverse(name, kwargs=kwargs))
        expected = 200 if role in EXPECTED[permission] else 403
        assert response.status_code == expected, (role, name, response.status_code)


@pytest.mark.django_db
def test_someone_without_a_role_in_the_committee_gets_not_found(client, committee):
    client.force_login(make_user(None, None))
    response = client.get(reverse("committee-home", kwargs={"committee": committee.slug}))
    assert response.status_code == 404


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, committee):
    response = client.get(reverse("connection-list", kwargs={"committee": committee.slug}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
