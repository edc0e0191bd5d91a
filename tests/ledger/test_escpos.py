"""A receipt on an ESC/POS thermal printer: the lines fit 80 mm paper, the bytes sent carry the
amount, the QR code of the public page and a cut; bad printer addresses and unknown receipts are
refused with a message."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scope
from escpos.printer import Dummy

from comunagua.ledger.cash import escpos, receipts
from tests.actors import charge, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(committee, household, session, cashier):
    charge(committee, household, "38.00")
    return pay(committee, household, "50.00", session=session, by=cashier)


def test_the_receipt_fits_42_columns_and_says_what_it_settled(committee, paid):
    with scope(committee=committee):
        text = escpos.lines(
            receipts.receipt_of(paid), committee_name=committee.name, currency="BOB"
        )
    assert all(len(line) <= escpos.WIDTH for line in text)
    joined = "\n".join(text)
    assert "Recibo 1" in joined and "Bs 38,00" in joined and "Bs 12,00" in joined
    assert "Bs 50,00" in joined and "Bs 12,00 a su favor" in joined


def test_the_printer_gets_the_amount_the_qr_code_and_a_cut(committee, paid):
    device = Dummy()
    with scope(committee=committee):
        escpos.send(
            receipts.receipt_of(paid),
            device,
            committee_name=committee.name,
            currency="BOB",
            check_url=f"http://x/recibo/{paid.public_token}/",
        )
    output = device.output
    assert b"Bs 50,00" in output
    assert paid.public_token.encode() in output
    assert b"\x1d(k" in output  # the QR code command
    assert b"\x1dV" in output  # the cut


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--printer", "lpt1"], "tcp://"),
        (["--printer", "file:/dev/null", "--number", "99"], "No hay recibo 99"),
    ],
)
def test_the_command_refuses_a_bad_printer_or_an_unknown_receipt(committee, paid, args, words):
    options = {"--committee": committee.slug, "--number": "1", "--printer": "file:/dev/null"}
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    with pytest.raises(CommandError, match=words):
        call_command("print_receipt", *[p for pair in options.items() for p in pair])


def test_the_command_prints_to_a_device_file(committee, paid, tmp_path):
    target = tmp_path / "lp0"
    target.touch()
    call_command(
        "print_receipt",
        "--committee",
        committee.slug,
        "--number",
        "1",
        "--printer",
        f"file:{target}",
    )
    assert b"Bs 50,00" in target.read_bytes()
