"""The books' pages (board and treasurer): the trial balance, the journal, expenses, manual
entries and the chart of accounts. Thin: writes through `services`, reads through `selectors`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from comunagua.tenancy.scoping import committee_view
from comunagua.web.forms import apply_errors

from ..models import Account, Expense, JournalEntry, Posting
from . import selectors, services
from .forms import AccountForm, ExpenseForm, ManualEntryForm

ENTRIES_PAGE = 50
EXPENSES_PAGE = 50


@committee_view("ledger.books")
def books_home(request):
    committee = request.committee
    services.accounts_by_role(committee)  # a committee sees its whole chart from the start
    rows = [(a, d, c, d - c) for a, d, c in selectors.account_balances(committee=committee)]
    debits = sum((row[1] for row in rows), 0)
    credits = sum((row[2] for row in rows), 0)
    return render(
        request,
        "ledger/books/home.html",
        {"rows": rows, "debits": debits, "credits": credits},
    )


@committee_view("ledger.books")
def journal(request):
    entries = (
        JournalEntry.objects.filter(committee=request.committee)
        .order_by("-number")
        .prefetch_related(
            Prefetch("postings", queryset=Posting.objects.select_related("account", "connection"))
        )
    )
    page = Paginator(entries, ENTRIES_PAGE).get_page(request.GET.get("page"))
    return render(request, "ledger/books/journal.html", {"page": page})


@committee_view("ledger.books")
def expenses(request):
    committee = request.committee
    services.accounts_by_role(committee)
    form = ExpenseForm(request.POST or None, committee=committee, initial={"on": committee.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            expense = services.expense_record(
                committee=committee,
                account=data["account"],
                amount=data["amount"],
                on=data["on"],
                supplier=data["supplier"],
                paid_from=data["paid_from"],
                by=request.user,
                document_number=data["document_number"],
                description=data["description"],
                attachment=data["attachment"],
                client_id=data["client_id"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Expense recorded (entry %(number)s).") % {"number": expense.entry.number},
            )
            return redirect("books-expenses", committee=committee.slug)
    rows = Expense.objects.filter(committee=committee).select_related("account", "entry")
    page = Paginator(rows, EXPENSES_PAGE).get_page(request.GET.get("page"))
    return render(request, "ledger/books/expenses.html", {"form": form, "page": page})


@committee_view("ledger.books")
def manual_entry(request):
    committee = request.committee
    services.accounts_by_role(committee)
    form = ManualEntryForm(
        request.POST or None, committee=committee, initial={"on": committee.today()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.manual_entry_post(
                committee=committee,
                on=data["on"],
                lines=form.lines(),
                memo=data["memo"],
                by=request.user,
                document_number=data["document_number"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Entry %(number)s posted.") % {"number": entry.number})
            return redirect("books-journal", committee=committee.slug)
    return render(request, "ledger/books/manual_entry.html", {"form": form})


def _account_page(request, account: Account | None):
    committee = request.committee
    initial = {"kind": Account.Kind.EXPENSE, "is_active": True}
    form = AccountForm(request.POST or None, instance=account, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.account_save(
                committee=committee,
                account=account,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                is_active=data["is_active"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Chart of accounts saved."))
            return redirect("books-chart", committee=committee.slug)
    accounts = Account.objects.filter(committee=committee).order_by("code")
    return render(
        request, "ledger/books/chart.html", {"form": form, "account": account, "accounts": accounts}
    )


@committee_view("ledger.books")
def chart(request):
    services.accounts_by_role(request.committee)
    return _account_page(request, None)


@committee_view("ledger.books")
def account_edit(request, pk: int):
    account = get_object_or_404(Account, pk=pk, committee=request.committee)
    # The form edits a copy: a refused change must not show as if it had been saved.
    return _account_page(request, Account.objects.get(pk=account.pk))
