from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "comunagua.tenancy"
    verbose_name = _("Committees and roles")
