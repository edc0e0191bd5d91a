"""A well's level as typed on the well's page; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from comunagua.web.forms import DateInput

from ..fields import number_field
from ..models import WellLevel


class WellLevelForm(forms.Form):
    measured_on = forms.DateField(label=_("measured on"), widget=DateInput())
    kind = forms.ChoiceField(label=_("kind"), choices=WellLevel.Kind.choices)
    depth_m = number_field(_("depth to water (m)"), required=True)
    flow_m3h = number_field(_("flow at the time (m³/h)"), help_text=_("for a pumping level"))
    note = forms.CharField(label=_("note"), max_length=300, required=False)
