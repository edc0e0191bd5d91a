"""`comunagua water-balance`, run as Django runs it: the standard's figures as decimal strings
with --json, a table without, and bad input refused with a message."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_scopes import scopes_disabled

from comunagua.supply.models import BalanceSettings
from tests.actors import add_connection, log, make_meter, make_tariff, month_read, run

pytestmark = pytest.mark.django_db
D = Decimal
KEYS = (
    "system_input_m3",
    "billed_authorized_m3",
    "unbilled_authorized_m3",
    "apparent_losses_m3",
    "real_losses_m3",
    "non_revenue_water_m3",
    "nrw_percent",
)


def water_balance(*args) -> str:
    out = io.StringIO()
    call_command("water_balance", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def march(committee, board_user, meter):
    """37,5 m³ billed in March 2025 against 40 m³ pumped, 1 m³ of it flushing."""
    make_tariff(committee, board_user)
    connection = add_connection(committee, "1", by=board_user)
    month_read(committee, 2025, 3, {connection: "37.5"}, board_user)
    run(committee)
    log(committee, date(2025, 3, 31), {meter: D("1040")}, flushing_m3=D("1"))


def test_json_gives_every_figure_of_the_standard_as_a_decimal_string(committee, march):
    data = json.loads(
        water_balance(
            "--committee", committee.slug, "--from", "2025-03", "--to", "2025-03", "--json"
        )
    )
    for key in KEYS:
        assert isinstance(data[key], str), key
        D(data[key])  # a decimal string, not a float
        assert set(data["ranges"][key]) == {"low", "high"}
    assert (data["system_input_m3"], data["billed_authorized_m3"]) == ("40.000", "37.500")
    assert data["non_revenue_water_m3"] == "2.500" and data["nrw_percent"] == "6.25"
    parts = ("billed_authorized_m3", "unbilled_authorized_m3", "apparent_losses_m3")
    assert sum(D(data[k]) for k in (*parts, "real_losses_m3")) == D(data["system_input_m3"])
    assert D(data["ranges"]["real_losses_m3"]["low"]) < D(data["real_losses_m3"])
    assert data["months"] == [
        {
            "period": "2025-03",
            "status": "ok",
            "system_input_m3": "40.000",
            "billed_authorized_m3": "37.500",
            "non_revenue_water_m3": "2.500",
            "nrw_percent": "6.25",
        }
    ]


def test_the_table_names_the_components_and_each_months_nrw(committee, march):
    out = water_balance("--committee", committee.slug, "--from", "2025-02", "--to", "2025-03")
    assert "40,000 m³" in out  # the system input, in the committee's language
    rows = {line.split()[0]: line.split()[1:] for line in month_lines(out)}
    assert rows["2025-03"] == ["6,25", "%"]
    assert rows["2025-02"] == ["—"]  # a month without production is listed, with no figure


def month_lines(out: str) -> list[str]:
    """The lines of the table of months (after its heading)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.endswith(":") and "mes" in line)
    return [line for line in lines[start + 1 :] if line.strip()]


def test_an_estimate_out_of_range_in_the_table_stops_the_command_with_a_clear_message(
    committee, march
):
    with scopes_disabled():
        BalanceSettings.objects.create(
            committee=committee, unauthorized_pct=D("60"), unauthorized_margin=D("1")
        )
    with pytest.raises(CommandError) as failure:
        water_balance("--committee", committee.slug, "--from", "2025-03", "--to", "2025-03")
    message = str(failure.value)
    assert "unauthorized_pct" in message
    assert reverse("supply-settings", kwargs={"committee": committee.slug}) in message


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--committee", "no-existe", "--from", "2025-03", "--to", "2025-03"), "no-existe"),
        (("--committee", "villa-esperanza", "--from", "2025-3x", "--to", "2025-03"), "AAAA-MM"),
        (("--committee", "villa-esperanza", "--from", "2025-04", "--to", "2025-03"), "--from"),
        (("--committee", "villa-esperanza", "--from", "2024-01", "--to", "2024-02"), "2024-01"),
    ],
)
def test_bad_input_or_a_span_without_production_is_refused_with_a_message(
    committee, march, args, says
):
    with pytest.raises(CommandError) as failure:
        water_balance(*args)
    assert says in str(failure.value)


def test_json_and_the_page_give_each_sectors_nrw_month_by_month(
    client, committee, board_user, meter, sector
):
    make_tariff(committee, board_user)
    connection = add_connection(committee, "1", by=board_user, sector=sector)
    month_read(committee, 2025, 3, {connection: "30"}, board_user)
    run(committee)
    district = make_meter(committee, sector=sector, name="Macromedidor Sector Alto")
    log(committee, date(2025, 3, 31), {meter: D("1040"), district: D("1040")})
    data = json.loads(
        water_balance(
            "--committee", committee.slug, "--from", "2025-02", "--to", "2025-03", "--json"
        )
    )
    (alto,) = data["sectors"]
    assert alto["sector"] == "Sector Alto"
    assert [(m["period"], m["nrw_percent"]) for m in alto["months"]] == [
        ("2025-02", None),  # nothing entered, nothing billed
        ("2025-03", "25.0"),  # 40 m³ entered, 30 billed
    ]
    assert alto["months"][1]["entered_m3"] == "40.000"
    client.force_login(board_user)
    page = client.get(
        reverse("supply-balance", kwargs={"committee": committee.slug})
        + "?desde=2025-02&hasta=2025-03"
    ).content.decode()
    table = page[page.index('id="sector-months"') :]
    assert '<tr data-period="2025-03"><td>03/2025</td><td class="num" data-nrw="25.0"' in table
