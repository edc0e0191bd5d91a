"""Tariffs as data: versions of a committee's tariff, each in force from a date until the next.

`data` holds the engine's `to_data()` (what prices bills); `source` the TOML text as the board
wrote it (with its comments), shown again when a future tariff is edited.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comunagua.tenancy.history import scoped_history
from comunagua.tenancy.models import TenantModel

from . import engine


class Tariff(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("in force from"))
    data = models.JSONField(_("tariff"))
    source = models.TextField(_("tariff (TOML)"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = scoped_history()

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "effective_from"],
                name="one_tariff_per_start_date",
                violation_error_message=_("Another tariff already starts on this date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from:%d/%m/%Y})"

    def engine(self) -> engine.Tariff:
        """The tariff the engine prices with."""
        return engine.parse(self.data)
