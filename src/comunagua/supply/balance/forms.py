"""The water balance's forms: the span of months it covers, and its settings (the estimates,
each with its ± margin, the network, and the costs of production)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from comunagua.lib.periods import Period
from comunagua.web.forms import MonthInput

from ..fields import number_field
from ..models import BalanceSettings
from .services import OPTIONAL_SETTINGS, SETTINGS_FIELDS


class SpanForm(forms.Form):
    """The months of the balance: from and to, as YYYY-MM."""

    desde = forms.CharField(label=_("from"), widget=MonthInput(), max_length=7)
    hasta = forms.CharField(label=_("to"), widget=MonthInput(), max_length=7)

    def _month(self, name) -> Period:
        try:
            return Period.parse(self.cleaned_data[name])
        except ValueError:
            raise forms.ValidationError(_("Write the month as YYYY-MM, e.g. 2025-03.")) from None

    def clean_desde(self):
        return self._month("desde")

    def clean_hasta(self):
        return self._month("hasta")

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("desde"), cleaned.get("hasta")
        if first and last:
            if first > last:
                raise forms.ValidationError(_("The first month must not come after the last."))
            if (last.year - first.year) * 12 + last.month - first.month >= 120:
                raise forms.ValidationError(_("Choose at most ten years."))
        return cleaned


class SettingsForm(forms.Form):
    """The balance's estimates (each with its ± margin), the network, and production costs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SETTINGS_FIELDS:
            model_field = BalanceSettings._meta.get_field(name)
            self.fields[name] = number_field(
                model_field.verbose_name,
                required=name not in OPTIONAL_SETTINGS,
                help_text=model_field.help_text,
            )
