"""Reads of the incidents in the sources' protected areas."""

from django.db.models import QuerySet

from comunagua.tenancy.models import Committee

from ..models import Incident


def incidents_of(committee: Committee) -> QuerySet[Incident]:
    """Every incident of the committee, with its source and photos."""
    return (
        Incident.objects.filter(committee=committee)
        .select_related("source")
        .prefetch_related("photos")
    )


def open_incident_count(committee: Committee) -> int:
    return Incident.objects.filter(committee=committee, status=Incident.Status.OPEN).count()
