"""A meter change cannot make water flow backwards: the meter removed ends at least where it was
last read (or where it started), on or after that reading, unless its dials rolled over and the
person says so; then the month's consumption counts the roll-over, as metering computes it.

Messages are checked through what does not depend on the translation: the field they are on,
and the value and date they name (in English, so the test does not wait for the .po)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django_scopes import scope, scopes_disabled

from comunagua.lib.periods import Period
from comunagua.metering import validation
from comunagua.metering.meters import services as meter_services
from comunagua.metering.models import Reading
from comunagua.metering.readings import selectors as reading_selectors
from comunagua.metering.readings import services as reading_services
from comunagua.metering.rounds import services as round_services
from comunagua.registry import services
from comunagua.registry.models import Meter
from tests.actors import add_connection

pytestmark = pytest.mark.django_db

D = Decimal
LA_PAZ = ZoneInfo("America/La_Paz")


def connection_with_meter(committee, number: str, initial: str, digits: int = 5):
    """A connection whose meter showed `initial` when it was installed on 1 January 2020."""
    with scope(committee=committee):
        return services.connection_create(
            committee=committee,
            by=None,
            number=number,
            address=f"Calle {number}",
            connected_on=date(2020, 1, 1),
            meter={
                "serial": f"OLD-{number}",
                "installed_on": date(2020, 1, 1),
                "digits": digits,
                "initial_reading": D(initial),
            },
        )


def read_month(committee, connection, year: int, month: int, value: str, day: int = 20):
    """Open the month's round, read the connection on `day` (accepting any flag), close it."""
    with scope(committee=committee):
        reading_round = round_services.round_open(
            committee=committee, period=Period(year, month), by=None
        )
        reading = reading_services.reading_enter(
            round=reading_round,
            connection=connection,
            value=D(value),
            read_at=datetime(year, month, day, 10, tzinfo=LA_PAZ),
            by=None,
        )
        if reading.needs_review:
            reading_services.reading_accept(reading=reading, by=None, reason="visto en el lugar")
        round_services.round_close(round=reading_round, by=None)
    return reading


def replace(connection, *, on: date, final: str, rolled_over: bool = False, **kwargs):
    with scope(committee=connection.committee), translation.override("en"):
        return meter_services.meter_replace(
            connection=connection,
            by=None,
            removed_on=on,
            final_reading=D(final),
            serial=kwargs.pop("serial", f"NEW-{connection.number}"),
            rolled_over=rolled_over,
            **kwargs,
        )


def meters(connection) -> list[Meter]:
    with scopes_disabled():
        return list(Meter.objects.filter(connection=connection).order_by("installed_on", "id"))


def replace_refused(connection, field: str, **kwargs) -> str:
    """Replace, expect a refusal on `field`, check nothing changed; the message."""
    before = [(m.pk, m.removed_on, m.final_reading) for m in meters(connection)]
    with pytest.raises(ValidationError) as caught:
        replace(connection, **kwargs)
    assert field in caught.value.message_dict, caught.value
    assert [(m.pk, m.removed_on, m.final_reading) for m in meters(connection)] == before
    return " ".join(caught.value.message_dict[field])


def test_a_final_reading_below_the_last_reading_is_refused_naming_that_reading(committee):
    connection = connection_with_meter(committee, "31", "0")
    read_month(committee, connection, 2025, 1, "1520.25")

    message = replace_refused(connection, "final_reading", on=date(2025, 2, 3), final="1500")
    assert "1520.25" in message and "20/01/2025" in message


def test_a_final_reading_below_the_installation_reading_of_a_meter_never_read_is_refused(
    committee,
):
    connection = connection_with_meter(committee, "32", "500")

    message = replace_refused(connection, "final_reading", on=date(2025, 2, 3), final="400")
    assert "500" in message and "01/01/2020" in message


def test_a_meter_change_dated_before_the_last_reading_is_refused_naming_its_date(committee):
    connection = connection_with_meter(committee, "33", "0")
    read_month(committee, connection, 2025, 1, "100", day=20)

    message = replace_refused(connection, "removed_on", on=date(2025, 1, 10), final="120")
    assert "20/01/2025" in message


def test_a_meter_change_on_the_day_of_the_last_reading_is_accepted(committee):
    connection = connection_with_meter(committee, "34", "0")
    read_month(committee, connection, 2025, 1, "100", day=20)

    replace(connection, on=date(2025, 1, 20), final="100")
    old, new = meters(connection)
    assert (old.removed_on, old.final_reading, new.in_service) == (date(2025, 1, 20), D(100), True)


def test_a_confirmed_roll_over_is_accepted_and_the_month_counts_it(committee):
    """99950 read in January; in February the dials passed 99999 and stopped at 20 when the
    meter was changed; the new meter, from 0, reads 10: 50 + 20 + 10 = 80 m³."""
    connection = connection_with_meter(committee, "35", "99900")
    read_month(committee, connection, 2025, 1, "99950")

    replace_refused(
        connection, "final_reading", on=date(2025, 2, 10), final="20"
    )  # not without a yes
    replace(connection, on=date(2025, 2, 10), final="20", rolled_over=True)
    february = read_month(committee, connection, 2025, 2, "10", day=25)

    assert february.metered_m3 == D(80) and february.consumption == D(80)
    assert validation.ROLLOVER in february.flags  # the office sees why, as for any roll-over


def test_a_roll_over_that_would_mean_an_implausible_volume_is_refused_even_when_confirmed(
    committee,
):
    connection = connection_with_meter(committee, "36", "0")
    read_month(committee, connection, 2025, 1, "500")

    message = replace_refused(
        connection, "final_reading", on=date(2025, 2, 10), final="400", rolled_over=True
    )
    assert "99900" in message.replace(",", "") and "500" in message


def test_every_roll_over_the_register_accepts_is_one_metering_counts_as_a_roll_over():
    assert meter_services.ROLLOVER_MAX_M3 <= validation.ROLLOVER_FLOOR
    assert validation.rollover_limit([]) >= meter_services.ROLLOVER_MAX_M3


def test_an_estimate_or_a_rejected_reading_is_not_the_meters_last_reading(committee):
    connection = connection_with_meter(committee, "37", "0")
    read_month(committee, connection, 2025, 1, "100")
    with scope(committee=committee):
        second = round_services.round_open(committee=committee, period=Period(2025, 2), by=None)
        round_services.round_close(round=second, by=None)  # not read: estimated
        estimate = Reading.objects.get(connection=connection, round=second)
    assert estimate.estimated

    with scope(committee=committee):
        last = reading_selectors.meter_last_actual_reading(meters(connection)[0])
    assert (last.value, last.on) == (D(100), date(2025, 1, 20))


def test_a_new_meters_initial_reading_beyond_its_dials_is_refused_and_the_old_meter_stays(
    committee,
):
    connection = connection_with_meter(committee, "38", "0")

    message = replace_refused(
        connection,
        "initial_reading",
        on=date(2025, 2, 3),
        final="10",
        digits=3,
        initial_reading=D(1000),
    )
    assert "1000" in message
    replace_refused(
        connection, "initial_reading", on=date(2025, 2, 3), final="10", initial_reading=D(-1)
    )


# --- the page -----------------------------------------------------------------------------


def meter_page(committee, connection):
    return reverse("connection-meter", kwargs={"committee": committee.slug, "pk": connection.pk})


def change(board_client, committee, connection, **data):
    return board_client.post(
        meter_page(committee, connection),
        {
            "serial": f"NEW-{connection.number}",
            "digits": "5",
            "on": "2025-02-03",
            "initial_reading": "0",
            **data,
        },
    )


def test_the_meter_page_refuses_a_lower_final_reading_until_the_roll_over_is_ticked(
    board_client, committee
):
    connection = connection_with_meter(committee, "40", "99990")
    page = board_client.get(meter_page(committee, connection)).content.decode()
    assert "99990" in page  # where the meter stands, before anyone types

    response = change(board_client, committee, connection, final_reading="5")
    assert response.status_code == 200
    assert "99990" in " ".join(response.context["form"].errors["final_reading"])
    assert len(meters(connection)) == 1

    response = change(board_client, committee, connection, final_reading="5", rolled_over="on")
    assert response.status_code == 302
    old, new = meters(connection)
    assert (old.final_reading, new.serial) == (D(5), "NEW-40")


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("initial_reading", "-1", "mayor o igual a 0"),
        ("initial_reading", "100000", "no puede mostrar"),
        ("on", "2999-01-01", "futuro"),
        ("on", "1899-12-31", "1900"),
    ],
)
def test_the_meter_page_refuses_a_bad_new_meter_or_date_and_changes_nothing(
    board_client, committee, field, value, message
):
    connection = add_connection(committee, "41")
    response = change(board_client, committee, connection, final_reading="10", **{field: value})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert len(meters(connection)) == 1 and meters(connection)[0].in_service


def test_a_first_meter_dated_in_the_future_is_refused(board_client, committee):
    with scope(committee=committee):
        connection = services.connection_create(
            committee=committee, by=None, number="42", address="Sin medidor"
        )
    response = change(board_client, committee, connection, on="2999-01-01")
    assert "futuro" in " ".join(response.context["form"].errors["on"])
    assert meters(connection) == []
