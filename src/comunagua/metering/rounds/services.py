"""Every write to a month's reading round and to the routes: opening a round, building the
routes from the sectors, closing a round (estimating the connections not read). Keyword-only,
one transaction each; the user who acts is stamped on the history record. The rules are in
docs/readings.md."""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from comunagua.lib.periods import Period
from comunagua.registry.models import Connection, Meter, Sector
from comunagua.tenancy.models import Committee
from comunagua.tenancy.writes import save_validated

from .. import validation
from ..models import EstimationRule, Reading, Round, Route, RouteStop
from ..readings import selectors as readings
from ..readings.services import ensure_round_open
from . import selectors

Status = Reading.Status
Source = Reading.Source


@transaction.atomic
def round_open(*, committee: Committee, period: Period, by) -> Round:
    """Open the reading round of a month. One round is open at a time and rounds go forward:
    a new month comes after every round already opened, and at most next month."""
    if not isinstance(period, Period):
        raise TypeError("period must be a lib.periods.Period")
    rounds = Round.objects.select_for_update().filter(committee=committee)
    still_open = rounds.filter(status=Round.Status.OPEN).first()
    if still_open is not None:
        raise ValidationError(
            _("The round of %(month)s is still open: close it first.")
            % {"month": Period.of(still_open.period)}
        )
    latest = rounds.order_by("-period").first()
    if latest is not None and period.first_day <= latest.period:
        if period.first_day == latest.period:
            raise ValidationError(_("There is already a reading round for this month."))
        raise ValidationError(
            _("Rounds go forward: the last one is %(month)s.") % {"month": Period.of(latest.period)}
        )
    if period > Period.of(timezone.localdate()).next():
        raise ValidationError(_("A round can be opened at most for next month."))
    reading_round = Round(committee=committee, period=period.first_day, opened_by=by)
    save_validated(reading_round, by)
    return reading_round


def _number_key(number: str) -> tuple:
    """Connection numbers in human order: 2 before 10, "12-A" after "12"."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower())
        for part in re.findall(r"\d+|\D+", number)
    )


@transaction.atomic
def routes_from_sectors(*, committee: Committee, by=None) -> list[Route]:
    """One route per sector, in connection-number order, for every connection still in service
    that no route passes yet (connections without a sector share one route). Safe to run again
    after new connections are registered: existing routes keep their order and gain the new
    connections at the end. Returns the routes that changed."""
    pending = list(
        selectors.unrouted_connections(committee=committee).select_related("lot", "lot__sector")
    )
    groups: dict[Sector | None, list[Connection]] = {}
    for connection in pending:
        groups.setdefault(connection.lot.sector, []).append(connection)
    changed = []
    ordered = sorted(groups, key=lambda s: (s is None, s.position if s else 0, str(s or "")))
    for sector in ordered:
        name = sector.name if sector is not None else _("No sector")
        route = Route.objects.filter(committee=committee, name=name).first()
        if route is None:
            route = Route(
                committee=committee, name=name, position=sector.position if sector else 999
            )
            save_validated(route, by)
        last = route.stops.order_by("-position").values_list("position", flat=True).first() or 0
        for offset, connection in enumerate(
            sorted(groups[sector], key=lambda c: _number_key(c.number)), start=1
        ):
            stop = RouteStop(
                committee=committee, route=route, connection=connection, position=last + offset
            )
            save_validated(stop, by)
        changed.append(route)
    return changed


@dataclass
class Closed:
    round: Round
    estimated: int
    without_meter: list[str]  # active connections with no meter: nothing could be estimated


def _estimate_m3(rule: EstimationRule | None, history) -> Decimal:
    if rule is not None and rule.method == EstimationRule.Method.FIXED:
        return rule.fixed_m3.quantize(validation.LITRE)
    return validation.estimate(history)


@transaction.atomic
def round_close(*, round: Round, by) -> Closed:
    """Close a round: refused while any reading waits for review (they are listed). Every
    active connection without a reading gets an estimate (marked as such) so that billing has
    a volume for everyone; the next actual reading settles the difference."""
    round = Round.objects.select_for_update().get(pk=round.pk)
    ensure_round_open(round)
    pending = list(
        Reading.objects.filter(round=round, status__in=Reading.PENDING)
        .select_related("connection")
        .order_by("connection__number")
    )
    if pending:
        numbers = sorted({r.connection.number for r in pending}, key=_number_key)
        raise ValidationError(
            ngettext(
                "%(count)d reading still needs a review: %(numbers)s.",
                "%(count)d readings still need a review: %(numbers)s.",
                len(pending),
            )
            % {"count": len(pending), "numbers": ", ".join(numbers)}
        )
    now = timezone.now()
    # Listed once: as a nested NOT EXISTS subquery inside the next two queries, PostgreSQL
    # could plan it per reading row (seen with stale statistics, minutes instead of ms).
    unread = list(
        Connection.objects.filter(committee=round.committee, status=Connection.Status.ACTIVE)
        .exclude(
            Exists(
                Reading.objects.filter(
                    round=round, connection=OuterRef("pk"), status__in=Reading.LIVE
                )
            )
        )
        .order_by("number")
    )
    unread_ids = [c.pk for c in unread]
    meters = {
        m.connection_id: m
        for m in Meter.objects.filter(connection_id__in=unread_ids, removed_on__isnull=True)
    }
    before = readings.readings_before(connections=unread_ids, period=round.period)
    rule = EstimationRule.objects.filter(committee=round.committee).first()
    estimates, without_meter = [], []
    for connection in unread:
        meter = meters.get(connection.pk)
        if meter is None:
            without_meter.append(connection.number)
            continue
        past = before.get(connection.pk, readings.Before())
        m3 = _estimate_m3(rule, past.history)
        previous = past.previous
        base = (
            previous.value
            if previous is not None and previous.meter_id == meter.pk
            else meter.initial_reading
        )
        billed, carried = validation.deduct(
            m3, previous.carried_m3 if previous is not None else validation.ZERO
        )
        estimates.append(
            Reading(
                committee_id=round.committee_id,
                round=round,
                connection=connection,
                meter=meter,
                value=((base + m3) % meter.capacity).quantize(validation.LITRE),
                read_at=now,
                source=Source.ESTIMATED,
                estimated=True,
                entered_by=by,
                entered_at=now,
                status=Status.ACCEPTED,
                flags=[],
                previous_value=base,
                consumption=billed,
                metered_m3=None,
                months=1,
                carried_m3=carried,
            )
        )
    bulk_create_with_history(estimates, Reading, default_user=by, default_date=now)
    round.status = Round.Status.CLOSED
    round.closed_at, round.closed_by = now, by
    save_validated(round, by)
    return Closed(round=round, estimated=len(estimates), without_meter=without_meter)
