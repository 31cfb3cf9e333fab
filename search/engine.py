"""The facade's implementation: ``search/__init__.py`` re-exports what others use.

The backend is chosen from ``settings.SEARCH_BACKEND`` at each call, so tests
and tools can switch it; backend modules are imported here and nowhere else.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import quote

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from search import query as q
from search.backends.base import FACETS, RANK_LIMIT, SearchBackend, SearchPlan
from search.types import DocumentHit, FacetCount, PageHit, SearchResult

BATCH_SIZE = 500
MAX_PER_PAGE = 100
FACET_LIMIT = 12
FILTER_NAMES = (
    "agency",
    "request",
    "document",
    "exemption",
    "year",
    "from",
    "to",
    "source",
    "tag",
    "jurisdiction",
)
EXEMPTION_LABELS = {
    **{f"b{n}": f"(b)({n})" for n in range(1, 10)},
    **{f"b7{letter}": f"(b)(7)({letter.upper()})" for letter in "abcdef"},
}
SOURCE_LABELS = {"ocr": "OCR", "text": "Text layer", "none": "No text"}

_backends: dict[tuple, SearchBackend] = {}
_backends_lock = threading.Lock()


def get_backend() -> SearchBackend:
    """The configured backend (one instance per index folder per process)."""
    if settings.SEARCH_BACKEND == "postgres":
        key: tuple = ("postgres",)
    else:
        key = ("whoosh", str(settings.SEARCH_INDEX_DIR))
    with _backends_lock:
        backend = _backends.get(key)
        if backend is None:
            if key[0] == "postgres":
                from search.backends.postgres import PostgresBackend

                backend = PostgresBackend()
            else:
                from search.backends.whoosh import WhooshBackend

                # Tests switch folders often; keep only a few open.
                while len(_backends) >= 4:
                    _backends.pop(next(iter(_backends))).close()
                backend = WhooshBackend(settings.SEARCH_INDEX_DIR)
            _backends[key] = backend
        return backend


# --- Indexing -----------------------------------------------------------------


def _ids(pages: Iterable) -> list[int]:
    return sorted({int(getattr(page, "pk", page)) for page in pages})


def index_pages(pages: Iterable, *, batch_size: int = BATCH_SIZE) -> int:
    """(Re)index the given pages (ids or ``Page`` objects) in batches.

    Pages that are gone or not processed are removed from the index instead.
    Returns the number of pages indexed.
    """
    from documents.models import Page
    from search.entries import AgencyTree, build_entries

    page_ids = _ids(pages)
    if not page_ids:
        return 0
    backend = get_backend()
    agencies = AgencyTree()
    indexed = 0
    for start in range(0, len(page_ids), batch_size):
        chunk = page_ids[start : start + batch_size]
        entries = build_entries(chunk, agencies=agencies)
        present = {entry.page_id for entry in entries}
        gone = [page_id for page_id in chunk if page_id not in present]
        backend.remove_pages(gone)
        backend.index(entries)
        if present:
            Page.objects.filter(pk__in=present).update(indexed_at=timezone.now())
        if gone:
            Page.objects.filter(pk__in=gone).update(indexed_at=None)
        indexed += len(entries)
    return indexed


def index_document(document_id: int, *, notify: bool = True) -> int:
    """(Re)index every page of a document; with ``notify``, tell saved searches.

    Call it when a document has finished processing. Safe to run twice: saved
    searches notify about a page once.
    """
    from documents.models import Page

    page_ids = set(
        Page.objects.filter(document_id=document_id).values_list("pk", flat=True)
    )
    page_ids |= get_backend().page_ids_for(document_id=document_id)
    indexed = index_pages(page_ids)
    if notify and indexed:
        from search.services import saved_searches_check

        saved_searches_check(page_ids=page_ids)
    return indexed


def remove_document(document_id: int) -> None:
    """Take every page of a document out of the index."""
    get_backend().remove_document(document_id)


def reindex_request(request_id: int) -> int:
    """Reindex a request's pages after its visibility, embargo, status, title,
    agency, requester, collaborators or tags changed."""
    from documents.models import Page

    page_ids = set(
        Page.objects.filter(document__request_id=request_id).values_list(
            "pk", flat=True
        )
    )
    page_ids |= get_backend().page_ids_for(request_id=request_id)
    return index_pages(page_ids)


def reindex_agency(agency_id: int) -> int:
    """Reindex the pages of an agency and its components (its parent changed)."""
    from foia.models import FoiaRequest
    from search.entries import AgencyTree

    tree = AgencyTree()
    agency_ids = {pk for pk in tree.parent if agency_id in tree.chain(pk)}
    total = 0
    for request_id in FoiaRequest.objects.filter(agency_id__in=agency_ids).values_list(
        "pk", flat=True
    ):
        total += reindex_request(request_id)
    return total


# --- Searching ----------------------------------------------------------------


def page_url(document_id: int, number: int, query: str = "") -> str:
    """The document viewer at a page, carrying the query to highlight."""
    url = f"/documents/{document_id}/pages/{number}/"
    return f"{url}?q={quote(query)}" if query else url


def _agency_ids_for(name: str) -> list[int]:
    from foia.models import Agency

    name = name.strip()
    if "\x00" in name:
        return []  # no agency has one, and PostgreSQL refuses it in a query
    condition = (
        Q(abbreviation__iexact=name) | Q(slug__iexact=name) | Q(name__iexact=name)
    )
    if q.is_id(name):
        condition |= Q(pk=int(name))
    return list(Agency.objects.filter(condition).values_list("pk", flat=True))


def filters_node(filters: Mapping | None) -> q.Node:
    """The tree for filters given as parameters: ``{"agency": ["12"], ...}``.

    Several values of one filter are alternatives; different filters all apply.
    """
    nodes: list[q.Node] = []
    for name, raw in (filters or {}).items():
        if name not in FILTER_NAMES:
            raise q.QueryError(
                f"Unknown filter “{name}”; filters are {', '.join(FILTER_NAMES)}."
            )
        values = [raw] if isinstance(raw, str | int) else list(raw)
        values = [str(value).replace("\x00", "").strip() for value in values]
        values = [value for value in values if value]
        if not values:
            continue
        alternatives = [q.filter_node(name, value) for value in values]
        nodes.append(
            alternatives[0] if len(alternatives) == 1 else q.Or(tuple(alternatives))
        )
    return q.combine(*nodes)


def plan_for(
    query: str,
    *,
    filters: Mapping | None = None,
    document_id: int | None = None,
    page_ids: Sequence[int] | None = None,
) -> tuple[q.Node, bool]:
    """The resolved tree for a query and whether anything was asked.

    Raises ``QueryError``.
    """
    node = q.parse(query)
    extra = filters_node(filters)
    restrictions = []
    if document_id is not None:
        restrictions.append(q.Filter("document", (int(document_id),)))
    if page_ids is not None:
        restrictions.append(q.Filter("page", tuple(sorted(set(page_ids)))))
    asked = not (
        isinstance(node, q.MatchAll)
        and isinstance(extra, q.MatchAll)
        and document_id is None
        and page_ids is None
    )
    node = q.combine(node, extra, *restrictions)
    node = q.resolve(node, agency_ids_for=_agency_ids_for)
    return q.anchor_negations(node), asked


def estimate_rounded(count: int) -> int:
    """An estimated count to at most two significant figures, to the nearest
    (24,317 -> 24,000; 1,250 -> 1,300): the figures an estimate can vouch for.
    A count that is not zero stays at least 1."""
    if count < 100:
        return max(count, 0)
    step = 10 ** (len(str(count)) - 2)
    return (count + step // 2) // step * step


def search(
    query: str,
    *,
    user,
    filters: Mapping | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
    document_id: int | None = None,
    page_ids: Sequence[int] | None = None,
    facets: bool = True,
) -> SearchResult:
    from search.snippets import Matcher
    from search.visibility import scope_for

    started = time.perf_counter()
    query = (query or "").replace("\x00", "")
    page = max(1, int(page))
    per_page = max(1, int(per_page))
    result = SearchResult(query=query, page=page, per_page=per_page, sort=sort)
    if sort not in ("relevance", "date"):
        result.error = "Sort by relevance or by date."
        return result
    try:
        node, asked = plan_for(
            query, filters=filters, document_id=document_id, page_ids=page_ids
        )
    except q.QueryError as exc:
        result.error = str(exc)
        result.took_ms = (time.perf_counter() - started) * 1000
        return result
    if not asked:
        result.asked = False
        return result
    if page_ids is not None and not page_ids:
        return result
    scope = scope_for(user)
    plan = SearchPlan(
        node=node,
        scope=scope,
        sort=sort,
        offset=(page - 1) * per_page,
        limit=per_page,
        facets=facets,
        # Tests lower it to see the window at work on a few pages.
        rank_limit=getattr(settings, "SEARCH_RANK_LIMIT", RANK_LIMIT),
    )
    raw = get_backend().search(plan)
    result.total = raw.total
    result.total_exact = raw.exact
    result.hits, result.documents, result.facets = _present(
        raw, Matcher(node), query, user, scope, with_facets=facets
    )
    if not raw.exact:
        # The hits shown are real: an estimate below them would contradict them.
        result.total = max(estimate_rounded(raw.total), result.last_index)
        result.facets = {
            name: [item._replace(count=estimate_rounded(item.count)) for item in items]
            for name, items in result.facets.items()
        }
    result.took_ms = (time.perf_counter() - started) * 1000
    return result


def _present(raw, matcher, query: str, user, scope, *, with_facets: bool):
    """Hits with snippets, grouped by document, and labelled facets.

    The index decided visibility already. The few documents shown are checked
    again against the database, so a page whose request changed after it was
    indexed cannot show its snippet meanwhile; and a request's title is shown
    only to those who may see that request (a document linked to several
    requests is visible through any one of them).
    """
    from documents.models import DocumentLink, Page
    from foia.models import FoiaRequest
    from search.snippets import snippet

    pages = {
        page.pk: page
        for page in Page.objects.filter(pk__in=[hit.page_id for hit in raw.hits])
        .select_related("document__request__agency")
        .only(
            "text",
            "document__title",
            "document__request_id",
            "document__uploaded_by_id",
            "document__request__title",
            "document__request__agency__name",
            "document__request__agency__abbreviation",
        )
    }
    documents = {page.document_id: page.document for page in pages.values()}
    links: dict[int, set[int]] = {}
    added_by_user: set[int] = set()  # uploaded again by this user, on no request
    retitled: set[int] = set()  # uploaded again under another title
    if documents and not scope.everything:
        for document_id, request_id, added_by_id, title in DocumentLink.objects.filter(
            document_id__in=documents
        ).values_list("document_id", "request_id", "added_by_id", "title"):
            if title:
                retitled.add(document_id)
            if request_id is not None:
                links.setdefault(document_id, set()).add(request_id)
            elif added_by_id is not None and added_by_id == scope.user_id:
                added_by_user.add(document_id)
    wanted_requests = {
        value
        for value, _count in (raw.facets.get("request", []) if with_facets else [])
    }
    wanted_requests |= {doc.request_id for doc in documents.values() if doc.request_id}
    wanted_requests |= {pk for linked in links.values() for pk in linked}
    requests = (
        FoiaRequest.objects.all()
        if scope.everything
        else FoiaRequest.objects.visible_to(user)
    )
    titles = dict(
        requests.filter(pk__in=wanted_requests).values_list("pk", "title")
        if wanted_requests
        else []
    )

    def readable(document) -> bool:
        if scope.everything or document.request_id in titles:
            return True
        if (
            document.pk in added_by_user
            or links.get(document.pk, set()) & titles.keys()
        ):
            return True
        return document.request_id is None and (
            scope.orphans == "all"
            or (scope.orphans == "own" and document.uploaded_by_id == scope.user_id)
        )

    # The same bytes uploaded again go by the later uploader's title for those
    # who only have them through that upload (asked only of such documents).
    shown_titles: dict[int, str] = {}
    if retitled:
        from documents.selectors import document_list

        shown_titles = dict(
            document_list(user=user)
            .filter(pk__in=sorted(retitled))
            .values_list("pk", "shown_title")
        )
    hits: list[PageHit] = []
    grouped: dict[int, DocumentHit] = {}
    for raw_hit in raw.hits:
        page = pages.get(raw_hit.page_id)
        if page is None or not readable(page.document):
            continue
        hit = PageHit(
            document_id=raw_hit.document_id,
            page_id=raw_hit.page_id,
            number=raw_hit.number,
            score=float(raw_hit.score or 0.0),
            snippet=snippet(page.text or "", matcher),
            url=page_url(raw_hit.document_id, raw_hit.number, query),
        )
        hits.append(hit)
        group = grouped.get(raw_hit.document_id)
        if group is None:
            document = page.document
            request = document.request if document.request_id in titles else None
            group = grouped[raw_hit.document_id] = DocumentHit(
                document_id=document.pk,
                title=shown_titles.get(document.pk, document.title),
                request_id=request.pk if request else None,
                request_title=request.title if request else "",
                agency=str(request.agency) if request else "",
                url=f"/documents/{document.pk}/",
            )
        group.pages.append(hit)
    facets = _label_facets(raw.facets, titles) if with_facets else {}
    return hits, list(grouped.values()), facets


_agency_labels: tuple[float, dict[int, str]] = (0.0, {})
AGENCY_LABELS_SECONDS = 300


def _agency_label(agency_id: int) -> str | None:
    """Agencies are few and rarely renamed: their labels are kept a while."""
    global _agency_labels
    from foia.models import Agency

    loaded_at, labels = _agency_labels
    if agency_id not in labels or time.monotonic() - loaded_at > AGENCY_LABELS_SECONDS:
        labels = {
            pk: abbreviation or name
            for pk, abbreviation, name in Agency.objects.values_list(
                "pk", "abbreviation", "name"
            )
        }
        _agency_labels = (time.monotonic(), labels)
    return labels.get(agency_id)


def _label_facets(raw: dict, request_titles: dict[int, str]) -> dict[str, list]:
    """``request_titles`` holds only requests the user may see; others are left
    out of the request facet."""
    labelled: dict[str, list[FacetCount]] = {}
    for name in FACETS:
        items = []
        for value, count in raw.get(name, []):
            if name == "agency":
                label = _agency_label(value)
            elif name == "request":
                label = request_titles.get(value)
            elif name == "exemption":
                label = EXEMPTION_LABELS.get(value, value)
            elif name == "source":
                label = SOURCE_LABELS.get(value, value)
            else:
                label = str(value)
            if label is None or count <= 0:
                continue
            items.append(FacetCount(str(value), label, count))
        if name == "year":
            items.sort(key=lambda item: item.value, reverse=True)
        elif name == "exemption":
            items.sort(key=lambda item: item.value)
        else:
            items.sort(key=lambda item: (-item.count, item.label.lower()))
            items = items[:FACET_LIMIT]
        labelled[name] = items
    return labelled


# --- Helpers for the page viewer -----------------------------------------------


def _matcher_for(query: str):
    from search.snippets import Matcher

    try:
        node = q.parse(query or "")
    except q.QueryError:
        return None
    return Matcher(node)


def highlight_terms(query: str) -> list[str]:
    """The positive words of a query, as stems (``investig``), prefixes
    (``invest*``), fuzzy words (``detension~``) and phrases, for display."""
    try:
        node = q.parse(query or "")
    except q.QueryError:
        return []
    terms: list[str] = []
    for leaf in q.positive_leaves(node):
        if isinstance(leaf, q.Term):
            terms.append(leaf.stem)
        elif isinstance(leaf, q.Prefix):
            terms.append(f"{leaf.prefix}*")
        elif isinstance(leaf, q.Fuzzy):
            terms.append(f"{leaf.word}~{leaf.distance}")
        elif isinstance(leaf, q.Phrase):
            terms.append(" ".join(leaf.words))
        elif isinstance(leaf, q.Exact):
            terms.append(leaf.token)
    return list(dict.fromkeys(terms))


def page_match_boxes(page, query: str) -> list[dict]:
    """Word boxes of ``page`` to light up for ``query``: dicts with ``text``,
    ``left``, ``top``, ``width``, ``height`` (fractions of the page)."""
    from search.snippets import match_boxes

    matcher = _matcher_for(query)
    if matcher is None:
        return []
    return match_boxes(list(page.words or []), matcher)


def highlight_page_text(text: str, query: str) -> str:
    """A page's whole text, HTML-escaped, with the query's matches in <mark>."""
    import html

    from search.snippets import highlight

    matcher = _matcher_for(query)
    if matcher is None:
        return html.escape(text or "", quote=False)
    return highlight(text or "", matcher)
