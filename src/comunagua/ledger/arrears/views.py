"""Arrears pages (morosidad): the aging of debts, the households due for disconnection with their
notice, disconnection and reconnection, a household's payment plan, the committee's rules and
the late-payment fines. Thin: every write is an arrears service, every figure its selector's.
Every page needs `ledger.arrears` (the board and the treasurer).

Each action is a POST carrying a client-made id: a double click or a reload records it once.
"""

import uuid
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from comunagua.registry.models import Connection
from comunagua.registry.selectors import current_holding
from comunagua.tenancy.scoping import committee_view
from comunagua.web.forms import apply_errors
from comunagua.web.printing import print_page

from ..books.labels import document_label
from ..models import ServiceEvent
from . import selectors, services
from .arithmetic import RECONNECTION, RULE_BOUNDS, ZERO, add_months
from .forms import EventForm, PlanForm, ReconnectForm, RulesForm

# The household page shows several forms: each its own element ids.
AUTO_ID = {
    "notice_form": "notice_%s",
    "disconnect_form": "disconnect_%s",
    "reconnect_form": "reconnect_%s",
    "plan_form": "plan_%s",
}


def _new_id() -> str:
    return uuid.uuid4().hex


# --- helpers ---------------------------------------------------------------------------------


def _connection(request, pk: int) -> Connection:
    return get_object_or_404(
        Connection.objects.select_related("lot"), pk=pk, committee=request.committee
    )


def _holder(connection: Connection):
    holding = current_holding(connection)
    return holding.member if holding else None


def _back(request, connection: Connection) -> HttpResponseRedirect:
    """Where an action returns: the disconnection list when it came from there, else the
    household's page. Only these two: never an address taken from the request."""
    if request.POST.get("next") == "list":
        return redirect("arrears-disconnections", committee=request.committee.slug)
    return redirect("arrears-household", committee=request.committee.slug, pk=connection.pk)


def _reconnection_fee(committee, on) -> str:
    """The tariff's reconnection fee, as the reconnection form shows it."""
    return number_format(selectors.tariff_charge(committee, on, RECONNECTION) or 0, 2)


def _reconnect_initial(fee: str) -> dict:
    return {"fee": fee, "client_id": _new_id()}


# --- the aging -------------------------------------------------------------------------------


@committee_view("ledger.arrears")
def home(request):
    """The aging of debts: totals by age and one row per household, worst first."""
    on = request.committee.today()
    committee = request.committee
    rules = selectors.rules_of(committee)
    return render(
        request,
        "ledger/arrears/home.html",
        {
            "on": on,
            "aging": selectors.aging(committee=committee, on=on),
            "rules": rules,
            "due_count": len(selectors.due_for_disconnection(committee=committee, on=on)),
            "late_fine": selectors.tariff_charge(committee, on, "late_fine"),
        },
    )


@committee_view("ledger.arrears")
def fines(request):
    """Charge the late-payment fines the rules call for today (a button on the aging page)."""
    if request.method == "POST":
        try:
            count = services.late_fines_apply(
                committee=request.committee, on=request.committee.today(), by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Late-payment fines charged: %(count)s.") % {"count": count}
                if count
                else _("No late-payment fine to charge today."),
            )
    return redirect("arrears", committee=request.committee.slug)


# --- disconnections --------------------------------------------------------------------------


@committee_view("ledger.arrears")
def disconnections(request):
    """Households due for disconnection by the rules, with their notice and the day they may be
    disconnected; and the households disconnected, to reconnect with the fee."""
    on = request.committee.today()
    committee = request.committee
    due = selectors.due_for_disconnection(committee=committee, on=on)
    fee = _reconnection_fee(committee, on)  # once for the page, not once a row
    return render(
        request,
        "ledger/arrears/disconnections.html",
        {
            "on": on,
            "rules": selectors.rules_of(committee),
            "due": [{"standing": s, "client_id": _new_id()} for s in due],
            "disconnected": [
                {"row": row, "form": ReconnectForm(initial=_reconnect_initial(fee))}
                for row in selectors.disconnected(committee=committee)
            ],
        },
    )


# --- a household -----------------------------------------------------------------------------


def _household_page(request, connection, *, status=200, **forms_given):
    on = request.committee.today()
    committee = request.committee
    data = selectors.household_arrears(connection=connection, on=on)
    for debt in data["debts"]:
        debt["label"] = document_label(debt["item"].document_type)
    total = data["total"]
    first = add_months(on, 1).replace(day=min(on.day, 28))
    context = {
        "on": on,
        "connection": connection,
        "holder": _holder(connection),
        "rules": selectors.rules_of(committee),
        **data,
        "notice_form": forms_given.get("notice_form")
        or EventForm(initial={"client_id": _new_id()}, auto_id=AUTO_ID["notice_form"]),
        "disconnect_form": forms_given.get("disconnect_form")
        or EventForm(initial={"client_id": _new_id()}, auto_id=AUTO_ID["disconnect_form"]),
        "reconnect_form": forms_given.get("reconnect_form")
        or ReconnectForm(
            initial=_reconnect_initial(_reconnection_fee(committee, on)),
            auto_id=AUTO_ID["reconnect_form"],
        ),
        "plan_form": forms_given.get("plan_form")
        or PlanForm(
            initial={"instalments": 3, "first_due_on": first, "client_id": _new_id()},
            auto_id=AUTO_ID["plan_form"],
        ),
        "can_plan": total > 0,
    }
    return render(request, "ledger/arrears/household.html", context, status=status)


@committee_view("ledger.arrears")
def household(request, pk: int):
    """A household's debts by age, its notice, disconnection and reconnection, its payment
    plans and the form to agree a new one."""
    return _household_page(request, _connection(request, pk))


def _event_action(request, pk: int, service, form_name: str, form_class=EventForm):
    """Run a service event's action. Returns the event, or the response answering a refusal:
    a refusal of the action itself ("give the notice first") is a message at the top of the
    page (the form it came from may not be on the page any more); a bad field (the fee) is
    shown on its form."""
    connection = _connection(request, pk)
    if request.method != "POST":
        return redirect("arrears-household", committee=request.committee.slug, pk=connection.pk)
    form = form_class(request.POST, auto_id=AUTO_ID[form_name])
    if form.is_valid():
        try:
            event = service(connection=connection, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return event
    visible = {field.name for field in form.visible_fields()}
    if request.POST.get("next") != "list" and form.errors.keys() & visible:
        return _household_page(request, connection, status=400, **{form_name: form})
    messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    if request.POST.get("next") == "list":
        return _back(request, connection)
    return _household_page(request, connection, status=400)


@committee_view("ledger.arrears")
def notice(request, pk: int):
    """Give the disconnection notice, then print it."""
    result = _event_action(request, pk, services.notice_give, "notice_form")
    if not isinstance(result, ServiceEvent):
        return result
    messages.success(request, _("The notice was recorded: print it and hand it over."))
    return redirect("arrears-notice-print", committee=request.committee.slug, pk=pk)


@committee_view("ledger.arrears")
def disconnect(request, pk: int):
    result = _event_action(request, pk, services.connection_disconnect, "disconnect_form")
    if not isinstance(result, ServiceEvent):
        return result
    messages.success(request, _("The disconnection was recorded."))
    return _back(request, result.connection)


@committee_view("ledger.arrears")
def reconnect(request, pk: int):
    result = _event_action(
        request, pk, services.connection_reconnect, "reconnect_form", ReconnectForm
    )
    if not isinstance(result, ServiceEvent):
        return result
    messages.success(request, _("The reconnection was recorded and its fee charged."))
    return _back(request, result.connection)


@committee_view("ledger.arrears")
def plan(request, pk: int):
    """Agree a payment plan: the household's whole debt in monthly instalments."""
    connection = _connection(request, pk)
    if request.method != "POST":
        return redirect("arrears-household", committee=request.committee.slug, pk=connection.pk)
    form = PlanForm(request.POST, auto_id=AUTO_ID["plan_form"])
    if form.is_valid():
        try:
            created = services.plan_create(
                connection=connection,
                instalments=form.cleaned_data["instalments"],
                first_due_on=form.cleaned_data["first_due_on"],
                note=form.cleaned_data["note"],
                client_id=form.cleaned_data["client_id"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Payment plan %(number)s agreed: %(count)s instalments.")
                % {"number": created.pk, "count": created.instalments},
            )
            return redirect("arrears-household", committee=request.committee.slug, pk=connection.pk)
    return _household_page(request, connection, status=400, plan_form=form)


@committee_view("ledger.arrears")
def notice_print(request, pk: int):
    """The household's latest disconnection notice on an A4 sheet (or an 80 mm roll)."""
    connection = _connection(request, pk)
    event = (
        ServiceEvent.objects.filter(
            committee=request.committee, connection=connection, kind=ServiceEvent.Kind.NOTICE
        )
        .select_related("created_by")
        .order_by("-date", "-id")
        .first()
    )
    if event is None:
        messages.error(request, _("This household has not been given a notice."))
        return redirect("arrears-household", committee=request.committee.slug, pk=connection.pk)
    committee = request.committee
    rules = selectors.rules_of(committee)
    on = request.committee.today()
    data = selectors.household_arrears(connection=connection, on=on)
    overdue = [d for d in data["debts"] if d["item"].due_on < on]
    for debt in overdue:
        debt["label"] = document_label(debt["item"].document_type)
    return print_page(
        request,
        "ledger/arrears/notice.html",
        {
            "event": event,
            "connection": connection,
            "holder": _holder(connection),
            "until": event.date + timedelta(days=rules.notice_days),
            "rules": rules,
            "on": on,
            "overdue": overdue,
            "overdue_total": sum((d["left"] for d in overdue), ZERO),
            "fee": selectors.tariff_charge(committee, on, RECONNECTION),
        },
    )


# --- the rules -------------------------------------------------------------------------------


@committee_view("ledger.arrears")
def rules(request):
    committee = request.committee
    current = selectors.rules_of(committee)
    fields = list(RULE_BOUNDS)
    form = RulesForm(
        request.POST or None, initial={name: getattr(current, name) for name in fields}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.rules_update(committee=committee, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The rules were saved."))
            return redirect("arrears", committee=committee.slug)
    return render(
        request,
        "ledger/arrears/rules.html",
        {
            "form": form,
            "late_fine": selectors.tariff_charge(committee, request.committee.today(), "late_fine"),
        },
        status=400 if form.is_bound else 200,
    )
