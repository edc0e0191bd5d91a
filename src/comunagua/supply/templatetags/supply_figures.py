"""Rounding for display: the supply's selectors keep money and ratios unrounded (the balance
rounds its own figures once); a page rounds what it shows with `{{ x|rounded:"0.01" }}`."""

from decimal import Decimal

from django import template

from comunagua.lib.money import round_to_unit

register = template.Library()


@register.filter
def rounded(value, unit="0.01"):
    """{{ costs.per_m3|rounded|money:committee.currency }}: half-up to `unit`; None stays."""
    if value is None or value == "":
        return value
    return round_to_unit(Decimal(str(value)), unit)
