"""Bills: a billing run per period turns the closed reading round into one bill per active
connection, priced by the tariff in force. Bills are documents: once issued they never change;
a mistake is corrected by a credit note (nota de crédito)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comunagua.tenancy.models import TenantModel

MONEY = {"max_digits": 12, "decimal_places": 2}
VOLUME = {"max_digits": 12, "decimal_places": 3}


class ImmutableError(Exception):
    """An issued document was asked to change or disappear."""


class BillingRun(TenantModel):
    """One period's bills, issued together. At most one per committee and period."""

    period = models.DateField(_("period"), help_text=_("First day of the month billed."))
    tariff = models.ForeignKey(
        "tariffs.Tariff", on_delete=models.PROTECT, related_name="+", verbose_name=_("tariff")
    )
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    bill_count = models.PositiveIntegerField(_("bills"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "period"], name="one_run_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m}"


class Bill(TenantModel):
    """What a connection owes for a period (aviso de cobranza). Immutable once saved."""

    run = models.ForeignKey(BillingRun, on_delete=models.PROTECT, related_name="bills")
    connection = models.ForeignKey(
        "registry.Connection",
        on_delete=models.PROTECT,
        related_name="bills",
        verbose_name=_("connection"),
    )
    member = models.ForeignKey(
        "registry.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bills",
        verbose_name=_("holder"),
    )
    number = models.PositiveBigIntegerField(_("number"))
    period = models.DateField(_("period"))
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    category = models.CharField(_("category"), max_length=20)
    has_sewer = models.BooleanField(_("sewer"), default=False)
    consumption_m3 = models.DecimalField(_("consumption (m³)"), **VOLUME)
    previous_value = models.DecimalField(_("previous reading"), null=True, blank=True, **VOLUME)
    current_value = models.DecimalField(_("current reading"), null=True, blank=True, **VOLUME)
    estimated = models.BooleanField(_("estimated"), default=False)
    reading_id = models.PositiveBigIntegerField(null=True, blank=True)
    # [{"code", "amount", "m3", "price"}], decimals as strings, as tariffs.engine.quote gave them.
    lines = models.JSONField(_("lines"), default=list)
    charges_total = models.DecimalField(_("charges of the period"), **MONEY)
    previous_balance = models.DecimalField(_("previous balance"), **MONEY)
    total_due = models.DecimalField(_("total due"), **MONEY)

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "number"], name="bill_number_unique"),
            models.UniqueConstraint(fields=["run", "connection"], name="one_bill_per_run"),
        ]
        indexes = [models.Index(fields=["connection", "period"], name="bill_connection_period")]

    def __str__(self) -> str:
        return f"{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ImmutableError("an issued bill never changes; issue a credit note instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("an issued bill is never deleted; issue a credit note instead")


class CreditNote(TenantModel):
    """Takes back part or all of a bill's charges (nota de crédito). Immutable once saved."""

    bill = models.ForeignKey(
        Bill, on_delete=models.PROTECT, related_name="credit_notes", verbose_name=_("bill")
    )
    number = models.PositiveBigIntegerField(_("number"))
    issued_on = models.DateField(_("issued on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.TextField(_("reason"))
    client_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "number"], name="credit_note_number_unique"
            ),
            models.UniqueConstraint(
                fields=["committee", "client_id"],
                condition=~models.Q(client_id=""),
                name="credit_note_client_id_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="credit_note_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ImmutableError("an issued credit note never changes")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("an issued credit note is never deleted")
