"""The well's page: levels, specific capacity, the trend and the intake projection, and the form
that records a level. Thin: reads through the selectors, writes through the services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from comunagua.tenancy.roles import can
from comunagua.tenancy.scoping import committee_view
from comunagua.web.forms import apply_errors

from .. import charts
from ..models import Source
from . import selectors, services
from .forms import WellLevelForm


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
