"""The OpenAPI document is valid, and a schema-driven fuzzer (schemathesis) sends every endpoint
requests made from it — good and bad — without ever getting a server error."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django_scopes import scope
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate

from comunagua.ledger.cash import services as cash_services
from comunagua.tenancy.roles import Role
from tests.actors import make_user, token_for
from tests.properties import heavy

# Loading the document needs no database: the fixtures below fill it for the requests.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """The WSGI application closes "old" database connections around each request, which
    inside a test's transaction means the test's own connection (on PostgreSQL). Django's
    test client switches that off for the same reason; so do we, for the fuzzer's calls."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def board_token(committee, reading_round, board_user):
    """The board's token, on a committee with an open round, connections and an open cash
    session, so that requests reach the code rather than stop at a 404."""
    with scope(committee=committee):
        cash_services.session_open(committee=committee, cashier=board_user)
    make_user(committee, Role.MEMBER, "socio")
    return token_for(board_user)


def test_the_openapi_document_is_valid_openapi(client):
    validate(client.get("/api/v1/openapi.json").json())


@schema.parametrize()
@settings(
    heavy,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_endpoint_answers_with_a_server_error(case, committee, board_token):
    # The committee that exists, so that the fuzzer reaches past the 404.
    if "slug" in (case.path_parameters or {}):
        case.path_parameters["slug"] = committee.slug
    response = case.call(headers={"Authorization": f"Bearer {board_token}"})
    assert response.status_code < 500, (case.as_curl_command(), response.text[:500])
    if response.status_code != 405:  # Django's "method not allowed" is the only non-JSON answer
        (content_type,) = response.headers.get("content-type", [""])
        assert content_type.startswith("application/json"), case.as_curl_command()
