"""The register's pages: lists that find people, forms that refuse bad input and change
nothing, everything in Spanish."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from comunagua.registry import services
from comunagua.registry.models import Connection, Holding, Lot, Member, Meter
from tests.conftest import add_connection

pytestmark = pytest.mark.django_db


def url(name, committee, **kwargs):
    return reverse(name, kwargs={"committee": committee.slug, **kwargs})


def counts():
    with scopes_disabled():
        return tuple(m.objects.count() for m in (Member, Connection, Lot, Meter, Holding))


def test_the_connection_list_finds_a_household_by_holder_name_number_or_meter(
    board_client, committee
):
    add_connection(committee, "201")
    add_connection(committee, "202")
    page = board_client.get(url("connection-list", committee), {"q": "Quispe 202"})
    html = page.content.decode()
    assert "202" in html and ">201<" not in html
    assert "1 conexión" in html
    by_meter = board_client.get(url("connection-list", committee), {"q": "M-villa-esperanza-201"})
    assert ">201<" in by_meter.content.decode()


def test_the_connection_list_filters_by_status_and_shows_rows_only_to_htmx(board_client, committee):
    add_connection(committee, "301", status="suspended")
    add_connection(committee, "302")
    page = board_client.get(
        url("connection-list", committee), {"status": "suspended"}, headers={"HX-Request": "true"}
    )
    html = page.content.decode()
    assert ">301<" in html and ">302<" not in html
    assert "<html" not in html  # only the rows, swapped in place


def test_the_member_list_filters_women(board_client, committee):
    add_connection(committee, "401")
    with scope(committee=committee):
        services.member_create(
            committee=committee, by=None, first_names="Pedro", last_names="Flores", gender="M"
        )
    html = board_client.get(url("member-list", committee), {"gender": "F"}).content.decode()
    assert "Quispe 401" in html and "Flores" not in html


def test_the_home_page_counts_connections_and_people_and_flags_missing_meters(
    board_client, committee
):
    add_connection(committee, "501")
    with scope(committee=committee):
        services.connection_create(
            committee=committee, by=None, number="502", address="Sin medidor"
        )
    html = board_client.get(url("committee-home", committee)).content.decode()
    assert "Conexiones activas sin medidor" in html
    assert "personas atendidas" in html


def test_a_new_member_is_saved_and_shown(board_client, committee):
    response = board_client.post(
        url("member-create", committee),
        {
            "first_names": "Martha",
            "last_names": "Rocha Vargas",
            "id_document": "4455667",
            "gender": "F",
            "household_size": "5",
            "status": "active",
            "joined_on": "2015-03-01",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Martha Rocha Vargas" in response.content.decode()
    with scopes_disabled():
        member = Member.objects.get(id_document="4455667")
    assert member.history.first().history_user.username == "directiva"


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("household_size", "0", "mayor o igual a 1"),
        ("household_size", "-3", "mayor o igual a 1"),
        ("household_size", "9999", "menor o igual a 60"),
        ("household_size", "cuatro", "número entero"),
        ("joined_on", "31/02/2020", "fecha válida"),
        ("joined_on", (date.today() + timedelta(days=5)).isoformat(), "futuro"),
        ("first_names", "", "obligatorio"),
        ("gender", "Z", "opción válida"),
    ],
)
def test_a_bad_member_form_says_what_is_wrong_and_saves_nothing(
    board_client, committee, field, value, message
):
    data = {
        "first_names": "Ana",
        "last_names": "Mamani",
        "household_size": "3",
        "status": "active",
        "gender": "F",
    }
    data[field] = value
    before = counts()
    response = board_client.post(url("member-create", committee), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts() == before


def test_a_second_member_with_the_same_id_document_is_refused(board_client, committee):
    add_connection(committee, "601")
    before = counts()
    response = board_client.post(
        url("member-create", committee),
        {
            "first_names": "Otra",
            "last_names": "Persona",
            "household_size": "2",
            "status": "active",
            "id_document": f"CI-{committee.slug}-601",
        },
    )
    assert "Ya existe otro socio con este documento" in response.content.decode()
    assert counts() == before


def test_a_new_connection_with_holder_and_meter_is_registered(board_client, committee):
    with scope(committee=committee):
        holder = services.member_create(
            committee=committee, by=None, first_names="Lidia", last_names="Condori"
        )
    response = board_client.post(
        url("connection-create", committee),
        {
            "number": "700",
            "category": "residential",
            "status": "active",
            "connected_on": "2023-05-02",
            "address": "Av. Petrolera km 4",
            "holder": holder.pk,
            "meter_serial": "SN-700",
            "meter_digits": "5",
            "meter_reading": "0,5",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Conexión 700" in html and "Lidia Condori" in html and "SN-700" in html


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("number", "", "obligatorio"),
        ("category", "lujo", "opción válida"),
        ("latitude", "200", "menor o igual a 90"),
        ("meter_reading", "-4", "mayor o igual a 0"),
        ("meter_reading", "100000", "no puede mostrar"),
        ("meter_digits", "20", "menor o igual a 9"),
        ("connected_on", "ayer", "fecha válida"),
    ],
)
def test_a_bad_connection_form_says_what_is_wrong_and_saves_nothing(
    board_client, committee, field, value, message
):
    data = {
        "number": "800",
        "category": "residential",
        "status": "active",
        "address": "Calle 1",
        "meter_serial": "S-800",
        "meter_digits": "5",
        "meter_reading": "0",
        "latitude": "-17.4",
        "longitude": "-66.1",
    }
    data[field] = value
    before = counts()
    response = board_client.post(url("connection-create", committee), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts() == before


def test_a_duplicate_connection_number_is_refused(board_client, committee):
    add_connection(committee, "900")
    before = counts()
    response = board_client.post(
        url("connection-create", committee),
        {
            "number": "900",
            "category": "residential",
            "status": "active",
            "address": "X",
            "meter_digits": "5",
            "meter_reading": "0",
        },
    )
    assert "Ya existe otra conexión con este número" in response.content.decode()
    assert counts() == before


def test_another_committees_member_cannot_be_chosen_as_holder(
    board_client, committee, other_committee
):
    stranger = add_connection(other_committee, "1")
    with scopes_disabled():
        stranger_member = Holding.objects.get(connection=stranger).member_id
    connection = add_connection(committee, "950")
    before = counts()
    response = board_client.post(
        url("connection-transfer", committee, pk=connection.pk),
        {"member": stranger_member, "on": "2025-01-01"},
    )
    assert "opción válida" in response.content.decode()
    assert counts() == before


def test_the_meter_page_replaces_the_meter_and_records_the_last_reading(board_client, committee):
    connection = add_connection(committee, "960")
    response = board_client.post(
        url("connection-meter", committee, pk=connection.pk),
        {
            "serial": "SN-960-B",
            "digits": "5",
            "on": "2025-02-03",
            "initial_reading": "0",
            "final_reading": "1234,5",
            "reason": "Empañado",
        },
        follow=True,
    )
    assert "SN-960-B" in response.content.decode()
    with scope(committee=committee):
        old = Meter.objects.get(serial=f"M-{committee.slug}-960")
    assert str(old.final_reading) == "1234.500" and old.removed_on == date(2025, 2, 3)


def test_the_pages_are_in_spanish_and_switch_to_english(board_client, committee):
    html = board_client.get(url("connection-list", committee)).content.decode()
    assert 'lang="es"' in html and "Conexiones" in html and "Buscar" in html
    board_client.post(reverse("set_language"), {"language": "en"})
    html = board_client.get(url("connection-list", committee)).content.decode()
    assert 'lang="en"' in html and "Connections" in html
