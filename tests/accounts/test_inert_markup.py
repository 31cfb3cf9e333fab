"""Script in OCR text, file names and request titles is shown as text on the pages
the documents tests do not visit: the request page, the public page and the
search results (tests/documents/test_views.py covers the document page, the page
viewer and the document list)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from foia.models import Visibility
from tests.documents.conftest import text_pdf

pytestmark = pytest.mark.django_db

HOSTILE_TEXT = (
    "Inspection memorandum about the detention facility.\n"
    "<script>alert(1)</script> was printed on the page by the agency.\n"
    "The inspection covered housing units."
)
HOSTILE_NAME = "<img src=x onerror=alert(1)>.pdf"
HOSTILE_TITLE = 'Inspections <script>alert("title")</script>'
ESCAPED_NAME = "&lt;img src=x onerror=alert(1)&gt;"
ESCAPED_TEXT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_TITLE = "Inspections &lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;"


def _inert(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "onerror=alert(1)>" not in html
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag


def _unmarked(html: str) -> str:
    """Without the highlight marks around matched words."""
    return html.replace("<mark>", "").replace("</mark>", "")


@pytest.fixture
def hostile(make_request, ingest_one):
    foia_request = make_request(title=HOSTILE_TITLE, visibility=Visibility.PUBLIC)
    return ingest_one(
        text_pdf(HOSTILE_TEXT), name=HOSTILE_NAME, request=foia_request
    ).document


def test_the_request_page_shows_markup_as_text(client, reporter, hostile):
    client.force_login(reporter)
    html = client.get(hostile.request.get_absolute_url()).content.decode()
    _inert(html)
    assert ESCAPED_TITLE in html
    assert ESCAPED_NAME in html


def test_the_request_list_shows_markup_as_text(client, reporter, hostile):
    client.force_login(reporter)
    html = client.get(reverse("foia:request_list")).content.decode()
    _inert(html)
    assert ESCAPED_TITLE in html


def test_the_public_page_shows_markup_as_text(client, hostile):
    detail = client.get(
        reverse("foia:public_request_detail", args=[hostile.request_id])
    ).content.decode()
    listing = client.get(reverse("foia:public_request_list")).content.decode()
    for html in (detail, listing):
        _inert(html)
        assert ESCAPED_TITLE in html
    assert ESCAPED_NAME in detail


def test_search_results_show_ocr_text_and_names_as_text(client, researcher, hostile):
    client.force_login(researcher)
    for query in ("printed", "<script>alert(1)</script> printed"):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        assert response.context["result"].total == 1, query
        html = response.content.decode()
        _inert(html)
        assert ESCAPED_NAME in html
        assert ESCAPED_TEXT in _unmarked(html)
    within = client.get("/search/", {"q": "printed", "document": hostile.pk})
    _inert(within.content.decode())
    assert ESCAPED_NAME in within.content.decode()


def test_the_page_viewer_of_a_search_hit_shows_the_text_as_text(
    client, researcher, hostile
):
    client.force_login(researcher)
    response = client.get(
        reverse("documents:page_detail", args=[hostile.pk, 1]),
        {"q": "<script> printed"},
    )
    html = response.content.decode()
    _inert(html)
    assert ESCAPED_TEXT in _unmarked(html)
    assert ESCAPED_NAME in html
