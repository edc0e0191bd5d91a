"""Reading pages: the reader's sheet of a route (typing the readings in) and the review of one
reading. Thin: read through selectors, write through services."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comunagua.tenancy.roles import can
from comunagua.tenancy.scoping import committee_view

from ..models import Reading, Round, Route
from . import selectors, services
from .forms import ReviewForm, parse_reading

FIELD = re.compile(r"^r-(\d+)$")


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
        return services.error_message(error)
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
    reading_round = get_object_or_404(Round, pk=pk, committee=request.committee)
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
