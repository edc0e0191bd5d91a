"""The meter-change form: install a first meter, or replace the one in service. It turns what
was typed into typed values; the services decide what is allowed."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from comunagua.registry.forms import ReadingField, past_date
from comunagua.registry.models import Meter
from comunagua.web.forms import DateInput


class MeterForm(forms.Form):
    """Install a first meter, or replace the one in service."""

    serial = forms.CharField(label=_("new meter serial number"), max_length=40)
    brand = forms.CharField(label=_("brand / model"), max_length=60, required=False)
    digits = forms.IntegerField(
        label=_("dial digits (whole m³)"), min_value=3, max_value=9, initial=5
    )
    on = forms.DateField(label=_("date of the change"), widget=DateInput())
    initial_reading = ReadingField(label=_("reading of the new meter (m³)"), initial=Decimal(0))

    def __init__(self, *args, committee, current: Meter | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee = committee
        self.current = current
        self.fields["on"].initial = committee.today()
        if current is not None:
            self.fields["final_reading"] = ReadingField(
                label=_("last reading of the meter removed (m³)")
            )
            self.fields["rolled_over"] = forms.BooleanField(
                label=_("Its dials went past the highest number and started again from zero"),
                help_text=_(
                    "Tick only when the last reading of the meter removed is lower than its "
                    "previous reading because the dials rolled over."
                ),
                required=False,
            )
            self.fields["reason"] = forms.CharField(
                label=_("reason for removal"), max_length=200, required=False
            )

    def clean_on(self):
        # The service checks the date against the meter's installation and its last reading.
        return past_date(self.cleaned_data["on"], self.committee)
