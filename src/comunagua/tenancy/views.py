from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .scoping import committees_of


@login_required
def home(request):
    """After login: straight to the committee when the user serves only one."""
    committees = list(committees_of(request.user))
    if len(committees) == 1:
        return redirect("committee-home", committee=committees[0].slug)
    return render(request, "tenancy/choose_committee.html", {"committees": committees})
