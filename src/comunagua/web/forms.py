"""Form pieces every domain's pages share. Forms turn what a volunteer typed into typed values;
services decide what is allowed."""

from django import forms
from django.core.exceptions import ValidationError

from comunagua.lib.numbers import parse_decimal


class DateInput(forms.DateInput):
    """The phone's date picker; ISO is what <input type=date> sends and expects."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MonthInput(forms.TextInput):
    """The phone's month picker; it sends "2025-03"."""

    input_type = "month"


class DecimalInputField(forms.DecimalField):
    """Accepts "1234,5", "1.234,5" and "1234.5": people type a comma, spreadsheets a point."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_decimal(str(value))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


def apply_errors(form, error: ValidationError, *, field: str | None = None) -> None:
    """Show a service's ValidationError on the form: on its field when the form has one; an
    error about no field in particular on `field`, or above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, error)
