"""The demo's books: after each month's bills, the households pay and the committee pays its
costs, all through the ledger's services, as the cashier and the treasurer would record them.

Payments (`pay_month`). Most households pay the whole balance by the due date; one in ten pays
late, often skipping a month and paying both with the next; a few pay only part of what they
owe. Most pay cash at the office, which opens three days a week: a cash session per office day,
closed with the count (once in a while a coin is missing, or there is one too many, and the note
says so). Some pay by QR or bank transfer with a reference; now and then a transfer bounces and
is reversed. Every payment for a month's bills is dated from their issue date to the day before
the next bills, and before today (today's office day is not over), so a bill's previous balance
is the household's account as it stood the morning its bills were issued.

Service (`service_month`): in about three months of ten the board gives notice to one of the
households owing three bills, cuts its water a week later, and reconnects it, with the
reconnection fee, once it pays.

The committee's month (`books_month`), sized to the committee: the pump's electricity and the
chlorine follow the volume billed; the operator's (and at the larger committee the cashier's)
allowance, repairs, office supplies and, every three months, the laboratory's analysis; the
instalment of the municipal loan that built the tank; the till's cash taken to the bank every
Monday; a quarter of what was collected set aside in the reserves fund (the assembly's rule),
which once pays for rewinding the pump's motor. Nothing is paid from the till or the bank on a
day they do not hold it.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from comunagua.billing.models import Bill, BillingRun
from comunagua.ledger.arrears import selectors as arrears_selectors
from comunagua.ledger.arrears import services as arrears
from comunagua.ledger.books import selectors as books_selectors
from comunagua.ledger.books import services as books
from comunagua.ledger.cash import selectors as cash_selectors
from comunagua.ledger.cash import services as cash
from comunagua.ledger.models import (
    Account,
    CashSession,
    Expense,
    Payment,
    PaymentReversal,
    Posting,
    Rules,
    ServiceEvent,
)
from comunagua.lib.money import cents
from comunagua.registry.models import Connection

from .context import DemoContext, add_months

PUNCTUAL, LATE, STRUGGLING = "punctual", "late", "struggling"
LATE_SHARE, STRUGGLING_SHARE = Decimal("0.11"), Decimal("0.04")
ZERO, ONE = Decimal("0.00"), Decimal(1)
CENT = Decimal("0.01")
OPENING_FLOAT = Decimal("100.00")  # the change the cashier starts each day with
OFFICE_DAYS = (1, 3, 5)  # the office opens on Tuesdays, Thursdays and Saturdays


def _profiles(ctx: DemoContext) -> dict[str, str]:
    """How each household pays, by connection number: the committee's connections shuffled
    (the same way on every load), the first 4 % struggling, the next 11 % late."""
    profiles = ctx.results.get("ledger_profiles")
    if profiles is None:
        numbers = sorted(
            Connection.objects.filter(committee=ctx.committee).values_list("number", flat=True)
        )
        ctx.rng("ledger:profiles").shuffle(numbers)
        struggling = round(len(numbers) * STRUGGLING_SHARE)
        late = struggling + round(len(numbers) * LATE_SHARE)
        profiles = {
            number: STRUGGLING if at < struggling else LATE if at < late else PUNCTUAL
            for at, number in enumerate(numbers)
        }
        ctx.results["ledger_profiles"] = profiles
    return profiles


def _next_issue(run: BillingRun) -> date:
    """When the next month's bills are issued (the demo issues on the same day each month)."""
    return add_months(run.issued_on, 1)


def _office_day(day: date, last_day: date) -> date | None:
    """The first day the office opens on or after `day`, if it is not after `last_day`."""
    while day.weekday() not in OFFICE_DAYS:
        day += timedelta(days=1)
    return day if day <= last_day else None


def pay_month(ctx: DemoContext, run: BillingRun, *, until: date) -> int:
    """Record the payments made against the run's bills, from their issue date to the day
    before the next bills, and before `until` (today). Returns how many were recorded.

    Cash is paid at the office on the days it opens, each a cash session. QR payments and
    transfers arrive any day and are recorded with their own date on the next office day (or,
    at the latest, the day before the next bills)."""
    committee = ctx.committee
    rng = ctx.rng(f"ledger:{run.period:%Y-%m}")
    last_day = min(until, _next_issue(run)) - timedelta(days=1)
    batches: dict = defaultdict(list)  # the day it is recorded -> [(household, share, how, on)]
    if "ledger_loan" not in ctx.results:
        _open_books(ctx, run.issued_on)
    profiles = _profiles(ctx)
    for connection_id, number, due in (
        Bill.objects.filter(run=run)
        .order_by("number")
        .values_list("connection_id", "connection__number", "total_due")
    ):
        if due <= 0:
            continue
        profile = profiles[number]
        if profile == PUNCTUAL:
            day = run.issued_on + timedelta(days=rng.randint(0, (run.due_on - run.issued_on).days))
            share = ONE
        elif profile == LATE:
            if rng.random() < 0.45:
                continue  # skips this month; pays it all with the next one
            day = run.due_on + timedelta(days=rng.randint(1, 12))
            share = ONE
        else:
            if rng.random() < 0.5:
                continue
            day = run.due_on + timedelta(days=rng.randint(0, 10))
            share = Decimal(rng.choice(["0.3", "0.5"]))
        draw = rng.random()
        method = "cash" if draw < 0.8 else ("qr" if draw < 0.95 else "transfer")
        if day > last_day:
            continue
        office = _office_day(day, last_day)
        if method == "cash":
            if office is None:
                continue  # comes after the next bills: pays both then
            day = office
        batches[office or last_day].append((connection_id, share, method, day))

    cashier = ctx.users.get("cajera")
    count = 0
    for office in sorted(batches):
        owed = books_selectors.balances(
            committee=committee, connection_ids=[p[0] for p in batches[office]]
        )
        batch = []
        for connection_id, share, method, day in batches[office]:
            amount = owed.get(connection_id, 0)
            if share != ONE:  # a part, in whole half bolivianos
                amount = (amount * share).quantize(Decimal("0.50"), rounding=ROUND_DOWN)
            if amount <= 0:
                continue
            reference = "" if method == "cash" else f"{method.upper()}-{day:%y%m%d}-{count:05d}"
            batch.append(
                cash.Incoming(
                    connection_id=connection_id,
                    amount=amount,
                    method=method,
                    received_on=day,
                    reference=reference,
                    client_id=f"demo-{run.period:%Y%m}-{connection_id}",
                )
            )
            count += 1
        session = None
        if any(incoming.method == "cash" for incoming in batch):
            session = cash.session_open(
                committee=committee, cashier=cashier, opening_float=OPENING_FLOAT
            )
        # The office's book of the day, recorded as one batch (the cash desk records them one
        # by one through payment_take; both write the same rows).
        receipts = cash.payments_take_many(
            committee=committee, payments=batch, by=cashier, session=session
        )
        _bounce(ctx, rng, receipts, day=office, last_day=last_day)
        if session is not None:
            _close(ctx, rng, session, office, cashier)
    return count


def _close(ctx: DemoContext, rng, session: CashSession, day: date, cashier) -> None:
    """The count at the end of the office day: now and then a coin short, or one too many."""
    expected = session.opening_float + cash_selectors.session_cash(session=session)
    draw = rng.random()
    if draw < 0.04:
        counted, note = expected - ONE, "Faltó una moneda de 1 Bs en el arqueo."
    elif draw < 0.05:
        counted, note = expected + Decimal("0.50"), "Sobraron 0,50 Bs: un vuelto no entregado."
    else:
        counted, note = expected, ""
    cash.session_close(session=session, counted=counted, by=cashier, note=note, on=day)
    CashSession.objects.filter(pk=session.pk).update(
        opened_at=ctx.at(day, 8, 30), closed_at=ctx.at(day, 17, 0)
    )


def _bounce(ctx: DemoContext, rng, receipts: list[int], *, day: date, last_day: date) -> None:
    """Once in a while the bank rejects a transfer: the treasurer reverses it three days later
    (the household owes that bill again and pays it with the next)."""
    on = day + timedelta(days=3)
    if not receipts or on > last_day or rng.random() >= 0.02:
        return
    payment = (
        Payment.objects.filter(committee=ctx.committee, number__in=receipts, method="transfer")
        .order_by("number")
        .first()
    )
    if payment is not None:
        cash.payment_reverse(
            payment=payment,
            reason="Transferencia rechazada por el banco (cuenta de origen sin fondos).",
            by=ctx.users.get("tesorera"),
            on=on,
        )


# --- the committee's costs -----------------------------------------------------------------------

FULL_SIZE = 370  # connections of a committee that pays the full amounts below
BS_PER_M3_PUMPED = (Decimal("1.15"), Decimal("1.45"))  # electricity per m³ billed (losses too)
CHLORINE_PER_M3 = (Decimal("0.08"), Decimal("0.12"))
LOAN_PER_CONNECTION = Decimal(130)  # the municipal loan for the tank, repaid in 48 months
LOAN_MONTHS = 48
OPENING_BANK_PER_CONNECTION = Decimal(30)
RESERVE_SHARE = Decimal("0.25")  # of what was collected, to the reserves fund ...
BANK_FLOOR = Decimal(5000)  # ... keeping this much (times the size) in the bank for the bills
PUMP_REWIND = Decimal("9800.00")  # rewinding the submersible pump's motor, once
PUMP_MONTHS_BACK = 9  # ... this many months before today


@dataclass(frozen=True)
class Cost:
    """A cost the committee pays every `every` months: between `low` and `high` Bs (times the
    committee's size when `scaled`), or, with no range, per m³ billed (electricity, chlorine);
    only committees of at least `from_size` pay it."""

    role: str
    supplier: str
    low: int | None
    high: int | None
    paid_from: str
    days: tuple[int, int]  # paid this many days after the bills are issued
    every: int = 1
    scaled: bool = True
    from_size: Decimal = ZERO


COSTS = (
    Cost("wages", "Operador del pozo (viático mensual)", 1500, 1500, "bank", (3, 6)),
    Cost(
        "wages", "Cajera de la oficina (viático mensual)", 800, 800, "bank", (3, 6), from_size=ONE
    ),
    Cost("electricity", "ELFEC S.A.", None, None, "bank", (8, 15)),
    Cost("chlorine", "Química Andina", None, None, "cash", (2, 12)),
    Cost("repairs", "Ferretería El Constructor", 0, 900, "cash", (2, 14)),
    Cost(
        "other_expenses",
        "Librería Cervantes (papel, tinta, talonarios)",
        40,
        160,
        "cash",
        (2, 14),
        scaled=False,
    ),
    Cost(
        "lab_tests",
        "Laboratorio de Calidad Ambiental (UMSS)",
        350,
        420,
        "bank",
        (4, 14),
        every=3,
        scaled=False,
    ),
)
LOAN_DAY, RESERVE_DAY = 10, 15  # days after the issue date: the instalment; the reserves
DEPOSIT_WEEKDAY = 0  # on Mondays, when the office is closed, the week's cash goes to the bank


def _round(amount: Decimal, unit: int) -> Decimal:
    """To the nearest `unit` bolivianos, as a plain amount in centavos (48000.00)."""
    return ((amount / unit).quantize(ONE) * unit).quantize(CENT)


def _size(committee) -> Decimal:
    """How big the committee is next to a full-size one, for the amounts that scale."""
    count = Connection.objects.filter(committee=committee).count()
    return min(max(Decimal(count) / FULL_SIZE, Decimal("0.4")), ONE)


def _open_books(ctx: DemoContext, on: date) -> None:
    """The opening balances: the tank, built with the municipal loan, and the bank account."""
    committee = ctx.committee
    connections = Connection.objects.filter(committee=committee).count()
    loan = _round(LOAN_PER_CONNECTION * connections, 1000)
    bank = _round(OPENING_BANK_PER_CONNECTION * connections, 100)
    accounts = books.accounts_by_role(committee)
    tank = Account.objects.filter(committee=committee, code="1401").first()
    if tank is None:
        tank = books.account_save(
            committee=committee,
            code="1401",
            name="Tanque de almacenamiento y red (obras)",
            kind=Account.Kind.ASSET,
        )
    books.manual_entry_post(
        committee=committee,
        on=on,
        lines=[
            (accounts["bank"], bank, 0),
            (tank, loan, 0),
            (accounts["loans_payable"], 0, loan),
            (accounts["equity"], 0, bank),
        ],
        memo="Saldos de apertura: la cuenta bancaria y el tanque, obra del préstamo municipal",
        by=ctx.users.get("tesorera"),
    )
    ctx.results["ledger_loan"] = loan


class Purse:
    """What the till, the bank, the reserves fund and the loan stand at on each day from
    `start`: read once (two grouped queries), then kept up to date as the month is recorded."""

    ROLES = ("cash", "bank", "reserves_fund", "loans_payable")

    def __init__(self, committee, start: date):
        postings = Posting.objects.filter(committee=committee, account__role__in=self.ROLES)
        self.opening = dict.fromkeys(self.ROLES, ZERO)
        for role, debit, credit in (
            postings.filter(entry__date__lt=start)
            .values("account__role")
            .annotate(d=Sum("debit"), c=Sum("credit"))
            .values_list("account__role", "d", "c")
            .order_by()
        ):
            self.opening[role] = cents(debit or 0) - cents(credit or 0)
        self.moves: dict[str, dict[date, Decimal]] = {
            role: defaultdict(Decimal) for role in self.ROLES
        }
        for role, day, debit, credit in (
            postings.filter(entry__date__gte=start)
            .values("account__role", "entry__date")
            .annotate(d=Sum("debit"), c=Sum("credit"))
            .values_list("account__role", "entry__date", "d", "c")
            .order_by()
        ):
            self.moves[role][day] += cents(debit or 0) - cents(credit or 0)

    def on(self, role: str, day: date) -> Decimal:
        """Debits less credits up to and including `day` (the loan: minus what is owed)."""
        return self.opening[role] + sum(
            (amount for when, amount in self.moves[role].items() if when <= day), ZERO
        )

    def add(self, role: str, day: date, amount: Decimal) -> None:
        if role in self.moves:
            self.moves[role][day] += amount


def books_month(ctx: DemoContext, run: BillingRun, *, until: date) -> None:
    """The month's expenses, the loan instalment, the till's cash taken to the bank and the
    reserves, dated in the month the bills were issued and before `until` (today)."""
    committee = ctx.committee
    rng = ctx.rng(f"ledger:books:{run.period:%Y-%m}")
    treasurer = ctx.users.get("tesorera")
    accounts = books.accounts_by_role(committee)
    if "ledger_size" not in ctx.results:
        ctx.results["ledger_size"] = _size(committee)
    size = ctx.results["ledger_size"]
    billed_m3 = Bill.objects.filter(run=run).aggregate(m3=Sum("consumption_m3"))["m3"] or 0
    billed_m3 = Decimal(billed_m3).quantize(ONE)  # SQLite sums decimals as floats
    purse = Purse(committee, run.issued_on)

    def move(day: date, debit: str, credit: str, amount: Decimal, memo: str) -> None:
        books.manual_entry_post(
            committee=committee,
            on=day,
            lines=[(accounts[debit], amount, 0), (accounts[credit], 0, amount)],
            memo=memo,
            by=treasurer,
        )
        purse.add(debit, day, amount)
        purse.add(credit, day, -amount)

    def spend(day: date, role: str, amount: Decimal, supplier: str, paid_from: str, key: str):
        books.expense_record(
            committee=committee,
            account=accounts[role],
            amount=amount,
            on=day,
            supplier=supplier,
            paid_from=paid_from,
            by=treasurer,
            document_number=f"F-{day:%y%m}-{rng.randint(100, 999)}",
            attachment=f"escaneos/{day:%Y-%m}/{key}.jpg",
            client_id=f"demo-expense-{run.period:%Y%m}-{key}",
        )
        purse.add(paid_from, day, -amount)

    # Everything of the month in date order, so that each payment sees what the till and the
    # bank hold that day.
    events = []
    month_index = run.period.year * 12 + run.period.month
    for number, cost in enumerate(COSTS):
        day = run.issued_on + timedelta(days=rng.randint(*cost.days))
        if cost.role == "electricity":
            amount = billed_m3 * Decimal(rng.uniform(*map(float, BS_PER_M3_PUMPED)))
        elif cost.role == "chlorine":
            amount = billed_m3 * Decimal(rng.uniform(*map(float, CHLORINE_PER_M3)))
        else:
            amount = Decimal(rng.randint(cost.low * 10, cost.high * 10)) / 10
            amount = amount * size if cost.scaled else amount
        amount = amount.quantize(Decimal("0.1"), rounding=ROUND_DOWN).quantize(CENT)
        if month_index % cost.every or amount <= 0 or size < cost.from_size:
            continue
        events.append((day, "expense", (cost, amount, f"{cost.role}-{number}")))
    months_back = (until.year * 12 + until.month) - (run.issued_on.year * 12 + run.issued_on.month)
    if months_back == PUMP_MONTHS_BACK:
        day = run.issued_on + timedelta(days=rng.randint(16, 20))
        events.append((day, "pump", _round(PUMP_REWIND * size, 100)))
    events.append((run.issued_on + timedelta(days=LOAN_DAY), "loan", None))
    events.append((run.issued_on + timedelta(days=RESERVE_DAY), "reserve", None))
    day = run.issued_on
    while day < _next_issue(run):
        if day.weekday() == DEPOSIT_WEEKDAY:
            events.append((day, "deposit", None))
        day += timedelta(days=1)
    events.sort(key=lambda event: (event[0], event[1]))

    for day, kind, detail in events:
        if day >= until:
            continue
        if kind == "expense":
            cost, amount, key = detail
            other = "bank" if cost.paid_from == "cash" else "cash"
            for paid_from in (cost.paid_from, other):  # not enough in one: from the other
                if purse.on(paid_from, day) >= amount:
                    spend(day, cost.role, amount, cost.supplier, paid_from, key)
                    break
        elif kind == "pump":
            # Paid from the reserves fund: the money is brought back to the bank first.
            from_reserves = min(detail, purse.on("reserves_fund", day))
            if from_reserves > 0:
                memo = "Retiro del fondo de reserva para el rebobinado de la bomba"
                move(day, "bank", "reserves_fund", from_reserves, memo)
            if purse.on("bank", day) >= detail:
                supplier = "Electromecánica Valle (rebobinado del motor de la bomba)"
                spend(day, "repairs", detail, supplier, "bank", "pump")
        elif kind == "loan":
            instalment = (ctx.results["ledger_loan"] / LOAN_MONTHS).quantize(ONE)
            instalment = min(instalment, -purse.on("loans_payable", day))
            if instalment > 0 and purse.on("bank", day) >= instalment:
                move(day, "loans_payable", "bank", instalment, "Cuota del préstamo municipal")
        elif kind == "deposit":
            # The till keeps its change; the rest of the cash goes to the bank.
            deposit = (purse.on("cash", day) - 3 * OPENING_FLOAT).quantize(ONE, ROUND_DOWN)
            if deposit > 0:
                move(day, "bank", "cash", deposit, "Depósito del efectivo de caja en el banco")
        else:
            # The assembly's share of what the month's bills brought in, to the reserves fund.
            collected = Payment.objects.filter(
                committee=committee, received_on__gte=run.issued_on, received_on__lte=day
            ).aggregate(total=Sum("amount"))["total"]
            reserve = (cents(collected or 0) * RESERVE_SHARE).quantize(Decimal("1E1"), ROUND_DOWN)
            spare = (purse.on("bank", day) - BANK_FLOOR * size).quantize(ONE, ROUND_DOWN)
            reserve = min(reserve, spare)
            if reserve > 0:
                memo = "Aporte al fondo de reserva (25 % de lo cobrado, acuerdo de asamblea)"
                move(day, "reserves_fund", "bank", reserve, memo)


CUT_SHARE = 0.3  # in about three months of ten the board cuts one household's water


def service_month(ctx: DemoContext, run: BillingRun, *, until: date) -> int:
    """Two days after the bills, now and then, the board gives notice to one of the households its
    rules say are due for disconnection (three unpaid bills); a week later its water is cut; it
    pays what it owes by transfer and is reconnected, with the tariff's reconnection fee.
    Returns how many were cut."""
    committee = ctx.committee
    if not ctx.results.get("ledger_rules"):
        ctx.results["ledger_rules"] = True
        Rules.objects.get_or_create(
            committee=committee, defaults={"disconnect_after_months": 3, "notice_days": 7}
        )
    on = run.issued_on + timedelta(days=2)
    if on + timedelta(days=11) > until:
        return 0
    board = ctx.users.get("directiva")
    rng = ctx.rng(f"ledger:cuts:{run.period:%Y-%m}")
    due = [
        s
        for s in arrears_selectors.due_for_disconnection(committee=committee, on=on)
        if not s.notice
    ]
    cut = 0
    if rng.random() >= CUT_SHARE:
        return 0
    for standing in rng.sample(due, min(1, len(due))):
        connection = Connection.objects.get(pk=standing.connection_id)
        try:
            with transaction.atomic():
                arrears.notice_give(connection=connection, by=board, on=on)
                arrears.connection_disconnect(
                    connection=connection, by=board, on=on + timedelta(days=8)
                )
                owed = books_selectors.balance_of(committee=committee, connection_id=connection.pk)
                cash.payment_take(
                    committee=committee,
                    connection_id=connection.pk,
                    amount=owed,
                    method="transfer",
                    by=ctx.users.get("tesorera"),
                    reference=f"TRF-CORTE-{connection.number}-{run.period:%y%m}",
                    received_on=on + timedelta(days=10),
                )
                connection.refresh_from_db()
                arrears.connection_reconnect(
                    connection=connection, by=board, on=on + timedelta(days=11)
                )
        except ValidationError:
            continue  # the household paid meanwhile: no cut
        cut += 1
    return cut


def generate(ctx: DemoContext) -> dict:
    return {
        "expenses": Expense.objects.filter(committee=ctx.committee).count(),
        "accounts": Account.objects.filter(committee=ctx.committee).count(),
        "payments": Payment.objects.filter(committee=ctx.committee).count(),
        "payment_reversals": PaymentReversal.objects.filter(committee=ctx.committee).count(),
        "cash_sessions": CashSession.objects.filter(committee=ctx.committee).count(),
        "disconnections": ServiceEvent.objects.filter(
            committee=ctx.committee, kind=ServiceEvent.Kind.DISCONNECTION
        ).count(),
    }
