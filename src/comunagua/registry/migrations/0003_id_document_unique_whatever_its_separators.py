"""ID documents compared without their separators: "1234567 LP", "1234567-LP" and "1234567.lp"
are one document (registry.models.id_document_key), and the database keeps them unique per
committee that way.

Two members of one committee whose documents differed only in separators cannot both keep
theirs: as in 0002, the member registered later keeps the document in their notes, with a line
saying which member already has it, and their document field is left empty for a person to
decide; nothing else is changed or deleted.
"""

import django.db.models.functions.text
from django.db import migrations, models

NOTE = "Revisar: el CI «{document}» es también el del socio/a {other} (n.º interno {pk})."


def _key(value: str) -> str:
    # The same rule as registry.models.id_document_key, frozen here as migrations must be.
    key = " ".join((value or "").split()).upper()
    for separator in (" ", "-", "."):
        key = key.replace(separator, "")
    return key


def set_aside_clashes(apps, schema_editor):
    Member = apps.get_model("registry", "Member")
    taken: dict[tuple[int, str], object] = {}
    members = Member.objects.exclude(id_document="").order_by("committee_id", "created_at", "pk")
    for member in members.iterator():
        key = (member.committee_id, _key(member.id_document))
        first = taken.setdefault(key, member)
        if first is member or not key[1]:
            continue
        other = f"{first.first_names} {first.last_names}".strip()
        note = NOTE.format(document=member.id_document, other=other, pk=first.pk)
        member.notes = f"{member.notes}\n{note}" if member.notes else note
        member.id_document = ""
        member.save(update_fields=["id_document", "notes"])


def _key_expression():
    expression = models.F("id_document")
    for separator in (" ", "-", "."):
        expression = django.db.models.functions.text.Replace(
            expression, models.Value(separator), models.Value("")
        )
    return django.db.models.functions.text.Upper(expression)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_id_document_unique_in_any_case"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="member",
            name="member_id_document_unique",
        ),
        migrations.RunPython(set_aside_clashes, migrations.RunPython.noop, elidable=True),
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
