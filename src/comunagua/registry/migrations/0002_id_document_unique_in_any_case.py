"""One spelling per ID document: existing values are normalized as registry.models.
normalize_id_document does (no spaces around, single spaces inside, capitals), and the
uniqueness per committee no longer depends on capitals.

Two members of one committee whose documents only differed in capitals or spaces ("ab123" and
"AB123") cannot both keep theirs. Merging them is for a person to decide, so the member
registered later keeps the document in their notes, with a line saying which member already has
it, and their document field is left empty; nothing else is changed or deleted.
"""

import django.db.models.functions.text
from django.db import migrations, models

# Written into the member's notes, in the committee's working language (Spanish): the data
# migration runs outside any request, so it is not translated.
NOTE = "Revisar: el CI «{document}» es también el del socio/a {other} (n.º interno {pk})."


def _normalize(value: str) -> str:
    # The same rule as registry.models.normalize_id_document, frozen here as migrations must be.
    return " ".join((value or "").split()).upper()


def normalize_documents(apps, schema_editor):
    Member = apps.get_model("registry", "Member")
    taken: dict[tuple[int, str], object] = {}
    members = Member.objects.exclude(id_document="").order_by("committee_id", "created_at", "pk")
    for member in members.iterator():
        normal = _normalize(member.id_document)
        if not normal:  # only spaces: no document at all, never a clash
            member.id_document = ""
            member.save(update_fields=["id_document"])
            continue
        key = (member.committee_id, normal)
        first = taken.get(key)
        if first is None:
            taken[key] = member
            if normal != member.id_document:
                member.id_document = normal
                member.save(update_fields=["id_document"])
            continue
        other = f"{first.first_names} {first.last_names}".strip()
        note = NOTE.format(document=member.id_document, other=other, pk=first.pk)
        member.notes = f"{member.notes}\n{note}" if member.notes else note
        member.id_document = ""
        member.save(update_fields=["id_document", "notes"])


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="member",
            name="member_id_document_unique",
        ),
        migrations.RunPython(normalize_documents, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="member",
            constraint=models.UniqueConstraint(
                models.F("committee"),
                django.db.models.functions.text.Upper("id_document"),
                condition=models.Q(("id_document", ""), _negated=True),
                name="member_id_document_unique",
                violation_error_message="Another member already has this ID document.",
            ),
        ),
    ]
