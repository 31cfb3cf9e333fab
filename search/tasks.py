"""django-q2 task functions: take ids, return quietly if the row is gone, and
are safe to run twice."""

from __future__ import annotations

from search import engine


def index_document_task(document_id: int, notify: bool = True) -> int:
    return engine.index_document(document_id, notify=notify)


def index_pages_task(page_ids: list[int]) -> int:
    return engine.index_pages(page_ids)


def remove_document_task(document_id: int) -> None:
    engine.remove_document(document_id)


def reindex_request_task(request_id: int) -> int:
    return engine.reindex_request(request_id)


def reindex_agency_task(agency_id: int) -> int:
    return engine.reindex_agency(agency_id)
