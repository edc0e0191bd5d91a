"""The incidents' pages: the list (with the form that reports one), an incident with its photos
and status, a photo, and the formal complaint letter to the authority (printed or as a PDF).
Thin: reads through the selectors, writes through the services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from comunagua.tenancy.roles import can
from comunagua.tenancy.scoping import committee_view
from comunagua.web.forms import apply_errors
from comunagua.web.printing import A4_ONLY, print_page

from ..models import Incident, IncidentPhoto
from . import selectors, services
from .forms import IncidentForm, IncidentStatusForm, PhotoForm


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
    incidents = selectors.incidents_of(committee)
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
