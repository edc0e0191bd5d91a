"""Reading pages. Thin: read through selectors, write through services."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comunagua.lib.periods import Period
from comunagua.tenancy.roles import can
from comunagua.tenancy.scoping import committee_view

from . import selectors, services
from .forms import ReviewForm, RoundOpenForm, parse_reading
from .models import Reading, Round, Route

FIELD = re.compile(r"^r-(\d+)$")


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def _suggested_month(committee) -> str:
    latest = Round.objects.filter(committee=committee).order_by("-period").first()
    if latest is None:
        return str(Period.of(timezone.localdate()))
    return str(latest.month.next())


# --- rounds ------------------------------------------------------------------------------------


@committee_view("metering.view")
def round_list(request):
    return render(
        request,
        "metering/round_list.html",
        {
            "rounds": selectors.round_list(committee=request.committee),
            "form": RoundOpenForm(initial={"period": _suggested_month(request.committee)}),
        },
    )


@committee_view("metering.review")
def round_open(request):
    form = RoundOpenForm(
        request.POST or None, initial={"period": _suggested_month(request.committee)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            opened = services.round_open(
                committee=request.committee, period=form.cleaned_data["period"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Round %(month)s opened.") % {"month": opened.month})
            return redirect("round-detail", committee=request.committee.slug, pk=opened.pk)
    return render(request, "metering/round_open.html", {"form": form})


def _round(request, pk: int) -> Round:
    return get_object_or_404(Round, pk=pk, committee=request.committee)


@committee_view("metering.view")
def round_detail(request, pk: int):
    reading_round = _round(request, pk)
    flags = selectors.flags_of_round(round=reading_round)
    return render(
        request,
        "metering/round_detail.html",
        {
            "round": reading_round,
            "overview": selectors.round_overview(round=reading_round),
            "pending": [r for r in flags if r.needs_review],
            "decided": [r for r in flags if not r.needs_review],
        },
    )


@committee_view("metering.review")
def round_close(request, pk: int):
    reading_round = _round(request, pk)
    if request.method == "POST":
        try:
            closed = services.round_close(round=reading_round, by=request.user)
        except ValidationError as error:
            messages.error(request, _messages_of(error))
        else:
            messages.success(
                request,
                ngettext(
                    "Round closed: %(n)s missing reading was estimated.",
                    "Round closed: %(n)s missing readings were estimated.",
                    closed.estimated,
                )
                % {"n": closed.estimated},
            )
            if closed.without_meter:
                messages.warning(
                    request,
                    _("Active connections without a meter were not estimated: %(numbers)s.")
                    % {"numbers": ", ".join(closed.without_meter)},
                )
    return redirect("round-detail", committee=request.committee.slug, pk=reading_round.pk)


# --- reviewing a reading -----------------------------------------------------------------------


@committee_view("metering.view")
def reading_review(request, pk: int):
    reading = get_object_or_404(
        Reading.objects.select_related("round", "connection", "meter", "entered_by"),
        pk=pk,
        committee=request.committee,
    )
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not can(request.role, "metering.review"):
            raise PermissionDenied
        if form.is_valid():
            action = (
                services.reading_accept
                if form.cleaned_data["action"] == "accept"
                else services.reading_reject
            )
            try:
                action(reading=reading, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Reading of connection %(number)s: decision saved.")
                    % {"number": reading.connection.number},
                )
                return redirect(
                    reverse(
                        "round-detail",
                        kwargs={"committee": request.committee.slug, "pk": reading.round_id},
                    )
                    + "#flags"
                )
    return render(
        request,
        "metering/reading_review.html",
        {
            "reading": reading,
            "form": form,
            "readings": selectors.connection_readings(connection=reading.connection),
        },
    )


# --- routes ------------------------------------------------------------------------------------


@committee_view("metering.view")
def route_list(request):
    return render(
        request,
        "metering/route_list.html",
        {
            "routes": selectors.route_list(committee=request.committee),
            "unrouted": selectors.unrouted_connections(committee=request.committee).count(),
            "current": selectors.open_round(committee=request.committee),
        },
    )


@committee_view("metering.review")
def route_build(request):
    if request.method == "POST":
        changed = services.routes_from_sectors(committee=request.committee, by=request.user)
        messages.success(
            request,
            ngettext(
                "%(n)s route built or extended.", "%(n)s routes built or extended.", len(changed)
            )
            % {"n": len(changed)},
        )
    return redirect("route-list", committee=request.committee.slug)


def _entry_values(post) -> dict[int, str]:
    """{connection id: text typed} for every reading field sent."""
    values = {}
    for name, text in post.items():
        match = FIELD.match(name)
        if match:
            values[int(match.group(1))] = text.strip()
    return values


def _save_one(request, reading_round, connection, text) -> str:
    """Save one typed reading; the error to show beside the field, or ""."""
    try:
        value = parse_reading(text)
    except ValueError as error:
        return str(error)
    try:
        services.reading_enter(
            round=reading_round, connection=connection, value=value, by=request.user
        )
    except ValidationError as error:
        return _messages_of(error)
    return ""


def _unchanged(row, text: str) -> bool:
    try:
        value = parse_reading(text)
    except ValueError:
        return False
    return any(r.value == value for r in (row.reading, *row.conflicts) if r is not None)


class _Rollback(Exception):
    pass


@committee_view("metering.view")
def route_entry(request, pk: int, route: int):
    """The reader's sheet: one field per connection in walking order. With htmx each field is
    saved as soon as it changes (its row comes back with its flags); without, the whole sheet
    is saved at once, all or nothing."""
    reading_round = _round(request, pk)
    route = get_object_or_404(Route, pk=route, committee=request.committee)
    rows = selectors.route_sheet(round=reading_round, route=route)
    editable = reading_round.is_open and can(request.role, "metering.enter")
    context = {"round": reading_round, "route": route, "rows": rows, "editable": editable}
    if request.method != "POST":
        return render(request, "metering/route_entry.html", context)
    if not can(request.role, "metering.enter"):
        raise PermissionDenied
    by_id = {row.connection.pk: row for row in rows}
    typed = _entry_values(request.POST)
    if any(connection_id not in by_id for connection_id in typed):
        raise Http404  # not a connection of this route (nor, then, of this committee)
    if request.headers.get("HX-Request"):
        if len(typed) != 1:
            raise Http404
        ((connection_id, text),) = typed.items()
        # An emptied field deletes nothing: the row comes back as it is.
        error = text and _save_one(request, reading_round, by_id[connection_id].connection, text)
        (row,) = selectors.route_sheet(
            round=reading_round, route=route, connection_ids=[connection_id]
        )
        row.typed, row.error = (text, error) if error else ("", "")
        return render(request, "metering/_entry_row.html", {**context, "row": row})
    # The whole sheet: only fields that are filled and differ from what is already stored.
    typed = {k: v for k, v in typed.items() if v and not _unchanged(by_id[k], v)}
    errors: dict[int, str] = {}
    try:
        with transaction.atomic():
            for connection_id, text in typed.items():
                error = _save_one(request, reading_round, by_id[connection_id].connection, text)
                if error:
                    errors[connection_id] = error
            if errors:
                raise _Rollback
    except _Rollback:
        for connection_id, row in by_id.items():
            row.typed = typed.get(connection_id, "")
            row.error = errors.get(connection_id, "")
        messages.error(
            request,
            ngettext(
                "Nothing was saved: %(n)s reading has a problem.",
                "Nothing was saved: %(n)s readings have a problem.",
                len(errors),
            )
            % {"n": len(errors)},
        )
        return render(request, "metering/route_entry.html", context)
    messages.success(
        request,
        ngettext("%(n)s reading saved.", "%(n)s readings saved.", len(typed)) % {"n": len(typed)},
    )
    return redirect(request.path)
