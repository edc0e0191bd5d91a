"""The bank statements' writes: `statement_import` (all or nothing; matched lines become payments
in one `payments_take_many` call), `line_resolve` (a person says whose deposit a line is) and
`line_ignore` (a deposit that is not a household's payment)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comunagua.lib.tabular import cell_text
from comunagua.registry.models import Connection
from comunagua.tenancy.models import Committee

from ..cash import services as cash
from ..models import BankImport, BankLine, Payment
from .selectors import statement_preview
from .statement import RowError, StatementLine, StatementRejected, client_id_of


def _payment_reference(line: StatementLine | BankLine) -> str:
    """The bank's reference; without one, the description; at least the line."""
    text = cell_text(line.reference) or cell_text(line.description)
    if not text:
        number = line.line if isinstance(line, StatementLine) else line.line_number
        text = _("bank statement, line %(n)s") % {"n": number}
    return text[:80]


def statement_import(
    *, committee: Committee, content: bytes, filename: str, by, expected: str | None = None
) -> BankImport:
    """Import the statement, all or nothing: its deposits as bank lines, the ones matched to a
    household recorded as payments (by transfer, on the deposit's date). Lines already imported
    are left out. Any error, and nothing is written. With `expected` (the preview's digest), an
    import that would now do something else than the preview showed is refused."""
    try:
        return _import(
            committee=committee, content=content, filename=filename, by=by, expected=expected
        )
    except IntegrityError:
        # Another import of the same lines was saved while this one ran: nothing of this one is.
        raise StatementRejected(
            [
                RowError(
                    0,
                    "",
                    _(
                        "Some of these lines were imported at the same moment by someone else. "
                        "Nothing was imported: look at the statements, then try again."
                    ),
                )
            ]
        ) from None


@transaction.atomic
def _import(*, committee, content, filename, by, expected) -> BankImport:
    preview = statement_preview(committee=committee, content=content, filename=filename)
    if preview.errors:
        raise StatementRejected(preview.errors)
    if not preview.new:
        raise StatementRejected(
            [RowError(0, "", _("Every line of this statement was already imported."))]
        )
    if expected is not None and expected != preview.digest:
        raise StatementRejected(
            [
                RowError(
                    0,
                    "",
                    _(
                        "Something changed since the preview (another import, or the register). "
                        "Nothing was imported: check the new preview and confirm again."
                    ),
                )
            ]
        )
    matched = [p for p in preview.new if p.connection_id]
    try:
        cash.payments_take_many(
            committee=committee,
            payments=[
                cash.Incoming(
                    connection_id=p.connection_id,
                    amount=p.line.amount,
                    method=Payment.Method.TRANSFER,
                    received_on=p.line.date,
                    reference=_payment_reference(p.line),
                    client_id=p.line.client_id,
                )
                for p in matched
            ],
            by=by,
        )
    except ValidationError as error:
        raise StatementRejected([RowError(0, "", " ".join(error.messages))]) from error
    payments = dict(
        Payment.objects.filter(
            committee=committee, client_id__in=[p.line.client_id for p in matched]
        ).values_list("client_id", "pk")
    )
    statement = BankImport.objects.create(
        committee=committee, filename=filename[:200], uploaded_by=by
    )
    BankLine.objects.bulk_create(
        [
            BankLine(
                committee=committee,
                statement=statement,
                line_number=p.line.line,
                date=p.line.date,
                amount=p.line.amount,
                reference=p.line.reference,
                description=p.line.description,
                fingerprint=p.line.fingerprint,
                status=BankLine.Status.MATCHED if p.connection_id else BankLine.Status.UNMATCHED,
                payment_id=payments.get(p.line.client_id) if p.connection_id else None,
                resolved_by=None,
            )
            for p in preview.new
        ]
    )
    return statement


def _locked(line: BankLine) -> BankLine:
    return BankLine.objects.select_for_update().get(committee=line.committee_id, pk=line.pk)


@transaction.atomic
def line_resolve(*, line: BankLine, connection: Connection, by) -> BankLine:
    """A person says whose deposit this is: it is recorded as that household's payment. Sent
    twice, one payment; a line already paid to another household is refused (reverse that
    receipt first). An ignored line may still be resolved."""
    committee = line.committee
    if connection.committee_id != committee.pk:
        raise ValidationError(_("There is no such connection in this committee."))
    line = _locked(line)
    if line.status == BankLine.Status.MATCHED:
        if line.payment is not None and line.payment.connection_id == connection.pk:
            return line
        raise ValidationError(
            _("This line is already recorded as receipt %(number)s of connection %(conn)s.")
            % {
                "number": line.payment.number if line.payment else "—",
                "conn": line.payment.connection.number if line.payment else "—",
            }
        )
    payment = cash.payment_take(
        committee=committee,
        connection_id=connection.pk,
        amount=line.amount,
        method=Payment.Method.TRANSFER,
        by=by,
        reference=_payment_reference(line),
        received_on=line.date,
        client_id=client_id_of(line.fingerprint),
    )
    line.status = BankLine.Status.MATCHED
    line.payment = payment
    line.resolved_by = by
    line.save(update_fields=["status", "payment", "resolved_by"])
    return line


@transaction.atomic
def line_ignore(*, line: BankLine, by, note: str) -> BankLine:
    """A deposit that is not a household's payment (a donation, a loan, the till's cash taken to
    the bank): kept on the statement as ignored, with the reason."""
    note = cell_text(note or "")
    if not note:
        raise ValidationError({"note": _("Say why this line is not a household's payment.")})
    line = _locked(line)
    if line.status == BankLine.Status.MATCHED:
        raise ValidationError(
            _(
                "This line is already recorded as receipt %(number)s: to undo it, reverse the "
                "receipt at the cash desk."
            )
            % {"number": line.payment.number if line.payment else "—"}
        )
    line.status = BankLine.Status.IGNORED
    line.note = note[:300]
    line.resolved_by = by
    line.save(update_fields=["status", "note", "resolved_by"])
    return line
