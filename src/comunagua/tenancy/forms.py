"""Forms of the committee's own pages: its details, its logo, and its people."""

from decimal import Decimal
from functools import cache
from zoneinfo import available_timezones

from django import forms
from django.core.validators import RegexValidator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from comunagua.web.forms import DecimalInputField

from .models import Committee
from .roles import Role
from .services import COMMITTEE_EDITABLE


@cache
def _zones() -> list[tuple[str, str]]:
    # The Americas first: that is where our committees are; the rest stay available.
    names = sorted(available_timezones(), key=lambda z: (not z.startswith("America/"), z))
    return [(name, name.replace("_", " ")) for name in names if "/" in name]


class CommitteeForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=capfirst(_("time zone")), choices=_zones)
    currency = forms.CharField(
        label=capfirst(_("currency")),
        max_length=3,
        validators=[
            RegexValidator(r"^[A-Za-z]{3}$", _("Write the currency's three-letter code, e.g. BOB."))
        ],
        help_text=_("The three-letter code (ISO 4217), e.g. BOB for bolivianos."),
    )
    bill_rounding = DecimalInputField(
        label=capfirst(_("bill rounding unit")),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        help_text=_("The rounding a new tariff starts with; each tariff keeps its own."),
    )

    class Meta:
        model = Committee
        fields = list(COMMITTEE_EDITABLE)

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()

    def _post_clean(self):
        # The service validates and saves; the form only types what was written.
        pass


class LogoForm(forms.Form):
    logo = forms.FileField(
        label=capfirst(_("logo")),
        help_text=_("A PNG, JPEG or GIF picture up to 2 MB; it is printed on bills and receipts."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif"}),
    )


class PersonForm(forms.Form):
    username = forms.CharField(
        label=capfirst(_("user name")),
        max_length=150,
        help_text=_(
            "What they type to log in. If they already serve another committee, use theirs."
        ),
    )
    first_name = forms.CharField(label=capfirst(_("first name")), max_length=150, required=False)
    last_name = forms.CharField(label=capfirst(_("last name")), max_length=150, required=False)
    role = forms.ChoiceField(label=capfirst(_("role")), choices=Role.choices)
    password = forms.CharField(
        label=capfirst(_("first password")),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Only for a new account; tell it to the person, who can change it later."),
    )


class RoleForm(forms.Form):
    user = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    role = forms.ChoiceField(choices=Role.choices, required=False)


class PasswordForm(forms.Form):
    user = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    password = forms.CharField(
        label=capfirst(_("new password")),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
