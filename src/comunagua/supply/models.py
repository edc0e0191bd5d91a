"""The water itself: sources and tanks, production meters, the operator's log, the well's levels,
incidents in the protected area, and each committee's estimates for the water balance.

Volumes are m³ to the litre, prices and money Decimal. A day of the operator's log holds what the
operator saw since the previous log (a daily or a weekly round): each production meter's reading
and the volume it measured since its previous reading, pump hours, energy, tank levels, chlorine,
hours of supply per sector, unbilled authorized use and interruptions. Every write goes through
services.py, which checks the numbers and answers in the user's language. See docs/supply.md.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comunagua.tenancy.models import TenantModel

M3 = {"max_digits": 12, "decimal_places": 3}
READING = {"max_digits": 12, "decimal_places": 3}
METRES = {"max_digits": 7, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2}
MONEY = {"max_digits": 12, "decimal_places": 2}
PRICE = {"max_digits": 12, "decimal_places": 4}  # per m³, per kWh, per kg
HOURS = {"max_digits": 6, "decimal_places": 2}
ZERO = Decimal(0)
NOT_NEGATIVE = [MinValueValidator(ZERO)]


class Source(TenantModel):
    """Where the committee's water comes from: its own well, a bulk supply bought from a public
    utility (a public-community agreement), or a tanker supplier used in an emergency."""

    class Kind(models.TextChoices):
        WELL = "well", _("Own well")
        BULK = "bulk", _("Bulk supply")
        TANKER = "tanker", _("Tanker supplier")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.WELL)
    is_active = models.BooleanField(_("in use"), default=True)
    # A well.
    depth_m = models.DecimalField(_("well depth (m)"), null=True, blank=True, **METRES)
    pump_intake_m = models.DecimalField(
        _("pump intake depth (m)"),
        null=True,
        blank=True,
        help_text=_("How deep the pump takes the water, below the wellhead."),
        **METRES,
    )
    pump_power_kw = models.DecimalField(
        _("pump power (kW)"), null=True, blank=True, max_digits=7, decimal_places=2
    )
    licence = models.CharField(_("licence or water right"), max_length=200, blank=True)
    protected_radius_m = models.DecimalField(
        _("protected area radius (m)"), null=True, blank=True, max_digits=8, decimal_places=1
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    # A bulk supply or a tanker supplier.
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    contract = models.CharField(_("contract or agreement"), max_length=200, blank=True)
    price_per_m3 = models.DecimalField(
        _("price per m³"), null=True, blank=True, validators=NOT_NEGATIVE, **PRICE
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "name"],
                name="source_name_unique",
                violation_error_message=_("Another source already has this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_well(self) -> bool:
        return self.kind == self.Kind.WELL


class Tank(TenantModel):
    """A storage tank: how much it holds and how high it stands."""

    name = models.CharField(_("name"), max_length=100)
    capacity_m3 = models.DecimalField(_("capacity (m³)"), validators=NOT_NEGATIVE, **M3)
    elevation_m = models.DecimalField(
        _("elevation (m above sea level)"), null=True, blank=True, max_digits=7, decimal_places=1
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("tank")
        verbose_name_plural = _("tanks")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "name"],
                name="tank_name_unique",
                violation_error_message=_("Another tank already has this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProductionMeter(TenantModel):
    """A bulk meter: on a source (what enters the network) or at the entry of a sector (a
    district meter, to compare a sector's input with what its households are billed)."""

    name = models.CharField(_("name"), max_length=100)
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meters",
        verbose_name=_("source"),
    )
    sector = models.ForeignKey(
        "registry.Sector",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sector"),
    )
    digits = models.PositiveSmallIntegerField(
        _("dial digits (whole m³)"),
        default=6,
        validators=[MinValueValidator(3), MaxValueValidator(9)],
        help_text=_("After 999999 a 6-digit meter rolls over to 000000."),
    )
    installed_on = models.DateField(_("installed on"))
    initial_reading = models.DecimalField(
        _("reading at installation (m³)"), default=ZERO, validators=NOT_NEGATIVE, **READING
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("production meter")
        verbose_name_plural = _("production meters")
        ordering = ["sector", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "name"],
                name="production_meter_name_unique",
                violation_error_message=_("Another meter already has this name."),
            ),
            models.CheckConstraint(
                condition=(Q(source__isnull=False) & Q(sector__isnull=True))
                | (Q(source__isnull=True) & Q(sector__isnull=False)),
                name="production_meter_source_or_sector",
                violation_error_message=_(
                    "A meter measures either a source or the entry of a sector."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def capacity(self) -> Decimal:
        """The first value the dials cannot show: 10^digits m³."""
        return Decimal(10) ** self.digits

    @property
    def is_district(self) -> bool:
        return self.sector_id is not None


class OperatorLog(TenantModel):
    """One day of the operator's log: what the operator read and did since the previous log."""

    day = models.DateField(_("day"))
    pump_hours = models.DecimalField(
        _("pump hours"), default=ZERO, validators=NOT_NEGATIVE, **HOURS
    )
    energy_kwh = models.DecimalField(
        _("energy (kWh)"), default=ZERO, validators=NOT_NEGATIVE, max_digits=10, decimal_places=1
    )
    chlorine_kg = models.DecimalField(
        _("chlorine dosed (kg)"),
        default=ZERO,
        validators=NOT_NEGATIVE,
        max_digits=8,
        decimal_places=3,
    )
    # Unbilled authorized use, estimated by the operator (no meter).
    flushing_m3 = models.DecimalField(
        _("flushing and repairs (m³)"), default=ZERO, validators=NOT_NEGATIVE, **M3
    )
    public_use_m3 = models.DecimalField(
        _("public taps and fire hydrants (m³)"), default=ZERO, validators=NOT_NEGATIVE, **M3
    )
    own_use_m3 = models.DecimalField(
        _("the committee's own use (m³)"), default=ZERO, validators=NOT_NEGATIVE, **M3
    )
    # Water bought from a tanker that day (a tanker supplier has no meter of ours).
    tanker_m3 = models.DecimalField(
        _("water bought from tankers (m³)"), default=ZERO, validators=NOT_NEGATIVE, **M3
    )
    # The tanker supplier's price when the log was entered: past months keep their cost when
    # the price changes or the supplier is deactivated. None: no tanker water, or no price.
    tanker_price_per_m3 = models.DecimalField(
        _("tanker price per m³"), null=True, blank=True, validators=NOT_NEGATIVE, **PRICE
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    # Made by the page or the phone that sent the log: a replay is recognised.
    client_id = models.UUIDField(_("client id"), null=True, blank=True)

    class Meta:
        verbose_name = _("operator's log")
        verbose_name_plural = _("operator's logs")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "day"],
                name="one_operator_log_per_day",
                violation_error_message=_("There is already a log for this day."),
            ),
            models.UniqueConstraint(
                fields=["committee", "client_id"],
                condition=Q(client_id__isnull=False),
                name="operator_log_client_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}"

    @property
    def unbilled_m3(self) -> Decimal:
        return self.flushing_m3 + self.public_use_m3 + self.own_use_m3


class MeterReading(TenantModel):
    """A production meter's reading in a day's log, and the volume since its previous reading
    (over a roll-over of the dials when there was one)."""

    log = models.ForeignKey(OperatorLog, on_delete=models.CASCADE, related_name="readings")
    meter = models.ForeignKey(
        ProductionMeter,
        on_delete=models.PROTECT,
        related_name="readings",
        verbose_name=_("meter"),
    )
    day = models.DateField(_("day"))  # the log's day, kept here for ordering by meter
    value = models.DecimalField(_("reading (m³)"), **READING)
    previous_value = models.DecimalField(_("previous reading (m³)"), **READING)
    volume_m3 = models.DecimalField(_("volume (m³)"), **M3)
    rolled_over = models.BooleanField(_("the dials rolled over"), default=False)
    # For a meter on bought water (bulk supply, tanker): the source's price when the reading
    # was entered, so a later price change does not rewrite past months' cost.
    price_per_m3 = models.DecimalField(
        _("price per m³"), null=True, blank=True, validators=NOT_NEGATIVE, **PRICE
    )

    class Meta:
        verbose_name = _("production meter reading")
        verbose_name_plural = _("production meter readings")
        ordering = ["meter", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["meter", "day"],
                name="one_production_reading_per_day",
                violation_error_message=_("This meter already has a reading on this day."),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0) & Q(volume_m3__gte=0),
                name="production_reading_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meter} · {self.day:%Y-%m-%d} · {self.value}"


class TankLevel(TenantModel):
    log = models.ForeignKey(OperatorLog, on_delete=models.CASCADE, related_name="tank_levels")
    tank = models.ForeignKey(
        Tank, on_delete=models.PROTECT, related_name="levels", verbose_name=_("tank")
    )
    percent = models.DecimalField(
        _("level (%)"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(100))],
        **PERCENT,
    )

    class Meta:
        verbose_name = _("tank level")
        verbose_name_plural = _("tank levels")
        constraints = [
            models.UniqueConstraint(fields=["log", "tank"], name="one_tank_level_per_log")
        ]


class SupplyHours(TenantModel):
    """Hours a sector had water that day (24 = continuous supply)."""

    log = models.ForeignKey(OperatorLog, on_delete=models.CASCADE, related_name="supply_hours")
    sector = models.ForeignKey(
        "registry.Sector", on_delete=models.PROTECT, related_name="+", verbose_name=_("sector")
    )
    hours = models.DecimalField(
        _("hours of supply"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(24))],
        max_digits=4,
        decimal_places=1,
    )

    class Meta:
        verbose_name = _("hours of supply")
        verbose_name_plural = _("hours of supply")
        constraints = [
            models.UniqueConstraint(fields=["log", "sector"], name="one_supply_hours_per_sector")
        ]


class Interruption(TenantModel):
    """Water cut off: why, for how long, where and for how many households."""

    class Cause(models.TextChoices):
        POWER = "power", _("Power cut")
        PUMP = "pump", _("Pump failure")
        BURST = "burst", _("Burst pipe or leak")
        MAINTENANCE = "maintenance", _("Planned maintenance")
        LOW_SOURCE = "low_source", _("Not enough water at the source")
        QUALITY = "quality", _("Water quality")
        OTHER = "other", _("Other")

    log = models.ForeignKey(OperatorLog, on_delete=models.CASCADE, related_name="interruptions")
    cause = models.CharField(_("cause"), max_length=20, choices=Cause)
    hours = models.DecimalField(
        _("hours without water"),
        validators=[MinValueValidator(ZERO)],
        max_digits=6,
        decimal_places=1,
    )
    sectors = models.ManyToManyField(
        "registry.Sector",
        through="InterruptionSector",
        blank=True,
        related_name="+",
        verbose_name=_("sectors affected"),
    )
    households = models.PositiveIntegerField(_("households affected"), default=0)
    description = models.CharField(_("what happened"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("interruption")
        verbose_name_plural = _("interruptions")
        ordering = ["-log__day", "-id"]

    def __str__(self) -> str:
        return f"{self.log} · {self.get_cause_display()}"


class InterruptionSector(TenantModel):
    """A sector an interruption left without water (a tenant table, like every other)."""

    interruption = models.ForeignKey(Interruption, on_delete=models.CASCADE, related_name="+")
    sector = models.ForeignKey("registry.Sector", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interruption", "sector"], name="one_row_per_interrupted_sector"
            )
        ]


class WellLevel(TenantModel):
    """A water level in a well: static (pump off, level recovered) or pumping (with the flow
    at the time), as depth below the wellhead: bigger is deeper."""

    class Kind(models.TextChoices):
        STATIC = "static", _("Static (pump off)")
        PUMPING = "pumping", _("Pumping")

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="levels", verbose_name=_("well")
    )
    measured_on = models.DateField(_("measured on"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    depth_m = models.DecimalField(_("depth to water (m)"), **METRES)
    flow_m3h = models.DecimalField(
        _("flow at the time (m³/h)"), null=True, blank=True, max_digits=8, decimal_places=2
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("well level")
        verbose_name_plural = _("well levels")
        ordering = ["source", "measured_on", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "measured_on", "kind"],
                name="one_well_level_per_day_and_kind",
                violation_error_message=_("This well already has a level of this kind that day."),
            ),
            models.CheckConstraint(condition=Q(depth_m__gte=0), name="well_level_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.source} · {self.measured_on:%Y-%m-%d} · {self.depth_m} m"


class Incident(TenantModel):
    """Something in the source's protected area that threatens the water."""

    class Kind(models.TextChoices):
        DRILLING = "drilling", _("A new well being drilled")
        SPILL = "spill", _("A spill or dumping")
        CONSTRUCTION = "construction", _("Construction or earthworks")
        DEFORESTATION = "deforestation", _("Clearing of vegetation")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        REPORTED = "reported", _("Reported to the authority")
        RESOLVED = "resolved", _("Resolved")
        DISMISSED = "dismissed", _("Dismissed")

    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("source"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    happened_on = models.DateField(_("date"))
    location = models.CharField(_("where"), max_length=300)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    distance_m = models.DecimalField(
        _("distance from the well (m)"), null=True, blank=True, max_digits=8, decimal_places=1
    )
    description = models.TextField(_("what was seen"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    authority = models.CharField(
        _("authority to address"),
        max_length=200,
        blank=True,
        help_text=_("e.g. the municipal environment office, the water authority"),
    )
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-happened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.happened_on:%Y-%m-%d}"


class IncidentPhoto(TenantModel):
    """A photo of an incident: an uploaded image under MEDIA_ROOT, or the path of a file the
    committee keeps elsewhere (a shared folder, a phone's gallery export)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="supply/incidents/%Y/%m/", blank=True)
    path = models.CharField(_("file path"), max_length=500, blank=True)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("incident photo")
        verbose_name_plural = _("incident photos")
        ordering = ["created_at", "id"]


class BalanceSettings(TenantModel):
    """A committee's estimates for the water balance (each with its ± margin at 95 %), its
    network, and the costs of production. Defaults are the documented ones (docs/supply.md)."""

    source_meter_error_pct = models.DecimalField(
        _("source meter error (%)"),
        default=ZERO,
        help_text=_("Positive when the source meter registers less than what passes."),
        **PERCENT,
    )
    source_meter_error_margin = models.DecimalField(
        _("± margin (points)"), default=Decimal(2), validators=NOT_NEGATIVE, **PERCENT
    )
    unauthorized_pct = models.DecimalField(
        _("unauthorized consumption (% of system input)"),
        default=Decimal("0.25"),
        validators=NOT_NEGATIVE,
        **PERCENT,
    )
    unauthorized_margin = models.DecimalField(
        _("± margin (points)"), default=Decimal("0.25"), validators=NOT_NEGATIVE, **PERCENT
    )
    under_registration_pct = models.DecimalField(
        _("customer meter under-registration (%)"),
        default=Decimal(2),
        validators=NOT_NEGATIVE,
        **PERCENT,
    )
    under_registration_margin = models.DecimalField(
        _("± margin (points)"), default=Decimal(2), validators=NOT_NEGATIVE, **PERCENT
    )
    data_handling_pct = models.DecimalField(
        _("data handling errors (% of billed metered)"),
        default=ZERO,
        validators=NOT_NEGATIVE,
        **PERCENT,
    )
    data_handling_margin = models.DecimalField(
        _("± margin (points)"), default=Decimal("0.25"), validators=NOT_NEGATIVE, **PERCENT
    )
    unbilled_margin_pct = models.DecimalField(
        _("± margin of the operator's unbilled use estimates (% of the volume)"),
        default=Decimal(25),
        validators=NOT_NEGATIVE,
        **PERCENT,
    )
    network_length_km = models.DecimalField(
        _("length of mains (km)"), null=True, blank=True, max_digits=8, decimal_places=2
    )
    average_pressure_m = models.DecimalField(
        _("average pressure (m)"), null=True, blank=True, max_digits=6, decimal_places=1
    )
    maintenance_per_month = models.DecimalField(
        _("maintenance per month"), default=ZERO, validators=NOT_NEGATIVE, **MONEY
    )
    allowance_per_month = models.DecimalField(
        _("operator's allowance per month"), default=ZERO, validators=NOT_NEGATIVE, **MONEY
    )
    chlorine_cost_per_kg = models.DecimalField(
        _("chlorine cost per kg"), default=ZERO, validators=NOT_NEGATIVE, **PRICE
    )
    energy_price_per_kwh = models.DecimalField(
        _("energy price per kWh"), default=ZERO, validators=NOT_NEGATIVE, **PRICE
    )

    class Meta:
        verbose_name = _("water balance settings")
        verbose_name_plural = _("water balance settings")
        constraints = [models.UniqueConstraint(fields=["committee"], name="one_balance_settings")]
