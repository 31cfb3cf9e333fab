"""What ``search.search`` returns. Plain data: no models, no backend."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple


class _Server:
    """Stands for the server itself (management commands): sees every page."""

    def __repr__(self) -> str:
        return "SERVER"


SERVER = _Server()


class FacetCount(NamedTuple):
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class PageHit:
    document_id: int
    page_id: int
    number: int
    score: float
    snippet: str  # HTML-escaped text with matches in <mark>
    url: str  # the document viewer at this page, with the query

    def as_json(self) -> dict:
        return {
            "document_id": self.document_id,
            "page": self.number,
            "score": round(self.score, 6),
            "snippet": self.snippet,
        }


@dataclass
class DocumentHit:
    document_id: int
    title: str
    request_id: int | None
    request_title: str
    agency: str
    url: str
    pages: list[PageHit] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "document_id": self.document_id,
            "title": self.title,
            "request_id": self.request_id,
            "request_title": self.request_title,
            "agency": self.agency,
            "pages": [hit.number for hit in self.pages],
        }


@dataclass
class SearchResult:
    """Hits of one result page, grouped by document, with facets and the total.

    ``total`` counts matching pages the user may see. ``hits`` are this result
    page's page hits in rank order; ``documents`` groups them by document in
    the order each document first appears. ``error`` is a sentence for the user
    when the query could not be run (then everything else is empty).

    ``total_exact`` is False when very many pages match and the backend
    estimated ``total`` and the facet counts from a sample of the matching
    pages: both are then rounded (24,317 is shown as 24,000) and should be
    shown as approximate. The hits are exact either way.
    """

    query: str
    total: int = 0
    total_exact: bool = True
    hits: list[PageHit] = field(default_factory=list)
    documents: list[DocumentHit] = field(default_factory=list)
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    took_ms: float = 0.0
    error: str | None = None
    page: int = 1
    per_page: int = 20
    sort: str = "relevance"
    asked: bool = True  # False when there was nothing to search for

    @property
    def num_pages(self) -> int:
        if not self.per_page:
            return 1
        shown = self.last_index if self.hits else 0
        pages = math.ceil(max(self.total, shown) / self.per_page)
        if not self.total_exact and len(self.hits) == self.per_page:
            # An estimate may fall short of the real count: a full page may
            # have more after it, so the next one stays reachable.
            pages = max(pages, self.page + 1)
        return max(1, pages)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.hits else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.per_page + len(self.hits)

    def as_json(self) -> dict:
        return {
            "total": self.total,
            "total_exact": self.total_exact,
            "hits": [hit.as_json() for hit in self.hits],
            "facets": {
                name: [
                    {"value": item.value, "label": item.label, "count": item.count}
                    for item in items
                ]
                for name, items in self.facets.items()
            },
        }
