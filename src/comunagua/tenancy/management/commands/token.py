"""`comunagua token create --user USERNAME [--name NAME]` makes a personal API token and prints
it once; `token list --user USERNAME` lists them (never the secret); `token revoke --user
USERNAME ID` revokes one."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from comunagua.tenancy import tokens
from comunagua.tenancy.models import ApiToken


def _user(username: str):
    User = get_user_model()
    try:
        return User.objects.get_by_natural_key(username)
    except User.DoesNotExist:
        raise CommandError(_("No user named “%(name)s”.") % {"name": username}) from None


class Command(BaseCommand):
    help = _("Make, list or revoke a user's personal API tokens.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help=_("make a token and print it once"))
        create.add_argument("--user", required=True, metavar="USERNAME")
        create.add_argument(
            "--name", default="", help=_("where the token will be used (default: 'cli')")
        )
        listing = actions.add_parser("list", help=_("list the user's tokens"))
        listing.add_argument("--user", required=True, metavar="USERNAME")
        revoke = actions.add_parser("revoke", help=_("revoke one of the user's tokens"))
        revoke.add_argument("--user", required=True, metavar="USERNAME")
        revoke.add_argument("id", type=int)

    def handle(self, *args, action: str, user: str, **options):
        owner = _user(user)
        if action == "create":
            try:
                token, secret = tokens.token_create(user=owner, name=options["name"] or "cli")
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stderr.write(
                _("Token %(id)s for %(user)s. Keep it secret: it is shown only this once.")
                % {"id": token.pk, "user": owner.get_username()}
            )
            self.stdout.write(secret)
        elif action == "list":
            for token in ApiToken.objects.filter(user=owner):
                state = _("revoked") if token.revoked_at else _("active")
                used = token.last_used_at.isoformat() if token.last_used_at else "-"
                self.stdout.write(f"{token.pk}\t{token.prefix}…\t{token.name}\t{state}\t{used}")
        else:
            try:
                tokens.token_revoke(user=owner, token_id=options["id"])
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stdout.write(_("Token %(id)s revoked.") % {"id": options["id"]})
