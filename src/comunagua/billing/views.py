"""Billing pages. Thin: read through selectors, write through services; the printed bill's
layout (lines in words) is prepared here, its consumption chart in chart.py; the page on
its paper, and its PDF from the same templates, come from `comunagua.web.printing`."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from comunagua.ledger.books import labels as ledger_labels
from comunagua.ledger.books import selectors as ledger_selectors
from comunagua.ledger.cash import receipts as ledger_receipts
from comunagua.lib.periods import Period
from comunagua.metering.models import Reading, Route
from comunagua.metering.readings.selectors import consumption_history
from comunagua.registry.models import Connection
from comunagua.registry.selectors import current_holding
from comunagua.tariffs import engine, labels, simulator
from comunagua.tariffs import selectors as tariff_selectors
from comunagua.tenancy.roles import can
from comunagua.tenancy.scoping import committee_view
from comunagua.web.formats import format_volume
from comunagua.web.forms import apply_errors
from comunagua.web.printing import print_page

from . import chart, selectors, services, simulation
from .forms import CreditNoteForm, RunForm, SimulationForm
from .models import Bill, BillingRun

ZERO = Decimal("0.00")


def _home(request, form, status=200):
    runs = BillingRun.objects.filter(committee=request.committee).order_by("-period")
    return render(
        request,
        "billing/home.html",
        {"runs": runs, "form": form, "can_run": can(request.role, "billing.run")},
        status=status,
    )


@committee_view("billing.view")
def home(request):
    return _home(request, RunForm())


@committee_view("billing.run")
def run_create(request):
    if request.method != "POST":
        return redirect("billing-home", committee=request.committee.slug)
    form = RunForm(request.POST)
    if form.is_valid():
        period = form.cleaned_data["period"]
        existed = selectors.run_of(committee=request.committee, period=period) is not None
        try:
            run = services.run_create(
                committee=request.committee,
                period=period,
                by=request.user,
                due_days=form.cleaned_data["due_days"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if existed:
                messages.info(
                    request,
                    _("%(period)s was already billed: no new bill was issued.")
                    % {"period": period},
                )
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d bill issued for %(period)s.",
                        "%(count)d bills issued for %(period)s.",
                        run.bill_count,
                    )
                    % {"count": run.bill_count, "period": period},
                )
            return redirect("run-detail", committee=request.committee.slug, pk=run.pk)
    return _home(request, form, status=400)


def _totals(bills) -> dict[str, Decimal]:
    return {
        "charges": sum((b.charges_total for b in bills), ZERO),
        "previous": sum((b.previous_balance for b in bills), ZERO),
        "due": sum((b.total_due for b in bills), ZERO),
    }


@committee_view("billing.view")
def run_detail(request, pk: int):
    run = get_object_or_404(
        BillingRun.objects.select_related("tariff"), pk=pk, committee=request.committee
    )
    bills = list(
        run.bills.select_related("connection", "connection__lot", "member").order_by("number")
    )
    routes = Route.objects.filter(committee=request.committee).order_by("position", "name")
    return render(
        request,
        "billing/run_detail.html",
        {"run": run, "bills": bills, "totals": _totals(bills), "routes": routes},
    )


# --- the printed bill (aviso de cobranza) ---------------------------------------------------


def _decimal(text) -> Decimal | None:
    return None if text is None else Decimal(text)


def _notices(bills: list[Bill], committee) -> list[dict]:
    """Everything a printed bill shows, for a batch of bills (one tariff read per run)."""
    serials = dict(
        Reading.objects.filter(
            committee=committee, pk__in=[b.reading_id for b in bills if b.reading_id]
        ).values_list("pk", "meter__serial")
    )
    tariffs: dict[int, engine.Tariff] = {}
    notices = []
    for bill in bills:
        if bill.run.tariff_id not in tariffs:
            tariffs[bill.run.tariff_id] = bill.run.tariff.engine()
        rules = tariffs[bill.run.tariff_id]
        lines = []
        for raw in bill.lines:
            line = engine.Line(
                code=raw["code"],
                amount=Decimal(raw["amount"]),
                m3=_decimal(raw.get("m3")),
                price=_decimal(raw.get("price")),
            )
            lines.append(
                {
                    "description": labels.describe(line, rules, category=bill.category),
                    "detail": labels.detail(line, rules),
                    "amount": line.amount,
                }
            )
        period = Period.of(bill.period)
        serial = serials.get(bill.reading_id)
        if serial is None:
            meter = bill.connection.meters.filter(removed_on__isnull=True).first()
            serial = meter.serial if meter else ""
        notices.append(
            {
                "bill": bill,
                "lines": lines,
                "serial": serial,
                "category": labels.category_label(bill.category),
                "chart": chart.consumption_chart(
                    consumption_history(connection=bill.connection, months=6, until=period),
                    current=period,
                ),
            }
        )
    return notices


def _bills():
    return Bill.objects.select_related(
        "run", "run__tariff", "connection", "connection__lot", "member"
    )


# The sentence of the page that refuses an unknown `?format=` on a bill.
UNKNOWN_PAPER = gettext_lazy(
    "“%(value)s” is not a paper format the bills can be printed on. Choose one:"
)


def _bill(request, pk: int, *, as_pdf: bool):
    bill = get_object_or_404(_bills(), pk=pk, committee=request.committee)
    return print_page(
        request,
        "billing/bill_detail.html",
        {"notices": _notices([bill], request.committee), "bill": bill},
        pdf_url=reverse("bill-pdf", kwargs={"committee": request.committee.slug, "pk": pk}),
        pdf_name=f"aviso-{bill.number:06d}" if as_pdf else None,
        refusal=UNKNOWN_PAPER,
    )


@committee_view("billing.view")
def bill_detail(request, pk: int):
    return _bill(request, pk, as_pdf=False)


@committee_view("billing.view")
def bill_pdf(request, pk: int):
    return _bill(request, pk, as_pdf=True)


def _run_print(request, pk: int, *, as_pdf: bool):
    run = get_object_or_404(BillingRun, pk=pk, committee=request.committee)
    bills = _bills().filter(run=run)
    route = None
    route_id = request.GET.get("route", "")
    if route_id and route_id != "all":
        if not route_id.isdigit():
            raise Http404
        route = get_object_or_404(Route, pk=int(route_id), committee=request.committee)
        bills = bills.filter(connection__route_stops__route=route).order_by(
            "connection__route_stops__position", "number"
        )
    else:
        bills = bills.order_by("number")
    name = f"avisos-{run.period:%Y-%m}"
    if route is not None:
        name += f"-{slugify(route.name) or route.pk}"
    return print_page(
        request,
        "billing/run_print.html",
        {"notices": _notices(list(bills), request.committee), "run": run, "route": route},
        pdf_url=reverse("run-print-pdf", kwargs={"committee": request.committee.slug, "pk": pk}),
        pdf_name=name if as_pdf else None,
        refusal=UNKNOWN_PAPER,
    )


@committee_view("billing.view")
def run_print(request, pk: int):
    return _run_print(request, pk, as_pdf=False)


@committee_view("billing.view")
def run_print_pdf(request, pk: int):
    return _run_print(request, pk, as_pdf=True)


@committee_view("billing.view")
def statement(request, pk: int):
    """The household's account as the books hold it: every bill, fine, fee, credit note,
    payment and reversal, with the running balance; bills and receipts linked."""
    committee = request.committee
    connection = get_object_or_404(
        Connection.objects.select_related("lot"), pk=pk, committee=committee
    )
    lines = ledger_selectors.household_lines(committee=committee, connection_id=connection.pk)
    bills = dict(
        Bill.objects.filter(committee=committee, connection=connection).values_list("number", "pk")
    )
    receipt_ids = ledger_receipts.receipt_ids_by_entry(committee, {ln["entry"].pk for ln in lines})
    for line in lines:
        number = line["document_number"]
        line["bill_id"] = (
            bills.get(int(number))
            if line["document_type"] == "bill" and str(number).isdigit()
            else None
        )
        line["receipt_id"] = receipt_ids.get(line["entry"].pk)
        line["label"] = ledger_labels.document_label(line["document_type"])
        line["kind_label"] = ledger_labels.kind_label(line["kind"])
    holder = current_holding(connection)
    return render(
        request,
        "billing/statement.html",
        {
            "connection": connection,
            "holder": holder.member if holder else None,
            "lines": lines,
            "balance": lines[-1]["balance"] if lines else ZERO,
            "can_credit": can(request.role, "billing.run"),
        },
    )


@committee_view("billing.run")
def credit_note(request, pk: int):
    """Correct a bill: a credit note takes back part or all of its charges, with the reason.
    The bill itself never changes."""
    bill = get_object_or_404(_bills(), pk=pk, committee=request.committee)
    form = CreditNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            note = services.credit_note_issue(
                bill=bill,
                amount=data["amount"],
                reason=data["reason"],
                by=request.user,
                client_id=data["client_id"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Credit note %(number)s issued on bill %(bill)s.")
                % {"number": note.number, "bill": bill.number},
            )
            return redirect("statement", committee=request.committee.slug, pk=bill.connection_id)
    return render(
        request,
        "billing/credit_note.html",
        {"bill": bill, "form": form, "left": bill.charges_total - selectors.credited(bill)},
    )


# --- the tariff simulator ----------------------------------------------------------------------
# A tariffs page by its path (/<committee>/tarifas/simular/), mounted by comunagua/urls.py: it
# applies a proposed tariff to the bills of a month, which the tariffs cannot read.


def _volume_range(row: simulator.Row) -> str:
    if row.m3_min == row.m3_max:
        return format_volume(row.m3_min)
    return labels.block_range(row.m3_min, row.m3_max)


# It reads the month's bills, so it needs the right to see bills, not only the tariff.
@committee_view("billing.view")
def tariff_simulate(request):
    """A proposed tariff applied to a billed month: the page an assembly decides with. Reads
    only, so a saved tariff and a month can be linked to (?tariff=ID); TOML text is posted."""
    committee = request.committee
    periods = selectors.billed_periods(committee=committee)
    data = None
    if request.method == "POST":
        data = request.POST
    elif "tariff" in request.GET or "period" in request.GET:
        data = request.GET.copy()
        if not data.get("period") and periods:
            data["period"] = str(periods[0])
    tariffs = tariff_selectors.tariff_list(committee=committee)
    form = SimulationForm(data, tariffs=tariffs, periods=periods)
    result = month = None
    if form.is_bound and form.is_valid():
        month = Period.parse(form.cleaned_data["period"])
        try:
            result = simulation.simulate_tariff(
                committee=committee,
                proposed=form.cleaned_data["rules"],
                period=month,
                costs=form.cleaned_data["costs"],
            )
        except simulator.SimulationError as error:
            form.add_error(None, labels.simulation_message(error))
    context = {
        "form": form,
        "periods": periods,
        "result": result,
        "month": month.first_day if month else None,
        "rules": form.cleaned_data.get("rules") if result else None,
        "categories": [(labels.category_label(r.key), r) for r in result.categories]
        if result
        else [],
        "deciles": [(_volume_range(r), r) for r in result.deciles] if result else [],
    }
    return render(request, "tariffs/simulate.html", context)
