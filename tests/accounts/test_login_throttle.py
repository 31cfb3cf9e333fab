"""Repeated failed logins lock the account for a while."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def attempt(client, password: str):
    return client.post("/accounts/login/", {"username": "rita", "password": password})


def test_five_failures_lock_out_even_the_right_password(client, reporter, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    for _ in range(5):
        assert "do not match" in attempt(client, "wrong").content.decode()
    response = attempt(client, PASSWORD)
    assert response.status_code == 200
    assert "Too many failed attempts. Try again in 15 minutes." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_a_success_before_the_limit_resets_the_count(client, reporter, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    attempt(client, "wrong")
    attempt(client, "wrong")
    assert attempt(client, PASSWORD).status_code == 302
    client.logout()
    attempt(client, "wrong")
    attempt(client, "wrong")
    assert attempt(client, PASSWORD).status_code == 302
