"""Reads of documents that need more than one line: always through visibility."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce

from documents.models import ArchiveMember, Document, DocumentLink, Page
from foia import roles
from foia.models import FoiaRequest


def document_list(
    *, user, state: str = "", request_id: int | None = None
) -> QuerySet[Document]:
    """Documents ``user`` may see, newest first, optionally by state or request.

    Each has ``shown_title``: the title it goes by where ``user`` (or the
    request) got it; see ``_with_shown_title``.
    """
    documents = Document.objects.visible_to(user).select_related("request")
    if state:
        documents = documents.filter(state=state)
    if request_id is not None:
        linked = DocumentLink.objects.filter(request_id=request_id).values("document")
        documents = documents.filter(Q(request_id=request_id) | Q(pk__in=linked))
    return _with_shown_title(documents, user=user, request_id=request_id)


def _sees_first_upload(user) -> Q:
    """Documents whose first upload ``user`` may see (its request, or its
    uploader): they go by their own title."""
    if _is_editor(user):
        return Q(pk__isnull=False)
    condition = Q(request__in=FoiaRequest.objects.visible_to(user).values("pk"))
    if user is not None and user.is_authenticated:
        condition |= Q(uploaded_by=user)
        if roles.names_of(user):
            condition |= Q(request__isnull=True)
    return condition


def _with_shown_title(
    documents: QuerySet[Document], *, user, request_id: int | None
) -> QuerySet[Document]:
    """Annotate ``shown_title`` and ``shown_name`` (the file name). The same
    bytes uploaded again are one document under its first title; the later
    uploader (and their request's page) sees the names of their own upload."""
    if request_id is not None:
        first_upload = Q(request_id=request_id)
        links = DocumentLink.objects.filter(request_id=request_id)
    else:
        first_upload = _sees_first_upload(user)
        links = _links_seen_by(user)
    link = (
        links.filter(document=OuterRef("pk"))
        .exclude(title="")
        .order_by("created", "pk")
    )
    return documents.annotate(
        shown_title=Case(
            When(first_upload, then=F("title")),
            default=Coalesce(Subquery(link.values("title")[:1]), F("title")),
            output_field=CharField(),
        ),
        shown_name=Case(
            When(first_upload, then=F("original_name")),
            default=Coalesce(
                Subquery(link.values("original_name")[:1]), F("original_name")
            ),
            output_field=CharField(),
        ),
    )


def _links_seen_by(user) -> QuerySet[DocumentLink]:
    visible_requests = FoiaRequest.objects.visible_to(user).values("pk")
    condition = Q(request__in=visible_requests)
    if user is not None and user.is_authenticated:
        condition |= Q(request__isnull=True, added_by=user)
    return DocumentLink.objects.filter(condition)


@dataclass(frozen=True)
class DocumentNames:
    title: str
    original_name: str


def document_names(*, document: Document, user) -> DocumentNames:
    """The title and file name ``user`` knows ``document`` by: its own, unless
    ``user`` only has it through a later upload of the same bytes, whose names
    they see instead (the first upload may be on a request hidden from them)."""
    own = DocumentNames(document.title, document.original_name)
    if Document.objects.filter(_sees_first_upload(user), pk=document.pk).exists():
        return own
    link = (
        _links_seen_by(user)
        .filter(document=document)
        .exclude(title="")
        .order_by("created", "pk")
        .first()
    )
    if link is None:
        return own
    return DocumentNames(link.title, link.original_name or link.title)


def _is_editor(user) -> bool:
    from documents.services import is_editor

    return is_editor(user)


def document_list_for_request(*, request_obj: FoiaRequest, user) -> QuerySet[Document]:
    """The documents that came with a request (directly or as a duplicate linked
    there), as ``user`` may see them, in the order they arrived."""
    return document_list(user=user, request_id=request_obj.pk).order_by(
        "created_at", "pk"
    )


def document_arrivals(*, document: Document, user) -> list[dict]:
    """Each request and communication the document came with that ``user`` may
    see: the first upload, then every link, without repeats."""
    visible = set(FoiaRequest.objects.visible_to(user).values_list("pk", flat=True))
    arrivals = []
    seen = set()
    candidates = [(document.request, document.communication)] + [
        (link.request, link.communication)
        for link in document.links.select_related("request", "communication")
    ]
    for request_obj, communication in candidates:
        if request_obj is None or request_obj.pk not in visible:
            continue
        key = (request_obj.pk, communication.pk if communication else None)
        if key in seen:
            continue
        seen.add(key)
        arrivals.append({"request": request_obj, "communication": communication})
    return arrivals


def with_unpacked(document_ids: Iterable[int]) -> list[int]:
    """``document_ids`` followed by the new documents unpacked so far from the
    archives among them."""
    ids = list(dict.fromkeys(document_ids))
    members = ArchiveMember.objects.filter(
        archive_id__in=ids,
        outcome=ArchiveMember.Outcome.QUEUED,
        document__isnull=False,
    ).order_by("archive_id", "position")
    return list(dict.fromkeys([*ids, *members.values_list("document_id", flat=True)]))


@dataclass(frozen=True)
class ArchiveEntry:
    """A file of an archive as a reader sees it: what became of it, and the
    document when they may open it."""

    member: ArchiveMember
    document: Document | None


def archive_entries(*, archive: Document, user) -> list[ArchiveEntry]:
    """The files of ``archive`` in their order, each with its document if
    ``user`` may see it (files uploaded before may be on requests they can't)."""
    members = list(archive.members.select_related("document"))
    visible = set(
        Document.objects.visible_to(user)
        .filter(pk__in=[m.document_id for m in members if m.document_id])
        .values_list("pk", flat=True)
    )
    return [
        ArchiveEntry(member, member.document if member.document_id in visible else None)
        for member in members
    ]


def archive_of(*, document: Document, user) -> Document | None:
    """The archive ``document`` was unpacked from, if ``user`` may see it."""
    entry = (
        document.archive_entries.filter(outcome=ArchiveMember.Outcome.QUEUED)
        .values_list("archive_id", flat=True)
        .first()
    )
    if entry is None:
        return None
    return Document.objects.visible_to(user).filter(pk=entry).first()


def page_list(*, document: Document) -> QuerySet[Page]:
    """Pages without their text and word boxes, for grids and progress."""
    return document.pages.defer("text", "words").order_by("number")
