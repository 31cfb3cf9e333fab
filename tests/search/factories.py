"""Requests, documents and pages for search tests, in one place.

Requests are filed through ``foia.services.request_file``. Documents and pages
are rows made directly, as the processing pipeline would leave them; when the
documents app grows a service for that, only this file changes. ``publish``
plays the pipeline's last step: indexing the finished document.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
from collections.abc import Iterable, Sequence

from django.utils import timezone

import search
from documents.models import Document, Page
from foia import services as foia_services
from foia.models import Agency, FoiaRequest, Visibility

_counter = itertools.count(1)


def agency(slug: str) -> Agency:
    """An agency from the loaded list: ``dhs``, ``ice``, ``ice-opr``, ``fbi``..."""
    return Agency.objects.get(slug=slug)


def make_request(
    requester,
    *,
    title: str = "Detention inspections",
    agency_slug: str = "ice",
    visibility: str = Visibility.NEWSROOM,
    embargo_until: datetime.date | None = None,
    draft: bool = False,
    collaborators: Iterable = (),
    tags: Iterable[str] = (),
) -> FoiaRequest:
    return foia_services.request_file(
        actor=requester,
        agency=agency(agency_slug),
        title=title,
        body=f"All records about {title.lower()}.",
        collaborators=list(collaborators),
        tags=list(tags),
        visibility=visibility,
        embargo_until=embargo_until,
        filed_on=None if draft else timezone.localdate() - datetime.timedelta(days=30),
    )


def make_document(
    pages: Sequence[str | dict],
    *,
    request: FoiaRequest | None = None,
    title: str | None = None,
    uploaded_by=None,
    received: datetime.date | None = None,
) -> Document:
    """A processed document whose pages have the given texts.

    A page given as a dict may set ``text``, ``source`` (``ocr`` by default),
    ``exemptions`` and ``words``. ``received`` sets the date the document was
    received (its creation date).
    """
    serial = next(_counter)
    document = Document.objects.create(
        title=title or f"Release {serial}",
        request=request,
        original=f"originals/test/release-{serial}.pdf",
        original_name=f"release-{serial}.pdf",
        sha256=hashlib.sha256(
            f"release-{serial}-{timezone.now()}".encode()
        ).hexdigest(),
        size=1000,
        kind=Document.Kind.PDF,
        state=Document.State.DONE,
        page_count=len(pages),
        pages_done=len(pages),
        uploaded_by=uploaded_by or (request.requester if request else None),
        processed_at=timezone.now(),
    )
    if received is not None:
        created = timezone.make_aware(
            datetime.datetime.combine(received, datetime.time(12, 0))
        )
        Document.objects.filter(pk=document.pk).update(created_at=created)
    Page.objects.bulk_create(
        [_page(document, number, spec) for number, spec in enumerate(pages, start=1)]
    )
    return document


def _page(document: Document, number: int, spec: str | dict) -> Page:
    if isinstance(spec, str):
        spec = {"text": spec}
    return Page(
        document=document,
        number=number,
        state=Page.State.DONE,
        text=spec.get("text", ""),
        source=spec.get("source", Page.Source.OCR),
        exemptions=list(spec.get("exemptions", [])),
        words=list(spec.get("words", [])),
        processed_at=timezone.now(),
    )


def publish(document: Document) -> Document:
    """What the pipeline does when a document is done: index it."""
    search.index_document(document.pk)
    return document


def make_published(pages: Sequence[str | dict], **kwargs) -> Document:
    return publish(make_document(pages, **kwargs))
