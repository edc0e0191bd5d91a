"""POST /committees/{slug}/readings: each reading stored once whatever the replays, a second
value kept as a conflict, bad items rejected with a reason while the others are stored."""

from decimal import Decimal
from uuid import uuid4

import pytest
from django_scopes import scope, scopes_disabled

from comunagua.metering.models import Reading
from comunagua.metering.rounds import services as round_services
from tests.actors import Api, add_connection, item, make_user, slug_path, token_for
from tests.concurrency import at_once

D = Decimal


def readings(committee) -> list[tuple[str, Decimal, str]]:
    with scope(committee=committee):
        return sorted(
            Reading.objects.filter(committee=committee).values_list(
                "connection__number", "value", "status"
            )
        )


def post(api, committee, items, **extra):
    response = api.post(slug_path(committee, "readings"), {"readings": items, **extra})
    assert response.status_code == 200, response.content
    return response.json()


def statuses(answer) -> list[str]:
    return [r["status"] for r in answer["results"]]


def test_a_batch_is_stored_and_answered_item_by_item_in_the_request_order(
    committee, reading_round, reader_api
):
    batch = [item("103", "7.250"), item("101", "12"), item("102", 4)]
    answer = post(reader_api, committee, batch)
    assert answer["round"] == f"{reading_round.period:%Y-%m}"
    assert [r["client_id"] for r in answer["results"]] == [i["client_id"] for i in batch]
    assert statuses(answer) == ["stored", "stored", "stored"]
    assert [r["reading"]["consumption_m3"] for r in answer["results"]] == [
        "7.250",
        "12.000",
        "4.000",
    ]
    assert readings(committee) == [
        ("101", D("12.000"), "accepted"),
        ("102", D("4.000"), "accepted"),
        ("103", D("7.250"), "accepted"),
    ]


def test_replaying_the_whole_batch_changes_nothing_and_says_duplicate(
    committee, reading_round, reader_api
):
    batch = [item("101", "12"), item("102", "4.5")]
    post(reader_api, committee, batch)
    before = readings(committee)
    again = post(reader_api, committee, batch)
    assert statuses(again) == ["duplicate", "duplicate"]
    assert readings(committee) == before


def test_the_same_value_sent_from_a_second_phone_is_a_duplicate_not_a_second_reading(
    committee, reading_round, reader_api, committee_reader_2
):
    post(reader_api, committee, [item("101", "12")])
    answer = post(committee_reader_2, committee, [item("101", "12")])
    assert statuses(answer) == ["duplicate"]
    assert len(readings(committee)) == 1


@pytest.fixture
def committee_reader_2(committee):
    from comunagua.tenancy.roles import Role

    return Api(token_for(make_user(committee, Role.READER, "lector2")))


def test_a_different_second_value_is_kept_as_a_conflict_and_the_first_stays(
    committee, reading_round, reader_api
):
    post(reader_api, committee, [item("101", "12")])
    answer = post(reader_api, committee, [item("101", "21")])
    assert statuses(answer) == ["conflict"]
    assert "twice" in answer["results"][0]["flags"]
    assert readings(committee) == [
        ("101", D("12.000"), "accepted"),
        ("101", D("21.000"), "conflict"),
    ]


def test_two_values_for_one_connection_in_one_batch_give_a_reading_and_a_conflict(
    committee, reading_round, reader_api
):
    answer = post(reader_api, committee, [item("101", "12"), item("101", "13")])
    assert statuses(answer) == ["stored", "conflict"]
    with scope(committee=committee):
        conflict = Reading.objects.get(status="conflict")
        assert conflict.conflict_with.value == D("12.000")


def test_flags_come_back_with_words_for_the_reader(committee, reading_round, reader_api):
    answer = post(reader_api, committee, [item("101", "0")])
    (result,) = answer["results"]
    assert result["status"] == "stored"
    assert result["flags"] == ["zero"]
    assert result["warnings"] == ["Consumo cero en una vivienda habitada"]
    assert result["reading"]["status"] == "flagged"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("abc", "not_a_number"),
        ("", "not_a_number"),
        ("-3", "negative"),
        ("12.3456", "too_many_decimals"),
        ("1e30", "absurd"),
        ("NaN", "not_a_number"),
        ("123456", "too_large"),  # a 5-digit meter shows at most 99999.999
    ],
)
def test_a_bad_value_is_rejected_with_its_reason_and_the_rest_is_stored(
    committee, reading_round, reader_api, value, code
):
    answer = post(reader_api, committee, [item("101", value), item("102", "5")])
    bad, good = answer["results"]
    assert bad["status"] == "rejected"
    assert bad["error"]["code"] == code
    assert bad["error"]["message"]
    assert good["status"] == "stored"
    assert [n for n, _v, _s in readings(committee)] == ["102"]


def test_a_rejection_is_explained_in_spanish(committee, reading_round, reader_api):
    answer = post(reader_api, committee, [item("101", "-3")])
    assert answer["results"][0]["error"]["message"] == "Una lectura no puede ser negativa."


def test_an_unknown_or_another_committees_connection_is_rejected(
    committee, other_committee, reading_round, reader_api
):
    add_connection(other_committee, "555")
    answer = post(reader_api, committee, [item("555", "3"), item("9999", "3")])
    assert [r["error"]["code"] for r in answer["results"]] == [
        "unknown_connection",
        "unknown_connection",
    ]
    assert readings(committee) == []
    with scopes_disabled():
        assert not Reading.objects.filter(committee=other_committee).exists()


def test_a_client_id_that_is_not_a_uuid_or_reused_for_another_value_is_rejected(
    committee, reading_round, reader_api
):
    first = item("101", "12")
    post(reader_api, committee, [first])
    answer = post(
        reader_api,
        committee,
        [
            item("102", "4", client_id="not-a-uuid"),
            item("102", "4", client_id=first["client_id"]),
        ],
    )
    assert [r["error"]["code"] for r in answer["results"]] == ["bad_client_id", "client_id_reused"]
    assert [n for n, _v, _s in readings(committee)] == ["101"]


def test_a_bad_impossible_or_far_too_old_date_is_rejected(committee, reading_round, reader_api):
    month = f"{reading_round.period:%Y-%m}"
    answer = post(
        reader_api,
        committee,
        [
            item("101", "1", read_at="yesterday"),
            item("102", "1", read_at="2001-01-01T10:00:00"),
            item("101", "1", read_at="2026-02-30T10:00:00"),
            item("101", "1", read_at=f"{month}-05T25:00:00"),
            item("103", "1", read_at=f"{month}-05T09:30:00-04:00"),
        ],
    )
    assert statuses(answer) == ["rejected"] * 4 + ["stored"]
    assert {r["error"]["code"] for r in answer["results"][:4]} == {"bad_date"}


def test_a_time_without_offset_is_the_committees_local_time(committee, reading_round, reader_api):
    month = f"{reading_round.period:%Y-%m}"
    post(reader_api, committee, [item("101", "1", read_at=f"{month}-05T09:30:00")])
    with scope(committee=committee):
        read_at = Reading.objects.get().read_at
    assert read_at.utcoffset().total_seconds() == 0  # stored in UTC …
    assert (read_at.hour, read_at.minute) == (13, 30)  # … 09:30 in La Paz (UTC-4)


def test_numbers_with_underscores_are_not_readings_and_spaces_around_a_number_are_fine(
    committee, reading_round, reader_api
):
    answer = post(reader_api, committee, [item("101", "1_000"), item(" 102 ", "5")])
    assert statuses(answer) == ["rejected", "stored"]
    assert answer["results"][0]["error"]["code"] == "not_a_number"


def test_a_round_that_is_not_a_month_is_refused_whole(committee, reading_round, reader_api):
    response = reader_api.post(
        slug_path(committee, "readings"), {"round": "2026-1x", "readings": [item("101", "1")]}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "bad_month"
    assert readings(committee) == []


def test_readings_for_a_round_that_has_closed_are_rejected_but_their_replays_are_duplicates(
    committee, reading_round, reader_api, board_user
):
    month = f"{reading_round.period:%Y-%m}"
    stored = item("101", "12")
    post(reader_api, committee, [stored], round=month)
    with scope(committee=committee):
        round_services.round_close(round=reading_round, by=board_user)
    answer = post(reader_api, committee, [stored, item("102", "4")], round=month)
    assert statuses(answer) == ["duplicate", "rejected"]
    assert answer["results"][1]["error"]["code"] == "round_closed"


def test_without_an_open_round_nothing_is_stored(committee, houses, reader_api):
    answer = post(reader_api, committee, [item("101", "12")])
    assert answer["results"][0]["error"]["code"] == "no_open_round"
    assert readings(committee) == []


def test_the_api_stores_what_the_route_page_stores(
    committee, board_user, reading_round, reader_api, reader, client
):
    from comunagua.metering.models import Route

    twins = [add_connection(committee, n, by=board_user) for n in ("104", "105")]
    with scope(committee=committee):
        round_services.routes_from_sectors(committee=committee, by=board_user)
        route = Route.objects.get()
    post(reader_api, committee, [item("101", "12.5"), item("102", "0")])
    client.force_login(reader)
    page = client.post(
        f"/{committee.slug}/lecturas/rondas/{reading_round.pk}/rutas/{route.pk}/",
        {f"r-{twins[0].pk}": "12,5", f"r-{twins[1].pk}": "0"},
    )
    assert page.status_code == 302
    fields = ("value", "previous_value", "consumption", "metered_m3", "months", "status", "flags")
    with scope(committee=committee):
        rows = {r.connection.number: r for r in Reading.objects.select_related("connection")}
    assert [getattr(rows["101"], f) for f in fields] == [getattr(rows["104"], f) for f in fields]
    assert [getattr(rows["102"], f) for f in fields] == [getattr(rows["105"], f) for f in fields]
    assert rows["102"].flags == ["zero"]
    assert (rows["101"].source, rows["104"].source) == ("phone", "web")
    assert rows["101"].entered_by == reader


def test_a_batch_that_is_not_a_list_of_readings_is_answered_with_a_clear_error(
    committee, reading_round, reader_api
):
    for body in ({"readings": 3}, {"lecturas": []}, {"readings": [{"value": "1"}]}):
        response = reader_api.post(slug_path(committee, "readings"), body)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_request"
        assert "no es válida" in response.json()["error"]["message"]
    response = reader_api.post(slug_path(committee, "readings"), "{not json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert readings(committee) == []


def test_a_batch_larger_than_the_limit_is_refused_whole(committee, reading_round, reader_api):
    batch = [item("101", str(n)) for n in range(2001)]
    response = reader_api.post(slug_path(committee, "readings"), {"readings": batch})
    assert response.status_code == 422
    assert readings(committee) == []


def test_a_cashier_cannot_enter_readings_and_an_outsider_does_not_see_the_committee(
    committee, other_committee, reading_round
):
    from comunagua.tenancy.roles import Role

    cashier = Api(token_for(make_user(committee, Role.CASHIER, "cajera")))
    outsider = Api(token_for(make_user(other_committee, Role.READER, "lector-otro")))
    assert cashier.post(slug_path(committee, "readings"), {"readings": []}).status_code == 403
    response = outsider.post(slug_path(committee, "readings"), {"readings": [item("101", "1")]})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert readings(committee) == []


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_phones_sending_overlapping_batches_at_once_store_each_reading_once(
    committee, reading_round, reader
):
    from comunagua.tenancy.roles import Role

    phones = [Api(token_for(reader)), Api(token_for(make_user(committee, Role.READER, "lector2")))]
    shared = [item(n, v) for n, v in (("101", "12"), ("102", "4.5"), ("103", "7"))]
    batches = [shared, [*reversed(shared), item("101", "12")]]
    path = slug_path(committee, "readings")
    answers = at_once(
        lambda: phones[0].post(path, {"readings": batches[0]}),
        lambda: phones[1].post(path, {"readings": batches[1]}),
    )
    assert [a.status_code for a in answers] == [200, 200]
    assert readings(committee) == [
        ("101", D("12.000"), "accepted"),
        ("102", D("4.500"), "accepted"),
        ("103", D("7.000"), "accepted"),
    ]
    every = [r["status"] for a in answers for r in a.json()["results"]]
    assert every.count("stored") == 3


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_round_closing_while_a_batch_arrives_never_keeps_a_second_value_it_cannot_resolve(
    committee, reading_round, reader, board_user
):
    from django.core.exceptions import ValidationError

    phone = Api(token_for(reader))
    post(phone, committee, [item("101", "12"), item("102", "4"), item("103", "7")])

    def close():
        with scope(committee=committee):
            return round_services.round_close(round=reading_round, by=board_user)

    batch, closed = at_once(
        lambda: phone.post(
            slug_path(committee, "readings"),
            {"round": f"{reading_round.period:%Y-%m}", "readings": [item("101", "21")]},
        ),
        close,  # or a ValidationError: a second value arrived first, to review
    )
    outcome = {"batch": batch, "close": closed}
    assert outcome["batch"].status_code == 200
    (answer,) = outcome["batch"].json()["results"]
    reading_round.refresh_from_db()
    if reading_round.status == "closed":  # the close went first: the phone hears "closed"
        assert answer["error"]["code"] == "round_closed"
        assert ("101", D("21.000"), "conflict") not in readings(committee)
    else:  # the batch went first: the close is refused until the office decides
        assert answer["status"] == "conflict"
        assert isinstance(outcome["close"], ValidationError)


def test_a_uuid_is_stored_with_the_reading(committee, reading_round, reader_api):
    client_id = str(uuid4())
    post(reader_api, committee, [item("101", "1", client_id=client_id)])
    with scope(committee=committee):
        assert str(Reading.objects.get().client_id) == client_id
