"""Reads of the operator's log: a day's form with each meter's previous reading, the recent logs,
a meter's readings around a day, and the interruptions of a span of months."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from comunagua.lib.periods import Period
from comunagua.registry.models import Sector
from comunagua.tenancy.models import Committee

from ..models import Interruption, MeterReading, OperatorLog, ProductionMeter, Tank

ZERO = Decimal(0)


@dataclass
class MeterRow:
    meter: ProductionMeter
    previous: Decimal
    previous_day: date
    reading: MeterReading | None = None  # the day's own reading, when the day is logged


def previous_reading(*, meter: ProductionMeter, day: date) -> tuple[Decimal, date]:
    """The meter's last reading before `day` and its day; the reading at installation when
    there is none."""
    before = (
        MeterReading.objects.filter(meter=meter, day__lt=day)
        .order_by("-day")
        .values_list("value", "day")
        .first()
    )
    if before is not None:
        return before
    return meter.initial_reading, meter.installed_on


def next_reading(
    *, meter: ProductionMeter, day: date, excluding: OperatorLog | None = None
) -> MeterReading | None:
    """The meter's first reading after `day` (not one of the log `excluding`, being replaced)."""
    following = MeterReading.objects.filter(meter=meter, day__gt=day)
    if excluding is not None:
        following = following.exclude(log=excluding)
    return following.order_by("day").first()


def previous_log_day(*, committee: Committee, day: date) -> date | None:
    """The day of the committee's last log before `day`."""
    return (
        OperatorLog.objects.filter(committee=committee, day__lt=day)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )


def log_of_day(*, committee: Committee, day: date) -> OperatorLog | None:
    return OperatorLog.objects.filter(committee=committee, day=day).first()


def log_form_rows(*, committee: Committee, day: date, log: OperatorLog | None = None) -> dict:
    """What the operator's page shows for a day: each active meter with the reading before that
    day, the tanks, the sectors, and the previous log."""
    meters = list(
        ProductionMeter.objects.filter(committee=committee, is_active=True)
        .select_related("source", "sector")
        .order_by("sector__position", "name")
    )
    rows = []
    for meter in meters:
        previous, previous_day = previous_reading(meter=meter, day=day)
        own = log.readings.filter(meter=meter).first() if log is not None else None
        rows.append(MeterRow(meter, previous, previous_day, own))
    previous_log = (
        OperatorLog.objects.filter(committee=committee, day__lt=day).order_by("-day").first()
    )
    return {
        "meters": rows,
        "tanks": list(Tank.objects.filter(committee=committee, is_active=True)),
        "sectors": list(Sector.objects.filter(committee=committee).order_by("position", "name")),
        "previous_log": previous_log,
    }


def recent_logs(*, committee: Committee, limit: int = 14) -> list[OperatorLog]:
    logs = list(
        OperatorLog.objects.filter(committee=committee)
        .order_by("-day")
        .prefetch_related("readings__meter", "tank_levels__tank", "interruptions")[:limit]
    )
    for log in logs:
        log.produced_m3 = sum(
            (r.volume_m3 for r in log.readings.all() if r.meter.source_id is not None), ZERO
        )
    return logs


def produced_m3(log: OperatorLog) -> Decimal:
    """What the log's source meters measured (district meters count water already produced)."""
    return sum((r.volume_m3 for r in log.readings.select_related("meter") if r.meter.source_id), 0)


def edited_interruption(log: OperatorLog) -> Interruption | None:
    """The interruption the log's form shows and a correction replaces: the first entered."""
    return log.interruptions.order_by("id").first()


def interruptions(*, committee: Committee, first: Period, last: Period) -> list[Interruption]:
    return list(
        Interruption.objects.filter(
            committee=committee, log__day__gte=first.first_day, log__day__lte=last.last_day
        )
        .select_related("log")
        .prefetch_related("sectors")
        .order_by("-log__day")
    )
