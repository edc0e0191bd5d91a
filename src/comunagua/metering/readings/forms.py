"""Forms of the reading pages: they turn what was typed into typed values; services decide
what is allowed."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from comunagua.lib.numbers import parse_decimal


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
