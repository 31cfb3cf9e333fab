"""Index entries: one per page, built from the database in batches.

An entry carries the page's words (analysed once, see ``search.analysis``),
what the filters and facets need (agency and its ancestors, request,
jurisdiction, date received, exemptions, tags, text source) and what deciding
visibility needs (``search.visibility.Access``). ``fingerprint`` changes
whenever any of that changes, which is how ``search_check`` finds stale entries.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from documents.models import Document, DocumentLink, Page
from foia.models import Agency, FoiaRequest, Status
from search import analysis
from search.visibility import Access, Grant

# Pages the index holds: processed ones.
INDEXABLE = Q(state=Page.State.DONE)


@dataclass(frozen=True)
class IndexEntry:
    page_id: int
    document_id: int
    number: int
    stems: tuple[str, ...]  # the page's words, stemmed, in order
    words: tuple[str, ...]  # its distinct words, not stemmed (prefix, fuzzy)
    pairs: tuple[str, ...]  # adjacent stems, joined (phrases)
    compounds: tuple[str, ...]
    title_stems: tuple[str, ...]  # document and request titles
    document_title: str
    request_id: int | None  # the request the document came with
    request_ids: tuple[int, ...]  # that one and those it is linked to
    request_title: str
    agency_ids: tuple[int, ...]  # the requests' agencies and their ancestors
    jurisdictions: tuple[str, ...]
    received: datetime.date
    exemptions: tuple[str, ...]
    tags: tuple[str, ...]
    source: str
    access: Access
    fingerprint: str


@dataclass(frozen=True)
class _RequestInfo:
    title: str
    agency_ids: tuple[int, ...]
    jurisdiction: str
    tags: tuple[str, ...]
    grant: Grant


class AgencyTree:
    """Every agency's chain of ancestors, loaded once (agencies are few)."""

    def __init__(self) -> None:
        rows = Agency.objects.values_list("pk", "parent_id", "jurisdiction__code")
        self.parent = {pk: parent for pk, parent, _code in rows}
        self.jurisdiction = {pk: code for pk, _parent, code in rows}

    def chain(self, agency_id: int) -> tuple[int, ...]:
        chain: list[int] = []
        current: int | None = agency_id
        while current is not None and current not in chain:
            chain.append(current)
            current = self.parent.get(current)
        return tuple(chain)


def _request_infos(
    request_ids: Iterable[int], agencies: AgencyTree
) -> dict[int, _RequestInfo]:
    request_ids = set(request_ids)
    if not request_ids:
        return {}
    owners: dict[int, list[int]] = {pk: [] for pk in request_ids}
    tags: dict[int, list[str]] = {pk: [] for pk in request_ids}
    through = FoiaRequest.collaborators.through
    for request_id, user_id in through.objects.filter(
        foiarequest_id__in=request_ids
    ).values_list("foiarequest_id", "user_id"):
        owners[request_id].append(user_id)
    tag_through = FoiaRequest.tags.through
    for request_id, name in tag_through.objects.filter(
        foiarequest_id__in=request_ids
    ).values_list("foiarequest_id", "tag__name"):
        tags[request_id].append(name.lower())
    infos = {}
    for row in FoiaRequest.objects.filter(pk__in=request_ids).values(
        "pk",
        "title",
        "agency_id",
        "requester_id",
        "visibility",
        "status",
        "embargo_until",
    ):
        infos[row["pk"]] = _RequestInfo(
            title=row["title"],
            agency_ids=agencies.chain(row["agency_id"]),
            jurisdiction=agencies.jurisdiction.get(row["agency_id"], ""),
            tags=tuple(sorted(set(tags[row["pk"]]))),
            grant=Grant(
                request_id=row["pk"],
                visibility=row["visibility"],
                draft=row["status"] == Status.DRAFT,
                embargo_until=row["embargo_until"],
                owner_ids=tuple(sorted({row["requester_id"], *owners[row["pk"]]})),
            ),
        )
    return infos


def _received_on(document: dict) -> datetime.date:
    if document["communication__sent_on"]:
        return document["communication__sent_on"]
    return timezone.localdate(document["created_at"])


def build_entries(
    page_ids: Iterable[int], *, agencies: AgencyTree | None = None
) -> list[IndexEntry]:
    """Entries for the indexable pages among ``page_ids`` (others are skipped)."""
    page_ids = list(page_ids)
    if not page_ids:
        return []
    agencies = agencies or AgencyTree()
    pages = list(
        Page.objects.filter(INDEXABLE, pk__in=page_ids)
        .order_by("pk")
        .values("pk", "document_id", "number", "text", "source", "exemptions")
    )
    documents = {
        row["pk"]: row
        for row in Document.objects.filter(
            pk__in={page["document_id"] for page in pages}
        ).values(
            "pk",
            "title",
            "request_id",
            "uploaded_by_id",
            "created_at",
            "communication__sent_on",
        )
    }
    links: dict[int, list[int]] = {}
    adders: dict[int, set[int]] = {}
    for document_id, request_id, added_by_id in DocumentLink.objects.filter(
        document_id__in=documents
    ).values_list("document_id", "request_id", "added_by_id"):
        if request_id is not None:
            links.setdefault(document_id, []).append(request_id)
        elif added_by_id is not None:
            adders.setdefault(document_id, set()).add(added_by_id)
    request_ids = {doc["request_id"] for doc in documents.values() if doc["request_id"]}
    request_ids.update(pk for linked in links.values() for pk in linked)
    requests = _request_infos(request_ids, agencies)
    entries = []
    for page in pages:
        document = documents.get(page["document_id"])
        if document is None:  # deleted meanwhile
            continue
        ids = [document["request_id"]] if document["request_id"] else []
        ids += [pk for pk in links.get(document["pk"], ()) if pk not in ids]
        entries.append(
            _entry(
                page,
                document,
                [requests[pk] for pk in ids if pk in requests],
                tuple(sorted(adders.get(document["pk"], ()))),
            )
        )
    return entries


def _union(groups) -> tuple:
    return tuple(dict.fromkeys(item for group in groups for item in group))


def _entry(
    page: dict,
    document: dict,
    requests: list[_RequestInfo],
    adder_ids: tuple[int, ...] = (),
) -> IndexEntry:
    """``requests``: the document's own request first, then linked ones."""
    text = page["text"] or ""
    exemptions = tuple(dict.fromkeys(str(code).lower() for code in page["exemptions"]))
    own_request = requests[0] if requests and document["request_id"] else None
    access = Access(
        orphan=document["request_id"] is None,
        uploader_id=document["uploaded_by_id"],
        grants=tuple(request.grant for request in requests),
        adder_ids=adder_ids,
    )
    request_title = own_request.title if own_request else ""
    received = _received_on(document)
    agency_ids = _union(request.agency_ids for request in requests)
    jurisdictions = _union([request.jurisdiction] for request in requests)
    tags = tuple(sorted(set(_union(request.tags for request in requests))))
    request_ids = tuple(request.grant.request_id for request in requests)
    fields = (
        document["pk"],
        page["number"],
        document["title"],
        request_ids,
        request_title,
        agency_ids,
        jurisdictions,
        received.isoformat(),
        exemptions,
        tags,
        page["source"] or "",
        access,
    )
    digest = hashlib.blake2b(digest_size=12)
    digest.update(text.encode("utf-8", "surrogatepass"))
    digest.update(repr(fields).encode())
    stems, words = analysis.analyse(text)
    return IndexEntry(
        page_id=page["pk"],
        document_id=document["pk"],
        number=page["number"],
        stems=tuple(stems),
        words=tuple(sorted(words)),
        pairs=tuple(sorted(analysis.pairs(stems))),
        compounds=tuple(sorted(analysis.compounds(text))),
        title_stems=tuple(analysis.stems(f"{document['title']} {request_title}")),
        document_title=document["title"],
        request_id=document["request_id"],
        request_ids=request_ids,
        request_title=request_title,
        agency_ids=agency_ids,
        jurisdictions=tuple(code for code in jurisdictions if code),
        received=received,
        exemptions=exemptions,
        tags=tags,
        source=page["source"] or "",
        access=access,
        fingerprint=digest.hexdigest(),
    )


def page_ids_in_chunks(
    *, after: int = 0, chunk_size: int = 500, queryset=None
) -> Iterator[list[int]]:
    """Ids of indexable pages in ascending chunks, starting after ``after``.

    Each chunk is its own query, so memory stays bounded and a run can resume
    from the last id it finished.
    """
    queryset = queryset if queryset is not None else Page.objects.filter(INDEXABLE)
    last = after
    while True:
        chunk = list(
            queryset.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk_size]
        )
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


def fingerprints(page_ids: Iterable[int]) -> dict[int, str]:
    """Current fingerprints of the given pages, computed from the database."""
    return {entry.page_id: entry.fingerprint for entry in build_entries(page_ids)}
