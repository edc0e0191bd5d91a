"""Forms turn what was typed into typed values; services decide what is allowed."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from comunagua.lib.numbers import parse_decimal
from comunagua.lib.periods import Period


class MonthInput(forms.TextInput):
    input_type = "month"


class RoundOpenForm(forms.Form):
    period = forms.CharField(label=_("month"), widget=MonthInput(), max_length=7)

    def clean_period(self) -> Period:
        try:
            return Period.parse(self.cleaned_data["period"])
        except ValueError:
            raise forms.ValidationError(_("Write the month as YYYY-MM, e.g. 2025-03.")) from None


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("reason"), max_length=500)

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(_("Write the reason for the decision."))
        return reason


def parse_reading(text: str) -> Decimal:
    """A reading as people type it ("1234,5" or "1234.5"). Raises ValueError with a message
    for the page."""
    try:
        return parse_decimal(text)
    except ValueError:
        raise ValueError(_("Enter the reading as a number, e.g. 1234,5.")) from None
