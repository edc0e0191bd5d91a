"""The water's pages as their users meet them: the operator logs a day and sees it, bad figures
come back beside their field with nothing saved, the balance shows the month's table, a member
sees only the summary, and the well, incidents and the complaint letter work."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled
from PIL import Image

from comunagua.supply.models import (
    BalanceSettings,
    Incident,
    MeterReading,
    OperatorLog,
    Source,
    WellLevel,
)
from comunagua.tenancy.roles import Role
from tests.actors import (
    add_connection,
    log,
    make_tariff,
    make_user,
    month_read,
    report_incident,
    run,
    url,
)

pytestmark = pytest.mark.django_db
D = Decimal


def day_form(meter, tank=None, sector=None, **values) -> dict:
    data = {
        "day": "2025-03-31",
        f"meter-{meter.pk}": "1040",
        "pump_hours": "3,5",
        "energy_kwh": "61,2",
        "chlorine_kg": "0,12",
    }
    if tank is not None:
        data[f"tank-{tank.pk}"] = "80"
    if sector is not None:
        data[f"sector-{sector.pk}"] = "24"
    data.update(values)
    return data


def stored_logs() -> list[tuple]:
    with scopes_disabled():
        return list(OperatorLog.objects.values_list("day", "pump_hours", "energy_kwh"))


# --- the operator's log ------------------------------------------------------------------------


def test_the_operator_logs_a_day_and_finds_it_in_the_latest_logs(
    operator_client, committee, meter, tank, sector
):
    page = operator_client.get(url("supply-log", committee) + "?dia=2025-03-31")
    assert page.status_code == 200
    assert 'data-previous="1000.000"' in page.content.decode()  # the reading at installation
    response = operator_client.post(url("supply-log", committee), day_form(meter, tank, sector))
    assert response.status_code == 302
    assert stored_logs() == [(date(2025, 3, 31), D("3.50"), D("61.2"))]
    page = operator_client.get(response["Location"]).content.decode()
    assert 'data-day="2025-03-31" data-produced="40.000"' in page


def test_a_negative_figure_comes_back_beside_its_field_and_nothing_is_saved(
    operator_client, committee, meter
):
    response = operator_client.post(
        url("supply-log", committee), day_form(meter, pump_hours="-2", energy_kwh="muchos")
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"energy_kwh"}  # a word is refused before the services look
    response = operator_client.post(url("supply-log", committee), day_form(meter, pump_hours="-2"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"pump_hours"}
    assert "has-error" in response.content.decode()
    assert stored_logs() == []


def test_a_reading_below_the_previous_one_is_refused_with_the_previous_reading_named(
    operator_client, committee, meter
):
    response = operator_client.post(
        url("supply-log", committee), day_form(meter, **{f"meter-{meter.pk}": "990"})
    )
    assert response.status_code == 400
    errors = response.context["form"].errors[f"meter-{meter.pk}"]
    assert "1000" in errors[0]
    assert stored_logs() == []


def test_a_day_already_logged_opens_its_log_and_a_second_post_is_refused(
    operator_client, committee, meter
):
    log(committee, date(2025, 3, 31), {meter: D("1040")})
    page = operator_client.get(url("supply-log", committee) + "?dia=2025-03-31")
    with scopes_disabled():
        existing = OperatorLog.objects.get()
    assert page["Location"] == url("supply-log-detail", committee, pk=existing.pk)
    response = operator_client.post(url("supply-log", committee), day_form(meter))
    assert response.status_code == 400
    assert "31/03/2025" in " ".join(response.context["form"].errors["day"])
    assert len(stored_logs()) == 1


def test_the_operator_corrects_a_days_reading_on_its_page(operator_client, committee, meter):
    wrong = log(committee, date(2025, 3, 31), {meter: D("1400")})
    page = url("supply-log-detail", committee, pk=wrong.pk)
    response = operator_client.post(page, day_form(meter))
    assert response.status_code == 302
    with scopes_disabled():
        assert MeterReading.objects.get().volume_m3 == D("40.000")
    assert 'data-volume="40.000"' in operator_client.get(page).content.decode()


def test_a_treasurer_reads_a_log_but_cannot_correct_it(client, committee, meter):
    entered = log(committee, date(2025, 3, 31), {meter: D("1040")})
    client.force_login(make_user(committee, Role.TREASURER))
    page = url("supply-log-detail", committee, pk=entered.pk)
    assert client.get(page).status_code == 200
    assert client.post(page, day_form(meter, **{f"meter-{meter.pk}": "1900"})).status_code == 403
    assert client.get(url("supply-log", committee)).status_code == 403


# --- the balance -------------------------------------------------------------------------------


@pytest.fixture
def billed_march(committee, board_user):
    """One connection billed 37,5 m³ in March 2025."""
    make_tariff(committee, board_user)
    connection = add_connection(committee, "1", by=board_user)
    month_read(committee, 2025, 3, {connection: "37.5"}, board_user)
    return run(committee)


def test_the_balance_of_a_month_puts_the_logged_water_against_the_bills(
    operator_client, committee, meter, billed_march
):
    log(committee, date(2025, 3, 31), {meter: D("1040")}, flushing_m3=D("1"))
    response = operator_client.get(
        url("supply-balance", committee) + "?desde=2025-03&hasta=2025-03"
    )
    assert response.status_code == 200
    rows = {row["name"]: row["q"] for row in response.context["table"]}
    assert rows["system_input_m3"].value == D("40.000")
    assert rows["billed_metered_m3"].value == D("37.500")
    assert rows["unbilled_unmetered_m3"].value == D("1.000")
    assert rows["non_revenue_water_m3"].value == D("2.500")
    # The components add up to the water put in, as the standard's table says.
    total = sum(
        rows[k].value
        for k in (
            "billed_authorized_m3",
            "unbilled_authorized_m3",
            "apparent_losses_m3",
            "real_losses_m3",
        )
    )
    assert total == rows["system_input_m3"].value
    page = response.content.decode()
    assert 'data-key="system_input_m3" data-value="40.000"' in page
    assert 'data-period="2025-03" data-status="ok" data-nrw="6.25"' in page


def test_the_cost_per_m3_counts_energy_chlorine_maintenance_and_the_allowance(
    client, committee, board_user, meter, billed_march
):
    client.force_login(board_user)
    response = client.post(
        url("supply-settings", committee),
        {
            "source_meter_error_pct": "0",
            "source_meter_error_margin": "2",
            "unauthorized_pct": "0,25",
            "unauthorized_margin": "0,25",
            "under_registration_pct": "2",
            "under_registration_margin": "2",
            "data_handling_pct": "0",
            "data_handling_margin": "0,25",
            "unbilled_margin_pct": "25",
            "maintenance_per_month": "20",
            "allowance_per_month": "30",
            "chlorine_cost_per_kg": "25",
            "energy_price_per_kwh": "1",
        },
    )
    assert response.status_code == 302
    log(committee, date(2025, 3, 31), {meter: D("1040")}, energy_kwh=D("20"), chlorine_kg=D("0.4"))
    costs = client.get(url("supply-balance", committee) + "?desde=2025-03&hasta=2025-03").context[
        "costs"
    ]
    # 20 kWh at Bs 1 + 0,4 kg at Bs 25 + Bs 20 + Bs 30 = Bs 80 for 40 m³.
    assert (costs.total, costs.per_m3, costs.kwh_per_m3) == (D("80.00"), D("2.00"), D("0.500"))
    assert costs.tariff_per_m3 is not None and costs.tariff_per_m3 > 0


def test_a_month_written_wrong_is_answered_with_a_message(operator_client, committee):
    response = operator_client.get(url("supply-balance", committee) + "?desde=2025-13&hasta=2025")
    assert response.status_code == 400
    assert response.context["span"].errors


def test_a_member_sees_the_summary_but_not_the_full_balance_or_the_log(
    client, committee, meter, billed_march
):
    log(committee, date(2025, 3, 31), {meter: D("1040")})
    client.force_login(make_user(committee, Role.MEMBER))
    summary = client.get(url("supply-home", committee))
    assert summary.status_code == 200
    assert 'data-nrw="6.25"' in summary.content.decode()
    for name in ("supply-balance", "supply-log", "supply-incidents", "supply-sources"):
        assert client.get(url(name, committee)).status_code == 403


# --- the well, incidents, the letter -----------------------------------------------------------


def test_the_operator_logs_a_level_and_the_well_page_shows_capacity_and_no_projection_yet(
    operator_client, committee, well
):
    page = url("supply-well", committee, pk=well.pk)
    for kind, depth, flow in (("static", "42,10", ""), ("pumping", "53,60", "36")):
        response = operator_client.post(
            page, {"measured_on": "2025-05-05", "kind": kind, "depth_m": depth, "flow_m3h": flow}
        )
        assert response.status_code == 302
    response = operator_client.get(page)
    report = response.context["report"]
    assert report.latest_capacity.specific_capacity == D("3.130")  # 36 m³/h over 11,5 m
    assert report.projection.status == "not_enough_data"
    assert 'id="well-chart"' in response.content.decode()


def test_a_level_deeper_than_the_well_is_refused_on_the_page(operator_client, committee, well):
    response = operator_client.post(
        url("supply-well", committee, pk=well.pk),
        {"measured_on": "2025-05-05", "kind": "static", "depth_m": "120"},
    )
    assert response.status_code == 400
    assert "depth_m" in response.context["form"].errors
    with scopes_disabled():
        assert not WellLevel.objects.exists()


def _png() -> io.BytesIO:
    stream = io.BytesIO()
    Image.new("RGB", (8, 6), (30, 110, 150)).save(stream, format="PNG")
    stream.seek(0)
    stream.name = "perforadora.png"
    return stream


def test_an_incident_with_a_photo_and_its_complaint_letter(
    client, committee, board_user, well, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(board_user)
    response = client.post(
        url("supply-incidents", committee),
        {
            "kind": "drilling",
            "happened_on": "2025-05-12",
            "source": well.pk,
            "location": "Calle Los Molles, lote 27",
            "distance_m": "150",
            "description": "Una perforadora abre un pozo privado.",
            "authority": "Dirección de Medio Ambiente",
            "photo": _png(),
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        incident = Incident.objects.get()
        photo = incident.photos.get()
    shown = client.get(url("supply-incident-photo", committee, pk=photo.pk))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    letter = client.get(url("supply-incident-letter", committee, pk=incident.pk)).content.decode()
    for fact in ("Dirección de Medio Ambiente", "Calle Los Molles, lote 27", "Licencia AAPS"):
        assert fact in letter
    pdf = client.get(url("supply-incident-letter-pdf", committee, pk=incident.pk))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_only_the_board_prints_the_complaint(operator_client, committee, well):
    incident = report_incident(committee)
    assert operator_client.get(url("supply-incident", committee, pk=incident.pk)).status_code == 200
    letter = url("supply-incident-letter", committee, pk=incident.pk)
    assert operator_client.get(letter).status_code == 403


def test_the_board_sets_up_a_well_and_its_meter_from_the_pages(client, committee, board_user):
    client.force_login(board_user)
    response = client.post(
        url("supply-source-create", committee),
        {
            "name": "Pozo 2",
            "kind": "well",
            "is_active": "on",
            "depth_m": "80",
            "pump_intake_m": "90",
        },
    )
    assert response.status_code == 400  # the pump below the bottom of the well
    assert "pump_intake_m" in response.context["form"].errors
    response = client.post(
        url("supply-source-create", committee),
        {
            "name": "Pozo 2",
            "kind": "well",
            "is_active": "on",
            "depth_m": "80",
            "pump_intake_m": "55",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        from comunagua.supply.models import Source

        well = Source.objects.get(name="Pozo 2")
    response = client.post(
        url("supply-meter-create", committee),
        {
            "name": "Medidor pozo 2",
            "source": well.pk,
            "digits": "6",
            "installed_on": "2025-01-01",
            "initial_reading": "0",
        },
    )
    assert response.status_code == 302
    assert "Medidor pozo 2" in client.get(url("supply-sources", committee)).content.decode()


def _bad_estimate(committee):
    """An estimate out of range written straight to the table (the settings page refuses it)."""
    with scopes_disabled():
        BalanceSettings.objects.create(
            committee=committee, unauthorized_pct=D("60"), unauthorized_margin=D("1")
        )


@pytest.mark.parametrize("name", ["supply-balance", "supply-home"])
def test_an_estimate_out_of_range_in_the_table_is_shown_as_a_problem_not_a_crash(
    client, committee, board_user, meter, billed_march, name
):
    log(committee, date(2025, 3, 31), {meter: D("1040")})
    _bad_estimate(committee)
    client.force_login(board_user)
    response = client.get(url(name, committee))
    assert response.status_code == 200
    assert response.context["result"].problem == "bad_inputs"
    page = response.content.decode()
    assert 'id="bad-inputs"' in page and "unauthorized_pct" in page
    assert f'href="{url("supply-settings", committee)}"' in page
    assert 'data-period="2025-03" data-status="bad_inputs"' in page


def test_a_span_without_water_is_no_production_and_not_bad_inputs(
    operator_client, committee, meter, billed_march
):
    response = operator_client.get(
        url("supply-balance", committee) + "?desde=2025-03&hasta=2025-03"
    )
    assert response.context["result"].problem == "no_production"
    assert 'id="no-balance"' in response.content.decode()


def test_a_small_system_is_told_it_has_too_few_connections_for_an_ili(
    operator_client, committee, meter, billed_march
):
    log(committee, date(2025, 3, 31), {meter: D("1040")})
    response = operator_client.get(
        url("supply-balance", committee) + "?desde=2025-03&hasta=2025-03"
    )
    page = response.content.decode()
    assert '<dd id="ili" data-status="too_few_connections">' in page
    assert "con 1 conexiones" in page  # the pages are in Spanish


def test_the_board_adds_a_well_and_a_tank_and_is_told_each_was_saved(board_client, committee):
    page = board_client.post(
        url("supply-source-create", committee),
        {"name": "Pozo Norte", "kind": "well", "is_active": "on", "depth_m": "69"},
        follow=True,
    )
    assert "Fuente Pozo Norte guardada." in page.content.decode()
    page = board_client.post(
        url("supply-tank-create", committee),
        {"name": "Tanque alto", "capacity_m3": "120", "is_active": "on"},
        follow=True,
    )
    assert "Tanque guardado." in page.content.decode()
    with scopes_disabled():
        assert [s.name for s in Source.objects.filter(committee=committee)] == ["Pozo Norte"]
