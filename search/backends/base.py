"""What every search backend provides; the facade talks to nothing else."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from search.entries import IndexEntry
from search.query import Node
from search.visibility import Scope

FACETS = ("agency", "request", "year", "exemption", "source")
# Relevance ranking scores at most this many matching pages: the most recently
# received ones (then by page id). When more match, the others follow them in
# that order, unscored. This keeps a query's cost bounded on both backends
# (ranking reads each page's words). Totals and facets count every match, except
# on PostgreSQL above ``postgres.EXACT_LIMIT`` matches, where they are
# estimated from a sample (``BackendResult.exact``).
RANK_LIMIT = 2000


def window_and_rest(offset: int, limit: int, window: int) -> tuple[range, range]:
    """Which result positions come from the ranked window, which after it
    (counted from the end of the window)."""
    end = offset + limit
    ranked = range(min(offset, window), min(end, window))
    rest = range(max(offset, window) - window, max(end, window) - window)
    return ranked, rest


class IndexBusy(RuntimeError):
    """Another process held the index's write lock for too long."""


@dataclass(frozen=True)
class SearchPlan:
    """A resolved query tree (agency names looked up, negations anchored)."""

    node: Node
    scope: Scope
    sort: str = "relevance"  # or "date": newest received first
    offset: int = 0
    limit: int = 20
    facets: bool = True
    rank_limit: int = RANK_LIMIT


@dataclass(frozen=True)
class RawHit:
    page_id: int
    document_id: int
    number: int
    score: float


@dataclass
class BackendResult:
    total: int
    hits: list[RawHit]
    # facet name -> [(raw value, count)], raw values being ids, years or codes
    facets: dict[str, list[tuple[object, int]]] = field(default_factory=dict)
    # False when the total and the facet counts are estimates (PostgreSQL,
    # many matches): the hits are exact all the same.
    exact: bool = True


class SearchBackend(abc.ABC):
    name: str

    @abc.abstractmethod
    def index(self, entries: Sequence[IndexEntry], *, bulk: bool = False) -> None:
        """Add or replace the entries (one per page) in one batch.

        ``bulk``: one of many batches of a rebuild, which ends with
        ``optimize()``; a backend may defer housekeeping until then.
        """

    @abc.abstractmethod
    def remove_pages(self, page_ids: Iterable[int]) -> None: ...

    @abc.abstractmethod
    def remove_document(self, document_id: int) -> None: ...

    @abc.abstractmethod
    def clear(self) -> None:
        """Empty the index (a rebuild starts here)."""

    @abc.abstractmethod
    def search(self, plan: SearchPlan) -> BackendResult: ...

    @abc.abstractmethod
    def page_ids_for(
        self, *, request_id: int | None = None, document_id: int | None = None
    ) -> set[int]:
        """Pages the index holds for a request or a document."""

    @abc.abstractmethod
    def fingerprints(
        self, *, after: int = 0, until: int | None = None, limit: int = 5000
    ) -> dict[int, str]:
        """``{page_id: fingerprint}`` for indexed pages with ``after < id <=
        until``, in ascending order of id, at most ``limit`` of them."""

    def optimize(self) -> None:  # noqa: B027 - nothing to do by default
        """Tidy up after a rebuild (merge segments, refresh statistics)."""

    @abc.abstractmethod
    def count(self) -> int: ...

    @abc.abstractmethod
    def get_checkpoint(self) -> dict | None:
        """Progress of an unfinished rebuild, if any."""

    @abc.abstractmethod
    def set_checkpoint(self, checkpoint: dict | None) -> None: ...

    def close(self) -> None:  # noqa: B027 - most backends hold nothing open
        """Release open files or connections (tests switch index folders)."""
