"""The incident forms: an incident with its photo, another photo, the status and authority."""

from django import forms
from django.utils.translation import gettext_lazy as _

from comunagua.web.forms import DateInput

from ..fields import number_field
from ..models import Incident, Source


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Incident.Kind.choices)
    happened_on = forms.DateField(label=_("date"), widget=DateInput())
    source = forms.ModelChoiceField(
        label=_("source"), queryset=Source.objects.none(), required=False
    )
    location = forms.CharField(label=_("where"), max_length=300)
    latitude = number_field(_("latitude"))
    longitude = number_field(_("longitude"))
    distance_m = number_field(_("distance from the well (m)"))
    description = forms.CharField(
        label=_("what was seen"), widget=forms.Textarea(attrs={"rows": 4})
    )
    authority = forms.CharField(
        label=_("authority to address"),
        max_length=200,
        required=False,
        help_text=_("e.g. the municipal environment office, the water authority"),
    )
    photo = forms.ImageField(label=_("photo"), required=False)
    photo_path = forms.CharField(
        label=_("or the photo's file path"), max_length=500, required=False
    )

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.objects.filter(committee=committee)


class PhotoForm(forms.Form):
    photo = forms.ImageField(label=_("photo"), required=False)
    path = forms.CharField(label=_("or the photo's file path"), max_length=500, required=False)
    caption = forms.CharField(label=_("caption"), max_length=200, required=False)


class IncidentStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=Incident.Status.choices)
    authority = forms.CharField(label=_("authority to address"), max_length=200, required=False)
