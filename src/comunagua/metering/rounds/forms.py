"""Forms of the round pages: they turn what was typed into typed values; services decide what
is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from comunagua.lib.periods import Period
from comunagua.web.forms import MonthInput


class RoundOpenForm(forms.Form):
    period = forms.CharField(label=_("month"), widget=MonthInput(), max_length=7)

    def clean_period(self) -> Period:
        try:
            return Period.parse(self.cleaned_data["period"])
        except ValueError:
            raise forms.ValidationError(_("Write the month as YYYY-MM, e.g. 2025-03.")) from None
