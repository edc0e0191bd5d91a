"""Writes of arrears and service (mora y corte). Keyword-only, one transaction each, idempotent
with a `client_id`.

- `notice_give`, `connection_disconnect`, `connection_reconnect`: the steps of cutting and
  restoring the water for debt, recorded as service events; the connection's status changes
  through the registry's service (which keeps its history); the reconnection fee is charged as
  a debt.
- `plan_create`: a payment plan: the household's open debt moved to monthly instalments.
- `late_fines_apply`: one late-payment fine per bill past due beyond the rule's days.
- `rules_update`: the committee's rules.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comunagua.lib.money import CENT
from comunagua.registry import services as registry_services
from comunagua.registry.models import Connection
from comunagua.tenancy.models import Committee

from ..books import selectors as books_selectors
from ..books import services as books
from ..books.amounts import amount_clean
from ..models import Allocation, JournalEntry, OpenItem, PaymentPlan, Rules, ServiceEvent
from .arithmetic import (
    FINE,
    INSTALMENT,
    MAX_FIRST_DUE_DAYS,
    MAX_INSTALMENTS,
    RECONNECTION,
    RULE_BOUNDS,
    ZERO,
    add_months,
    split,
)
from .selectors import Standing, fineable_bills, rules_of, standing_of, tariff_charge

RECEIVABLE = "receivable"


def _clean_client_id(client_id: str) -> str:
    return (client_id or "").strip()[:64]


def _note(note: str) -> str:
    return " ".join((note or "").split())[:300]


def _event_replayed(committee, client_id: str, connection: Connection, kind: str):
    if not client_id:
        return None
    found = ServiceEvent.objects.filter(committee=committee, client_id=client_id).first()
    if found is not None and (found.connection_id != connection.pk or found.kind != kind):
        raise ValidationError(_("This request id was already used for another service event."))
    return found


def _event_record(
    connection: Connection, *, kind: str, on: date, by, note: str, client_id: str, check
) -> tuple[ServiceEvent, Connection | None]:
    """Record a service event after `check(locked connection, standing)` allows it. Returns the
    event and the locked connection, or None for it when the same request came again."""
    committee = connection.committee
    client_id = _clean_client_id(client_id)
    found = _event_replayed(committee, client_id, connection, kind)
    if found is not None:
        return found, None
    locked = books.connection_lock(committee, connection.pk)
    found = _event_replayed(committee, client_id, connection, kind)  # its twin held the lock
    if found is not None:
        return found, None
    standing = standing_of(connection=locked, on=on)
    check(locked, standing)
    event = ServiceEvent.objects.create(
        committee=committee,
        connection=locked,
        kind=kind,
        date=on,
        debt=standing.overdue,
        note=_note(note),
        client_id=client_id,
        created_by=by,
    )
    return event, locked


def _status_set(connection: Connection, locked: Connection, status: str, by) -> None:
    """Through the registry's service, which validates and keeps the history of who did it."""
    registry_services.connection_update(connection=locked, by=by, status=status)
    connection.status = status


@transaction.atomic
def notice_give(
    *, connection: Connection, by, on: date | None = None, note: str = "", client_id: str = ""
) -> ServiceEvent:
    """Notify an active household with debt past due that its water will be cut unless it pays
    (or agrees a payment plan) within the rule's days. One notice at a time."""
    on = on or timezone.localdate()

    def check(locked: Connection, standing: Standing) -> None:
        if locked.status != Connection.Status.ACTIVE:
            raise ValidationError(_("Only an active connection can be given a notice."))
        if standing.overdue <= 0:
            raise ValidationError(_("This household has no debt past due."))
        if standing.notice is not None:
            raise ValidationError(
                _("This household was already given a notice on %(date)s.")
                % {"date": standing.notice.date.strftime("%d/%m/%Y")}
            )

    event, _locked = _event_record(
        connection,
        kind=ServiceEvent.Kind.NOTICE,
        on=on,
        by=by,
        note=note,
        client_id=client_id,
        check=check,
    )
    return event


@transaction.atomic
def connection_disconnect(
    *, connection: Connection, by, on: date | None = None, note: str = "", client_id: str = ""
) -> ServiceEvent:
    """Record that the household's water was cut, and mark the connection disconnected. Only by
    the committee's rule: it owes at least `disconnect_after_months` unpaid bills past due and was
    given a notice at least `notice_days` days before."""
    on = on or timezone.localdate()
    rules = rules_of(connection.committee)

    def check(locked: Connection, standing: Standing) -> None:
        if locked.status != Connection.Status.ACTIVE:
            raise ValidationError(_("Only an active connection can be disconnected."))
        if standing.unpaid_bills < rules.disconnect_after_months:
            raise ValidationError(
                _(
                    "This household owes %(bills)s unpaid bills past due; the rules allow a "
                    "disconnection from %(months)s."
                )
                % {"bills": standing.unpaid_bills, "months": rules.disconnect_after_months}
            )
        if standing.notice is None:
            raise ValidationError(_("Give the household a disconnection notice first."))
        if not standing.ready:
            raise ValidationError(
                _(
                    "The notice was given on %(notice)s: the household has until %(until)s to "
                    "pay. It may be disconnected from %(until)s."
                )
                % {
                    "notice": standing.notice.date.strftime("%d/%m/%Y"),
                    "until": standing.disconnect_from.strftime("%d/%m/%Y"),
                }
            )

    event, locked = _event_record(
        connection,
        kind=ServiceEvent.Kind.DISCONNECTION,
        on=on,
        by=by,
        note=note,
        client_id=client_id,
        check=check,
    )
    if locked is not None:
        _status_set(connection, locked, Connection.Status.DISCONNECTED, by)
    return event


@transaction.atomic
def connection_reconnect(
    *,
    connection: Connection,
    by,
    on: date | None = None,
    note: str = "",
    fee=None,
    client_id: str = "",
) -> ServiceEvent:
    """Record that the household's water was restored, mark the connection active again and
    charge the reconnection fee as a debt: `fee` as given (0: waived), or the tariff's
    "reconnection" charge when None. Whether the household must pay first is the board's call."""
    on = on or timezone.localdate()
    committee = connection.committee
    if fee is None:
        fee = tariff_charge(committee, on, RECONNECTION) or ZERO
    fee = amount_clean(fee, "fee", positive=False)

    def check(locked: Connection, standing: Standing) -> None:
        if locked.status != Connection.Status.DISCONNECTED:
            raise ValidationError(_("Only a disconnected connection can be reconnected."))

    event, locked = _event_record(
        connection,
        kind=ServiceEvent.Kind.RECONNECTION,
        on=on,
        by=by,
        note=note,
        client_id=client_id,
        check=check,
    )
    if locked is None:
        return event
    _status_set(connection, locked, Connection.Status.ACTIVE, by)
    if fee > 0:
        books.charges_post(
            committee=committee,
            on=on,
            charges=[
                books.Charge(
                    connection_id=connection.pk,
                    document_type=RECONNECTION,
                    document_number=str(event.pk),
                    due_on=on,
                    lines=(("fees", fee),),
                    description=_("Reconnection fee"),
                )
            ],
            memo=_("Reconnection of connection %(number)s") % {"number": connection.number},
            document_type=RECONNECTION,
            document_number=str(event.pk),
            by=by,
        )
    return event


def _plan_replayed(committee, client_id: str, connection: Connection, count: int):
    if not client_id:
        return None
    found = PaymentPlan.objects.filter(committee=committee, client_id=client_id).first()
    if found is not None and (found.connection_id != connection.pk or found.instalments != count):
        raise ValidationError(_("This request id was already used for another payment plan."))
    return found


def _instalment_count(value) -> int:
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = 0
    if isinstance(value, bool) or str(count) != str(value).strip() or count < 1:
        raise ValidationError({"instalments": _("Write the number of instalments, 1 or more.")})
    if count > MAX_INSTALMENTS:
        raise ValidationError(
            {"instalments": _("At most %(max)s monthly instalments.") % {"max": MAX_INSTALMENTS}}
        )
    return count


@transaction.atomic
def plan_create(
    *,
    connection: Connection,
    instalments,
    first_due_on: date,
    by,
    note: str = "",
    on: date | None = None,
    client_id: str = "",
) -> PaymentPlan:
    """Split the household's whole open debt into `instalments` monthly instalments, the first
    due on `first_due_on`. The plan's entry credits and debits the household's account by the
    debt (net zero: the household owes the same); the old debts are settled by it (allocations
    whose source is the plan's entry) and the instalments are new open items of that entry, each
    the debt's share rounded down to the centavo, the last taking the remainder. A bill shows an
    instalment once it falls due (`books.selectors.balances_due`)."""
    on = on or timezone.localdate()
    committee = connection.committee
    count = _instalment_count(instalments)
    client_id = _clean_client_id(client_id)
    found = _plan_replayed(committee, client_id, connection, count)
    if found is not None:
        return found
    if not isinstance(first_due_on, date):
        raise ValidationError({"first_due_on": _("Give the first instalment's due date.")})
    if first_due_on < on:
        raise ValidationError(
            {"first_due_on": _("The first instalment cannot fall due before the agreement.")}
        )
    if first_due_on > on + timedelta(days=MAX_FIRST_DUE_DAYS):
        raise ValidationError(
            {"first_due_on": _("The first instalment must fall due within a year.")}
        )
    locked = books.connection_lock(committee, connection.pk)
    found = _plan_replayed(committee, client_id, connection, count)
    if found is not None:
        return found
    dues = books_selectors.open_dues(committee=committee, connection_ids={locked.pk}).get(
        locked.pk, []
    )
    total = sum((d.open for d in dues), ZERO)
    if total <= 0:
        raise ValidationError(_("This household has no debt to split into instalments."))
    if total / count < CENT:
        raise ValidationError(
            {
                "instalments": _(
                    "A debt of %(debt)s can be split in at most %(max)s instalments of a "
                    "centavo or more."
                )
                % {"debt": total, "max": int(total / CENT)}
            }
        )
    amounts = split(total, count)
    note = _note(note)
    entry = books.entry_post(
        committee=committee,
        on=on,
        kind=JournalEntry.Kind.PLAN,
        lines=[
            books.Line(RECEIVABLE, credit=total, connection_id=locked.pk),
            books.Line(RECEIVABLE, debit=total, connection_id=locked.pk),
        ],
        memo=note
        or _("Payment plan of connection %(number)s: %(count)s instalments")
        % {"number": locked.number, "count": count},
        by=by,
    )
    plan = PaymentPlan.objects.create(
        committee=committee,
        connection=locked,
        total=total,
        instalments=count,
        first_due_on=first_due_on,
        note=note,
        entry=entry,
        client_id=client_id,
        created_by=by,
    )
    Allocation.objects.bulk_create(
        Allocation(committee=committee, item_id=d.key, source=entry, entry=entry, amount=d.open)
        for d in dues
    )
    OpenItem.objects.bulk_create(
        OpenItem(
            committee=committee,
            connection=locked,
            document_type=INSTALMENT,
            document_number=f"{plan.pk}-{k}",
            description=_("Instalment %(k)s of %(count)s, payment plan %(plan)s")
            % {"k": k, "count": count, "plan": plan.pk},
            due_on=add_months(first_due_on, k - 1),
            amount=amount,
            entry=entry,
        )
        for k, amount in enumerate(amounts, start=1)
    )
    # Credit waiting in the account (rare next to debts) settles the first instalments.
    books.credits_apply(committee=committee, connection_ids={locked.pk}, entry=entry)
    return plan


@transaction.atomic
def late_fines_apply(*, committee: Committee, on: date, by, amount=None) -> int:
    """Charge one late-payment fine per bill still open more than `Rules.late_fine_after_days`
    days after its due date (0 in the rules: no fines), never twice for the same bill: the fine
    is the document "fine-<bill item id>". The amount is `amount`, or the tariff's "late_fine"
    in force on `on`. Returns how many fines were charged."""
    rules = Rules.objects.select_for_update().filter(committee=committee).first()
    if rules is None or rules.late_fine_after_days == 0:
        return 0
    until = on - timedelta(days=rules.late_fine_after_days)
    ids = sorted(set(fineable_bills(committee, until).values_list("connection_id", flat=True)))
    if not ids:
        return 0  # nothing to fine: a tariff without a fine is no reason to stop a billing run
    if amount is None:
        amount = tariff_charge(committee, on, "late_fine")
        if amount is None:
            raise ValidationError(
                _(
                    "The tariff in force has no late-payment fine (late_fine): add it to the "
                    "tariff, or set the fine's days to 0 in the rules."
                )
            )
    amount = amount_clean(amount, "amount", positive=False)
    if amount == 0:
        return 0
    # Lock the households (in order: no deadlock with another writer), then look again: a
    # payment may have settled a bill meanwhile.
    list(
        Connection.objects.select_for_update()
        .filter(committee=committee, pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    bills = list(
        fineable_bills(committee, until, ids)
        .order_by("connection_id", "due_on", "id")
        .values_list("pk", "connection_id", "document_number", "period")
    )
    books.charges_post(
        committee=committee,
        on=on,
        charges=[
            books.Charge(
                connection_id=connection_id,
                document_type=FINE,
                document_number=f"fine-{pk}",
                due_on=on,
                lines=(("fines", amount),),
                description=_("Late-payment fine, bill %(number)s") % {"number": number},
                period=period,
            )
            for pk, connection_id, number, period in bills
        ],
        memo=_("Late-payment fines"),
        document_type=FINE,
        by=by,
    )
    return len(bills)


@transaction.atomic
def rules_update(*, committee: Committee, by, **values) -> Rules:
    """Set the committee's rules (by its statutes or its assembly)."""
    unknown = set(values) - set(RULE_BOUNDS)
    if unknown:
        raise TypeError(f"unexpected rules: {sorted(unknown)}")
    errors = {}
    cleaned = {}
    for name, value in values.items():
        low, high = RULE_BOUNDS[name]
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or isinstance(value, bool) or not low <= number <= high:
            errors[name] = _("Write a whole number from %(low)s to %(high)s.") % {
                "low": low,
                "high": high,
            }
        else:
            cleaned[name] = number
    if errors:
        raise ValidationError(errors)
    rules, _created = Rules.objects.select_for_update().get_or_create(committee=committee)
    for name, value in cleaned.items():
        setattr(rules, name, value)
    rules.full_clean()
    rules.save()
    return rules
