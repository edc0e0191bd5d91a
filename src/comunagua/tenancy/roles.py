"""Who may do what: one table, one module. Pages and the API ask `can(role, permission)`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BOARD = "board", _("Board")
    TREASURER = "treasurer", _("Treasurer")
    CASHIER = "cashier", _("Cashier")
    READER = "reader", _("Meter reader")
    OPERATOR = "operator", _("Operator")
    MEMBER = "member", _("Member household")
    FEDERATION = "federation", _("Federation analyst")


# Permissions are "<area>.<action>". A federation analyst sees aggregates only, never the
# register of people; a member household sees the committee's summary and later its own bills.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "committee.view": frozenset(Role),
    # The committee's details, its logo and who holds which role: the board answers for them.
    "committee.manage": frozenset({Role.BOARD}),
    "registry.view": frozenset(
        {Role.BOARD, Role.TREASURER, Role.CASHIER, Role.READER, Role.OPERATOR}
    ),
    "registry.edit": frozenset({Role.BOARD, Role.TREASURER}),
    "registry.import": frozenset({Role.BOARD, Role.TREASURER}),
    # Readings: readers enter them; the board and the treasurer review flags and close rounds.
    "metering.view": frozenset({Role.BOARD, Role.TREASURER, Role.CASHIER, Role.READER}),
    "metering.enter": frozenset({Role.BOARD, Role.TREASURER, Role.READER}),
    "metering.review": frozenset({Role.BOARD, Role.TREASURER}),
    # The tariff is public to every member: transparency is how a committee keeps trust.
    "tariffs.view": frozenset(Role),
    "tariffs.edit": frozenset({Role.BOARD}),
    "billing.view": frozenset({Role.BOARD, Role.TREASURER, Role.CASHIER}),
    "billing.run": frozenset({Role.BOARD, Role.TREASURER}),
    # The cash desk: take payments, print receipts, close the till.
    "ledger.cash": frozenset({Role.BOARD, Role.TREASURER, Role.CASHIER}),
    # Reversing a payment is a correction of the books: not the cashier alone.
    "ledger.reverse": frozenset({Role.BOARD, Role.TREASURER}),
    "ledger.view": frozenset({Role.BOARD, Role.TREASURER, Role.CASHIER}),
    # Arrears, disconnections and payment plans; expenses, manual entries and the chart.
    "ledger.arrears": frozenset({Role.BOARD, Role.TREASURER}),
    "ledger.books": frozenset({Role.BOARD, Role.TREASURER}),
    # The monthly report is every member's: where the money goes. The board publishes it.
    "ledger.report": frozenset(Role),
    "ledger.publish": frozenset({Role.BOARD}),
    # The water: the operator logs production, levels and incidents; the board and the
    # treasurer (and the operator, who hunts the leaks) read the full water balance; every
    # member sees the summary (losses and cost per m³), as with the monthly report. The board
    # sets up sources, meters and the balance's estimates, and signs complaints.
    "supply.view": frozenset({Role.BOARD, Role.TREASURER, Role.OPERATOR}),
    "supply.log": frozenset({Role.BOARD, Role.OPERATOR}),
    "supply.balance": frozenset({Role.BOARD, Role.TREASURER, Role.OPERATOR}),
    "supply.summary": frozenset(Role),
    "supply.manage": frozenset({Role.BOARD}),
}


def can(role: Role | str | None, permission: str) -> bool:
    if role is None:
        return False
    try:
        allowed = PERMISSIONS[permission]
    except KeyError:
        # A typo in a permission name must never open a page.
        raise KeyError(f"unknown permission {permission!r}") from None
    return Role(role) in allowed


def permissions_of(role: Role | str | None) -> frozenset[str]:
    return frozenset(p for p in PERMISSIONS if can(role, p))
