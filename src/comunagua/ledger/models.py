"""The books: a chart of accounts, an append-only double-entry journal, and the households'
accounts beneath it (contract accounting: charges with due dates, and payments allocated to them).

The books know documents by type and number ("bill 123"), never their internals: billing, fines
and expenses post through `ledger.books.services`, and nothing here imports them. A posted entry, a
payment and an allocation never change and are never deleted; a mistake is corrected by a
reversing entry that keeps both visible.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comunagua.tenancy.models import TenantModel

MONEY = {"max_digits": 14, "decimal_places": 2}


class AppendOnlyError(Exception):
    """A posted record was asked to change or disappear."""


class AppendOnly(TenantModel):
    """Saved once, then never updated nor deleted: corrections are new records."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"a posted {self._meta.model_name} never changes; reverse it")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"a posted {self._meta.model_name} is never deleted; reverse it")


class Account(TenantModel):
    """An account of the committee's chart. `role` names the accounts the services post to
    ("cash", "receivable", "water_sales" ...); the board may rename them and add its own."""

    class Kind(models.TextChoices):
        ASSET = "asset", _("Asset")
        LIABILITY = "liability", _("Liability")
        EQUITY = "equity", _("Equity")
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")

    code = models.CharField(_("code"), max_length=12)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    role = models.CharField(_("role"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "code"], name="one_account_per_code"),
            models.UniqueConstraint(
                fields=["committee", "role"], condition=~Q(role=""), name="one_account_per_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CashSession(TenantModel):
    """A cashier's till from opening to the count at closing. The difference between what was
    counted and what the receipts say is recorded (and posted), never hidden."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    opening_float = models.DecimalField(_("opening cash"), default=0, **MONEY)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    expected = models.DecimalField(_("expected cash"), null=True, blank=True, **MONEY)
    counted = models.DecimalField(_("counted cash"), null=True, blank=True, **MONEY)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("cash session")
        verbose_name_plural = _("cash sessions")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "cashier"],
                condition=Q(status="open"),
                name="one_open_session_per_cashier",
            )
        ]

    @property
    def difference(self):
        if self.counted is None or self.expected is None:
            return None
        return self.counted - self.expected


class JournalEntry(AppendOnly):
    """A balanced entry of the journal, numbered without gaps per committee."""

    class Kind(models.TextChoices):
        CHARGE = "charge", _("Charges")  # bills, fines, fees, instalments
        PAYMENT = "payment", _("Payment")
        REVERSAL = "reversal", _("Reversal")
        CREDIT_NOTE = "credit_note", _("Credit note")
        CASH_DIFFERENCE = "cash_difference", _("Cash difference")
        PLAN = "plan", _("Payment plan")
        EXPENSE = "expense", _("Expense")
        MANUAL = "manual", _("Manual entry")

    number = models.PositiveIntegerField(_("number"))
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    document_type = models.CharField(_("document"), max_length=30, blank=True)
    document_number = models.CharField(_("document number"), max_length=40, blank=True)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    session = models.ForeignKey(
        CashSession, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "number"], name="one_entry_per_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}"


class Posting(AppendOnly):
    """One side of an entry: a debit or a credit to an account. Postings to the receivable
    account name the household's connection: that is the household's account."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    debit = models.DecimalField(_("debit"), default=0, **MONEY)
    credit = models.DecimalField(_("credit"), default=0, **MONEY)
    connection = models.ForeignKey(
        "registry.Connection", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0, credit=0) | Q(debit=0, credit__gt=0)),
                name="posting_one_positive_side",
            )
        ]
        indexes = [models.Index(fields=["committee", "connection"])]


class OpenItem(AppendOnly):
    """A charge a household owes, with its due date: a bill, a fine, a fee, an instalment.
    What is left of it is its amount less its allocations."""

    connection = models.ForeignKey(
        "registry.Connection", on_delete=models.PROTECT, related_name="+"
    )
    document_type = models.CharField(_("document"), max_length=30)
    document_number = models.CharField(_("document number"), max_length=40)
    description = models.CharField(_("description"), max_length=200, blank=True)
    period = models.DateField(_("period"), null=True, blank=True)
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="items")

    class Meta:
        verbose_name = _("open item")
        verbose_name_plural = _("open items")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "document_type", "document_number"],
                name="one_item_per_document",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="item_amount_positive"),
        ]
        indexes = [models.Index(fields=["committee", "connection"])]


def token_new() -> str:
    """An unguessable token for a public address (a receipt's, a published report's)."""
    return secrets.token_urlsafe(12)


_public_token = token_new  # the name the migrations know it by


class Payment(AppendOnly):
    """Money a household paid (recibo), numbered without gaps per committee. `client_id` is made
    by the page or the phone that sends it: the same payment sent twice is recorded once."""

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        TRANSFER = "transfer", _("Bank transfer")
        QR = "qr", _("QR / mobile payment")

    number = models.PositiveIntegerField(_("receipt number"))
    connection = models.ForeignKey(
        "registry.Connection", on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        "registry.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(_("method"), max_length=10, choices=Method)
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    received_on = models.DateField(_("received on"))
    session = models.ForeignKey(
        CashSession, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="payment")
    client_id = models.CharField(max_length=64, blank=True)
    public_token = models.CharField(max_length=32, default=token_new, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "number"], name="one_payment_per_number"),
            models.UniqueConstraint(
                fields=["committee", "client_id"],
                condition=~Q(client_id=""),
                name="one_payment_per_client_id",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}"


class PaymentReversal(AppendOnly):
    """A payment taken back (wrong household, wrong amount, a bounced transfer): its entry
    mirrors the payment's, and its allocations are released. Both stay visible."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="reversal")
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    client_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)


class Allocation(AppendOnly):
    """Part of a credit settling an open item. The credit (`source`) is the entry that brought the
    money to the household: a payment's or a credit note's. `entry` is the entry during which the
    allocation was made (the same one, or a later bill that used an advance). A reversal adds the
    negative of the payment's allocations."""

    item = models.ForeignKey(OpenItem, on_delete=models.PROTECT, related_name="allocations")
    source = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        indexes = [
            models.Index(fields=["committee", "item"]),
            models.Index(fields=["committee", "source"]),
        ]


class Rules(TenantModel):
    """The committee's rules for debts, as its statutes or assembly set them."""

    late_fine_after_days = models.PositiveSmallIntegerField(
        _("late-payment fine after (days past due)"),
        default=0,
        help_text=_("0: no late-payment fine. The fine's amount is the tariff's late_fine."),
    )
    disconnect_after_months = models.PositiveSmallIntegerField(
        _("disconnection after (unpaid months)"), default=3
    )
    notice_days = models.PositiveSmallIntegerField(
        _("days between the notice and the disconnection"), default=7
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["committee"], name="one_rules_per_committee")
        ]


class Expense(AppendOnly):
    """Money the committee spent: on what (an expense account), to whom, with which document,
    paid from the till or the bank, with a reference to the scan or photo of the document."""

    class PaidFrom(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK = "bank", _("Bank")

    date = models.DateField(_("date"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    supplier = models.CharField(_("supplier"), max_length=120)
    document_number = models.CharField(_("document number"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    paid_from = models.CharField(_("paid from"), max_length=10, choices=PaidFrom)
    attachment = models.CharField(_("scan or photo"), max_length=200, blank=True)
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="expense")
    client_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "client_id"],
                condition=~Q(client_id=""),
                name="one_expense_per_client_id",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive"),
        ]


class ServiceEvent(AppendOnly):
    """A step in cutting or restoring a household's water for debt: the notice, the
    disconnection, the reconnection (whose fee is charged to the household)."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Disconnection notice")
        DISCONNECTION = "disconnection", _("Disconnection")
        RECONNECTION = "reconnection", _("Reconnection")

    connection = models.ForeignKey(
        "registry.Connection", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    date = models.DateField(_("date"))
    debt = models.DecimalField(_("debt at the time"), **MONEY)
    note = models.CharField(_("note"), max_length=300, blank=True)
    client_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service event")
        verbose_name_plural = _("service events")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "client_id"],
                condition=~Q(client_id=""),
                name="one_service_event_per_client_id",
            )
        ]


class PaymentPlan(AppendOnly):
    """A household's debt split into monthly instalments (convenio de pago). Its entry moves the
    debt from the old items to the instalments, which fall due one a month and appear on the
    bills as they do."""

    connection = models.ForeignKey(
        "registry.Connection", on_delete=models.PROTECT, related_name="+"
    )
    total = models.DecimalField(_("debt"), **MONEY)
    instalments = models.PositiveSmallIntegerField(_("instalments"))
    first_due_on = models.DateField(_("first instalment due on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="plan")
    client_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment plan")
        verbose_name_plural = _("payment plans")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "client_id"],
                condition=~Q(client_id=""),
                name="one_plan_per_client_id",
            )
        ]


class BankImport(TenantModel):
    """A bank statement (CSV) as uploaded, with its lines matched to households."""

    filename = models.CharField(_("file"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-created_at"]


class BankLine(TenantModel):
    """One credit line of a statement. `fingerprint` (date, amount, reference, description)
    keeps a line imported twice, in the same file or in the next one, from paying twice."""

    class Status(models.TextChoices):
        MATCHED = "matched", _("Recorded as a payment")
        UNMATCHED = "unmatched", _("To resolve")
        IGNORED = "ignored", _("Ignored")

    statement = models.ForeignKey(BankImport, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField(_("line"))
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status)
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="bank_line"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("bank line")
        verbose_name_plural = _("bank lines")
        ordering = ["statement", "line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "fingerprint"], name="one_bank_line_per_fingerprint"
            )
        ]


class PublishedReport(TenantModel):
    """A month's transparency report the board chose to publish: anyone with the address can
    read it, without logging in. Publishing again replaces nothing: the figures are computed
    from the books each time, which never change for a closed month."""

    period = models.DateField(_("period"), help_text=_("First day of the month reported."))
    token = models.CharField(max_length=32, default=token_new, unique=True)
    show_debtor_names = models.BooleanField(
        _("name the households that owe"),
        default=False,
        help_text=_("Off: only the total and the number of households."),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("published report")
        verbose_name_plural = _("published reports")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "period"], name="one_published_report_per_month"
            )
        ]
