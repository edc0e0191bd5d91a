from .roles import permissions_of


def current_committee(request):
    committee = getattr(request, "committee", None)
    role = getattr(request, "role", None)
    return {
        "committee": committee,
        "role": role,
        "perms_here": permissions_of(role) if committee else frozenset(),
    }
