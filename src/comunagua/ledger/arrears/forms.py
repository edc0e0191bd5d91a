"""Arrears forms: what the board types for a notice, a disconnection, a reconnection, a payment
plan and the rules. Whether the action is allowed is the services' call."""

from django import forms
from django.utils.translation import gettext_lazy

from comunagua.web.forms import DateInput, DecimalInputField

from .arithmetic import MAX_INSTALMENTS, RULE_BOUNDS


class EventForm(forms.Form):
    """A notice, a disconnection: an optional note, and the page's request id."""

    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)
    client_id = forms.CharField(max_length=64, widget=forms.HiddenInput)


class ReconnectForm(EventForm):
    fee = DecimalInputField(
        label=gettext_lazy("Reconnection fee"),
        help_text=gettext_lazy("The tariff's fee; write 0 to waive it."),
    )


class PlanForm(forms.Form):
    instalments = forms.IntegerField(
        label=gettext_lazy("Monthly instalments"),
        min_value=1,
        max_value=MAX_INSTALMENTS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    first_due_on = forms.DateField(
        label=gettext_lazy("First instalment due on"),
        widget=DateInput(),
        help_text=gettext_lazy("The next ones fall due the same day of each following month."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("What was agreed, e.g. the assembly's or the board's decision."),
    )
    client_id = forms.CharField(max_length=64, widget=forms.HiddenInput)


class RulesForm(forms.Form):
    late_fine_after_days = forms.IntegerField(
        label=gettext_lazy("Late-payment fine after (days past due)"),
        min_value=RULE_BOUNDS["late_fine_after_days"][0],
        max_value=RULE_BOUNDS["late_fine_after_days"][1],
        help_text=gettext_lazy("0: no late-payment fine. The fine's amount is the tariff's."),
    )
    disconnect_after_months = forms.IntegerField(
        label=gettext_lazy("Disconnection after (unpaid bills past due)"),
        min_value=RULE_BOUNDS["disconnect_after_months"][0],
        max_value=RULE_BOUNDS["disconnect_after_months"][1],
    )
    notice_days = forms.IntegerField(
        label=gettext_lazy("Days between the notice and the disconnection"),
        min_value=RULE_BOUNDS["notice_days"][0],
        max_value=RULE_BOUNDS["notice_days"][1],
    )
