"""The water balance's pages: the standard balance for a span of months, NRW per month and per
sector, energy and cost per m³; and the balance's settings (the board's). Thin: reads through
the selectors, writes through the services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from comunagua.tenancy.scoping import committee_view
from comunagua.web.forms import apply_errors

from .. import charts
from ..log import selectors as log_selectors
from ..models import BalanceSettings
from . import figures, selectors, services
from .forms import SettingsForm, SpanForm


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
    sectors = figures.sector_nrw(committee=committee, first=first, last=last)
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
            "sector_months": figures.sector_months(sectors),
            "interruptions": log_selectors.interruptions(
                committee=committee, first=first, last=last
            ),
            "settings": selectors.balance_settings_of(committee),
        },
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
