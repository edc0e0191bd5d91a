"""Meter readings checked without a database: consumption, roll-over, flags and estimates.

Pure Python, no Django: services feed it plain values and store what it answers. A check never
corrects a reading; it only says what a person should look at (the flags). See docs/readings.md.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import NamedTuple

LITRE = Decimal("0.001")
ZERO = Decimal(0)

# The flags, in the order they are reported.
TOO_LARGE = "too_large"  # the dials cannot show that value
BELOW_PREVIOUS = "below_previous"  # lower than before, and a roll-over is implausible
ROLLOVER = "rollover"  # lower than before, plausible as the dials passing 99999 -> 00000
ZERO_USE = "zero"  # no water used in an occupied household
SPIKE = "spike"  # far above the connection's own history
REMOVED_METER = "removed_meter"  # the meter read is no longer in service
TWICE = "twice"  # this round already has another value for the connection
FUTURE = "future"  # read_at is later than now
FLAGS = (TOO_LARGE, BELOW_PREVIOUS, ROLLOVER, ZERO_USE, SPIKE, REMOVED_METER, TWICE, FUTURE)

# A roll-over is plausible while its consumption stays under this many m³ a month ...
ROLLOVER_FLOOR = Decimal(200)
# ... or under this many times the usual consumption, whichever is more.
ROLLOVER_FACTOR = 10
# A spike is more than SPIKE_FACTOR x usual and more than usual + SPIKE_MARGIN m³ a month,
# judged only once the connection has SPIKE_MIN_HISTORY months of actual readings.
SPIKE_FACTOR = 3
SPIKE_MARGIN = Decimal(15)
SPIKE_MIN_HISTORY = 3
# Usual consumption is the median of the last USUAL_WINDOW actual monthly consumptions;
# an estimate is the average of the last ESTIMATE_WINDOW.
USUAL_WINDOW = 6
ESTIMATE_WINDOW = 3
# A phone's clock may run a little ahead; beyond this a reading is "in the future".
CLOCK_TOLERANCE = timedelta(minutes=10)


class Checked(NamedTuple):
    """What a check found. Unpacks as `m3, flags = check(...)`.

    `consumption` is the metered m³ since the previous actual reading, over every meter in
    between. It is negative only when "below_previous" is flagged: the meter shows less than
    before and a roll-over is implausible, so the difference is reported as it is.
    """

    consumption: Decimal
    flags: tuple[str, ...]


def capacity(digits: int) -> Decimal:
    """The first value a meter with `digits` whole-m³ dials cannot show: 10**digits."""
    if not 1 <= digits <= 12:
        raise ValueError(f"a meter has 1 to 12 dial digits, not {digits}")
    return Decimal(10) ** digits


def _in_range(value: Decimal, digits: int, what: str) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{what} must be a finite Decimal, not {value!r}")
    if value < 0 or value >= capacity(digits):
        raise ValueError(f"{what} {value} is outside a {digits}-digit meter's range")


def consumption(previous: Decimal, current: Decimal, digits: int) -> tuple[Decimal, bool]:
    """m³ used between two readings of one meter, and whether the dials rolled over.

    A roll-over is assumed only when the current reading is lower than the previous one:
    consumption = current + 10**digits - previous. Both readings must fit the dials.
    """
    _in_range(previous, digits, "previous reading")
    _in_range(current, digits, "current reading")
    if current >= previous:
        return current - previous, False
    return current + capacity(digits) - previous, True


def usual(history: Sequence[Decimal]) -> Decimal | None:
    """The median of the last six actual monthly consumptions; None without history."""
    recent = list(history)[-USUAL_WINDOW:]
    if not recent:
        return None
    return Decimal(median(recent)).quantize(LITRE, rounding=ROUND_HALF_UP)


def rollover_limit(history: Sequence[Decimal], months: int = 1) -> Decimal:
    """The most a roll-over may add up to before it is implausible: max(10 x usual, 200 m³)
    a month, times the months since the previous actual reading."""
    base = usual(history)
    monthly = ROLLOVER_FLOOR if base is None else max(ROLLOVER_FACTOR * base, ROLLOVER_FLOOR)
    return monthly * max(months, 1)


def _spike_threshold(history: Sequence[Decimal]) -> Decimal | None:
    recent = list(history)[-USUAL_WINDOW:]
    if len(recent) < SPIKE_MIN_HISTORY:
        return None
    middle = Decimal(median(recent))
    return max(SPIKE_FACTOR * middle, middle + SPIKE_MARGIN)


def is_spike(m3: Decimal, history: Sequence[Decimal], months: int = 1) -> bool:
    """Consumption (a month's worth) above max(3 x median, median + 15 m³) of the last six
    actual months; never judged with fewer than three months of history."""
    threshold = _spike_threshold(history)
    return threshold is not None and m3 / max(months, 1) > threshold


def spike_above(history: Sequence[Decimal]) -> Decimal | None:
    """The monthly m³ above which a reading is flagged as a spike (is_spike), to the litre, for
    the reader's phone to warn before the server flags; None while the history is too short."""
    threshold = _spike_threshold(history)
    return None if threshold is None else threshold.quantize(LITRE, ROUND_HALF_UP)


def _segment(start: Decimal, end: Decimal, digits: int, limit: Decimal) -> tuple[Decimal, str]:
    m3, rolled = consumption(start, end, digits)
    if not rolled:
        return m3, ""
    if m3 <= limit:
        return m3, ROLLOVER
    return end - start, BELOW_PREVIOUS


def check(
    *,
    value: Decimal,
    previous: Decimal,
    digits: int,
    history: Sequence[Decimal] = (),
    months: int = 1,
    replaced: Sequence[tuple[Decimal, Decimal, int]] = (),
    occupied: bool = False,
    meter_removed: bool = False,
    existing: Decimal | None = None,
    read_at: datetime | None = None,
    now: datetime | None = None,
) -> Checked:
    """Check one reading. Same inputs, same answer.

    value, previous, digits: this reading, the reading it is compared with on the same meter
        (the last actual reading, or the meter's initial reading after a replacement), and the
        meter's dial digits.
    history: the connection's actual monthly consumptions, oldest first.
    months: months since the previous actual reading (more than one after estimates).
    replaced: (from, to, digits) of each meter replaced since the previous actual reading;
        their consumption is added (old meter's final reading minus the last one read).
    occupied: an active connection whose household has people in it.
    meter_removed: the meter read is no longer in service.
    existing: another value already held for this connection in this round.
    """
    if value < 0:
        raise ValueError("a meter reading cannot be negative")
    if value >= capacity(digits):
        return Checked(ZERO, (TOO_LARGE,))
    found: set[str] = set()
    limit = rollover_limit(history, months)
    total = ZERO
    for start, end, segment_digits in (*replaced, (previous, value, digits)):
        m3, flag = _segment(start, end, segment_digits, limit)
        total += m3
        if flag:
            found.add(flag)
    if occupied and total == 0:
        found.add(ZERO_USE)
    if total > 0 and is_spike(total, history, months):
        found.add(SPIKE)
    if meter_removed:
        found.add(REMOVED_METER)
    if existing is not None and existing != value:
        found.add(TWICE)
    if read_at is not None and now is not None and read_at > now + CLOCK_TOLERANCE:
        found.add(FUTURE)
    return Checked(total, tuple(flag for flag in FLAGS if flag in found))


def estimate(history: Sequence[Decimal]) -> Decimal:
    """The average of the last three actual monthly consumptions, to the litre; 0 without
    history."""
    recent = list(history)[-ESTIMATE_WINDOW:]
    if not recent:
        return ZERO.quantize(LITRE)
    return (sum(recent, ZERO) / len(recent)).quantize(LITRE, rounding=ROUND_HALF_UP)


def settle(metered: Decimal, billed_since: Decimal, carried: Decimal) -> tuple[Decimal, Decimal]:
    """What an actual reading bills after estimates: (consumption, carried forward).

    metered: m³ the meters moved since the last actual reading.
    billed_since: m³ billed by the estimates since then.
    carried: m³ already billed but not yet used, brought forward to the last actual reading.
    When estimates billed more than was used, this month bills 0 and the difference is carried
    forward, to be deducted from the next months.
    """
    due = metered - billed_since - carried
    if due >= 0:
        return due, ZERO
    return ZERO, -due


def deduct(m3: Decimal, carried: Decimal) -> tuple[Decimal, Decimal]:
    """An estimated month first uses up what was carried forward: (consumption, still carried)."""
    if m3 >= carried:
        return m3 - carried, ZERO
    return ZERO, carried - m3
