"""PostgreSQL full-text search: ``SEARCH_BACKEND=postgres``.

Each page is a row of ``search_page_entry`` with a ``tsvector`` (GIN-indexed)
built from the shared analysis (``search.analysis``): the vector is written
literally, lexemes and positions included, and queries are compiled from the
query tree to ``tsquery`` literals, so no PostgreSQL text-search configuration
is involved and words mean the same as on Whoosh. Compound tokens
(``opr-2021-04417``), pairs of adjacent stems (``use+of``, for phrases) and the
page's words as written (``_investigated``, for prefix and fuzzy terms) are
extra lexemes without positions; a word lexeme starts with ``_``, which no
other lexeme can. Positions serve ranking only (ts_rank counts them).

Fuzzy terms are expanded against ``search_lexeme``, every word the index holds,
with the same edit-distance rule as Whoosh (``analysis.within_distance``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.db import connection, transaction
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

_INSERT = """
    INSERT INTO search_page_entry (
        page_id, document_id, number, request_ids, vector, title_vector,
        agency_ids, jurisdictions, received, exemptions, tags, source,
        facet_codes, orphan, uploader_id, adder_ids, fingerprint, indexed_at
    ) VALUES (
        %s, %s, %s, %s, %s::tsvector, %s::tsvector,
        %s, %s, %s, %s, %s, %s,
        %s, %s, %s, %s, %s, %s
    )
    ON CONFLICT (page_id) DO UPDATE SET
        document_id = EXCLUDED.document_id, number = EXCLUDED.number,
        request_ids = EXCLUDED.request_ids, vector = EXCLUDED.vector,
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
        condition = f"({where}) AND ({visible})"
        condition_params = [*params, *visible_params]
        rank_query = compiler.rank_query(plan.node)
        if rank_query:
            score, score_params = "ts_rank(vector, %s::tsquery, 1)", [rank_query]
        else:
            score, score_params = "0.0::real", []
        if plan.sort == "date":
            total, facets = self._count(condition, condition_params, plan.facets)
            if total == 0 or plan.offset >= total:
                return BackendResult(total, [], facets)
            # The rank is computed for this page of results only.
            sql = (
                f"SELECT page_id, document_id, number, {score} FROM ("  # noqa: S608
                "SELECT page_id, document_id, number, received, vector "
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
        total = 0
        facets: dict[str, list] = {name: [] for name in _FACET_KINDS[1:]}
        hits: list[RawHit] = []
        with connection.cursor() as cursor:
            cursor.execute(sql, sql_params)
            for code, count, page_id, document_id, number, rank in cursor.fetchall():
                if page_id is not None:
                    hits.append(RawHit(page_id, document_id, number, rank or 0.0))
                elif code == 0:
                    total = count
                else:
                    kind, value = _facet_value(code)
                    facets[kind].append((value, count))
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
        facets: dict[str, list] = {name: [] for name in _FACET_KINDS[1:]}
        total = 0
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for code, count in cursor.fetchall():
                if code == 0:
                    total = count
                else:
                    kind, value = _facet_value(code)
                    facets[kind].append((value, count))
        return total, facets

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


def _facet_value(code: int) -> tuple[str, object]:
    kind = _FACET_KINDS[code >> _FACET_SHIFT]
    value = code & ((1 << _FACET_SHIFT) - 1)
    if kind == "exemption":
        return kind, _EXEMPTION_CODES[value]
    if kind == "source":
        return kind, _SOURCES[value]
    return kind, value


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
    memory. The settings last for this block only (undone with its savepoint
    on error).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('jit'), "
            "current_setting('work_mem'), "
            "set_config('enable_seqscan', 'off', true), "
            "set_config('jit', 'off', true), "
            "set_config('work_mem', %s, true)",
            [SEARCH_WORK_MEM],
        )
        seqscan, jit, work_mem, *_ = cursor.fetchone()
        yield
        cursor.execute(
            "SELECT set_config('enable_seqscan', %s, true), "
            "set_config('jit', %s, true), set_config('work_mem', %s, true)",
            [seqscan, jit, work_mem],
        )


def _row(entry: IndexEntry, now: datetime.datetime) -> list:
    return [
        entry.page_id,
        entry.document_id,
        entry.number,
        list(entry.request_ids),
        tsvector_literal(entry.stems, (*entry.compounds, *entry.pairs), entry.words),
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

    def where(self, node: q.Node) -> tuple[str, list]:
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
                sql, child_params = self.where(child)
                parts.append(f"({sql})")
                params.extend(child_params)
            return joiner.join(parts), params
        if isinstance(node, q.Not):
            sql, params = self.where(node.child)
            return f"NOT ({sql})", params
        if isinstance(node, q.Title):
            return "title_vector @@ %s::tsquery", [
                " & ".join(_quote(stem) for stem in node.stems)
            ]
        if isinstance(node, q.Filter):
            return _filter(node)
        if isinstance(node, q.DateRange):
            clauses, params = [], []
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
        leaves = [
            leaf for leaf in q.positive_leaves(node) if not isinstance(leaf, q.Title)
        ]
        return " | ".join(self.tsquery(leaf) for leaf in leaves)

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


def _filter(node: q.Filter) -> tuple[str, list]:
    sql, convert = _FILTER_COLUMNS[node.field]
    return sql, [[convert(value) for value in node.values]]
