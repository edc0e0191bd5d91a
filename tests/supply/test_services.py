"""The operator's log, well levels, sources, settings and incidents through the services: what is
stored, and bad input refused with a message that names the problem while nothing changes."""

from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled
from hypothesis import given
from hypothesis import strategies as st

from comunagua.supply.balance.services import balance_settings_save
from comunagua.supply.incidents.services import incident_report, incident_status_set
from comunagua.supply.log.checks import MAX_M3_A_DAY, meter_volume
from comunagua.supply.log.entry import InterruptionInput, LogEntry
from comunagua.supply.log.forms import log_initial
from comunagua.supply.log.services import operator_log_correct, operator_log_enter
from comunagua.supply.models import (
    BalanceSettings,
    Incident,
    Interruption,
    MeterReading,
    OperatorLog,
    ProductionMeter,
    Source,
    WellLevel,
)
from comunagua.supply.network.services import source_save
from comunagua.supply.wells.services import well_level_record
from tests.actors import log, make_committee, make_meter, make_well, refused
from tests.properties import pure

pytestmark = pytest.mark.django_db
D = Decimal
MAY_1, MAY_2, MAY_3 = date(2025, 5, 1), date(2025, 5, 2), date(2025, 5, 3)


def refusal_of(call, *args, **kwargs) -> ValidationError:
    """`call` refused: its error, for the codes and fields it names."""
    with refused() as caught:
        call(*args, **kwargs)
    return caught.value


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {
        name: [e.code for e in errors] for name, errors in getattr(error, "error_dict", {}).items()
    }


def volumes(meter) -> list[tuple[date, str, str]]:
    with scopes_disabled():
        return [
            (r.day, str(r.value), str(r.volume_m3))
            for r in MeterReading.objects.filter(meter=meter).order_by("day")
        ]


def logs_count() -> int:
    with scopes_disabled():
        return OperatorLog.objects.count()


# --- a day's log -------------------------------------------------------------------------------


def test_a_days_log_keeps_the_volume_each_meter_measured_since_its_previous_reading(
    committee, meter, tank, sector, operator
):
    log(committee, MAY_1, {meter: D("1100")}, by=operator)
    second = log(
        committee,
        MAY_2,
        {meter: D("1180.5")},
        by=operator,
        pump_hours=D("6.5"),
        energy_kwh=D("95"),
        chlorine_kg=D("0.8"),
        tank_levels={tank: D("85")},
        supply_hours={sector: D("18")},
        flushing_m3=D("3"),
    )
    assert volumes(meter) == [
        (MAY_1, "1100.000", "100.000"),  # from the reading at installation, 1000
        (MAY_2, "1180.500", "80.500"),
    ]
    with scopes_disabled():
        stored = OperatorLog.objects.get(pk=second.pk)
        assert (stored.pump_hours, stored.energy_kwh, stored.unbilled_m3) == (
            D("6.50"),
            D("95.0"),
            D("3.000"),
        )
        assert stored.tank_levels.get().percent == D("85.00")
        assert stored.supply_hours.get().hours == D("18.0")
        assert stored.entered_by == operator


def test_a_reading_lower_than_the_previous_one_is_refused_and_nothing_is_stored(committee, meter):
    log(committee, MAY_1, {meter: D("1100")})
    error = refusal_of(log, committee, MAY_2, {meter: D("1090")})
    assert codes(error) == {f"meter-{meter.pk}": ["below_previous"]}
    assert "1100" in " ".join(error.messages)  # the message shows the previous reading
    assert logs_count() == 1


def test_a_meter_that_passes_the_end_of_its_dials_counts_the_roll_over(committee, well):
    small = make_meter(committee, source=well, name="Medidor viejo", digits=4)
    log(committee, MAY_1, {small: D("9950")})
    log(committee, MAY_2, {small: D("30")})
    with scopes_disabled():
        reading = MeterReading.objects.get(meter=small, day=MAY_2)
    assert (reading.volume_m3, reading.rolled_over) == (D("80.000"), True)


def test_a_value_beyond_the_dials_or_a_volume_no_well_gives_is_refused(committee, meter):
    log(committee, MAY_1, {meter: D("1100")})
    assert codes(refusal_of(log, committee, MAY_2, {meter: D("1000000")})) == {
        f"meter-{meter.pk}": ["too_large"]
    }
    # 598 900 m³ in a day: a digit typed twice, not a well.
    assert codes(refusal_of(log, committee, MAY_2, {meter: D("600000")})) == {
        f"meter-{meter.pk}": ["absurd"]
    }
    assert logs_count() == 1


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"pump_hours": D("-1")}, "pump_hours", "negative"),
        ({"pump_hours": D("25")}, "pump_hours", "absurd"),  # a day after the previous log
        ({"energy_kwh": D("-3")}, "energy_kwh", "negative"),
        ({"chlorine_kg": D("1.2345")}, "chlorine_kg", "too_many_decimals"),
        ({"flushing_m3": D("-2")}, "flushing_m3", "negative"),
        ({"pump_hours": "seis"}, "pump_hours", "invalid"),
    ],
)
def test_impossible_numbers_in_a_log_are_refused_beside_their_field(
    committee, meter, values, field, code
):
    log(committee, MAY_1, {meter: D("1100")})
    error = refusal_of(log, committee, MAY_2, {meter: D("1150")}, **values)
    assert codes(error) == {field: [code]}
    assert logs_count() == 1 and len(volumes(meter)) == 1


def test_a_tank_level_and_hours_of_supply_must_fit_a_tank_and_a_day(committee, tank, sector):
    error = refusal_of(
        log, committee, MAY_1, {}, tank_levels={tank: D("120")}, supply_hours={sector: D("25")}
    )
    assert codes(error) == {f"tank-{tank.pk}": ["absurd"], f"sector-{sector.pk}": ["absurd"]}
    assert logs_count() == 0


def test_a_weekly_log_may_count_the_pump_hours_of_the_whole_week(committee, meter):
    log(committee, MAY_1, {meter: D("1100")})
    weekly = log(committee, MAY_1 + timedelta(days=7), {meter: D("1800")}, pump_hours=D("70"))
    assert weekly.pump_hours == D("70.00")


def test_a_second_log_for_the_same_day_is_refused_and_says_so(committee, meter):
    log(committee, MAY_1, {meter: D("1100")})
    error = refusal_of(log, committee, MAY_1, {meter: D("1120")})
    assert codes(error) == {"day": ["duplicate_day"]}
    assert "01/05/2025" in " ".join(error.messages)
    assert volumes(meter) == [(MAY_1, "1100.000", "100.000")]


def test_a_log_sent_twice_by_the_same_page_is_stored_once(committee, meter):
    client_id = uuid4()
    with scope(committee=committee):
        entry = LogEntry(day=MAY_1, readings={meter: D("1100")})
        first = operator_log_enter(committee=committee, entry=entry, by=None, client_id=client_id)
        again = operator_log_enter(committee=committee, entry=entry, by=None, client_id=client_id)
    assert again.pk == first.pk and logs_count() == 1


def test_a_log_in_the_future_or_before_the_meter_was_installed_is_refused(committee, meter):
    future = date.today() + timedelta(days=3)
    assert codes(refusal_of(log, committee, future, {meter: D("1100")})) == {"day": ["future"]}
    error = refusal_of(log, committee, date(2024, 12, 1), {meter: D("1100")})
    assert f"meter-{meter.pk}" in codes(error)
    assert logs_count() == 0


def test_a_day_logged_late_between_two_logs_splits_the_volume_of_the_next_one(committee, meter):
    log(committee, MAY_1, {meter: D("1100")})
    log(committee, MAY_3, {meter: D("1300")})
    log(committee, MAY_2, {meter: D("1180")})
    assert volumes(meter) == [
        (MAY_1, "1100.000", "100.000"),
        (MAY_2, "1180.000", "80.000"),
        (MAY_3, "1300.000", "120.000"),
    ]


def test_a_late_reading_higher_than_the_next_days_is_refused(committee, meter):
    log(committee, MAY_1, {meter: D("1100")})
    log(committee, MAY_3, {meter: D("1300")})
    error = refusal_of(log, committee, MAY_2, {meter: D("1350")})
    assert "1300" in " ".join(error.messages)
    assert len(volumes(meter)) == 2


def test_correcting_a_reading_moves_the_volume_between_the_day_and_the_next(committee, meter):
    log(committee, MAY_1, {meter: D("1100")})
    wrong = log(committee, MAY_2, {meter: D("1200")}, pump_hours=D("5"))
    log(committee, MAY_3, {meter: D("1300")})
    with scope(committee=committee):
        operator_log_correct(
            log=wrong,
            entry=LogEntry(day=MAY_2, readings={meter: D("1150")}, pump_hours=D("6")),
            by=None,
        )
    assert volumes(meter) == [
        (MAY_1, "1100.000", "100.000"),
        (MAY_2, "1150.000", "50.000"),
        (MAY_3, "1300.000", "150.000"),
    ]
    with scopes_disabled():
        assert OperatorLog.objects.get(pk=wrong.pk).pump_hours == D("6.00")


def test_an_interruption_is_kept_with_its_cause_sectors_and_households(committee, sector):
    entry = InterruptionInput(
        cause="burst", hours=D("5"), sectors=(sector,), households=40, description="Cañería rota"
    )
    log(committee, MAY_1, {}, interruption=entry)
    with scopes_disabled():
        cut = Interruption.objects.get()
        assert (cut.cause, cut.hours, cut.households) == ("burst", D("5.0"), 40)
        assert list(cut.sectors.all()) == [sector]


def test_an_interruption_needs_a_cause_and_a_positive_duration(committee):
    entry = InterruptionInput(cause="volcano", hours=D("0"))
    error = refusal_of(log, committee, MAY_1, {}, interruption=entry)
    assert set(codes(error)) == {"interruption_cause", "interruption_hours"}
    assert logs_count() == 0


def test_another_committees_meter_is_never_read_into_this_log(committee, other_committee):
    foreign = make_meter(other_committee, source=make_well(other_committee))
    with pytest.raises(ValidationError):
        log(committee, MAY_1, {foreign: D("1100")})
    assert logs_count() == 0


# --- sources, meters, settings -----------------------------------------------------------------


def test_a_pump_cannot_hang_deeper_than_its_well(committee):
    error = refusal_of(make_well, committee, depth_m=D("50"), pump_intake_m=D("60"))
    assert "pump_intake_m" in codes(error)
    with scopes_disabled():
        assert not Source.objects.exists()


def test_a_bulk_supply_names_its_supplier_and_keeps_its_price(committee):
    with scope(committee=committee):
        error = refusal_of(source_save, committee=committee, by=None, name="SEMAPA", kind="bulk")
        assert "supplier" in codes(error)
        bulk = source_save(
            committee=committee,
            by=None,
            name="SEMAPA",
            kind="bulk",
            supplier="SEMAPA Cochabamba",
            contract="Convenio público-comunitario 2024",
            price_per_m3=D("3.50"),
        )
    assert bulk.price_per_m3 == D("3.50")


def test_a_meter_measures_a_source_or_a_sector_not_both(committee, well, sector):
    error = refusal_of(make_meter, committee, source=well, sector=sector)
    assert error.messages


def test_the_balance_estimates_must_stay_within_fifty_percent(committee):
    with scope(committee=committee):
        error = refusal_of(
            balance_settings_save,
            committee=committee,
            by=None,
            unauthorized_pct=D("45"),
            unauthorized_margin=D("10"),
        )
        assert codes(error) == {"unauthorized_margin": ["absurd"]}
        error = refusal_of(
            balance_settings_save, committee=committee, by=None, energy_price_per_kwh=-1
        )
        assert codes(error) == {"energy_price_per_kwh": ["negative"]}
        assert not BalanceSettings.objects.filter(committee=committee).exists()
        saved = balance_settings_save(
            committee=committee, by=None, energy_price_per_kwh=D("0.85"), network_length_km=""
        )
    assert saved.energy_price_per_kwh == D("0.8500")
    assert saved.unauthorized_pct == D("0.25")  # the documented default stays


# --- the well and incidents --------------------------------------------------------------------


def level(source, day, kind, depth, flow=None):
    with scope(committee=source.committee):
        return well_level_record(
            source=source, measured_on=day, kind=kind, depth_m=depth, flow_m3h=flow, by=None
        )


def test_a_well_level_deeper_than_the_well_or_twice_the_same_day_is_refused(well):
    level(well, MAY_1, "static", D("42.5"))
    assert codes(refusal_of(level, well, MAY_2, "static", D("95"))) == {"depth_m": ["absurd"]}
    assert codes(refusal_of(level, well, MAY_1, "static", D("43"))) == {
        "measured_on": ["duplicate"]
    }
    assert codes(refusal_of(level, well, MAY_2, "static", D("-1"))) == {"depth_m": ["negative"]}
    with scopes_disabled():
        assert WellLevel.objects.count() == 1


def test_levels_are_measured_in_wells_only(committee):
    with scope(committee=committee):
        tanker = source_save(
            committee=committee, by=None, name="Cisterna", kind="tanker", supplier="Don Julio"
        )
    assert refusal_of(level, tanker, MAY_1, "static", D("10")).messages


def test_an_incident_needs_a_place_and_what_was_seen(committee, well):
    with scope(committee=committee):
        error = refusal_of(
            incident_report,
            committee=committee,
            by=None,
            source=well,
            kind="drilling",
            happened_on=MAY_1,
            location="",
            description="Una perforadora",
        )
        assert "location" in codes(error)
        incident = incident_report(
            committee=committee,
            by=None,
            source=well,
            kind="drilling",
            happened_on=MAY_1,
            location="Lote 14, a 150 m del pozo",
            description="Una perforadora trabaja en el lote vecino.",
            photo_path="/fotos/2025-05-01-perforadora.jpg",
        )
        incident_status_set(incident=incident, status="reported", by=None)
    with scopes_disabled():
        stored = Incident.objects.get()
        assert stored.photos.get().path.endswith("perforadora.jpg")
        assert stored.status == "reported" and stored.reported_on is not None


def test_a_second_committee_has_its_own_names(committee):
    other = make_committee("Otro", "otro-comite")
    make_well(committee)
    assert make_well(other).name == "Pozo 1"


# --- the volume between two readings, as a property ------------------------------------------


@pure
@given(
    digits=st.integers(min_value=3, max_value=9),
    start=st.decimals(min_value=0, max_value=1, places=6),
    used=st.decimals(min_value=0, max_value=1, places=6),
)
def test_a_meters_volume_is_the_water_that_passed_it_across_a_roll_over_too(digits, start, used):
    meter = ProductionMeter(name="M", digits=digits)
    capacity = meter.capacity
    previous = (start * (capacity - 1)).quantize(D("0.001"))
    # Up to a tenth of the dials' range (and what a well gives in a day).
    passed = (used * min(capacity / 10 - 1, MAX_M3_A_DAY)).quantize(D("0.001"))
    shown = (previous + passed) % capacity
    volume = meter_volume(meter, previous, shown, days=1)
    assert volume.volume == passed
    assert volume.rolled_over == (shown < previous)


@pure
@given(
    start=st.decimals(min_value=0, max_value=1, places=6),
    back=st.decimals(min_value="0.001", max_value=1, places=6),
)
def test_a_meter_read_lower_but_not_across_the_end_of_its_dials_is_refused(start, back):
    meter = ProductionMeter(name="M", digits=6)
    previous = (start * D(899_999)).quantize(D("0.001"))  # below the top tenth: no roll-over
    lower = max(previous - (back * D(1000)).quantize(D("0.001")), D(0))
    if lower == previous:
        return
    with pytest.raises(ValidationError):
        meter_volume(meter, previous, lower, days=1)


def test_a_bought_source_keeps_no_well_figures_not_even_a_negative_one(committee):
    with scope(committee=committee):
        bulk = source_save(
            committee=committee,
            by=None,
            name="EPSAS",
            kind=Source.Kind.BULK,
            supplier="EPSAS",
            depth_m=D("-5"),
            pump_intake_m=D("-1"),
            pump_power_kw=D("-3"),
            protected_radius_m=D("-100"),
        )
    with scopes_disabled():
        bulk.refresh_from_db()
    figures = (bulk.depth_m, bulk.pump_intake_m, bulk.pump_power_kw, bulk.protected_radius_m)
    assert figures == (None, None, None, None)


def test_correcting_a_day_with_two_interruptions_keeps_the_one_the_form_does_not_show(
    committee, sector
):
    first = InterruptionInput(cause="burst", hours=D("5"), sectors=(sector,))
    day = log(committee, MAY_1, {}, interruption=first)
    with scopes_disabled():
        Interruption.objects.create(committee=committee, log=day, cause="power", hours=D("2"))
    changed = InterruptionInput(cause="burst", hours=D("4"), sectors=(sector,))
    with scope(committee=committee):
        operator_log_correct(
            log=day, entry=LogEntry(day=MAY_1, readings={}, interruption=changed), by=None
        )
    with scopes_disabled():
        kept = sorted(Interruption.objects.values_list("cause", "hours"))
    assert kept == [("burst", D("4.0")), ("power", D("2.0"))]


def test_the_form_of_a_day_with_a_cut_does_not_offer_24_hours_to_the_sector_cut(committee, sector):
    cut = InterruptionInput(cause="burst", hours=D("6"), sectors=(sector,))
    day = log(committee, MAY_1, {}, interruption=cut)
    with scope(committee=committee):
        initial = log_initial(day)
    assert initial[f"sector-{sector.pk}"] == D("18")
