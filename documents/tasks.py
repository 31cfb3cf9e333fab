"""django-q2 task functions: they take ids, return quietly when the row is gone,
call a service, and are safe to run twice."""

from __future__ import annotations

from documents import services
from documents.models import Document


def process_document(document_id: int) -> int:
    """Open a queued document, create its pages and queue their chunks.

    Returns the number of chunks queued.
    """
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return 0
    return len(services.document_process_start(document=document))


def unpack_archive(document_id: int) -> int:
    """Unpack a queued ZIP archive into documents; returns how many it created."""
    return len(services.archive_unpack(archive_id=document_id))


def process_chunk(document_id: int, first_page: int, last_page: int) -> int:
    """Process the pages of one chunk still waiting; returns how many it did."""
    return services.document_chunk_process(
        document_id=document_id, first_page=first_page, last_page=last_page
    )


def index_document(document_id: int) -> None:
    """Index a finished document's pages for search."""
    services.document_index(document_id=document_id)


def recover_stalled() -> int:
    """Scheduled: queue again what a dead worker left; returns pages recovered."""
    return services.document_recover().pages_requeued
