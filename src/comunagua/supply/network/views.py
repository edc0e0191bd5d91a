"""The network's setup pages: the sources, tanks and meters, and the forms that add or change
them (the board's). Thin: reads through the selectors, writes through the services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from comunagua.tenancy.roles import can
from comunagua.tenancy.scoping import committee_view
from comunagua.web.forms import apply_errors

from ..models import Source
from . import selectors, services
from .forms import MeterForm, SourceForm, TankForm


@committee_view("supply.view")
def source_list(request):
    committee = request.committee
    return render(
        request,
        "supply/source_list.html",
        {
            "sources": selectors.sources_of(committee),
            "tanks": selectors.tanks_of(committee),
            "meters": selectors.meters_of(committee),
            "can_manage": can(request.role, "supply.manage"),
        },
    )


def _source_values(source: Source) -> dict:
    return {name: getattr(source, name) for name in services.SOURCE_FIELDS}


def _source_form(request, source: Source | None):
    initial = _source_values(source) if source is not None else {}
    committee = request.committee
    return _simple_form(
        request,
        SourceForm(request.POST or None, initial=initial),
        lambda data: services.source_save(
            committee=committee, by=request.user, source=source, **data
        ),
        _("Change the source") if source else _("New source"),
        lambda saved: _("Source %(name)s saved.") % {"name": saved.name},
    )


@committee_view("supply.manage")
def source_create(request):
    return _source_form(request, None)


@committee_view("supply.manage")
def source_edit(request, pk: int):
    source = get_object_or_404(Source, pk=pk, committee=request.committee)
    return _source_form(request, source)


def _simple_form(request, form, save, title: str, saved_message):
    """A network form page: `save(cleaned_data)` writes and returns what it saved;
    `saved_message(saved)` says so."""
    committee = request.committee
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, saved_message(saved))
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
        lambda _saved: _("Tank saved."),
    )


@committee_view("supply.manage")
def meter_create(request):
    committee = request.committee
    return _simple_form(
        request,
        MeterForm(request.POST or None, committee=committee),
        lambda data: services.meter_save(committee=committee, by=request.user, **data),
        _("New production meter"),
        lambda _saved: _("Meter saved."),
    )
