"""The migration to one ID document per member, run on a register written before it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("registry", "0001_initial")]
AFTER = [("registry", "0002_id_document_one_per_committee")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_id_documents_get_one_spelling_and_a_clash_is_left_for_a_person_to_merge():
    old = migrate(BEFORE)
    try:
        Committee = old.get_model("tenancy", "Committee")
        Member = old.get_model("registry", "Member")
        here = Committee.objects.create(name="Aquí", slug="aqui")
        there = Committee.objects.create(name="Allá", slug="alla")

        def member(committee, first, document, notes=""):
            return Member.objects.create(
                committee=committee,
                first_names=first,
                last_names="Quispe",
                id_document=document,
                notes=notes,
            ).pk

        first = member(here, "Rosa", "ab123")
        clash = member(here, "Rosita", "AB123 ", notes="Vive al lado.")
        dashed = member(here, "Rosalía", "ab-1.23")  # the same document, other separators
        spaced = member(here, "Juan", "  4455667   cb ")
        elsewhere = member(there, "Ana", "ab123")
        none = member(here, "Sin", "")
        blank = member(here, "Blanco", "   ")
        blank_too = member(here, "Blanca", " ")  # two "documents" of spaces: no clash at all

        new = migrate(AFTER)
    finally:
        # The database is left fully migrated (every app's latest) for the tests that follow.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    Member = new.get_model("registry", "Member")
    documents = dict(Member.objects.values_list("pk", "id_document"))
    assert documents == {
        first: "AB123",
        clash: "",
        dashed: "",
        spaced: "4455667 CB",
        elsewhere: "AB123",
        none: "",
        blank: "",
        blank_too: "",
    }
    notes = Member.objects.get(pk=clash).notes
    assert notes.startswith("Vive al lado.\n")
    assert "AB123 " in notes and "Rosa Quispe" in notes and str(first) in notes
    assert "ab-1.23" in Member.objects.get(pk=dashed).notes
    assert Member.objects.get(pk=blank_too).notes == ""
