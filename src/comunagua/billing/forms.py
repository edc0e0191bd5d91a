"""Billing forms: what the office types to run a period's billing, and the tariff simulator's
form (a proposed tariff applied to a billed month)."""

import uuid
from decimal import Decimal

from django import forms
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from comunagua.lib.periods import Period
from comunagua.tariffs import engine, labels
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


class SimulationForm(forms.Form):
    """A proposed tariff (a saved version or TOML text), a billed month, the month's costs."""

    period = forms.ChoiceField(label=_("billed month"))
    tariff = forms.ModelChoiceField(
        label=_("proposed tariff"),
        queryset=None,
        required=False,
        empty_label=_("— the text below —"),
    )
    source = forms.CharField(
        label=_("or the proposed tariff as TOML"),
        required=False,
        strip=False,
        max_length=50_000,
        widget=forms.Textarea(
            attrs={
                "rows": 12,
                "spellcheck": "false",
                "autocapitalize": "off",
                "autocomplete": "off",
                "style": "font-family: ui-monospace, monospace; font-size: .9rem",
            }
        ),
    )
    costs = DecimalInputField(
        label=_("costs of one month"),
        required=False,
        min_value=Decimal(0),
        max_value=engine.LIMIT - 1,
        max_digits=14,
        decimal_places=2,
        help_text=_("Energy, operator, chlorine, repairs: to compare the revenue with them."),
    )

    def __init__(self, *args, tariffs, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tariff"].queryset = tariffs
        self.fields["tariff"].label_from_instance = lambda t: (
            _("%(name)s, from %(date)s")
            % {
                "name": t.name,
                "date": t.effective_from.strftime("%d/%m/%Y"),
            }
        )
        self.fields["period"].choices = [
            (str(p), capfirst(date_format(p.first_day, "F Y"))) for p in periods
        ]

    def clean(self):
        data = super().clean()
        chosen, text = data.get("tariff"), (data.get("source") or "").strip()
        if chosen is None and not text and "tariff" not in self.errors:
            raise forms.ValidationError(_("Choose a saved tariff or write one as TOML."))
        if chosen is not None and text:
            raise forms.ValidationError(
                _("Choose a saved tariff or write one as TOML, not both: empty the text.")
            )
        if text:
            try:
                data["rules"] = engine.from_toml(text)
            except engine.TariffError as error:
                self.add_error("source", labels.error_message(error))
        elif chosen is not None:
            data["rules"] = chosen.engine()
        return data
