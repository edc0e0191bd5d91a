"""Writes to the operator's log: a day entered, a day corrected. Keyword-only, one transaction
each; every figure is checked first (log/checks.py) and a refused day changes nothing. See
docs/supply.md.
"""

from collections.abc import Mapping
from decimal import Decimal
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comunagua.tenancy.models import Committee

from ..models import (
    Interruption,
    MeterReading,
    OperatorLog,
    ProductionMeter,
    Source,
    SupplyHours,
    TankLevel,
)
from ..network import selectors as network_selectors
from ..validation import day_text, invalid, one_line
from . import selectors
from .checks import check_entry, meter_volume
from .entry import LOG_NUMBERS, LogEntry


def _bought_price(meter: ProductionMeter) -> Decimal | None:
    """The price per m³ of the water a meter counts, when it is bought water."""
    source = meter.source
    if source is None or source.kind == Source.Kind.WELL:
        return None
    return source.price_per_m3


def _write_log(
    log: OperatorLog,
    clean: dict,
    entry: LogEntry,
    prices: Mapping[int, Decimal | None] | None = None,
) -> None:
    """Write the log's rows. `prices`: the price each meter's reading was first entered with
    (a correction keeps it); other readings take their source's price today."""
    committee = log.committee
    prices = prices or {}
    for meter, value, volume, following, after in clean["readings"]:
        MeterReading.objects.create(
            committee=committee,
            log=log,
            meter=meter,
            day=log.day,
            value=value,
            previous_value=volume.previous,
            volume_m3=volume.volume,
            rolled_over=volume.rolled_over,
            price_per_m3=prices[meter.pk] if meter.pk in prices else _bought_price(meter),
        )
        if following is not None:
            following.previous_value = after.previous
            following.volume_m3 = after.volume
            following.rolled_over = after.rolled_over
            following.save(update_fields=["previous_value", "volume_m3", "rolled_over"])
    TankLevel.objects.bulk_create(
        TankLevel(committee=committee, log=log, tank=tank, percent=percent)
        for tank, percent in clean["tank_levels"]
    )
    SupplyHours.objects.bulk_create(
        SupplyHours(committee=committee, log=log, sector=sector, hours=hours)
        for sector, hours in clean["supply_hours"]
    )
    if entry.interruption is not None:
        cut_hours, households = clean["interruption"]
        interruption = Interruption.objects.create(
            committee=committee,
            log=log,
            cause=entry.interruption.cause,
            hours=cut_hours,
            households=int(households),
            description=one_line(entry.interruption.description, 500),
        )
        interruption.sectors.set(
            entry.interruption.sectors, through_defaults={"committee": committee}
        )


@transaction.atomic
def operator_log_enter(
    *, committee: Committee, entry: LogEntry, by, client_id: UUID | None = None
) -> OperatorLog:
    """Record a day of the operator's log. One log a day: a second one for the same day is
    refused (correct the first instead), except a replay of the same client id, which returns
    the log already stored."""
    if client_id is not None:
        replay = OperatorLog.objects.filter(committee=committee, client_id=client_id).first()
        if replay is not None:
            return replay
    # One writer at a time per committee: two phones logging the same day meet here.
    Committee.objects.select_for_update().filter(pk=committee.pk).first()
    if OperatorLog.objects.filter(committee=committee, day=entry.day).exists():
        raise invalid(
            "day",
            _("There is already a log for %(day)s: open it from the list to correct it.")
            % {"day": day_text(entry.day)},
            "duplicate_day",
        )
    clean = check_entry(committee, entry, replacing=None)
    log = OperatorLog(
        committee=committee,
        day=entry.day,
        note=one_line(entry.note, 500),
        entered_by=by,
        client_id=client_id,
        tanker_price_per_m3=network_selectors.tanker_price(committee)
        if clean["tanker_m3"]
        else None,
        **{name: clean[name] for name in LOG_NUMBERS},
    )
    try:
        with transaction.atomic():
            log.save()
    except IntegrityError:
        raise invalid(
            "day", _("There is already a log for %(day)s.") % {"day": day_text(entry.day)}
        ) from None
    _write_log(log, clean, entry)
    return log


@transaction.atomic
def operator_log_correct(*, log: OperatorLog, entry: LogEntry, by) -> OperatorLog:
    """Replace what a day's log says (its day stays). The next reading of each meter is
    recomputed from the corrected one."""
    committee = log.committee
    Committee.objects.select_for_update().filter(pk=committee.pk).first()
    if entry.day != log.day:
        raise invalid("day", _("A log's day cannot change: enter a new log for another day."))
    clean = check_entry(committee, entry, replacing=log)
    removed = list(log.readings.select_related("meter"))
    prices = {old.meter_id: old.price_per_m3 for old in removed}
    log.readings.all().delete()
    log.tank_levels.all().delete()
    log.supply_hours.all().delete()
    # The form edits one interruption (the first entered); the day's others stay as they are.
    edited = selectors.edited_interruption(log)
    if edited is not None:
        edited.delete()
    for name in LOG_NUMBERS:
        setattr(log, name, clean[name])
    if not clean["tanker_m3"]:
        log.tanker_price_per_m3 = None
    elif log.tanker_price_per_m3 is None:  # tanker water added now: today's price
        log.tanker_price_per_m3 = network_selectors.tanker_price(committee)
    log.note = one_line(entry.note, 500)
    log.entered_by = by
    log.save()
    _write_log(log, clean, entry, prices)
    # A meter no longer read that day: its next reading now follows the one before.
    read_now = {meter.pk for meter, *_rest in clean["readings"]}
    for old in removed:
        if old.meter_id in read_now:
            continue
        following = selectors.next_reading(meter=old.meter, day=log.day)
        if following is None:
            continue
        previous, previous_day = selectors.previous_reading(meter=old.meter, day=following.day)
        volume = meter_volume(
            old.meter, previous, following.value, days=(following.day - previous_day).days
        )
        following.previous_value = volume.previous
        following.volume_m3 = volume.volume
        following.rolled_over = volume.rolled_over
        following.save(update_fields=["previous_value", "volume_m3", "rolled_over"])
    return log
