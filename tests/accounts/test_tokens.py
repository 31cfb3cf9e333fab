"""Personal API tokens: shown once, stored hashed, revocable."""

from __future__ import annotations

import pytest

from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def test_token_authenticates_api_calls_until_revoked(client, reporter):
    token, key = api_token_create(user=reporter, name="chat bot")
    headers = {"HTTP_AUTHORIZATION": f"Token {key}", "HTTP_ACCEPT": "application/json"}
    assert client.get("/api/schema/", **headers).status_code == 200
    api_token_revoke(user=reporter, token_id=token.pk)
    response = client.get("/api/schema/", **headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "The token is unknown or revoked."


def test_only_a_hash_of_the_key_is_stored(reporter):
    token, key = api_token_create(user=reporter, name="script")
    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in (stored.key_hash, stored.prefix, stored.name)
    assert key.startswith(stored.prefix)


def test_new_key_is_shown_once_on_the_account_page(client, reporter):
    client.force_login(reporter)
    response = client.post("/account/tokens/", {"name": "laptop"}, follow=True)
    page = response.content.decode()
    key = response.context["new_key"]
    assert key and key in page
    assert "will not be shown again" in page
    again = client.get("/account/").content.decode()
    assert key not in again
    assert key[:8] in again


def test_a_user_cannot_revoke_someone_elses_token(client, reporter, other_reporter):
    token, _key = api_token_create(user=other_reporter, name="otto's")
    client.force_login(reporter)
    client.post(f"/account/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.is_active


def test_unknown_token_is_refused_with_a_readable_detail(client):
    response = client.get(
        "/api/schema/", HTTP_AUTHORIZATION="Token nope", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 401
    assert "unknown or revoked" in response.json()["detail"]
