"""The printed receipt (recibo): what it shows, read from the books, and its QR code.

The QR code is inline SVG drawn by segno: nothing to fetch, the same in the browser, on an 80 mm
printer and in the PDF (WeasyPrint draws inline SVG). It encodes the absolute address of the
receipt's public page, where anyone holding the paper can check it is genuine and not reversed,
without learning who paid.
"""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import segno
from django.db.models import Sum
from django.utils.safestring import SafeString, mark_safe

from comunagua.lib.money import sum_to_cents

from ..books.labels import document_label
from ..models import Allocation, Payment, PaymentReversal, Posting

ZERO = Decimal("0.00")
RECEIVABLE = "receivable"


def qr_svg(text: str, *, title: str = "") -> SafeString:
    """`text` as a QR code in inline SVG (no size: the stylesheet gives it one), black on white,
    with a quiet zone, medium error correction (a crease or a stain on the paper still scans)."""
    code = segno.make(text, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        scale=1,
        border=4,
        omitsize=True,
        svgclass="qr-code",
        lineclass=None,
        title=title or None,
        dark="#000",
        light="#fff",
    )
    svg = out.getvalue().decode()
    svg = svg.replace("<svg ", '<svg role="img" shape-rendering="crispEdges" ', 1)
    return mark_safe(svg)  # segno's own markup; it escapes the title


@dataclass(frozen=True)
class Settled:
    """A debt the payment settled, and how much of it."""

    document_type: str
    document_number: str
    description: str
    period: date | None
    due_on: date
    amount: Decimal

    @property
    def label(self) -> str:
        return document_label(self.document_type)


@dataclass(frozen=True)
class Receipt:
    payment: Payment
    settled: list[Settled]
    advance: Decimal  # what was left after the debts: credit in the household's favour
    balance_after: Decimal  # what the household owed right after this payment
    reversal: PaymentReversal | None

    @property
    def holder(self):
        return self.payment.member

    @property
    def in_favour(self) -> Decimal:
        """The credit the household holds after the payment (zero if it still owes)."""
        return max(-self.balance_after, ZERO)

    @property
    def is_reversed(self) -> bool:
        return self.reversal is not None


def balance_after(payment: Payment) -> Decimal:
    """The household's balance once this payment was recorded: every receivable posting of its
    account up to the payment's entry (journal numbers follow the order of recording)."""
    totals = Posting.objects.filter(
        committee_id=payment.committee_id,
        account__role=RECEIVABLE,
        connection_id=payment.connection_id,
        entry__number__lte=payment.entry.number,
    ).aggregate(d=Sum("debit"), c=Sum("credit"))
    return sum_to_cents(totals["d"]) - sum_to_cents(totals["c"])


def receipt_of(payment: Payment) -> Receipt:
    """Everything a printed receipt shows. What it settled are the allocations made with the
    payment itself (an advance used by a later bill is that bill's business)."""
    allocations = (
        Allocation.objects.filter(
            committee_id=payment.committee_id, source_id=payment.entry_id, entry_id=payment.entry_id
        )
        .select_related("item")
        .order_by("item__due_on", "item_id")
    )
    settled = [
        Settled(
            document_type=a.item.document_type,
            document_number=a.item.document_number,
            description=a.item.description,
            period=a.item.period,
            due_on=a.item.due_on,
            amount=a.amount,
        )
        for a in allocations
    ]
    advance = payment.amount - sum((s.amount for s in settled), ZERO)
    reversal = PaymentReversal.objects.filter(payment=payment).select_related("created_by").first()
    return Receipt(
        payment=payment,
        settled=settled,
        advance=advance,
        balance_after=balance_after(payment),
        reversal=reversal,
    )


def receipt_ids_by_entry(committee, entry_ids) -> dict[int, int]:
    """{payment entry id: payment id} for linking an account's lines to their receipts."""
    return dict(
        Payment.objects.filter(committee=committee, entry_id__in=list(entry_ids)).values_list(
            "entry_id", "pk"
        )
    )
