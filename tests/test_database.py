import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_it_was_given():
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    assert connection.vendor == ("postgresql" if on_postgres else "sqlite")
    with connection.cursor() as cursor:  # and it is really there, not just configured
        cursor.execute("SELECT version()" if on_postgres else "SELECT sqlite_version()")
        assert cursor.fetchone()[0]
