"""A connection's history survives a meter replacement and a change of holder, and says who
did what and when."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from comunagua.metering.meters import services as meter_services
from comunagua.registry import selectors, services
from comunagua.registry.models import Holding, Member, Meter
from tests.actors import add_connection

pytestmark = pytest.mark.django_db


def test_a_meter_replacement_keeps_both_meters_and_both_readings(committee, treasurer, in_scope):
    connection = add_connection(committee, "12", by=treasurer)
    meter_services.meter_replace(
        connection=connection,
        by=treasurer,
        removed_on=date(2024, 3, 15),
        final_reading=Decimal("1520.250"),
        reason="Medidor dañado",
        serial="NEW-12",
        initial_reading=Decimal("3.000"),
    )
    old, new = Meter.objects.filter(connection=connection).order_by("installed_on")
    assert (old.removed_on, old.final_reading, old.removal_reason) == (
        date(2024, 3, 15),
        Decimal("1520.250"),
        "Medidor dañado",
    )
    assert new.in_service and new.installed_on == date(2024, 3, 15)
    assert new.initial_reading == Decimal("3.000")


def test_a_change_of_holder_closes_the_old_holding_the_day_the_new_one_starts(
    committee, treasurer, in_scope
):
    connection = add_connection(committee, "13", by=treasurer)
    heir = services.member_create(
        committee=committee, by=treasurer, first_names="Juan", last_names="Mamani", gender="M"
    )
    services.connection_transfer(
        connection=connection, by=treasurer, member=heir, on=date(2025, 6, 1), reason="Herencia"
    )
    holdings = list(Holding.objects.filter(connection=connection).order_by("started_on"))
    assert [h.member.first_names for h in holdings] == ["Rosa", "Juan"]
    assert holdings[0].ended_on == date(2025, 6, 1) and holdings[1].ended_on is None


def test_the_connection_history_names_the_meter_change_the_new_holder_and_who_did_it(
    client, committee, treasurer
):
    connection = add_connection(committee, "14", by=treasurer)
    with scope(committee=committee):
        heir = services.member_create(
            committee=committee, by=treasurer, first_names="Juana", last_names="Choque"
        )
        meter_services.meter_replace(
            connection=connection,
            by=treasurer,
            removed_on=date(2024, 1, 10),
            final_reading=Decimal("99.5"),
            serial="NEW-14",
        )
        services.connection_transfer(
            connection=connection, by=treasurer, member=heir, on=date(2024, 2, 1)
        )
        services.connection_update(connection=connection, by=treasurer, status="suspended")
        timeline = selectors.connection_timeline(connection=connection)
    subjects = [e.subject for e in timeline]
    assert "Medidor NEW-14" in subjects
    assert "Titular: Juana Choque" in subjects
    assert all(e.who == "tesorera" for e in timeline)
    status_change = next(e for e in timeline if e.what == "modificado" and e.subject == "Conexión")
    assert ("estado", "Activa", "Suspendida") in status_change.changes

    client.force_login(treasurer)
    page = client.get(
        reverse("connection-detail", kwargs={"committee": committee.slug, "pk": connection.pk})
    )
    html = page.content.decode()
    assert "NEW-14" in html and "Juana Choque" in html and "Suspendida" in html


def test_a_transfer_to_the_current_holder_is_refused(committee, treasurer, in_scope):
    connection = add_connection(committee, "15", by=treasurer)
    holder = Holding.objects.get(connection=connection).member
    with pytest.raises(ValidationError, match="ya es titular"):
        services.connection_transfer(
            connection=connection, by=treasurer, member=holder, on=date(2025, 1, 1)
        )


def test_a_transfer_dated_before_the_current_holding_is_refused(committee, treasurer, in_scope):
    connection = add_connection(committee, "16", by=treasurer)
    other = services.member_create(
        committee=committee, by=treasurer, first_names="A", last_names="B"
    )
    with pytest.raises(ValidationError):
        services.connection_transfer(
            connection=connection, by=treasurer, member=other, on=date(2019, 1, 1)
        )
    assert Holding.objects.filter(connection=connection).count() == 1


def test_a_replacement_reading_the_dials_cannot_show_is_refused(committee, treasurer, in_scope):
    connection = add_connection(committee, "17", by=treasurer)
    for bad in (Decimal("-1"), Decimal("100000")):
        with pytest.raises(ValidationError):
            meter_services.meter_replace(
                connection=connection,
                by=treasurer,
                removed_on=date(2024, 1, 1),
                final_reading=bad,
                serial="X-17",
            )
    assert Meter.objects.filter(connection=connection).count() == 1


def test_a_member_from_another_committee_cannot_hold_a_connection_here(
    committee, other_committee, treasurer
):
    connection = add_connection(committee, "18", by=treasurer)
    with scope(committee=other_committee):
        stranger = services.member_create(
            committee=other_committee, by=None, first_names="Ajeno", last_names="Otro"
        )
    with scope(committee=committee), pytest.raises(ValidationError):
        services.connection_transfer(
            connection=connection, by=treasurer, member=stranger, on=date(2025, 1, 1)
        )
    with scope(committee=committee):
        assert Member.objects.count() == 1
