"""Processing without the task queue: for ``ingest --wait`` and ``process_pending``
when no worker cluster runs, and for the benchmark.

The same chunk function the workers run, fanned out over a pool of processes
(one per core), so a command-line import is as fast as the cluster.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.db import connections
from django.db.models import Sum

from documents import selectors, services
from documents.models import Document

Progress = Callable[[int, int], None]
Job = tuple[int, int, int]  # document id, first page, last page


def process_here(
    document_ids: Iterable[int],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    chunks: dict[int, list[services.Chunk]] | None = None,
    index: bool = True,
) -> None:
    """Process the documents' waiting pages in this process and ``workers``
    forked children, reporting ``progress(pages_done, page_count)`` as it goes.

    Queued archives are unpacked here first, and the documents they give are
    processed too. Queued documents are opened and split into chunks here;
    ``chunks`` may give
    the chunks of documents already started (``document_recover``'s report).
    Returns when every chunk has run and (with ``index``) the documents that
    finished are indexed for search.
    """
    workers = max(1, workers or os.cpu_count() or 1)
    document_ids = list(dict.fromkeys(document_ids))
    # Archives first: the documents they unpack into are processed with the rest.
    for archive_id in Document.objects.filter(
        pk__in=document_ids, kind=Document.Kind.ZIP, state=Document.State.QUEUED
    ).values_list("pk", flat=True):
        services.archive_unpack(archive_id=archive_id, enqueue=False)
    document_ids = selectors.with_unpacked(document_ids)
    jobs: list[Job] = []
    started: list[int] = []
    documents = Document.objects.filter(pk__in=document_ids).exclude(
        kind=Document.Kind.ZIP
    )
    for document in documents.order_by("pk"):
        if document.state == Document.State.QUEUED:
            found = services.document_process_start(
                document=document, enqueue=False, workers=workers
            )
        elif document.state == Document.State.PROCESSING:
            found = (chunks or {}).get(document.pk) or services.document_pending_chunks(
                document=document, workers=workers
            )
        else:
            continue
        started.append(document.pk)
        jobs.extend((document.pk, first, last) for first, last in found)
    _report(document_ids, progress)
    if jobs:
        _run_jobs(jobs, workers=workers, document_ids=document_ids, progress=progress)
    if index:
        index_documents(started)


def index_documents(document_ids: Iterable[int]) -> None:
    """Index the documents that are done, here (search stays out of the pool)."""
    for document_id in document_ids:
        services.document_index(document_id=document_id)


def _run_jobs(
    jobs: list[Job], *, workers: int, document_ids: list[int], progress
) -> None:
    if workers == 1 or len(jobs) == 1:
        for job in jobs:
            _run_job(job)
            _report(document_ids, progress)
        return
    # Children are forked: each must open its own database connection, and
    # forked copies of this process's connections would be shared sockets.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(min(workers, len(jobs)), initializer=_child_start) as pool:
        pending = pool.map_async(_run_job_in_child, jobs, chunksize=1)
        while not pending.ready():
            pending.wait(0.5)
            _report(document_ids, progress)
        pending.get()
    connections.close_all()
    _report(document_ids, progress)


def totals(document_ids: Iterable[int]) -> tuple[int, int]:
    """Pages finished and pages in all, over the documents."""
    figures = Document.objects.filter(pk__in=list(document_ids)).aggregate(
        done=Sum("pages_done"), total=Sum("page_count")
    )
    return figures["done"] or 0, figures["total"] or 0


def wait_for(
    document_ids: Iterable[int],
    *,
    progress: Progress | None = None,
    poll_seconds: float = 1.0,
    worker_alive: Callable[[], bool] | None = None,
    workers: int | None = None,
) -> None:
    """Return when none of the documents, nor any document unpacked from the
    archives among them, is queued or processing.

    When ``worker_alive`` says the cluster has gone, the rest is processed here.
    """
    given = list(document_ids)
    last_check = time.monotonic()
    while True:
        document_ids = selectors.with_unpacked(given)
        _report(document_ids, progress)
        unfinished = Document.objects.filter(
            pk__in=document_ids,
            state__in=(Document.State.QUEUED, Document.State.PROCESSING),
        )
        if not unfinished.exists():
            return
        if worker_alive is not None and time.monotonic() - last_check > 30:
            last_check = time.monotonic()
            if not worker_alive():
                report = services.document_recover(
                    stale_after=timedelta(0), enqueue=False, workers=workers
                )
                process_here(
                    list(unfinished.values_list("pk", flat=True)),
                    workers=workers,
                    progress=progress,
                    chunks=report.chunks,
                )
                continue
        time.sleep(poll_seconds)


def _report(document_ids: list[int], progress: Progress | None) -> None:
    if progress is not None:
        progress(*totals(document_ids))


def _child_start() -> None:
    # Ctrl-C goes to the parent, which stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def _run_job(job: Job) -> int:
    document_id, first, last = job
    return services.document_chunk_process(
        document_id=document_id, first_page=first, last_page=last, index=False
    )


def _run_job_in_child(job: Job) -> int:
    try:
        return _run_job(job)
    finally:
        connections.close_all()
