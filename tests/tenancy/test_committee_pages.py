"""The board's own pages: the committee's details and logo, and who serves it in which role."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from comunagua.tenancy.models import Committee, RoleAssignment
from comunagua.tenancy.roles import Role
from tests.actors import PASSWORD, make_user, url
from tests.concurrency import at_once
from tests.pictures import picture

User = get_user_model()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def details(committee, **changes):
    data = {
        "action": "details",
        "name": committee.name,
        "kind": committee.kind,
        "legal_registration": committee.legal_registration,
        "licence_number": committee.licence_number,
        "address": committee.address,
        "timezone": committee.timezone,
        "currency": committee.currency,
        "bill_rounding": str(committee.bill_rounding),
    }
    return {**data, **changes}


def png(size=(1200, 600), color=(20, 90, 160)) -> SimpleUploadedFile:
    return picture(size=size, color=color)


def roles_of(committee):
    return dict(
        RoleAssignment.objects.filter(committee=committee).values_list("user__username", "role")
    )


# --- details ------------------------------------------------------------------------------------


def test_the_board_renames_the_committee_and_the_change_shows_with_who_made_it(
    board_client, committee
):
    answer = board_client.post(
        url("committee-settings", committee),
        details(committee, name="Comité de Agua Villa Esperanza Alta", address="Calle 3, Zona Sur"),
    )
    assert answer.status_code == 302
    page = board_client.get(url("committee-settings", committee)).content.decode()
    assert "Comité de Agua Villa Esperanza Alta" in page  # in the header and the form
    assert "directiva" in page.split("Últimos cambios")[1]  # who changed it
    committee.refresh_from_db()
    assert committee.address == "Calle 3, Zona Sur"
    assert committee.slug == "villa-esperanza"  # printed receipts carry it: never changed here


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Este campo es obligatorio"),
        ("timezone", "Marte/Olimpo", "Escoja una opción válida"),
        ("currency", "bolivianos", "código de tres letras"),
        ("currency", "B5B", "código de tres letras"),
        ("bill_rounding", "0", "mayor o igual a 0.01"),
        ("bill_rounding", "-1", "mayor o igual a 0.01"),
        ("bill_rounding", "abc", "Introduzca un número"),
        ("bill_rounding", "1e30", "Introduzca un número"),
        ("kind", "empresa", "Escoja una opción válida"),
        ("name", "x" * 500, "menos de 200 caracteres"),
        ("bill_rounding", "250", "menor o igual a 100"),
    ],
)
def test_bad_committee_details_are_refused_in_spanish_and_change_nothing(
    board_client, committee, field, value, message
):
    before = Committee.objects.values().get(pk=committee.pk)
    answer = board_client.post(
        url("committee-settings", committee), details(committee, **{field: value})
    )
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert Committee.objects.values().get(pk=committee.pk) == before


def test_a_lower_case_currency_code_is_stored_in_capitals(board_client, committee):
    board_client.post(url("committee-settings", committee), details(committee, currency="pen"))
    committee.refresh_from_db()
    assert committee.currency == "PEN"


def test_the_rounding_typed_with_a_comma_is_stored_exactly(board_client, committee):
    board_client.post(
        url("committee-settings", committee), details(committee, bill_rounding="0,50")
    )
    committee.refresh_from_db()
    assert committee.bill_rounding == Decimal("0.50")


@pytest.mark.parametrize("role", [r for r in Role if r != Role.BOARD])
def test_only_the_board_opens_the_committees_own_pages(client, committee, role):
    client.force_login(make_user(committee, role))
    assert client.get(url("committee-settings", committee)).status_code == 403
    assert client.get(url("committee-people", committee)).status_code == 403
    before = Committee.objects.values().get(pk=committee.pk)
    assert (
        client.post(url("committee-settings", committee), details(committee, name="X")).status_code
        == 403
    )
    assert Committee.objects.values().get(pk=committee.pk) == before


def test_an_unknown_action_is_refused(board_client, committee):
    assert (
        board_client.post(url("committee-settings", committee), {"action": "drop"}).status_code
        == 400
    )
    assert (
        board_client.post(url("committee-people", committee), {"action": "drop"}).status_code == 400
    )


# --- logo ---------------------------------------------------------------------------------------


def test_an_uploaded_logo_is_kept_small_and_shown_in_the_header(board_client, committee):
    answer = board_client.post(
        url("committee-settings", committee), {"action": "logo", "logo": png()}
    )
    assert answer.status_code == 302
    committee.refresh_from_db()
    with committee.logo.open("rb") as handle, Image.open(handle) as stored:
        assert stored.format == "PNG"
        assert max(stored.size) == 400  # 1200 x 600 shrunk into the 400 px box, shape kept
        assert stored.size == (400, 200)
    page = board_client.get(url("committee-home", committee)).content.decode()
    assert url("committee-logo", committee) in page
    served = board_client.get(url("committee-logo", committee))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"


def test_the_logo_is_printed_on_the_monthly_report(board_client, committee):
    board_client.post(url("committee-settings", committee), {"action": "logo", "logo": png()})
    page = board_client.get(url("report-month", committee, period="2025-04")).content.decode()
    assert 'class="logo" src="data:image/png;base64,' in page


def test_a_new_logo_replaces_the_old_file(
    board_client, committee, django_capture_on_commit_callbacks
):
    board_client.post(url("committee-settings", committee), {"action": "logo", "logo": png()})
    committee.refresh_from_db()
    first = committee.logo.name
    with django_capture_on_commit_callbacks(execute=True):  # the old file goes once committed
        board_client.post(
            url("committee-settings", committee), {"action": "logo", "logo": png(color=(200, 0, 0))}
        )
    committee.refresh_from_db()
    assert committee.logo.name != first
    assert not committee.logo.storage.exists(first)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("logo.png", b"not a picture at all", "image/png"), "no es una imagen"),
        (SimpleUploadedFile("logo.png", b"", "image/png"), "El fichero enviado está vacío"),
        (SimpleUploadedFile("logo.png", b"\x89PNG" + b"0" * (3 * 1024 * 1024)), "más de 2 MB"),
    ],
)
def test_a_file_that_is_not_a_usable_picture_is_refused_and_keeps_the_logo_as_it_was(
    board_client, committee, upload, message
):
    answer = board_client.post(
        url("committee-settings", committee), {"action": "logo", "logo": upload}
    )
    assert answer.status_code == 400
    assert message in answer.content.decode()
    committee.refresh_from_db()
    assert not committee.logo


def test_the_board_removes_the_logo(board_client, committee):
    board_client.post(url("committee-settings", committee), {"action": "logo", "logo": png()})
    board_client.post(url("committee-settings", committee), {"action": "logo-remove"})
    committee.refresh_from_db()
    assert not committee.logo
    assert board_client.get(url("committee-logo", committee)).status_code == 404


def test_another_committees_logo_is_not_found(client, committee, other_committee):
    outsider = make_user(other_committee, Role.BOARD)
    client.force_login(make_user(committee, Role.BOARD))
    client.post(url("committee-settings", committee), {"action": "logo", "logo": png()})
    client.force_login(outsider)
    assert client.get(url("committee-logo", committee)).status_code == 404


# --- people and roles ---------------------------------------------------------------------------


def add(client, committee, **fields):
    data = {"action": "add", "username": "rosa", "first_name": "Rosa", "last_name": "Mamani"}
    return client.post(url("committee-people", committee), {**data, **fields})


def test_the_board_adds_a_cashier_who_then_logs_in_and_reaches_the_cash_desk(
    board_client, committee, client
):
    answer = add(board_client, committee, role="cashier", password="agua-de-la-loma-7")
    assert answer.status_code == 302
    assert roles_of(committee)["rosa"] == "cashier"
    page = board_client.get(url("committee-people", committee)).content.decode()
    assert "Rosa Mamani" in page
    assert "rosa se incorporó como Cajera" in page  # the role's history, with who did it
    board_client.logout()
    assert board_client.login(username="rosa", password="agua-de-la-loma-7")
    assert board_client.get(url("cash-home", committee)).status_code == 200


def test_someone_serving_another_committee_is_added_with_their_own_password_untouched(
    board_client, committee, other_committee
):
    make_user(other_committee, Role.READER, "rosa")
    answer = add(board_client, committee, username="Rosa", role="reader", password="otra-clave-9")
    assert answer.status_code == 302
    rosa = User.objects.get(username="rosa")
    assert rosa.check_password(PASSWORD)  # not the one the board typed
    assert RoleAssignment.objects.filter(user=rosa).count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role": "cashier", "password": "123"}, "demasiado corta"),
        ({"role": "cashier", "password": "password123"}, "demasiado común"),
        ({"role": "cashier", "password": ""}, "primera contraseña"),
        ({"role": "king", "password": "agua-de-la-loma-7"}, "Escoja una opción válida"),
        (
            {"role": "cashier", "password": "agua-de-la-loma-7", "username": "rosa mamani"},
            "nombre de usuario válido",
        ),
        ({"role": "cashier", "password": "agua-de-la-loma-7", "username": ""}, "obligatorio"),
        (
            {"role": "cashier", "password": "agua-de-la-loma-7", "username": "r" * 300},
            "menos de 150 caracteres",
        ),
    ],
)
def test_a_person_with_bad_details_is_refused_and_no_account_is_made(
    board_client, committee, fields, message
):
    answer = add(board_client, committee, **fields)
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert not User.objects.filter(username__in=["rosa", "rosa mamani"]).exists()
    assert set(roles_of(committee)) == {"directiva"}


def test_adding_the_same_person_twice_is_refused_the_second_time(board_client, committee):
    add(board_client, committee, role="cashier", password="agua-de-la-loma-7")
    again = add(board_client, committee, role="board", password="agua-de-la-loma-7")
    assert again.status_code == 400
    assert "rosa ya sirve a este comité" in again.content.decode()
    assert roles_of(committee)["rosa"] == "cashier"


def test_the_board_changes_a_role_and_the_person_sees_the_pages_of_the_new_one(
    board_client, committee, client
):
    reader = make_user(committee, Role.READER, "pedro")
    board_client.post(
        url("committee-people", committee), {"action": "role", "user": reader.pk, "role": "cashier"}
    )
    assert roles_of(committee)["pedro"] == "cashier"
    client.force_login(reader)
    assert client.get(url("cash-home", committee)).status_code == 200


def test_a_removed_person_no_longer_finds_the_committee(board_client, committee, client):
    reader = make_user(committee, Role.READER, "pedro")
    board_client.post(url("committee-people", committee), {"action": "remove", "user": reader.pk})
    assert "pedro" not in roles_of(committee)
    assert User.objects.filter(username="pedro").exists()  # the account and its history stay
    client.force_login(reader)
    assert client.get(url("committee-home", committee)).status_code == 404


@pytest.mark.parametrize("action", ["remove", "role"])
def test_the_last_board_member_cannot_leave_the_committee_without_a_board(
    board_client, committee, board_user, action
):
    answer = board_client.post(
        url("committee-people", committee),
        {"action": action, "user": board_user.pk, "role": "member"},
    )
    assert answer.status_code == 400
    assert "al menos un miembro de la directiva" in answer.content.decode()
    assert roles_of(committee)["directiva"] == "board"


def test_with_a_second_board_member_the_first_may_step_down(board_client, committee, board_user):
    make_user(committee, Role.BOARD, "vicepresidenta")
    board_client.post(
        url("committee-people", committee),
        {"action": "role", "user": board_user.pk, "role": "member"},
    )
    assert roles_of(committee)["directiva"] == "member"


@pytest.mark.parametrize(
    "data",
    [
        {"action": "role", "role": "board"},
        {"action": "remove"},
        {"action": "password", "password": "agua-de-la-loma-7"},
    ],
)
def test_another_committees_person_cannot_be_changed_from_here(
    board_client, committee, other_committee, data
):
    outsider = make_user(other_committee, Role.CASHIER, "ajena")
    answer = board_client.post(url("committee-people", committee), {**data, "user": outsider.pk})
    assert answer.status_code == 400
    assert "No hay tal persona en este comité" in answer.content.decode()
    assert roles_of(other_committee) == {"ajena": "cashier"}
    assert "ajena" not in roles_of(committee)
    outsider.refresh_from_db()
    assert outsider.check_password(PASSWORD)


@pytest.mark.parametrize("user", ["", "abc", "-4", "99999999999999"])
def test_a_bad_person_id_is_refused_with_a_message(board_client, committee, user):
    answer = board_client.post(
        url("committee-people", committee), {"action": "role", "user": user, "role": "board"}
    )
    assert answer.status_code == 400
    assert "Escoja una persona y un rol" in answer.content.decode()


def test_the_board_sets_a_new_password_for_a_reader_who_forgot_it(board_client, committee):
    reader = make_user(committee, Role.READER, "pedro")
    answer = board_client.post(
        url("committee-people", committee),
        {"action": "password", "user": reader.pk, "password": "nueva-clave-del-pozo"},
    )
    assert answer.status_code == 302
    reader.refresh_from_db()
    assert reader.check_password("nueva-clave-del-pozo")


def test_the_board_cannot_set_the_password_of_someone_serving_another_committee_too(
    board_client, committee, other_committee
):
    shared = make_user(committee, Role.READER, "pedro")
    RoleAssignment.objects.create(user=shared, committee=other_committee, role=Role.BOARD)
    answer = board_client.post(
        url("committee-people", committee),
        {"action": "password", "user": shared.pk, "password": "nueva-clave-del-pozo"},
    )
    assert answer.status_code == 400
    assert "también sirve a otro comité" in answer.content.decode()
    shared.refresh_from_db()
    assert shared.check_password(PASSWORD)


def test_a_weak_new_password_is_refused(board_client, committee):
    reader = make_user(committee, Role.READER, "pedro")
    answer = board_client.post(
        url("committee-people", committee),
        {"action": "password", "user": reader.pk, "password": "1234"},
    )
    assert answer.status_code == 400
    reader.refresh_from_db()
    assert reader.check_password(PASSWORD)


# --- what a board must not be able to do, whatever it types -------------------------------------


def test_a_small_file_describing_a_huge_picture_is_refused_before_it_is_decoded(
    board_client, committee
):
    huge = picture(size=(6000, 5000), mode="1")  # 30 million pixels
    assert huge.size < 100_000  # a few kilobytes on the wire
    answer = board_client.post(
        url("committee-settings", committee), {"action": "logo", "logo": huge}
    )
    assert answer.status_code == 400
    assert "6000 por 5000 píxeles" in answer.content.decode()
    committee.refresh_from_db()
    assert not committee.logo


@pytest.mark.parametrize("fmt", ["BMP", "TIFF"])
def test_a_picture_in_another_format_than_png_jpeg_or_gif_is_refused(board_client, committee, fmt):
    upload = picture(f"logo.{fmt.lower()}", fmt, size=(50, 50))
    answer = board_client.post(
        url("committee-settings", committee), {"action": "logo", "logo": upload}
    )
    assert answer.status_code == 400
    assert "no es una imagen (PNG, JPEG o GIF)" in answer.content.decode()


def test_a_jpeg_photo_is_kept_as_a_small_png(board_client, committee):
    photo = picture("foto.jpg", "JPEG", size=(3000, 2000), color=(200, 120, 40))
    board_client.post(url("committee-settings", committee), {"action": "logo", "logo": photo})
    committee.refresh_from_db()
    with committee.logo.open("rb") as handle, Image.open(handle) as stored:
        assert (stored.format, stored.size) == ("PNG", (400, 267))


def test_an_account_of_the_servers_staff_cannot_be_given_a_role_from_a_committee_page(
    board_client, committee
):
    User.objects.create_user(username="soporte", password=PASSWORD, is_staff=True)
    answer = add(board_client, committee, username="soporte", role="cashier")
    assert answer.status_code == 400
    assert "administra el servidor" in answer.content.decode()
    assert "soporte" not in roles_of(committee)


def test_the_board_cannot_set_the_password_of_someone_who_once_served_another_committee(
    board_client, committee, other_committee
):
    """A former treasurer of the other committee, added here: they may be added back there, so
    their password stays theirs."""
    from django.test import Client

    former = make_user(other_committee, Role.TREASURER, "extesorera")
    there = Client()
    there.force_login(make_user(other_committee, Role.BOARD))
    there.post(url("committee-people", other_committee), {"action": "remove", "user": former.pk})
    assert "extesorera" not in roles_of(other_committee)
    add(board_client, committee, username="extesorera", role="reader")
    page = board_client.get(url("committee-people", committee)).content.decode()
    assert f'id="password-{former.pk}"' not in page  # no form offered
    answer = board_client.post(
        url("committee-people", committee),
        {"action": "password", "user": former.pk, "password": "nueva-clave-del-pozo"},
    )
    assert answer.status_code == 400
    former.refresh_from_db()
    assert former.check_password(PASSWORD)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_board_members_removing_each_other_at_once_leave_one_board_member(committee):
    from django.test import Client

    first, second = make_user(committee, Role.BOARD, "ana"), make_user(committee, Role.BOARD, "eva")
    clients = [Client(), Client()]
    clients[0].force_login(first)
    clients[1].force_login(second)
    address = url("committee-people", committee)
    answers = at_once(
        lambda: clients[0].post(address, {"action": "remove", "user": second.pk}),
        lambda: clients[1].post(address, {"action": "remove", "user": first.pk}),
    )
    assert sorted(a.status_code for a in answers) in ([302, 400], [302, 404])
    assert list(roles_of(committee).values()) == ["board"]


def test_the_same_picture_uploaded_again_keeps_one_file(board_client, committee, settings):
    for _ in range(2):
        board_client.post(url("committee-settings", committee), {"action": "logo", "logo": png()})
    committee.refresh_from_db()
    assert committee.logo.storage.exists(committee.logo.name)
    assert len(list((settings.MEDIA_ROOT / "logos").iterdir())) == 1


def test_a_stored_zone_that_is_not_a_zone_falls_back_to_the_servers_and_pages_still_answer(
    board_client, committee
):
    """Written past the form (a script, an old row): "America" is a folder of zones, not one."""
    from django.utils import timezone

    Committee.objects.filter(pk=committee.pk).update(timezone="America")
    committee.refresh_from_db()
    assert committee.zone() is None
    assert committee.today() == timezone.localdate()
    assert board_client.get(url("committee-home", committee)).status_code == 200
    assert board_client.get(f"/api/v1/committees/{committee.slug}").status_code == 200
