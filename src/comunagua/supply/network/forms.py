"""The network's setup forms: a source, a tank, a production or district meter. The services
decide what is allowed; numbers accept a decimal comma or point."""

from django import forms
from django.utils.translation import gettext_lazy as _

from comunagua.registry.models import Sector
from comunagua.web.forms import DateInput

from ..fields import number_field
from ..models import Source


class SourceForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=Source.Kind.choices)
    is_active = forms.BooleanField(label=_("in use"), required=False, initial=True)
    depth_m = number_field(_("well depth (m)"))
    pump_intake_m = number_field(
        _("pump intake depth (m)"), help_text=_("How deep the pump takes the water.")
    )
    pump_power_kw = number_field(_("pump power (kW)"))
    licence = forms.CharField(label=_("licence or water right"), max_length=200, required=False)
    protected_radius_m = number_field(_("protected area radius (m)"))
    latitude = number_field(_("latitude"))
    longitude = number_field(_("longitude"))
    supplier = forms.CharField(label=_("supplier"), max_length=200, required=False)
    contract = forms.CharField(label=_("contract or agreement"), max_length=200, required=False)
    price_per_m3 = number_field(_("price per m³"))
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TankForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    capacity_m3 = number_field(_("capacity (m³)"), required=True)
    elevation_m = number_field(_("elevation (m above sea level)"))
    is_active = forms.BooleanField(label=_("in use"), required=False, initial=True)


class MeterForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    source = forms.ModelChoiceField(
        label=_("source it measures"), queryset=Source.objects.none(), required=False
    )
    sector = forms.ModelChoiceField(
        label=_("or the sector it feeds (district meter)"),
        queryset=Sector.objects.none(),
        required=False,
    )
    digits = forms.IntegerField(label=_("dial digits (whole m³)"), min_value=3, max_value=9)
    installed_on = forms.DateField(label=_("installed on"), widget=DateInput())
    initial_reading = number_field(_("reading at installation (m³)"), required=True)

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.objects.filter(committee=committee)
        self.fields["sector"].queryset = Sector.objects.filter(committee=committee)
        self.fields["digits"].initial = 6
        self.fields["initial_reading"].initial = "0"
