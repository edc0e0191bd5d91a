from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

from .history import scoped_history
from .roles import Role

# Slugs that would shadow a top-level URL.
RESERVED_SLUGS = {
    "admin",
    "api",
    "cuenta",
    "i18n",
    "static",
    "media",
    "publico",
    "federacion",
    "recibo",
}


class Committee(models.Model):
    class Kind(models.TextChoices):
        WATER_COMMITTEE = "committee", _("Water committee")
        COOPERATIVE = "cooperative", _("Cooperative")
        ASSOCIATION = "association", _("Association")
        UNCONNECTED_ZONE = "unconnected", _("Unconnected zone")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.WATER_COMMITTEE)
    legal_registration = models.CharField(
        _("legal registration (personería jurídica)"), max_length=100, blank=True
    )
    licence_number = models.CharField(_("licence or registry number"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="America/La_Paz")
    currency = models.CharField(_("currency"), max_length=3, default="BOB")
    bill_rounding = models.DecimalField(
        _("bill rounding unit"),
        max_digits=6,
        decimal_places=2,
        default="0.10",
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Bill totals are rounded half-up to this unit, e.g. 0.10"),
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def zone(self) -> ZoneInfo | None:
        """The committee's time zone (None, the server's, if the stored name is unknown: the
        form refuses one, but a row written otherwise must not take pages down)."""
        try:
            return ZoneInfo(self.timezone)
        except (ValueError, KeyError, OSError):  # OSError: "America", a folder of zones
            return None

    def today(self) -> date:
        """Today where the committee is, whatever zone the server or the request is in."""
        return timezone.localdate(timezone=self.zone())

    def clean(self):
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("This short name is reserved; choose another.")})
        from zoneinfo import available_timezones

        if self.timezone not in available_timezones():
            raise ValidationError({"timezone": _("Unknown time zone.")})


class RoleAssignment(models.Model):
    """A user's role in one committee. A person may serve several committees."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=Role)
    created_at = models.DateTimeField(auto_now_add=True)
    # Who gave whom which role, and who took it away: the board answers for its people. The
    # table is read before any scope exists; its history is read only inside one.
    history = scoped_history()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "committee"], name="one_role_per_committee")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.committee} · {self.get_role_display()}"


class TenantModel(models.Model):
    """Every table that belongs to one committee. Queries fail loudly outside a scope."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager(committee="committee")

    class Meta:
        abstract = True


class NumberSequence(models.Model):
    """Document numbers without gaps (bills, receipts, credit notes), one counter per committee
    and kind. Taken under a row lock inside the writer's transaction: a rolled-back run gives
    its numbers back."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["committee", "kind"], name="one_sequence_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.committee} · {self.kind} · {self.last}"


class ApiToken(models.Model):
    """A personal API token (`Authorization: Bearer …`). Only its SHA-256 is kept: the token is
    shown once, when it is made. It acts as its user, with the user's roles."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    # The first characters, to tell tokens apart on screen without showing them.
    prefix = models.CharField(_("starts with"), max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.name} · {self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
