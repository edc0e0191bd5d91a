"""`comunagua check-ledger --committee SLUG`: do the books hold together? Prints what it checked,
or every problem with where it is, and exits non-zero when there is one (ledger/books/checks.py)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from comunagua.ledger.books import checks
from comunagua.tenancy.commands import committee_from
from comunagua.tenancy.scoping import committee_scope


class Command(BaseCommand):
    help = _(
        "Check the books: balanced entries, numbers without gaps, receivables equal to the "
        "households' balances, cash equal to the closed sessions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--committee", required=True, metavar="SLUG", help=_("the committee"))

    def handle(self, *args, committee: str, **options):
        current = committee_from(committee)
        with committee_scope(current):
            problems = checks.verify(current)
            done = checks.summary(current)
        if problems:
            for problem in problems:
                self.stderr.write(f"[{problem.code}] {problem.message}")
            raise CommandError(
                _("%(count)d problem(s) in the books of %(committee)s.")
                % {"count": len(problems), "committee": current.slug}
            )
        self.stdout.write(
            _(
                "The books of %(committee)s hold together: %(entries)d entries, %(postings)d "
                "postings, %(receipts)d receipts, %(households)d household accounts."
            )
            % {"committee": current.slug, **done}
        )
