"""The chart of accounts a committee starts with: a small water operator's. Codes follow the
usual Bolivian plan (1 assets, 2 liabilities, 3 equity, 4 income, 5 expenses); names are data,
written in the language active when the chart is installed, and the board may rename them.

`role` is how the services find an account ("post the cash to the `cash` account").
"""

from django.utils.translation import gettext_lazy as _

# (role, code, kind, name)
DEFAULT_CHART = (
    ("cash", "1101", "asset", _("Cash")),
    ("bank", "1102", "asset", _("Bank")),
    ("receivable", "1201", "asset", _("Receivables from households")),
    ("reserves_fund", "1301", "asset", _("Reserves fund")),
    ("loans_payable", "2101", "liability", _("Loans payable")),
    ("equity", "3101", "equity", _("Committee equity")),
    ("water_sales", "4101", "income", _("Water sales")),
    ("sewer", "4102", "income", _("Sewer charges")),
    ("maintenance_fees", "4103", "income", _("Maintenance fees")),
    ("fines", "4201", "income", _("Fines")),
    ("fees", "4202", "income", _("Reconnection and other fees")),
    ("connection_rights", "4301", "income", _("Connection rights")),
    ("other_income", "4901", "income", _("Other income")),
    ("credit_notes", "4991", "income", _("Credit notes (less income)")),
    ("cash_differences", "4992", "income", _("Cash over and short")),
    ("electricity", "5101", "expense", _("Electricity (pumping)")),
    ("chlorine", "5102", "expense", _("Chlorine and treatment")),
    ("repairs", "5103", "expense", _("Repairs and materials")),
    ("wages", "5104", "expense", _("Wages and allowances")),
    ("lab_tests", "5105", "expense", _("Laboratory tests")),
    ("reserves", "5106", "expense", _("Contribution to reserves")),
    ("other_expenses", "5901", "expense", _("Other expenses")),
)

ROLES = frozenset(role for role, *_rest in DEFAULT_CHART)
