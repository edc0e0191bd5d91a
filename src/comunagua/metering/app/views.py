"""The reader's app (a PWA): the shell page, its service worker and its manifest.

The shell needs a login (it carries the reader's name and committee); the service worker and
the manifest carry no data and need none, so that the browser can update them even when the
session has expired. Everything the reader works with comes from the JSON API and is kept on
the phone in IndexedDB (static/metering/app/reader.js). See docs/reader-app.md.
"""

import json

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from comunagua.tenancy.models import Committee
from comunagua.tenancy.scoping import committee_view

# Bumped when the shell's files change, so that phones drop the old cache.
APP_VERSION = "1"
VENDOR = {
    "workbox": "vendor/workbox-7.4.1/",
    "idb": "vendor/idb-8.0.4/umd.js",
}
SHELL_ASSETS = ("metering/app/reader.js", "metering/app/reader.css", VENDOR["idb"])


def _texts() -> dict[str, str]:
    """The app's words, translated here; {placeholders} are filled in by reader.js."""
    return {
        "round": _("Round of {month}"),
        "no_round": _("No reading round is open: ask the office."),
        "download": _("Download"),
        "update": _("Download again"),
        "open": _("Open"),
        "downloaded": _("On the phone since {when}"),
        "not_downloaded": _("Not on the phone yet"),
        "route_missing": _("This route is not on the phone: download it when there is signal."),
        "offline": _("No signal"),
        "online": _("Online"),
        "sending": _("Sending…"),
        "nothing": _("Nothing to send."),
        "summary": _(
            "Sent: {stored} stored, {flagged} to be checked, {conflict} second values, "
            "{rejected} rejected."
        ),
        "failed": _("Could not send now: the readings stay on the phone and go later."),
        "login_again": _("Your session has ended: log in again to send (nothing is lost)."),
        "not_number": _("Write the reading as a number, with at most three decimals."),
        "too_large": _("A {digits}-digit meter cannot show that number."),
        "below": _("Lower than the previous reading: has the meter rolled over?"),
        "spike": _("Much more than usual: {m3} m³ this month."),
        "zero": _("No consumption in a house where people live."),
        "confirm": _("Check the number on the meter. Press again to keep it."),
        "queued": _("Waiting to be sent: {value}"),
        "stored": _("Stored: {value}"),
        "flagged": _("Stored, the office will check it: {value}"),
        "conflict": _("Second value {value}: the office will decide"),
        "duplicate": _("Already stored: {value}"),
        "rejected": _("Rejected: {message}"),
        "read": _("read"),
        "to_read": _("to read"),
        "of": _("{done} of {total} read"),
        "position": _("{n} of {total}"),
        "finished": _("Route finished. Thank you!"),
        "usual_none": _("not known yet"),
        "estimated": _("estimated"),
    }


def _committee(slug: str) -> Committee:
    committee = Committee.objects.filter(slug=slug, is_active=True).first()
    if committee is None:
        raise Http404
    return committee


@never_cache
@ensure_csrf_cookie  # the app sends it back as X-CSRFToken
@committee_view("metering.enter")
def reader_app(request):
    committee = request.committee
    return render(
        request,
        "metering/app/reader.html",
        {
            "api": reverse("api-v1:api-root"),
            "sw": reverse("reader-sw", kwargs={"committee": committee.slug}),
            "manifest": reverse("reader-manifest", kwargs={"committee": committee.slug}),
            "idb": VENDOR["idb"],
            "texts": _texts(),
        },
    )


@never_cache
def reader_sw(request, committee: str):
    committee = _committee(committee)
    shell = reverse("reader-app", kwargs={"committee": committee.slug})
    config = {
        "version": APP_VERSION,
        "shell": shell,
        "assets": [static(path) for path in SHELL_ASSETS],
        "workbox": static(VENDOR["workbox"]),
    }
    body = (
        f"self.COMUNAGUA = {json.dumps(config)};\n"
        f"importScripts({json.dumps(static('metering/app/sw-main.js'))});\n"
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = shell
    return response


def reader_manifest(request, committee: str):
    committee = _committee(committee)
    shell = reverse("reader-app", kwargs={"committee": committee.slug})
    manifest = {
        "name": _("Meter readings · %(committee)s") % {"committee": committee.name},
        "short_name": _("Readings"),
        "start_url": shell,
        "scope": shell,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f6f9f",
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {"src": static(f"metering/app/icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png"}
            for n in (192, 512)
        ],
    }
    return JsonResponse(manifest, content_type="application/manifest+json")
