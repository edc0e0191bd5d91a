from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import tokens
from .models import ApiToken
from .roles import Role
from .scoping import committees_of


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
