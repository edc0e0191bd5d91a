"""What every domain's services do before a write: validate, stamp who acted, and never link
records of two committees."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def save_validated(instance, by) -> None:
    """full_clean() then save, with `by` recorded as the history user."""
    instance.full_clean()
    instance._history_user = by
    instance.save()


def ensure_same_committee(committee_id: int, *objects) -> None:
    """A form or an API may hand us another committee's object; never link across tenants."""
    for obj in objects:
        if obj is not None and obj.committee_id != committee_id:
            raise ValidationError(_("That record belongs to another committee."))
