"""The register: members, their lots, the connections on them and the meters on those.

Every table keeps its history (who changed what, when) through django-simple-history.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Replace, Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comunagua.tenancy.history import scoped_history
from comunagua.tenancy.models import TenantModel

# Readings are m³ with litre precision.
READING_DIGITS = {"max_digits": 12, "decimal_places": 3}


def normalize_id_document(value: str | None) -> str:
    """One spelling per ID document, so "ab 123", "AB 123" and " Ab  123 " are one document:
    no spaces around, single spaces inside, capitals. Every way in (the member form, the
    services through Member.clean, the import) goes through here."""
    return " ".join(str(value or "").split()).upper()


# What is left out when two ID documents are compared: "1234567 LP", "1234567-LP" and
# "1234567.lp" are one document written three ways.
ID_DOCUMENT_SEPARATORS = (" ", "-", ".")


def id_document_key(value: str | None) -> str:
    """The ID document as it is compared: capitals, without separators."""
    key = normalize_id_document(value)
    for separator in ID_DOCUMENT_SEPARATORS:
        key = key.replace(separator, "")
    return key


def _id_document_key_expression():
    """id_document_key in SQL, for the uniqueness the database keeps."""
    expression = models.F("id_document")
    for separator in ID_DOCUMENT_SEPARATORS:
        expression = Replace(expression, models.Value(separator), models.Value(""))
    return Upper(expression)


class Gender(models.TextChoices):
    FEMALE = "F", _("Woman")
    MALE = "M", _("Man")
    OTHER = "O", _("Other")
    UNSPECIFIED = "", _("Not stated")


class Member(TenantModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DECEASED = "deceased", _("Deceased")

    code = models.CharField(_("member number"), max_length=20, blank=True)
    first_names = models.CharField(_("first names"), max_length=100)
    last_names = models.CharField(_("last names"), max_length=100)
    id_document = models.CharField(_("ID document (CI)"), max_length=30, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender, blank=True, default="")
    household_size = models.PositiveSmallIntegerField(
        _("people in the household"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.ACTIVE)
    notes = models.TextField(_("notes"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("login"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = scoped_history()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["last_names", "first_names"]
        constraints = [
            # Compared as id_document_key does, in the database itself: a write that skipped
            # the normalizing still cannot give "1234567-lp" to a second member when
            # "1234567 LP" is taken.
            models.UniqueConstraint(
                "committee",
                _id_document_key_expression(),
                condition=~Q(id_document=""),
                name="member_id_document_unique",
                violation_error_message=_("Another member already has this ID document."),
            ),
            models.UniqueConstraint(
                fields=["committee", "code"],
                condition=~Q(code=""),
                name="member_code_unique",
                violation_error_message=_("Another member already has this member number."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_names} {self.last_names}".strip()

    def clean(self):
        self.id_document = normalize_id_document(self.id_document)


class Sector(TenantModel):
    """A part of the network: a hillside zone, a street, a reading route's area."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="sector_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Lot(TenantModel):
    """A plot with an address, where one or more connections are installed."""

    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("sector")
    )
    address = models.CharField(_("address"), max_length=200)
    reference = models.CharField(_("plot reference (block / lot)"), max_length=100, blank=True)
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
    history = scoped_history()

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")

    def __str__(self) -> str:
        return self.address

    def clean(self):
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))


class Connection(TenantModel):
    class Category(models.TextChoices):
        RESIDENTIAL = "residential", _("Residential")
        SOCIAL = "social", _("Social")
        COMMERCIAL = "commercial", _("Commercial")
        INSTITUTIONAL = "institutional", _("Institutional")
        PUBLIC_TAP = "public_tap", _("Public tap")

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("connection status", "Active")
        SUSPENDED = "suspended", pgettext_lazy("connection status", "Suspended")
        DISCONNECTED = "disconnected", pgettext_lazy("connection status", "Disconnected")
        CLOSED = "closed", pgettext_lazy("connection status", "Closed")

    number = models.CharField(_("connection number"), max_length=20)
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="connections", verbose_name=_("lot")
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Category, default=Category.RESIDENTIAL
    )
    has_sewer = models.BooleanField(_("sewer"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.ACTIVE)
    connected_on = models.DateField(_("connected on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = scoped_history()

    class Meta:
        verbose_name = _("connection")
        verbose_name_plural = _("connections")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "number"],
                name="connection_number_unique",
                violation_error_message=_("Another connection already has this number."),
            )
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self):
        if self.closed_on and self.connected_on and self.closed_on < self.connected_on:
            raise ValidationError({"closed_on": _("The closing date is before the connection.")})
        # The status and the closing date tell one story: closed since a date, or not closed.
        # (Every writer goes through here; the import says the same per row, naming its column.)
        if self.status == self.Status.CLOSED and self.closed_on is None:
            raise ValidationError({"closed_on": _("A closed connection needs its closing date.")})
        if self.status != self.Status.CLOSED and self.closed_on is not None:
            raise ValidationError(
                {
                    "closed_on": _(
                        "Only a closed connection has a closing date: clear the date or set "
                        "the status to closed."
                    )
                }
            )


class Holding(TenantModel):
    """Who holds the rights of a connection, from when to when (titularidad)."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="holdings", verbose_name=_("connection")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="holdings", verbose_name=_("member")
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    history = scoped_history()

    class Meta:
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection"],
                condition=Q(ended_on__isnull=True),
                name="one_current_holder",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="holding_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.connection} · {self.member}"


class Meter(TenantModel):
    """A meter installed on a connection. A replacement closes this one and opens another, with
    both readings, so consumption stays continuous across the change."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="meters", verbose_name=_("connection")
    )
    serial = models.CharField(_("serial number"), max_length=40)
    brand = models.CharField(_("brand / model"), max_length=60, blank=True)
    digits = models.PositiveSmallIntegerField(
        _("dial digits (whole m³)"),
        default=5,
        validators=[MinValueValidator(3), MaxValueValidator(9)],
        help_text=_("After 99999 a 5-digit meter rolls over to 00000."),
    )
    installed_on = models.DateField(_("installed on"))
    initial_reading = models.DecimalField(
        _("reading at installation (m³)"), default=Decimal(0), **READING_DIGITS
    )
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    final_reading = models.DecimalField(
        _("reading at removal (m³)"), null=True, blank=True, **READING_DIGITS
    )
    removal_reason = models.CharField(_("reason for removal"), max_length=200, blank=True)
    history = scoped_history()

    class Meta:
        verbose_name = _("meter")
        verbose_name_plural = _("meters")
        ordering = ["-installed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection"],
                condition=Q(removed_on__isnull=True),
                name="one_meter_in_service",
            ),
        ]

    def __str__(self) -> str:
        return self.serial

    @property
    def capacity(self) -> Decimal:
        """The first value the dials cannot show: 10^digits m³."""
        return Decimal(10) ** self.digits

    @property
    def in_service(self) -> bool:
        return self.removed_on is None


class RegistryImport(TenantModel):
    """An uploaded register, kept so the preview and the import read the same bytes, and so
    there is a record of what arrived and who applied it."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Preview")
        APPLIED = "applied", _("Imported")

    filename = models.CharField(_("file"), max_length=200)
    content = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status, default=Status.PREVIEW)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    rows_imported = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        ordering = ["-created_at"]
