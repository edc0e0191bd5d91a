"""What every `comunagua` command that works on one committee needs: the committee from its
slug and a month from "YYYY-MM", or a CommandError that says what to write."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from comunagua.lib.periods import Period

from .models import Committee


def committee_from(slug: str) -> Committee:
    try:
        return Committee.objects.get(slug=slug)
    except Committee.DoesNotExist:
        raise CommandError(_("No committee with the slug “%(slug)s”.") % {"slug": slug}) from None


def period_from(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError:
        raise CommandError(
            _("Write the period as YYYY-MM with a month from 01 to 12, e.g. 2025-03.")
        ) from None
