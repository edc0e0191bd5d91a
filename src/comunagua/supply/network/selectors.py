"""Reads of the network's setup: the sources, tanks and meters, and what tanker water costs."""

from decimal import Decimal

from django.db.models import QuerySet

from comunagua.tenancy.models import Committee

from ..models import ProductionMeter, Source, Tank


def sources_of(committee: Committee) -> QuerySet[Source]:
    return Source.objects.filter(committee=committee)


def tanks_of(committee: Committee) -> QuerySet[Tank]:
    return Tank.objects.filter(committee=committee)


def meters_of(committee: Committee) -> QuerySet[ProductionMeter]:
    """Production and district meters, with the source or sector each one measures."""
    return ProductionMeter.objects.filter(committee=committee).select_related("source", "sector")


def tanker_in_use(committee: Committee) -> bool:
    """Whether the committee buys from a tanker supplier (the log then asks for tanker m³)."""
    return Source.objects.filter(
        committee=committee, kind=Source.Kind.TANKER, is_active=True
    ).exists()


def tanker_price(committee: Committee) -> Decimal | None:
    """Today's price of tanker water: the first active tanker supplier's with a price."""
    return (
        Source.objects.filter(committee=committee, kind=Source.Kind.TANKER, is_active=True)
        .exclude(price_per_m3__isnull=True)
        .order_by("pk")
        .values_list("price_per_m3", flat=True)
        .first()
    )
