"""Arrears and service (mora y corte): reads and writes of this part of the books.

Reads (selectors):

- `aging`: each household's open debts by how long past due they are on a day: not yet due, in
  their first, second, or third or later month past due; one grouped query for the committee.
- `due_for_disconnection`: active households owing at least the committee's number of unpaid
  bills past due (`Rules.disconnect_after_months`), with the notice in force, if any, and the day
  from which they may be disconnected.
- `disconnected`, `household`: the disconnected households; one household's arrears.

Writes (services, keyword-only, one transaction each, idempotent with a `client_id`):

- `notice_give`, `disconnect`, `reconnect`: the steps of cutting and restoring the water for debt,
  recorded as service events; the connection's status changes through the registry's service
  (which keeps its history); the reconnection fee is charged as a debt.
- `plan_create`: a payment plan: the household's open debt moved to monthly instalments.
- `late_fines_apply`: one late-payment fine per bill past due beyond the rule's days.
- `rules_update`: the committee's rules.

A notice is "in force" while it is the household's latest service event and was given during
the current spell of debt: on or after the due date of its oldest debt still unpaid. A household
that paid everything after its notice, or was disconnected or reconnected since, needs a new one.

Amounts of the tariff (the reconnection fee, the late-payment fine) are read from the tariff in
force through `tariffs.selectors`; the books import no billing code.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from comunagua.lib.money import CENT, as_decimal, sum_to_cents
from comunagua.lib.periods import Period
from comunagua.registry import services as registry_services
from comunagua.registry.models import Connection, Holding
from comunagua.tariffs import selectors as tariff_selectors
from comunagua.tenancy.models import Committee

from . import selectors, services
from .models import MONEY, Allocation, JournalEntry, OpenItem, PaymentPlan, Rules, ServiceEvent

ZERO = Decimal("0.00")
HALF_CENT = Decimal("0.005")  # SQLite sums decimals as floats: what is left below this is paid
RECEIVABLE = "receivable"
BILL = "bill"
FINE = "fine"
INSTALMENT = "instalment"
RECONNECTION = "reconnection"
MAX_INSTALMENTS = 36  # three years of monthly instalments
MAX_FIRST_DUE_DAYS = 366  # the first instalment falls due within a year of the agreement
# Bounds of the rules: what a statute could sensibly say.
RULE_BOUNDS = {
    "late_fine_after_days": (0, 365),
    "disconnect_after_months": (1, 24),
    "notice_days": (0, 90),
}


# --- pure helpers ----------------------------------------------------------------------------


def split(total: Decimal, count: int) -> list[Decimal]:
    """`total` in `count` instalments: each the share rounded down to the centavo, the last one
    taking the remainder, so that they add up to the total exactly. Rounding down (not half-up)
    keeps every instalment above zero: half-up could leave the last one at zero or below (1.00 in
    36: 35 x 0.03 = 1.05)."""
    total = as_decimal(total)
    if count < 1:
        raise ValueError("at least one instalment")
    share = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    if share <= 0 or total != total.quantize(CENT):
        raise ValueError(f"{total} cannot be split in {count} instalments of at least 0.01")
    return [share] * (count - 1) + [total - share * (count - 1)]


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan -> 28 Feb)."""
    period = Period.of(day) + months
    return date(period.year, period.month, min(day.day, period.days))


# --- reads -----------------------------------------------------------------------------------


def rules_of(committee: Committee) -> Rules:
    """The committee's rules; the defaults (unsaved) when the board has not set them yet."""
    return Rules.objects.filter(committee=committee).first() or Rules(committee=committee)


def tariff_charge(committee: Committee, on: date, code: str) -> Decimal | None:
    """The amount of the tariff's extra charge `code` ("reconnection", "late_fine") in force on
    `on`; None when there is no tariff or it has no such charge."""
    tariff = tariff_selectors.tariff_in_force(committee=committee, on=on)
    if tariff is None:
        return None
    charge = tariff.engine().charges.get(code)
    return None if charge is None else charge.amount


def open_items(committee: Committee) -> QuerySet:
    """The household debts with something left to pay, each annotated with `left`: its amount
    less its allocations, computed in the database (no row per item comes back to Python)."""
    paid = (
        Allocation.objects.filter(committee=committee, item=OuterRef("pk"))
        .values("item")
        .annotate(total=Sum("amount"))
        .values("total")
        .order_by()
    )
    money = DecimalField(**MONEY)
    return (
        OpenItem.objects.filter(committee=committee)
        .annotate(
            left=F("amount")
            - Coalesce(Subquery(paid, output_field=money), Value(ZERO), output_field=money)
        )
        .filter(left__gt=HALF_CENT)
    )


def _holders(committee: Committee) -> dict[int, str]:
    """Each connection's current holder's name, for the whole committee in one query."""
    return {
        connection_id: f"{first} {last}".strip()
        for connection_id, first, last in Holding.objects.filter(
            committee=committee, ended_on__isnull=True
        ).values_list("connection_id", "member__first_names", "member__last_names")
    }


@dataclass(frozen=True)
class Buckets:
    """Open debt by age: not yet due, in its first, second, third or later month past due."""

    current: Decimal = ZERO
    month1: Decimal = ZERO
    month2: Decimal = ZERO
    month3: Decimal = ZERO

    @property
    def overdue(self) -> Decimal:
        return self.month1 + self.month2 + self.month3

    @property
    def total(self) -> Decimal:
        return self.current + self.overdue

    def __add__(self, other: "Buckets") -> "Buckets":
        return Buckets(
            self.current + other.current,
            self.month1 + other.month1,
            self.month2 + other.month2,
            self.month3 + other.month3,
        )


@dataclass(frozen=True)
class AgingRow:
    connection_id: int
    number: str
    holder: str
    status: str
    buckets: Buckets

    @property
    def status_label(self) -> str:
        return str(Connection.Status(self.status).label)


@dataclass(frozen=True)
class Aging:
    on: date
    rows: list[AgingRow]
    totals: Buckets
    # Debts due on or after `since[0]` are in their first month past due, on or after `since[1]`
    # in their second; before that, third or later.
    since: tuple[date, date]

    @property
    def households(self) -> int:
        return len(self.rows)

    @property
    def households_overdue(self) -> int:
        return sum(1 for row in self.rows if row.buckets.overdue > 0)


def aging(*, committee: Committee, on: date) -> Aging:
    """Every household with an open debt, its debt by age on `on`, and the committee's totals.
    One grouped query (plus one for the holders' names), whatever the number of households.
    Worst first: the oldest debt, then the largest."""
    one, two = add_months(on, -1), add_months(on, -2)
    grouped = (
        open_items(committee)
        .values("connection_id", "connection__number", "connection__status")
        .annotate(
            current=Sum("left", filter=Q(due_on__gte=on)),
            month1=Sum("left", filter=Q(due_on__lt=on, due_on__gte=one)),
            month2=Sum("left", filter=Q(due_on__lt=one, due_on__gte=two)),
            month3=Sum("left", filter=Q(due_on__lt=two)),
        )
        .order_by()
    )
    holders = _holders(committee)
    rows = []
    totals = Buckets()
    for row in grouped:
        buckets = Buckets(
            sum_to_cents(row["current"]),
            sum_to_cents(row["month1"]),
            sum_to_cents(row["month2"]),
            sum_to_cents(row["month3"]),
        )
        if buckets.total <= 0:
            continue
        totals += buckets
        rows.append(
            AgingRow(
                connection_id=row["connection_id"],
                number=row["connection__number"],
                holder=holders.get(row["connection_id"], ""),
                status=row["connection__status"],
                buckets=buckets,
            )
        )
    rows.sort(
        key=lambda r: (
            -r.buckets.month3,
            -r.buckets.month2,
            -r.buckets.month1,
            -r.buckets.total,
            r.number,
        )
    )
    return Aging(on=on, rows=rows, totals=totals, since=(one, two))


@dataclass(frozen=True)
class Standing:
    """Where a household stands on `on`: its unpaid bills past due, its debt past due, since
    when, and its notice in force."""

    connection_id: int
    number: str
    holder: str
    status: str
    unpaid_bills: int
    overdue: Decimal
    oldest_due_on: date | None
    notice: ServiceEvent | None
    notice_days: int
    on: date

    @property
    def disconnect_from(self) -> date | None:
        """The first day the household may be disconnected, once noticed."""
        if self.notice is None:
            return None
        return self.notice.date + timedelta(days=self.notice_days)

    @property
    def ready(self) -> bool:
        """Noticed, and the notice's days have passed."""
        return self.notice is not None and self.on >= self.disconnect_from


def _last_events(committee: Committee, on: date, *, connection_id: int | None = None) -> dict:
    """Each connection's latest service event up to `on` (events are few: a handful a year)."""
    events = ServiceEvent.objects.filter(committee=committee, date__lte=on)
    if connection_id is not None:
        events = events.filter(connection_id=connection_id)
    else:
        events = events.filter(connection__status=Connection.Status.ACTIVE)
    last = {}
    for event in events.order_by("date", "id"):
        last[event.connection_id] = event
    return last


def _standings(
    committee: Committee,
    on: date,
    *,
    rules: Rules,
    connection_id: int | None = None,
    minimum: int = 0,
) -> list[Standing]:
    overdue = open_items(committee).filter(due_on__lt=on)
    if connection_id is not None:
        overdue = overdue.filter(connection_id=connection_id)
    else:
        overdue = overdue.filter(connection__status=Connection.Status.ACTIVE)
    grouped = (
        overdue.values("connection_id", "connection__number", "connection__status")
        .annotate(
            bills=Count("id", filter=Q(document_type=BILL)),
            owed=Sum("left"),
            oldest=Min("due_on"),
        )
        .order_by()
    )
    if minimum:
        grouped = grouped.filter(bills__gte=minimum)
    grouped = list(grouped)
    if not grouped:
        return []
    last = _last_events(committee, on, connection_id=connection_id)
    holders = _holders(committee) if connection_id is None else {}
    result = []
    for row in grouped:
        event = last.get(row["connection_id"])
        notice = (
            event
            if event is not None
            and event.kind == ServiceEvent.Kind.NOTICE
            and event.date >= row["oldest"]
            else None
        )
        result.append(
            Standing(
                connection_id=row["connection_id"],
                number=row["connection__number"],
                holder=holders.get(row["connection_id"], ""),
                status=row["connection__status"],
                unpaid_bills=row["bills"],
                overdue=sum_to_cents(row["owed"]),
                oldest_due_on=row["oldest"],
                notice=notice,
                notice_days=rules.notice_days,
                on=on,
            )
        )
    return result


def due_for_disconnection(*, committee: Committee, on: date) -> list[Standing]:
    """Active households owing at least `Rules.disconnect_after_months` unpaid bills past due on
    `on` (bills are monthly: three unpaid bills are three unpaid months), oldest debt first, with
    their notice in force and the day they may be disconnected from."""
    rules = rules_of(committee)
    rows = _standings(committee, on, rules=rules, minimum=rules.disconnect_after_months)
    return sorted(rows, key=lambda r: (r.oldest_due_on, -r.overdue, r.number))


def standing_of(*, connection: Connection, on: date) -> Standing:
    """One household's standing on `on` (whatever its status); nothing past due reads as zero."""
    rules = rules_of(connection.committee)
    found = _standings(connection.committee, on, rules=rules, connection_id=connection.pk)
    if found:
        return found[0]
    return Standing(
        connection_id=connection.pk,
        number=connection.number,
        holder="",
        status=connection.status,
        unpaid_bills=0,
        overdue=ZERO,
        oldest_due_on=None,
        notice=None,
        notice_days=rules.notice_days,
        on=on,
    )


@dataclass(frozen=True)
class Disconnected:
    connection_id: int
    number: str
    holder: str
    since: date | None  # the latest disconnection event, if it was recorded here
    owes: Decimal


def disconnected(*, committee: Committee) -> list[Disconnected]:
    """Households whose water is cut, with what they owe and since when."""
    connections = list(
        Connection.objects.filter(
            committee=committee, status=Connection.Status.DISCONNECTED
        ).values_list("id", "number")
    )
    if not connections:
        return []
    ids = [pk for pk, _number in connections]
    since = {}
    for connection_id, day in (
        ServiceEvent.objects.filter(
            committee=committee,
            kind=ServiceEvent.Kind.DISCONNECTION,
            connection__status=Connection.Status.DISCONNECTED,
        )
        .order_by("date", "id")
        .values_list("connection_id", "date")
    ):
        since[connection_id] = day  # the latest wins
    balances = selectors.balances(committee=committee, connection_ids=ids)
    holders = _holders(committee)
    return [
        Disconnected(
            connection_id=pk,
            number=number,
            holder=holders.get(pk, ""),
            since=since.get(pk),
            owes=balances.get(pk, ZERO),
        )
        for pk, number in connections
    ]


@dataclass
class PlanView:
    plan: PaymentPlan
    instalments: list[dict] = field(default_factory=list)

    @property
    def left(self) -> Decimal:
        return sum((i["left"] for i in self.instalments), ZERO)


def household(*, connection: Connection, on: date) -> dict:
    """One household's arrears: its open debts with their age, its standing, its service events
    and its payment plans with what is left of each instalment."""
    committee = connection.committee
    dues = selectors.open_dues(committee=committee, connection_ids={connection.pk}).get(
        connection.pk, []
    )
    left = {d.key: d.open for d in dues}
    items = OpenItem.objects.filter(committee=committee).in_bulk(list(left))
    one, two = add_months(on, -1), add_months(on, -2)

    def age(due_on: date) -> int:
        if due_on >= on:
            return 0
        return 1 if due_on >= one else 2 if due_on >= two else 3

    debts = [
        {"item": items[d.key], "left": d.open, "age": age(d.due_on)} for d in dues if d.key in items
    ]
    plans = []
    for plan in PaymentPlan.objects.filter(committee=committee, connection=connection).order_by(
        "-created_at", "-id"
    ):
        view = PlanView(plan)
        instalments = OpenItem.objects.filter(
            committee=committee, entry_id=plan.entry_id, document_type=INSTALMENT
        ).order_by("due_on", "id")
        paid = dict(
            Allocation.objects.filter(committee=committee, item__in=instalments)
            .values("item_id")
            .annotate(total=Sum("amount"))
            .values_list("item_id", "total")
            .order_by()
        )
        view.instalments = [
            {"item": item, "left": item.amount - sum_to_cents(paid.get(item.pk))}
            for item in instalments
        ]
        plans.append(view)
    return {
        "debts": debts,
        "total": sum((d["left"] for d in debts), ZERO),
        "standing": standing_of(connection=connection, on=on),
        "events": list(
            ServiceEvent.objects.filter(committee=committee, connection=connection)
            .select_related("created_by")
            .order_by("-date", "-id")
        ),
        "plans": plans,
    }


# --- writes ----------------------------------------------------------------------------------


def _clean_client_id(client_id: str) -> str:
    return (client_id or "").strip()[:64]


def _note(note: str) -> str:
    return " ".join((note or "").split())[:300]


def _lock(connection: Connection) -> Connection:
    """Serialise every write to one household's account (as the cash desk does)."""
    try:
        return Connection.objects.select_for_update().get(
            committee_id=connection.committee_id, pk=connection.pk
        )
    except Connection.DoesNotExist:
        raise ValidationError(_("There is no such connection in this committee.")) from None


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
    locked = _lock(connection)
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
def disconnect(
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
def reconnect(
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
    fee = services._money(fee, "fee", positive=False)

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
        services.charges_post(
            committee=committee,
            on=on,
            charges=[
                services.Charge(
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
    instalment once it falls due (`selectors.balances_due`)."""
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
    locked = _lock(connection)
    found = _plan_replayed(committee, client_id, connection, count)
    if found is not None:
        return found
    dues = selectors.open_dues(committee=committee, connection_ids={locked.pk}).get(locked.pk, [])
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
    entry = services.entry_post(
        committee=committee,
        on=on,
        kind=JournalEntry.Kind.PLAN,
        lines=[
            services.Line(RECEIVABLE, credit=total, connection_id=locked.pk),
            services.Line(RECEIVABLE, debit=total, connection_id=locked.pk),
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
    services.credits_apply(committee=committee, connection_ids={locked.pk}, entry=entry)
    return plan


def _fineable(committee: Committee, until: date, connection_ids=None) -> QuerySet:
    """Bills still open that fell due before `until` and carry no fine yet."""
    fined = OpenItem.objects.filter(
        committee=committee,
        document_type=FINE,
        document_number=Concat(
            Value("fine-"), Cast(OuterRef("pk"), output_field=CharField()), output_field=CharField()
        ),
    )
    bills = open_items(committee).filter(document_type=BILL, due_on__lt=until)
    if connection_ids is not None:
        bills = bills.filter(connection_id__in=connection_ids)
    return bills.filter(~Exists(fined))


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
    ids = sorted(set(_fineable(committee, until).values_list("connection_id", flat=True)))
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
    amount = services._money(amount, "amount", positive=False)
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
        _fineable(committee, until, ids)
        .order_by("connection_id", "due_on", "id")
        .values_list("pk", "connection_id", "document_number", "period")
    )
    services.charges_post(
        committee=committee,
        on=on,
        charges=[
            services.Charge(
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
