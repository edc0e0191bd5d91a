"""One person serving two committees: cashier in one, meter reader in the other. Each committee is
seen under its own slug with the role held there, and neither's records are reachable through
the other's slug, though the person has a role (and the permission) in both."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from comunagua.lib.periods import Period
from comunagua.metering.models import Reading
from comunagua.metering.readings import services as reading_services
from comunagua.metering.rounds import services as round_services
from comunagua.registry.models import Holding
from comunagua.tenancy.models import RoleAssignment
from comunagua.tenancy.roles import Role, permissions_of
from tests.actors import add_connection, make_user, url


@pytest.fixture
def person(committee, other_committee):
    user = make_user(committee, Role.CASHIER)
    RoleAssignment.objects.create(user=user, committee=other_committee, role=Role.READER)
    return user


@pytest.fixture
def person_client(client, person):
    client.force_login(person)
    return client


def records(committee):
    """A connection, its holder and an open round with a reading, in `committee`."""
    connection = add_connection(committee, "5")
    with scopes_disabled():
        member_id = Holding.objects.get(connection=connection).member_id
    with scope(committee=committee):
        reading_round = round_services.round_open(
            committee=committee, period=Period(2025, 3), by=None
        )
        reading = reading_services.reading_enter(
            round=reading_round, connection=connection, value=Decimal(7), by=None
        )
    return {
        "connection-detail": connection.pk,
        "member-detail": member_id,
        "round-detail": reading_round.pk,
        "reading-review": reading.pk,
    }


@pytest.mark.django_db
def test_after_login_the_person_chooses_between_their_two_committees(
    person_client, committee, other_committee
):
    response = person_client.get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert committee.name in page and other_committee.name in page
    assert url("committee-home", committee) in page
    assert url("committee-home", other_committee) in page


@pytest.mark.django_db
def test_each_committee_shows_the_role_held_there(person_client, committee, other_committee):
    here = person_client.get(url("committee-home", committee))
    there = person_client.get(url("committee-home", other_committee))
    assert (here.status_code, there.status_code) == (200, 200)
    assert here.context["committee"] == committee and here.context["role"] == Role.CASHIER
    assert there.context["committee"] == other_committee and there.context["role"] == Role.READER
    assert here.context["perms_here"] == permissions_of(Role.CASHIER)
    assert there.context["perms_here"] == permissions_of(Role.READER)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "as_cashier", "as_reader"),
    [
        ("cash-home", 200, 403),  # ledger.cash: the cashier's, not the reader's
        ("billing-home", 200, 403),  # billing.view
        ("reader-app", 403, 200),  # metering.enter: the reader's, not the cashier's
        ("round-list", 200, 200),  # metering.view: both
        ("connection-list", 200, 200),  # registry.view: both
        ("member-create", 403, 403),  # registry.edit: neither
    ],
)
def test_a_page_answers_by_the_role_in_that_committee_not_the_other(
    person_client, committee, other_committee, name, as_cashier, as_reader
):
    assert person_client.get(url(name, committee)).status_code == as_cashier
    assert person_client.get(url(name, other_committee)).status_code == as_reader


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["connection-detail", "member-detail", "round-detail", "reading-review"]
)
def test_a_record_is_found_under_its_own_slug_only(person_client, committee, other_committee, name):
    ours, theirs = records(committee), records(other_committee)
    # Both roles have the page's permission: a 404 here is the scope's, not a 403 in disguise.
    assert person_client.get(url(name, committee, pk=ours[name])).status_code == 200
    assert person_client.get(url(name, other_committee, pk=theirs[name])).status_code == 200
    assert person_client.get(url(name, other_committee, pk=ours[name])).status_code == 404
    assert person_client.get(url(name, committee, pk=theirs[name])).status_code == 404


@pytest.mark.django_db
def test_a_write_through_the_wrong_slug_changes_nothing(person_client, committee, other_committee):
    """The reader may enter readings in the other committee; not into this one's round."""
    ours = records(committee)
    with scopes_disabled():
        before = Reading.objects.get(pk=ours["reading-review"]).value
    response = person_client.post(
        url("reading-review", other_committee, pk=ours["reading-review"]),
        {"value": "99", "reason": "x"},
    )
    assert response.status_code == 404
    with scopes_disabled():
        assert Reading.objects.get(pk=ours["reading-review"]).value == before
