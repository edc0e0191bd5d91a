"""Writes to the water balance's settings: the committee's estimates with their margins, its
network, and its costs of production. Keyword-only, one transaction. See docs/supply.md.
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from comunagua.tenancy.models import Committee

from ..models import BalanceSettings
from ..validation import ZERO, checked_number, invalid
from .iwa import PERCENT_LIMIT, Estimate, percentage_in_range

SETTINGS_FIELDS = {
    # name: (decimal places, low, high)
    "source_meter_error_pct": (2, Decimal(-50), Decimal(50)),
    "source_meter_error_margin": (2, ZERO, Decimal(50)),
    "unauthorized_pct": (2, ZERO, Decimal(50)),
    "unauthorized_margin": (2, ZERO, Decimal(50)),
    "under_registration_pct": (2, ZERO, Decimal(50)),
    "under_registration_margin": (2, ZERO, Decimal(50)),
    "data_handling_pct": (2, ZERO, Decimal(50)),
    "data_handling_margin": (2, ZERO, Decimal(50)),
    "unbilled_margin_pct": (2, ZERO, Decimal(100)),
    "network_length_km": (2, ZERO, Decimal(100000)),
    "average_pressure_m": (1, ZERO, Decimal(1000)),
    "maintenance_per_month": (2, ZERO, Decimal(10_000_000)),
    "allowance_per_month": (2, ZERO, Decimal(10_000_000)),
    "chlorine_cost_per_kg": (4, ZERO, Decimal(100000)),
    "energy_price_per_kwh": (4, ZERO, Decimal(1000)),
}
OPTIONAL_SETTINGS = ("network_length_km", "average_pressure_m")


@transaction.atomic
def balance_settings_save(*, committee: Committee, by, **values) -> BalanceSettings:
    """Change the committee's estimates, network and costs. A percentage's range (value ±
    margin) must stay within ±50 %: beyond that it is a broken meter or a typo."""
    found = BalanceSettings.objects.select_for_update().filter(committee=committee).first()
    current = found or BalanceSettings(committee=committee)
    labels = {
        name: str(BalanceSettings._meta.get_field(name).verbose_name) for name in SETTINGS_FIELDS
    }
    for name, value in values.items():
        if name not in SETTINGS_FIELDS:
            raise TypeError(f"unknown setting: {name}")
        places, low, high = SETTINGS_FIELDS[name]
        number = checked_number(
            value,
            field_name=name,
            label=labels[name],
            places=places,
            low=low,
            high=high,
            required=name not in OPTIONAL_SETTINGS,
        )
        setattr(current, name, number)
    for value_name, margin_name in (
        ("source_meter_error_pct", "source_meter_error_margin"),
        ("unauthorized_pct", "unauthorized_margin"),
        ("under_registration_pct", "under_registration_margin"),
        ("data_handling_pct", "data_handling_margin"),
    ):
        estimate = Estimate(getattr(current, value_name), getattr(current, margin_name))
        if not percentage_in_range(estimate):
            raise invalid(
                margin_name,
                _("%(what)s ± its margin must stay within %(limit)s %%.")
                % {"what": labels[value_name], "limit": PERCENT_LIMIT},
                "absurd",
            )
    current.full_clean()
    current.save()
    return current
