"""The Whoosh backend's files: one writer at a time, batches, refreshed readers."""

from __future__ import annotations

import threading
import time

from whoosh import index as whoosh_index

import search
from documents.models import Page
from tests.search.factories import make_document, make_published, make_request


def test_indexing_waits_for_a_writer_that_holds_the_lock(
    whoosh_index_dir, reporter, editor
):
    make_published(["first warden memo"], request=make_request(reporter))
    second = make_document(["second warden memo"], request=make_request(reporter))
    ix = whoosh_index.open_dir(str(whoosh_index_dir), indexname="pages_v2")
    held = ix.writer()
    releaser = threading.Timer(0.5, held.cancel)
    started = time.monotonic()
    releaser.start()
    try:
        search.index_document(second.pk)
    finally:
        releaser.join()
    assert time.monotonic() - started >= 0.4
    assert search.search("warden", user=editor).total == 2


def test_pages_are_indexed_in_batches(whoosh_index_dir, reporter, editor):
    document = make_document(
        [f"warden memo {n}" for n in range(1, 8)], request=make_request(reporter)
    )
    pages = list(document.pages.all())
    assert search.index_pages(pages, batch_size=3) == 7
    assert search.search("warden", user=editor).total == 7
    assert not Page.objects.filter(indexed_at__isnull=True).exists()
    ix = whoosh_index.open_dir(str(whoosh_index_dir), indexname="pages_v2")
    assert ix.doc_count() == 7


def test_a_search_sees_what_was_indexed_after_it_opened_the_index(
    whoosh_index_dir, reporter, editor
):
    make_published(["warden"], request=make_request(reporter))
    assert search.search("warden", user=editor).total == 1
    make_published(["another warden"], request=make_request(reporter))
    assert search.search("warden", user=editor).total == 2


def test_replaced_pages_do_not_linger_in_what_the_index_reports(
    whoosh_index_dir, reporter
):
    from io import StringIO

    from django.core.management import call_command

    document = make_published(["first text"], request=make_request(reporter))
    for round_number in range(6):
        document.pages.update(text=f"text, version {round_number}")
        search.index_document(document.pk, notify=False)
        out = StringIO()
        call_command("search_check", stdout=out)
        assert "Checked 1 page: 0 missing, 0 stale, 0 orphaned" in out.getvalue()
