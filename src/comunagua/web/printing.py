"""Print pages: bills, receipts, the till's closing report, the disconnection notice, the monthly
report, the complaint letter. One function, `print_page`, answers each of them: the page laid out
for an A4 sheet or an 80 mm roll, or its PDF drawn by WeasyPrint from the very same template
(`web/pdf.py`).

One rule for `?format=` everywhere: nothing or `a4` is an A4 sheet, `thermal` an 80 mm roll (in
any case, spaces around ignored). Anything else, or a roll for a page printed on A4 only, answers
400 with the value asked for and a link to each paper the page can be printed on.

What a print template is given, besides its own context: `thermal`, `committee`, `currency`,
`other_format` (the `format` value of the other paper, "" for A4), `pdf` (drawing the PDF),
`pdf_url` (the PDF of this page on this paper, "" when it has none) and, for a PDF, `strip_mm`
(the long strip a thermal page is laid out on before it is cut).
"""

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

A4 = "a4"
THERMAL = "thermal"
PAPERS = (A4, THERMAL)  # what `?format=` may ask for; A4 when it asks for nothing
A4_ONLY = (A4,)

# Each paper as the refusal page offers it.
_LABELS = ((A4, gettext_lazy("A4 sheet")), (THERMAL, gettext_lazy("80 mm roll")))
_ASKED_SHOWN = 40  # characters of an unknown format repeated on the refusal page


def print_page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    papers: tuple[str, ...] = PAPERS,
    pdf_url: str = "",
    pdf_query: dict[str, str] | None = None,
    pdf_name: str | None = None,
    refusal: str | Promise | None = None,
) -> HttpResponse:
    """The print page `template` on the paper `?format=` asks for, one of `papers`; with
    `pdf_name`, its PDF instead, downloaded as `<pdf_name>.pdf` (`<pdf_name>-80mm.pdf` on a
    roll).

    `pdf_url` is the address of this page's PDF, without a query: the page links to it with
    `pdf_query` (by default the page's own query) and the paper. `refusal` is the sentence of the
    400 page, with `%(value)s` for the format asked for."""
    asked = request.GET.get("format", "")
    paper = asked.strip().lower() or A4
    if paper not in papers:
        return _bad_paper(request, asked, papers, refusal)
    thermal = paper == THERMAL
    link = ""
    if pdf_url:
        query = _query(request.GET if pdf_query is None else pdf_query, thermal=thermal)
        link = f"{pdf_url}?{query}" if query else pdf_url
    context.update(
        {
            "thermal": thermal,
            "committee": request.committee,
            "currency": request.committee.currency,
            "other_format": "" if thermal else THERMAL,
            "pdf": pdf_name is not None,
            "pdf_url": link,
        }
    )
    if pdf_name is None:
        return render(request, template, context)
    # WeasyPrint loads Pango, which the rest of the site does not need: imported when a PDF is
    # asked for.
    from comunagua.web import pdf

    context["strip_mm"] = pdf.THERMAL_STRIP_MM
    html = render_to_string(template, context, request=request)
    document = pdf.render(html, base_url=request.build_absolute_uri("/"), thermal=thermal)
    response = HttpResponse(pdf.write(document), content_type="application/pdf")
    filename = f"{pdf_name}-80mm.pdf" if thermal else f"{pdf_name}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _query(params, *, thermal: bool) -> str:
    """`params` without any `format`, then `format=thermal` on a roll (A4 needs none)."""
    if isinstance(params, QueryDict):
        query = params.copy()
    else:
        query = QueryDict(mutable=True)
        query.update(params)
    query.pop("format", None)
    if thermal:
        query["format"] = THERMAL
    return query.urlencode()


def _bad_paper(request, asked: str, papers, refusal) -> HttpResponse:
    """A clear answer to an unknown `?format=`, with a link to each paper the page has."""
    links = []
    for paper, label in _LABELS:
        if paper in papers:
            query = _query(request.GET, thermal=paper == THERMAL)
            links.append(
                {"url": f"{request.path}?{query}" if query else request.path, "label": label}
            )
    sentence = refusal or _(
        "“%(value)s” is not a paper format this page can be printed on. Choose one:"
    )
    context = {
        "title": _("Unknown paper format"),
        "message": str(sentence) % {"value": Truncator(asked).chars(_ASKED_SHOWN)},
        "links": links,
    }
    # The page's words come translated from here (each page may bring its own sentence).
    return render(request, "printing/bad_paper.html", context, status=400)
