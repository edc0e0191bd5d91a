"""Reading rounds, routes and readings.

A round is one month's reading work; a route is the reader's walking order; a reading is one
meter value for one connection in one round. Readings keep their history (simple-history) and
are never overwritten: a second, different value for the same connection and round is stored
as its own row in status "conflict" until the office decides. See docs/readings.md.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comunagua.lib.periods import Period
from comunagua.registry.models import READING_DIGITS, Connection, Meter
from comunagua.tenancy.history import scoped_history
from comunagua.tenancy.models import TenantModel

from . import validation

M3 = {"max_digits": 12, "decimal_places": 3}

# What each flag means on screen. Keys are validation.FLAGS.
FLAG_LABELS = {
    validation.TOO_LARGE: _("More than the meter's dials can show"),
    validation.BELOW_PREVIOUS: _("Reading lower than the previous one"),
    validation.ROLLOVER: _("Reading lower than the previous one: has the meter rolled over?"),
    validation.ZERO_USE: _("No consumption in an occupied household"),
    validation.SPIKE: _("Consumption far above this connection's usual"),
    validation.REMOVED_METER: _("Reading of a meter that was removed"),
    validation.TWICE: _("Another value was already entered this round"),
    validation.FUTURE: _("Reading date in the future"),
}


class Round(TenantModel):
    """One month's reading work (ronda de lectura). Its period is the month's first day."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("reading round", "Open")
        CLOSED = "closed", pgettext_lazy("reading round", "Closed")

    period = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("reading round")
        verbose_name_plural = _("reading rounds")
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "period"],
                name="one_round_per_month",
                violation_error_message=_("There is already a reading round for this month."),
            )
        ]

    def __str__(self) -> str:
        return str(self.month)

    @property
    def month(self) -> Period:
        return Period.of(self.period)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def clean(self):
        if self.period and self.period.day != 1:
            raise ValidationError({"period": _("A round's period is the first day of a month.")})


class Route(TenantModel):
    """A reader's walk: connections in the order the reader passes them."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "name"],
                name="route_name_unique",
                violation_error_message=_("Another route already has this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class RouteStop(TenantModel):
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="stops")
    connection = models.ForeignKey(
        Connection,
        on_delete=models.CASCADE,
        related_name="route_stops",
        verbose_name=_("connection"),
    )
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("route stop")
        verbose_name_plural = _("route stops")
        ordering = ["route", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection"],
                name="one_route_per_connection",
                violation_error_message=_("This connection is already on a route."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.route} · {self.position} · {self.connection}"


class EstimationRule(TenantModel):
    """How a committee estimates a missing reading. Without a rule: the average of the last
    three actual monthly consumptions."""

    class Method(models.TextChoices):
        AVERAGE = "average", _("Average of the last three actual readings")
        FIXED = "fixed", _("A fixed volume")

    method = models.CharField(_("method"), max_length=10, choices=Method, default=Method.AVERAGE)
    fixed_m3 = models.DecimalField(
        _("fixed volume (m³)"),
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        **M3,
    )

    class Meta:
        verbose_name = _("estimation rule")
        verbose_name_plural = _("estimation rules")
        constraints = [models.UniqueConstraint(fields=["committee"], name="one_estimation_rule")]

    def __str__(self) -> str:
        return self.get_method_display()


class Reading(TenantModel):
    class Source(models.TextChoices):
        WEB = "web", _("Web")
        PHONE = "phone", _("Phone")
        IMPORT = "import", _("Import")
        ESTIMATED = "estimated", _("Estimated")

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        FLAGGED = "flagged", _("Needs review")
        CONFLICT = "conflict", _("Second value, to resolve")
        REJECTED = "rejected", _("Rejected")

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="readings", verbose_name=_("round")
    )
    connection = models.ForeignKey(
        Connection, on_delete=models.PROTECT, related_name="readings", verbose_name=_("connection")
    )
    meter = models.ForeignKey(
        Meter, on_delete=models.PROTECT, related_name="readings", verbose_name=_("meter")
    )
    value = models.DecimalField(_("reading (m³)"), **READING_DIGITS)
    read_at = models.DateTimeField(_("read at"))
    source = models.CharField(_("source"), max_length=10, choices=Source, default=Source.WEB)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=500, blank=True)
    photo_ref = models.CharField(_("photo reference"), max_length=200, blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACCEPTED)
    # A "conflict" row names the reading it disagrees with.
    conflict_with = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conflicts",
        verbose_name=_("conflicts with"),
    )
    review_reason = models.CharField(_("reason"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    # Shown as "previous reading": the last reading on this meter, or its initial reading.
    previous_value = models.DecimalField(_("previous reading (m³)"), **READING_DIGITS)
    # What is billed for this round, after settling estimates and carried volumes.
    consumption = models.DecimalField(_("consumption (m³)"), **M3)
    # What the meters moved since the last actual reading (null for an estimate) and over how
    # many months: the connection's history is metered_m3 / months.
    metered_m3 = models.DecimalField(_("metered (m³)"), null=True, blank=True, **M3)
    months = models.PositiveSmallIntegerField(_("months since the last actual reading"), default=1)
    # Billed before but not yet used: deducted from the next months.
    carried_m3 = models.DecimalField(_("carried forward (m³)"), default=Decimal(0), **M3)
    estimated = models.BooleanField(_("estimated"), default=False)
    # Made by the phone or the system that sent the reading: a replay is recognised.
    client_id = models.UUIDField(_("client id"), null=True, blank=True)
    history = scoped_history()

    LIVE = (Status.ACCEPTED, Status.FLAGGED)
    PENDING = (Status.FLAGGED, Status.CONFLICT)

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        ordering = ["-entered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "connection"],
                condition=Q(status__in=["accepted", "flagged"]),
                name="one_live_reading_per_round",
                violation_error_message=_("This connection already has a reading in this round."),
            ),
            models.UniqueConstraint(
                fields=["committee", "client_id"],
                condition=Q(client_id__isnull=False),
                name="reading_client_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0)
                & Q(consumption__gte=0)
                & Q(carried_m3__gte=0)
                & Q(months__gte=1),
                name="reading_volumes_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.connection} · {self.round} · {self.value}"

    @property
    def needs_review(self) -> bool:
        return self.status in self.PENDING

    @property
    def flag_labels(self) -> list[str]:
        return [str(FLAG_LABELS.get(flag, flag)) for flag in self.flags]
