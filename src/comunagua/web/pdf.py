"""Printed documents (bills, receipts) as PDF: WeasyPrint draws the very HTML of the print pages.

Nothing is fetched from the network: the only resources a bill links to are our own static
files (its stylesheet), read from disk; the chart is inline SVG and the fonts are the system's
(DejaVu, through fontconfig). An 80 mm roll has no page height, so a thermal bill is laid out on
a long strip and each page is then cut just below its notice.
"""

import mimetypes
from urllib.parse import unquote, urljoin

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The strip a thermal bill is laid out on before it is cut (the @page height in the template):
# far longer than any notice, so that one notice never spills onto a second page.
THERMAL_STRIP_MM = 1000
# Paper left below the last line of a cut thermal bill, for the printer's tear bar.
THERMAL_TAIL_MM = 6
PX_PER_MM = 96 / 25.4  # WeasyPrint measures pages in CSS pixels


class StaticOnlyFetcher(URLFetcher):
    """Serves our static files from disk and refuses every other URL (no network)."""

    def __init__(self, base_url: str):
        super().__init__(allowed_protocols=("data",))
        self.static_prefix = urljoin(base_url, settings.STATIC_URL)

    def fetch(self, url, headers=None):
        if not url.startswith(self.static_prefix):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"not one of our static files: {url}")
        name = unquote(url[len(self.static_prefix) :].split("?")[0].split("#")[0])
        path = _static_path(name)
        if path is None:
            raise ValueError(f"no such static file: {name}")
        with open(path, "rb") as stream:
            body = stream.read()
        mime_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": mime_type})


def _static_path(name: str) -> str | None:
    """The file behind a static name: in the apps' static folders, or collected (the hashed
    names of production)."""
    for lookup in (finders.find, _collected):
        try:
            path = lookup(name)
        except (ImproperlyConfigured, SuspiciousFileOperation, NotImplementedError, ValueError):
            continue  # no STATIC_ROOT (development), a name like ../../etc, a remote storage
        if path:
            return path
    return None


def _collected(name: str) -> str | None:
    return staticfiles_storage.path(name) if staticfiles_storage.exists(name) else None


def render(html: str, *, base_url: str, thermal: bool) -> Document:
    """Lay out the print page's HTML: A4 pages, or 80 mm bills cut to their length."""
    source = HTML(string=html, base_url=base_url, url_fetcher=StaticOnlyFetcher(base_url))
    document = source.render()
    if thermal:
        for page in document.pages:
            _cut(page)
    return document


def _cut(page) -> None:
    """Shorten a thermal page to its content: the lowest element with an id on it (each notice
    has one, as does the "nothing to print" line), plus a tail for tearing off."""
    bottoms = [anchor[-1] for anchor in page.anchors.values()]
    if bottoms:
        page.height = min(page.height, max(bottoms) + THERMAL_TAIL_MM * PX_PER_MM)


def write(document: Document) -> bytes:
    return document.write_pdf()
