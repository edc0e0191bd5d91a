from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplyConfig(AppConfig):
    name = "comunagua.supply"
    verbose_name = _("Water supply")
