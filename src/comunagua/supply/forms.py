"""Forms turn what the operator or the board typed into typed values; services decide what is
allowed. Numbers accept a decimal comma or point."""

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from comunagua.forms import DateInput, DecimalInputField
from comunagua.lib.periods import Period
from comunagua.metering.rounds.forms import MonthInput
from comunagua.registry.models import Sector

from .models import Incident, Interruption, Source, WellLevel
from .services import (
    HOURS_A_DAY,
    InterruptionInput,
    LogEntry,
    edited_interruption,
    meter_field,
    sector_field,
    tank_field,
)

NUMBER_ERROR = _("Enter a number, e.g. 12,5.")


def _number(label, *, required=False, help_text="", initial=None) -> DecimalInputField:
    return DecimalInputField(
        label=label,
        required=required,
        help_text=help_text,
        initial=initial,
        error_messages={"invalid": NUMBER_ERROR},
    )


class LogForm(forms.Form):
    """A day of the operator's log: one short form, the meters first."""

    day = forms.DateField(label=_("day"), widget=DateInput())
    pump_hours = _number(_("pump hours"), help_text=_("since the previous log"))
    energy_kwh = _number(_("energy (kWh)"), help_text=_("from the electricity meter or bill"))
    chlorine_kg = _number(_("chlorine dosed (kg)"))
    flushing_m3 = _number(_("flushing and repairs (m³)"))
    public_use_m3 = _number(_("public taps and fire hydrants (m³)"))
    own_use_m3 = _number(_("the committee's own use (m³)"))
    note = forms.CharField(label=_("note"), max_length=500, required=False)
    interruption_cause = forms.ChoiceField(
        label=_("cause"), required=False, choices=[("", "—"), *Interruption.Cause.choices]
    )
    interruption_hours = _number(_("hours without water"))
    interruption_households = forms.IntegerField(
        label=_("households affected"), required=False, min_value=0
    )
    interruption_description = forms.CharField(
        label=_("what happened"), max_length=500, required=False
    )
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, rows: dict, with_tanker: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.meter_rows = rows["meters"]
        for row in self.meter_rows:
            self.fields[meter_field(row.meter)] = _number(row.meter.name)
        for tank in rows["tanks"]:
            self.fields[tank_field(tank)] = _number(tank.name)
        for sector in rows["sectors"]:
            self.fields[sector_field(sector)] = _number(sector.name, initial="24")
        if with_tanker:
            self.fields["tanker_m3"] = _number(_("water bought from tankers (m³)"))
        self.fields["interruption_sectors"] = forms.MultipleChoiceField(
            label=_("sectors affected"),
            required=False,
            choices=[(str(s.pk), s.name) for s in rows["sectors"]],
            widget=forms.CheckboxSelectMultiple,
        )
        if not self.is_bound and not self.initial.get("client_id"):
            self.initial["client_id"] = uuid.uuid4()
        for name in ("pump_hours", "energy_kwh", "chlorine_kg"):
            self.fields[name].widget.attrs["placeholder"] = "0"

    def meter_fields(self):
        return [(row, self[meter_field(row.meter)]) for row in self.meter_rows]

    def tank_fields(self):
        return [self[tank_field(t)] for t in self.rows["tanks"]]

    def sector_fields(self):
        return [self[sector_field(s)] for s in self.rows["sectors"]]

    def clean(self):
        cleaned = super().clean()
        cause = cleaned.get("interruption_cause")
        hours = cleaned.get("interruption_hours")
        if hours is not None and not cause:
            self.add_error("interruption_cause", _("Choose the cause of the interruption."))
        if cause and hours is None:
            self.add_error("interruption_hours", _("Enter how many hours the water was cut."))
        return cleaned

    def entry(self) -> LogEntry:
        data = self.cleaned_data
        sectors = {str(s.pk): s for s in self.rows["sectors"]}
        interruption = None
        if data.get("interruption_cause"):
            interruption = InterruptionInput(
                cause=data["interruption_cause"],
                hours=data.get("interruption_hours"),
                sectors=tuple(sectors[pk] for pk in data.get("interruption_sectors") or ()),
                households=data.get("interruption_households") or 0,
                description=data.get("interruption_description", ""),
            )

        def zero(name):
            value = data.get(name)
            return 0 if value is None else value

        return LogEntry(
            day=data["day"],
            readings={row.meter: data.get(meter_field(row.meter)) for row in self.meter_rows},
            pump_hours=zero("pump_hours"),
            energy_kwh=zero("energy_kwh"),
            chlorine_kg=zero("chlorine_kg"),
            tank_levels={t: data.get(tank_field(t)) for t in self.rows["tanks"]},
            supply_hours={s: data.get(sector_field(s)) for s in self.rows["sectors"]},
            flushing_m3=zero("flushing_m3"),
            public_use_m3=zero("public_use_m3"),
            own_use_m3=zero("own_use_m3"),
            tanker_m3=zero("tanker_m3"),
            interruption=interruption,
            note=data.get("note", ""),
        )


def log_initial(log) -> dict:
    """A stored log as the form's initial values (to correct it)."""
    initial = {
        "day": log.day,
        "note": log.note,
        **{
            name: getattr(log, name)
            for name in (
                "pump_hours",
                "energy_kwh",
                "chlorine_kg",
                "flushing_m3",
                "public_use_m3",
                "own_use_m3",
                "tanker_m3",
            )
        },
    }
    for reading in log.readings.all():
        initial[f"meter-{reading.meter_id}"] = reading.value
    for level in log.tank_levels.all():
        initial[f"tank-{level.tank_id}"] = level.percent
    cut_keys: set[str] = set()
    for hours in log.supply_hours.all():
        initial[f"sector-{hours.sector_id}"] = hours.hours
    # A sector without its hours stored but cut that day is not offered 24 h: the day less the
    # hours it was cut (an interruption naming no sector cut them all).
    sector_ids = list(Sector.objects.filter(committee=log.committee).values_list("pk", flat=True))
    for cut in log.interruptions.prefetch_related("sectors"):
        for sector_id in [s.pk for s in cut.sectors.all()] or sector_ids:
            key = f"sector-{sector_id}"
            if key not in initial or key in cut_keys:
                cut_keys.add(key)
                left = Decimal(initial.get(key, HOURS_A_DAY)) - cut.hours
                initial[key] = max(left, Decimal(0))
    interruption = edited_interruption(log)
    if interruption is not None:
        initial.update(
            {
                "interruption_cause": interruption.cause,
                "interruption_hours": interruption.hours,
                "interruption_households": interruption.households,
                "interruption_description": interruption.description,
                "interruption_sectors": [str(s.pk) for s in interruption.sectors.all()],
            }
        )
    return initial


class SpanForm(forms.Form):
    """The months of the balance: from and to, as YYYY-MM."""

    desde = forms.CharField(label=_("from"), widget=MonthInput(), max_length=7)
    hasta = forms.CharField(label=_("to"), widget=MonthInput(), max_length=7)

    def _month(self, name) -> Period:
        try:
            return Period.parse(self.cleaned_data[name])
        except ValueError:
            raise forms.ValidationError(_("Write the month as YYYY-MM, e.g. 2025-03.")) from None

    def clean_desde(self):
        return self._month("desde")

    def clean_hasta(self):
        return self._month("hasta")

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("desde"), cleaned.get("hasta")
        if first and last:
            if first > last:
                raise forms.ValidationError(_("The first month must not come after the last."))
            if (last.year - first.year) * 12 + last.month - first.month >= 120:
                raise forms.ValidationError(_("Choose at most ten years."))
        return cleaned


class WellLevelForm(forms.Form):
    measured_on = forms.DateField(label=_("measured on"), widget=DateInput())
    kind = forms.ChoiceField(label=_("kind"), choices=WellLevel.Kind.choices)
    depth_m = _number(_("depth to water (m)"), required=True)
    flow_m3h = _number(_("flow at the time (m³/h)"), help_text=_("for a pumping level"))
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Incident.Kind.choices)
    happened_on = forms.DateField(label=_("date"), widget=DateInput())
    source = forms.ModelChoiceField(
        label=_("source"), queryset=Source.objects.none(), required=False
    )
    location = forms.CharField(label=_("where"), max_length=300)
    latitude = _number(_("latitude"))
    longitude = _number(_("longitude"))
    distance_m = _number(_("distance from the well (m)"))
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


class SourceForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=Source.Kind.choices)
    is_active = forms.BooleanField(label=_("in use"), required=False, initial=True)
    depth_m = _number(_("well depth (m)"))
    pump_intake_m = _number(
        _("pump intake depth (m)"), help_text=_("How deep the pump takes the water.")
    )
    pump_power_kw = _number(_("pump power (kW)"))
    licence = forms.CharField(label=_("licence or water right"), max_length=200, required=False)
    protected_radius_m = _number(_("protected area radius (m)"))
    latitude = _number(_("latitude"))
    longitude = _number(_("longitude"))
    supplier = forms.CharField(label=_("supplier"), max_length=200, required=False)
    contract = forms.CharField(label=_("contract or agreement"), max_length=200, required=False)
    price_per_m3 = _number(_("price per m³"))
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TankForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    capacity_m3 = _number(_("capacity (m³)"), required=True)
    elevation_m = _number(_("elevation (m above sea level)"))
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
    initial_reading = _number(_("reading at installation (m³)"), required=True)

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.objects.filter(committee=committee)
        self.fields["sector"].queryset = Sector.objects.filter(committee=committee)
        self.fields["digits"].initial = 6
        self.fields["initial_reading"].initial = "0"


class SettingsForm(forms.Form):
    """The balance's estimates (each with its ± margin), the network, and production costs."""

    def __init__(self, *args, **kwargs):
        from .models import BalanceSettings
        from .services import OPTIONAL_SETTINGS, SETTINGS_FIELDS

        super().__init__(*args, **kwargs)
        for name in SETTINGS_FIELDS:
            model_field = BalanceSettings._meta.get_field(name)
            self.fields[name] = _number(
                model_field.verbose_name,
                required=name not in OPTIONAL_SETTINGS,
                help_text=model_field.help_text,
            )
