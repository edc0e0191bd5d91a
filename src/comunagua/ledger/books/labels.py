"""What a person reads for the books' document types and entry kinds, on receipts, account
statements, arrears pages and bills. Unknown types show as typed."""

from django.utils.translation import gettext_lazy as _

from ..models import JournalEntry

# What a household reads for the documents the books know by type. Unknown types show as typed.
DOCUMENT_TYPES = {
    "bill": _("Bill"),
    "fine": _("Fine"),
    "fee": _("Fee"),
    "instalment": _("Instalment"),
    "quota": _("Quota"),
    "reconnection": _("Reconnection"),
    "credit_note": _("Credit note"),
    "receipt": _("Receipt"),
    "cash_session": _("Cash session"),
}


def document_label(document_type: str) -> str:
    label = DOCUMENT_TYPES.get(document_type)
    return str(label) if label is not None else document_type.replace("_", " ")


def kind_label(kind: str) -> str:
    try:
        return str(JournalEntry.Kind(kind).label)
    except ValueError:
        return kind
