"""Template filters for money and volumes: `{% load money %}`, then
`{{ amount|money:committee.currency }}`, `{{ m3|volume }}` (named so as not to clash with
metering's `m3` filter, which prints the number without the unit) and `{{ value|number }}`.
The formatting itself is `comunagua.web.formats`."""

from django import template

from comunagua.web.formats import format_money, format_number, format_volume

register = template.Library()


@register.filter
def money(value, currency="BOB"):
    """{{ amount|money:committee.currency }} -> "Bs 18,00"."""
    return format_money(value, currency or "BOB")


@register.filter
def volume(value):
    """{{ m3|volume }} -> "12,5 m³"."""
    return format_volume(value)


@register.filter
def number(value, places=None):
    """{{ value|number }} -> "12,5"; {{ value|number:2 }} -> "12,50"."""
    return format_number(value, None if places in (None, "") else int(places))
