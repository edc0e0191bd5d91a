"""The monthly report's writes: the board publishes a month at a public address (naming the
households that owe only if it chooses so), or withdraws it."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comunagua.lib.periods import Period
from comunagua.tenancy.models import Committee

from ..models import PublishedReport
from .selectors import is_over


@transaction.atomic
def report_publish(
    *,
    committee: Committee,
    period: Period,
    show_debtor_names: bool,
    by,
    today: date | None = None,
) -> PublishedReport:
    """Publish the month's report at its public address (the same address each time the month
    is published again), naming the households that owe only if the board chooses so. Only a
    month that is over is published: its figures no longer change."""
    if not is_over(committee, period, today):
        raise ValidationError(
            _("%(period)s is not over yet: a month is published once it has ended.")
            % {"period": period}
        )
    report, created = PublishedReport.objects.select_for_update().get_or_create(
        committee=committee,
        period=period.first_day,
        defaults={"show_debtor_names": show_debtor_names, "published_by": by},
    )
    if not created:
        report.show_debtor_names = show_debtor_names
        report.published_by = by
        report.withdrawn_at = None
        report.save(update_fields=["show_debtor_names", "published_by", "withdrawn_at"])
    return report


@transaction.atomic
def report_withdraw(*, committee: Committee, period: Period) -> PublishedReport | None:
    """Take the month's public report down: its address answers "not found" until the board
    publishes the month again."""
    report = (
        PublishedReport.objects.select_for_update()
        .filter(committee=committee, period=period.first_day)
        .first()
    )
    if report is not None and report.withdrawn_at is None:
        report.withdrawn_at = timezone.now()
        report.save(update_fields=["withdrawn_at"])
    return report
