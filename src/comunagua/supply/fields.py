"""The form piece every supply form uses: a number field that takes a decimal comma or point."""

from django.utils.translation import gettext_lazy as _

from comunagua.web.forms import DecimalInputField

NUMBER_ERROR = _("Enter a number, e.g. 12,5.")


def number_field(label, *, required=False, help_text="", initial=None) -> DecimalInputField:
    return DecimalInputField(
        label=label,
        required=required,
        help_text=help_text,
        initial=initial,
        error_messages={"invalid": NUMBER_ERROR},
    )
