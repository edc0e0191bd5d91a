"""The water's pages: the summary every member sees, the operator's log, the water balance, the
well, incidents in the protected area with their complaint letter, and the sources' setup.

Thin: reads through the selectors, writes through the services; chart geometry in charts.py.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from comunagua.tenancy.roles import can
from comunagua.tenancy.scoping import committee_view
from comunagua.web.formats import format_number
from comunagua.web.forms import apply_errors
from comunagua.web.printing import A4_ONLY, print_page

from . import charts, selectors, services
from .forms import (
    IncidentForm,
    IncidentStatusForm,
    LogForm,
    MeterForm,
    PhotoForm,
    SettingsForm,
    SourceForm,
    SpanForm,
    TankForm,
    WellLevelForm,
    log_initial,
)
from .models import (
    BalanceSettings,
    Incident,
    IncidentPhoto,
    OperatorLog,
    ProductionMeter,
    Source,
    Tank,
)

SUMMARY_MONTHS = 12


# --- the summary ------------------------------------------------------------------------------


@committee_view("supply.summary")
def home(request):
    """Non-revenue water month by month and what a m³ costs against what it is billed: the
    figures every member may see. Links to the rest by role."""
    committee = request.committee
    first, last = selectors.default_span(committee, request.committee.today())
    months = selectors.monthly_nrw(committee=committee, first=first, last=last)
    result = selectors.span_balance(committee=committee, first=first, last=last)
    return render(
        request,
        "supply/home.html",
        {
            "first": first,
            "last": last,
            "months": months,
            "chart": charts.nrw_chart(months),
            "result": result,
            "balance": result.balance,
            "costs": result.costs,
            "wells": selectors.wells(committee) if can(request.role, "supply.view") else [],
            "open_incidents": Incident.objects.filter(
                committee=committee, status=Incident.Status.OPEN
            ).count()
            if can(request.role, "supply.view")
            else 0,
        },
    )


# --- the operator's log -----------------------------------------------------------------------


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
    with_tanker = Source.objects.filter(
        committee=committee, kind=Source.Kind.TANKER, is_active=True
    ).exists() or bool(log and log.tanker_m3)
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
        existing = OperatorLog.objects.filter(committee=committee, day=day).first()
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
    total = sum((r.volume_m3 for r in log.readings.select_related("meter") if r.meter.source_id), 0)
    return format_number(total)


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


# --- the water balance ------------------------------------------------------------------------


@committee_view("supply.balance")
def balance(request):
    """The standard water balance for a span of months, NRW per month and per sector, and
    energy and cost per m³."""
    committee = request.committee
    first, last = selectors.default_span(committee, request.committee.today())
    if "desde" in request.GET or "hasta" in request.GET:
        span = SpanForm(request.GET)
        if not span.is_valid():
            return render(
                request, "supply/balance.html", {"span": span, "result": None}, status=400
            )
        first, last = span.cleaned_data["desde"], span.cleaned_data["hasta"]
    else:
        span = SpanForm(initial={"desde": str(first), "hasta": str(last)})
    result = selectors.span_balance(committee=committee, first=first, last=last)
    months = selectors.monthly_nrw(committee=committee, first=first, last=last)
    sectors = selectors.sector_nrw(committee=committee, first=first, last=last)
    table = []
    if result.balance is not None:
        for name, label, indent in selectors.BALANCE_ROWS:
            table.append(
                {"name": name, "label": label, "indent": indent, "q": getattr(result.balance, name)}
            )
    return render(
        request,
        "supply/balance.html",
        {
            "span": span,
            "first": first,
            "last": last,
            "result": result,
            "balance": result.balance,
            "table": table,
            "costs": result.costs,
            "months": months,
            "chart": charts.nrw_chart(months),
            "sectors": sectors,
            "sector_months": selectors.sector_months(sectors),
            "interruptions": selectors.interruptions(committee=committee, first=first, last=last),
            "settings": selectors.balance_settings_of(committee),
        },
    )


# --- the well ---------------------------------------------------------------------------------


@committee_view("supply.view")
def well(request, pk: int):
    """Static and pumping levels, specific capacity, the static level's trend and when, at that
    trend, the pumping level would reach the pump intake."""
    committee = request.committee
    source = get_object_or_404(Source, pk=pk, committee=committee, kind=Source.Kind.WELL)
    form = WellLevelForm(request.POST or None, initial={"measured_on": request.committee.today()})
    status = 200
    if request.method == "POST":
        if not can(request.role, "supply.log"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.well_level_record(source=source, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Level saved."))
                return redirect("supply-well", committee=committee.slug, pk=source.pk)
        status = 400
    report = selectors.well_report(source=source, today=request.committee.today())
    return render(
        request,
        "supply/well.html",
        {
            "source": source,
            "report": report,
            "chart": charts.well_chart(report),
            "form": form,
            "can_log": can(request.role, "supply.log"),
        },
        status=status,
    )


# --- incidents --------------------------------------------------------------------------------


@committee_view("supply.view")
def incident_list(request):
    committee = request.committee
    form = IncidentForm(
        request.POST or None,
        request.FILES or None,
        committee=committee,
        initial={"happened_on": request.committee.today()},
    )
    status = 200
    if request.method == "POST":
        if not can(request.role, "supply.log"):
            raise PermissionDenied
        if form.is_valid():
            values = dict(form.cleaned_data)
            photo, path = values.pop("photo"), values.pop("photo_path")
            try:
                incident = services.incident_report(
                    committee=committee, by=request.user, photo=photo, photo_path=path, **values
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Incident recorded."))
                return redirect("supply-incident", committee=committee.slug, pk=incident.pk)
        status = 400
    incidents = (
        Incident.objects.filter(committee=committee)
        .select_related("source")
        .prefetch_related("photos")
    )
    return render(
        request,
        "supply/incident_list.html",
        {"incidents": incidents, "form": form, "can_log": can(request.role, "supply.log")},
        status=status,
    )


@committee_view("supply.view")
def incident_detail(request, pk: int):
    committee = request.committee
    incident = get_object_or_404(Incident, pk=pk, committee=committee)
    photo_form = PhotoForm()
    status_form = IncidentStatusForm(
        initial={"status": incident.status, "authority": incident.authority}
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "photo":
                if not can(request.role, "supply.log"):
                    raise PermissionDenied
                photo_form = PhotoForm(request.POST, request.FILES)
                if photo_form.is_valid():
                    services.incident_photo_add(
                        incident=incident,
                        by=request.user,
                        photo=photo_form.cleaned_data["photo"],
                        path=photo_form.cleaned_data["path"],
                        caption=photo_form.cleaned_data["caption"],
                    )
                    messages.success(request, _("Photo added."))
                    return redirect("supply-incident", committee=committee.slug, pk=incident.pk)
            elif action == "status":
                if not can(request.role, "supply.manage"):
                    raise PermissionDenied
                status_form = IncidentStatusForm(request.POST)
                if status_form.is_valid():
                    services.incident_status_set(
                        incident=incident, by=request.user, **status_form.cleaned_data
                    )
                    messages.success(request, _("Status saved."))
                    return redirect("supply-incident", committee=committee.slug, pk=incident.pk)
        except ValidationError as error:
            apply_errors(photo_form if action == "photo" else status_form, error)
        status = 400
    return render(
        request,
        "supply/incident_detail.html",
        {
            "incident": incident,
            "photos": incident.photos.all(),
            "photo_form": photo_form,
            "status_form": status_form,
            "can_log": can(request.role, "supply.log"),
            "can_manage": can(request.role, "supply.manage"),
        },
        status=status,
    )


@committee_view("supply.view")
def incident_photo(request, pk: int):
    """An incident's uploaded photo, only to the committee's own people."""
    photo = get_object_or_404(IncidentPhoto, pk=pk, committee=request.committee)
    if not photo.image:
        raise Http404
    try:
        stream = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(stream)


def _letter(request, pk: int, *, as_pdf: bool):
    incident = get_object_or_404(Incident, pk=pk, committee=request.committee)
    return print_page(
        request,
        "supply/incident_letter.html",
        {
            "incident": incident,
            "source": incident.source,
            "photos": incident.photos.all(),
            "today": request.committee.today(),
        },
        papers=A4_ONLY,
        pdf_url=reverse(
            "supply-incident-letter-pdf",
            kwargs={"committee": request.committee.slug, "pk": incident.pk},
        ),
        pdf_name=f"denuncia-{request.committee.slug}-{incident.pk}" if as_pdf else None,
    )


@committee_view("supply.manage")
def incident_letter(request, pk: int):
    """The formal complaint to the authority, from the record: print it from the browser."""
    return _letter(request, pk, as_pdf=False)


@committee_view("supply.manage")
def incident_letter_pdf(request, pk: int):
    return _letter(request, pk, as_pdf=True)


# --- sources, tanks, meters, settings ---------------------------------------------------------


@committee_view("supply.view")
def source_list(request):
    committee = request.committee
    return render(
        request,
        "supply/source_list.html",
        {
            "sources": Source.objects.filter(committee=committee),
            "tanks": Tank.objects.filter(committee=committee),
            "meters": ProductionMeter.objects.filter(committee=committee).select_related(
                "source", "sector"
            ),
            "can_manage": can(request.role, "supply.manage"),
        },
    )


def _source_values(source: Source) -> dict:
    return {name: getattr(source, name) for name in services.SOURCE_FIELDS}


def _source_form(request, source: Source | None):
    committee = request.committee
    initial = _source_values(source) if source is not None else {}
    form = SourceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.source_save(
                committee=committee, by=request.user, source=source, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Source %(name)s saved.") % {"name": saved.name})
            return redirect("supply-sources", committee=committee.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "supply/form.html",
        {
            "form": form,
            "title": _("Change the source") if source else _("New source"),
            "back": reverse("supply-sources", kwargs={"committee": committee.slug}),
        },
        status=status,
    )


@committee_view("supply.manage")
def source_create(request):
    return _source_form(request, None)


@committee_view("supply.manage")
def source_edit(request, pk: int):
    source = get_object_or_404(Source, pk=pk, committee=request.committee)
    return _source_form(request, source)


def _simple_form(request, form, save, title: str, saved_message: str):
    committee = request.committee
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, saved_message)
            return redirect("supply-sources", committee=committee.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "supply/form.html",
        {
            "form": form,
            "title": title,
            "back": reverse("supply-sources", kwargs={"committee": committee.slug}),
        },
        status=status,
    )


@committee_view("supply.manage")
def tank_create(request):
    committee = request.committee
    return _simple_form(
        request,
        TankForm(request.POST or None),
        lambda data: services.tank_save(committee=committee, by=request.user, **data),
        _("New tank"),
        _("Tank saved."),
    )


@committee_view("supply.manage")
def meter_create(request):
    committee = request.committee
    return _simple_form(
        request,
        MeterForm(request.POST or None, committee=committee),
        lambda data: services.meter_save(committee=committee, by=request.user, **data),
        _("New production meter"),
        _("Meter saved."),
    )


@committee_view("supply.manage")
def settings_edit(request):
    """The balance's estimates with their margins, the network, and the costs of production."""
    committee = request.committee
    current = selectors.balance_settings_of(committee)
    form = SettingsForm(
        request.POST or None,
        initial={name: getattr(current, name) for name in services.SETTINGS_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.balance_settings_save(
                committee=committee, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("supply-balance", committee=committee.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "supply/form.html",
        {
            "form": form,
            "title": _("Water balance settings"),
            "intro": _(
                "Each estimate has a ± margin at %(level)s confidence: the balance shows the "
                "range they give. The defaults are the ones the free audit tools use."
            )
            % {"level": "95 %"},
            "back": reverse("supply-balance", kwargs={"committee": committee.slug}),
            "defaults": BalanceSettings(committee=committee),
        },
        status=status,
    )
