import hashlib
import io

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from .models import Committee, NumberSequence, RoleAssignment
from .roles import Role
from .writes import save_validated


def numbers_take(*, committee: Committee, kind: str, count: int = 1) -> range:
    """Reserve `count` consecutive numbers. Call inside the transaction that uses them."""
    if count < 0:
        raise ValueError("count must not be negative")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers_take must run inside the transaction that uses the numbers")
    NumberSequence.objects.get_or_create(committee=committee, kind=kind)
    sequence = NumberSequence.objects.select_for_update().get(committee=committee, kind=kind)
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return range(first, first + count)


# --- the committee's own details and its people -----------------------------------------------

LOGO_MAX_BYTES = 2 * 1024 * 1024  # a phone photo of a stamp is larger; a logo file is not
LOGO_BOX = (400, 400)  # enough for a printed header at 300 dpi, small enough for every page


@transaction.atomic
def committee_update(*, committee: Committee, by, **fields) -> Committee:
    """Change the committee's details (not its slug: printed receipts and QR codes carry it)."""
    editable = {
        "name",
        "kind",
        "legal_registration",
        "licence_number",
        "address",
        "timezone",
        "currency",
        "bill_rounding",
    }
    unknown = set(fields) - editable
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    for name, value in fields.items():
        setattr(committee, name, value)
    save_validated(committee, by)
    return committee


def _logo_png(upload) -> bytes:
    """The uploaded picture as a small PNG, or ValidationError if it is not a picture we read."""
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo is larger than 2 MB; send a smaller picture."))
    try:
        with Image.open(upload) as picture:
            picture.load()
            picture = ImageOps.exif_transpose(picture).convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("That file is not a picture (PNG, JPEG or GIF).")) from None
    picture.thumbnail(LOGO_BOX)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


@transaction.atomic
def committee_logo_set(*, committee: Committee, by, upload) -> Committee:
    data = _logo_png(upload)
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    old = committee.logo.name if committee.logo else ""
    # A new name per upload: browsers and printed pages never keep showing the old logo.
    name = f"{committee.slug}-{hashlib.sha256(data).hexdigest()[:12]}.png"
    committee.logo.save(name, ContentFile(data), save=False)
    save_validated(committee, by)
    if old and old != committee.logo.name:
        transaction.on_commit(lambda: committee.logo.storage.delete(old))
    return committee


@transaction.atomic
def committee_logo_remove(*, committee: Committee, by) -> Committee:
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    old = committee.logo.name if committee.logo else ""
    committee.logo = ""
    save_validated(committee, by)
    if old:
        transaction.on_commit(lambda: committee.logo.storage.delete(old))
    return committee


def _board_left(committee: Committee, without_user_id: int) -> bool:
    return (
        RoleAssignment.objects.filter(committee=committee, role=Role.BOARD)
        .exclude(user_id=without_user_id)
        .exists()
    )


def _assignment(committee: Committee, user_id) -> RoleAssignment:
    assignment = (
        RoleAssignment.objects.select_for_update()
        .select_related("user")
        .filter(committee=committee, user_id=user_id)
        .first()
    )
    if assignment is None:  # another committee's person, or nobody: the same answer
        raise ValidationError(_("There is no such person in this committee."))
    return assignment


@transaction.atomic
def person_add(
    *,
    committee: Committee,
    by,
    username: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    password: str = "",
) -> tuple[RoleAssignment, bool]:
    """Give someone a role in the committee: a new account with `password`, or an existing one
    (someone serving another committee), whose password is left as it is. Returns the role and
    whether the account is new."""
    User = get_user_model()
    username = username.strip()
    role = Role(role)
    user = User.objects.filter(username__iexact=username).first()
    created = user is None
    if created:
        if not password:
            raise ValidationError(_("Give the new person a first password."))
        user = User(username=username, first_name=first_name.strip(), last_name=last_name.strip())
        user.full_clean(exclude=["password"])
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.save()
    elif RoleAssignment.objects.filter(committee=committee, user=user).exists():
        raise ValidationError(
            _("%(username)s already serves this committee.") % {"username": user.username}
        )
    assignment = RoleAssignment(user=user, committee=committee, role=role)
    save_validated(assignment, by)
    return assignment, created


@transaction.atomic
def role_change(*, committee: Committee, by, user_id, role: str) -> RoleAssignment:
    assignment = _assignment(committee, user_id)
    role = Role(role)
    if assignment.role == Role.BOARD and role != Role.BOARD:
        _keep_a_board(committee, assignment.user_id)
    assignment.role = role
    save_validated(assignment, by)
    return assignment


@transaction.atomic
def role_remove(*, committee: Committee, by, user_id) -> None:
    """The person no longer serves the committee; the account stays (other committees, history)."""
    assignment = _assignment(committee, user_id)
    if assignment.role == Role.BOARD:
        _keep_a_board(committee, assignment.user_id)
    assignment._history_user = by
    assignment.delete()


def _keep_a_board(committee: Committee, leaving_user_id: int) -> None:
    # Lock every board role of the committee, so two board members cannot remove each other at
    # the same moment and leave nobody to manage it.
    list(RoleAssignment.objects.select_for_update().filter(committee=committee, role=Role.BOARD))
    if not _board_left(committee, leaving_user_id):
        raise ValidationError(_("The committee must keep at least one board member."))


@transaction.atomic
def password_set(*, committee: Committee, by, user_id, password: str) -> None:
    """The board sets a new password for someone who forgot theirs. Only for people who serve
    this committee alone: a board must not take over an account another committee relies on."""
    assignment = _assignment(committee, user_id)
    user = assignment.user
    if user.is_superuser or RoleAssignment.objects.filter(user=user).count() > 1:
        raise ValidationError(
            _(
                "%(username)s also serves another committee or runs the server; they change "
                "their password themselves."
            )
            % {"username": user.username}
        )
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
