"""The register's pages: lists that find people, forms that refuse bad input and change
nothing, everything in Spanish."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from comunagua.registry import selectors, services
from comunagua.registry.models import Connection, Holding, Lot, Member, Meter
from tests.actors import add_connection, url

pytestmark = pytest.mark.django_db


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


# --- lists: a filter value that means nothing filters nothing, never an error ----------------


def errors(response, field: str) -> str:
    """The form's messages on `field` ("__all__": the form's own), as the page shows them."""
    return " ".join(response.context["form"].errors.get(field, []))


def sector(committee, name: str):
    with scope(committee=committee):
        return services.sector_get_or_create(committee=committee, name=name)


NONSENSE = ["abc", "1.5", "99999999999999999999999", "-1", "1e5", "\x00", "x" * 5000]


@pytest.mark.parametrize("page_name", ["connection-list", "member-list"])
@pytest.mark.parametrize("value", NONSENSE)
def test_a_sector_filter_that_is_no_sector_of_ours_is_ignored_not_an_error(
    board_client, committee, other_committee, page_name, value
):
    add_connection(committee, "1001", sector=sector(committee, "Alto"))
    add_connection(committee, "1002")
    for given in (value, str(sector(other_committee, "Ajeno").pk)):
        response = board_client.get(url(page_name, committee), {"sector": given})
        assert response.status_code == 200
        html = response.content.decode()
        assert "1001" in html and "1002" in html  # not filtered: there is no such sector here
        assert response.context["filters"]["sector"] == ""


@pytest.mark.parametrize(
    "page_name,key",
    [
        ("connection-list", "q"),
        ("connection-list", "status"),
        ("connection-list", "category"),
        ("connection-list", "has_sewer"),
        ("connection-list", "missing"),
        ("connection-list", "page"),
        ("member-list", "q"),
        ("member-list", "status"),
        ("member-list", "gender"),
        ("member-list", "page"),
    ],
)
@pytest.mark.parametrize("value", NONSENSE)
def test_any_other_list_filter_or_page_with_nonsense_answers_the_page(
    board_client, committee, page_name, key, value
):
    add_connection(committee, "1003")
    response = board_client.get(url(page_name, committee), {key: value})
    assert response.status_code == 200
    if key not in ("q", "page"):
        assert "1003" in response.content.decode()  # an unknown value filters nothing
        assert response.context["filters"][key] == ""


def test_a_search_is_cut_at_100_characters_and_keeps_only_printable_text(board_client, committee):
    add_connection(committee, "1004")
    response = board_client.get(
        url("connection-list", committee), {"q": "Quispe\x00\x07 " + "y" * 500}
    )
    assert response.context["filters"]["q"] == ("Quispe " + "y" * 500)[:100]


def test_a_real_sector_still_filters_both_lists(board_client, committee):
    alto = sector(committee, "Alto")
    add_connection(committee, "1005", sector=alto)
    add_connection(committee, "1006")
    for page_name, shown, hidden in (
        ("connection-list", ">1005<", ">1006<"),
        ("member-list", "Quispe 1005", "Quispe 1006"),
    ):
        html = board_client.get(
            url(page_name, committee), {"sector": str(alto.pk)}
        ).content.decode()
        assert shown in html and hidden not in html


def test_the_member_list_counts_each_connection_once_when_filtered_by_sector_or_searched(
    board_client, committee
):
    alto = sector(committee, "Alto")
    first = add_connection(committee, "1101", sector=alto)
    with scopes_disabled():
        rosa = Holding.objects.get(connection=first).member
    add_connection(committee, "1102", sector=alto, holder=rosa)
    for query in ({}, {"sector": str(alto.pk)}, {"q": "Rosa Quispe"}, {"q": "1101"}):
        page = board_client.get(url("member-list", committee), query).context["page"]
        assert [(m.full_name, m.connection_count) for m in page] == [("Rosa Quispe 1101", 2)]


def test_a_member_whose_holding_ended_counts_only_current_connections(board_client, committee):
    connection = add_connection(committee, "1103")
    with scope(committee=committee):
        heir = services.member_create(
            committee=committee, by=None, first_names="Juan", last_names="Quispe"
        )
        services.connection_transfer(
            connection=connection, by=None, member=heir, on=date(2024, 1, 1)
        )
    page = board_client.get(url("member-list", committee), {"q": "Quispe"}).context["page"]
    assert sorted((m.first_names, m.connection_count) for m in page) == [("Juan", 1), ("Rosa", 0)]


# --- the connection form ---------------------------------------------------------------------


CONNECTION = {
    "number": "1200",
    "category": "residential",
    "status": "active",
    "address": "Calle 1",
    "meter_digits": "5",
    "meter_reading": "0",
}
FUTURE = (date.today() + timedelta(days=5)).isoformat()


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"connected_on": FUTURE}, "connected_on", "futuro"),
        ({"connected_on": "1850-01-01"}, "connected_on", "1900"),
        ({"status": "closed", "closed_on": FUTURE}, "closed_on", "futuro"),
        ({"status": "closed"}, "closed_on", ""),
        ({"status": "active", "closed_on": "2024-01-01"}, "closed_on", ""),
        ({"status": "suspended", "closed_on": "2024-01-01"}, "closed_on", ""),
        ({"latitude": "-17.4", "longitude": "-181"}, "longitude", "mayor o igual a -180"),
        ({"latitude": "-17.4", "longitude": "200"}, "longitude", "menor o igual a 180"),
    ],
)
def test_a_connection_form_with_impossible_dates_status_or_place_is_refused(
    board_client, committee, changes, field, message
):
    before = counts()
    response = board_client.post(url("connection-create", committee), {**CONNECTION, **changes})
    assert response.status_code == 200
    assert errors(response, field) and message in errors(response, field)
    assert counts() == before


def test_a_closed_connection_with_its_closing_date_is_saved(board_client, committee):
    response = board_client.post(
        url("connection-create", committee),
        {**CONNECTION, "status": "closed", "connected_on": "2010-01-01", "closed_on": "2024-06-30"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        closed = Connection.objects.get(number="1200")
    assert (closed.status, closed.closed_on) == ("closed", date(2024, 6, 30))


def test_editing_a_connection_to_closed_asks_for_the_closing_date(board_client, committee):
    connection = add_connection(committee, "1201")
    data = {
        "category": "residential",
        "status": "closed",
        "address": "Calle Los Pinos 1201",
    }
    response = board_client.post(url("connection-edit", committee, pk=connection.pk), data)
    assert errors(response, "closed_on")
    with scopes_disabled():
        assert Connection.objects.get(pk=connection.pk).status == "active"


def test_another_committees_sector_cannot_be_chosen_for_a_connection(
    board_client, committee, other_committee
):
    theirs = sector(other_committee, "Ajeno")
    before = counts()
    response = board_client.post(
        url("connection-create", committee), {**CONNECTION, "sector": str(theirs.pk)}
    )
    assert "opción válida" in errors(response, "sector")
    assert counts() == before


def test_the_registry_forms_take_today_where_the_committee_is(
    client, board_user, committee, monkeypatch
):
    """The committee's today, not the server's: with the clock at noon on 15 June 2030 in La
    Paz, a connection of 10 June 2030 has happened, and one of 20 June has not."""
    from django.utils import timezone

    moment = datetime(2030, 6, 15, 16, tzinfo=ZoneInfo("UTC"))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    client.force_login(board_user)  # a session of that time
    late = client.post(
        url("connection-create", committee), {**CONNECTION, "connected_on": "2030-06-20"}
    )
    assert "futuro" in errors(late, "connected_on")
    response = client.post(
        url("connection-create", committee), {**CONNECTION, "connected_on": "2030-06-10"}
    )
    assert response.status_code == 302


# --- the change of holder --------------------------------------------------------------------


def test_a_change_of_holder_dated_in_the_future_or_before_the_current_holder_is_refused(
    board_client, committee
):
    connection = add_connection(committee, "1300")  # held since 1 January 2020
    with scope(committee=committee):
        heir = services.member_create(
            committee=committee, by=None, first_names="Juan", last_names="Mamani"
        )
    before = counts()
    transfer = url("connection-transfer", committee, pk=connection.pk)

    late = board_client.post(transfer, {"member": heir.pk, "on": FUTURE})
    assert "futuro" in errors(late, "on")
    early = board_client.post(transfer, {"member": heir.pk, "on": "2019-12-31"})
    assert "01/01/2020" in errors(early, "on")
    assert counts() == before

    done = board_client.post(transfer, {"member": heir.pk, "on": "2024-05-01"})
    assert done.status_code == 302
    with scopes_disabled():
        assert selectors.current_holding(connection).member == heir


# --- one ID document, however it is typed ------------------------------------------------------


def new_member(board_client, committee, document: str, first_names: str = "Ana"):
    return board_client.post(
        url("member-create", committee),
        {
            "first_names": first_names,
            "last_names": "Mamani",
            "household_size": "3",
            "status": "active",
            "id_document": document,
        },
    )


def test_an_id_document_is_kept_in_capitals_without_stray_spaces(board_client, committee):
    assert new_member(board_client, committee, "  ab   123 lp ").status_code == 302
    with scopes_disabled():
        assert Member.objects.get(first_names="Ana").id_document == "AB 123 LP"


@pytest.mark.parametrize("typed", ["AB123", "ab123", " Ab123 ", "ab 123", "AB-123", "a.b.1.2.3"])
def test_the_same_id_document_in_other_capitals_spaces_or_separators_is_refused(
    board_client, committee, typed
):
    assert new_member(board_client, committee, "ab123").status_code == 302
    before = counts()
    response = new_member(board_client, committee, typed, first_names="Otra")
    assert "Ya existe otro socio con este documento" in response.content.decode()
    assert counts() == before


def test_the_services_normalize_the_id_document_and_refuse_another_spelling(in_scope):
    member = services.member_create(
        committee=in_scope, by=None, first_names="A", last_names="B", id_document=" cb  77 "
    )
    assert member.id_document == "CB 77"
    with pytest.raises(ValidationError):
        services.member_create(
            committee=in_scope, by=None, first_names="C", last_names="D", id_document="Cb 77"
        )
    other = services.member_create(committee=in_scope, by=None, first_names="E", last_names="F")
    with pytest.raises(ValidationError):
        services.member_update(member=other, by=None, id_document="cb 77")


def test_the_database_refuses_an_id_document_in_other_capitals_even_past_the_services(
    committee, in_scope
):
    services.member_create(
        committee=committee, by=None, first_names="A", last_names="B", id_document="AB123"
    )
    for spelling in ("ab123", "AB 123", "ab-1.23"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Member.objects.create(
                committee=committee, first_names="C", last_names="D", id_document=spelling
            )
    # Empty is no document: any number of members may have none.
    for name in ("E", "F"):
        Member.objects.create(committee=committee, first_names=name, last_names="G")


def test_the_same_id_document_is_fine_in_another_committee(committee, other_committee):
    for each in (committee, other_committee):
        with scope(committee=each):
            services.member_create(
                committee=each, by=None, first_names="A", last_names="B", id_document="ab123"
            )


def test_the_member_api_answers_a_search_with_characters_no_database_stores(
    client, board_user, committee
):
    from comunagua.tenancy import tokens

    add_connection(committee, "1400")
    secret = tokens.token_create(user=board_user, name="pruebas")[1]
    response = client.get(
        f"/api/v1/committees/{committee.slug}/members",
        {"q": "Quispe\x00"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200
    assert [m["last_names"] for m in response.json()["items"]] == ["Quispe 1400"]


@pytest.mark.parametrize(("status", "closed_on"), [("closed", None), ("active", date(2024, 6, 30))])
def test_the_status_and_the_closing_date_disagreeing_are_refused_by_the_service_too(
    committee, status, closed_on
):
    """Not only the form: any writer (the API, a script, a later page) is held to it."""
    from django.core.exceptions import ValidationError

    from comunagua.registry import services

    connection = add_connection(committee, "1202")
    with scope(committee=committee), pytest.raises(ValidationError) as refused:
        services.connection_update(
            connection=connection, by=None, status=status, closed_on=closed_on
        )
    assert "closed_on" in refused.value.error_dict
    with scopes_disabled():
        connection.refresh_from_db()
    assert (connection.status, connection.closed_on) == ("active", None)
