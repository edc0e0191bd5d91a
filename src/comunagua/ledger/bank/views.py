"""Bank statement pages (board and treasurer): upload a statement, see what it would do, confirm;
the statements imported; a statement's lines, and the ones a person resolves (whose deposit is
this?) or ignores. Thin: the reading is `statement`'s, the matching
`matching`'s, the writing `services`'.

Between the preview and the confirmation the file travels with the page, compressed and signed
(a hidden field): nothing is kept on the server until the person confirms, and the import reads
exactly the bytes the preview read. The signature also carries what the preview showed; if the
import would now do something else, it shows the new preview instead.
"""

import base64
import zlib

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from comunagua.lib.text import search_text
from comunagua.registry.models import Connection
from comunagua.tenancy.scoping import committee_view
from comunagua.web.forms import apply_errors

from ..cash import selectors as cash
from ..models import BankLine
from . import selectors, services
from .forms import IgnoreForm, UploadForm
from .statement import StatementRejected

TOKEN_MAX_AGE = 6 * 3600  # a preview left open longer is read again from a new upload


def _salt(committee) -> str:
    return f"comunagua.bank.statement:{committee.pk}"


def _token(committee, filename: str, content: bytes, digest: str) -> str:
    packed = base64.b64encode(zlib.compress(content, 9)).decode("ascii")
    return signing.dumps({"f": filename, "c": packed, "d": digest}, salt=_salt(committee))


def _untoken(committee, token: str) -> tuple[str, bytes, str]:
    """The file the preview read. ValueError when the token is bad, old or another committee's."""
    try:
        data = signing.loads(token, salt=_salt(committee), max_age=TOKEN_MAX_AGE)
        return str(data["f"]), zlib.decompress(base64.b64decode(data["c"])), str(data["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, zlib.error) as exc:
        raise ValueError("bad statement token") from exc


def _preview_page(request, preview: selectors.Preview, content: bytes, *, status: int = 200):
    token = _token(request.committee, preview.filename, content, preview.digest)
    return render(
        request,
        "ledger/bank/preview.html",
        {"preview": preview, "token": token if preview.ok else ""},
        status=status,
    )


@committee_view("ledger.books")
def home(request):
    """The statements imported, and the form to upload the next one (its preview follows)."""
    committee = request.committee
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        preview = selectors.statement_preview(
            committee=committee, content=content, filename=upload.name
        )
        return _preview_page(request, preview, content, status=400 if preview.errors else 200)
    to_resolve = BankLine.objects.filter(
        committee=committee, status=BankLine.Status.UNMATCHED
    ).count()
    return render(
        request,
        "ledger/bank/home.html",
        {
            "form": form,
            "statements": selectors.statements(committee)[:100],
            "to_resolve": to_resolve,
        },
        status=400 if request.method == "POST" else 200,
    )


@committee_view("ledger.books")
def confirm(request):
    """Import the file the preview showed, all or nothing."""
    committee = request.committee
    if request.method != "POST":
        return redirect("bank-home", committee=committee.slug)
    try:
        filename, content, digest = _untoken(committee, request.POST.get("statement", ""))
    except ValueError:
        messages.error(request, _("The preview expired: upload the file again."))
        return redirect("bank-home", committee=committee.slug)
    try:
        statement = services.statement_import(
            committee=committee,
            content=content,
            filename=filename,
            by=request.user,
            expected=digest,
        )
    except StatementRejected as rejected:
        for error in rejected.errors:
            messages.error(request, error.message)
        preview = selectors.statement_preview(
            committee=committee, content=content, filename=filename
        )
        return _preview_page(request, preview, content, status=409)
    counts = {s: 0 for s in BankLine.Status.values}
    for status in statement.lines.values_list("status", flat=True):
        counts[status] += 1
    messages.success(
        request,
        _("Statement imported: %(paid)s payments recorded, %(open)s lines to resolve.")
        % {"paid": counts[BankLine.Status.MATCHED], "open": counts[BankLine.Status.UNMATCHED]},
    )
    return redirect("bank-statement", committee=committee.slug, pk=statement.pk)


@committee_view("ledger.books")
def statement(request, pk: int):
    committee = request.committee
    found = get_object_or_404(selectors.statements(committee), pk=pk)
    lines = list(
        BankLine.objects.filter(committee=committee, statement=found).select_related(
            "payment", "payment__connection", "resolved_by"
        )
    )
    return render(
        request,
        "ledger/bank/statement.html",
        {
            "statement": found,
            "lines": lines,
            "to_resolve": [line for line in lines if line.status == BankLine.Status.UNMATCHED],
        },
    )


def _line_page(request, line, *, ignore_form=None, status=200):
    committee = request.committee
    q = search_text(request.GET.get("q", ""))
    context = {
        "line": line,
        "q": q,
        "matches": cash.household_matches(committee=committee, text=q),
    }
    if request.headers.get("HX-Request"):
        return render(request, "ledger/bank/_matches.html", context)
    context.update(
        {
            "candidates": selectors.line_candidates(line)
            if line.status != BankLine.Status.MATCHED
            else [],
            "ignore_form": ignore_form or IgnoreForm(initial={"note": line.note}),
        }
    )
    return render(request, "ledger/bank/line.html", context, status=status)


def _line(request, pk: int) -> BankLine:
    return get_object_or_404(
        BankLine.objects.select_related("statement", "payment", "payment__connection"),
        committee=request.committee,
        pk=pk,
    )


@committee_view("ledger.books")
def line(request, pk: int):
    """Whose deposit is this? Find the household and record the payment there."""
    found = _line(request, pk)
    if request.method != "POST":
        return _line_page(request, found)
    raw = request.POST.get("connection", "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        messages.error(request, _("Choose the household that made this deposit."))
        return _line_page(request, found, status=400)
    connection = get_object_or_404(Connection, committee=request.committee, pk=int(raw))
    try:
        resolved = services.line_resolve(line=found, connection=connection, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _line_page(request, _line(request, pk), status=400)
    messages.success(
        request,
        _("Recorded as receipt %(number)s of connection %(connection)s.")
        % {"number": resolved.payment.number, "connection": connection.number},
    )
    return redirect("bank-statement", committee=request.committee.slug, pk=found.statement_id)


@committee_view("ledger.books")
def line_ignore(request, pk: int):
    """Not a household's payment: set it aside with the reason."""
    found = _line(request, pk)
    if request.method != "POST":
        return redirect("bank-line", committee=request.committee.slug, pk=found.pk)
    form = IgnoreForm(request.POST)
    if form.is_valid():
        try:
            services.line_ignore(line=found, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Line %(n)s ignored.") % {"n": found.line_number})
            return redirect(
                "bank-statement", committee=request.committee.slug, pk=found.statement_id
            )
    return _line_page(request, _line(request, pk), ignore_form=form, status=400)
