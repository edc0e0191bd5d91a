"""Bank statement forms: the file to upload, and why a line is not a household's payment."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_BYTES = 5 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bank statement (.csv)"),
        help_text=gettext_lazy(
            "The statement as the bank's online service exports it, in CSV. Nothing is saved "
            "until you confirm the preview."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class IgnoreForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Why is it not a household's payment?"),
        max_length=300,
        help_text=gettext_lazy("For example: a donation, a loan, the till's cash deposited."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
