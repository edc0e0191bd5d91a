"""The operator's log pages: a day in one short form (with the recent logs), and a day's log,
where the operator or the board corrects it. Thin: reads through the selectors, writes through
the services."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from comunagua.tenancy.roles import can
from comunagua.tenancy.scoping import committee_view
from comunagua.web.formats import format_number
from comunagua.web.forms import apply_errors

from ..models import OperatorLog
from ..network import selectors as network_selectors
from . import selectors, services
from .forms import LogForm, log_initial


def _asked_day(request) -> date | None:
    text = request.GET.get("dia", "")[:10]
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _log_form(request, committee, day, *, log=None, data=None):
    rows = selectors.log_form_rows(committee=committee, day=day, log=log)
    with_tanker = network_selectors.tanker_in_use(committee) or bool(log and log.tanker_m3)
    initial = log_initial(log) if log is not None else {"day": day}
    return LogForm(data, rows=rows, with_tanker=with_tanker, initial=initial)


@committee_view("supply.log")
def log_day(request):
    """A day of the operator's log in one short form: the meters (with the previous reading),
    pump hours, energy, tanks, chlorine, hours of supply and, if there was one, an interruption.
    """
    committee = request.committee
    today = request.committee.today()
    if request.method == "POST":
        try:
            day = date.fromisoformat(request.POST.get("day", "")[:10])
        except ValueError:
            day = today
        form = _log_form(request, committee, day, data=request.POST)
        if form.is_valid():
            try:
                log = services.operator_log_enter(
                    committee=committee,
                    entry=form.entry(),
                    by=request.user,
                    client_id=form.cleaned_data.get("client_id"),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Log of %(day)s saved: %(m3)s m³ produced.")
                    % {"day": f"{log.day:%d/%m/%Y}", "m3": _produced(log)},
                )
                return redirect("supply-log", committee=committee.slug)
        status = 400
    else:
        day = _asked_day(request) or today
        existing = selectors.log_of_day(committee=committee, day=day)
        if existing is not None:
            return redirect("supply-log-detail", committee=committee.slug, pk=existing.pk)
        form = _log_form(request, committee, day)
        status = 200
    return render(
        request,
        "supply/log_day.html",
        {
            "form": form,
            "day": day,
            "previous_log": form.rows["previous_log"],
            "logs": selectors.recent_logs(committee=committee),
            "has_meters": bool(form.meter_rows),
        },
        status=status,
    )


def _produced(log: OperatorLog):
    return format_number(selectors.produced_m3(log))


@committee_view("supply.view")
def log_detail(request, pk: int):
    """A day's log; the operator or the board corrects it here."""
    committee = request.committee
    log = get_object_or_404(OperatorLog, pk=pk, committee=committee)
    data = None
    if request.method == "POST":
        if not can(request.role, "supply.log"):
            raise PermissionDenied
        data = request.POST
    form = _log_form(request, committee, log.day, log=log, data=data)
    status = 200
    if data is not None:
        if form.is_valid():
            try:
                services.operator_log_correct(log=log, entry=form.entry(), by=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, _("Log of %(day)s corrected.") % {"day": f"{log.day:%d/%m/%Y}"}
                )
                return redirect("supply-log-detail", committee=committee.slug, pk=log.pk)
        status = 400
    return render(
        request,
        "supply/log_detail.html",
        {
            "log": log,
            "form": form,
            "readings": log.readings.select_related("meter"),
            "tank_levels": log.tank_levels.select_related("tank"),
            "supply_hours": log.supply_hours.select_related("sector"),
            "interruptions": log.interruptions.prefetch_related("sectors"),
            "can_log": can(request.role, "supply.log"),
        },
        status=status,
    )
