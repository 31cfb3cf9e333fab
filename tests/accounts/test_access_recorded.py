"""Each kind of access leaves one access-log entry saying who, when, what and from
where: document views and downloads, the page viewer, the API's document reads,
searches (page and API), every CSV export, the public page, and the command-line
text export. Page images and thumbnails are not logged on their own: they load
inside the document page and the page viewer, which are."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import AccessLog
from foia.models import Visibility
from tests.documents.conftest import MEMO, text_pdf

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"


@pytest.fixture
def released(reporter, make_request, ingest_one):
    """A newsroom request of Rita's with a one-page document mentioning TECS."""
    foia_request = make_request(title="TECS audit logs", visibility=Visibility.NEWSROOM)
    document = ingest_one(
        text_pdf(MEMO), name="Audit memo.pdf", request=foia_request
    ).document
    return document


@pytest.fixture
def browser(client):
    client.defaults.update(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT="Firefox/140")
    return client


@pytest.fixture
def api(researcher):
    client = APIClient(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT="curl/8")
    client.force_authenticate(researcher)
    return client


def _only_entry(**match) -> AccessLog:
    entries = list(AccessLog.objects.filter(**match))
    assert len(entries) == 1, (match, list(AccessLog.objects.values()))
    return entries[0]


def _where(entry: AccessLog) -> tuple:
    return (entry.ip_address, entry.via, entry.at is not None)


def test_a_document_view_is_logged(browser, researcher, released):
    browser.force_login(researcher)
    browser.get(released.get_absolute_url())
    entry = _only_entry(action="view_document")
    assert (entry.username, entry.request_id, entry.document_id) == (
        "rosa",
        released.request_id,
        released.pk,
    )
    assert _where(entry) == (ADDRESS, "web", True)
    assert entry.user_agent == "Firefox/140"


def test_a_download_is_logged(browser, researcher, released):
    browser.force_login(researcher)
    response = browser.get(reverse("documents:document_download", args=[released.pk]))
    assert response.status_code == 200
    entry = _only_entry(action="download")
    assert (entry.username, entry.request_id, entry.document_id) == (
        "rosa",
        released.request_id,
        released.pk,
    )
    assert _where(entry) == (ADDRESS, "web", True)


def test_the_page_viewer_is_logged_with_the_words_looked_for(
    browser, researcher, released
):
    browser.force_login(researcher)
    browser.get(reverse("documents:page_detail", args=[released.pk, 1]), {"q": "TECS"})
    entry = _only_entry(action="view_page")
    assert (entry.username, entry.document_id, entry.page_number, entry.query) == (
        "rosa",
        released.pk,
        1,
        "TECS",
    )
    assert entry.request_id == released.request_id


def test_the_api_document_reads_are_logged(api, released):
    api.get(f"/api/documents/{released.pk}/")
    api.get(f"/api/documents/{released.pk}/pages/")
    entries = list(AccessLog.objects.filter(action="view_document").order_by("pk"))
    assert [(e.username, e.document_id, e.via) for e in entries] == [
        ("rosa", released.pk, "api"),
        ("rosa", released.pk, "api"),
    ]
    assert entries[1].detail == "page texts"
    assert all(e.ip_address == ADDRESS for e in entries)


def test_the_api_page_texts_read_is_found_by_its_request(api, released):
    api.get(f"/api/documents/{released.pk}/pages/")
    assert _only_entry(detail="page texts").request_id == released.request_id


def test_a_search_on_the_page_is_logged(browser, researcher, released):
    browser.force_login(researcher)
    response = browser.get("/search/", {"q": "TECS", "exemption": "b6"})
    assert response.status_code == 200
    entry = _only_entry(action="search")
    assert (entry.username, entry.query, entry.via) == ("rosa", "TECS", "web")
    assert "exemption" in entry.filters
    assert entry.result_count == response.context["result"].total


def test_a_search_through_the_api_is_logged(api, released):
    response = api.get("/api/search/", {"q": "TECS"})
    assert response.status_code == 200
    entry = _only_entry(action="search")
    assert (entry.username, entry.query, entry.via) == ("rosa", "TECS", "api")
    assert entry.result_count == response.json()["total"] == 1


def _csv_rows(response) -> list[list[str]]:
    if getattr(response, "streaming", False):
        text = b"".join(response.streaming_content).decode()
    else:
        text = response.content.decode()
    return list(csv.reader(io.StringIO(text)))


def test_the_request_list_export_is_logged_with_its_filters_and_count(
    browser, reporter, make_request
):
    make_request(title="Audit logs")
    make_request(title="Audit trails")
    make_request(title="Something else")
    browser.force_login(reporter)
    response = browser.get(
        reverse("foia:request_export"), {"q": "Audit", "status": "open"}
    )
    assert len(_csv_rows(response)) == 1 + 2
    entry = _only_entry(action="export")
    assert (entry.username, entry.detail, entry.result_count) == (
        "rita",
        "request list CSV",
        2,
    )
    assert entry.filters == {"q": "Audit", "status": "open"}
    assert _where(entry) == (ADDRESS, "web", True)


def test_the_desk_exports_are_logged(browser, editor, released):
    browser.force_login(editor)
    for url, params, detail in [
        ("/desk/", {"format": "csv", "table": "counts"}, "desk counts CSV"),
        (
            "/desk/list/documents_processed/",
            {"format": "csv"},
            "desk list documents_processed CSV",
        ),
        (
            "/desk/agencies/",
            {"format": "csv", "table": "summary"},
            "agencies summary CSV",
        ),
        (
            "/desk/agencies/ice/",
            {"format": "csv", "table": "summary"},
            "agency-ice summary CSV",
        ),
    ]:
        response = browser.get(url, params)
        assert response.status_code == 200, url
        entry = AccessLog.objects.filter(action="export").first()
        assert (entry.username, entry.detail) == ("ed", detail)
        assert entry.result_count == len(_csv_rows(response)) - 1
        assert entry.ip_address == ADDRESS
    assert AccessLog.objects.filter(action="export").count() == 4


def test_the_access_log_export_is_logged(browser, editor):
    browser.force_login(editor)
    browser.get("/access-log/", {"format": "csv", "username": "rita"})
    entry = _only_entry(action="export")
    assert (entry.username, entry.detail, entry.result_count) == (
        "ed",
        "access log CSV",
        0,
    )
    assert entry.filters == {"username": "rita"}


def test_the_public_page_and_its_downloads_are_logged_for_visitors(
    browser, make_request, ingest_one
):
    foia_request = make_request(title="Public audit", visibility=Visibility.PUBLIC)
    document = ingest_one(
        text_pdf(MEMO), name="Audit memo.pdf", request=foia_request
    ).document
    browser.get(reverse("foia:public_request_detail", args=[foia_request.pk]))
    browser.get(reverse("documents:document_download", args=[document.pk]))
    entries = list(AccessLog.objects.order_by("pk"))
    assert [(e.action, e.user_id, e.username, e.ip_address) for e in entries] == [
        ("view_request", None, "", ADDRESS),
        ("download", None, "", ADDRESS),
    ]
    assert entries[0].request_id == foia_request.pk
    assert entries[1].document_id == document.pk


def test_the_text_export_command_is_logged(released, capsys):
    call_command("export_text", str(released.pk))
    assert "TECS" in capsys.readouterr().out
    entry = _only_entry(action="export")
    assert (entry.document_id, entry.via, entry.detail) == (
        released.pk,
        "cli",
        "export_text",
    )
