"""Forms type what a volunteer wrote; the engine and the services decide what is allowed."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comunagua.web.forms import DateInput, DecimalInputField

from . import engine, labels


class VolumeField(DecimalInputField):
    """m³ as people type them: "12,5" or "12.5", to the litre."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", engine.VOLUME_PLACES)
        kwargs.setdefault("min_value", Decimal(0))
        super().__init__(**kwargs)


class TariffForm(forms.Form):
    name = forms.CharField(
        label=_("name"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the name written in the tariff."),
    )
    effective_from = forms.DateField(label=_("in force from"), widget=DateInput())
    source = forms.CharField(
        label=_("tariff (TOML)"),
        strip=False,
        max_length=50_000,
        widget=forms.Textarea(
            attrs={
                "rows": 22,
                "spellcheck": "false",
                "autocapitalize": "off",
                "autocomplete": "off",
                "class": "code",
                "style": "font-family: ui-monospace, monospace; font-size: .9rem",
            }
        ),
        help_text=_(
            'Numbers in quotes with a decimal point ("2.50"); the last block has no up_to_m3. '
            "An error names the field, e.g. category[1].blocks[2].up_to_m3 (counting from 1)."
        ),
    )
    notes = forms.CharField(
        label=_("notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. the assembly that approved it."),
    )


class QuoteForm(forms.Form):
    """What would a month cost? m³, category, sewer and extra charges."""

    m3 = VolumeField(label=_("consumption (m³)"), max_value=engine.LIMIT - 1)
    category = forms.ChoiceField(label=_("category"))
    sewer = forms.BooleanField(label=_("with sewer"), required=False)
    charge = forms.MultipleChoiceField(
        label=_("other charges"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, tariff: engine.Tariff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            (code, labels.category_label(code)) for code in tariff.categories
        ]
        charges = [(c.code, labels.charge_label(c)) for c in tariff.charges.values()]
        if charges:
            self.fields["charge"].choices = charges
        else:
            del self.fields["charge"]
        if not any(c.sewer_percent > 0 for c in tariff.categories.values()):
            del self.fields["sewer"]


def starter_toml(*, currency: str, rounding: Decimal) -> str:
    """A first tariff to adapt, for a committee that has none yet."""
    comment = _("A tariff to adapt. Numbers go in quotes, with a decimal point.")
    name = _("Tariff %(year)s") % {"year": timezone.localdate().year}
    return "\n".join(
        [
            f"# {comment}",
            f"name = {engine.toml_string(name)}",
            f"currency = {engine.toml_string(currency)}",
            f"rounding = {engine.toml_string(format(rounding, 'f'))}",
            "",
            "[[category]]",
            'code = "residential"',
            'fixed_charge = "18.00"',
            'minimum_m3 = "0"',
            'sewer_percent = "0"',
            "blocks = [",
            '  { up_to_m3 = "10", price = "2.00" },',
            '  { up_to_m3 = "20", price = "3.00" },',
            '  { price = "5.00" },',
            "]",
            "",
            "[[charge]]",
            'code = "late_fine"',
            f"name = {engine.toml_string(str(labels.CHARGE_LABELS['late_fine']))}",
            'amount = "5.00"',
            "",
        ]
    )
