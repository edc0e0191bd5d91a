"""The checks of a day's log: every number within what a day can hold, each meter's volume since
its previous reading (with the roll-over of its dials), and the next reading still following.
A check raises one ValidationError with every problem, keyed by the form's fields; nothing is
written here (log/services.py writes what passes).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from comunagua.tenancy.models import Committee
from comunagua.tenancy.writes import ensure_same_committee

from ..models import Interruption, OperatorLog, ProductionMeter
from ..validation import checked_number, day_text, invalid
from . import selectors
from .entry import HOURS_A_DAY, LogEntry
from .forms import meter_field, sector_field, tank_field

# A first log may cover up to a month (the operator starts with a weekly or monthly round).
FIRST_LOG_DAYS = 31
# Beyond these, per day the log covers, a figure is a typing mistake, not a measurement: a
# small committee's well gives some hundreds of m³ a day and its pump a few hundred kWh.
MAX_M3_A_DAY = Decimal(20000)
MAX_KWH_A_DAY = Decimal(5000)
MAX_CHLORINE_KG_A_DAY = Decimal(100)
MAX_HOUSEHOLDS = 1_000_000
# A meter's dials roll over when it passes from the top tenth of its range to the bottom tenth;
# any other reading lower than the previous one is a mistake.
ROLLOVER_BAND = Decimal("0.1")


@dataclass(frozen=True)
class Volume:
    previous: Decimal
    volume: Decimal
    rolled_over: bool


def meter_volume(meter: ProductionMeter, previous: Decimal, value: Decimal, *, days: int) -> Volume:
    """The volume between two readings of a production meter. Lower than before is accepted
    only as a roll-over of the dials (from the top tenth of the range to the bottom tenth);
    anything else is refused, as is a volume no committee pumps in `days` days."""
    capacity = meter.capacity
    key = meter_field(meter)
    if value >= capacity:
        raise invalid(
            key,
            _("%(meter)s has %(digits)s dials: it cannot show %(value)s.")
            % {"meter": meter.name, "digits": meter.digits, "value": value},
            "too_large",
        )
    rolled_over = False
    if value >= previous:
        volume = value - previous
    elif previous >= capacity * (1 - ROLLOVER_BAND) and value < capacity * ROLLOVER_BAND:
        volume = value + capacity - previous
        rolled_over = True
    else:
        raise invalid(
            key,
            _(
                "%(meter)s: %(value)s is lower than the previous reading (%(previous)s). "
                "A meter does not go backwards: check the figure."
            )
            % {"meter": meter.name, "value": value, "previous": previous},
            "below_previous",
        )
    if volume > MAX_M3_A_DAY * max(days, 1):
        raise invalid(
            key,
            _("%(meter)s: %(volume)s m³ since the previous reading is far too much: check it.")
            % {"meter": meter.name, "volume": volume},
            "absurd",
        )
    return Volume(previous, volume, rolled_over)


def check_entry(committee: Committee, entry: LogEntry, *, replacing: OperatorLog | None) -> dict:
    """Every number of a day's log checked; the values to store. Raises one ValidationError
    with every problem, keyed by field."""
    errors: dict[str, list] = {}
    clean: dict = {}

    def check(key, fn):
        try:
            return fn()
        except ValidationError as error:
            found = error.error_dict if hasattr(error, "error_dict") else {key: error.error_list}
            for name, problems in found.items():
                errors.setdefault(name if name != "__all__" else key, []).extend(problems)
            return None

    day = entry.day
    if not isinstance(day, date):
        raise invalid("day", _("Enter the day of the log."), "required")
    if day > committee.today():
        raise invalid("day", _("The log's day cannot be in the future."), "future")
    previous_log = selectors.previous_log_day(committee=committee, day=day)
    days = (day - previous_log).days if previous_log else FIRST_LOG_DAYS
    clean["days"] = days
    span = Decimal(days)

    def number(name, label, places, per_day_high):
        return check(
            name,
            lambda: checked_number(
                getattr(entry, name),
                field_name=name,
                label=label,
                places=places,
                high=per_day_high * span,
            ),
        )

    clean["pump_hours"] = number("pump_hours", _("the pump hours"), 2, HOURS_A_DAY)
    clean["energy_kwh"] = number("energy_kwh", _("the energy"), 1, MAX_KWH_A_DAY)
    clean["chlorine_kg"] = number("chlorine_kg", _("the chlorine dosed"), 3, MAX_CHLORINE_KG_A_DAY)
    clean["flushing_m3"] = number("flushing_m3", _("the flushing volume"), 3, MAX_M3_A_DAY)
    clean["public_use_m3"] = number("public_use_m3", _("the public use"), 3, MAX_M3_A_DAY)
    clean["own_use_m3"] = number("own_use_m3", _("the committee's own use"), 3, MAX_M3_A_DAY)
    clean["tanker_m3"] = number("tanker_m3", _("the water bought from tankers"), 3, MAX_M3_A_DAY)

    readings = []
    for meter, value in entry.readings.items():
        if value is None or value == "":
            continue
        ensure_same_committee(committee.pk, meter)
        key = meter_field(meter)
        typed = check(
            key,
            lambda meter=meter, value=value: checked_number(
                value,
                field_name=meter_field(meter),
                label=_("the reading of %(meter)s") % {"meter": meter.name},
                places=3,
            ),
        )
        if typed is None:
            continue
        if day < meter.installed_on:
            errors.setdefault(key, []).append(
                ValidationError(
                    _("%(meter)s was installed on %(day)s, after this day.")
                    % {"meter": meter.name, "day": day_text(meter.installed_on)},
                    code="before_installation",
                )
            )
            continue
        previous, previous_day = selectors.previous_reading(meter=meter, day=day)
        volume = check(
            key,
            lambda meter=meter, previous=previous, typed=typed, previous_day=previous_day: (
                meter_volume(meter, previous, typed, days=(day - previous_day).days)
            ),
        )
        if volume is None:
            continue
        following = selectors.next_reading(meter=meter, day=day, excluding=replacing)
        if following is not None:
            after = check(
                key,
                lambda meter=meter, typed=typed, following=following: meter_volume(
                    meter, typed, following.value, days=(following.day - day).days
                ),
            )
            if after is None:
                errors[key][-1] = ValidationError(
                    _("%(meter)s already reads %(next)s on %(day)s: this reading cannot be higher.")
                    % {
                        "meter": meter.name,
                        "next": following.value,
                        "day": day_text(following.day),
                    },
                    code="above_next",
                )
                continue
        else:
            after = None
        readings.append((meter, typed, volume, following, after))
    clean["readings"] = readings

    levels = []
    for tank, value in entry.tank_levels.items():
        if value is None or value == "":
            continue
        ensure_same_committee(committee.pk, tank)
        percent = check(
            tank_field(tank),
            lambda tank=tank, value=value: checked_number(
                value,
                field_name=tank_field(tank),
                label=_("the level of %(tank)s (%%)") % {"tank": tank.name},
                places=2,
                high=Decimal(100),
            ),
        )
        if percent is not None:
            levels.append((tank, percent))
    clean["tank_levels"] = levels

    hours = []
    for sector, value in entry.supply_hours.items():
        if value is None or value == "":
            continue
        ensure_same_committee(committee.pk, sector)
        typed = check(
            sector_field(sector),
            lambda sector=sector, value=value: checked_number(
                value,
                field_name=sector_field(sector),
                label=_("the hours of supply of %(sector)s") % {"sector": sector.name},
                places=1,
                high=HOURS_A_DAY,
            ),
        )
        if typed is not None:
            hours.append((sector, typed))
    clean["supply_hours"] = hours

    interruption = entry.interruption
    if interruption is not None:
        if interruption.cause not in Interruption.Cause.values:
            errors.setdefault("interruption_cause", []).append(
                ValidationError(_("Choose the cause of the interruption."), code="required")
            )
        cut_hours = check(
            "interruption_hours",
            lambda: checked_number(
                interruption.hours,
                field_name="interruption_hours",
                label=_("the hours without water"),
                places=1,
                low=Decimal("0.1"),
                high=HOURS_A_DAY * span,
            ),
        )
        households = check(
            "interruption_households",
            lambda: checked_number(
                interruption.households or 0,
                field_name="interruption_households",
                label=_("the households affected"),
                places=0,
                high=Decimal(MAX_HOUSEHOLDS),
            ),
        )
        for sector in interruption.sectors:
            ensure_same_committee(committee.pk, sector)
        clean["interruption"] = (cut_hours, households)
    if errors:
        raise ValidationError(errors)
    return clean
