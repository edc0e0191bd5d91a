"""The bills of the demo: one billing run per closed reading round (billing.services.run_create).

The metering flow closes each month's round and calls `bill_month` before the next month opens
(the register is set as it stood that month); `generate` only counts what was billed.
"""

from datetime import timedelta

from comunagua.billing import services
from comunagua.billing.models import Bill, BillingRun
from comunagua.lib.periods import Period

from .context import DemoContext

ISSUE_DAY = 5  # bills are issued on the 5th of the next month


def bill_month(ctx: DemoContext, period: Period) -> BillingRun:
    issued_on = period.next().first_day + timedelta(days=ISSUE_DAY - 1)
    return services.run_create(
        committee=ctx.committee,
        period=period,
        by=ctx.users.get("tesorera"),
        issued_on=issued_on,
    )


def generate(ctx: DemoContext) -> dict:
    return {
        "billing_runs": BillingRun.objects.filter(committee=ctx.committee).count(),
        "bills": Bill.objects.filter(committee=ctx.committee).count(),
    }
