from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Queryset methods that run a query yet are missing from django-scopes' refusing queryset (2.1):
# `Member.objects.exists()` outside a scope would answer "is there any member, in any committee".
_ALSO_REFUSED = ("exists", "contains", "in_bulk", "explain")


class TenancyConfig(AppConfig):
    name = "comunagua.tenancy"
    verbose_name = _("Committees and roles")

    def ready(self):
        from django_scopes.manager import DisabledQuerySet

        for name in _ALSO_REFUSED:
            setattr(DisabledQuerySet, name, DisabledQuerySet.error)
