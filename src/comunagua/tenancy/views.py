from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from comunagua.web.forms import apply_errors

from . import selectors, services, tokens
from .forms import CommitteeForm, LogoForm, PasswordForm, PersonForm, RoleForm
from .models import ApiToken, Committee
from .roles import Role
from .scoping import committee_view, committees_of


@login_required
def home(request):
    """After login: straight to the committee when the user serves only one (a meter reader
    straight to the reader's app: that is the work of the day)."""
    committees = list(committees_of(request.user))
    if len(committees) == 1:
        committee = committees[0]
        if committee.roles.filter(user=request.user, role=Role.READER).exists():
            return redirect("reader-app", committee=committee.slug)
        return redirect("committee-home", committee=committee.slug)
    return render(request, "tenancy/choose_committee.html", {"committees": committees})


@login_required
def token_list(request):
    """The user's own API tokens: make one (shown once), revoke one."""
    context = {"secret": "", "error": "", "name": ""}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "create":
                context["name"] = request.POST.get("name", "")[:100]
                _token, context["secret"] = tokens.token_create(
                    user=request.user, name=request.POST.get("name", "")
                )
                context["name"] = ""
            elif action == "revoke":
                token_id = request.POST.get("token", "")
                if not token_id.isdigit():
                    raise ValidationError(_("There is no such token."))
                tokens.token_revoke(user=request.user, token_id=int(token_id))
                messages.success(request, _("Token revoked."))
                return redirect("token-list")
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
    context["tokens"] = ApiToken.objects.filter(user=request.user)
    status = 400 if context["error"] else 200
    return render(request, "tenancy/tokens.html", context, status=status)


# --- the committee's own pages (the board) -----------------------------------------------------


@committee_view("committee.manage")
def committee_settings(request):
    """The committee's details and logo."""
    committee = request.committee
    # The form edits a copy: a refused change must not show in the page's header.
    form = CommitteeForm(request.POST or None, instance=Committee.objects.get(pk=committee.pk))
    logo_form = LogoForm()
    action = request.POST.get("action")
    try:
        if action == "details" and form.is_valid():
            services.committee_update(committee=committee, by=request.user, **form.cleaned_data)
            messages.success(request, _("The committee's details were saved."))
            return redirect("committee-settings", committee=committee.slug)
        if action == "logo":
            form = CommitteeForm(instance=form.instance)  # not the form posted
            logo_form = LogoForm(request.POST, request.FILES)
            if logo_form.is_valid():
                services.committee_logo_set(
                    committee=committee, by=request.user, upload=logo_form.cleaned_data["logo"]
                )
                messages.success(request, _("The logo was saved."))
                return redirect("committee-settings", committee=committee.slug)
        elif action == "logo-remove":
            services.committee_logo_remove(committee=committee, by=request.user)
            messages.success(request, _("The logo was removed."))
            return redirect("committee-settings", committee=committee.slug)
        elif request.method == "POST" and action != "details":
            return HttpResponseBadRequest(_("Unknown action."))
    except ValidationError as error:
        # The logo's own refusals on its field; the committee's details on theirs.
        if action == "logo":
            apply_errors(logo_form, error, field="logo")
        else:
            apply_errors(form, error)
    refused = bool(form.errors or logo_form.errors)
    context = {
        "form": form,
        "logo_form": logo_form,
        "changes": selectors.committee_changes(committee),
    }
    return render(
        request, "tenancy/committee_settings.html", context, status=400 if refused else 200
    )


@committee_view("committee.view")
def committee_logo(request):
    """The logo for the page header; printed pages embed it instead."""
    committee = request.committee
    if not committee.logo:
        raise Http404
    try:
        handle = committee.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/png")
    # Each upload gets a new file name (and the header asks with it), so a day's cache is safe.
    response["Cache-Control"] = "private, max-age=86400"
    return response


@committee_view("committee.manage")
def committee_people(request):
    """Who serves the committee in which role: add someone, change a role, take it away, set a
    new password for someone who forgot theirs."""
    committee = request.committee
    form = PersonForm()
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                form = PersonForm(request.POST)
                if form.is_valid():
                    assignment, created = services.person_add(
                        committee=committee, by=request.user, **form.cleaned_data
                    )
                    name = assignment.user.username
                    if created:
                        messages.success(request, _("%(name)s can now log in.") % {"name": name})
                    else:
                        messages.success(
                            request,
                            _("%(name)s already had an account; their password is unchanged.")
                            % {"name": name},
                        )
                    return redirect("committee-people", committee=committee.slug)
            elif action in {"role", "remove"}:
                change = RoleForm(request.POST)
                if not change.is_valid() or (action == "role" and not change.cleaned_data["role"]):
                    raise ValidationError(_("Choose a person and a role."))
                if action == "role":
                    services.role_change(
                        committee=committee,
                        by=request.user,
                        user_id=change.cleaned_data["user"],
                        role=change.cleaned_data["role"],
                    )
                    messages.success(request, _("The role was changed."))
                else:
                    services.role_remove(
                        committee=committee, by=request.user, user_id=change.cleaned_data["user"]
                    )
                    messages.success(request, _("The person no longer serves the committee."))
                return redirect("committee-people", committee=committee.slug)
            elif action == "password":
                reset = PasswordForm(request.POST)
                if not reset.is_valid():
                    raise ValidationError(_("Choose a person and type the new password."))
                services.password_set(
                    committee=committee,
                    by=request.user,
                    user_id=reset.cleaned_data["user"],
                    password=reset.cleaned_data["password"],
                )
                messages.success(request, _("The new password was set; tell it to the person."))
                return redirect("committee-people", committee=committee.slug)
            else:
                return HttpResponseBadRequest(_("Unknown action."))
        except ValidationError as refused:
            if action == "add":
                apply_errors(form, refused)
            else:
                error = " ".join(refused.messages)
    people = selectors.people_of(committee)
    context = {
        "form": form,
        "error": error,
        "people": people,
        "settable": selectors.passwords_settable(committee, [a.user for a in people]),
        "roles": Role.choices,
        "changes": selectors.role_changes(committee),
    }
    status = 400 if (form.errors or error) else 200
    return render(request, "tenancy/people.html", context, status=status)
