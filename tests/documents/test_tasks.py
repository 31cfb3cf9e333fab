"""Processing: pages in chunks, claims, idempotent tasks, finishing, retries."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents import services, tasks
from documents.models import Document, Page
from tests.documents.conftest import MEMO, sample, scan_pdf, text_pdf

pytestmark = pytest.mark.django_db


def test_a_text_layer_pdf_keeps_its_text_words_and_exemptions(ingest_one):
    document = ingest_one(
        text_pdf(
            MEMO,
            "Second page of the memo, nothing withheld "
            "on this page at all, only ordinary words.",
        )
    ).document
    assert document.state == "done"
    assert (document.page_count, document.pages_done) == (2, 2)
    first, second = document.pages.order_by("number")
    assert first.state == "done" and first.source == "text"
    assert "OPR-2021-04417" in first.text
    assert first.confidence is None
    assert first.exemptions == ["b6", "b7c"]
    assert second.exemptions == []
    word = next(word for word in first.words if word[0] == "TECS")
    text, left, top, width, height, conf = word
    assert 0 < left < 1 and 0 < top < 1 and 0 < width < 0.2 and 0 < height < 0.1
    assert conf is None
    with default_storage.open(first.thumbnail.name, "rb") as thumbnail:
        assert thumbnail.read(3) == b"\xff\xd8\xff"
    assert document.processed_at is not None
    assert document.error_reason == ""


def test_a_scan_is_ocrd_with_confidence_and_exemptions(ingest_one):
    document = ingest_one(sample("scanned_memo.pdf")).document
    page = document.pages.get()
    assert document.state == "done"
    assert page.source == "ocr"
    assert page.confidence > 80
    assert "Professional Responsibility" in page.text
    assert set(page.exemptions) >= {"b6", "b7c"}
    assert any(word[0] == "Houston" for word in page.words)


def test_a_multipage_tiff_becomes_one_document_of_two_pages(ingest_one):
    document = ingest_one(sample("two_pages.tif")).document
    assert document.kind == "tiff"
    assert document.state == "done"
    assert list(document.pages.values_list("number", "state")) == [
        (1, "done"),
        (2, "done"),
    ]


def test_the_documents_ocr_languages_are_used(ingest_one):
    document = ingest_one(sample("francais.pdf"), languages="fra").document
    assert document.languages == "fra"
    assert any(char in document.pages.get().text for char in "éèàçê")


def test_chunks_keep_every_worker_busy_and_cover_each_page_once(settings):
    settings.WORKERS = 8
    settings.DOCUMENT_CHUNK_MAX_PAGES = 8
    assert services.chunk_size(page_count=800) == 8
    assert services.chunk_size(page_count=40) == 2
    assert services.chunk_size(page_count=3) == 1
    chunks = services.chunk_ranges(range(1, 801), size=8)
    assert len(chunks) == 100
    assert chunks[0] == (1, 8) and chunks[-1] == (793, 800)
    assert services.chunk_ranges([1, 2, 3, 7, 8, 12], size=2) == [
        (1, 2),
        (3, 3),
        (7, 8),
        (12, 12),
    ]


def test_one_chunk_task_per_chunk_is_queued_after_commit(
    django_capture_on_commit_callbacks, reporter, settings
):
    settings.WORKERS = 1
    with django_capture_on_commit_callbacks() as callbacks:
        (result,) = services.document_ingest(
            path=sample("two_pages.tif"), name="two.tif", uploaded_by=reporter
        )
    assert len(callbacks) == 1  # process_document, after the upload commits
    with django_capture_on_commit_callbacks() as chunk_callbacks:
        tasks.process_document(result.document.pk)
    document = Document.objects.get()
    assert document.state == "processing"
    assert document.page_count == 2
    assert list(document.pages.values_list("state", flat=True)) == ["queued"] * 2
    # Small documents go a page a task, so idle workers can share them.
    assert len(chunk_callbacks) == 2
    # Running process_document again queues nothing more.
    with django_capture_on_commit_callbacks() as again:
        tasks.process_document(result.document.pk)
    assert again == []


def test_two_claims_on_one_page_one_wins(ingest_one):
    document = ingest_one(text_pdf(MEMO), enqueue=False).document
    tasks.process_document(document.pk)
    page = document.pages.get()
    first = services.page_claim(page_id=page.pk)
    second = services.page_claim(page_id=page.pk)
    assert first is not None
    assert second is None
    page.refresh_from_db()
    assert page.state == "running"


def test_a_page_is_claimed_with_one_conditional_update(ingest_one):
    document = ingest_one(text_pdf(MEMO), enqueue=False).document
    tasks.process_document(document.pk)
    page = document.pages.get()
    with CaptureQueriesContext(connection) as queries:
        services.page_claim(page_id=page.pk)
    (update,) = queries.captured_queries
    assert update["sql"].startswith("UPDATE")
    assert "WHERE" in update["sql"]


def test_running_a_chunk_twice_does_not_count_pages_twice(
    ingest_one, django_capture_on_commit_callbacks
):
    document = ingest_one(text_pdf(MEMO, MEMO + "\nPage two."), enqueue=False).document
    with django_capture_on_commit_callbacks():
        tasks.process_document(document.pk)
    assert tasks.process_chunk(document.pk, 1, 2) == 2
    assert tasks.process_chunk(document.pk, 1, 2) == 0
    document.refresh_from_db()
    assert document.state == "done"
    assert (document.pages_done, document.page_count) == (2, 2)
    # A task for a deleted document returns quietly.
    document_id = document.pk
    document.delete()
    assert tasks.process_chunk(document_id, 1, 2) == 0
    assert tasks.process_document(document_id) == 0


def test_a_result_is_stored_only_while_the_claim_holds(ingest_one, settings):
    document = ingest_one(text_pdf(MEMO), enqueue=False).document
    tasks.process_document(document.pk)
    page = document.pages.get()
    stale_claim = services.page_claim(page_id=page.pk)
    # Recovery hands the page to another worker, which claims it anew.
    services.document_recover(stale_after=timedelta(0))
    page.refresh_from_db()
    assert page.state == "queued"
    fresh_claim = services.page_claim(page_id=page.pk)
    assert fresh_claim != stale_claim
    with services.open_source(document) as source:
        result = services.pipeline.process_page(source, 0, dpi=72)
    services._page_store_result(
        document.pk, page_id=page.pk, claim=stale_claim, result=result
    )
    page.refresh_from_db()
    assert page.state == "running"  # the late worker's result was not stored
    document.refresh_from_db()
    assert document.pages_done == 0


def test_a_document_whose_every_page_fails_fails_with_the_pages_reason(ingest_one):
    data = sample("sideways.png").read_bytes()
    document = ingest_one(data[: len(data) // 2], name="cut.png").document
    page = document.pages.get()
    assert page.state == "failed"
    assert page.error == "Page 1 of this image is damaged and can't be read."
    assert "truncated" in page.error_detail
    assert document.state == "failed"
    assert document.error_reason == page.error
    assert (document.pages_done, document.page_count) == (1, 1)


def test_a_failed_document_is_kept_and_can_be_retried(ingest_one, editor, tmp_path):
    document = ingest_one(text_pdf(MEMO)).document
    # The stored original goes missing (a restore from backup is under way).
    stored = default_storage.path(document.original.name)
    shutil.move(stored, tmp_path / "original.pdf")
    Document.objects.filter(pk=document.pk).update(state="queued")
    Page.objects.filter(document=document).delete()
    tasks.process_document(document.pk)
    document.refresh_from_db()
    assert document.state == "failed"
    assert document.error_reason.startswith("The stored copy of this file is missing")
    assert "not in storage" in document.error_detail
    # Restored, then retried by an editor: processed from the start.
    shutil.move(tmp_path / "original.pdf", stored)
    attempts = document.attempts
    with pytest.raises(PermissionDenied):
        services.document_retry(document=document, user=None)
    services_document = services.document_retry(document=document, user=editor)
    assert services_document.state == "queued"
    tasks.process_document(document.pk)
    document.refresh_from_db()
    assert document.state == "processing"
    tasks.process_chunk(document.pk, 1, 1)
    document.refresh_from_db()
    assert document.state == "done"
    assert document.attempts == attempts + 1
    assert document.error_reason == ""


def test_weak_pages_can_be_read_again_in_another_language(
    ingest_one, reporter, django_capture_on_commit_callbacks
):
    document = ingest_one(sample("francais.pdf")).document
    page = document.pages.get()
    assert document.state == "done"
    english_reading = page.text
    old_thumbnail = page.thumbnail.name
    with django_capture_on_commit_callbacks(execute=True):
        services.document_retry(
            document=document, user=reporter, pages=[1], languages="fra"
        )
    document.refresh_from_db()
    page.refresh_from_db()
    assert document.state == "done"
    assert document.languages == "fra"
    assert (document.pages_done, document.page_count) == (1, 1)
    assert page.text != english_reading
    assert any(char in page.text for char in "éèàçê")
    assert page.thumbnail.name != old_thumbnail
    assert not default_storage.exists(old_thumbnail)


def test_retry_needs_the_right_to_edit_and_a_sensible_target(
    ingest_one, researcher, reporter
):
    document = ingest_one(text_pdf(MEMO)).document
    with pytest.raises(PermissionDenied):
        services.document_retry(document=document, user=researcher, pages=[1])
    with pytest.raises(ValueError, match="Only a failed document"):
        services.document_retry(document=document, user=reporter)
    with pytest.raises(ValueError, match="no page 5"):
        services.document_retry(document=document, user=reporter, pages=[5])


def test_a_scanned_multipage_pdf_is_processed_page_by_page(ingest_one, settings):
    settings.OCR_DPI = 100
    document = ingest_one(scan_pdf(3)).document
    assert document.state == "done"
    assert list(document.pages.values_list("source", flat=True)) == ["ocr"] * 3
    assert document.pages_done == 3


def test_deleting_a_document_deletes_its_files(
    ingest_one, reporter, django_capture_on_commit_callbacks
):
    document = ingest_one(text_pdf(MEMO)).document
    names = [document.original.name, document.pages.get().thumbnail.name]
    assert all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(document=document, user=reporter)
    assert not Document.objects.exists()
    assert not any(default_storage.exists(name) for name in names)
