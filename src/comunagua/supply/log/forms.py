"""The operator's log as a form: one short form for a day, the meters first. The form turns what
was typed into a LogEntry; the log's services decide what is allowed. Numbers accept a decimal
comma or point. The names of the per-meter, per-tank and per-sector fields are set here, and the
checks key their errors by them."""

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from comunagua.registry.models import Sector
from comunagua.web.forms import DateInput

from ..fields import number_field
from ..models import Interruption, ProductionMeter, Tank
from .entry import HOURS_A_DAY, LOG_NUMBERS, InterruptionInput, LogEntry
from .selectors import edited_interruption


def meter_field(meter: ProductionMeter) -> str:
    """The form field (and error key) of a meter's reading."""
    return f"meter-{meter.pk}"


def tank_field(tank: Tank) -> str:
    return f"tank-{tank.pk}"


def sector_field(sector: Sector) -> str:
    return f"sector-{sector.pk}"


class LogForm(forms.Form):
    """A day of the operator's log: one short form, the meters first."""

    day = forms.DateField(label=_("day"), widget=DateInput())
    pump_hours = number_field(_("pump hours"), help_text=_("since the previous log"))
    energy_kwh = number_field(_("energy (kWh)"), help_text=_("from the electricity meter or bill"))
    chlorine_kg = number_field(_("chlorine dosed (kg)"))
    flushing_m3 = number_field(_("flushing and repairs (m³)"))
    public_use_m3 = number_field(_("public taps and fire hydrants (m³)"))
    own_use_m3 = number_field(_("the committee's own use (m³)"))
    note = forms.CharField(label=_("note"), max_length=500, required=False)
    interruption_cause = forms.ChoiceField(
        label=_("cause"), required=False, choices=[("", "—"), *Interruption.Cause.choices]
    )
    interruption_hours = number_field(_("hours without water"))
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
            self.fields[meter_field(row.meter)] = number_field(row.meter.name)
        for tank in rows["tanks"]:
            self.fields[tank_field(tank)] = number_field(tank.name)
        for sector in rows["sectors"]:
            self.fields[sector_field(sector)] = number_field(sector.name, initial="24")
        if with_tanker:
            self.fields["tanker_m3"] = number_field(_("water bought from tankers (m³)"))
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
        **{name: getattr(log, name) for name in LOG_NUMBERS},
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
