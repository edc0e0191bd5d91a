"""Forms turn what a volunteer typed into typed values; services decide what is allowed.
Querysets are set per request so a form never offers another committee's records."""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from comunagua.web.forms import DateInput, DecimalInputField

from .models import Connection, Member, Sector, normalize_id_document

# The oldest date the register takes, as the import does: an earlier one is a typing mistake.
OLDEST = date(1900, 1, 1)


def past_date(value: date | None, committee) -> date | None:
    """A date that has happened: not after today where the committee is (the rule the import
    follows too), and not before 1900."""
    if value is None:
        return None
    if value > committee.today():
        raise forms.ValidationError(_("The date cannot be in the future."))
    if value < OLDEST:
        raise forms.ValidationError(_("The date cannot be before 1900."))
    return value


class ReadingField(DecimalInputField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 3)
        kwargs.setdefault("min_value", Decimal(0))
        super().__init__(**kwargs)


def _coordinate(label, limit: int) -> DecimalInputField:
    return DecimalInputField(
        label=label,
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-limit),
        max_value=Decimal(limit),
    )


class MemberForm(forms.ModelForm):
    household_size = forms.IntegerField(
        label=_("people in the household"), min_value=1, max_value=60, initial=1
    )

    class Meta:
        model = Member
        fields = [
            "first_names",
            "last_names",
            "id_document",
            "code",
            "phone",
            "gender",
            "household_size",
            "joined_on",
            "status",
            "notes",
        ]
        widgets = {"joined_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee = committee
        self.instance.committee = committee
        self.fields["phone"].widget.attrs["inputmode"] = "tel"

    def clean_id_document(self):
        return normalize_id_document(self.cleaned_data.get("id_document"))

    def clean_joined_on(self):
        return past_date(self.cleaned_data.get("joined_on"), self.committee)


class _SectorChoice(forms.ModelChoiceField):
    def __init__(self, committee, **kwargs):
        super().__init__(
            queryset=Sector.objects.filter(committee=committee),
            required=False,
            label=_("sector"),
            **kwargs,
        )


class ConnectionForm(forms.ModelForm):
    """A connection and its lot in one form; on creation also its holder and first meter."""

    sector = forms.ModelChoiceField(queryset=Sector.objects.none(), required=False)
    address = forms.CharField(label=_("address"), max_length=200)
    reference = forms.CharField(label=_("plot reference (block / lot)"), required=False)
    latitude = _coordinate(_("latitude"), 90)
    longitude = _coordinate(_("longitude"), 180)

    class Meta:
        model = Connection
        fields = ["number", "category", "has_sewer", "status", "connected_on", "closed_on", "notes"]
        widgets = {
            "connected_on": DateInput(),
            "closed_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee = committee
        self.instance.committee = committee
        self.fields["sector"] = _SectorChoice(committee)
        if self.instance.pk:
            lot = self.instance.lot
            for name in ("sector", "address", "reference", "latitude", "longitude"):
                self.initial.setdefault(
                    name, getattr(lot, name + ("_id" if name == "sector" else ""))
                )
            # The number is the connection's identity on bills and readings: not edited here.
            self.fields["number"].disabled = True
        else:
            self.fields["holder"] = forms.ModelChoiceField(
                queryset=Member.objects.filter(committee=committee).order_by(
                    "last_names", "first_names"
                ),
                required=False,
                label=_("holder"),
            )
            self.fields["meter_serial"] = forms.CharField(
                label=_("meter serial number"), required=False, max_length=40
            )
            self.fields["meter_digits"] = forms.IntegerField(
                label=_("dial digits (whole m³)"), min_value=3, max_value=9, initial=5
            )
            self.fields["meter_reading"] = ReadingField(
                label=_("reading at installation (m³)"), initial=Decimal(0)
            )

    def clean_connected_on(self):
        return past_date(self.cleaned_data.get("connected_on"), self.committee)

    def clean_closed_on(self):
        return past_date(self.cleaned_data.get("closed_on"), self.committee)

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields if name in data}
        fields.update(
            {n: data[n] for n in ("sector", "address", "reference", "latitude", "longitude")}
        )
        if not self.instance.pk:
            fields["holder"] = data.get("holder")
            if data.get("meter_serial"):
                fields["meter"] = {
                    "serial": data["meter_serial"],
                    "digits": data["meter_digits"],
                    "installed_on": data.get("connected_on") or self.committee.today(),
                    "initial_reading": data["meter_reading"],
                }
        else:
            fields.pop("number", None)
        return fields


class TransferForm(forms.Form):
    member = forms.ModelChoiceField(queryset=Member.objects.none(), label=_("new holder"))
    on = forms.DateField(label=_("from"), widget=DateInput())
    reason = forms.CharField(label=_("reason"), required=False, max_length=200)

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee = committee
        self.fields["on"].initial = committee.today()
        self.fields["member"].queryset = Member.objects.filter(committee=committee).order_by(
            "last_names", "first_names"
        )

    def clean_on(self):
        # The service refuses a date before the current holder's start.
        return past_date(self.cleaned_data["on"], self.committee)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Register file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload a .xlsx or .csv file."))
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
