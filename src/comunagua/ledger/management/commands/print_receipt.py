"""`comunagua print-receipt --committee SLUG --number N --printer ADDRESS [--base-url URL]`:
print a receipt on an ESC/POS thermal printer (USB, network or a device file), with the QR code
to its public verification page. Needs the optional extra: `pip install comunagua[printer]`."""

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.translation import gettext as _

from comunagua.ledger.cash import escpos, receipts
from comunagua.ledger.models import Payment
from comunagua.tenancy.commands import committee_from
from comunagua.tenancy.scoping import committee_scope


class Command(BaseCommand):
    help = _("Print a receipt on an ESC/POS thermal printer.")

    def add_arguments(self, parser):
        parser.add_argument("--committee", required=True, metavar="SLUG", help=_("the committee"))
        parser.add_argument("--number", required=True, type=int, help=_("the receipt number"))
        parser.add_argument(
            "--printer",
            required=True,
            metavar="ADDRESS",
            help=_("tcp://HOST[:PORT], usb:VENDOR:PRODUCT or file:/dev/usb/lp0"),
        )
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help=_("the server's address, for the QR code (default: http://127.0.0.1:8000)"),
        )

    def handle(self, *args, committee, number, printer, base_url, **options):
        current = committee_from(committee)
        with committee_scope(current):
            payment = (
                Payment.objects.filter(committee=current, number=number)
                .select_related("connection", "member", "entry")
                .first()
            )
            if payment is None:
                raise CommandError(_("There is no receipt %(n)s.") % {"n": number})
            receipt = receipts.receipt_of(payment)
            try:
                device = escpos.printer_for(printer)
            except ImportError:
                raise CommandError(
                    _("Printing in ESC/POS needs python-escpos: pip install comunagua[printer].")
                ) from None
            except ValueError:
                raise CommandError(
                    _("Write the printer as tcp://HOST:PORT, usb:VENDOR:PRODUCT or file:PATH.")
                ) from None
            url = base_url.rstrip("/") + reverse(
                "receipt-public", kwargs={"token": payment.public_token}
            )
            try:
                escpos.send(
                    receipt,
                    device,
                    committee_name=current.name,
                    currency=current.currency,
                    check_url=url,
                )
            except OSError as error:
                raise CommandError(
                    _("The printer did not answer: %(error)s") % {"error": error}
                ) from None
        self.stdout.write(_("Receipt %(n)s sent to the printer.") % {"n": number})
