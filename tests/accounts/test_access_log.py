"""The access log: recorded, reviewable by editors, own activity for everyone."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AccessLog
from accounts.services import access_log_purge, access_record

pytestmark = pytest.mark.django_db


def test_editor_filters_the_log_by_user_and_request(
    client, editor, reporter, researcher
):
    access_record(user=reporter, action="view_document", request_id=7, document_id=3)
    access_record(user=researcher, action="search", query="TECS", result_count=4)
    client.force_login(editor)
    by_user = client.get("/access-log/", {"username": "rosa"})
    assert [e.username for e in by_user.context["page"]] == ["rosa"]
    by_request = client.get("/access-log/", {"request": 7})
    assert [e.document_id for e in by_request.context["page"]] == [3]


def test_researcher_sees_only_their_own_activity(client, reporter, researcher):
    access_record(user=reporter, action="download", document_id=1)
    access_record(user=researcher, action="search", query="ICM")
    client.force_login(researcher)
    response = client.get("/access-log/", {"username": "rita"})
    assert [e.username for e in response.context["page"]] == ["rosa"]
    assert "Your activity" in response.content.decode()


def test_csv_export_is_itself_logged_and_neutralises_formulas(client, editor, reporter):
    access_record(user=reporter, action="search", query="=HYPERLINK(1)")
    client.force_login(editor)
    response = client.get("/access-log/", {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "at"
    queries = [row[6] for row in rows[1:]]
    assert "'=HYPERLINK(1)" in queries
    export = AccessLog.objects.get(action="export")
    assert export.username == "ed"
    assert export.result_count == 1


def test_entries_record_where_the_access_came_from(rf, reporter):
    http_request = rf.get("/documents/1/", HTTP_USER_AGENT="Firefox")
    http_request.META["REMOTE_ADDR"] = "203.0.113.9"
    entry = access_record(
        user=reporter, action="view_document", http_request=http_request, document_id=1
    )
    assert entry.ip_address == "203.0.113.9"
    assert entry.user_agent == "Firefox"
    assert entry.via == "web"


def test_purge_keeps_entries_within_retention(reporter, settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 30
    old = access_record(user=reporter, action="search", query="old")
    AccessLog.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=31))
    recent = access_record(user=reporter, action="search", query="recent")
    assert access_log_purge() == 1
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]
