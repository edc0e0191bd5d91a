"""Reads of the register shared by pages, commands and (later) the API."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from comunagua.lib.text import search_text
from comunagua.tenancy.models import Committee

from .models import Connection, Holding, Member, Meter, Sector


# "Has no meter in service" must be a subquery: excluding across the join would also drop
# connections that have no meter row at all.
def _meter_in_service():
    return Exists(Meter.objects.filter(connection=OuterRef("pk"), removed_on__isnull=True))


def _current_holder():
    return Exists(Holding.objects.filter(connection=OuterRef("pk"), ended_on__isnull=True))


def _words(q: str) -> list[str]:
    return search_text(q).split()[:6]


def _choice(value, allowed) -> str:
    """A filter's value when it is one of `allowed`; anything else filters nothing."""
    value = str(value or "").strip()
    return value if value in allowed else ""


def _sector_id(value) -> int | None:
    """A sector id as a number the database takes, or None (not a number, far too large). The
    lists filter within the committee, so another committee's sector simply finds nothing."""
    value = str(value or "").strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        return None
    return int(value)


def _sector(committee: Committee, value) -> str:
    """The id of one of the committee's sectors, as text, for the page to show what it filtered
    by; anything else (another committee's sector too) filters nothing."""
    sector = _sector_id(value)
    if sector is None or not Sector.objects.filter(committee=committee, pk=sector).exists():
        return ""
    return str(sector)


MEMBER_GENDERS = {"F", "M", "O", "-"}  # "-": not stated
SEWER = {"yes", "no"}
MISSING = {"meter", "holder"}


def member_filters(*, committee: Committee, given) -> dict[str, str]:
    """The member list's filters from a query string: a value that means nothing (a sector that
    is not this committee's, a status that does not exist, a search too long) is dropped, so the
    page shows what it actually filtered by."""
    return {
        "q": search_text(given.get("q")),
        "status": _choice(given.get("status"), Member.Status.values),
        "gender": _choice(given.get("gender"), MEMBER_GENDERS),
        "sector": _sector(committee, given.get("sector")),
    }


def connection_filters(*, committee: Committee, given) -> dict[str, str]:
    """The connection list's filters from a query string, as member_filters."""
    return {
        "q": search_text(given.get("q")),
        "category": _choice(given.get("category"), Connection.Category.values),
        "status": _choice(given.get("status"), Connection.Status.values),
        "sector": _sector(committee, given.get("sector")),
        "has_sewer": _choice(given.get("has_sewer"), SEWER),
        "missing": _choice(given.get("missing"), MISSING),
    }


def _current_connections():
    """How many connections a member holds now, counted apart from the list's own joins (a
    search or a sector filter across holdings would otherwise count each holding again)."""
    return Coalesce(
        Subquery(
            Holding.objects.filter(member=OuterRef("pk"), ended_on__isnull=True)
            .order_by()
            .values("member")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def member_list(
    *, committee: Committee, q: str = "", status: str = "", gender: str = "", sector: str = ""
) -> QuerySet[Member]:
    """Members, filtered; a filter value that means nothing filters nothing (member_filters)."""
    members = Member.objects.filter(committee=committee)
    for word in _words(q):
        members = members.filter(
            Q(first_names__icontains=word)
            | Q(last_names__icontains=word)
            | Q(id_document__icontains=word)
            | Q(code__iexact=word)
            | Q(phone__icontains=word)
            | Q(holdings__connection__number__iexact=word)
        )
    status = _choice(status, Member.Status.values)
    if status:
        members = members.filter(status=status)
    gender = _choice(gender, MEMBER_GENDERS)
    if gender == "-":
        members = members.filter(gender="")
    elif gender:
        members = members.filter(gender=gender)
    sector = _sector_id(sector)
    if sector is not None:
        members = members.filter(holdings__connection__lot__sector_id=sector)
    return (
        members.distinct()
        .annotate(connection_count=_current_connections())
        .order_by("last_names", "first_names")
    )


def _with_current(connections: QuerySet[Connection]) -> QuerySet[Connection]:
    """Attach current_holdings and meters_in_service without a query per row."""
    return connections.select_related("lot", "lot__sector").prefetch_related(
        Prefetch(
            "holdings",
            queryset=Holding.objects.filter(ended_on__isnull=True).select_related("member"),
            to_attr="current_holdings",
        ),
        Prefetch(
            "meters",
            queryset=Meter.objects.filter(removed_on__isnull=True),
            to_attr="meters_in_service",
        ),
    )


def connection_list(
    *,
    committee: Committee,
    q: str = "",
    category: str = "",
    status: str = "",
    sector: str = "",
    has_sewer: str = "",
    missing: str = "",
) -> QuerySet[Connection]:
    connections = Connection.objects.filter(committee=committee)
    for word in _words(q):
        connections = connections.filter(
            Q(number__icontains=word)
            | Q(lot__address__icontains=word)
            | Q(lot__reference__icontains=word)
            | Q(
                holdings__ended_on__isnull=True,
                holdings__member__first_names__icontains=word,
            )
            | Q(
                holdings__ended_on__isnull=True,
                holdings__member__last_names__icontains=word,
            )
            | Q(holdings__ended_on__isnull=True, holdings__member__id_document__icontains=word)
            | Q(meters__removed_on__isnull=True, meters__serial__icontains=word)
        )
    category = _choice(category, Connection.Category.values)
    if category:
        connections = connections.filter(category=category)
    status = _choice(status, Connection.Status.values)
    if status:
        connections = connections.filter(status=status)
    sector = _sector_id(sector)
    if sector is not None:
        connections = connections.filter(lot__sector_id=sector)
    if has_sewer in SEWER:
        connections = connections.filter(has_sewer=has_sewer == "yes")
    if missing == "meter":
        connections = connections.filter(~_meter_in_service())
    elif missing == "holder":
        connections = connections.filter(~_current_holder())
    return _with_current(connections.distinct()).order_by("number")


def connection_detail(*, committee: Committee, pk: int) -> Connection:
    return _with_current(Connection.objects.filter(committee=committee)).get(pk=pk)


def sectors(*, committee: Committee) -> QuerySet[Sector]:
    return Sector.objects.filter(committee=committee)


@dataclass
class Overview:
    members: int
    women_members: int
    connections_by_status: dict[str, int]
    connections_total: int
    meters_in_service: int
    people_served: int
    attention: list[tuple[str, int, str]] = field(default_factory=list)


def committee_overview(*, committee: Committee) -> Overview:
    active_members = Member.objects.filter(committee=committee, status=Member.Status.ACTIVE)
    by_status = dict(
        Connection.objects.filter(committee=committee)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    active = Connection.objects.filter(committee=committee, status=Connection.Status.ACTIVE)
    without_meter = active.filter(~_meter_in_service()).count()
    without_holder = active.filter(~_current_holder()).count()
    people = (
        Member.objects.filter(
            committee=committee,
            holdings__ended_on__isnull=True,
            holdings__connection__status=Connection.Status.ACTIVE,
        )
        .distinct()
        .values_list("household_size", flat=True)
    )
    # (what, how many, the connection list's query that shows them)
    attention = []
    if without_meter:
        attention.append(
            (_("Active connections without a meter"), without_meter, "status=active&missing=meter")
        )
    if without_holder:
        attention.append(
            (
                _("Active connections without a holder"),
                without_holder,
                "status=active&missing=holder",
            )
        )
    suspended = by_status.get(Connection.Status.SUSPENDED, 0)
    if suspended:
        attention.append((_("Suspended connections"), suspended, "status=suspended"))
    return Overview(
        members=active_members.count(),
        women_members=active_members.filter(gender="F").count(),
        connections_by_status=by_status,
        connections_total=sum(by_status.values()),
        meters_in_service=Meter.objects.filter(
            committee=committee, removed_on__isnull=True
        ).count(),
        people_served=sum(people),
        attention=attention,
    )


@dataclass
class Event:
    when: datetime
    who: str
    subject: str
    what: str
    changes: list[tuple[str, str, str]]


def _display(model, field_name: str, value) -> str:
    if value is None or value == "":
        return "—"
    field_obj = model._meta.get_field(field_name)
    if field_obj.choices:
        return str(dict(field_obj.flatchoices).get(value, value))
    if field_obj.is_relation:
        related = field_obj.related_model._base_manager.filter(pk=value).first()
        return str(related) if related else str(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _events(records, subject) -> list[Event]:
    """Turn one object's history records (any order) into readable events."""
    records = sorted(records, key=lambda r: (r.history_date, r.history_id))
    events, previous = [], None
    for record in records:
        model = record.instance_type
        who = str(record.history_user) if record.history_user else _("system")
        if record.history_type == "+" or previous is None:
            what, changes = _("created"), []
        elif record.history_type == "-":
            what, changes = _("deleted"), []
        else:
            delta = record.diff_against(previous)
            changes = [
                (
                    str(model._meta.get_field(c.field).verbose_name),
                    _display(model, c.field, c.old),
                    _display(model, c.field, c.new),
                )
                for c in delta.changes
            ]
            if not changes:
                previous = record
                continue
            what = _("changed")
        events.append(Event(record.history_date, who, subject(record), what, changes))
        previous = record
    return events


def connection_timeline(*, connection: Connection) -> list[Event]:
    """Everything that happened to a connection, newest first: its own fields, its lot, who
    held it and which meters it had."""
    events = _events(connection.history.select_related("history_user"), lambda r: _("Connection"))
    events += _events(
        connection.lot.history.select_related("history_user"), lambda r: _("Lot and address")
    )
    holding_history = Holding.history.filter(connection_id=connection.pk).select_related(
        "history_user", "member"
    )
    for holding_id in {r.id for r in holding_history}:
        events += _events(
            [r for r in holding_history if r.id == holding_id],
            lambda r: _("Holder: %(name)s") % {"name": r.member},
        )
    meter_history = Meter.history.filter(connection_id=connection.pk).select_related("history_user")
    for meter_id in {r.id for r in meter_history}:
        events += _events(
            [r for r in meter_history if r.id == meter_id],
            lambda r: _("Meter %(serial)s") % {"serial": r.serial},
        )
    return sorted(events, key=lambda e: e.when, reverse=True)


def member_timeline(*, member: Member) -> list[Event]:
    events = _events(member.history.select_related("history_user"), lambda r: _("Member"))
    holding_history = Holding.history.filter(member_id=member.pk).select_related(
        "history_user", "connection"
    )
    for holding_id in {r.id for r in holding_history}:
        events += _events(
            [r for r in holding_history if r.id == holding_id],
            lambda r: _("Connection %(number)s") % {"number": r.connection},
        )
    return sorted(events, key=lambda e: e.when, reverse=True)


def current_holding(connection: Connection) -> Holding | None:
    return connection.holdings.filter(ended_on__isnull=True).select_related("member").first()
