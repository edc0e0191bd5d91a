"""Cash desk forms: what the cashier types. They turn text into typed values; whether a payment
may be taken (an amount above zero, a reference for a transfer, a debt that is open) is the
services' call, and their messages land on these fields through `apply_errors`."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from comunagua.web.forms import DecimalInputField

from ..models import Payment


class SessionOpenForm(forms.Form):
    opening_float = DecimalInputField(
        label=_("Cash in the till at opening"),
        initial="0",
        help_text=_("The change you start with, counted. Write 0 if the till is empty."),
    )


class IdListField(forms.Field):
    """Ids of the debts ticked on the page. Only their form is checked here: whether they are
    open on this account is the service's answer."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value) -> list[int]:
        if value in self.empty_values:
            return []
        if isinstance(value, str):
            value = [value]
        ids = []
        for text in value:
            text = str(text).strip()
            if not text.isdigit() or len(text) > 18:
                raise forms.ValidationError(_("That debt is not open on this account."))
            ids.append(int(text))
        return list(dict.fromkeys(ids))


class PaymentForm(forms.Form):
    amount = DecimalInputField(label=_("Amount received"))
    method = forms.ChoiceField(
        label=_("Paid by"),
        choices=Payment.Method.choices,
        initial=Payment.Method.CASH,
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=80,
        required=False,
        help_text=_("The transfer's or the QR payment's number. Not needed for cash."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    chosen = IdListField(required=False)
    client_id = forms.CharField(max_length=64, widget=forms.HiddenInput)
    expected_balance = forms.CharField(max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs["autofocus"] = True

    def clean_expected_balance(self) -> Decimal:
        try:
            value = Decimal(self.cleaned_data["expected_balance"])
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            raise forms.ValidationError(
                _("The page is out of date: open the household's account again.")
            )
        return value


class SessionCloseForm(forms.Form):
    counted = DecimalInputField(
        label=_("Cash counted"),
        help_text=_("Count the notes and coins in the till, including the opening change."),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("Required when the count differs from the receipts: say what happened."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_(
            "Why the payment is taken back: wrong household, wrong amount, a bounced transfer..."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
