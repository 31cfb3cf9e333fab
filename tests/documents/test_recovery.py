"""Work a dead worker leaves behind is picked up again; nothing is lost."""

from __future__ import annotations

import io
import os
import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from documents import services, tasks
from documents.models import Document, Page
from tests.conftest import wait_for
from tests.documents.conftest import MEMO, scan_pdf, text_pdf


def _stall(document: Document, *, claimed_ago: timedelta) -> Page:
    """Leave the document as a worker that died on its first page would."""
    tasks.process_document(document.pk)
    page = document.pages.order_by("number").first()
    assert services.page_claim(page_id=page.pk) is not None
    Page.objects.filter(pk=page.pk).update(claimed_at=timezone.now() - claimed_ago)
    Document.objects.filter(pk=document.pk).update(
        progressed_at=timezone.now() - claimed_ago
    )
    return page


@pytest.mark.django_db
def test_recovery_is_scheduled_every_few_minutes():
    schedule = Schedule.objects.get(func="documents.tasks.recover_stalled")
    assert schedule.schedule_type == Schedule.MINUTES
    assert schedule.minutes <= 10


@pytest.mark.django_db
def test_scheduled_recovery_requeues_pages_stuck_longer_than_the_task_timeout(
    ingest_one, settings, django_capture_on_commit_callbacks
):
    settings.Q_TIMEOUT = 600
    stalled = ingest_one(text_pdf(MEMO, MEMO), name="a.pdf", enqueue=False).document
    busy = ingest_one(text_pdf(MEMO + "\nOther."), name="b.pdf", enqueue=False).document
    stuck_page = _stall(stalled, claimed_ago=timedelta(hours=1))
    busy_page = _stall(busy, claimed_ago=timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.recover_stalled() == 1
    stalled.refresh_from_db()
    stuck_page.refresh_from_db()
    assert stuck_page.state == "done"
    assert stalled.state == "done"
    assert (stalled.pages_done, stalled.page_count) == (2, 2)
    # A page claimed a minute ago still belongs to a live worker.
    busy_page.refresh_from_db()
    assert busy_page.state == "running"


@pytest.mark.django_db
def test_a_page_that_stops_every_worker_is_given_up_not_retried_for_ever(
    ingest_one, django_capture_on_commit_callbacks
):
    document = ingest_one(text_pdf(MEMO, MEMO), enqueue=False).document
    tasks.process_document(document.pk)
    poison = document.pages.get(number=1)
    for _attempt in range(services.MAX_PAGE_ATTEMPTS):
        assert services.page_claim(page_id=poison.pk) is not None
        # The worker dies; recovery hands the page out again.
        with django_capture_on_commit_callbacks():
            report = services.document_recover(stale_after=timedelta(0))
    assert (report.pages_requeued, report.pages_failed) == (0, 1)
    poison.refresh_from_db()
    assert poison.state == "failed"
    assert poison.error == services.PAGE_STOPS_WORKERS
    tasks.process_chunk(document.pk, 2, 2)
    document.refresh_from_db()
    assert document.state == "done"  # the other page was read
    assert (document.pages_done, document.page_count) == (2, 2)


@pytest.mark.django_db
def test_process_pending_finishes_stalled_documents_now(ingest_one):
    document = ingest_one(text_pdf(MEMO, MEMO), enqueue=False).document
    _stall(document, claimed_ago=timedelta(seconds=5))
    out = io.StringIO()
    call_command("process_pending", "--workers", "1", stdout=out, stderr=io.StringIO())
    document.refresh_from_db()
    assert document.state == "done"
    assert (document.pages_done, document.page_count) == (2, 2)
    assert "1 stalled pages queued again" in out.getvalue()


@pytest.mark.cluster
def test_a_worker_killed_mid_document_loses_no_page(
    worker_cluster, reporter, monkeypatch
):
    from django_q.conf import Conf

    # This process hands tasks to the broker, for the cluster to run.
    monkeypatch.setattr(Conf, "SYNC", False)
    pages = 8
    (result,) = services.document_ingest(
        fileobj=io.BytesIO(scan_pdf(pages, seed=7, dpi=150)),
        name="release.pdf",
        uploaded_by=reporter,
    )
    document = result.document

    def some_done_and_one_running() -> bool:
        states = list(document.pages.values_list("state", flat=True))
        return states.count("done") >= 2 and "running" in states

    wait_for(
        some_done_and_one_running,
        timeout=90,
        interval=0.05,
        what="the workers to finish two pages and start another",
    )
    os.killpg(worker_cluster.pid, signal.SIGKILL)
    worker_cluster.wait(timeout=30)
    document.refresh_from_db()
    states = list(document.pages.values_list("state", flat=True))
    assert document.state == "processing"
    assert "running" in states  # killed in the middle of a page
    assert document.pages_done < pages

    # No worker left: process_pending takes every claim back and does the rest.
    monkeypatch.setattr(Conf, "SYNC", True)
    call_command(
        "process_pending",
        "--stale-after",
        "0",
        "--here",
        "--workers",
        "2",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    document.refresh_from_db()
    assert document.state == "done"
    assert document.pages_done == document.page_count == pages
    assert set(document.pages.values_list("state", flat=True)) == {"done"}
    assert set(document.pages.values_list("source", flat=True)) == {"ocr"}
