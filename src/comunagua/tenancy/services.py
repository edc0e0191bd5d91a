import hashlib
import io

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from . import selectors
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
LOGO_DIR = "logos"
LOGO_FORMATS = ("PNG", "JPEG", "GIF")  # what the form promises; never TIFF, PSD or EPS
LOGO_MAX_PIXELS = 25_000_000  # a phone photo is 12 to 50 million; decoded as RGBA, 100 MB


# What the board changes on its committee's page (not the slug: printed receipts and QR codes
# carry it; not the logo: its own service).
COMMITTEE_EDITABLE = (
    "name",
    "kind",
    "legal_registration",
    "licence_number",
    "address",
    "timezone",
    "currency",
    "bill_rounding",
)


@transaction.atomic
def committee_update(*, committee: Committee, by, **fields) -> Committee:
    """Change the committee's details (not its slug: printed receipts and QR codes carry it)."""
    unknown = set(fields) - set(COMMITTEE_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    for name, value in fields.items():
        setattr(committee, name, value)
    save_validated(committee, by)
    return committee


def _logo_png(upload) -> bytes:
    """The uploaded picture as a small PNG, or ValidationError if it is not a picture we read.
    Only the header is read before the size in pixels is checked: a small file can describe a
    huge picture, and decoding it whole would take the server's memory."""
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo is larger than 2 MB; send a smaller picture."))
    try:
        with Image.open(upload, formats=LOGO_FORMATS) as picture:
            width, height = picture.size
            if width * height > LOGO_MAX_PIXELS:
                raise ValidationError(
                    _(
                        "The picture is %(width)s by %(height)s pixels; send one of at most "
                        "25 million pixels."
                    )
                    % {"width": width, "height": height}
                )
            picture.draft("RGB", LOGO_BOX)  # a JPEG decodes straight at a reduced scale
            picture.thumbnail(LOGO_BOX)  # before any copy: at most 400 by 400 from here on
            picture = ImageOps.exif_transpose(picture).convert("RGBA")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(_("That file is not a picture (PNG, JPEG or GIF).")) from None
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


@transaction.atomic
def committee_logo_set(*, committee: Committee, by, upload) -> Committee:
    data = _logo_png(upload)
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    # A committee whose details cannot be saved is refused before any file is written.
    committee.full_clean(exclude=["logo"])
    old = committee.logo.name if committee.logo else ""
    # A name per picture: browsers and printed pages never keep showing an old logo.
    name = f"{LOGO_DIR}/{committee.slug}-{hashlib.sha256(data).hexdigest()[:12]}.png"
    storage = committee.logo.storage
    written = not storage.exists(name)  # the same picture again: its file is already there
    if written:
        name = storage.save(name, ContentFile(data))
    committee.logo.name = name
    try:
        save_validated(committee, by)
    except Exception:
        if written:
            storage.delete(name)
        raise
    new = name
    if old and old != new:
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


def _lock_people(committee: Committee) -> None:
    """One change to a committee's people at a time: the committee's row is the lock. Two board
    members removing each other at the same moment then run one after the other (the second is
    refused: the committee keeps a board) instead of locking each other's rows in turn."""
    Committee.objects.select_for_update().filter(pk=committee.pk).first()


def _assignment(committee: Committee, user_id) -> RoleAssignment:
    assignment = (
        RoleAssignment.objects.select_related("user")
        .filter(committee=committee, user_id=user_id)
        .first()
    )
    if assignment is None:  # another committee's person, or nobody: the same answer
        raise ValidationError(_("There is no such person in this committee."))
    return assignment


def _keep_a_board(committee: Committee, leaving_user_id: int) -> None:
    others = RoleAssignment.objects.filter(committee=committee, role=Role.BOARD).exclude(
        user_id=leaving_user_id
    )
    if not others.exists():
        raise ValidationError(_("The committee must keep at least one board member."))


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
    whether the account is new. Accounts of the people who run the server (staff) get their
    roles from a superuser, never from a committee's page."""
    User = get_user_model()
    username = username.strip()
    role = Role(role)
    _lock_people(committee)
    user = User.objects.select_for_update().filter(username__iexact=username).first()
    created = user is None
    if created:
        if not password:
            raise ValidationError(_("Give the new person a first password."))
        user = User(username=username, first_name=first_name.strip(), last_name=last_name.strip())
        user.full_clean(exclude=["password"])
        password_validation.validate_password(password, user)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same new name, made at the same moment elsewhere
            raise ValidationError(
                _("%(username)s was just taken; try again.") % {"username": username}
            ) from None
    elif user.is_staff or user.is_superuser:
        raise ValidationError(
            _("%(username)s runs the server; a superuser gives them roles.")
            % {"username": user.username}
        )
    elif RoleAssignment.objects.filter(committee=committee, user=user).exists():
        raise ValidationError(
            _("%(username)s already serves this committee.") % {"username": user.username}
        )
    assignment = RoleAssignment(user=user, committee=committee, role=role)
    save_validated(assignment, by)
    return assignment, created


@transaction.atomic
def role_change(*, committee: Committee, by, user_id, role: str) -> RoleAssignment:
    _lock_people(committee)
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
    _lock_people(committee)
    assignment = _assignment(committee, user_id)
    if assignment.role == Role.BOARD:
        _keep_a_board(committee, assignment.user_id)
    assignment._history_user = by
    assignment.delete()


@transaction.atomic
def password_set(*, committee: Committee, by, user_id, password: str) -> None:
    """The board sets a new password for someone who forgot theirs. Only for an account that
    has only ever served this committee: a board must not take over an account that another
    committee relies on, relied on, or may add again, nor one of the server's staff."""
    _lock_people(committee)
    assignment = _assignment(committee, user_id)
    user = get_user_model().objects.select_for_update().get(pk=assignment.user_id)
    if user.pk not in selectors.passwords_settable(committee, [user]):
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
