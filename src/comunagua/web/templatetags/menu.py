"""The main menu: `{% load menu %}{% main_menu %}` in base.html. Each entry shows only to a role
whose permissions allow it, and the entry of the page's own area carries `aria-current="page"`
(the entry whose address is the longest start of the page's path), so a screen reader and the
eye both know where they are."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()

# (URL name, label, the permissions that show it: all of them; none, every role of the committee)
ENTRIES = (
    ("committee-home", _("Home"), ()),
    ("member-list", _("Members"), ("registry.view",)),
    ("connection-list", _("Connections"), ("registry.view",)),
    ("round-list", _("Readings"), ("metering.view",)),
    ("reader-app", _("Reader's app"), ("metering.view", "metering.enter")),
    ("billing-home", _("Billing"), ("billing.view",)),
    ("cash-home", _("Cash desk"), ("ledger.cash",)),
    ("books-home", _("Books"), ("ledger.books",)),
    ("report-home", _("Report"), ("ledger.report",)),
    ("supply-home", _("Water"), ("supply.summary",)),
    ("tariff-list", _("Tariffs"), ("tariffs.view",)),
    ("import-upload", _("Import"), ("registry.import",)),
    ("committee-settings", _("The committee"), ("committee.manage",)),
)


def menu_entries(slug: str, permissions, path: str) -> list[dict]:
    """The entries a role sees, each with its address and whether it is the current area."""
    shown = [
        {"href": reverse(name, kwargs={"committee": slug}), "label": label}
        for name, label, needed in ENTRIES
        if all(permission in permissions for permission in needed)
    ]
    starts = [e["href"] for e in shown if path.startswith(e["href"])]
    current = max(starts, key=len, default=None)
    for entry in shown:
        entry["current"] = entry["href"] == current
    return shown


@register.inclusion_tag("includes/menu.html", takes_context=True)
def main_menu(context):
    committee = context.get("committee")
    request = context.get("request")
    if committee is None or request is None:
        return {"entries": []}
    return {"entries": menu_entries(committee.slug, context.get("perms_here") or (), request.path)}
