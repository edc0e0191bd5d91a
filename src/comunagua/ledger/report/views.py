"""The monthly transparency report's pages (informe): choose a month; the month's report, printable
on A4 and as a PDF, with the chart of twelve months; the board publishes it at a public address
(or withdraws it); the public page needs no login; and a member household's own account.

Thin: the figures are `selectors.monthly_report`'s, the household's account is the books'
selectors'; the chart's layout is `chart.py`'s.
"""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from comunagua.lib.periods import Period
from comunagua.registry.models import Holding
from comunagua.tenancy.roles import can
from comunagua.tenancy.scoping import committee_scope, committee_view
from comunagua.web.printing import A4_ONLY, print_page

from ..books import labels
from ..books import selectors as books
from ..models import OpenItem, PublishedReport
from . import selectors, services
from .chart import chart

ZERO = Decimal("0.00")
MONTHS_LISTED = 12  # months offered as links on the report's home page


# --- choosing the month ----------------------------------------------------------------------


def _bad_month(request, text: str, reason: str):
    return render(
        request,
        "ledger/report/bad_month.html",
        {
            "asked": text,
            "reason": reason,
            "example": str(selectors.last_complete_month(request.committee)),
        },
        status=400,
    )


def _check(request, text: str):
    """The month asked for, or the page that says why it is not one."""
    try:
        period = Period.parse(text)
    except ValueError:
        return None, _bad_month(
            request, text, _("Write the month as year and month, e.g. 2025-03.")
        )
    if period > Period.of(request.committee.today()):
        return None, _bad_month(request, text, _("That month has not begun yet."))
    return period, None


@committee_view("ledger.report")
def home(request):
    """Choose a month (the last complete one by default); the months published."""
    committee = request.committee
    asked = request.GET.get("period")
    if asked is not None:
        period, refused = _check(request, asked[:20])
        if refused is not None:
            return refused
        return redirect("report-month", committee=committee.slug, period=str(period))
    last = selectors.last_complete_month(committee)
    published = PublishedReport.objects.filter(committee=committee).order_by("-period")
    if not can(request.role, "ledger.publish"):
        published = published.filter(withdrawn_at__isnull=True)
    return render(
        request,
        "ledger/report/home.html",
        {
            "last": last,
            "months": [last - i for i in range(MONTHS_LISTED)],
            "published": [
                {"report": p, "period": Period.of(p.period), "url": _public_url(request, p)}
                for p in published
            ],
            "has_household": _holdings(request).exists(),
        },
    )


# --- the month's report ----------------------------------------------------------------------


def _public_url(request, published: PublishedReport) -> str:
    return request.build_absolute_uri(reverse("report-public", kwargs={"token": published.token}))


def _context(committee, period: Period, *, with_names: bool) -> dict:
    report = selectors.monthly_report(committee, period, with_names=with_names)
    return {
        "report": report,
        "chart": chart(report.history, current=period),
        "committee": committee,
        "currency": committee.currency,
        "over": selectors.is_over(committee, period),
    }


def _month(request, period_text: str, *, as_pdf: bool):
    period, refused = _check(request, period_text)
    if refused is not None:
        return refused
    committee = request.committee
    if period_text != str(period):  # "2025-3": the month's one address is "2025-03"
        name = "report-pdf" if as_pdf else "report-month"
        target = reverse(name, kwargs={"committee": committee.slug, "period": str(period)})
        query = request.GET.urlencode()
        return redirect(f"{target}?{query}" if query else target)
    record = PublishedReport.objects.filter(committee=committee, period=period.first_day).first()
    live = record if record is not None and record.withdrawn_at is None else None
    can_publish = can(request.role, "ledger.publish")
    # Names of the households that owe: when the board published the month with them, or when
    # the board asks for them (to print the assembly's copy).
    asked_names = can_publish and request.GET.get("names") == "1"
    with_names = asked_names or (live is not None and live.show_debtor_names)
    context = _context(committee, period, with_names=with_names)
    context.update(
        {
            "record": record,
            "live": live,
            "public_url": _public_url(request, live) if live else "",
            "can_publish": can_publish,
            "asked_names": asked_names,
            "previous": period.previous(),
            "next": period.next() if period.next() <= Period.of(committee.today()) else None,
        }
    )
    return print_page(
        request,
        "ledger/report/month.html",
        context,
        papers=A4_ONLY,
        pdf_url=reverse("report-pdf", kwargs={"committee": committee.slug, "period": str(period)}),
        pdf_query={"names": "1"} if asked_names else {},
        pdf_name=f"informe-{committee.slug}-{period}" if as_pdf else None,
    )


@committee_view("ledger.report")
def month(request, period: str):
    return _month(request, period, as_pdf=False)


@committee_view("ledger.report")
def month_pdf(request, period: str):
    return _month(request, period, as_pdf=True)


@committee_view("ledger.publish")
def publish(request, period: str):
    """Publish the month (again), or withdraw it. POST only."""
    checked, refused = _check(request, period)
    if refused is not None:
        return refused
    committee = request.committee
    back = redirect("report-month", committee=committee.slug, period=str(checked))
    if request.method != "POST":
        return back
    action = request.POST.get("action", "")
    if action == "publish":
        try:
            services.report_publish(
                committee=committee,
                period=checked,
                show_debtor_names=request.POST.get("show_debtor_names") in ("on", "1", "true"),
                by=request.user,
            )
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(
                request,
                _("The report of %(period)s is published at its public address.")
                % {"period": checked},
            )
    elif action == "withdraw":
        if services.report_withdraw(committee=committee, period=checked) is not None:
            messages.success(
                request,
                _("The report of %(period)s was withdrawn: its public address no longer works.")
                % {"period": checked},
            )
    else:
        messages.error(request, _("Choose whether to publish the report or to withdraw it."))
    return back


def public(request, token: str):
    """The published report: anyone with the address reads it, without logging in. A withdrawn
    report, or one of a committee that is no longer active, is not found."""
    with scopes_disabled():
        record = (
            PublishedReport.objects.select_related("committee")
            .filter(token=token[:32], withdrawn_at__isnull=True, committee__is_active=True)
            .first()
        )
    if record is None:
        raise Http404
    committee = record.committee
    with committee_scope(committee):
        context = _context(committee, Period.of(record.period), with_names=record.show_debtor_names)
        context.update({"record": record, "pdf": False, "public": True})
        response = render(request, "ledger/report/public.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- a member household's own account --------------------------------------------------------


def _holdings(request):
    """The connections the logged-in person holds now, through their member record."""
    return Holding.objects.filter(
        committee=request.committee,
        member__user=request.user,
        ended_on__isnull=True,
    )


@committee_view("ledger.report")
def my_account(request):
    """The household's own account: balance, open debts, every charge and payment. Only the
    connections the person holds: the page takes no id, so it shows no one else's."""
    committee = request.committee
    holdings = list(
        _holdings(request)
        .select_related("connection", "connection__lot", "member")
        .order_by("connection__number")
    )
    ids = {h.connection_id for h in holdings}
    dues = books.open_dues(committee=committee, connection_ids=ids)
    items = OpenItem.objects.filter(committee=committee).in_bulk(
        [d.key for due_list in dues.values() for d in due_list]
    )
    accounts = []
    for holding in holdings:
        lines = books.household_lines(committee=committee, connection_id=holding.connection_id)
        for line in lines:
            line["label"] = labels.document_label(line["document_type"])
            line["kind_label"] = labels.kind_label(line["kind"])
            line["amount"] = line["debit"] - line["credit"]
        accounts.append(
            {
                "connection": holding.connection,
                "member": holding.member,
                "balance": lines[-1]["balance"] if lines else ZERO,
                "dues": [
                    {
                        "item": items[d.key],
                        "label": labels.document_label(items[d.key].document_type),
                        "left": d.open,
                    }
                    for d in dues.get(holding.connection_id, [])
                ],
                "lines": lines[::-1],
            }
        )
    return render(request, "ledger/report/my_account.html", {"accounts": accounts})
