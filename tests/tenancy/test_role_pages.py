"""Every committee page against every role, from the one roles table (tenancy/roles.py): a GET
answers 403 exactly when the role lacks the page's permission, and the page itself (200, or the
redirect of an action posted from another page) when the role has it. The pages are found in the
real URL configuration, so a new page is in the matrix the day it is added."""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from comunagua.tenancy.roles import Role, can
from tests.actors import make_user
from tests.tenancy.objects import (
    ID_KIND,
    MORE_IDS,
    NOT_IDS,
    PUBLIC,
    committee_objects,
    committee_patterns,
    committee_url,
)

# Actions posted from another page: a GET is sent back there (302). Every other page a role may
# open answers 200.
REDIRECT_ON_GET = {
    "round-close",
    "route-build",
    "tariff-edit",  # the objects' tariff has issued bills: it is shown, not edited
    "billing-run",
    "cash-open",
    "arrears-fines",
    "arrears-notice",
    "arrears-notice-print",  # no notice given yet: back to the household's page
    "arrears-disconnect",
    "arrears-reconnect",
    "arrears-plan",
    "bank-confirm",
    "bank-line-ignore",
    "report-publish",
}


def _pages():
    return [(name, path, view) for name, path, view in committee_patterns() if name not in PUBLIC]


def test_every_committee_page_is_a_committee_view_this_test_can_address():
    """The guard: a page under /<committee>/ that is not wrapped by committee_view (so has no
    permission), or takes an argument the matrix cannot fill, fails here instead of being left
    out of the matrix below."""
    not_guarded = [name for name, _, view in _pages() if not hasattr(view, "permission")]
    assert not_guarded == [], "every committee page must be a committee_view (or in PUBLIC)"
    unknown = []
    for name, path, _ in _pages():
        arguments = set(re.findall(r"<(?:\w+:)?(\w+)>", path)) - {"committee"}
        known = set(NOT_IDS.get(name, {})) | set(MORE_IDS.get(name, {}))
        if name in ID_KIND:
            known.add("pk")
        if arguments - known:
            unknown.append((name, sorted(arguments - known)))
    assert unknown == [], "add these pages' arguments to tests/tenancy/objects.py"


@pytest.mark.django_db
def test_each_role_gets_403_exactly_on_the_pages_its_permissions_do_not_allow(
    committee, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    started = time.perf_counter()
    ids = committee_objects(committee)
    clients = {}
    for role in Role:
        # A server error is a wrong answer like any other: collected, not raised.
        clients[role] = Client(raise_request_exception=False)
        if role == Role.CASHIER:
            # The cashier whose till is open: a cashier closes only their own (the ledger's
            # rule, beside the roles table), so another cashier's 403 there would be right.
            user = get_user_model().objects.get(pk=ids["cashier_user"])
        else:
            user = make_user(committee, role)
        clients[role].force_login(user)

    wrong = []
    asked = set()
    for name, _, view in _pages():
        url = committee_url(name, committee.slug, ids)
        for role in Role:
            response = clients[role].get(url)
            status = response.status_code
            if can(role, view.permission):
                ok = status == (302 if name in REDIRECT_ON_GET else 200)
                # An action's redirect goes back to a committee page, never to the login.
                ok = ok and (
                    status != 302 or response["Location"].startswith(f"/{committee.slug}/")
                )
            else:
                ok = status == 403
            if not ok:
                wrong.append(f"{name} ({view.permission}) as {role.value}: {status}")
        asked.add(name)

    assert not wrong, "\n" + "\n".join(wrong)
    assert asked == {name for name, _, _ in _pages()}
    print(f"\n{len(asked)} pages x {len(Role)} roles in {time.perf_counter() - started:.1f} s")
