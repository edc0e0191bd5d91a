"""Reads of arrears and service (mora y corte).

- `aging`: each household's open debts by how long past due they are on a day: not yet due, in
  their first, second, or third or later month past due; one grouped query for the committee.
- `due_for_disconnection`: active households owing at least the committee's number of unpaid
  bills past due (`Rules.disconnect_after_months`), with the notice in force, if any, and the day
  from which they may be disconnected.
- `disconnected`, `household`: the disconnected households; one household's arrears.

A notice is "in force" while it is the household's latest service event and was given during
the current spell of debt: on or after the due date of its oldest debt still unpaid. A household
that paid everything after its notice, or was disconnected or reconnected since, needs a new one.

Amounts of the tariff (the reconnection fee, the late-payment fine) are read from the tariff in
force through `tariffs.selectors`; the books import no billing code.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

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

from comunagua.lib.money import sum_to_cents
from comunagua.registry.models import Connection, Holding
from comunagua.tariffs import selectors as tariff_selectors
from comunagua.tenancy.models import Committee

from ..books import selectors as books
from ..models import MONEY, Allocation, OpenItem, PaymentPlan, Rules, ServiceEvent
from .arithmetic import BILL, FINE, INSTALMENT, ZERO, Buckets, add_months, age_of

HALF_CENT = Decimal("0.005")  # SQLite sums decimals as floats: what is left below this is paid


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
    balances = books.balances(committee=committee, connection_ids=ids)
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


def household_arrears(*, connection: Connection, on: date) -> dict:
    """One household's arrears: its open debts with their age, its standing, its service events
    and its payment plans with what is left of each instalment."""
    committee = connection.committee
    dues = books.open_dues(committee=committee, connection_ids={connection.pk}).get(
        connection.pk, []
    )
    left = {d.key: d.open for d in dues}
    items = OpenItem.objects.filter(committee=committee).in_bulk(list(left))
    debts = [
        {"item": items[d.key], "left": d.open, "age": age_of(d.due_on, on)}
        for d in dues
        if d.key in items
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


def fineable_bills(committee: Committee, until: date, connection_ids=None) -> QuerySet:
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
