from django.db import transaction

from .models import Committee, NumberSequence


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
