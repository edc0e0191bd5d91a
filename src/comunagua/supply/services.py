"""Every write to sources, meters, the operator's log, well levels, incidents and the balance's
settings. Keyword-only, one transaction each. A number that cannot be true (negative, beyond the
dials, more pump hours than the day has) is refused with a message in the user's language, and
nothing changes. See docs/supply.md.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comunagua.registry.models import Sector
from comunagua.tenancy.models import Committee
from comunagua.tenancy.writes import ensure_same_committee

from .balance import PERCENT_LIMIT, Estimate, percentage_in_range
from .models import (
    BalanceSettings,
    Incident,
    IncidentPhoto,
    Interruption,
    MeterReading,
    OperatorLog,
    ProductionMeter,
    Source,
    SupplyHours,
    Tank,
    TankLevel,
    WellLevel,
)

ZERO = Decimal(0)
HOURS_A_DAY = Decimal(24)
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


def _day(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _invalid(field_name: str | None, message: str, code: str = "invalid") -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field_name: error}) if field_name else error


def _number(
    value,
    *,
    field_name: str,
    label: str,
    places: int,
    low: Decimal | None = ZERO,
    high: Decimal | None = None,
    required: bool = True,
) -> Decimal | None:
    """A typed number checked: a finite Decimal with at most `places` decimals, within
    [low, high]. None passes when not required."""
    if value is None or value == "":
        if required:
            raise _invalid(field_name, _("Enter %(what)s.") % {"what": label}, "required")
        return None
    if isinstance(value, float | bool):
        raise _invalid(field_name, _("Enter %(what)s as a number.") % {"what": label})
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise _invalid(field_name, _("Enter %(what)s as a number.") % {"what": label}) from None
    if not number.is_finite():
        raise _invalid(field_name, _("Enter %(what)s as a number.") % {"what": label})
    if low is not None and number < low:
        if low == 0:
            message = _("%(what)s cannot be negative.") % {"what": _first_upper(label)}
            raise _invalid(field_name, message, "negative")
        message = _("%(what)s cannot be less than %(low)s.") % {
            "what": _first_upper(label),
            "low": low,
        }
        raise _invalid(field_name, message, "too_small")
    if high is not None and number > high:
        message = _("%(what)s cannot be more than %(high)s: check the figure.") % {
            "what": _first_upper(label),
            "high": high.normalize() if high == high.to_integral() else high,
        }
        raise _invalid(field_name, message, "absurd")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        message = _("%(what)s has at most %(places)s decimals.") % {
            "what": _first_upper(label),
            "places": places,
        }
        raise _invalid(field_name, message, "too_many_decimals")
    return number.quantize(Decimal(1).scaleb(-places))


def _first_upper(text) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def _text(value, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


# --- sources, tanks, meters --------------------------------------------------------------------


SOURCE_FIELDS = (
    "name",
    "kind",
    "is_active",
    "depth_m",
    "pump_intake_m",
    "pump_power_kw",
    "licence",
    "protected_radius_m",
    "latitude",
    "longitude",
    "supplier",
    "contract",
    "price_per_m3",
    "notes",
)


@transaction.atomic
def source_save(*, committee: Committee, by, source: Source | None = None, **values) -> Source:
    """Create a source, or change `source`. A well needs its depth, and its pump cannot hang
    deeper than the well; a bulk supply or a tanker supplier needs its supplier."""
    unknown = set(values) - set(SOURCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown source fields: {sorted(unknown)}")
    if source is None:
        source = Source(committee=committee)
    ensure_same_committee(committee.pk, source)
    for name, value in values.items():
        setattr(source, name, value)
    source.name = _text(source.name, 100)
    if not source.name:
        raise _invalid("name", _("Give the source a name."), "required")
    if source.kind == Source.Kind.WELL:
        depth = _number(
            source.depth_m,
            field_name="depth_m",
            label=_("the well's depth"),
            places=2,
            low=Decimal("0.01"),
            high=Decimal(3000),
        )
        intake = _number(
            source.pump_intake_m,
            field_name="pump_intake_m",
            label=_("the pump intake depth"),
            places=2,
            high=Decimal(3000),
            required=False,
        )
        if intake is not None and intake > depth:
            raise _invalid(
                "pump_intake_m",
                _("The pump cannot hang deeper (%(intake)s m) than the well (%(depth)s m).")
                % {"intake": intake, "depth": depth},
            )
        _number(
            source.pump_power_kw,
            field_name="pump_power_kw",
            label=_("the pump power"),
            places=2,
            high=Decimal(2000),
            required=False,
        )
        _number(
            source.protected_radius_m,
            field_name="protected_radius_m",
            label=_("the protected area radius"),
            places=1,
            high=Decimal(100000),
            required=False,
        )
    else:
        source.supplier = _text(source.supplier, 200)
        if not source.supplier:
            raise _invalid("supplier", _("Name the supplier."), "required")
        # A well's figures mean nothing for bought water: never store them (nor a negative one).
        source.depth_m = source.pump_intake_m = None
        source.pump_power_kw = source.protected_radius_m = None
    _number(
        source.price_per_m3,
        field_name="price_per_m3",
        label=_("the price per m³"),
        places=4,
        high=Decimal(10000),
        required=False,
    )
    source.full_clean()
    source.save()
    return source


@transaction.atomic
def tank_save(*, committee: Committee, by, tank: Tank | None = None, **values) -> Tank:
    if tank is None:
        tank = Tank(committee=committee)
    ensure_same_committee(committee.pk, tank)
    for name, value in values.items():
        if name not in ("name", "capacity_m3", "elevation_m", "is_active"):
            raise TypeError(f"unknown tank field: {name}")
        setattr(tank, name, value)
    tank.name = _text(tank.name, 100)
    if not tank.name:
        raise _invalid("name", _("Give the tank a name."), "required")
    _number(
        tank.capacity_m3,
        field_name="capacity_m3",
        label=_("the capacity"),
        places=3,
        low=Decimal("0.001"),
        high=Decimal(1_000_000),
    )
    _number(
        tank.elevation_m,
        field_name="elevation_m",
        label=_("the elevation"),
        places=1,
        low=Decimal(-500),
        high=Decimal(7000),
        required=False,
    )
    tank.full_clean()
    tank.save()
    return tank


@transaction.atomic
def meter_save(
    *, committee: Committee, by, meter: ProductionMeter | None = None, **values
) -> ProductionMeter:
    """Create a production meter (on a source) or a district meter (at a sector's entry)."""
    if meter is None:
        meter = ProductionMeter(committee=committee)
    ensure_same_committee(committee.pk, meter)
    allowed = ("name", "source", "sector", "digits", "installed_on", "initial_reading", "is_active")
    for name, value in values.items():
        if name not in allowed:
            raise TypeError(f"unknown meter field: {name}")
        setattr(meter, name, value)
    ensure_same_committee(committee.pk, meter.source, meter.sector)
    meter.name = _text(meter.name, 100)
    if not meter.name:
        raise _invalid("name", _("Give the meter a name."), "required")
    if (meter.source is None) == (meter.sector is None):
        raise _invalid(
            None, _("Choose either the source the meter measures or the sector it feeds.")
        )
    if meter.installed_on is None:
        raise _invalid("installed_on", _("Enter the day the meter was installed."), "required")
    digits = meter.digits or 6
    initial = _number(
        meter.initial_reading,
        field_name="initial_reading",
        label=_("the reading at installation"),
        places=3,
    )
    if initial >= Decimal(10) ** digits:
        raise _invalid(
            "initial_reading",
            _("A %(digits)s-digit meter cannot show %(value)s.")
            % {"digits": digits, "value": initial},
            "absurd",
        )
    if meter.pk and meter.readings.filter(day__lt=meter.installed_on).exists():
        raise _invalid(
            "installed_on", _("This meter has readings from before that day."), "has_readings"
        )
    meter.full_clean()
    meter.save()
    return meter


# --- the balance's settings --------------------------------------------------------------------


SETTINGS_FIELDS = {
    # name: (decimal places, low, high)
    "source_meter_error_pct": (2, Decimal(-50), Decimal(50)),
    "source_meter_error_margin": (2, ZERO, Decimal(50)),
    "unauthorized_pct": (2, ZERO, Decimal(50)),
    "unauthorized_margin": (2, ZERO, Decimal(50)),
    "under_registration_pct": (2, ZERO, Decimal(50)),
    "under_registration_margin": (2, ZERO, Decimal(50)),
    "data_handling_pct": (2, ZERO, Decimal(50)),
    "data_handling_margin": (2, ZERO, Decimal(50)),
    "unbilled_margin_pct": (2, ZERO, Decimal(100)),
    "network_length_km": (2, ZERO, Decimal(100000)),
    "average_pressure_m": (1, ZERO, Decimal(1000)),
    "maintenance_per_month": (2, ZERO, Decimal(10_000_000)),
    "allowance_per_month": (2, ZERO, Decimal(10_000_000)),
    "chlorine_cost_per_kg": (4, ZERO, Decimal(100000)),
    "energy_price_per_kwh": (4, ZERO, Decimal(1000)),
}
OPTIONAL_SETTINGS = ("network_length_km", "average_pressure_m")


@transaction.atomic
def balance_settings_save(*, committee: Committee, by, **values) -> BalanceSettings:
    """Change the committee's estimates, network and costs. A percentage's range (value ±
    margin) must stay within ±50 %: beyond that it is a broken meter or a typo."""
    found = BalanceSettings.objects.select_for_update().filter(committee=committee).first()
    current = found or BalanceSettings(committee=committee)
    labels = {
        name: str(BalanceSettings._meta.get_field(name).verbose_name) for name in SETTINGS_FIELDS
    }
    for name, value in values.items():
        if name not in SETTINGS_FIELDS:
            raise TypeError(f"unknown setting: {name}")
        places, low, high = SETTINGS_FIELDS[name]
        number = _number(
            value,
            field_name=name,
            label=labels[name],
            places=places,
            low=low,
            high=high,
            required=name not in OPTIONAL_SETTINGS,
        )
        setattr(current, name, number)
    for value_name, margin_name in (
        ("source_meter_error_pct", "source_meter_error_margin"),
        ("unauthorized_pct", "unauthorized_margin"),
        ("under_registration_pct", "under_registration_margin"),
        ("data_handling_pct", "data_handling_margin"),
    ):
        estimate = Estimate(getattr(current, value_name), getattr(current, margin_name))
        if not percentage_in_range(estimate):
            raise _invalid(
                margin_name,
                _("%(what)s ± its margin must stay within %(limit)s %%.")
                % {"what": labels[value_name], "limit": PERCENT_LIMIT},
                "absurd",
            )
    current.full_clean()
    current.save()
    return current


# --- the operator's log ------------------------------------------------------------------------


@dataclass(frozen=True)
class InterruptionInput:
    cause: str
    hours: object
    sectors: tuple[Sector, ...] = ()
    households: object = 0
    description: str = ""


@dataclass(frozen=True)
class LogEntry:
    """What the operator typed for a day. Numbers as Decimal or text-free values the form
    parsed; `readings` {ProductionMeter: value}; `tank_levels` {Tank: %}; `supply_hours`
    {Sector: hours}."""

    day: date
    readings: Mapping[ProductionMeter, object] = field(default_factory=dict)
    pump_hours: object = ZERO
    energy_kwh: object = ZERO
    chlorine_kg: object = ZERO
    tank_levels: Mapping[Tank, object] = field(default_factory=dict)
    supply_hours: Mapping[Sector, object] = field(default_factory=dict)
    flushing_m3: object = ZERO
    public_use_m3: object = ZERO
    own_use_m3: object = ZERO
    tanker_m3: object = ZERO
    interruption: InterruptionInput | None = None
    note: str = ""


def meter_field(meter: ProductionMeter) -> str:
    """The form field (and error key) of a meter's reading."""
    return f"meter-{meter.pk}"


def tank_field(tank: Tank) -> str:
    return f"tank-{tank.pk}"


def sector_field(sector: Sector) -> str:
    return f"sector-{sector.pk}"


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
        raise _invalid(
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
        raise _invalid(
            key,
            _(
                "%(meter)s: %(value)s is lower than the previous reading (%(previous)s). "
                "A meter does not go backwards: check the figure."
            )
            % {"meter": meter.name, "value": value, "previous": previous},
            "below_previous",
        )
    if volume > MAX_M3_A_DAY * max(days, 1):
        raise _invalid(
            key,
            _("%(meter)s: %(volume)s m³ since the previous reading is far too much: check it.")
            % {"meter": meter.name, "volume": volume},
            "absurd",
        )
    return Volume(previous, volume, rolled_over)


def _previous_reading(meter: ProductionMeter, day: date) -> tuple[Decimal, date]:
    before = (
        MeterReading.objects.filter(meter=meter, day__lt=day)
        .order_by("-day")
        .values_list("value", "day")
        .first()
    )
    if before is not None:
        return before
    return meter.initial_reading, meter.installed_on


def _check_entry(committee: Committee, entry: LogEntry, *, replacing: OperatorLog | None) -> dict:
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
        raise _invalid("day", _("Enter the day of the log."), "required")
    if day > committee.today():
        raise _invalid("day", _("The log's day cannot be in the future."), "future")
    previous_log = (
        OperatorLog.objects.filter(committee=committee, day__lt=day)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    days = (day - previous_log).days if previous_log else FIRST_LOG_DAYS
    clean["days"] = days
    span = Decimal(days)

    def number(name, label, places, per_day_high):
        return check(
            name,
            lambda: _number(
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
            lambda meter=meter, value=value: _number(
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
                    % {"meter": meter.name, "day": _day(meter.installed_on)},
                    code="before_installation",
                )
            )
            continue
        previous, previous_day = _previous_reading(meter, day)
        volume = check(
            key,
            lambda meter=meter, previous=previous, typed=typed, previous_day=previous_day: (
                meter_volume(meter, previous, typed, days=(day - previous_day).days)
            ),
        )
        if volume is None:
            continue
        following = (
            MeterReading.objects.filter(meter=meter, day__gt=day)
            .exclude(log=replacing)
            .order_by("day")
            .first()
        )
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
                    % {"meter": meter.name, "next": following.value, "day": _day(following.day)},
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
            lambda tank=tank, value=value: _number(
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
            lambda sector=sector, value=value: _number(
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
            lambda: _number(
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
            lambda: _number(
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


def tanker_price(committee: Committee) -> Decimal | None:
    """Today's price of tanker water: the first active tanker supplier's with a price."""
    return (
        Source.objects.filter(committee=committee, kind=Source.Kind.TANKER, is_active=True)
        .exclude(price_per_m3__isnull=True)
        .order_by("pk")
        .values_list("price_per_m3", flat=True)
        .first()
    )


def _bought_price(meter: ProductionMeter) -> Decimal | None:
    """The price per m³ of the water a meter counts, when it is bought water."""
    source = meter.source
    if source is None or source.kind == Source.Kind.WELL:
        return None
    return source.price_per_m3


def _write_log(
    log: OperatorLog,
    clean: dict,
    entry: LogEntry,
    prices: Mapping[int, Decimal | None] | None = None,
) -> None:
    """Write the log's rows. `prices`: the price each meter's reading was first entered with
    (a correction keeps it); other readings take their source's price today."""
    committee = log.committee
    prices = prices or {}
    for meter, value, volume, following, after in clean["readings"]:
        MeterReading.objects.create(
            committee=committee,
            log=log,
            meter=meter,
            day=log.day,
            value=value,
            previous_value=volume.previous,
            volume_m3=volume.volume,
            rolled_over=volume.rolled_over,
            price_per_m3=prices[meter.pk] if meter.pk in prices else _bought_price(meter),
        )
        if following is not None:
            following.previous_value = after.previous
            following.volume_m3 = after.volume
            following.rolled_over = after.rolled_over
            following.save(update_fields=["previous_value", "volume_m3", "rolled_over"])
    TankLevel.objects.bulk_create(
        TankLevel(committee=committee, log=log, tank=tank, percent=percent)
        for tank, percent in clean["tank_levels"]
    )
    SupplyHours.objects.bulk_create(
        SupplyHours(committee=committee, log=log, sector=sector, hours=hours)
        for sector, hours in clean["supply_hours"]
    )
    if entry.interruption is not None:
        cut_hours, households = clean["interruption"]
        interruption = Interruption.objects.create(
            committee=committee,
            log=log,
            cause=entry.interruption.cause,
            hours=cut_hours,
            households=int(households),
            description=_text(entry.interruption.description, 500),
        )
        interruption.sectors.set(
            entry.interruption.sectors, through_defaults={"committee": committee}
        )


LOG_NUMBERS = (
    "pump_hours",
    "energy_kwh",
    "chlorine_kg",
    "flushing_m3",
    "public_use_m3",
    "own_use_m3",
    "tanker_m3",
)


@transaction.atomic
def operator_log_enter(
    *, committee: Committee, entry: LogEntry, by, client_id: UUID | None = None
) -> OperatorLog:
    """Record a day of the operator's log. One log a day: a second one for the same day is
    refused (correct the first instead), except a replay of the same client id, which returns
    the log already stored."""
    if client_id is not None:
        replay = OperatorLog.objects.filter(committee=committee, client_id=client_id).first()
        if replay is not None:
            return replay
    # One writer at a time per committee: two phones logging the same day meet here.
    Committee.objects.select_for_update().filter(pk=committee.pk).first()
    if OperatorLog.objects.filter(committee=committee, day=entry.day).exists():
        raise _invalid(
            "day",
            _("There is already a log for %(day)s: open it from the list to correct it.")
            % {"day": _day(entry.day)},
            "duplicate_day",
        )
    clean = _check_entry(committee, entry, replacing=None)
    log = OperatorLog(
        committee=committee,
        day=entry.day,
        note=_text(entry.note, 500),
        entered_by=by,
        client_id=client_id,
        tanker_price_per_m3=tanker_price(committee) if clean["tanker_m3"] else None,
        **{name: clean[name] for name in LOG_NUMBERS},
    )
    try:
        with transaction.atomic():
            log.save()
    except IntegrityError:
        raise _invalid(
            "day", _("There is already a log for %(day)s.") % {"day": _day(entry.day)}
        ) from None
    _write_log(log, clean, entry)
    return log


def edited_interruption(log: OperatorLog) -> Interruption | None:
    """The interruption the log's form shows and a correction replaces: the first entered."""
    return log.interruptions.order_by("id").first()


@transaction.atomic
def operator_log_correct(*, log: OperatorLog, entry: LogEntry, by) -> OperatorLog:
    """Replace what a day's log says (its day stays). The next reading of each meter is
    recomputed from the corrected one."""
    committee = log.committee
    Committee.objects.select_for_update().filter(pk=committee.pk).first()
    if entry.day != log.day:
        raise _invalid("day", _("A log's day cannot change: enter a new log for another day."))
    clean = _check_entry(committee, entry, replacing=log)
    removed = list(log.readings.select_related("meter"))
    prices = {old.meter_id: old.price_per_m3 for old in removed}
    log.readings.all().delete()
    log.tank_levels.all().delete()
    log.supply_hours.all().delete()
    # The form edits one interruption (the first entered); the day's others stay as they are.
    edited = edited_interruption(log)
    if edited is not None:
        edited.delete()
    for name in LOG_NUMBERS:
        setattr(log, name, clean[name])
    if not clean["tanker_m3"]:
        log.tanker_price_per_m3 = None
    elif log.tanker_price_per_m3 is None:  # tanker water added now: today's price
        log.tanker_price_per_m3 = tanker_price(committee)
    log.note = _text(entry.note, 500)
    log.entered_by = by
    log.save()
    _write_log(log, clean, entry, prices)
    # A meter no longer read that day: its next reading now follows the one before.
    read_now = {meter.pk for meter, *_rest in clean["readings"]}
    for old in removed:
        if old.meter_id in read_now:
            continue
        following = MeterReading.objects.filter(meter=old.meter, day__gt=log.day).order_by("day")
        following = following.first()
        if following is None:
            continue
        previous, previous_day = _previous_reading(old.meter, following.day)
        volume = meter_volume(
            old.meter, previous, following.value, days=(following.day - previous_day).days
        )
        following.previous_value = volume.previous
        following.volume_m3 = volume.volume
        following.rolled_over = volume.rolled_over
        following.save(update_fields=["previous_value", "volume_m3", "rolled_over"])
    return log


# --- the well ----------------------------------------------------------------------------------


@transaction.atomic
def well_level_record(
    *,
    source: Source,
    measured_on: date,
    kind: str,
    depth_m,
    flow_m3h=None,
    note: str = "",
    by,
) -> WellLevel:
    """A static or pumping level of a well, as depth to water below the wellhead."""
    committee = source.committee
    if not source.is_well:
        raise _invalid(
            None, _("Levels are measured in wells; %(name)s is not one.") % {"name": source.name}
        )
    if kind not in WellLevel.Kind.values:
        raise _invalid("kind", _("Choose whether the level is static or pumping."), "required")
    if not isinstance(measured_on, date):
        raise _invalid("measured_on", _("Enter the day of the measurement."), "required")
    if measured_on > committee.today():
        raise _invalid("measured_on", _("The day cannot be in the future."), "future")
    depth = _number(
        depth_m,
        field_name="depth_m",
        label=_("the depth to water"),
        places=2,
        high=Decimal(3000),
    )
    if source.depth_m is not None and depth > source.depth_m:
        raise _invalid(
            "depth_m",
            _("%(depth)s m is deeper than the well itself (%(well)s m).")
            % {"depth": depth, "well": source.depth_m},
            "absurd",
        )
    flow = _number(
        flow_m3h,
        field_name="flow_m3h",
        label=_("the flow"),
        places=2,
        high=Decimal(5000),
        required=False,
    )
    if WellLevel.objects.filter(source=source, measured_on=measured_on, kind=kind).exists():
        raise _invalid(
            "measured_on",
            _("This well already has a %(kind)s level on %(day)s.")
            % {
                "kind": WellLevel.Kind(kind).label.lower(),
                "day": _day(measured_on),
            },
            "duplicate",
        )
    return WellLevel.objects.create(
        committee=committee,
        source=source,
        measured_on=measured_on,
        kind=kind,
        depth_m=depth,
        flow_m3h=flow,
        note=_text(note, 300),
        entered_by=by,
    )


# --- incidents ---------------------------------------------------------------------------------


INCIDENT_FIELDS = (
    "source",
    "kind",
    "happened_on",
    "location",
    "latitude",
    "longitude",
    "distance_m",
    "description",
    "authority",
)


@transaction.atomic
def incident_report(
    *, committee: Committee, by, photo=None, photo_path: str = "", **values
) -> Incident:
    """Log an incident in a source's protected area, with a photo (uploaded, or a file path)."""
    unknown = set(values) - set(INCIDENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown incident fields: {sorted(unknown)}")
    incident = Incident(committee=committee, created_by=by, **values)
    ensure_same_committee(committee.pk, incident.source)
    if incident.kind not in Incident.Kind.values:
        raise _invalid("kind", _("Choose what kind of incident it is."), "required")
    if not isinstance(incident.happened_on, date):
        raise _invalid("happened_on", _("Enter the day it was seen."), "required")
    if incident.happened_on > committee.today():
        raise _invalid("happened_on", _("The day cannot be in the future."), "future")
    incident.location = _text(incident.location, 300)
    if not incident.location:
        raise _invalid("location", _("Say where it is."), "required")
    incident.description = str(incident.description or "").strip()
    if not incident.description:
        raise _invalid("description", _("Describe what was seen."), "required")
    _number(
        incident.distance_m,
        field_name="distance_m",
        label=_("the distance from the well"),
        places=1,
        high=Decimal(100000),
        required=False,
    )
    incident.authority = _text(incident.authority, 200)
    incident.full_clean()
    incident.save()
    if photo or photo_path:
        incident_photo_add(incident=incident, photo=photo, path=photo_path, by=by)
    return incident


@transaction.atomic
def incident_photo_add(
    *, incident: Incident, by, photo=None, path: str = "", caption: str = ""
) -> IncidentPhoto:
    path = str(path or "").strip()
    if not photo and not path:
        raise _invalid("photo", _("Choose a photo, or write where the file is."), "required")
    added = IncidentPhoto(
        committee=incident.committee,
        incident=incident,
        path=path[:500],
        caption=_text(caption, 200),
    )
    if photo:
        added.image = photo
    added.full_clean()
    added.save()
    return added


@transaction.atomic
def incident_status_set(
    *, incident: Incident, status: str, by, authority: str = "", reported_on: date | None = None
) -> Incident:
    if status not in Incident.Status.values:
        raise _invalid("status", _("Choose a status."), "required")
    incident.status = status
    if authority:
        incident.authority = _text(authority, 200)
    if status == Incident.Status.REPORTED:
        incident.reported_on = reported_on or incident.reported_on or incident.committee.today()
    incident.full_clean()
    incident.save()
    return incident
