"""Reads of bills shared by pages, commands and (later) the API."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from comunagua.lib.money import cents, sum_to_cents, sum_to_unit
from comunagua.lib.periods import Period
from comunagua.tenancy.models import Committee

from .models import Bill, BillingRun, CreditNote

ZERO = Decimal("0.00")


def run_of(*, committee: Committee, period: Period) -> BillingRun | None:
    return BillingRun.objects.filter(committee=committee, period=period.first_day).first()


def billed_periods(*, committee: Committee) -> list[Period]:
    """Every billed month, the latest first."""
    return [
        Period.of(day)
        for day in BillingRun.objects.filter(committee=committee)
        .order_by("-period")
        .values_list("period", flat=True)
    ]


def bills_of_period(*, committee: Committee, period: Period) -> QuerySet[Bill]:
    """The period's bills in number order, with their connection and holder."""
    return (
        Bill.objects.filter(committee=committee, period=period.first_day)
        .select_related("connection", "member")
        .order_by("number")
    )


def bill_list(
    *, committee: Committee, period: Period | None = None, connection_number: str | None = None
) -> QuerySet[Bill]:
    """Bills newest first, of one period and/or one connection, with connection and holder."""
    bills = Bill.objects.filter(committee=committee).select_related("connection", "member")
    if period is not None:
        bills = bills.filter(period=period.first_day)
    if connection_number is not None:
        bills = bills.filter(connection__number=connection_number)
    return bills.order_by("-period", "-number")


# --- what the water balance reads of the bills (supply calls these; it never reads Bill) ------

BILLED_LITRE = Decimal("0.001")  # billed volumes to the litre


def is_water_line(code: str) -> bool:
    """A bill line that sells water: the fixed charge and the blocks (not sewer, other charges
    or the rounding of the total)."""
    return code == "fixed" or code.startswith("block")


def water_charges_of(lines: list[dict], charges_total: Decimal, credited: Decimal) -> Decimal:
    """What a bill charged for water, less its share of the credit notes against it. A credit
    note names no line, so it is spread over the bill's lines in proportion (unrounded)."""
    water = sum(
        (Decimal(line["amount"]) for line in lines if is_water_line(line["code"])), Decimal(0)
    )
    if credited and charges_total > 0:
        water -= credited * water / charges_total
    return water


@dataclass(frozen=True)
class BilledVolume:
    """A billed month's volumes and the price of its water, as the water balance needs them."""

    metered_m3: Decimal  # bills with a reading behind them, to the litre
    unmetered_m3: Decimal  # bills of a fixed volume (no reading), to the litre
    water_charges: Decimal  # the water lines less the credit notes against them; unrounded
    bills: int


def billed_volumes(
    *, committee: Committee, first: Period, last: Period
) -> dict[Period, BilledVolume]:
    """Each billed month of first..last (months without bills are absent): the bills' metered
    and unmetered volumes, how many bills, and their water charges — the fixed charge and the
    blocks, less the credit notes against them (sewer, fines and fees are not the price of
    water). Three queries for the whole span."""
    bills = Bill.objects.filter(
        committee=committee, period__gte=first.first_day, period__lte=last.first_day
    )
    credited = {
        row["bill_id"]: sum_to_cents(row["total"])
        for row in CreditNote.objects.filter(committee=committee, bill__in=bills)
        .values("bill_id")
        .annotate(total=Sum("amount"))
    }
    water: dict[Period, Decimal] = {}
    for pk, period, lines, total in bills.values_list("pk", "period", "lines", "charges_total"):
        month = Period.of(period)
        charges = water_charges_of(lines, total, credited.get(pk, Decimal(0)))
        water[month] = water.get(month, Decimal(0)) + charges
    rows = bills.values("period").annotate(
        metered=Sum("consumption_m3", filter=Q(reading_id__isnull=False)),
        unmetered=Sum("consumption_m3", filter=Q(reading_id__isnull=True)),
        n=Count("id"),
    )
    return {
        Period.of(row["period"]): BilledVolume(
            metered_m3=sum_to_unit(row["metered"], BILLED_LITRE),
            unmetered_m3=sum_to_unit(row["unmetered"], BILLED_LITRE),
            water_charges=water.get(Period.of(row["period"]), Decimal(0)),
            bills=row["n"],
        )
        for row in rows
    }


def billed_volumes_by_sector(
    *, committee: Committee, first: Period, last: Period, sector_ids
) -> dict[tuple[int, Period], Decimal]:
    """{(sector id, month): m³ billed} for the connections of the given sectors in first..last,
    to the litre (one query). A sector's month without bills is absent."""
    rows = (
        Bill.objects.filter(
            committee=committee,
            period__gte=first.first_day,
            period__lte=last.first_day,
            connection__lot__sector_id__in=sector_ids,
        )
        .values("period", "connection__lot__sector_id")
        .annotate(m3=Sum("consumption_m3"))
    )
    return {
        (row["connection__lot__sector_id"], Period.of(row["period"])): sum_to_unit(
            row["m3"], BILLED_LITRE
        )
        for row in rows
    }


def latest_billed_period(*, committee: Committee) -> Period | None:
    """The latest month with a bill, or None before the first bill."""
    day = (
        Bill.objects.filter(committee=committee)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    return Period.of(day) if day else None


def credited(bill: Bill) -> Decimal:
    """What credit notes have already taken back from the bill."""
    total = CreditNote.objects.filter(bill=bill).aggregate(total=Sum("amount"))["total"]
    return ZERO if total is None else cents(total)  # SQLite sums decimals as floats
