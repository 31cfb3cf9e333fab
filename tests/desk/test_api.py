"""``/api/desk/`` and ``/api/me/``: shapes, scoping and token authentication."""

from __future__ import annotations

import icalendar
import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create, api_token_revoke
from desk import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def token_for(user) -> str:
    _token, key = api_token_create(user=user, name="chat bot")
    return key


def test_desk_summary_for_a_chat_bot_with_a_token(api, newsroom, editor):
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(editor)}")

    response = api.get("/api/desk/")

    assert response.status_code == 200
    data = response.json()
    assert data["scope"] == "newsroom"
    assert set(data["counts"]) == set(selectors.DESK_LISTS)
    assert data["counts"]["overdue"] == 5
    overdue = data["lists"]["overdue"]
    assert overdue["count"] == 5
    assert overdue["url"] == "http://testserver/requests/?overdue=1"
    first = overdue["items"][0]
    assert set(first) == {
        "id",
        "title",
        "agency",
        "requester",
        "status",
        "current_due",
        "days_overdue",
        "appeal_filing_due",
        "url",
    }
    assert first["days_overdue"] == 30
    assert first["url"].startswith("http://testserver/requests/")
    pending = data["lists"]["appeals_pending"]["items"]
    assert {item["request_title"] for item in pending} == {
        "appeal pending",
        "appeal late",
    }
    assert [b["count"] for b in data["overdue_by_days"]] == [2, 3, 0, 0]
    assert {row["username"] for row in data["reporter_load"]} == {"rita", "otto"}
    assert data["follow_ups_waiting"] == 0


def test_a_reporters_summary_is_theirs_alone(api, newsroom, reporter):
    api.force_authenticate(reporter)

    data = api.get("/api/desk/").json()

    assert data["scope"] == "own"
    assert data["counts"]["overdue"] == 3
    assert data["lists"]["overdue"]["url"].endswith("requester=me")
    titles = {
        item.get("title") or item.get("request_title")
        for listing in data["lists"].values()
        for item in listing["items"]
    }
    assert "otto private overdue" not in titles
    assert data["reporter_load"] == []


def test_a_researchers_summary_has_no_requests(api, newsroom, researcher):
    api.force_authenticate(researcher)

    data = api.get("/api/desk/").json()

    assert data["scope"] == "documents"
    assert data["counts"]["overdue"] == 0
    assert data["lists"]["overdue"]["items"] == []


def test_the_api_refuses_anonymous_and_revoked_tokens(api, editor):
    key = token_for(editor)
    token = editor.api_tokens.get()

    assert api.get("/api/desk/").status_code in (401, 403)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/me/").status_code == 200
    api_token_revoke(user=editor, token_id=token.pk)
    response = api.get("/api/me/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_me_tells_the_user_their_calendar_feed(api, client, reporter, department):
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(reporter)}")

    first = api.get("/api/me/").json()
    again = api.get("/api/me/").json()

    assert first["username"] == "rita"
    assert first["roles"] == ["reporter"]
    assert first["daily_digest"] is True
    assert first["unseen_notifications"] == 0
    assert first["calendar_url"] == again["calendar_url"]
    assert first["calendar_url"].startswith("http://testserver/calendar/")
    assert first["calendar_url"].endswith(".ics")
    feed = client.get(first["calendar_url"].removeprefix("http://testserver"))
    assert feed.status_code == 200
    icalendar.Calendar.from_ical(feed.content)


def test_the_schema_describes_the_desk_endpoints(api, editor):
    api.force_authenticate(editor)

    schema = api.get("/api/schema/", {"format": "json"}).json()

    assert "/api/desk/" in schema["paths"]
    assert "/api/me/" in schema["paths"]
    me = schema["components"]["schemas"]["Me"]
    assert "calendar_url" in me["properties"]
