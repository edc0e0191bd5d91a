"""Every write to the tariffs. Keyword-only, one transaction each, validated before saving; the
user who acts is stamped on the history record.

A tariff that is in force, or was, may have priced bills: it is never edited. A change is a new
version with a later start date. Only tariffs that start after today can be edited.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from comunagua.tenancy.models import Committee
from comunagua.tenancy.writes import save_validated

from . import engine, labels, selectors
from .models import Tariff

# The top-level `name = "…"` line of a TOML file (top-level keys come before any [[table]]).
_NAME_LINE = re.compile(r"""^(\s*name\s*=\s*)("(?:[^"\\\n]|\\.)*"|'[^'\n]*')""", re.MULTILINE)


@transaction.atomic
def tariff_create(
    *,
    committee: Committee,
    by,
    effective_from: date,
    toml_text: str | None = None,
    data: dict | None = None,
    name: str | None = None,
    notes: str = "",
) -> Tariff:
    """A new tariff version from a TOML text or from data (`engine.to_data` shape). `name`, when
    given, replaces the name written in the tariff."""
    parsed, source = _read(committee, toml_text, data, name)
    _check_start(committee, effective_from)
    tariff = Tariff(
        committee=committee,
        name=parsed.name,
        effective_from=effective_from,
        data=engine.to_data(parsed),
        source=source,
        notes=notes,
        created_by=by,
    )
    save_validated(tariff, by)
    return tariff


@transaction.atomic
def tariff_update(
    *,
    tariff: Tariff,
    by,
    effective_from: date | None = None,
    toml_text: str | None = None,
    data: dict | None = None,
    name: str | None = None,
    notes: str | None = None,
) -> Tariff:
    """Change a tariff that has not started yet; what is not given stays as it is."""
    tariff = Tariff.objects.select_for_update().get(pk=tariff.pk, committee=tariff.committee_id)
    committee = tariff.committee
    if not selectors.is_editable(tariff):
        raise ValidationError(
            _(
                "This tariff has been in force since %(date)s and may have priced bills: it "
                "cannot be changed. Create a new tariff that starts later."
            )
            % {"date": tariff.effective_from.strftime("%d/%m/%Y")}
        )
    if toml_text is None and data is None:
        toml_text = tariff.source or engine.to_toml(tariff.engine())
    parsed, source = _read(committee, toml_text, data, name)
    if effective_from is not None:
        _check_start(committee, effective_from, exclude=tariff.pk)
        tariff.effective_from = effective_from
    tariff.name = parsed.name
    tariff.data = engine.to_data(parsed)
    tariff.source = source
    if notes is not None:
        tariff.notes = notes
    save_validated(tariff, by)
    return tariff


def _read(committee: Committee, toml_text, data, name) -> tuple[engine.Tariff, str]:
    """The checked tariff and the TOML text to keep for it."""
    if (toml_text is None) == (data is None):
        raise TypeError("give exactly one of toml_text and data")
    try:
        if toml_text is not None:
            parsed, source = engine.from_toml(toml_text), toml_text
        else:
            parsed = engine.parse(data)
            source = engine.to_toml(parsed)
        parsed, source = _renamed(parsed, source, name)
    except engine.TariffError as error:
        raise ValidationError(
            {"source": ValidationError(labels.error_message(error), code=error.field)}
        ) from error
    if parsed.currency != committee.currency:
        raise ValidationError(
            {
                "source": _("currency: this committee keeps its accounts in %(currency)s.")
                % {"currency": committee.currency}
            }
        )
    return parsed, source


def _renamed(parsed: engine.Tariff, source: str, name: str | None) -> tuple[engine.Tariff, str]:
    """Give the tariff the name typed in the form, in the data and in the TOML text alike."""
    name = (name or "").strip()
    if not name or name == parsed.name:
        return parsed, source
    renamed = engine.parse({**engine.to_data(parsed), "name": name})  # checks the name too
    text = _NAME_LINE.sub(lambda match: match.group(1) + engine.toml_string(name), source, count=1)
    try:
        if engine.from_toml(text) == renamed:
            return renamed, text
    except engine.TariffError:
        pass
    return renamed, engine.to_toml(renamed)  # an unusual layout: written anew


def _check_start(committee: Committee, effective_from: date, *, exclude: int | None = None):
    """A tariff may start today or earlier only where no tariff was in force before it: a start
    inside another tariff's time would change what past bills were priced with."""
    same_day = Tariff.objects.filter(committee=committee, effective_from=effective_from)
    if same_day.exclude(pk=exclude).exists():
        raise ValidationError({"effective_from": _("Another tariff already starts on this date.")})
    today = committee.today()
    if effective_from > today:
        return
    earlier = (
        Tariff.objects.filter(committee=committee, effective_from__lt=effective_from)
        .exclude(pk=exclude)
        .order_by("-effective_from")
        .first()
    )
    if earlier is not None:
        raise ValidationError(
            {
                "effective_from": _(
                    "On that date “%(name)s” was already in force and may have priced bills. "
                    "A new tariff must start after today (%(today)s)."
                )
                % {"name": earlier.name, "today": today.strftime("%d/%m/%Y")}
            }
        )
