"""Registry pages. Thin: read through selectors, write through services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from comunagua.tenancy.scoping import committee_view
from comunagua.web.forms import apply_errors

from . import importer, selectors, services
from .forms import ConnectionForm, ImportUploadForm, MemberForm, TransferForm
from .models import Connection, Member, RegistryImport

PAGE_SIZE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _list_or_rows(request, template, context):
    """htmx live search swaps only the table rows."""
    if request.headers.get("HX-Request"):
        return render(request, template.replace(".html", "_rows.html"), context)
    return render(request, template, context)


@committee_view("committee.view")
def home(request):
    overview = selectors.committee_overview(committee=request.committee)
    return render(request, "registry/home.html", {"overview": overview})


@committee_view("registry.view")
def member_list(request):
    filters = selectors.member_filters(committee=request.committee, given=request.GET)
    members = selectors.member_list(committee=request.committee, **filters)
    return _list_or_rows(
        request,
        "registry/member_list.html",
        {
            "page": _page(request, members),
            "filters": filters,
            "statuses": Member.Status.choices,
            "sectors": selectors.sectors(committee=request.committee),
        },
    )


@committee_view("registry.view")
def member_detail(request, pk: int):
    member = get_object_or_404(Member, pk=pk, committee=request.committee)
    holdings = member.holdings.select_related("connection", "connection__lot").order_by(
        "ended_on", "-started_on"
    )
    return render(
        request,
        "registry/member_detail.html",
        {
            "member": member,
            "holdings": holdings,
            "timeline": selectors.member_timeline(member=member),
        },
    )


def _member_form(request, member: Member | None):
    form = MemberForm(request.POST or None, instance=member, committee=request.committee)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if member is None:
                member = services.member_create(
                    committee=request.committee, by=request.user, **fields
                )
                messages.success(request, _("Member registered."))
            else:
                services.member_update(member=member, by=request.user, **fields)
                messages.success(request, _("Changes saved."))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("member-detail", committee=request.committee.slug, pk=member.pk)
    return render(request, "registry/member_form.html", {"form": form, "member": member})


@committee_view("registry.edit")
def member_create(request):
    return _member_form(request, None)


@committee_view("registry.edit")
def member_edit(request, pk: int):
    return _member_form(request, get_object_or_404(Member, pk=pk, committee=request.committee))


@committee_view("registry.view")
def connection_list(request):
    filters = selectors.connection_filters(committee=request.committee, given=request.GET)
    connections = selectors.connection_list(committee=request.committee, **filters)
    return _list_or_rows(
        request,
        "registry/connection_list.html",
        {
            "page": _page(request, connections),
            "filters": filters,
            "categories": Connection.Category.choices,
            "statuses": Connection.Status.choices,
            "sectors": selectors.sectors(committee=request.committee),
        },
    )


@committee_view("registry.view")
def connection_detail(request, pk: int):
    try:
        connection = selectors.connection_detail(committee=request.committee, pk=pk)
    except Connection.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "registry/connection_detail.html",
        {
            "connection": connection,
            "holdings": connection.holdings.select_related("member"),
            "meters": connection.meters.all(),
            "timeline": selectors.connection_timeline(connection=connection),
        },
    )


def _connection_form(request, connection: Connection | None):
    form = ConnectionForm(request.POST or None, instance=connection, committee=request.committee)
    if request.method == "POST" and form.is_valid():
        try:
            if connection is None:
                connection = services.connection_create(
                    committee=request.committee, by=request.user, **form.service_kwargs()
                )
                messages.success(request, _("Connection registered."))
            else:
                services.connection_update(
                    connection=connection, by=request.user, **form.service_kwargs()
                )
                messages.success(request, _("Changes saved."))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("connection-detail", committee=request.committee.slug, pk=connection.pk)
    return render(
        request, "registry/connection_form.html", {"form": form, "connection": connection}
    )


@committee_view("registry.edit")
def connection_create(request):
    return _connection_form(request, None)


@committee_view("registry.edit")
def connection_edit(request, pk: int):
    return _connection_form(
        request, get_object_or_404(Connection, pk=pk, committee=request.committee)
    )


@committee_view("registry.edit")
def connection_transfer(request, pk: int):
    connection = get_object_or_404(Connection, pk=pk, committee=request.committee)
    form = TransferForm(request.POST or None, committee=request.committee)
    if request.method == "POST" and form.is_valid():
        try:
            services.connection_transfer(
                connection=connection, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Holder changed."))
            return redirect("connection-detail", committee=request.committee.slug, pk=connection.pk)
    return render(
        request,
        "registry/connection_transfer.html",
        {"form": form, "connection": connection, "holding": selectors.current_holding(connection)},
    )


@committee_view("registry.import")
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = services.registry_import_upload(
            committee=request.committee,
            by=request.user,
            filename=upload.name,
            content=upload.read(),
        )
        return redirect("import-preview", committee=request.committee.slug, pk=batch.pk)
    recent = RegistryImport.objects.filter(committee=request.committee)[:10]
    return render(request, "registry/import_upload.html", {"form": form, "recent": recent})


@committee_view("registry.import")
def import_preview(request, pk: int):
    batch = get_object_or_404(RegistryImport, pk=pk, committee=request.committee)
    if request.method == "POST" and batch.status == RegistryImport.Status.PREVIEW:
        try:
            count = services.registry_import_apply(batch=batch, by=request.user)
        except importer.ImportRejected as rejected:
            messages.error(
                request,
                _("Nothing was imported: the file has %(n)s errors.") % {"n": len(rejected.errors)},
            )
        else:
            messages.success(request, _("%(n)s connections imported.") % {"n": count})
            return redirect("connection-list", committee=request.committee.slug)
    preview = importer.preview(
        committee=request.committee, filename=batch.filename, content=bytes(batch.content)
    )
    return render(request, "registry/import_preview.html", {"batch": batch, "preview": preview})
