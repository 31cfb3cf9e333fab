"""The search facade: the only way other apps reach the search index.

- ``index_pages(pages)``, ``index_document(document_id)``,
  ``remove_document(document_id)``, ``reindex_request(request_id)``: keep the
  index in step with the database (the source of truth).
- ``search(query, *, user, filters=None, sort="relevance", page=1, per_page=20,
  document_id=None)`` -> ``SearchResult``: pages ``user`` may see, grouped by
  document, with snippets, facets, the total and the time taken. A malformed
  query sets ``SearchResult.error`` and never raises.
- ``highlight_terms(query)``, ``page_match_boxes(page, query)``,
  ``highlight_page_text(text, query)``, ``page_url(document_id, number, query)``:
  for the document viewer.
- ``SERVER``: pass as ``user`` to see every page (management commands only).

The backend (Whoosh by default, PostgreSQL with ``SEARCH_BACKEND=postgres``) is
chosen at each call; see ``search/backends/``.
"""

from __future__ import annotations

from search.types import SERVER, DocumentHit, FacetCount, PageHit, SearchResult

__all__ = [
    "SERVER",
    "DocumentHit",
    "FacetCount",
    "PageHit",
    "SearchResult",
    "highlight_page_text",
    "highlight_terms",
    "index_document",
    "index_pages",
    "page_match_boxes",
    "page_url",
    "reindex_request",
    "remove_document",
    "search",
]


# Thin wrappers: the implementation imports models, which may not be loaded
# yet when Django imports this package.


def index_pages(pages, *, batch_size: int = 500) -> int:
    from search import engine

    return engine.index_pages(pages, batch_size=batch_size)


def index_document(document_id: int, *, notify: bool = True) -> int:
    from search import engine

    return engine.index_document(document_id, notify=notify)


def remove_document(document_id: int) -> None:
    from search import engine

    engine.remove_document(document_id)


def reindex_request(request_id: int) -> int:
    from search import engine

    return engine.reindex_request(request_id)


def search(
    query: str,
    *,
    user,
    filters=None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
    document_id: int | None = None,
) -> SearchResult:
    from search import engine

    per_page = min(max(1, int(per_page)), engine.MAX_PER_PAGE)
    return engine.search(
        query,
        user=user,
        filters=filters,
        sort=sort,
        page=page,
        per_page=per_page,
        document_id=document_id,
    )


def highlight_terms(query: str) -> list[str]:
    from search import engine

    return engine.highlight_terms(query)


def page_match_boxes(page, query: str) -> list[dict]:
    from search import engine

    return engine.page_match_boxes(page, query)


def highlight_page_text(text: str, query: str) -> str:
    from search import engine

    return engine.highlight_page_text(text, query)


def page_url(document_id: int, number: int, query: str = "") -> str:
    from search import engine

    return engine.page_url(document_id, number, query)
