"""Personal API tokens: made from the command line or the user's page, shown once, stored only
as a digest, revoked by their owner only."""

import pytest
from django.core.management import CommandError, call_command

from comunagua.tenancy import tokens
from comunagua.tenancy.models import ApiToken
from tests.actors import Api


def test_the_command_prints_a_token_that_opens_the_api(reader, capsys):
    call_command("token", "create", "--user", reader.username, "--name", "móvil de Juan")
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("cma_")
    assert Api(secret).get("committees").status_code == 200
    stored = ApiToken.objects.get(user=reader)
    assert secret not in (stored.digest, stored.prefix)
    call_command("token", "list", "--user", reader.username)
    assert "móvil de Juan" in capsys.readouterr().out
    call_command("token", "revoke", "--user", reader.username, str(stored.pk))
    assert Api(secret).get("committees").status_code == 401


def test_the_command_refuses_an_unknown_user_or_another_users_token(reader, board_user):
    with pytest.raises(CommandError, match="nadie"):
        call_command("token", "create", "--user", "nadie")
    token, _secret = tokens.token_create(user=board_user, name="x")
    with pytest.raises(CommandError):
        call_command("token", "revoke", "--user", reader.username, str(token.pk))
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_a_token_needs_a_name(reader):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        tokens.token_create(user=reader, name="   ")
    assert not ApiToken.objects.exists()


def test_the_users_page_makes_a_token_once_and_revokes_it(client, reader):
    client.force_login(reader)
    page = client.post("/cuenta/tokens/", {"action": "create", "name": "hoja de cálculo"})
    assert page.status_code == 200
    secret = page.context["secret"]
    assert secret.startswith("cma_")
    assert secret in page.content.decode()
    listing = client.get("/cuenta/tokens/").content.decode()
    assert "hoja de cálculo" in listing
    assert secret not in listing  # shown once only
    token = ApiToken.objects.get(user=reader)
    client.post("/cuenta/tokens/", {"action": "revoke", "token": str(token.pk)})
    assert Api(secret).get("committees").status_code == 401


def test_the_page_refuses_an_empty_name_and_another_users_token(client, reader, board_user):
    client.force_login(reader)
    assert client.post("/cuenta/tokens/", {"action": "create", "name": ""}).status_code == 400
    other, _secret = tokens.token_create(user=board_user, name="x")
    refused = client.post("/cuenta/tokens/", {"action": "revoke", "token": str(other.pk)})
    assert refused.status_code == 400
    refused = client.post("/cuenta/tokens/", {"action": "revoke", "token": "abc"})
    assert refused.status_code == 400
    assert ApiToken.objects.filter(user=reader).count() == 0
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None
