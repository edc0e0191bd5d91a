"""One ID document, one member per committee, however it was typed: existing values get one
spelling (registry.models.normalize_id_document: no spaces around, single spaces inside,
capitals), and documents are compared as registry.models.id_document_key does (also without
spaces, hyphens and dots: "1234567 LP", "1234567-LP" and "1234567lp" are one document), by a
unique index in the database itself.

Two members of one committee whose documents compare equal cannot both keep theirs. Merging
them is for a person to decide, so the member registered later keeps the document in their
notes, with a line saying which member already has it, and their document field is left empty;
nothing else is changed or deleted.
"""

import django.db.models.functions.text
from django.db import migrations, models

# Written into the member's notes, in the committee's working language (Spanish): the data
# migration runs outside any request, so it is not translated.
NOTE = "Revisar: el CI «{document}» es también el del socio/a {other} (n.º interno {pk})."
# The rules of registry.models, frozen here as migrations must be.
SEPARATORS = (" ", "-", ".")


def _normalize(value: str) -> str:
    return " ".join((value or "").split()).upper()


def _key(value: str) -> str:
    key = _normalize(value)
    for separator in SEPARATORS:
        key = key.replace(separator, "")
    return key


def _key_expression():
    expression = models.F("id_document")
    for separator in SEPARATORS:
        expression = django.db.models.functions.text.Replace(
            expression, models.Value(separator), models.Value("")
        )
    return django.db.models.functions.text.Upper(expression)


def one_document_one_member(apps, schema_editor):
    Member = apps.get_model("registry", "Member")
    taken: dict[tuple[int, str], object] = {}
    members = Member.objects.exclude(id_document="").order_by("committee_id", "created_at", "pk")
    for member in members.iterator():
        normal = _normalize(member.id_document)
        if not normal:  # only spaces: no document at all, never a clash
            member.id_document = ""
            member.save(update_fields=["id_document"])
            continue
        first = taken.setdefault((member.committee_id, _key(normal)), member)
        if first is member:
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
        migrations.RunPython(one_document_one_member, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="member",
            constraint=models.UniqueConstraint(
                models.F("committee"),
                _key_expression(),
                condition=models.Q(("id_document", ""), _negated=True),
                name="member_id_document_unique",
                violation_error_message="Another member already has this ID document.",
            ),
        ),
    ]
