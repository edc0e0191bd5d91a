"""The meter-change page of a connection (install a first meter, or replace the one in
service), at /<committee>/conexiones/<pk>/medidor/ beside the register's connection pages: the
change is checked against the meter's readings, so the page is metering's. Its template keeps its
name, registry/connection_meter.html. Thin: read through selectors, write through services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from comunagua.registry import services as registry
from comunagua.registry.models import Connection
from comunagua.tenancy.scoping import committee_view
from comunagua.web.forms import apply_errors

from ..readings.selectors import meter_last_actual_reading
from . import services
from .forms import MeterForm


@committee_view("registry.edit")
def connection_meter(request, pk: int):
    connection = get_object_or_404(Connection, pk=pk, committee=request.committee)
    current = connection.meters.filter(removed_on__isnull=True).first()
    form = MeterForm(request.POST or None, committee=request.committee, current=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_meter = {
            "serial": data["serial"],
            "brand": data["brand"],
            "digits": data["digits"],
            "initial_reading": data["initial_reading"],
        }
        try:
            if current is None:
                registry.meter_install(
                    connection=connection, by=request.user, installed_on=data["on"], **new_meter
                )
            else:
                services.meter_replace(
                    connection=connection,
                    by=request.user,
                    removed_on=data["on"],
                    final_reading=data["final_reading"],
                    rolled_over=data["rolled_over"],
                    reason=data["reason"],
                    **new_meter,
                )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Meter saved."))
            return redirect("connection-detail", committee=request.committee.slug, pk=connection.pk)
    return render(
        request,
        "registry/connection_meter.html",
        {
            "form": form,
            "connection": connection,
            "current": current,
            "last": meter_last_actual_reading(current) if current else None,
        },
    )
