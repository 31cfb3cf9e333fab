"""Rebuilding the index from the database, and checking it against the database."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from documents.models import Page
from search.engine import get_backend, index_pages
from search.entries import INDEXABLE, AgencyTree, build_entries, page_ids_in_chunks

Progress = Callable[[int, int], None]


@dataclass
class RebuildReport:
    indexed: int  # pages indexed by this run
    done: int  # pages indexed since the rebuild started, runs included
    total: int  # indexable pages in the database
    resumed_after: int  # the last page id of an earlier run (0: a fresh start)
    finished: bool


def rebuild(
    *,
    chunk_size: int = 500,
    max_chunks: int | None = None,
    restart: bool = False,
    progress: Progress | None = None,
) -> RebuildReport:
    """Rebuild the index from the database, in chunks of pages by id.

    After each chunk the progress is saved with the index (``set_checkpoint``),
    so a run that stops (killed, or after ``max_chunks``) is resumed by the next
    one; ``restart`` starts over. Memory stays bounded by ``chunk_size``.
    Pages processed while a rebuild runs are indexed by their own task as usual.
    """
    backend = get_backend()
    checkpoint = None if restart else backend.get_checkpoint()
    resumed_after = 0
    if checkpoint is None:
        backend.clear()
        checkpoint = {
            "after": 0,
            "done": 0,
            "started_at": timezone.now().isoformat(),
        }
        backend.set_checkpoint(checkpoint)
    else:
        resumed_after = checkpoint["after"]
    total = Page.objects.filter(INDEXABLE).count()
    agencies = AgencyTree()
    indexed = 0
    chunks = page_ids_in_chunks(after=checkpoint["after"], chunk_size=chunk_size)
    for done_chunks, page_ids in enumerate(chunks, start=1):
        entries = build_entries(page_ids, agencies=agencies)
        backend.index(entries, bulk=True)
        Page.objects.filter(pk__in=[entry.page_id for entry in entries]).update(
            indexed_at=timezone.now()
        )
        indexed += len(entries)
        checkpoint["after"] = page_ids[-1]
        checkpoint["done"] += len(entries)
        backend.set_checkpoint(checkpoint)
        if progress:
            progress(checkpoint["done"], total)
        if max_chunks is not None and done_chunks >= max_chunks:
            more = Page.objects.filter(INDEXABLE, pk__gt=page_ids[-1]).exists()
            if more:
                return RebuildReport(
                    indexed, checkpoint["done"], total, resumed_after, False
                )
    backend.optimize()
    backend.set_checkpoint(None)
    return RebuildReport(indexed, checkpoint["done"], total, resumed_after, True)


@dataclass
class CheckReport:
    checked: int = 0
    missing: list[int] = field(default_factory=list)  # not in the index
    stale: list[int] = field(default_factory=list)  # indexed from older data
    orphaned: list[int] = field(default_factory=list)  # indexed, no longer a page
    rebuild_unfinished: dict | None = None

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.orphaned)


def check(*, chunk_size: int = 1000, progress: Progress | None = None) -> CheckReport:
    """Compare every indexable page with what the index holds for it.

    Walks the database and the index side by side in ascending page id, so
    memory stays bounded by ``chunk_size``. A page is stale when anything the
    index records about it (text, titles, agencies, visibility...) changed.
    """
    backend = get_backend()
    report = CheckReport(rebuild_unfinished=backend.get_checkpoint())
    total = Page.objects.filter(INDEXABLE).count()
    agencies = AgencyTree()
    previous = 0
    for page_ids in page_ids_in_chunks(chunk_size=chunk_size):
        current = {
            entry.page_id: entry.fingerprint
            for entry in build_entries(page_ids, agencies=agencies)
        }
        indexed = _indexed_between(backend, previous, page_ids[-1])
        for page_id, fingerprint in current.items():
            held = indexed.pop(page_id, None)
            if held is None:
                report.missing.append(page_id)
            elif held != fingerprint:
                report.stale.append(page_id)
        report.orphaned.extend(indexed)
        report.checked += len(current)
        previous = page_ids[-1]
        if progress:
            progress(report.checked, total)
    report.orphaned.extend(_indexed_between(backend, previous, None))
    report.orphaned.sort()
    return report


def _indexed_between(backend, after: int, until: int | None) -> dict[int, str]:
    found: dict[int, str] = {}
    while True:
        chunk = backend.fingerprints(after=after, until=until, limit=5000)
        if not chunk:
            return found
        found.update(chunk)
        after = max(chunk)


def repair(report: CheckReport) -> int:
    """Reindex what ``check`` found missing or stale and drop orphaned entries."""
    return index_pages([*report.missing, *report.stale, *report.orphaned])


def format_duration(seconds: float) -> str:
    return str(datetime.timedelta(seconds=round(seconds)))
