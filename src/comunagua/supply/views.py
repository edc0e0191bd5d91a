"""The water's front page: the summary every member sees (non-revenue water month by month, what
a m³ costs against what it is billed), with links to the areas by role. The areas have their own
pages: log/ (the operator's log), balance/ (the water balance), wells/, incidents/, network/
(sources, tanks and meters).
"""

from django.shortcuts import render

from comunagua.tenancy.roles import can
from comunagua.tenancy.scoping import committee_view

from . import charts
from .balance import selectors as balance_selectors
from .incidents import selectors as incidents_selectors
from .wells import selectors as wells_selectors


@committee_view("supply.summary")
def home(request):
    """Non-revenue water month by month and what a m³ costs against what it is billed: the
    figures every member may see. Links to the rest by role."""
    committee = request.committee
    first, last = balance_selectors.default_span(committee, request.committee.today())
    months = balance_selectors.monthly_nrw(committee=committee, first=first, last=last)
    result = balance_selectors.span_balance(committee=committee, first=first, last=last)
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
            "wells": wells_selectors.wells(committee) if can(request.role, "supply.view") else [],
            "open_incidents": incidents_selectors.open_incident_count(committee)
            if can(request.role, "supply.view")
            else 0,
        },
    )
