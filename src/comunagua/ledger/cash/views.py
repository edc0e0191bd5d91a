"""Cash desk pages (caja): open the till, find a household, take its payment, print the receipt,
reverse a payment, close the till with the count. Thin: every write is a `cash.services` call,
every figure a selector's; the receipt's layout and QR code come from `receipts.py`.

The receipt's public page (`/recibo/<token>/`) needs no login: whoever holds the paper can check
that the receipt exists and is not reversed. It shows no personal data.
"""

import uuid
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from comunagua.lib.text import search_text
from comunagua.registry.models import Connection
from comunagua.registry.selectors import current_holding
from comunagua.tenancy.roles import Role, can
from comunagua.tenancy.scoping import committee_view
from comunagua.web.forms import apply_errors
from comunagua.web.printing import print_page

from ..books import labels
from ..books import selectors as books
from ..models import CashSession, OpenItem, Payment, PaymentReversal
from . import receipts, selectors, services
from .forms import PaymentForm, ReverseForm, SessionCloseForm, SessionOpenForm

ZERO = Decimal("0.00")
# Who may close another cashier's till (a cashier closes only their own).
CLOSERS = frozenset({Role.BOARD, Role.TREASURER})
HISTORY_LINES = 30  # the account page shows the latest lines; the statement has them all
RECENT_RECEIPTS = 20
SESSIONS_PAGE = 50


def _open_session(request) -> CashSession | None:
    return selectors.open_session(committee=request.committee, cashier=request.user)


# --- the desk --------------------------------------------------------------------------------


def _open_page(request, form, status=200):
    return render(request, "ledger/home.html", {"session": None, "open_form": form}, status=status)


@committee_view("ledger.cash")
def home(request):
    """No till open: the form to open it. A till open: the search box and the session's
    running summary. htmx asks for the matches only."""
    session = _open_session(request)
    q = search_text(request.GET.get("q", ""))
    if session is None:
        return _open_page(request, SessionOpenForm())
    context = {
        "session": session,
        "q": q,
        "matches": selectors.household_matches(committee=request.committee, text=q),
    }
    if request.headers.get("HX-Request"):
        return render(request, "ledger/_matches.html", context)
    summary = selectors.session_summary(session=session)
    recent = (
        Payment.objects.filter(committee=request.committee, session=session)
        .select_related("connection", "reversal")
        .order_by("-number")[:RECENT_RECEIPTS]
    )
    context.update(
        {
            "summary": summary,
            "by_method": _by_method(summary),
            "expected": session.opening_float + summary.cash,
            "recent": recent,
        }
    )
    return render(request, "ledger/home.html", context)


def _by_method(summary) -> list[dict]:
    return [
        {"method": value, "label": label, "total": summary.by_method.get(value, ZERO)}
        for value, label in Payment.Method.choices
    ]


@committee_view("ledger.cash")
def session_open(request):
    if request.method != "POST":
        return redirect("cash-home", committee=request.committee.slug)
    form = SessionOpenForm(request.POST)
    if form.is_valid():
        try:
            services.session_open(
                committee=request.committee,
                cashier=request.user,
                opening_float=form.cleaned_data["opening_float"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("cash-home", committee=request.committee.slug)
    return _open_page(request, form, status=400)


# --- a household's account and its payment -------------------------------------------------


def _dues(committee, connection) -> list[dict]:
    """The open debts, oldest first, with what is left of each."""
    dues = books.open_dues(committee=committee, connection_ids={connection.pk}).get(
        connection.pk, []
    )
    items = OpenItem.objects.filter(committee=committee).in_bulk([d.key for d in dues])
    return [
        {
            "id": d.key,
            "item": items[d.key],
            "label": labels.document_label(items[d.key].document_type),
            "left": d.open,
        }
        for d in dues
    ]


def _history(committee, connection) -> list[dict]:
    """The latest lines of the household's account, newest first, with links to receipts."""
    lines = books.household_lines(committee=committee, connection_id=connection.pk)
    lines = lines[-HISTORY_LINES:]
    receipt_ids = receipts.receipt_ids_by_entry(committee, {line["entry"].pk for line in lines})
    for line in lines:
        line["kind_label"] = labels.kind_label(line["kind"])
        line["document_label"] = labels.document_label(line["document_type"])
        line["receipt_id"] = receipt_ids.get(line["entry"].pk)
    return lines[::-1]


def _account_page(request, connection, form, *, session, balance, status=200):
    committee = request.committee
    holding = current_holding(connection)
    credits = books.available_credits(committee=committee, connection_ids={connection.pk})
    chosen = set(form.data.getlist("chosen")) if form.is_bound else set()
    stale = None
    if form.is_bound:
        try:
            shown = Decimal(form.data.get("expected_balance", ""))
        except ArithmeticError:
            shown = None
        if shown is not None and shown.is_finite() and shown != balance:
            stale = shown
    return render(
        request,
        "ledger/account.html",
        {
            "connection": connection,
            "holder": holding.member if holding else None,
            "balance": balance,
            "dues": _dues(committee, connection),
            "chosen": chosen,
            "credit": sum((amount for _source, amount in credits.get(connection.pk, [])), ZERO),
            "history": _history(committee, connection),
            "form": form,
            "session": session,
            "stale": stale,
        },
        status=status,
    )


@committee_view("ledger.cash")
def account(request, pk: int):
    """The household's account and the payment form. A payment sent twice (the same client_id,
    a double click, a reload) is recorded once and lands on the same receipt."""
    connection = get_object_or_404(
        Connection.objects.select_related("lot"), pk=pk, committee=request.committee
    )
    session = _open_session(request)
    if request.method == "POST":
        form = PaymentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment = services.payment_take(
                    committee=request.committee,
                    connection_id=connection.pk,
                    amount=data["amount"],
                    method=data["method"],
                    by=request.user,
                    reference=data["reference"],
                    session=session,
                    client_id=data["client_id"],
                    chosen=data["chosen"],
                    expected_balance=data["expected_balance"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return redirect("receipt", committee=request.committee.slug, pk=payment.pk)
        balance = books.balance_of(committee=request.committee, connection_id=connection.pk)
        return _account_page(
            request, connection, form, session=session, balance=balance, status=400
        )
    balance = books.balance_of(committee=request.committee, connection_id=connection.pk)
    form = PaymentForm(
        initial={
            "amount": number_format(balance, 2) if balance > 0 else "",
            "client_id": uuid.uuid4().hex,
            "expected_balance": str(balance),
            "method": Payment.Method.CASH,
        }
    )
    return _account_page(request, connection, form, session=session, balance=balance)


# --- printing (receipts, closing reports) ---------------------------------------------------


def _payment(request, pk: int) -> Payment:
    return get_object_or_404(
        Payment.objects.select_related(
            "connection", "connection__lot", "member", "created_by", "session", "entry"
        ),
        pk=pk,
        committee=request.committee,
    )


def _receipt(request, pk: int, *, as_pdf: bool):
    payment = _payment(request, pk)
    verify_url = request.build_absolute_uri(
        reverse("receipt-public", kwargs={"token": payment.public_token})
    )
    return print_page(
        request,
        "ledger/receipt.html",
        {
            "receipt": receipts.receipt_of(payment),
            "payment": payment,
            "verify_url": verify_url,
            "qr": receipts.qr_svg(verify_url, title=_("Check this receipt")),
            "can_reverse": can(request.role, "ledger.reverse"),
        },
        pdf_url=reverse("receipt-pdf", kwargs={"committee": request.committee.slug, "pk": pk}),
        pdf_name=f"recibo-{payment.number:06d}" if as_pdf else None,
    )


@committee_view("ledger.view")
def receipt(request, pk: int):
    return _receipt(request, pk, as_pdf=False)


@committee_view("ledger.view")
def receipt_pdf(request, pk: int):
    return _receipt(request, pk, as_pdf=True)


@committee_view("ledger.reverse")
def receipt_reverse(request, pk: int):
    """Take a payment back, with the reason. Cash leaves a till: the payment's own if it is
    still open, else the one open by whoever reverses it."""
    payment = _payment(request, pk)
    if PaymentReversal.objects.filter(committee=request.committee, payment=payment).exists():
        return redirect("receipt", committee=request.committee.slug, pk=payment.pk)
    session = _open_session(request)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_reverse(
                payment=payment,
                reason=form.cleaned_data["reason"],
                by=request.user,
                session=session,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Receipt %(number)s was reversed.") % {"number": payment.number}
            )
            return redirect("receipt", committee=request.committee.slug, pk=payment.pk)
    own_open = payment.session is not None and payment.session.status == CashSession.Status.OPEN
    return render(
        request,
        "ledger/reverse.html",
        {
            "payment": payment,
            "receipt": receipts.receipt_of(payment),
            "form": form,
            "needs_till": (
                payment.method == Payment.Method.CASH and not own_open and session is None
            ),
        },
        status=400 if form.is_bound else 200,
    )


def receipt_public(request, token: str):
    """Anyone with the paper checks it here: committee, number, date, amount, method, and
    whether it stands. No name, no connection number."""
    with scopes_disabled():
        payment = (
            Payment.objects.select_related("committee")
            .filter(public_token=token[:32], committee__is_active=True)
            .first()
        )
        if payment is None:
            raise Http404
        reversal = PaymentReversal.objects.filter(payment=payment).first()
        response = render(
            request,
            "ledger/receipt_public.html",
            {
                "payment": payment,
                "issuer": payment.committee,
                "reversal": reversal,
                "currency": payment.committee.currency,
            },
        )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- closing the till, and the sessions ------------------------------------------------------


def _session(request, pk: int) -> CashSession:
    return get_object_or_404(
        CashSession.objects.select_related("cashier"), pk=pk, committee=request.committee
    )


@committee_view("ledger.cash")
def session_close(request, pk: int):
    """Count the till and close it. The cashier closes their own; the board and the treasurer
    may close anyone's (a cashier who went home with the till open)."""
    session = _session(request, pk)
    if session.cashier_id != request.user.pk and request.role not in CLOSERS:
        raise PermissionDenied
    if session.status != CashSession.Status.OPEN:
        return redirect("session-report", committee=request.committee.slug, pk=session.pk)
    form = SessionCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_close(
                session=session,
                counted=form.cleaned_data["counted"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("session-report", committee=request.committee.slug, pk=session.pk)
    summary = selectors.session_summary(session=session)
    return render(
        request,
        "ledger/session_close.html",
        {
            "session": session,
            "summary": summary,
            "by_method": _by_method(summary),
            "expected": session.opening_float + summary.cash,
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@committee_view("ledger.view")
def session_report(request, pk: int):
    """The closing report (printable): expected, counted, difference, and the receipts."""
    session = _session(request, pk)
    summary = selectors.session_summary(session=session)
    payments = (
        Payment.objects.filter(committee=request.committee, session=session)
        .select_related("connection", "reversal")
        .order_by("number")
    )
    reversals = (
        PaymentReversal.objects.filter(committee=request.committee, entry__session=session)
        .select_related("payment")
        .order_by("payment__number")
    )
    closed = session.status == CashSession.Status.CLOSED
    # Once closed, the till's entries include the posted difference: what the receipts moved is
    # what was expected at closing, less the opening change.
    expected = session.expected if closed else session.opening_float + summary.cash
    return print_page(
        request,
        "ledger/session_report.html",
        {
            "session": session,
            "summary": summary,
            "by_method": _by_method(summary),
            "expected": expected,
            "moved": expected - session.opening_float,
            "closed": closed,
            "payments": payments,
            "reversals": reversals,
            "can_close": not closed
            and (session.cashier_id == request.user.pk or request.role in CLOSERS),
        },
    )


@committee_view("ledger.view")
def session_list(request):
    sessions = CashSession.objects.filter(committee=request.committee).select_related("cashier")
    page = Paginator(sessions.order_by("-opened_at", "-pk"), SESSIONS_PAGE).get_page(
        request.GET.get("page")
    )
    rows = []
    for session in page:
        expected = session.expected
        if session.status == CashSession.Status.OPEN:  # few: the tills open right now
            expected = session.opening_float + selectors.session_cash(session=session)
        rows.append({"session": session, "expected": expected})
    return render(request, "ledger/session_list.html", {"page": page, "rows": rows, "filters": {}})
