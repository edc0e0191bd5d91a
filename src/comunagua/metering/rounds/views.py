"""Pages of the reading rounds and the routes. Thin: read through selectors, write through
services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comunagua.lib.periods import Period
from comunagua.tenancy.scoping import committee_view

from ..models import Round
from ..readings import selectors as readings
from ..readings.services import error_message
from . import selectors, services
from .forms import RoundOpenForm


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
    flags = readings.flags_of_round(round=reading_round)
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
            messages.error(request, error_message(error))
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
