"""`comunagua import-registry --committee SLUG FILE`: bring an existing register in from a
spreadsheet (.xlsx) or a .csv file.

The file is checked first and the preview printed: how many rows, new members, new connections,
meters, new sectors and rows for members already registered, and every bad row as "line N,
column X: reason". A file with any bad row imports nothing. A good file is imported all at once,
after a yes at the prompt or with --yes; --dry-run stops after the preview. Nothing is stored
for a rejected file or a dry run.
"""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scope

from comunagua.registry import importer, services
from comunagua.registry.models import Sector
from comunagua.tenancy.models import Committee

SUFFIXES = (".xlsx", ".csv")
YES_ANSWERS = {"s", "si", "sí", "y", "yes"}


class Command(BaseCommand):
    help = _(
        "Import an existing register of members and connections from a .xlsx or .csv file: "
        "a preview first, then all rows or none."
    )
    # call_command(..., stdin=...) lets tests answer the question as a person would.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help=_("the register, .xlsx or .csv"))
        parser.add_argument(
            "--committee", required=True, metavar="SLUG", help=_("the committee's short name")
        )
        parser.add_argument("--yes", action="store_true", help=_("import without asking"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("show the preview and import nothing")
        )
        parser.add_argument(
            "--user", metavar="USERNAME", help=_("who is recorded as having imported the file")
        )

    def handle(self, *args, **options):
        committee = self._committee(options["committee"])
        user = self._user(options["user"])
        path = Path(options["file"])
        content = self._read(path)
        with scope(committee=committee):
            preview = importer.preview(committee=committee, filename=path.name, content=content)
            self._print_preview(committee, path.name, preview)
            if not preview.ok:
                raise CommandError(self._nothing_imported(preview.errors))
            if options["dry_run"]:
                self.stdout.write(_("Dry run: nothing was imported."))
                return
            if not options["yes"] and not self._confirmed(len(preview.rows), options):
                return
            try:
                # One transaction: if the import is refused, the stored file goes too.
                with transaction.atomic():
                    batch = services.registry_import_upload(
                        committee=committee, by=user, filename=path.name, content=content
                    )
                    count = services.registry_import_apply(batch=batch, by=user)
            except importer.ImportRejected as rejected:
                self._print_errors(rejected.errors)
                raise CommandError(self._nothing_imported(rejected.errors)) from rejected
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "%(n)s connection imported into %(committee)s.",
                    "%(n)s connections imported into %(committee)s.",
                    count,
                )
                % {"n": count, "committee": committee.name}
            )
        )

    # --- arguments -------------------------------------------------------------------------

    def _committee(self, slug: str) -> Committee:
        committee = Committee.objects.filter(slug=slug).first()
        if committee is None:
            raise CommandError(
                _("There is no committee with the short name “%(slug)s”.") % {"slug": slug}
            )
        if not committee.is_active:
            raise CommandError(_("The committee “%(slug)s” is not active.") % {"slug": slug})
        return committee

    def _user(self, username: str | None):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no user “%(username)s”.") % {"username": username})
        return user

    def _read(self, path: Path) -> bytes:
        if path.suffix.lower() not in SUFFIXES:
            raise CommandError(_("“%(name)s” is not a .xlsx or .csv file.") % {"name": path.name})
        try:
            return path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read “%(name)s”: %(reason)s")
                % {"name": path, "reason": error.strerror or error}
            ) from error

    # --- output ----------------------------------------------------------------------------

    def _print_preview(self, committee, filename: str, preview: importer.Preview) -> None:
        self.stdout.write(_("File: %(name)s") % {"name": filename})
        self.stdout.write(_("Committee: %(name)s") % {"name": committee.name})
        if preview.rows:
            existing = {
                name.lower()
                for name in Sector.objects.filter(committee=committee).values_list(
                    "name", flat=True
                )
            }
            sectors = {r.lot["sector"].lower() for r in preview.rows if r.lot["sector"]}
            self.stdout.write(_("Rows: %(n)s") % {"n": len(preview.rows)})
            self.stdout.write(_("New members: %(n)s") % {"n": preview.new_members})
            self.stdout.write(_("New connections: %(n)s") % {"n": len(preview.rows)})
            self.stdout.write(_("Meters: %(n)s") % {"n": sum(1 for r in preview.rows if r.meter)})
            self.stdout.write(_("New sectors: %(n)s") % {"n": len(sectors - existing)})
            self.stdout.write(
                _("Rows for members already registered: %(n)s") % {"n": preview.joined}
            )
        self._print_errors(preview.errors)

    def _print_errors(self, errors: list[importer.RowError]) -> None:
        if not errors:
            return
        self.stderr.write(
            ngettext("%(n)s error:", "%(n)s errors:", len(errors)) % {"n": len(errors)}
        )
        for error in errors:
            self.stderr.write("  " + describe(error))

    def _nothing_imported(self, errors) -> str:
        return ngettext(
            "Nothing was imported: the file has %(n)s error.",
            "Nothing was imported: the file has %(n)s errors.",
            len(errors),
        ) % {"n": len(errors)}

    def _confirmed(self, rows: int, options) -> bool:
        stdin = options.get("stdin") or sys.stdin
        if not (hasattr(stdin, "isatty") and stdin.isatty()):
            raise CommandError(_("Nothing was imported. To import without being asked, add --yes."))
        question = ngettext(
            "Import %(n)s connection? [y/N] ", "Import %(n)s connections? [y/N] ", rows
        ) % {"n": rows}
        self.stdout.write(question, ending="")
        self.stdout.flush()
        answer = stdin.readline().strip().lower()
        if answer in YES_ANSWERS:
            return True
        self.stdout.write(_("Nothing was imported."))
        return False


def describe(error: importer.RowError) -> str:
    """'line 4, column categoria: unknown value “piscina”' — the file's own column title."""
    if error.line and error.column:
        return _("line %(line)s, column %(column)s: %(message)s") % {
            "line": error.line,
            "column": error.column,
            "message": error.message,
        }
    if error.line:
        return _("line %(line)s: %(message)s") % {"line": error.line, "message": error.message}
    return error.message
