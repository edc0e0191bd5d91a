"""The simulator on real bills: `comunagua tariff simulate` and its page compare a month's bills
as issued with a proposed tariff, per category, and refuse what cannot be compared, saving
nothing. The month: March 2025 of tests/billing (0 m³; 12.5 m³ with sewer; a shop, 25 m³),
billed Bs 18.00 + 52.30 + 122.50 = 192.80."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled

from comunagua.billing.models import Bill
from comunagua.tariffs.models import Tariff
from comunagua.tenancy.roles import Role
from tests.actors import (
    TARIFF,
    add_connection,
    command_refused,
    make_tariff,
    make_user,
    month_read,
    run,
)

pytestmark = pytest.mark.django_db

# The residential fixed charge from 18.00 to 20.00: 20.00; (47.50 + 15 % sewer 7.13) = 54.60.
PROPOSAL = TARIFF.replace('fixed_charge = "18.00"', 'fixed_charge = "20.00"', 1).replace(
    "Tarifa de prueba", "Propuesta"
)


@pytest.fixture
def billed(committee, board_user):
    tariff = make_tariff(committee, board_user)
    plain = add_connection(committee, "1", by=board_user)
    sewer = add_connection(committee, "2", by=board_user, has_sewer=True)
    shop = add_connection(committee, "10", by=board_user, category="commercial")
    month_read(committee, 2025, 3, {plain: "0", sewer: "12.5", shop: "25"}, board_user)
    run(committee)
    return tariff


@pytest.fixture
def proposal(tmp_path):
    path = tmp_path / "propuesta.toml"
    path.write_text(PROPOSAL, encoding="utf-8")
    return path


def simulate(*args) -> str:
    out = io.StringIO()
    call_command("tariff", "simulate", *args, stdout=out)
    return out.getvalue()


def saved() -> tuple[int, int]:
    with scopes_disabled():
        return Tariff.objects.count(), Bill.objects.count()


# --- the command -----------------------------------------------------------------------------


def test_the_command_prints_old_and_new_revenue_per_category(committee, billed, proposal):
    out = simulate("--committee", committee.slug, "--tariff", str(proposal), "--period", "2025-03")
    residential = next(line for line in out.splitlines() if "Residencial" in line)
    assert "Bs 70,30" in residential and "Bs 74,60" in residential and "+Bs 4,30" in residential
    total = next(line for line in out.splitlines() if line.strip().startswith("Total"))
    assert "Bs 192,80" in total and "Bs 197,10" in total
    assert "--costs" in out  # how to compare with the costs


def test_the_json_gives_every_figure_as_a_decimal_string(committee, billed, proposal):
    args = ("--committee", committee.slug, "--tariff", str(proposal), "--period", "2025-03")
    data = json.loads(simulate(*args, "--costs", "150", "--json"))
    assert data["period"] == "2025-03" and data["tariff"] == "Propuesta"
    assert data["currency"] == "BOB"
    by_code = {row["code"]: row for row in data["categories"]}
    assert by_code["residential"]["old_total"] == "70.30"
    assert by_code["residential"]["new_total"] == "74.60"
    assert by_code["commercial"]["difference"] == "0.00"
    assert data["total"] == {
        **data["total"],
        "connections": 3,
        "old_total": "192.80",
        "new_total": "197.10",
        "difference": "4.30",
        "change_percent": "2.2",
    }
    assert data["deciles"] == []  # two households: no tenths to show
    assert data["households"]["connections"] == 2
    assert data["costs"] == "150"
    assert data["new_balance"] == "47.10"


def test_another_committees_bills_of_the_same_month_are_not_counted(
    committee, other_committee, billed, proposal
):
    make_tariff(other_committee)
    far = add_connection(other_committee, "1")
    month_read(other_committee, 2025, 3, {far: "40"})
    run(other_committee)
    args = ("--committee", committee.slug, "--tariff", str(proposal), "--period", "2025-03")
    assert json.loads(simulate(*args, "--json"))["total"]["connections"] == 3


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"--committee": "no-existe"}, "no-existe"),
        ({"--period": "2025-13"}, "AAAA-MM"),
        ({"--period": "2025-04"}, "2025-04"),  # not billed
        ({"--costs": "-5"}, "negativ"),
        ({"--costs": "mucho"}, "costs"),
        ({"--tariff": "/no/such/file.toml"}, "file.toml"),
    ],
)
def test_the_command_refuses_what_it_cannot_simulate_and_saves_nothing(
    committee, billed, proposal, change, words
):
    options = {"--committee": committee.slug, "--tariff": str(proposal), "--period": "2025-03"}
    options.update(change)
    before = saved()
    message = command_refused(
        "tariff", "simulate", *[part for pair in options.items() for part in pair]
    )
    assert words in message
    assert saved() == before


def test_a_proposal_without_a_category_the_committee_bills_is_refused_naming_it(
    committee, billed, tmp_path
):
    only_homes = TARIFF[: TARIFF.index('[[category]]\ncode = "commercial"')]
    path = tmp_path / "solo-hogares.toml"
    path.write_text(only_homes, encoding="utf-8")
    message = command_refused(
        "tariff",
        "simulate",
        "--committee",
        committee.slug,
        "--tariff",
        str(path),
        "--period",
        "2025-03",
    )
    assert "commercial" in message


# --- the page --------------------------------------------------------------------------------


def page_url(committee) -> str:
    return reverse("tariff-simulate", kwargs={"committee": committee.slug})


def test_a_saved_tariff_is_simulated_from_its_link_on_the_latest_billed_month(
    board_client, committee, billed
):
    detail = reverse("tariff-detail", kwargs={"committee": committee.slug, "pk": billed.pk})
    assert f"{page_url(committee)}?tariff={billed.pk}" in board_client.get(detail).content.decode()

    html = board_client.get(page_url(committee), {"tariff": billed.pk}).content.decode()
    assert 'id="by-category"' in html and "Marzo 2025" in html
    # The tariff that issued the bills changes nothing.
    total = html[html.index('data-category="total"') :]
    assert total.count("Bs 192,80") == 2 and "Bs 0,00" in total


def test_a_proposal_written_as_toml_shows_the_difference_and_the_costs(
    board_client, committee, billed
):
    before = saved()
    html = board_client.post(
        page_url(committee), {"period": "2025-03", "source": PROPOSAL, "costs": "200,00"}
    ).content.decode()
    row = html[html.index('data-category="residential"') :]
    row = row[: row.index("</tr>")]
    assert "Bs 70,30" in row and "Bs 74,60" in row and "+Bs 4,30" in row
    assert "Bs 197,10" in html and "-Bs 2,90" in html.replace("Bs -2,90", "-Bs 2,90")
    assert 'id="by-decile"' not in html and "al menos 10 hogares" in html
    assert saved() == before  # a simulation saves nothing


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"period": "2025-03"}, "Elija una tarifa guardada"),
        ({"period": "2025-03", "source": "name = 1"}, "name: debe ser un texto"),
        (
            {"period": "2025-03", "source": PROPOSAL.replace('"2.00"', '"-2.00"')},
            "price: no puede ser negativo",
        ),
        ({"period": "2025-04", "source": PROPOSAL}, "Escoja una opción válida"),
        ({"period": "2025-03", "source": PROPOSAL, "costs": "-1"}, "mayor o igual"),
        ({"period": "2025-03", "source": PROPOSAL, "costs": "abc"}, "número"),
    ],
)
def test_bad_input_on_the_page_is_answered_in_spanish_and_changes_nothing(
    board_client, committee, billed, data, words
):
    before = saved()
    response = board_client.post(page_url(committee), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert words in html
    assert 'id="by-category"' not in html
    assert saved() == before


def test_another_committees_tariff_cannot_be_simulated_here(
    board_client, committee, other_committee, billed
):
    foreign = make_tariff(other_committee)
    html = board_client.get(page_url(committee), {"tariff": foreign.pk}).content.decode()
    assert "Escoja una opción válida" in html
    assert 'id="by-category"' not in html


def test_before_the_first_bills_the_page_says_a_billed_month_is_needed(board_client, committee):
    html = board_client.get(page_url(committee)).content.decode()
    assert "mes facturado" in html
    assert 'class="form simulate"' not in html


def test_members_who_may_not_see_bills_cannot_open_the_simulator(client, committee, billed):
    client.force_login(make_user(committee, Role.MEMBER, "socio"))
    assert client.get(page_url(committee)).status_code == 403
    tariffs = reverse("tariff-list", kwargs={"committee": committee.slug})
    assert page_url(committee) not in client.get(tariffs).content.decode()
