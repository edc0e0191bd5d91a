"""`comunagua bill --committee SLUG --period YYYY-MM [--due-days N] [--user USERNAME]`: run a
period's billing, as the billing page does. Running it again for a billed period issues nothing.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comunagua.billing import selectors, services
from comunagua.billing.models import Bill
from comunagua.lib.money import cents
from comunagua.tenancy.commands import committee_from, period_from
from comunagua.tenancy.scoping import committee_scope
from comunagua.web.formats import format_money


class Command(BaseCommand):
    help = _("Bill a period: one bill per active connection, from the closed reading round.")

    def add_arguments(self, parser):
        parser.add_argument("--committee", required=True, metavar="SLUG", help=_("the committee"))
        parser.add_argument(
            "--period", required=True, metavar="YYYY-MM", help=_("the month to bill, e.g. 2025-03")
        )
        parser.add_argument(
            "--due-days",
            type=int,
            default=15,
            metavar="N",
            help=_("days from issue to the due date (default: 15)"),
        )
        parser.add_argument(
            "--user", metavar="USERNAME", help=_("who the run is recorded as created by")
        )

    def handle(self, *args, committee: str, period: str, due_days: int, user, **options):
        current = committee_from(committee)
        month = period_from(period)
        if due_days < 1:
            raise CommandError(_("--due-days must be at least 1."))
        by = None
        if user:
            try:
                by = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(_("No user named “%(name)s”.") % {"name": user}) from None
        with committee_scope(current):
            existed = selectors.run_of(committee=current, period=month) is not None
            try:
                run = services.run_create(committee=current, period=month, by=by, due_days=due_days)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            bills = list(Bill.objects.filter(run=run).values_list("charges_total", "total_due"))
        charges = cents(sum((c for c, _due in bills), 0))
        due = cents(sum((d for _c, d in bills), 0))
        if existed:
            self.stdout.write(
                _("%(period)s was already billed (%(count)d bills): no new bill was issued.")
                % {"period": month, "count": len(bills)}
            )
        else:
            self.stdout.write(
                ngettext(
                    "%(period)s: %(count)d bill issued.",
                    "%(period)s: %(count)d bills issued.",
                    len(bills),
                )
                % {"period": month, "count": len(bills)}
            )
        self.stdout.write(
            _("Charges of the period: %(charges)s. Total due: %(due)s.")
            % {
                "charges": format_money(charges, current.currency),
                "due": format_money(due, current.currency),
            }
        )
