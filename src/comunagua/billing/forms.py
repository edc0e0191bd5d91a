"""Billing forms: what the office types to run a period's billing."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from comunagua.lib.periods import Period
from comunagua.web.forms import DecimalInputField


class RunForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=7,
        help_text=_("The month to bill, as YYYY-MM, e.g. 2025-03."),
        widget=forms.TextInput(attrs={"placeholder": "2025-03", "autocomplete": "off"}),
    )
    due_days = forms.IntegerField(
        label=_("Days to pay"),
        min_value=1,
        max_value=120,
        initial=15,
        help_text=_("The due date is the issue date plus these days."),
    )

    def clean_period(self) -> Period:
        text = self.cleaned_data["period"]
        try:
            return Period.parse(text)
        except ValueError:
            raise forms.ValidationError(
                _("Write the period as YYYY-MM with a month from 01 to 12, e.g. 2025-03."),
                code="invalid",
            ) from None


class CreditNoteForm(forms.Form):
    amount = DecimalInputField(label=_("Amount to take back"), max_digits=12, decimal_places=2)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("E.g. a reading entered wrong, a leak the assembly agreed to forgive."),
    )
    client_id = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("client_id", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
