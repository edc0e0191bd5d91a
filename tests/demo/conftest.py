import pytest
from django.db import transaction
from django_scopes import scopes_disabled

from comunagua.demo import loader
from tests.actors import TODAY


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker):
    """One full load shared by the demo tests that only read it; wiped when the package ends,
    so the demo logins do not meet the users other test packages create."""
    with django_db_blocker.unblock():
        result = loader.load(today=TODAY)
    yield result
    with django_db_blocker.unblock(), scopes_disabled(), transaction.atomic():
        loader.wipe()
