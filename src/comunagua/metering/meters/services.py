"""A meter change, checked against the meter's readings. The register writes the meter rows
(registry.services.meter_swap); this adds what only the readings can tell: the meter removed
ends at least where it was last read, on or after that reading, unless its dials rolled over and
the person says so. The rules are in docs/readings.md."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from comunagua.registry import services as registry
from comunagua.registry.models import Connection, Meter

from ..readings.selectors import LastReading, meter_last_actual_reading

# A roll-over of the dials at a meter change is believed when it adds up to at most this many m³
# since the meter's last reading. The reading checks believe a roll-over of up to
# max(10 x usual, 200) m³ a month (validation.ROLLOVER_FLOOR is the 200), so one believed here
# always counts as final + 10^digits - last in the month's consumption, never as a negative
# difference.
# tests/metering/test_meter_change.py keeps the two numbers in step.
ROLLOVER_MAX_M3 = Decimal(200)


def _m3(value: Decimal) -> str:
    """1520.250 -> "1520,25" in Spanish: as the reading pages show volumes."""
    places = max(0, -value.normalize().as_tuple().exponent)
    return formats.number_format(value, decimal_pos=min(places, 3), use_l10n=True)


def _check_removed_on(removed_on: date, last: LastReading | None) -> None:
    """The change is not dated before the meter's last reading."""
    if last is not None and removed_on < last.on:
        raise ValidationError(
            {
                "removed_on": _(
                    "The meter removed was read on %(date)s: the change cannot be dated before."
                )
                % {"date": last.on.strftime("%d/%m/%Y")}
            }
        )


def _check_final_reading(
    old: Meter, final_reading: Decimal, last: LastReading | None, rolled_over: bool
) -> None:
    """The meter removed cannot go back: its final reading is at least its last one (or its
    installation reading), unless its dials rolled over and the person says so."""
    floor, since = (last.value, last.on) if last else (old.initial_reading, old.installed_on)
    if final_reading >= floor:
        return
    values = {"value": _m3(floor), "date": since.strftime("%d/%m/%Y")}
    if not rolled_over:
        if last is not None:
            message = _(
                "The reading of the meter removed cannot be below %(value)s m³, what it showed "
                "when it was read on %(date)s. If its dials went past the highest number and "
                "started again from zero, say so."
            )
        else:
            message = _(
                "The reading of the meter removed cannot be below %(value)s m³, what it showed "
                "when it was installed on %(date)s. If its dials went past the highest number "
                "and started again from zero, say so."
            )
        raise ValidationError({"final_reading": message % values})
    used = final_reading + old.capacity - floor
    if used > ROLLOVER_MAX_M3:
        raise ValidationError(
            {
                "final_reading": _(
                    "Had the dials rolled over, %(m3)s m³ would have been used since %(value)s "
                    "m³ on %(date)s, more than %(max)s m³: check the reading."
                )
                % {**values, "m3": _m3(used), "max": _m3(ROLLOVER_MAX_M3)}
            }
        )


@transaction.atomic
def meter_replace(
    *,
    connection: Connection,
    by,
    removed_on: date,
    final_reading: Decimal,
    serial: str,
    digits: int = 5,
    initial_reading: Decimal = Decimal(0),
    reason: str = "",
    brand: str = "",
    rolled_over: bool = False,
) -> Meter:
    """Close the meter in service with its last reading and install the new one the same day,
    so the consumption of that month is old (final - last read) plus new (read - initial).

    The final reading is not below the meter's last reading (or, never read, its installation
    reading) unless `rolled_over` says its dials passed 99999 -> 00000; metering then counts
    final + 10^digits - last for the old meter. The change is not dated before that reading."""

    def against_its_readings(old: Meter) -> None:
        last = meter_last_actual_reading(old)
        _check_removed_on(removed_on, last)
        _check_final_reading(old, final_reading, last, rolled_over)

    return registry.meter_swap(
        connection=connection,
        by=by,
        removed_on=removed_on,
        final_reading=final_reading,
        serial=serial,
        digits=digits,
        initial_reading=initial_reading,
        reason=reason,
        brand=brand,
        check=against_its_readings,
    )
