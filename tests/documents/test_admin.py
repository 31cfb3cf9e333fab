"""Administrators see the technical detail and re-run failed work from the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from documents.models import Document
from tests.documents.conftest import sample

pytestmark = pytest.mark.django_db


def test_admin_shows_the_detail_and_retries_failed_documents(
    client, admin_user, ingest_one, django_capture_on_commit_callbacks
):
    document = ingest_one(sample("invalid.pdf")).document
    client.force_login(admin_user)
    change = client.get(reverse("admin:documents_document_change", args=[document.pk]))
    assert change.status_code == 200
    assert "pdfium" in change.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:documents_document_changelist"),
            {"action": "retry_failed", "_selected_action": [document.pk]},
            follow=True,
        )
    assert "1 documents queued again." in response.content.decode()
    document.refresh_from_db()
    assert document.attempts == 2


def test_admin_reruns_selected_pages(
    client, admin_user, ingest_one, django_capture_on_commit_callbacks
):
    document = ingest_one(sample("two_pages.tif")).document
    page = document.pages.get(number=2)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:documents_page_changelist"),
            {"action": "retry_pages", "_selected_action": [page.pk]},
        )
    document = Document.objects.get(pk=document.pk)
    assert document.state == "done"
    assert document.attempts == 2
    assert document.pages_done == 2
