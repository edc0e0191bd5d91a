"""The receipt on a thermal printer, in ESC/POS, through python-escpos (an optional extra:
`pip install comunagua[printer]`). Offices that print from the browser need none of this; an
office with a USB or network receipt printer can print without a print dialog.

`lines(receipt, ...)` lays the receipt out as 42-column text (80 mm paper, font A), pure;
`send(receipt, printer, ...)` writes it with a QR code to the public verification page and
cuts the paper. `printer_for("tcp://192.168.1.50:9100" | "usb:04b8:0202" | "file:/dev/usb/lp0")`
opens the printer.
"""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from comunagua.web.formats import format_money

from ..books.labels import document_label
from .receipts import Receipt

WIDTH = 42  # characters per line on 80 mm paper in font A


def _row(left: str, right: str) -> str:
    space = WIDTH - len(left) - len(right)
    if space < 1:
        left = left[: WIDTH - len(right) - 2] + "…"
        space = 1
    return f"{left}{' ' * space}{right}"


def lines(receipt: Receipt, *, committee_name: str, currency: str) -> list[str]:
    payment = receipt.payment

    def money(value) -> str:
        return format_money(value, currency)

    out = [
        committee_name[:WIDTH],
        _("Receipt %(n)s") % {"n": payment.number},
        date_format(payment.received_on, "d/m/Y"),
        "-" * WIDTH,
    ]
    if receipt.is_reversed:
        out += [_("REVERSED"), "-" * WIDTH]
    holder = str(payment.member) if payment.member else ""
    out += [
        _row(_("Connection"), payment.connection.number),
        *([holder[:WIDTH]] if holder else []),
        _row(str(payment.get_method_display()), payment.reference[:20]),
        "-" * WIDTH,
    ]
    for item in receipt.settled:
        label = f"{document_label(item.document_type)} {item.document_number}"
        out.append(_row(label, money(item.amount)))
    if receipt.advance:
        out.append(_row(_("Credit for the next bills"), money(receipt.advance)))
    out += [
        "=" * WIDTH,
        _row(_("Total"), money(payment.amount)),
        _row(_("Balance after this payment"), money(receipt.balance_after)),
    ]
    if receipt.in_favour:
        out.append(_("%(amount)s in your favour") % {"amount": money(receipt.in_favour)})
    return out


def printer_for(address: str):
    """Open the printer at `address`: tcp://HOST[:PORT], usb:VENDOR:PRODUCT (hex), file:PATH."""
    from escpos import printer  # the optional extra

    if address.startswith("tcp://"):
        host, _sep, port = address.removeprefix("tcp://").partition(":")
        return printer.Network(host, int(port or 9100), timeout=10)
    if address.startswith("usb:"):
        vendor, _sep, product = address.removeprefix("usb:").partition(":")
        return printer.Usb(int(vendor, 16), int(product, 16))
    if address.startswith("file:"):
        return printer.File(address.removeprefix("file:"))
    raise ValueError(address)


def send(receipt: Receipt, device, *, committee_name: str, currency: str, check_url: str) -> None:
    """Print the receipt on `device` (a python-escpos printer), with the QR code and a cut."""
    device.set(align="left")
    for line in lines(receipt, committee_name=committee_name, currency=currency):
        device.text(line + "\n")
    device.text("\n" + _("Check this receipt") + ":\n")
    device.qr(check_url, size=5, native=True)  # the printer draws it: fewer bytes, sharper
    device.text(check_url + "\n")
    device.cut()
