"""Forms of the books: an expense, a manual entry, an account of the chart."""

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from comunagua.web.forms import DateInput, DecimalInputField

from ..models import Account, Expense

MANUAL_LINES = 4  # a loan, a deposit, an opening balance: a handful of lines


class ExpenseForm(forms.Form):
    on = forms.DateField(label=_("date"), widget=DateInput())
    account = forms.ModelChoiceField(label=_("expense account"), queryset=None)
    amount = DecimalInputField(label=_("amount"), max_digits=14, decimal_places=2)
    supplier = forms.CharField(label=_("supplier"), max_length=120)
    document_number = forms.CharField(
        label=_("invoice or receipt number"), max_length=40, required=False
    )
    description = forms.CharField(label=_("description"), max_length=200, required=False)
    paid_from = forms.ChoiceField(
        label=_("paid from"), choices=Expense.PaidFrom.choices, widget=forms.RadioSelect
    )
    attachment = forms.CharField(
        label=_("scan or photo"),
        max_length=200,
        required=False,
        help_text=_("Where the scan or the photo of the document is kept, e.g. its file name."),
    )
    client_id = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, committee, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("client_id", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = Account.objects.filter(
            committee=committee, kind=Account.Kind.EXPENSE, is_active=True
        )


class ManualEntryForm(forms.Form):
    on = forms.DateField(label=_("date"), widget=DateInput())
    memo = forms.CharField(label=_("what the entry records"), max_length=300)
    document_number = forms.CharField(label=_("document number"), max_length=40, required=False)

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = Account.objects.filter(committee=committee, is_active=True).exclude(
            role="receivable"
        )
        for n in range(1, MANUAL_LINES + 1):
            self.fields[f"account_{n}"] = forms.ModelChoiceField(
                label=_("account %(n)s") % {"n": n}, queryset=accounts, required=n <= 2
            )
            self.fields[f"debit_{n}"] = DecimalInputField(
                label=_("debit"), required=False, max_digits=14, decimal_places=2
            )
            self.fields[f"credit_{n}"] = DecimalInputField(
                label=_("credit"), required=False, max_digits=14, decimal_places=2
            )

    def lines(self) -> list[tuple]:
        data = self.cleaned_data
        rows = []
        for n in range(1, MANUAL_LINES + 1):
            account = data.get(f"account_{n}")
            if account is None:
                continue
            rows.append(
                (
                    account,
                    data.get(f"debit_{n}") or Decimal(0),
                    data.get(f"credit_{n}") or Decimal(0),
                )
            )
        return rows


class AccountForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = ["code", "name", "kind", "is_active"]
