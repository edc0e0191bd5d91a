"""Writes to the wells: a static or pumping level measured. Keyword-only, one transaction; a
level that cannot be true (deeper than the well, twice the same day) is refused with a message in
the user's language. See docs/supply.md.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Source, WellLevel
from ..validation import checked_number, day_text, invalid, one_line


@transaction.atomic
def well_level_record(
    *,
    source: Source,
    measured_on: date,
    kind: str,
    depth_m,
    flow_m3h=None,
    note: str = "",
    by,
) -> WellLevel:
    """A static or pumping level of a well, as depth to water below the wellhead."""
    committee = source.committee
    if not source.is_well:
        raise invalid(
            None, _("Levels are measured in wells; %(name)s is not one.") % {"name": source.name}
        )
    if kind not in WellLevel.Kind.values:
        raise invalid("kind", _("Choose whether the level is static or pumping."), "required")
    if not isinstance(measured_on, date):
        raise invalid("measured_on", _("Enter the day of the measurement."), "required")
    if measured_on > committee.today():
        raise invalid("measured_on", _("The day cannot be in the future."), "future")
    depth = checked_number(
        depth_m,
        field_name="depth_m",
        label=_("the depth to water"),
        places=2,
        high=Decimal(3000),
    )
    if source.depth_m is not None and depth > source.depth_m:
        raise invalid(
            "depth_m",
            _("%(depth)s m is deeper than the well itself (%(well)s m).")
            % {"depth": depth, "well": source.depth_m},
            "absurd",
        )
    flow = checked_number(
        flow_m3h,
        field_name="flow_m3h",
        label=_("the flow"),
        places=2,
        high=Decimal(5000),
        required=False,
    )
    if WellLevel.objects.filter(source=source, measured_on=measured_on, kind=kind).exists():
        raise invalid(
            "measured_on",
            _("This well already has a %(kind)s level on %(day)s.")
            % {
                "kind": WellLevel.Kind(kind).label.lower(),
                "day": day_text(measured_on),
            },
            "duplicate",
        )
    return WellLevel.objects.create(
        committee=committee,
        source=source,
        measured_on=measured_on,
        kind=kind,
        depth_m=depth,
        flow_m3h=flow,
        note=one_line(note, 300),
        entered_by=by,
    )
