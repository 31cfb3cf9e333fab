"""PostgreSQL full-text search: ``SEARCH_BACKEND=postgres``.

Each page is a row of ``search_page_entry`` with a ``tsvector`` (GIN-indexed)
built from the shared analysis (``search.analysis``): the vector is written
literally, lexemes and positions included, and queries are compiled from the
query tree to ``tsquery`` literals, so no PostgreSQL text-search configuration
is involved and words mean the same as on Whoosh. Compound tokens
(``opr-2021-04417``), pairs of adjacent stems (``use+of``, for phrases) and the
page's words as written (``_investigated``, for prefix and fuzzy terms) are
extra lexemes without positions; a word lexeme starts with ``_``, which no
other lexeme can. Positions serve ranking only: ``rank_vector`` holds the
stems and their positions alone (a third the size, stored in the row rather
than out of line), and ``ts_rank`` reads it.

Fuzzy terms are expanded against ``search_lexeme``, every word the index holds,
with the same edit-distance rule as Whoosh (``analysis.within_distance``).

Marks (lexemes starting with ``~``, see :func:`marks`) put what filters test
into the same GIN index: the page's agencies, requests, exemptions, tags,
jurisdictions and text source, its date received as ranges of days, and the
sample it belongs to. A filter then narrows the index scan instead of being
tested on every page the words match, and a query matching a large share of a
big index is counted on a sample of its matches (see :data:`EXACT_LIMIT`).
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from search import analysis
from search import query as q
from search.backends.base import (
    BackendResult,
    RawHit,
    SearchBackend,
    SearchPlan,
    window_and_rest,
)
from search.entries import IndexEntry
from search.visibility import Scope

MAX_POSITION = 16383
CHECKPOINT_KEY = "rebuild-checkpoint"
MAX_FUZZY_EXPANSION = 200
SEARCH_WORK_MEM = "64MB"
# Pages a bitmap heap scan asks the operating system for ahead of reading them
# (PostgreSQL's ``effective_io_concurrency``, 1 by default). A search whose rows
# are not cached reads one heap page per matching row it counts or ranks; asked
# for together, a disk serves them in parallel. At 1,000,000 pages, on a 2-core
# machine whose page cache kept about 2 GB of the 14 GB the pages take, one-word
# searches (as a reporter, with snippets) went from 150/234 ms (p50/p95) to
# 77/108 ms, and two words from 139/308 to 99/144 ms.
SEARCH_IO_CONCURRENCY = 128

# Totals and facets are counted exactly when about this many visible pages
# match or fewer. Above it they are estimated from a sample of the matches:
# counting reads every match's row (visibility and facets live there), about
# 10 microseconds each, so a word on 70,000 of a million pages took 225-310 ms
# to count before anything else. The hits are exact either way (``_estimated``).
EXACT_LIMIT = 3000
# An estimate counts about this many to twice this many sampled matches
# (a total within about 3%, the larger facet values within 10%).
SAMPLE_TARGET = 1000
# A page is in sample k (1..SAMPLE_LEVELS) when its bucket, 0..1023 and fixed
# by its id, is below 1024 >> k: sample k holds one page in 2**k, and each
# sample holds the next one.
SAMPLE_LEVELS = 10
SAMPLE_BITS = 10
# Dates received are days since 1900-01-01, 17 bits (to the year 2258); a page
# carries one mark per level of a binary tree over them, so any range of days
# is a union of at most two marks per level.
DAY_ZERO = datetime.date(1900, 1, 1)
DAY_BITS = 17
MAX_DAY = (1 << DAY_BITS) - 1
# The window of newest matches is read from the day where the sample holds
# the pages needed plus three standard deviations (a Poisson count's), then
# four times the pages needed, then every day.
WINDOW_SPREAD = 3.0
WINDOW_FALLBACK = 4.0
MARK = "~"

_INSERT = """
    INSERT INTO search_page_entry (
        page_id, document_id, number, request_ids, vector, rank_vector,
        title_vector, agency_ids, jurisdictions, received, exemptions, tags, source,
        facet_codes, orphan, uploader_id, adder_ids, fingerprint, indexed_at
    ) VALUES (
        %s, %s, %s, %s, %s::tsvector, %s::tsvector, %s::tsvector,
        %s, %s, %s, %s, %s, %s,
        %s, %s, %s, %s, %s, %s
    )
    ON CONFLICT (page_id) DO UPDATE SET
        document_id = EXCLUDED.document_id, number = EXCLUDED.number,
        request_ids = EXCLUDED.request_ids, vector = EXCLUDED.vector,
        rank_vector = EXCLUDED.rank_vector,
        title_vector = EXCLUDED.title_vector, agency_ids = EXCLUDED.agency_ids,
        jurisdictions = EXCLUDED.jurisdictions, received = EXCLUDED.received,
        exemptions = EXCLUDED.exemptions, tags = EXCLUDED.tags,
        source = EXCLUDED.source, facet_codes = EXCLUDED.facet_codes,
        orphan = EXCLUDED.orphan,
        uploader_id = EXCLUDED.uploader_id, adder_ids = EXCLUDED.adder_ids,
        fingerprint = EXCLUDED.fingerprint,
        indexed_at = EXCLUDED.indexed_at
"""
_GRANT = """
    INSERT INTO search_request_grant (
        request_id, visibility, draft, embargo_until, owner_ids
    ) VALUES (%s, %s, %s, %s, %s)
    ON CONFLICT (request_id) DO UPDATE SET
        visibility = EXCLUDED.visibility, draft = EXCLUDED.draft,
        embargo_until = EXCLUDED.embargo_until, owner_ids = EXCLUDED.owner_ids
"""


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


WORD_MARK = "_"


def tsvector_literal(
    stems: Sequence[str], extra: Iterable[str] = (), words: Iterable[str] = ()
) -> str:
    """The ``tsvector`` text of a page: each stem with its positions, then
    ``extra`` lexemes (compound tokens) and ``words`` (marked) without."""
    positions: dict[str, list[int]] = {}
    for position, stem in enumerate(stems, 1):
        places = positions.get(stem)
        if places is None:
            positions[stem] = [position]
        else:
            places.append(position)
    extra = [token for token in extra if token not in positions]
    words = [WORD_MARK + word for word in words]
    quoting = _needs_quoting(stems, extra, words)
    quote = _quote if quoting else "'{}'".format
    parts = []
    for stem, places in positions.items():
        if len(places) > analysis.MAX_POSITIONS_PER_WORD:
            places = places[: analysis.MAX_POSITIONS_PER_WORD]
        if places[-1] > MAX_POSITION:  # PostgreSQL keeps positions up to 16,383
            places = [min(place, MAX_POSITION) for place in places]
            places = sorted(set(places))
        parts.append(f"{quote(stem)}:{','.join(map(str, places))}")
    for group in (extra, words):
        if group:
            # Lexemes without positions, joined in one go (pages have many).
            parts.append(
                " ".join(map(_quote, group))
                if quoting
                else "'" + "' '".join(group) + "'"
            )
    return " ".join(parts)


def _needs_quoting(*groups: Iterable[str]) -> bool:
    """Whether any lexeme holds a quote or a backslash (letters and digits
    normally do not; NFKC folding rarely makes one)."""
    for group in groups:
        joined = "".join(group)
        if "'" in joined or "\\" in joined:
            return True
    return False


def sample_bucket(page_id: int) -> int:
    """0..1023, spread evenly over consecutive ids (Fibonacci hashing)."""
    return ((page_id * 2654435761) & 0xFFFFFFFF) >> (32 - SAMPLE_BITS)


def day_number(day: datetime.date) -> int:
    return min(MAX_DAY, max(0, (day - DAY_ZERO).days))


def marks(entry: IndexEntry) -> list[str]:
    """The page's marks: what filters, date ranges and samples look up.

    The migration ``0003_marks`` computes the same in SQL for pages indexed
    before marks existed; a test holds the two together.
    """
    found = [f"{MARK}a{pk}" for pk in entry.agency_ids]
    found += [f"{MARK}r{pk}" for pk in entry.request_ids]
    found += [f"{MARK}e{code}" for code in entry.exemptions]
    found += [f"{MARK}g{tag}" for tag in entry.tags]
    found += [f"{MARK}j{code}" for code in entry.jurisdictions]
    found.append(f"{MARK}o{entry.source}")
    day = day_number(entry.received)
    found += [f"{MARK}d{level}.{day >> level}" for level in range(DAY_BITS)]
    bucket = sample_bucket(entry.page_id)
    found += [
        f"{MARK}s{level}"
        for level in range(1, SAMPLE_LEVELS + 1)
        if bucket < (1 << SAMPLE_BITS) >> level
    ]
    return list(dict.fromkeys(found))


def day_range(start: datetime.date | None, end: datetime.date | None) -> str | None:
    """A ``tsquery`` for pages received from ``start`` to ``end`` (inclusive,
    either open), as the fewest day marks; None when that is every day."""
    low = day_number(start) if start else 0
    high = day_number(end) if end else MAX_DAY
    if low > high:
        return _quote(f"{MARK}d0.-1")  # no page carries it
    nodes = []
    level = 0
    while low <= high:
        if level == DAY_BITS:
            return None  # the whole range of days
        if low & 1:
            nodes.append((level, low))
            low += 1
        if not high & 1 and low <= high:
            nodes.append((level, high))
            high -= 1
        low >>= 1
        high >>= 1
        level += 1
    return "(" + " | ".join(_quote(f"{MARK}d{lvl}.{n}") for lvl, n in nodes) + ")"


class PostgresBackend(SearchBackend):
    name = "postgres"

    # --- Writing ------------------------------------------------------------

    def index(self, entries: Sequence[IndexEntry], *, bulk: bool = False) -> None:
        if not entries:
            return
        now = timezone.now()
        rows = [_row(entry, now) for entry in entries]
        grants = {
            grant.request_id: [
                grant.request_id,
                grant.visibility,
                grant.draft,
                grant.embargo_until,
                list(grant.owner_ids),
            ]
            for entry in entries
            for grant in entry.access.grants
        }
        lexemes = sorted({word for entry in entries for word in entry.words})
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(_INSERT, rows)
            if grants:
                cursor.executemany(_GRANT, [grants[pk] for pk in sorted(grants)])
            cursor.execute(
                "INSERT INTO search_lexeme (lexeme) SELECT unnest(%s::text[]) "
                "ON CONFLICT DO NOTHING",
                [lexemes],
            )

    def remove_pages(self, page_ids: Iterable[int]) -> None:
        page_ids = list(page_ids)
        if page_ids:
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM search_page_entry WHERE page_id = ANY(%s)", [page_ids]
                )

    def remove_document(self, document_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM search_page_entry WHERE document_id = %s", [document_id]
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE search_page_entry, search_request_grant, search_lexeme"
            )

    def optimize(self) -> None:
        with connection.cursor() as cursor:
            # Move entries waiting in the GIN indexes' pending lists into the
            # indexes proper, then refresh the planner's statistics.
            for index in ("search_page_entry_vector", "search_page_entry_title"):
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
            cursor.execute("ANALYZE search_page_entry")

    # --- Reading ------------------------------------------------------------

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_page_entry")
            return cursor.fetchone()[0]

    def page_ids_for(self, *, request_id=None, document_id=None) -> set[int]:
        if request_id is not None:
            where, value = "request_ids @> ARRAY[%s]::bigint[]", request_id
        elif document_id is not None:
            where, value = "document_id = %s", document_id
        else:
            return set()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT page_id FROM search_page_entry WHERE {where}",  # noqa: S608
                [value],
            )
            return {row[0] for row in cursor.fetchall()}

    def fingerprints(
        self, *, after: int = 0, until: int | None = None, limit: int = 5000
    ) -> dict[int, str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT page_id, fingerprint FROM search_page_entry "
                "WHERE page_id > %s AND (%s::bigint IS NULL OR page_id <= %s) "
                "ORDER BY page_id LIMIT %s",
                [after, until, until, limit],
            )
            return dict(cursor.fetchall())

    def search(self, plan: SearchPlan) -> BackendResult:
        with _prefer_indexes():
            return self._search(plan)

    def _search(self, plan: SearchPlan) -> BackendResult:
        compiler = _Compiler()
        where, params = compiler.where(plan.node)
        visible, visible_params = _visibility(plan.scope)
        query = _Query(f"({where}) AND ({visible})", [*params, *visible_params], plan)
        rank_query = compiler.rank_query(plan.node)
        if rank_query:
            query.score, query.score_params = (
                "ts_rank(rank_vector, %s::tsquery, 1)",
                [rank_query],
            )
        level = self._sample_level(query)
        if level is not None:
            result = self._estimated(query, level)
            if result is not None:
                return result
        return self._exact(query)

    # --- Many matches: counted on a sample --------------------------------------

    def _sample_level(self, query: _Query) -> int | None:
        """The sample to count on, or None to count every match.

        A first look at the smallest sample (one page in 1,024) tells a common
        word; otherwise one in 32 tells whether more than ``EXACT_LIMIT``
        match. Both read only the sampled rows.
        """
        found = self._sample_count(query, SAMPLE_LEVELS)
        estimate = found << SAMPLE_LEVELS
        if found < 16:
            found = self._sample_count(query, 5)
            estimate = found << 5
            if estimate <= EXACT_LIMIT:
                return None
        level = int(math.log2(estimate / SAMPLE_TARGET))
        return max(1, min(SAMPLE_LEVELS, level))

    def _sample_count(self, query: _Query, level: int) -> int:
        total, _facets = self._count(
            f"{query.condition} AND vector @@ %s::tsquery",
            [*query.params, _sample(level)],
            with_facets=False,
        )
        return total

    def _estimated(self, query: _Query, level: int) -> BackendResult | None:
        """Total and facets from sample ``level``; the hits exactly, from the
        newest matches (None: too few matched after all, count them all).

        The hits need the newest matches (ranking scores the newest
        ``rank_limit``; the date order shows them). The sample's dates tell
        from which day on enough were received; the day marks then read only
        those, and if fewer than needed turn up, an earlier day or all of them.
        """
        plan = query.plan
        counts, days = self._sample_counts(query, level)
        total, facets = _tally(counts.items(), level)
        if total <= EXACT_LIMIT:
            return None
        if plan.sort == "date":
            needed = plan.offset + plan.limit
        else:
            in_window, after_window = window_and_rest(
                plan.offset, plan.limit, plan.rank_limit
            )
            needed = plan.rank_limit + (after_window.stop if after_window else 0)
        newest = self._newest(query, needed, _cutoffs(days, level, needed))
        if plan.sort == "date":
            hits = newest[plan.offset : needed]
        else:
            hits = []
            if in_window:
                ranked = sorted(
                    newest[: plan.rank_limit],
                    key=lambda hit: (-hit.score, hit.document_id, hit.number),
                )
                hits = ranked[in_window.start : in_window.stop]
            if after_window:
                rest = newest[plan.rank_limit :][after_window.start : after_window.stop]
                hits += [dataclasses.replace(hit, score=0.0) for hit in rest]
        return BackendResult(total, hits, facets if plan.facets else {}, exact=False)

    def _sample_counts(
        self, query: _Query, level: int
    ) -> tuple[dict[int, int], dict[int, int]]:
        """``({facet code: count}, {day number: count})`` of the sampled
        matches (facet code 0 counts them all)."""
        sql = (
            "SELECT code, count(*) FROM (SELECT unnest("  # noqa: S608
            f"facet_codes || ({_DAY_CODE} | greatest(received - %s::date, 0)::bigint)) "
            "AS code "
            f"FROM search_page_entry WHERE {query.condition} "
            "AND vector @@ %s::tsquery) AS codes GROUP BY code"
        )
        counts: dict[int, int] = {}
        days: dict[int, int] = {}
        with connection.cursor() as cursor:
            cursor.execute(sql, [DAY_ZERO, *query.params, _sample(level)])
            for code, count in cursor.fetchall():
                if code >> _FACET_SHIFT == _DAY_KIND:
                    days[code & ((1 << _FACET_SHIFT) - 1)] = count
                else:
                    counts[code] = count
        return counts, days

    def _newest(
        self, query: _Query, needed: int, cutoffs: list[int | None]
    ) -> list[RawHit]:
        """The ``needed`` newest matches (fewer if fewer match), scored, in the
        order of the plan's sort."""
        if query.plan.sort == "date":
            order = "received DESC, document_id, number"
        else:
            order = "received DESC, page_id DESC"
        for cutoff in cutoffs:
            extra, extra_params = "", []
            if cutoff is not None:
                since = DAY_ZERO + datetime.timedelta(days=cutoff)
                extra, extra_params = " AND received >= %s", [since]
                days = day_range(since, None)
                if days:
                    extra = " AND vector @@ %s::tsquery" + extra
                    extra_params.insert(0, days)
            # The rank is computed for the window's rows only.
            hits = self._hits(
                f"SELECT page_id, document_id, number, {query.score} FROM ("  # noqa: S608
                "SELECT page_id, document_id, number, received, rank_vector "
                f"FROM search_page_entry WHERE {query.condition}{extra} "
                f"ORDER BY {order} LIMIT %s) AS newest ORDER BY {order}",
                [*query.score_params, *query.params, *extra_params, needed],
            )
            if len(hits) >= needed or cutoff is None:
                return hits
        return hits  # pragma: no cover - the last cutoff is None

    # --- Every match counted ------------------------------------------------------

    def _exact(self, query: _Query) -> BackendResult:
        plan = query.plan
        condition, condition_params = query.condition, query.params
        score, score_params = query.score, query.score_params
        if plan.sort == "date":
            total, facets = self._count(condition, condition_params, plan.facets)
            if total == 0 or plan.offset >= total:
                return BackendResult(total, [], facets)
            # The rank is computed for this page of results only.
            sql = (
                f"SELECT page_id, document_id, number, {score} FROM ("  # noqa: S608
                "SELECT page_id, document_id, number, received, rank_vector "
                f"FROM search_page_entry WHERE {condition} "
                "ORDER BY received DESC, document_id, number LIMIT %s OFFSET %s"
                ") AS page ORDER BY received DESC, document_id, number"
            )
            hits = self._hits(
                sql, [*score_params, *condition_params, plan.limit, plan.offset]
            )
            return BackendResult(total, hits, facets)

        in_window, after_window = window_and_rest(
            plan.offset, plan.limit, plan.rank_limit
        )
        # One scan of the matching rows gives the total, the facets and the
        # window of newest matches; only the window's vectors are read to
        # rank them (see RANK_LIMIT).
        counted = (
            "SELECT code, count(*) FROM "
            "(SELECT unnest(facet_codes) AS code FROM matched) AS codes GROUP BY code"
            if plan.facets
            else "SELECT 0::bigint, count(*) FROM matched"
        )
        sql = f"""
            WITH matched AS MATERIALIZED (
                SELECT page_id, received, facet_codes
                FROM search_page_entry WHERE {condition}
            )
            SELECT code, n, NULL::bigint, NULL::bigint, NULL::integer, NULL::real
            FROM ({counted}) AS counts (code, n)
            UNION ALL (
                SELECT NULL, NULL, page_id, document_id, number, {score} AS score
                FROM search_page_entry
                WHERE page_id = ANY(ARRAY(
                    SELECT page_id FROM matched
                    ORDER BY received DESC, page_id DESC LIMIT %s
                ))
                ORDER BY score DESC, document_id, number LIMIT %s OFFSET %s
            )
        """  # noqa: S608
        sql_params = [
            *condition_params,
            *score_params,
            plan.rank_limit,
            len(in_window),
            in_window.start if in_window else 0,
        ]
        counted: list[tuple[int, int]] = []
        hits: list[RawHit] = []
        with connection.cursor() as cursor:
            cursor.execute(sql, sql_params)
            for code, count, page_id, document_id, number, rank in cursor.fetchall():
                if page_id is not None:
                    hits.append(RawHit(page_id, document_id, number, rank or 0.0))
                else:
                    counted.append((code, count))
        total, facets = _tally(counted)
        if not plan.facets:
            facets = {}
        if not in_window:
            hits = []
        if after_window and total > plan.rank_limit:
            sql = (
                "SELECT page_id, document_id, number, 0.0 "  # noqa: S608
                f"FROM search_page_entry WHERE {condition} "
                "ORDER BY received DESC, page_id DESC LIMIT %s OFFSET %s"
            )
            hits += self._hits(
                sql,
                [
                    *condition_params,
                    len(after_window),
                    plan.rank_limit + after_window.start,
                ],
            )
        return BackendResult(total, hits, facets)

    def _hits(self, sql: str, params: list) -> list[RawHit]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [
                RawHit(page_id=row[0], document_id=row[1], number=row[2], score=row[3])
                for row in cursor.fetchall()
            ]

    def _count(
        self, condition: str, params: list, with_facets: bool
    ) -> tuple[int, dict]:
        if not with_facets:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT count(*) FROM search_page_entry WHERE {condition}",  # noqa: S608
                    params,
                )
                return cursor.fetchone()[0], {}
        sql = (
            "SELECT code, count(*) FROM (SELECT unnest(facet_codes) AS code "  # noqa: S608
            f"FROM search_page_entry WHERE {condition}) AS codes GROUP BY code"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return _tally(cursor.fetchall())

    # --- Rebuild checkpoint -----------------------------------------------------

    def get_checkpoint(self) -> dict | None:
        from search.models import IndexState

        state = IndexState.objects.filter(key=CHECKPOINT_KEY).first()
        return state.value if state else None

    def set_checkpoint(self, checkpoint: dict | None) -> None:
        from search.models import IndexState

        if checkpoint is None:
            IndexState.objects.filter(key=CHECKPOINT_KEY).delete()
        else:
            IndexState.objects.update_or_create(
                key=CHECKPOINT_KEY, defaults={"value": checkpoint}
            )


# Facet values are stored as numbers: the facet in the high bits, the value
# (an id, a year, or the position in a list below) in the low ones.
_FACET_SHIFT = 40
_FACET_KINDS = ("total", "agency", "request", "year", "exemption", "source")
# Days received, counted alongside the facets of a sample (never stored).
_DAY_KIND = len(_FACET_KINDS)
_DAY_CODE = f"{_DAY_KIND << _FACET_SHIFT}::bigint"
_EXEMPTION_CODES = (
    *(f"b{number}" for number in range(1, 10)),
    *(f"b7{letter}" for letter in "abcdef"),
)
_SOURCES = ("ocr", "text", "none")


def facet_codes(entry: IndexEntry) -> list[int]:
    def code(kind: str, value: int) -> int:
        return (_FACET_KINDS.index(kind) << _FACET_SHIFT) | value

    codes = [0]  # "total": every page carries it
    codes += [code("agency", pk) for pk in entry.agency_ids]
    codes += [code("request", pk) for pk in entry.request_ids]
    codes.append(code("year", entry.received.year))
    codes += [
        code("exemption", _EXEMPTION_CODES.index(exemption))
        for exemption in entry.exemptions
        if exemption in _EXEMPTION_CODES
    ]
    if entry.source in _SOURCES:
        codes.append(code("source", _SOURCES.index(entry.source)))
    return codes


class _Query:
    """A compiled search: the WHERE condition (words, filters, visibility)
    with its parameters, the plan, and how to score a page."""

    def __init__(self, condition: str, params: list, plan: SearchPlan) -> None:
        self.condition = condition
        self.params = params
        self.plan = plan
        self.score = "0.0::real"
        self.score_params: list = []


def _sample(level: int) -> str:
    return _quote(f"{MARK}s{level}")


def _cutoffs(days: dict[int, int], level: int, needed: int) -> list[int | None]:
    """Days from which the sample suggests ``needed`` matches were received,
    with room for its error, newest first; then None (every day)."""
    expected = needed / (1 << level)  # sampled pages among the needed ones
    wanted = [
        expected + WINDOW_SPREAD * math.sqrt(expected) + 1,
        expected * WINDOW_FALLBACK,
    ]
    cutoffs: list[int | None] = []
    seen = 0
    for day in sorted(days, reverse=True):
        seen += days[day]
        while wanted and seen >= wanted[0]:
            wanted.pop(0)
            if not cutoffs or cutoffs[-1] != day:
                cutoffs.append(day)
    cutoffs.append(None)
    return cutoffs


def _tally(
    counted: Iterable[tuple[int, int]], level: int = 0
) -> tuple[int, dict[str, list]]:
    """The total and the facets from ``(facet code, count)`` pairs (code 0
    counts every page), each count scaled up from sample ``level``."""
    total = 0
    facets: dict[str, list] = {name: [] for name in _FACET_KINDS[1:]}
    for code, count in counted:
        if code == 0:
            total = count << level
        else:
            kind, value = _facet_value(code)
            facets[kind].append((value, count << level))
    return total, facets


def _facet_value(code: int) -> tuple[str, object]:
    kind = _FACET_KINDS[code >> _FACET_SHIFT]
    value = code & ((1 << _FACET_SHIFT) - 1)
    if kind == "exemption":
        return kind, _EXEMPTION_CODES[value]
    if kind == "source":
        return kind, _SOURCES[value]
    return kind, value


# Whether this server takes ``effective_io_concurrency`` (it refuses any value
# but 0 on platforms without prefetch advice, such as macOS): learnt once.
_io_concurrency_taken: bool | None = None


@contextmanager
def _prefer_indexes():
    """Keep the planner off sequential scans while searching.

    Page vectors are stored out of line (TOAST), so the heap looks small and a
    sequential scan cheap, but matching it reads and unpacks every page's
    vector: the GIN index is always the better way in. The inflated costs would
    then trigger JIT compilation, which costs more than these queries: off too.
    A frequent word matches tens of thousands of pages: with the default 4 MB
    of ``work_mem`` the matches kept for counting, faceting and ranking spill
    to temporary files (667 blocks written and read back for "office" at
    100,000 pages); 64 MB keeps them, and the bitmap of matching rows, in
    memory. Heap pages are prefetched (``SEARCH_IO_CONCURRENCY``). The settings
    last for this block only (undone with its savepoint on error).
    """
    global _io_concurrency_taken
    names = ["enable_seqscan", "jit", "work_mem"]
    values = ["off", "off", SEARCH_WORK_MEM]
    with transaction.atomic(), connection.cursor() as cursor:
        if _io_concurrency_taken is None:
            try:
                # A trial, rolled back with its savepoint: the setting is made
                # below with the others.
                with transaction.atomic():
                    cursor.execute(
                        "SELECT set_config('effective_io_concurrency', %s, true)",
                        [str(SEARCH_IO_CONCURRENCY)],
                    )
                    transaction.set_rollback(True)
                _io_concurrency_taken = True
            except DatabaseError:
                _io_concurrency_taken = False
        if _io_concurrency_taken:
            names.append("effective_io_concurrency")
            values.append(str(SEARCH_IO_CONCURRENCY))
        cursor.execute(
            "SELECT "  # noqa: S608 - the names are the constants above
            + ", ".join(f"current_setting('{name}')" for name in names)
            + ", "
            + ", ".join(f"set_config('{name}', %s, true)" for name in names),
            values,
        )
        before = list(cursor.fetchone()[: len(names)])
        yield
        cursor.execute(
            "SELECT "  # noqa: S608
            + ", ".join(f"set_config('{name}', %s, true)" for name in names),
            before,
        )


def _row(entry: IndexEntry, now: datetime.datetime) -> list:
    return [
        entry.page_id,
        entry.document_id,
        entry.number,
        list(entry.request_ids),
        tsvector_literal(
            entry.stems, (*entry.compounds, *entry.pairs, *marks(entry)), entry.words
        ),
        tsvector_literal(entry.stems),
        tsvector_literal(entry.title_stems),
        list(entry.agency_ids),
        list(entry.jurisdictions),
        entry.received,
        list(entry.exemptions),
        list(entry.tags),
        entry.source,
        facet_codes(entry),
        entry.access.orphan,
        entry.access.uploader_id,
        list(entry.access.adder_ids),
        entry.fingerprint,
        now,
    ]


def _visibility(scope: Scope) -> tuple[str, list]:
    """The rows ``scope`` may see: through a visible request, or as an orphan.

    The requests' grants are few (one row per request), so the visible ones are
    found once per query, as a hash table, and each page looks its first
    request up in it (nearly every page has exactly one); only pages linked to
    several requests compare their whole list with the visible ones.
    """
    if scope.everything:
        return "TRUE", []
    grant = (
        "(visibility = ANY(%s) AND NOT draft "
        "AND (embargo_until IS NULL OR embargo_until <= %s))"
    )
    grant_params: list = [list(scope.shared), scope.today]
    if scope.user_id is not None:
        grant = f"(owner_ids @> ARRAY[%s]::bigint[] OR {grant})"
        grant_params = [scope.user_id, *grant_params]
    visible = f"SELECT request_id FROM search_request_grant WHERE {grant}"  # noqa: S608
    # coalesce() keeps the planner from answering this broad condition with
    # the request_ids index (see the migration).
    clauses = [
        f"coalesce(request_ids[1] IN ({visible}) OR (cardinality(request_ids) > 1 "
        f"AND request_ids && ARRAY({visible})), false)"
    ]
    params = [*grant_params, *grant_params]
    if scope.user_id is not None:
        clauses.append("adder_ids @> ARRAY[%s]::bigint[]")
        params.append(scope.user_id)
    if scope.orphans == "all":
        clauses.append("orphan")
    elif scope.orphans == "own" and scope.user_id is not None:
        clauses.append("(orphan AND uploader_id = %s)")
        params.append(scope.user_id)
    return " OR ".join(clauses), params


class _Compiler:
    """Turns the query tree into a WHERE clause and a ranking ``tsquery``."""

    def __init__(self) -> None:
        self._fuzzy: dict[tuple[str, int], list[str]] = {}

    def where(self, node: q.Node, *, negated: bool = False) -> tuple[str, list]:
        """SQL for ``node``. Filters and dates read the marks in the GIN index
        where they make pages match; under a NOT (``negated``) they read the
        row's columns instead, which is cheaper than unpacking its vector."""
        if isinstance(node, q.MatchAll):
            return "TRUE", []
        if _is_text(node):
            return "vector @@ %s::tsquery", [self.tsquery(node)]
        if isinstance(node, q.And | q.Or):
            joiner = " AND " if isinstance(node, q.And) else " OR "
            text_children = [child for child in node.children if _is_text(child)]
            other = [child for child in node.children if not _is_text(child)]
            parts, params = [], []
            if text_children:
                # One tsquery for all the text under this node lets the GIN
                # index answer it in one scan.
                combined = type(node)(tuple(text_children))
                parts.append("vector @@ %s::tsquery")
                params.append(self.tsquery(combined))
            for child in other:
                sql, child_params = self.where(child, negated=negated)
                parts.append(f"({sql})")
                params.extend(child_params)
            return joiner.join(parts), params
        if isinstance(node, q.Not):
            sql, params = self.where(node.child, negated=not negated)
            return f"NOT ({sql})", params
        if isinstance(node, q.Title):
            return "title_vector @@ %s::tsquery", [
                " & ".join(_quote(stem) for stem in node.stems)
            ]
        if isinstance(node, q.Filter):
            if not negated and node.field in _FILTER_MARKS:
                return "vector @@ %s::tsquery", [_filter_marks(node)]
            return _filter(node)
        if isinstance(node, q.DateRange):
            clauses, params = [], []
            days = None if negated else day_range(node.start, node.end)
            if days:
                # The marks find the days in the index; the dates themselves
                # decide (days before 1900 or after 2258 share the end marks).
                clauses.append("vector @@ %s::tsquery")
                params.append(days)
            if node.start:
                clauses.append("received >= %s")
                params.append(node.start)
            if node.end:
                clauses.append("received <= %s")
                params.append(node.end)
            return " AND ".join(clauses) or "TRUE", params
        raise TypeError(f"cannot compile {node!r}")

    def tsquery(self, node: q.Node) -> str:
        if isinstance(node, q.Term):
            return _quote(node.stem)
        if isinstance(node, q.Prefix):
            return f"{_quote(WORD_MARK + node.prefix)}:*"
        if isinstance(node, q.Fuzzy):
            words = self.fuzzy(node.word, node.distance)
            return "(" + " | ".join(_quote(WORD_MARK + word) for word in words) + ")"
        if isinstance(node, q.Phrase):
            return "(" + " & ".join(_quote(pair) for pair in node.pairs) + ")"
        if isinstance(node, q.Exact):
            phrase = " & ".join(_quote(pair) for pair in node.part_pairs)
            return f"({_quote(node.token)} | ({phrase}))"
        if isinstance(node, q.And):
            return "(" + " & ".join(self.tsquery(c) for c in node.children) + ")"
        if isinstance(node, q.Or):
            return "(" + " | ".join(self.tsquery(c) for c in node.children) + ")"
        if isinstance(node, q.Not):
            return f"!{self.tsquery(node.child)}"
        raise TypeError(f"not a text node: {node!r}")

    def rank_query(self, node: q.Node) -> str:
        """A ``tsquery`` over the stems of what makes a page match, for
        ``ts_rank`` on ``rank_vector`` (the page's stems and their positions)."""
        stems: dict[str, str] = {}
        for leaf in q.positive_leaves(node):
            if isinstance(leaf, q.Term):
                found = [leaf.stem]
            elif isinstance(leaf, q.Phrase):
                found = list(leaf.stems)
            elif isinstance(leaf, q.Exact):
                found = list(leaf.part_stems)
            elif isinstance(leaf, q.Fuzzy):
                found = [
                    analysis.stem(word) for word in self.fuzzy(leaf.word, leaf.distance)
                ]
            elif isinstance(leaf, q.Prefix):
                found = [analysis.stem(word) for word in self.completions(leaf.prefix)]
            else:  # titles rank nothing
                continue
            for stem in found:
                if stem:
                    stems[_quote(stem)] = ""
        return " | ".join(stems)

    def completions(self, prefix: str) -> list[str]:
        """Indexed words starting with ``prefix`` (the first
        ``MAX_FUZZY_EXPANSION`` in order), to rank a prefix query by."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT lexeme FROM search_lexeme WHERE left(lexeme, 1) = %s "
                "AND length(lexeme) >= %s AND left(lexeme, %s) = %s "
                "ORDER BY lexeme LIMIT %s",
                [prefix[:1], len(prefix), len(prefix), prefix, MAX_FUZZY_EXPANSION],
            )
            return [row[0] for row in cursor.fetchall()]

    def fuzzy(self, word: str, distance: int) -> list[str]:
        """Indexed words within ``distance`` of ``word`` (``word`` if none)."""
        key = (word, distance)
        if key not in self._fuzzy:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT lexeme FROM search_lexeme WHERE left(lexeme, 1) = %s "
                    "AND length(lexeme) BETWEEN %s AND %s",
                    [word[:1], max(1, len(word) - distance), len(word) + distance],
                )
                candidates = [row[0] for row in cursor.fetchall()]
            found = sorted(
                candidate
                for candidate in candidates
                if analysis.within_distance(word, candidate, distance)
            )[:MAX_FUZZY_EXPANSION]
            self._fuzzy[key] = found or [word]
        return self._fuzzy[key]


def _is_text(node: q.Node) -> bool:
    """Whether ``node`` is answered by the page vector alone."""
    if isinstance(node, q.Term | q.Prefix | q.Fuzzy | q.Phrase | q.Exact):
        return True
    if isinstance(node, q.And | q.Or):
        return all(_is_text(child) for child in node.children)
    if isinstance(node, q.Not):
        return _is_text(node.child)
    return False


_FILTER_COLUMNS = {
    "request": ("request_ids && %s::bigint[]", int),
    "document": ("document_id = ANY(%s)", int),
    "page": ("page_id = ANY(%s)", int),
    "agency": ("agency_ids && %s::bigint[]", int),
    "exemption": ("exemptions && %s::text[]", str),
    "tag": ("tags && %s::text[]", str),
    "source": ("source = ANY(%s)", str),
    "jurisdiction": ("jurisdictions && %s::text[]", str),
}


_FILTER_MARKS = {
    "request": "r",
    "agency": "a",
    "exemption": "e",
    "tag": "g",
    "jurisdiction": "j",
    "source": "o",
}


def _filter_marks(node: q.Filter) -> str:
    if not node.values:
        return _quote(f"{MARK}none")  # no page carries it
    kind = _FILTER_MARKS[node.field]
    return (
        "(" + " | ".join(_quote(f"{MARK}{kind}{value}") for value in node.values) + ")"
    )


def _filter(node: q.Filter) -> tuple[str, list]:
    sql, convert = _FILTER_COLUMNS[node.field]
    return sql, [[convert(value) for value in node.values]]
