"""Whoosh (whoosh-reloaded) on local disk: the default backend.

Words arrive analysed (``search.analysis``), so the index only splits on spaces.
Visibility, facets and date sorting read per-page values kept in memory for each
index segment (segments never change once written, so the values are loaded
once per segment), which keeps those steps proportional to the matching pages
rather than to the index.

One writer at a time: Whoosh's lock file guards the index, and a writer waits
for it (see ``WRITE_LOCK_TIMEOUT``) before giving up with ``IndexBusy``.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import heapq
import itertools
import json
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from whoosh import fields, index, query
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.index import LockError

from search import query as q
from search.backends.base import (
    BackendResult,
    IndexBusy,
    RawHit,
    SearchBackend,
    SearchPlan,
    window_and_rest,
)
from search.entries import IndexEntry
from search.visibility import Access, Grant

INDEX_NAME = "pages_v2"
WRITE_LOCK_TIMEOUT = 60.0
CHECKPOINT_FILE = "rebuild-checkpoint.json"

# Stored per page as one tuple ("meta"), read back as a segment's row values:
# page_id, document_id, number, request_ids, received (ordinal), exemptions,
# source, agency_ids, access (orphan, uploader_id, grants, adder_ids),
# fingerprint.


def _schema() -> fields.Schema:
    words = SpaceSeparatedTokenizer()
    # Every indexed field is "scorable" (keeps a length per document): when a
    # field has no lengths, whoosh-reloaded 2.7.5 looks for their file on disk
    # for each of the field's postings while writing and merging, which made
    # indexing some fifty times slower. Dates are keywords (YYYYMMDD) for the
    # same reason, and ranges over them are term ranges.
    return fields.Schema(
        page_id=fields.KEYWORD(unique=True, scorable=True),
        document=fields.KEYWORD(scorable=True),
        request=fields.KEYWORD(scorable=True),
        # No positions: phrases are matched through the pairs field.
        text=fields.TEXT(analyzer=words, phrase=False),
        title=fields.TEXT(analyzer=words, phrase=False),
        pairs=fields.KEYWORD(scorable=True),
        words=fields.KEYWORD(scorable=True),
        exact=fields.KEYWORD(scorable=True),
        agency=fields.KEYWORD(scorable=True),
        exemption=fields.KEYWORD(scorable=True),
        tag=fields.KEYWORD(commas=True, scorable=True),
        jurisdiction=fields.KEYWORD(scorable=True),
        source=fields.KEYWORD(scorable=True),
        received=fields.KEYWORD(scorable=True),
        meta=fields.STORED(),
    )


class _Segment:
    """Per-page values of one segment, indexed by the segment's doc numbers."""

    def __init__(self, reader) -> None:
        size = reader.doc_count_all()
        self.rows: list[tuple | None] = [None] * size
        interned: dict[tuple, tuple] = {}
        for docnum, stored in reader.iter_docs():
            row = stored["meta"]
            access = row[8]
            row = (*row[:8], interned.setdefault(access, access), row[9])
            self.rows[docnum] = row


class WhooshBackend(SearchBackend):
    name = "whoosh"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._index = None
        self._searcher = None
        self._segments: dict[str, _Segment] = {}
        self._docvalues: _DocValues | None = None

    # --- Opening ------------------------------------------------------------

    def _ix(self):
        if self._index is None:
            self.path.mkdir(parents=True, exist_ok=True)
            if index.exists_in(str(self.path), indexname=INDEX_NAME):
                self._index = index.open_dir(str(self.path), indexname=INDEX_NAME)
            else:
                self._index = index.create_in(
                    str(self.path), _schema(), indexname=INDEX_NAME
                )
        return self._index

    def _current_searcher(self):
        with self._lock:
            ix = self._ix()
            if self._searcher is None or not self._searcher.up_to_date():
                # The old searcher is left to the garbage collector: another
                # thread may still be reading through it.
                self._searcher = ix.searcher()
            return self._searcher

    def _values(self, searcher) -> _DocValues:
        """Per-page values of every doc number of ``searcher``."""
        with self._lock:
            if self._docvalues is not None and self._docvalues.searcher is searcher:
                return self._docvalues
            rows: list = []
            seen = set()
            for reader, _offset in searcher.reader().leaf_readers():
                key = reader.segment().segment_id() if reader.segment() else id(reader)
                seen.add(key)
                segment = self._segments.get(key)
                if segment is None or len(segment.rows) != reader.doc_count_all():
                    segment = self._segments[key] = _Segment(reader)
                if reader.has_deletions():
                    # Replaced or removed pages stay in their segment, marked.
                    alive = set(reader.all_doc_ids())
                    rows.extend(
                        row if docnum in alive else None
                        for docnum, row in enumerate(segment.rows)
                    )
                else:
                    rows.extend(segment.rows)
            for key in set(self._segments) - seen:
                del self._segments[key]
            self._docvalues = _DocValues(searcher, rows)
            return self._docvalues

    def _writer(self):
        try:
            return self._ix().writer(timeout=WRITE_LOCK_TIMEOUT, delay=0.05)
        except LockError as exc:
            raise IndexBusy(
                f"The search index at {self.path} stayed locked by another writer "
                f"for {WRITE_LOCK_TIMEOUT:.0f} s."
            ) from exc

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = None
            self._segments.clear()
            if self._index is not None:
                self._index.close()
            self._index = None

    # --- Writing ------------------------------------------------------------

    def index(self, entries: Sequence[IndexEntry], *, bulk: bool = False) -> None:
        if not entries:
            return
        writer = self._writer()
        try:
            # Replace earlier versions with one searcher for the whole batch
            # (update_document opens one per document).
            with writer.searcher() as searcher:
                for entry in entries:
                    writer.delete_by_term(
                        "page_id", str(entry.page_id), searcher=searcher
                    )
            for entry in entries:
                writer.add_document(**_document(entry))
        except BaseException:
            writer.cancel()
            raise
        # A rebuild merges its segments once, at the end (optimize), instead
        # of after every batch.
        writer.commit(merge=not bulk)

    def remove_pages(self, page_ids: Iterable[int]) -> None:
        page_ids = list(page_ids)
        if not page_ids:
            return
        writer = self._writer()
        try:
            for page_id in page_ids:
                writer.delete_by_term("page_id", str(page_id))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def remove_document(self, document_id: int) -> None:
        writer = self._writer()
        try:
            writer.delete_by_term("document", str(document_id))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def clear(self) -> None:
        # Holding the lock keeps a concurrent writer from committing into the
        # index being replaced.
        writer = self._writer()
        writer.cancel()
        with self._lock:
            self._searcher = None
            self._segments.clear()
            self._index = index.create_in(
                str(self.path), _schema(), indexname=INDEX_NAME
            )

    def optimize(self) -> None:
        self._ix().optimize()

    # --- Reading ------------------------------------------------------------

    def count(self) -> int:
        return self._current_searcher().doc_count()

    def page_ids_for(self, *, request_id=None, document_id=None) -> set[int]:
        if request_id is not None:
            wanted = query.Term("request", str(request_id))
        elif document_id is not None:
            wanted = query.Term("document", str(document_id))
        else:
            return set()
        # A term query, not the in-memory sets: this runs after every commit
        # (index_document), when those sets would have to be rebuilt.
        searcher = self._current_searcher()
        rows = self._values(searcher).rows
        return {rows[docnum][0] for docnum in searcher.docs_for_query(wanted)}

    def fingerprints(
        self, *, after: int = 0, until: int | None = None, limit: int = 5000
    ) -> dict[int, str]:
        keys, ordered = self._values(self._current_searcher()).by_page()
        start = bisect.bisect_right(keys, after)
        stop = len(keys) if until is None else bisect.bisect_right(keys, until)
        return dict(ordered[start : min(stop, start + limit)])

    def search(self, plan: SearchPlan) -> BackendResult:
        searcher = self._current_searcher()
        values = self._values(searcher)
        rows = values.rows
        visible = values.visible(plan.scope)
        if not visible:  # (an empty filter set would mean "no filter" to Whoosh)
            return BackendResult(0, [], values.facets(set()) if plan.facets else {})
        scores: dict[int, float] | None = None
        if _is_text(plan.node) and not isinstance(
            plan.node, q.Term | q.Prefix | q.Fuzzy
        ):
            # Several words or a phrase match fewer pages than each of their
            # words, and finding them is the costly part: do it once, scoring
            # every match on the way.
            results = searcher.search(_compile(plan.node), filter=visible, limit=None)
            scores = {docnum: score or 0.0 for score, docnum in results.top_n}
            allowed = set(scores)
        else:
            allowed = _Evaluator(searcher, values).docs(plan.node) & visible
        total = len(allowed)
        facets = values.facets(allowed) if plan.facets else {}
        wanted = plan.offset + plan.limit
        if not allowed or plan.offset >= total:
            return BackendResult(total, [], facets)

        def in_order(docnum: int) -> tuple:
            return rows[docnum][1:3]  # document, page number

        if plan.sort == "date":
            ordered = heapq.nsmallest(
                wanted, allowed, key=lambda d: (-rows[d][4], *in_order(d))
            )[plan.offset :]
            if scores is None:
                scores = _scores(searcher, _ranking_query(plan.node), set(ordered))
            return BackendResult(
                total, [_hit(rows[d], scores.get(d, 0.0)) for d in ordered], facets
            )

        def newest(docnum: int) -> tuple:
            return rows[docnum][4], rows[docnum][0]  # received, page id

        window = allowed
        if total > plan.rank_limit:
            window = set(heapq.nlargest(plan.rank_limit, allowed, key=newest))
        in_window, after_window = window_and_rest(
            plan.offset, plan.limit, plan.rank_limit
        )
        hits: list[RawHit] = []
        if in_window:
            needed = in_window.stop
            if scores is None:
                ranking = _ranking_query(plan.node)
                scores = {}
                if ranking is not None:
                    results = searcher.search(ranking, filter=window, limit=needed)
                    scores = {docnum: score or 0.0 for score, docnum in results.top_n}
            scored = [docnum for docnum in scores if docnum in window]
            # Ties broken as PostgreSQL does: document, then page number. Pages
            # matched only through filters score 0 and come after the others.
            ranked = heapq.nsmallest(
                needed, scored, key=lambda d: (-round(scores[d], 6), *in_order(d))
            )
            if len(ranked) < needed:
                ranked += heapq.nsmallest(
                    needed - len(ranked), window.difference(scored), key=in_order
                )
            hits += [
                _hit(rows[d], scores.get(d, 0.0)) for d in ranked[in_window.start :]
            ]
        if after_window:
            rest = heapq.nlargest(after_window.stop, allowed - window, key=newest)
            hits += [_hit(rows[d], 0.0) for d in rest[after_window.start :]]
        return BackendResult(total, hits, facets)

    # --- Rebuild checkpoint -----------------------------------------------------

    def get_checkpoint(self) -> dict | None:
        path = self.path / CHECKPOINT_FILE
        try:
            return json.loads(path.read_text())
        except (FileNotFoundError, ValueError):
            return None

    def set_checkpoint(self, checkpoint: dict | None) -> None:
        path = self.path / CHECKPOINT_FILE
        if checkpoint is None:
            path.unlink(missing_ok=True)
            return
        self.path.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(checkpoint))
        temporary.replace(path)


def _access(stored: tuple) -> Access:
    orphan, uploader_id, grants, adder_ids = stored
    return Access(
        orphan, uploader_id, tuple(Grant(*grant) for grant in grants), adder_ids
    )


def _day(day) -> str:
    return day.isoformat().replace("-", "")


def _hit(row: tuple, score: float) -> RawHit:
    return RawHit(page_id=row[0], document_id=row[1], number=row[2], score=score)


def _scores(searcher, ranking, docnums: set[int]) -> dict[int, float]:
    if ranking is None or not docnums:
        return {}
    results = searcher.search(ranking, filter=docnums, limit=None)
    return {hit.docnum: hit.score or 0.0 for hit in results}


class _DocValues:
    """The stored values of one searcher's pages, and sets built from them.

    Filters, visibility and facets are answered from these in memory: sets of
    doc numbers per value, built once per searcher, and combined with set
    operations, so a query costs little beyond the pages its words match.
    """

    VISIBLE_CACHE = 16

    def __init__(self, searcher, rows: list) -> None:
        self.searcher = searcher
        self.rows = rows
        self._lock = threading.Lock()
        self._sets: dict[str, dict] = {}
        self._by_access: dict[tuple, set[int]] | None = None
        self._visible: dict[tuple, set[int]] = {}
        self._received: tuple[list, list] | None = None
        self._by_page: tuple[list, list] | None = None
        self._columns: dict[str, list] = {}

    @functools.cached_property
    def alive(self) -> set[int]:
        return {docnum for docnum, row in enumerate(self.rows) if row is not None}

    def _field_sets(self, field: str) -> dict:
        found = self._sets.get(field)
        if found is not None:
            return found
        index, many = _FIELDS[field]
        sets: dict = {}
        for docnum, row in enumerate(self.rows):
            if row is None:
                continue
            if many:
                for value in row[index]:
                    sets.setdefault(value, set()).add(docnum)
            else:
                sets.setdefault(row[index], set()).add(docnum)
        with self._lock:
            self._sets[field] = sets
        return sets

    def docs_with(self, field: str, values) -> set[int]:
        sets = self._field_sets(field)
        found = [sets[value] for value in values if value in sets]
        if not found:
            return set()
        return set().union(*found) if len(found) > 1 else set(found[0])

    def docs_received(self, start, end) -> set[int]:
        if self._received is None:
            pairs = sorted(
                (row[4], docnum)
                for docnum, row in enumerate(self.rows)
                if row is not None
            )
            self._received = ([day for day, _ in pairs], [d for _, d in pairs])
        days, docnums = self._received
        low = bisect.bisect_left(days, start.toordinal()) if start else 0
        high = bisect.bisect_right(days, end.toordinal()) if end else len(days)
        return set(docnums[low:high])

    def visible(self, scope) -> set[int]:
        """Doc numbers ``scope`` may see: a union over the few distinct
        access records (one per request or request combination)."""
        if scope.everything:
            return self.alive
        key = (
            scope.user_id,
            scope.shared,
            scope.orphans,
            scope.today,
        )
        found = self._visible.get(key)
        if found is not None:
            return found
        if self._by_access is None:
            by_access: dict[tuple, set[int]] = {}
            for docnum, row in enumerate(self.rows):
                if row is not None:
                    by_access.setdefault(row[8], set()).add(docnum)
            self._by_access = by_access
        allowed = [
            docnums
            for access, docnums in self._by_access.items()
            if scope.allows(_access(access))
        ]
        found = set().union(*allowed) if allowed else set()
        with self._lock:
            if len(self._visible) >= self.VISIBLE_CACHE:
                self._visible.pop(next(iter(self._visible)))
            self._visible[key] = found
        return found

    def _column(self, name: str) -> list:
        column = self._columns.get(name)
        if column is None:
            index = _COLUMNS[name]
            if name == "year":
                years: dict[int, int] = {}
                column = [
                    None
                    if row is None
                    else years.setdefault(
                        row[4], datetime.date.fromordinal(row[4]).year
                    )
                    for row in self.rows
                ]
            else:
                column = [None if row is None else row[index] for row in self.rows]
            self._columns[name] = column
        return column

    def facets(self, docnums: set[int]) -> dict[str, list[tuple[object, int]]]:
        many = itertools.chain.from_iterable
        counted = {
            "agency": Counter(many(map(self._column("agency").__getitem__, docnums))),
            "request": Counter(many(map(self._column("request").__getitem__, docnums))),
            "year": Counter(map(self._column("year").__getitem__, docnums)),
            "exemption": Counter(
                many(map(self._column("exemption").__getitem__, docnums))
            ),
            "source": Counter(map(self._column("source").__getitem__, docnums)),
        }
        counted["source"].pop("", None)
        return {name: list(counter.items()) for name, counter in counted.items()}

    def by_page(self) -> tuple[list, list]:
        if self._by_page is None:
            ordered = sorted((row[0], row[9]) for row in self.rows if row is not None)
            self._by_page = ([pk for pk, _ in ordered], ordered)
        return self._by_page


# Positions in a stored row (see _document): (index, holds several values).
_FIELDS = {
    "page": (0, False),
    "document": (1, False),
    "request": (3, True),
    "exemption": (5, True),
    "source": (6, False),
    "agency": (7, True),
}
_COLUMNS = {"request": 3, "exemption": 5, "source": 6, "agency": 7, "year": 4}


class _Evaluator:
    """Doc numbers matching a query tree: words through Whoosh, filters from
    the in-memory sets."""

    def __init__(self, searcher, values: _DocValues) -> None:
        self.searcher = searcher
        self.values = values

    def docs(self, node: q.Node) -> set[int]:
        if isinstance(node, q.MatchAll):
            return self.values.alive
        if _is_text(node):
            return set(self.searcher.docs_for_query(_compile(node)))
        if isinstance(node, q.And):
            positives = [c for c in node.children if not isinstance(c, q.Not)]
            negatives = [c.child for c in node.children if isinstance(c, q.Not)]
            text = [c for c in positives if _is_text(c)]
            other = [c for c in positives if not _is_text(c)]
            sets = [self.docs(c) for c in other]
            if text:
                sets.append(
                    self.docs(text[0] if len(text) == 1 else q.And(tuple(text)))
                )
            sets.sort(key=len)
            found = set(sets[0]) if sets else set(self.values.alive)
            for other_set in sets[1:]:
                found &= other_set
                if not found:
                    return found
            for negative in negatives:
                found -= self.docs(negative)
            return found
        if isinstance(node, q.Or):
            found: set[int] = set()
            for child in node.children:
                found |= self.docs(child)
            return found
        if isinstance(node, q.Not):
            return self.values.alive - self.docs(node.child)
        if isinstance(node, q.Filter):
            if node.field in ("jurisdiction", "tag"):
                return set(self.searcher.docs_for_query(_filter(node)))
            values = node.values
            return self.values.docs_with(node.field, values)
        if isinstance(node, q.DateRange):
            return self.values.docs_received(node.start, node.end)
        raise TypeError(f"cannot evaluate {node!r}")


def _is_text(node: q.Node) -> bool:
    """Whether Whoosh answers ``node`` alone (words, phrases, titles)."""
    if isinstance(node, q.TEXT_LEAVES):
        return True
    if isinstance(node, q.And | q.Or):
        return all(_is_text(child) for child in node.children)
    if isinstance(node, q.Not):
        return _is_text(node.child)
    return False


def _ranking_query(node: q.Node) -> query.Query | None:
    """What scores a page: the query's words with its filters and exclusions
    left out (``None`` for a query of filters only)."""
    skeleton = _words_only(node)
    return _compile(skeleton) if skeleton is not None else None


def _words_only(node: q.Node) -> q.Node | None:
    if isinstance(node, q.TEXT_LEAVES):
        return node
    if isinstance(node, q.And | q.Or):
        children = [
            child
            for child in (_words_only(child) for child in node.children)
            if child is not None
        ]
        if not children:
            return None
        return children[0] if len(children) == 1 else type(node)(tuple(children))
    return None  # filters, MatchAll and exclusions do not score


def _document(entry: IndexEntry) -> dict:
    access = entry.access
    meta = (
        entry.page_id,
        entry.document_id,
        entry.number,
        entry.request_ids,
        entry.received.toordinal(),
        entry.exemptions,
        entry.source,
        entry.agency_ids,
        (
            access.orphan,
            access.uploader_id,
            tuple(
                (
                    grant.request_id,
                    grant.visibility,
                    grant.draft,
                    grant.embargo_until,
                    grant.owner_ids,
                )
                for grant in access.grants
            ),
            access.adder_ids,
        ),
        entry.fingerprint,
    )
    return {
        "page_id": str(entry.page_id),
        "document": str(entry.document_id),
        "request": " ".join(str(pk) for pk in entry.request_ids) or "none",
        "text": " ".join(entry.stems),
        "title": " ".join(entry.title_stems),
        "words": " ".join(entry.words),
        "pairs": " ".join(entry.pairs),
        "exact": " ".join(entry.compounds),
        "agency": " ".join(str(pk) for pk in entry.agency_ids),
        "exemption": " ".join(entry.exemptions),
        "tag": ",".join(entry.tags),
        # "-" stands for "unknown", which no filter value can be.
        "jurisdiction": " ".join(entry.jurisdictions) or "-",
        "source": entry.source or "-",
        "received": _day(entry.received),
        "meta": meta,
    }


# --- Compiling the query tree -------------------------------------------------


def _compile(node: q.Node) -> query.Query:
    if isinstance(node, q.MatchAll):
        return query.Every()
    if isinstance(node, q.And):
        positives = [
            _compile(child) for child in node.children if not isinstance(child, q.Not)
        ]
        negatives = [
            _compile(child.child) for child in node.children if isinstance(child, q.Not)
        ]
        positive = positives[0] if len(positives) == 1 else query.And(positives)
        if not negatives:
            return positive
        negative = negatives[0] if len(negatives) == 1 else query.Or(negatives)
        return query.AndNot(positive, negative)
    if isinstance(node, q.Or):
        return query.Or([_compile(child) for child in node.children])
    if isinstance(node, q.Not):  # anchored by the facade; kept for safety
        return query.AndNot(query.Every(), _compile(node.child))
    if isinstance(node, q.Term):
        return query.Term("text", node.stem)
    if isinstance(node, q.Prefix):
        return query.Prefix("words", node.prefix)
    if isinstance(node, q.Fuzzy):
        return query.FuzzyTerm(
            "words", node.word, maxdist=node.distance, prefixlength=1
        )
    if isinstance(node, q.Phrase):
        return _all_pairs(node.pairs)
    if isinstance(node, q.Exact):
        return query.Or(
            [
                query.Term("exact", node.token),
                _all_pairs(node.part_pairs),
            ]
        )
    if isinstance(node, q.Title):
        terms = [query.Term("title", stem) for stem in node.stems]
        return terms[0] if len(terms) == 1 else query.And(terms)
    if isinstance(node, q.Filter):
        return query.ConstantScoreQuery(_filter(node), score=0.0)
    if isinstance(node, q.DateRange):
        start = _day(node.start) if node.start else None
        end = _day(node.end) if node.end else None
        return query.ConstantScoreQuery(
            query.TermRange("received", start, end), score=0.0
        )
    raise TypeError(f"cannot compile {node!r}")


def _all_pairs(pairs: tuple[str, ...]) -> query.Query:
    terms = [query.Term("pairs", pair) for pair in dict.fromkeys(pairs)]
    return terms[0] if len(terms) == 1 else query.And(terms)


_FILTER_FIELDS = {
    "agency": "agency",
    "request": "request",
    "document": "document",
    "page": "page_id",
    "exemption": "exemption",
    "source": "source",
    "tag": "tag",
    "jurisdiction": "jurisdiction",
}


def _filter(node: q.Filter) -> query.Query:
    fieldname = _FILTER_FIELDS[node.field]
    terms = [query.Term(fieldname, str(value)) for value in node.values]
    if not terms:
        return query.NullQuery
    return terms[0] if len(terms) == 1 else query.Or(terms)
