"""Every write to readings: entering them (one, or a batch from a phone or another system) and
deciding on those flagged. Keyword-only, one transaction each; the user who acts is stamped on
the history record. A check never corrects a reading: it flags it, and a person accepts (with
a reason) or rejects it. The rules are in docs/readings.md."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from comunagua.lib.periods import Period
from comunagua.registry.models import Connection, Holding, Meter
from comunagua.tenancy.models import Committee
from comunagua.tenancy.writes import ensure_same_committee, save_validated

from .. import validation
from ..models import Reading, Round
from . import selectors

Status = Reading.Status
Source = Reading.Source
ENTERED_SOURCES = (Source.WEB, Source.PHONE, Source.IMPORT)


def _month(period: date | Period) -> str:
    return str(period if isinstance(period, Period) else Period.of(period))


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _reason(reason: str) -> str:
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Write the reason for the decision.")})
    return reason


def ensure_round_open(round: Round) -> None:
    """Refuse any change to the readings of a closed round (round_close checks it too)."""
    if not round.is_open:
        raise ValidationError(
            _("The round of %(month)s is closed: its readings can no longer change.")
            % {"month": _month(round.period)},
            code="round_closed",
        )


def _invalid(message: str, code: str, field: str | None = None) -> ValidationError:
    """A refusal with a machine code: the API answers it as `{"code", "message"}`."""
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error


def error_code(error: ValidationError) -> str:
    """The first machine code inside a ValidationError ("invalid" when none was given)."""
    if hasattr(error, "error_dict"):
        errors = [e for field_errors in error.error_dict.values() for e in field_errors]
    else:
        errors = error.error_list
    return next((e.code for e in errors if e.code), "invalid")


def error_message(error: ValidationError) -> str:
    return " ".join(error.messages)


def _reading_value(value) -> Decimal:
    not_a_number = _("Enter the reading as a number.")
    # Decimal() also takes "1_000", which no person or phone writes for a meter reading.
    if isinstance(value, float | bool) or (isinstance(value, str) and "_" in value):
        raise _invalid(not_a_number, "not_a_number", "value")
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise _invalid(not_a_number, "not_a_number", "value") from None
    if not value.is_finite():
        raise _invalid(not_a_number, "not_a_number", "value")
    if value < 0:
        raise _invalid(_("A meter reading cannot be negative."), "negative", "value")
    if value >= validation.capacity(12):
        raise _invalid(_("That number is far too large for a meter."), "absurd", "value")
    if value != value.quantize(validation.LITRE, rounding=ROUND_DOWN):
        raise _invalid(
            _("A reading has at most three decimals (litres)."), "too_many_decimals", "value"
        )
    return value.quantize(validation.LITRE)


def _meter_read(connection: Connection, meters: list[Meter], meter: Meter | None) -> Meter:
    if meter is not None:
        if meter.connection_id != connection.pk:
            raise _invalid(_("That meter is not on this connection."), "wrong_meter", "meter")
        return next(m for m in meters if m.pk == meter.pk)
    in_service = [m for m in meters if m.in_service]
    if in_service:
        return in_service[-1]
    if meters:
        return meters[-1]
    raise _invalid(
        _("This connection has no meter: install one in the register first."), "no_meter"
    )


@dataclass
class _Measure:
    previous: Decimal  # compared with, on the meter read
    replaced: list[tuple[Decimal, Decimal, int]] = field(default_factory=list)
    months: int = 1


def _measure(
    *, meters: list[Meter], meter: Meter, before: selectors.Before, period: date
) -> _Measure:
    """From the last actual reading (or the first meter's installation) to the meter read:
    which value to compare with, and the meters replaced in between."""
    by_id = {m.pk: m for m in meters}
    anchor = before.last_actual
    if anchor is not None:
        anchor_meter, anchor_value = by_id[anchor.meter_id], anchor.value
        months = max(_months_between(anchor.period, period), 1)
    else:
        first = before.estimates[0].meter_id if before.estimates else meter.pk
        anchor_meter = by_id[first]
        anchor_value = anchor_meter.initial_reading
        months = len(before.estimates) + 1
    start, end = meters.index(anchor_meter), meters.index(meter)
    if start == end:
        return _Measure(previous=anchor_value, months=months)
    if start > end:  # a reading of a meter older than the last one read: flagged removed_meter
        return _Measure(previous=meter.initial_reading, months=months)
    replaced = [(anchor_value, _final(anchor_meter, anchor_value), anchor_meter.digits)]
    replaced += [
        (m.initial_reading, _final(m, m.initial_reading), m.digits) for m in meters[start + 1 : end]
    ]
    return _Measure(previous=meter.initial_reading, replaced=replaced, months=months)


def _final(meter: Meter, fallback: Decimal) -> Decimal:
    return meter.final_reading if meter.final_reading is not None else fallback


@dataclass(frozen=True)
class ReadingInput:
    """One reading to enter. `connection` is the connection itself or its number (as the
    phone and other systems know it)."""

    connection: Connection | str
    value: object
    read_at: datetime | None = None
    client_id: UUID | None = None
    note: str = ""
    photo_ref: str = ""
    meter: Meter | None = None


NOTE_MAX = Reading._meta.get_field("note").max_length
PHOTO_REF_MAX = Reading._meta.get_field("photo_ref").max_length
STORED, DUPLICATE, CONFLICT, REJECTED = "stored", "duplicate", "conflict", "rejected"


@dataclass
class Entered:
    """What became of one ReadingInput.

    stored: a new reading (accepted, or flagged for review: see reading.flags);
    duplicate: already held (the same client id again, or the same value for the connection
        in this round): nothing changed and `reading` is the one held;
    conflict: a second, different value, kept beside the first for the office to decide;
    rejected: nothing stored; `error` says why."""

    status: str
    reading: Reading | None = None
    error: ValidationError | None = None


class _Batch:
    """Everything a batch of readings needs from the database, read once for all of them,
    after the batch's connections are locked so that two phones sending overlapping batches
    are entered one after the other."""

    def __init__(self, committee: Committee, round: Round | None, inputs: Sequence[ReadingInput]):
        self.committee, self.round = committee, round
        numbers = {i.connection.strip() for i in inputs if isinstance(i.connection, str)}
        ids = {i.connection.pk for i in inputs if isinstance(i.connection, Connection)}
        found = Connection.objects.filter(committee=committee).filter(
            Q(number__in=numbers) | Q(pk__in=ids)
        )
        # Locked in id order: two batches never wait for each other in a circle.
        locked = list(found.select_for_update().order_by("pk"))
        self.by_number = {c.number: c for c in locked}
        self.by_id = {c.pk: c for c in locked}
        self.meters: dict[int, list[Meter]] = defaultdict(list)
        for meter in Meter.objects.filter(connection__in=locked).order_by("installed_on", "id"):
            self.meters[meter.connection_id].append(meter)
        self.occupied = set(
            Holding.objects.filter(
                connection__in=locked,
                connection__status=Connection.Status.ACTIVE,
                ended_on__isnull=True,
                member__household_size__gt=0,
            ).values_list("connection_id", flat=True)
        )
        client_ids = [i.client_id for i in inputs if i.client_id is not None]
        self.by_client = {
            r.client_id: r
            for r in Reading.objects.filter(committee=committee, client_id__in=client_ids)
        }
        self.held: dict[int, list[Reading]] = defaultdict(list)
        self.before: dict[int, selectors.Before] = {}
        if round is not None:
            for reading in Reading.objects.filter(
                round=round, connection__in=locked, status__in=(*Reading.LIVE, Status.CONFLICT)
            ).order_by("id"):
                self.held[reading.connection_id].append(reading)
            self.before = selectors.readings_before(connections=self.by_id, period=round.period)
        self.new: list[Reading] = []  # built, not yet inserted

    def connection(self, given: Connection | str) -> Connection:
        found = (
            self.by_id.get(given.pk)
            if isinstance(given, Connection)
            else self.by_number.get(str(given).strip())
        )
        if found is None:
            if isinstance(given, Connection):
                raise ValidationError(
                    _("That record belongs to another committee."), code="other_committee"
                )
            raise _invalid(
                _("There is no connection number %(number)s in this committee.")
                % {"number": given},
                "unknown_connection",
                "connection",
            )
        return found

    def flush(self, by, now) -> None:
        """Insert what was built, with its history; the readings get their ids."""
        if self.new:
            bulk_create_with_history(self.new, Reading, default_user=by, default_date=now)
            self.new = []


def _enter_one(batch: _Batch, given: ReadingInput, *, source: str, by, now) -> Entered:
    connection = batch.connection(given.connection)
    value = _reading_value(given.value)
    if given.client_id is not None:
        replay = batch.by_client.get(given.client_id)
        if replay is not None:
            if (replay.connection_id, replay.value) == (connection.pk, value):
                return Entered(DUPLICATE, replay)
            raise _invalid(
                _("This client id was already used for another reading."), "client_id_reused"
            )
    reading_round = batch.round
    if reading_round is None:
        raise _invalid(_("No reading round is open."), "no_open_round")
    ensure_round_open(reading_round)
    if connection.status == Connection.Status.CLOSED:
        raise _invalid(
            _("Connection %(number)s is closed: it is not read.") % {"number": connection.number},
            "connection_closed",
            "connection",
        )
    held = batch.held[connection.pk]
    for reading in held:
        if reading.value == value:
            return Entered(DUPLICATE, reading)
    live = next((r for r in held if r.status in Reading.LIVE), None)
    note, photo_ref = given.note.strip(), given.photo_ref.strip()
    if len(note) > NOTE_MAX or len(photo_ref) > PHOTO_REF_MAX:
        raise _invalid(
            _("A note has at most %(n)s characters.") % {"n": NOTE_MAX}, "too_long", "note"
        )
    meters = batch.meters[connection.pk]
    meter = _meter_read(connection, meters, given.meter)
    before = batch.before.get(connection.pk, selectors.Before())
    measure = _measure(meters=meters, meter=meter, before=before, period=reading_round.period)
    read_at = given.read_at or now
    checked = validation.check(
        value=value,
        previous=measure.previous,
        digits=meter.digits,
        history=before.history,
        months=measure.months,
        replaced=measure.replaced,
        occupied=connection.pk in batch.occupied,
        meter_removed=not meter.in_service,
        existing=live.value if live is not None else None,
        read_at=read_at,
        now=now,
    )
    if validation.TOO_LARGE in checked.flags:
        raise _invalid(
            _("A %(digits)s-digit meter cannot show %(value)s.")
            % {"digits": meter.digits, "value": value},
            "too_large",
            "value",
        )
    anchor = before.last_actual
    m3, carried = validation.settle(
        checked.consumption,
        before.billed_since_actual,
        anchor.carried_m3 if anchor is not None else validation.ZERO,
    )
    if before.previous is not None and before.previous.meter_id == meter.pk:
        previous_value = before.previous.value
    else:
        previous_value = meter.initial_reading
    if live is not None:
        status = Status.CONFLICT
        if live.pk is None:  # the live one came earlier in this same batch
            batch.flush(by, now)
    elif checked.flags:
        status = Status.FLAGGED
    else:
        status = Status.ACCEPTED
    reading = Reading(
        committee_id=reading_round.committee_id,
        round=reading_round,
        connection=connection,
        meter=meter,
        value=value,
        read_at=read_at,
        source=source,
        entered_by=by,
        entered_at=now,
        note=note,
        photo_ref=photo_ref,
        flags=list(checked.flags),
        status=status,
        conflict_with=live,
        previous_value=previous_value,
        consumption=m3,
        metered_m3=checked.consumption,
        months=measure.months,
        carried_m3=carried,
        client_id=given.client_id,
    )
    held.append(reading)
    if given.client_id is not None:
        batch.by_client[given.client_id] = reading
    batch.new.append(reading)
    return Entered(CONFLICT if live is not None else STORED, reading)


@transaction.atomic
def readings_enter(
    *,
    committee: Committee,
    round: Round | None,
    readings: Sequence[ReadingInput],
    by,
    source: str = Source.WEB,
) -> list[Entered]:
    """Enter many readings at once (a phone's queue, another system's batch, a sheet), each
    checked exactly as a single one is; one answer per input, in order.

    Never creates a duplicate: an input whose client id is already stored, or whose value the
    connection already holds in the round, is answered "duplicate" and changes nothing, even
    when the round has closed since. A different value for a connection already read is kept
    as a "conflict" for the office to decide, never overwriting the first. A refused input
    (unknown connection, not a number, below the previous reading without a plausible
    roll-over is only flagged, ...) stores nothing and does not stop the others.
    `round` is the open round the readings belong to (None when no round is open).
    """
    if source not in ENTERED_SOURCES:
        raise ValidationError({"source": _("Unknown source of a reading.")})
    if round is not None:
        ensure_same_committee(committee.pk, round)
        # Locked before the connections, as round_close locks it: a round cannot close while
        # a batch is entering readings into it (it waits, then sees them).
        round = Round.objects.select_for_update().get(pk=round.pk)
    for given in readings:
        ensure_same_committee(committee.pk, given.meter)
    now = timezone.now()
    batch = _Batch(committee, round, readings)
    results = []
    for given in readings:
        try:
            results.append(_enter_one(batch, given, source=source, by=by, now=now))
        except ValidationError as error:
            results.append(Entered(REJECTED, error=error))
    batch.flush(by, now)
    return results


def reading_enter(
    *,
    round: Round,
    connection: Connection,
    value: Decimal | str | int,
    read_at: datetime | None = None,
    source: str = Source.WEB,
    by,
    note: str = "",
    photo_ref: str = "",
    client_id: UUID | None = None,
    meter: Meter | None = None,
) -> Reading:
    """Store one reading and flag whatever a person should look at (see readings_enter).

    - No flag: accepted. Flags: "flagged", waiting for a reason to be accepted.
    - The same value again for the connection and round (or the same client_id again): the
      reading already stored is returned, unchanged.
    - Another value while one is held: stored beside it as a "conflict" flagged "twice"; the
      first stays as it is until someone decides (reading_accept / reading_reject).
    - A value the dials cannot show, a negative one or a closed round: ValidationError, nothing
      is stored.
    """
    ensure_same_committee(round.committee_id, connection, meter)
    given = ReadingInput(
        connection=connection,
        value=value,
        read_at=read_at,
        client_id=client_id,
        note=note,
        photo_ref=photo_ref,
        meter=meter,
    )
    (entered,) = readings_enter(
        committee=round.committee, round=round, readings=[given], by=by, source=source
    )
    if entered.error is not None:
        raise entered.error
    return entered.reading


def _locked(reading: Reading) -> Reading:
    return Reading.objects.select_for_update().select_related("round").get(pk=reading.pk)


@transaction.atomic
def reading_accept(*, reading: Reading, by, reason: str) -> Reading:
    """Accept a flagged reading, or a second value (the one it disagreed with is rejected,
    naming this decision). The reason is required and kept."""
    reason = _reason(reason)
    reading = _locked(reading)
    ensure_round_open(reading.round)
    if reading.status not in Reading.PENDING:
        raise ValidationError(_("Only a reading waiting for review can be accepted."))
    now = timezone.now()
    if reading.status == Status.CONFLICT:
        replaced = (
            Reading.objects.select_for_update()
            .filter(round=reading.round, connection=reading.connection_id, status__in=Reading.LIVE)
            .exclude(pk=reading.pk)
        )
        for other in replaced:
            other.status = Status.REJECTED
            other.review_reason = _("Replaced by %(value)s: %(reason)s") % {
                "value": reading.value,
                "reason": reason,
            }
            other.reviewed_by, other.reviewed_at = by, now
            save_validated(other, by)
    reading.status = Status.ACCEPTED
    reading.review_reason = reason
    reading.reviewed_by, reading.reviewed_at = by, now
    save_validated(reading, by)
    return reading


@transaction.atomic
def reading_reject(*, reading: Reading, by, reason: str) -> Reading:
    """Set a reading aside (a typo, a second value that was wrong). It stays in the history;
    the connection may be read again."""
    reason = _reason(reason)
    reading = _locked(reading)
    ensure_round_open(reading.round)
    if reading.status == Status.REJECTED:
        raise ValidationError(_("This reading was already rejected."))
    if reading.estimated:
        raise ValidationError(_("An estimate cannot be rejected."))
    reading.status = Status.REJECTED
    reading.review_reason = reason
    reading.reviewed_by, reading.reviewed_at = by, timezone.now()
    save_validated(reading, by)
    return reading
