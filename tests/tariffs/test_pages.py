"""The tariff pages: every member sees the tariff and can work out a month's bill; the board
writes new versions; bad TOML is refused naming the field and changes nothing."""

import re
from datetime import timedelta

import pytest
from django_scopes import scope, scopes_disabled

from comunagua.tariffs import engine, services
from comunagua.tariffs.models import Tariff
from comunagua.tenancy.roles import Role
from tests.actors import make_user, url

from .helpers import EXAMPLE_FILE, TARIFA_2016

pytestmark = pytest.mark.django_db

EXAMPLE = EXAMPLE_FILE.read_text(encoding="utf-8")


def count() -> int:
    with scopes_disabled():
        return Tariff.objects.count()


@pytest.fixture
def today(committee):
    return committee.today()


def add(committee, effective_from, text=EXAMPLE, **kwargs) -> Tariff:
    with scope(committee=committee):
        return services.tariff_create(
            committee=committee, by=None, effective_from=effective_from, toml_text=text, **kwargs
        )


@pytest.fixture
def in_force(committee, today):
    return add(committee, today - timedelta(days=300))


@pytest.fixture
def member_client(client, committee):
    client.force_login(make_user(committee, Role.MEMBER, "socia"))
    return client


def row_of(html: str, name: str) -> str:
    return next(r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if name in r)


def test_the_list_shows_which_tariff_is_in_force(board_client, committee, today, in_force):
    add(committee, today + timedelta(days=30), name="Tarifa futura")
    html = board_client.get(url("tariff-list", committee)).content.decode()
    assert "badge-active" in row_of(html, "Tarifa 2016")
    assert "badge-suspended" in row_of(html, "Tarifa futura")
    assert url("tariff-detail", committee, pk=in_force.pk) in html


def test_the_detail_shows_each_category_in_bolivianos_with_block_ranges(
    board_client, committee, in_force
):
    html = board_client.get(url("tariff-detail", committee, pk=in_force.pk)).content.decode()
    for code in ("residential", "social", "commercial"):
        assert f'id="category-{code}"' in html
    assert "Bs 18,00" in html and "Bs 9,00" in html and "Bs 30,00" in html
    assert "0\u201310 m³" in html and "10\u201320 m³" in html and "10\u201330 m³" in html
    assert "Bs 2,00/m³" in html and "Bs 8,00/m³" in html
    assert "Multa por mora" in html and "Bs 50,00" in html  # the other charges


def test_the_quote_form_prices_a_month_on_the_page(board_client, committee, in_force):
    page = board_client.get(
        url("tariff-detail", committee, pk=in_force.pk), {"m3": "12,5", "category": "residential"}
    )
    html = page.content.decode()
    assert 'data-code="block2"' in html and "Bs 7,50" in html
    assert re.search(r'class="total".*Bs 45,50', html, re.S)


def test_the_quote_answers_htmx_with_only_the_lines(board_client, committee, in_force):
    page = board_client.get(
        url("tariff-detail", committee, pk=in_force.pk),
        {"m3": "33", "category": "commercial", "sewer": "on", "charge": "late_fine"},
        headers={"HX-Request": "true"},
    )
    html = page.content.decode()
    assert "<html" not in html
    assert 'data-code="sewer"' in html and 'data-code="charge:late_fine"' in html
    assert "Bs 228,00" in html  # 223.00 + 5.00 late fine, rounded after: 227.95 -> 228.00


def test_a_bad_quote_shows_an_error_and_no_total(board_client, committee, in_force):
    page = board_client.get(
        url("tariff-detail", committee, pk=in_force.pk),
        {"m3": "-3", "category": "residential"},
        headers={"HX-Request": "true"},
    )
    html = page.content.decode()
    assert 'class="error"' in html and 'class="total"' not in html


def test_the_create_form_starts_from_the_tariff_in_force(board_client, committee, in_force):
    html = board_client.get(url("tariff-create", committee)).content.decode()
    assert "Multa por falta a asamblea" in html  # the text of the tariff in force
    assert "# comercios: bloques más empinados" in html  # with its comments


def test_the_create_form_offers_a_starter_when_there_is_no_tariff(board_client, committee):
    page = board_client.get(url("tariff-create", committee))
    form = page.context["form"]
    assert engine.from_toml(form.initial["source"]).currency == committee.currency


def test_a_new_tariff_is_saved_and_shown(board_client, committee, today, in_force, board_user):
    before = count()
    response = board_client.post(
        url("tariff-create", committee),
        {
            "name": "Tarifa 2027",
            "effective_from": (today + timedelta(days=10)).isoformat(),
            "source": TARIFA_2016,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert count() == before + 1
    assert "Tarifa 2027" in response.content.decode()
    with scopes_disabled():
        tariff = Tariff.objects.get(name="Tarifa 2027")
        assert tariff.history.get().history_user == board_user


@pytest.mark.parametrize(
    "old,new,field",
    [
        ('up_to_m3 = "20"', 'up_to_m3 = "5"', "category[1].blocks[2].up_to_m3"),
        ('price = "3.00"', 'price = "-3.00"', "category[1].blocks[2].price"),
        ('code = "residential"', 'code = "mansion"', "category[1].code"),
        ('fixed_charge = "18.00"', "fixed_charge = 18.5", "category[1].fixed_charge"),
        ("[[category]]", "[[category]", "toml"),
    ],
)
def test_bad_toml_is_refused_naming_the_field_and_changes_nothing(
    board_client, committee, today, old, new, field
):
    before = count()
    response = board_client.post(
        url("tariff-create", committee),
        {
            "effective_from": (today + timedelta(days=10)).isoformat(),
            "source": TARIFA_2016.replace(old, new, 1),
        },
    )
    assert response.status_code == 200
    assert f"{field}: " in response.content.decode()
    assert count() == before


def test_a_start_inside_the_tariff_in_force_is_refused(board_client, committee, today, in_force):
    before = count()
    response = board_client.post(
        url("tariff-create", committee),
        {"effective_from": today.isoformat(), "source": TARIFA_2016},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["effective_from"]
    assert count() == before


def test_a_future_tariff_is_edited(board_client, committee, today, in_force):
    future = add(committee, today + timedelta(days=30))
    response = board_client.post(
        url("tariff-edit", committee, pk=future.pk),
        {
            "name": future.name,
            "effective_from": (today + timedelta(days=31)).isoformat(),
            "source": EXAMPLE.replace('fixed_charge = "9.00"', 'fixed_charge = "10.00"'),
        },
    )
    assert response.status_code == 302
    with scope(committee=committee):
        future.refresh_from_db()
        assert future.engine().categories["social"].fixed_charge == 10
        assert future.effective_from == today + timedelta(days=31)


def test_a_tariff_in_force_is_not_edited(board_client, committee, today, in_force):
    edit = url("tariff-edit", committee, pk=in_force.pk)
    assert board_client.get(edit).status_code == 302
    board_client.post(
        edit,
        {
            "effective_from": today.isoformat(),
            "source": EXAMPLE.replace("9.00", "1.00"),
        },
    )
    with scope(committee=committee):
        in_force.refresh_from_db()
        assert in_force.engine().categories["social"].fixed_charge == 9


def test_the_edit_button_shows_only_for_a_future_tariff(board_client, committee, today, in_force):
    future = add(committee, today + timedelta(days=30))
    html = board_client.get(url("tariff-detail", committee, pk=in_force.pk)).content.decode()
    assert url("tariff-edit", committee, pk=in_force.pk) not in html
    html = board_client.get(url("tariff-detail", committee, pk=future.pk)).content.decode()
    assert url("tariff-edit", committee, pk=future.pk) in html


def test_a_member_household_sees_the_tariff_but_cannot_write_one(
    member_client, committee, today, in_force
):
    assert member_client.get(url("tariff-list", committee)).status_code == 200
    detail = member_client.get(url("tariff-detail", committee, pk=in_force.pk))
    assert detail.status_code == 200
    assert url("tariff-create", committee) not in detail.content.decode()
    assert member_client.get(url("tariff-create", committee)).status_code == 403
    before = count()
    response = member_client.post(
        url("tariff-create", committee),
        {"effective_from": (today + timedelta(days=9)).isoformat(), "source": TARIFA_2016},
    )
    assert response.status_code == 403 and count() == before
    future = add(committee, today + timedelta(days=30))
    assert member_client.get(url("tariff-edit", committee, pk=future.pk)).status_code == 403


@pytest.mark.parametrize("name", ["tariff-detail", "tariff-edit"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_committees_tariff_is_not_found(
    board_client, committee, other_committee, today, name, method
):
    foreign = add(other_committee, today + timedelta(days=30))
    response = getattr(board_client, method)(
        url(name, committee, pk=foreign.pk),
        {"effective_from": (today + timedelta(days=40)).isoformat(), "source": TARIFA_2016},
    )
    assert response.status_code == 404
    with scope(committee=other_committee):
        foreign.refresh_from_db()
        assert foreign.effective_from == today + timedelta(days=30)


@pytest.mark.parametrize("name", ["tariff-list", "tariff-create"])
def test_the_tariff_pages_of_another_committee_are_not_found(board_client, other_committee, name):
    assert board_client.get(url(name, other_committee)).status_code == 404


def test_the_pages_fit_a_phone(board_client, committee, in_force):
    html = board_client.get(url("tariff-detail", committee, pk=in_force.pk)).content.decode()
    assert 'name="viewport"' in html and "width=device-width" in html
    assert 'inputmode="decimal"' in html  # the phone keyboard for m³
