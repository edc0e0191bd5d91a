"""The monthly transparency report for the assembly (informe mensual), read from the books.

Every figure comes from the journal's postings, by the date of their entry; docs/transparency.md
says what each one means. Money stays `Decimal` throughout; nothing is rounded but the collection
rate (a percentage, to one decimal).

- Income by account: for each income account, credits less debits of the month's postings. Credit
  notes (a contra-income account, debit balance) show as a negative line.
- Expenses by account: for each expense account, debits less credits.
- Result: income less expenses.
- Cash, bank, reserves fund: each account's balance (debits less credits) at the month's end.
- Households' debts at the month's end: each household's receivable balance; what those with a
  positive balance owe, and how many they are (their names only when asked). What the committee
  holds for households that paid ahead (negative balances) is shown apart.
- Loans payable at the month's end: credits less debits of the account.
- Collection rate: what households paid in the month (receipts, less the receipts reversed in the
  month) over what was charged to them in the month (receivable debits of charge entries: bills,
  fines, fees, instalments), as a percentage. No charges: no rate.
- Twelve months of income and expenses, ending with the month, for the chart.

Publishing (`report.services`) writes the board's choice for a month: a public address for the
report, and whether it names the households that owe; `published` reads it.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum

from comunagua.lib.money import sum_to_cents
from comunagua.lib.periods import Period
from comunagua.registry.models import Connection, Holding
from comunagua.tenancy.models import Committee

from ..models import Account, JournalEntry, Posting, PublishedReport

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
RATE_PLACES = Decimal("0.1")
CHART_MONTHS = 12
RECEIVABLE = "receivable"
# Balances shown at the month's end, by account role.
FUNDS = ("cash", "bank", "reserves_fund")
LOANS = "loans_payable"


@dataclass(frozen=True)
class Line:
    """One account's figure for the month."""

    code: str
    name: str
    role: str
    amount: Decimal


@dataclass(frozen=True)
class Debtor:
    """A household that owed at the month's end (only when names are asked for)."""

    connection: str
    holder: str
    amount: Decimal


@dataclass(frozen=True)
class MonthTotals:
    period: Period
    income: Decimal
    expenses: Decimal

    @property
    def result(self) -> Decimal:
        return self.income - self.expenses


@dataclass(frozen=True)
class Report:
    period: Period
    income: tuple[Line, ...]
    expenses: tuple[Line, ...]
    income_total: Decimal
    expenses_total: Decimal
    cash: Decimal
    bank: Decimal
    reserves_fund: Decimal
    owed_by_households: Decimal
    households_owing: int
    held_for_households: Decimal
    households_in_credit: int
    loans_payable: Decimal
    billed: Decimal
    payments: Decimal
    reversed: Decimal
    history: tuple[MonthTotals, ...]
    debtors: tuple[Debtor, ...] | None = None  # None: names not asked for

    @property
    def result(self) -> Decimal:
        return self.income_total - self.expenses_total

    @property
    def funds(self) -> Decimal:
        """Cash, bank and reserves fund together."""
        return self.cash + self.bank + self.reserves_fund

    @property
    def collected(self) -> Decimal:
        return self.payments - self.reversed

    @property
    def collection_rate(self) -> Decimal | None:
        """Collected over billed, in percent to one decimal; None when nothing was billed."""
        if self.billed <= 0:
            return None
        return (self.collected * HUNDRED / self.billed).quantize(RATE_PLACES, ROUND_HALF_UP)


def last_complete_month(committee: Committee, today: date | None = None) -> Period:
    return Period.of(today or committee.today()).previous()


def is_over(committee: Committee, period: Period, today: date | None = None) -> bool:
    return period.last_day < (today or committee.today())


def _in(period_from: Period, period_to: Period) -> Q:
    return Q(entry__date__gte=period_from.first_day, entry__date__lte=period_to.last_day)


def _by_account(committee: Committee, period: Period) -> tuple[list[Line], list[Line]]:
    totals = {
        row["account_id"]: (sum_to_cents(row["d"]), sum_to_cents(row["c"]))
        for row in Posting.objects.filter(
            _in(period, period),
            committee=committee,
            account__kind__in=[Account.Kind.INCOME, Account.Kind.EXPENSE],
        )
        .values("account_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by()
    }
    income, expenses = [], []
    for account in Account.objects.filter(committee=committee, pk__in=totals).order_by("code"):
        debit, credit = totals[account.pk]
        if account.kind == Account.Kind.INCOME:
            amount, side = credit - debit, income
        else:
            amount, side = debit - credit, expenses
        if amount:
            side.append(Line(account.code, account.name, account.role, amount))
    return income, expenses


def _history(committee: Committee, period: Period) -> tuple[MonthTotals, ...]:
    """Income and expenses of the twelve months ending with `period`, oldest first."""
    first = period - (CHART_MONTHS - 1)
    income: dict[Period, Decimal] = defaultdict(lambda: ZERO)
    expenses: dict[Period, Decimal] = defaultdict(lambda: ZERO)
    for day, kind, debit, credit in (
        Posting.objects.filter(
            _in(first, period),
            committee=committee,
            account__kind__in=[Account.Kind.INCOME, Account.Kind.EXPENSE],
        )
        .values("entry__date", "account__kind")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .values_list("entry__date", "account__kind", "d", "c")
        .order_by()
    ):
        month = Period.of(day)
        if kind == Account.Kind.INCOME:
            income[month] += sum_to_cents(credit) - sum_to_cents(debit)
        else:
            expenses[month] += sum_to_cents(debit) - sum_to_cents(credit)
    return tuple(
        MonthTotals(first + i, income[first + i], expenses[first + i]) for i in range(CHART_MONTHS)
    )


def _balances_at(committee: Committee, until: date) -> dict[str, Decimal]:
    """Debits less credits of the accounts with the report's roles, at the end of `until`."""
    result = dict.fromkeys((*FUNDS, LOANS), ZERO)
    for role, debit, credit in (
        Posting.objects.filter(
            committee=committee, account__role__in=list(result), entry__date__lte=until
        )
        .values("account__role")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .values_list("account__role", "d", "c")
        .order_by()
    ):
        result[role] = sum_to_cents(debit) - sum_to_cents(credit)
    return result


def household_balances(committee: Committee, until: date) -> dict[int, Decimal]:
    """What each household owed at the end of `until` (negative: credit in its favour)."""
    return {
        connection_id: sum_to_cents(debit) - sum_to_cents(credit)
        for connection_id, debit, credit in Posting.objects.filter(
            committee=committee, account__role=RECEIVABLE, entry__date__lte=until
        )
        .values("connection_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .values_list("connection_id", "d", "c")
        .order_by()
    }


def _debtors(committee: Committee, owing: dict[int, Decimal], until: date) -> tuple[Debtor, ...]:
    """The households that owed, most first, with their holder on that day."""
    numbers = dict(
        Connection.objects.filter(committee=committee, pk__in=list(owing)).values_list(
            "pk", "number"
        )
    )
    holders: dict[int, str] = {}
    for holding in (
        Holding.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=until),
            committee=committee,
            connection_id__in=list(owing),
            started_on__lte=until,
        )
        .select_related("member")
        .order_by("connection_id", "started_on", "id")
    ):
        holders[holding.connection_id] = holding.member.full_name  # the latest one wins
    return tuple(
        Debtor(numbers.get(pk, ""), holders.get(pk, ""), amount)
        for pk, amount in sorted(owing.items(), key=lambda kv: (-kv[1], numbers.get(kv[0], "")))
    )


def _collection(committee: Committee, period: Period) -> tuple[Decimal, Decimal, Decimal]:
    """(billed, paid, reversed) through the households' accounts in the month."""
    by_kind = {
        kind: (sum_to_cents(debit), sum_to_cents(credit))
        for kind, debit, credit in Posting.objects.filter(
            _in(period, period),
            committee=committee,
            account__role=RECEIVABLE,
            entry__kind__in=[
                JournalEntry.Kind.CHARGE,
                JournalEntry.Kind.PAYMENT,
                JournalEntry.Kind.REVERSAL,
            ],
        )
        .values("entry__kind")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .values_list("entry__kind", "d", "c")
        .order_by()
    }
    nothing = (ZERO, ZERO)
    return (
        by_kind.get(JournalEntry.Kind.CHARGE, nothing)[0],
        by_kind.get(JournalEntry.Kind.PAYMENT, nothing)[1],
        by_kind.get(JournalEntry.Kind.REVERSAL, nothing)[0],
    )


def monthly_report(committee: Committee, period: Period, *, with_names: bool = False) -> Report:
    """The month's report. `with_names` lists the households that owed at the month's end."""
    income, expenses = _by_account(committee, period)
    balances = _balances_at(committee, period.last_day)
    households = household_balances(committee, period.last_day)
    owing = {pk: amount for pk, amount in households.items() if amount > 0}
    in_credit = [amount for amount in households.values() if amount < 0]
    billed, paid, reversed_ = _collection(committee, period)
    return Report(
        period=period,
        income=tuple(income),
        expenses=tuple(expenses),
        income_total=sum((line.amount for line in income), ZERO),
        expenses_total=sum((line.amount for line in expenses), ZERO),
        cash=balances["cash"],
        bank=balances["bank"],
        reserves_fund=balances["reserves_fund"],
        owed_by_households=sum(owing.values(), ZERO),
        households_owing=len(owing),
        held_for_households=-sum(in_credit, ZERO),
        households_in_credit=len(in_credit),
        loans_payable=-balances[LOANS],
        billed=billed,
        payments=paid,
        reversed=reversed_,
        history=_history(committee, period),
        debtors=_debtors(committee, owing, period.last_day) if with_names else None,
    )


def published(committee: Committee, period: Period) -> PublishedReport | None:
    """The month's public report, if the board published it and has not withdrawn it."""
    return PublishedReport.objects.filter(
        committee=committee, period=period.first_day, withdrawn_at__isnull=True
    ).first()
