"""Tariff pages. Thin: read through selectors, write through services, price with the engine.
The simulator page reads billed months, so it is billing's (billing/views.py)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from comunagua.lib.periods import Period
from comunagua.tenancy.scoping import committee_view
from comunagua.web.formats import format_volume
from comunagua.web.forms import apply_errors

from . import engine, labels, selectors, services
from .forms import QuoteForm, TariffForm, starter_toml
from .models import Tariff


def _status(tariff: Tariff, in_force: Tariff | None) -> str:
    if in_force is not None and tariff.pk == in_force.pk:
        return "in_force"
    if in_force is None or tariff.effective_from > in_force.effective_from:
        return "future"
    return "past"


def _get(request, pk: int) -> Tariff:
    try:
        return selectors.tariff_detail(committee=request.committee, pk=pk)
    except Tariff.DoesNotExist:
        raise Http404 from None


@committee_view("tariffs.view")
def tariff_list(request):
    today = request.committee.today()
    in_force = selectors.tariff_in_force(committee=request.committee, on=today)
    tariffs = [
        (tariff, _status(tariff, in_force))
        for tariff in selectors.tariff_list(committee=request.committee)
    ]
    return render(request, "tariffs/tariff_list.html", {"tariffs": tariffs, "in_force": in_force})


def _categories(rules: engine.Tariff) -> list[dict]:
    """Each category as the page shows it: its facts and its blocks with their ranges."""
    return [
        {
            "code": category.code,
            "label": labels.category_label(category.code),
            "category": category,
            "blocks": [
                (labels.block_range(lower, upper), block.price)
                for (lower, upper), block in zip(
                    engine.block_ranges(category), category.blocks, strict=True
                )
            ],
        }
        for category in rules.categories.values()
    ]


def _quote(rules: engine.Tariff, form: QuoteForm):
    """The lines and total for the quote form, or None with the form's errors set."""
    data = form.cleaned_data
    category = data["category"]
    try:
        result = engine.quote(
            rules,
            category=category,
            m3=data["m3"],
            sewer=data.get("sewer", False),
            extra=[(code, None) for code in data.get("charge", [])],
        )
    except engine.TariffError as error:
        form.add_error(None, labels.error_message(error))
        return None
    heading = [format_volume(data["m3"]), labels.category_label(category)]
    if data.get("sewer"):
        heading.append(_("with sewer"))
    return {
        "result": result,
        "heading": " · ".join(heading),
        "lines": [
            (labels.describe(line, rules, category=category), labels.detail(line, rules), line)
            for line in result.lines
        ],
    }


@committee_view("tariffs.view")
def tariff_detail(request, pk: int):
    tariff = _get(request, pk)
    rules = tariff.engine()
    today = request.committee.today()
    in_force = selectors.tariff_in_force(committee=request.committee, on=today)
    form = QuoteForm(request.GET if "m3" in request.GET else None, tariff=rules)
    quote = _quote(rules, form) if form.is_bound and form.is_valid() else None
    context = {
        "tariff": tariff,
        "rules": rules,
        "status": _status(tariff, in_force),
        "editable": selectors.is_editable(tariff, today=today),
        "categories": _categories(rules),
        "charges": [(labels.charge_label(c), c) for c in rules.charges.values()],
        "form": form,
        "quote": quote,
        "history": tariff.history.select_related("history_user")[:20],
    }
    if request.headers.get("HX-Request"):
        # The quote form answers in place: only the lines and the total (or the errors).
        return render(request, "tariffs/_quote.html", {**context, "htmx": True})
    return render(request, "tariffs/tariff_detail.html", context)


def _initial(request) -> dict:
    """A new version starts from the tariff in force (or the latest), the first of next month."""
    committee = request.committee
    today = committee.today()
    base = selectors.tariff_in_force(committee=committee, on=today) or (
        selectors.tariff_list(committee=committee).first()
    )
    if base is not None:
        source = base.source or engine.to_toml(base.engine())
    else:
        source = starter_toml(currency=committee.currency, rounding=committee.bill_rounding)
    return {"effective_from": Period.of(today).next().first_day, "source": source}


@committee_view("tariffs.edit")
def tariff_create(request):
    form = TariffForm(request.POST or None, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tariff = services.tariff_create(
                committee=request.committee,
                by=request.user,
                effective_from=data["effective_from"],
                toml_text=data["source"],
                name=data["name"] or None,
                notes=data["notes"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Tariff saved."))
            return redirect("tariff-detail", committee=request.committee.slug, pk=tariff.pk)
    return render(request, "tariffs/tariff_form.html", {"form": form, "tariff": None})


@committee_view("tariffs.edit")
def tariff_edit(request, pk: int):
    tariff = _get(request, pk)
    if not selectors.is_editable(tariff):
        messages.error(
            request,
            _("A tariff that is or was in force cannot be changed; create a new one instead."),
        )
        return redirect("tariff-detail", committee=request.committee.slug, pk=tariff.pk)
    initial = {
        "name": tariff.name,
        "effective_from": tariff.effective_from,
        "source": tariff.source or engine.to_toml(tariff.engine()),
        "notes": tariff.notes,
    }
    form = TariffForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.tariff_update(
                tariff=tariff,
                by=request.user,
                effective_from=data["effective_from"],
                toml_text=data["source"],
                # The name field wins only when it was changed; else the text's name stands.
                name=data["name"] if "name" in form.changed_data else None,
                notes=data["notes"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("tariff-detail", committee=request.committee.slug, pk=tariff.pk)
    return render(request, "tariffs/tariff_form.html", {"form": form, "tariff": tariff})
