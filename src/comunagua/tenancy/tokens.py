"""Personal API tokens: made, checked and revoked here, and nowhere else.

A token is 32 random bytes, URL-safe, prefixed "cma_" so that a leaked one is recognisable in a
log or a repository. Only its SHA-256 is stored; checking is one indexed lookup.
"""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken

PREFIX = "cma_"
NAME_MAX = ApiToken._meta.get_field("name").max_length
# A user with more live tokens than this has lost track of them.
LIVE_MAX = 20


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Make a token for `user`; return it with the secret, which is never shown again."""
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the token a name (where it will be used).")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("A name has at most %(n)s characters.") % {"n": NAME_MAX}})
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= LIVE_MAX:
        raise ValidationError(
            _("You already have %(n)s active tokens: revoke one first.") % {"n": LIVE_MAX}
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[: len(PREFIX) + 4], digest=_digest(secret)
    )
    return token, secret


def token_user(secret: str):
    """The active user a token acts as, or None (unknown, revoked, or the user is inactive)."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Written at most once a minute: a phone syncing every few seconds is not a write storm.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, user, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens. Another user's token is "not found"."""
    token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
    if token is None:
        raise ValidationError(_("There is no such token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
