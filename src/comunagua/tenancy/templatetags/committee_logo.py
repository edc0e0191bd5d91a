"""The committee's logo on printed pages: embedded as a data URI, so a PDF renderer, a public
receipt and a page saved to a phone need no second request and no login to show it."""

import base64

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def printed_logo(committee, css_class="logo"):
    if committee is None or not committee.logo:
        return ""
    # Read once per committee object: a run's 300 bills share one request's committee.
    cached = getattr(committee, "_printed_logo", None)
    if cached is None or cached[0] != committee.logo.name:
        try:
            with committee.logo.open("rb") as handle:
                data = base64.b64encode(handle.read()).decode("ascii")
        except FileNotFoundError:  # the file went missing: print without it rather than fail
            data = ""
        cached = committee._printed_logo = (committee.logo.name, data)
    if not cached[1]:
        return ""
    return format_html(
        '<img class="{}" src="data:image/png;base64,{}" alt="">', css_class, cached[1]
    )
