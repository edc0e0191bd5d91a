"""Writes to the incidents in a source's protected area: an incident reported (with its photo),
a photo added, its status set. Keyword-only, one transaction each. See docs/supply.md.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from comunagua.tenancy.models import Committee
from comunagua.tenancy.writes import ensure_same_committee

from ..models import Incident, IncidentPhoto
from ..validation import checked_number, invalid, one_line

INCIDENT_FIELDS = (
    "source",
    "kind",
    "happened_on",
    "location",
    "latitude",
    "longitude",
    "distance_m",
    "description",
    "authority",
)


@transaction.atomic
def incident_report(
    *, committee: Committee, by, photo=None, photo_path: str = "", **values
) -> Incident:
    """Log an incident in a source's protected area, with a photo (uploaded, or a file path)."""
    unknown = set(values) - set(INCIDENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown incident fields: {sorted(unknown)}")
    incident = Incident(committee=committee, created_by=by, **values)
    ensure_same_committee(committee.pk, incident.source)
    if incident.kind not in Incident.Kind.values:
        raise invalid("kind", _("Choose what kind of incident it is."), "required")
    if not isinstance(incident.happened_on, date):
        raise invalid("happened_on", _("Enter the day it was seen."), "required")
    if incident.happened_on > committee.today():
        raise invalid("happened_on", _("The day cannot be in the future."), "future")
    incident.location = one_line(incident.location, 300)
    if not incident.location:
        raise invalid("location", _("Say where it is."), "required")
    incident.description = str(incident.description or "").strip()
    if not incident.description:
        raise invalid("description", _("Describe what was seen."), "required")
    checked_number(
        incident.distance_m,
        field_name="distance_m",
        label=_("the distance from the well"),
        places=1,
        high=Decimal(100000),
        required=False,
    )
    incident.authority = one_line(incident.authority, 200)
    incident.full_clean()
    incident.save()
    if photo or photo_path:
        incident_photo_add(incident=incident, photo=photo, path=photo_path, by=by)
    return incident


@transaction.atomic
def incident_photo_add(
    *, incident: Incident, by, photo=None, path: str = "", caption: str = ""
) -> IncidentPhoto:
    path = str(path or "").strip()
    if not photo and not path:
        raise invalid("photo", _("Choose a photo, or write where the file is."), "required")
    added = IncidentPhoto(
        committee=incident.committee,
        incident=incident,
        path=path[:500],
        caption=one_line(caption, 200),
    )
    if photo:
        added.image = photo
    added.full_clean()
    added.save()
    return added


@transaction.atomic
def incident_status_set(
    *, incident: Incident, status: str, by, authority: str = "", reported_on: date | None = None
) -> Incident:
    if status not in Incident.Status.values:
        raise invalid("status", _("Choose a status."), "required")
    incident.status = status
    if authority:
        incident.authority = one_line(authority, 200)
    if status == Incident.Status.REPORTED:
        incident.reported_on = reported_on or incident.reported_on or incident.committee.today()
    incident.full_clean()
    incident.save()
    return incident
