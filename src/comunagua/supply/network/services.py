"""Writes to the network's setup: sources (own wells, bulk supplies, tankers), tanks, and
production and district meters. Keyword-only, one transaction each; a figure that cannot be true
is refused with a message in the user's language, and nothing changes. See docs/supply.md.
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from comunagua.tenancy.models import Committee
from comunagua.tenancy.writes import ensure_same_committee

from ..models import ProductionMeter, Source, Tank
from ..validation import checked_number, invalid, one_line

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
    source.name = one_line(source.name, 100)
    if not source.name:
        raise invalid("name", _("Give the source a name."), "required")
    if source.kind == Source.Kind.WELL:
        depth = checked_number(
            source.depth_m,
            field_name="depth_m",
            label=_("the well's depth"),
            places=2,
            low=Decimal("0.01"),
            high=Decimal(3000),
        )
        intake = checked_number(
            source.pump_intake_m,
            field_name="pump_intake_m",
            label=_("the pump intake depth"),
            places=2,
            high=Decimal(3000),
            required=False,
        )
        if intake is not None and intake > depth:
            raise invalid(
                "pump_intake_m",
                _("The pump cannot hang deeper (%(intake)s m) than the well (%(depth)s m).")
                % {"intake": intake, "depth": depth},
            )
        checked_number(
            source.pump_power_kw,
            field_name="pump_power_kw",
            label=_("the pump power"),
            places=2,
            high=Decimal(2000),
            required=False,
        )
        checked_number(
            source.protected_radius_m,
            field_name="protected_radius_m",
            label=_("the protected area radius"),
            places=1,
            high=Decimal(100000),
            required=False,
        )
    else:
        source.supplier = one_line(source.supplier, 200)
        if not source.supplier:
            raise invalid("supplier", _("Name the supplier."), "required")
        # A well's figures mean nothing for bought water: never store them (nor a negative one).
        source.depth_m = source.pump_intake_m = None
        source.pump_power_kw = source.protected_radius_m = None
    checked_number(
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
    tank.name = one_line(tank.name, 100)
    if not tank.name:
        raise invalid("name", _("Give the tank a name."), "required")
    checked_number(
        tank.capacity_m3,
        field_name="capacity_m3",
        label=_("the capacity"),
        places=3,
        low=Decimal("0.001"),
        high=Decimal(1_000_000),
    )
    checked_number(
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
    meter.name = one_line(meter.name, 100)
    if not meter.name:
        raise invalid("name", _("Give the meter a name."), "required")
    if (meter.source is None) == (meter.sector is None):
        raise invalid(
            None, _("Choose either the source the meter measures or the sector it feeds.")
        )
    if meter.installed_on is None:
        raise invalid("installed_on", _("Enter the day the meter was installed."), "required")
    digits = meter.digits or 6
    initial = checked_number(
        meter.initial_reading,
        field_name="initial_reading",
        label=_("the reading at installation"),
        places=3,
    )
    if initial >= Decimal(10) ** digits:
        raise invalid(
            "initial_reading",
            _("A %(digits)s-digit meter cannot show %(value)s.")
            % {"digits": digits, "value": initial},
            "absurd",
        )
    if meter.pk and meter.readings.filter(day__lt=meter.installed_on).exists():
        raise invalid(
            "installed_on", _("This meter has readings from before that day."), "has_readings"
        )
    meter.full_clean()
    meter.save()
    return meter
