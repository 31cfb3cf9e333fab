"""Reads of documents that need more than one line: always through visibility."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from documents.models import Document, DocumentLink, Page
from foia.models import FoiaRequest


def document_list(
    *, user, state: str = "", request_id: int | None = None
) -> QuerySet[Document]:
    """Documents ``user`` may see, newest first, optionally by state or request."""
    documents = Document.objects.visible_to(user).select_related("request")
    if state:
        documents = documents.filter(state=state)
    if request_id is not None:
        linked = DocumentLink.objects.filter(request_id=request_id).values("document")
        documents = documents.filter(Q(request_id=request_id) | Q(pk__in=linked))
    return documents


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


def page_list(*, document: Document) -> QuerySet[Page]:
    """Pages without their text and word boxes, for grids and progress."""
    return document.pages.defer("text", "words").order_by("number")
