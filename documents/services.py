"""Every write to documents: intake, processing, retries, recovery and deletion.

Views, the API, management commands and tasks all come through here, so an upload
behaves the same from a browser, a script or the command line.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Literal

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from config.queue import enqueue_on_commit
from documents import conf, intake, pipeline
from documents.models import ArchiveMember, Document, DocumentLink, Page
from foia import roles
from foia.permissions import is_manager

logger = logging.getLogger(__name__)

IngestState = Literal["queued", "duplicate", "rejected"]
Chunk = tuple[int, int]

PAGE_CRASHED = (
    "This page couldn't be processed because of a problem on the server; an "
    "administrator can look at it and run it again."
)
PAGE_STOPS_WORKERS = (
    "Reading this page stopped the server's worker every time it was tried; an "
    "administrator can look at it."
)
# Claims of one page before recovery gives up on it: a page that kills its worker
# (out of memory, a crash in a library) would otherwise be retried for ever.
MAX_PAGE_ATTEMPTS = 3
ORIGINAL_MISSING = (
    "The stored copy of this file is missing; an administrator needs to restore it "
    "before it can be processed."
)


@dataclass(frozen=True)
class IngestResult:
    """What became of one file: a new document, a link to an existing one, or a
    rejection with the reason. ``name`` is the file's name, or
    ``archive.zip/folder/file.pdf`` for a file taken out of a ZIP. ``title`` is
    what the file goes by where it was uploaded: the new document's title, or for
    bytes uploaded before, the title this upload's name gives (the document keeps
    its first upload's)."""

    name: str
    state: IngestState
    reason: str = ""
    document: Document | None = None
    title: str = ""


@dataclass(frozen=True)
class _Destination:
    uploaded_by: object
    request: object
    communication: object
    languages: str
    enqueue: bool


@dataclass
class RecoveryReport:
    pages_requeued: int = 0
    pages_failed: int = 0
    documents: list[int] = field(default_factory=list)
    chunks: dict[int, list[Chunk]] = field(default_factory=dict)


# --- permissions -------------------------------------------------------------------


def is_editor(user) -> bool:
    """Editors and administrators see and manage every document (the same rule
    as for requests: ``foia.permissions.is_manager``)."""
    return is_manager(user)


def _works_on(user, foia_request) -> bool:
    return (
        foia_request.requester_id == user.pk
        or foia_request.collaborators.filter(pk=user.pk).exists()
    )


def check_can_upload(*, user, request=None) -> None:
    """Raise PermissionDenied unless ``user`` may add documents (to ``request``).

    Reporters add to the requests they file or collaborate on, and on their own;
    editors and administrators anywhere; researchers and outsiders nowhere.
    """
    if user is None or not user.is_authenticated:
        raise PermissionDenied("Sign in to upload documents.")
    if is_editor(user):
        return
    if not user.groups.filter(name=roles.REPORTER).exists():
        raise PermissionDenied(
            "Only reporters, editors and administrators can upload documents."
        )
    if request is not None and not _works_on(user, request):
        raise PermissionDenied(
            "Only the request's reporter, its collaborators and editors can add "
            "documents to it."
        )


def can_edit_document(*, user, document: Document) -> bool:
    """Retry, re-run and delete: editors, the uploader, and the reporters of the
    request the document came with."""
    if user is None or not user.is_authenticated:
        return False
    if is_editor(user):
        return True
    if not user.groups.filter(name=roles.REPORTER).exists():
        return False
    if document.uploaded_by_id == user.pk:
        return True
    return document.request is not None and _works_on(user, document.request)


def check_can_edit_document(*, user, document: Document) -> None:
    if not can_edit_document(user=user, document=document):
        raise PermissionDenied("You can't change this document.")


# --- intake ------------------------------------------------------------------------


def document_ingest(
    *,
    fileobj: BinaryIO | None = None,
    path: str | os.PathLike[str] | None = None,
    name: str,
    uploaded_by=None,
    request=None,
    communication=None,
    languages: str = "",
    enqueue: bool = True,
) -> list[IngestResult]:
    """Take one uploaded file (from ``fileobj`` or ``path``) and return what became
    of it, as a list of one result.

    The kind is sniffed from the bytes; ``name`` is kept as data and never used in
    a storage path. A new document is queued for processing once the transaction
    commits (unless ``enqueue`` is false: the caller processes it). A ZIP archive
    whose directory is within the limits is stored the same way, as a document of
    kind ``zip``, and unpacked in the background (``archive_unpack``) into one
    document per file; one refused whole is rejected here. Bytes seen before
    become a link to the existing document on ``request``. Call
    ``check_can_upload`` first; raises ValueError for bad ``languages`` or a
    communication of another request.
    """
    if (fileobj is None) == (path is None):
        raise TypeError("give exactly one of fileobj and path")
    if communication is not None:
        if request is None:
            request = communication.request
        elif communication.request_id != request.pk:
            raise ValueError("That communication belongs to another request.")
    destination = _Destination(
        uploaded_by=uploaded_by,
        request=request,
        communication=communication,
        languages=intake.check_languages(languages),
        enqueue=enqueue,
    )
    name = intake.clean_name(name) or "upload"
    with tempfile.TemporaryDirectory(prefix="foia-intake-") as folder:
        work = Path(folder)
        try:
            if fileobj is not None:
                spooled = intake.spool(
                    fileobj, work / "upload", max_bytes=conf.upload_max_bytes()
                )
            else:
                with open(path, "rb") as source:  # noqa: PTH123
                    spooled = intake.spool(
                        source, work / "upload", max_bytes=conf.upload_max_bytes()
                    )
        except intake.Rejected as rejected:
            return [IngestResult(name, "rejected", rejected.reason)]
        if spooled.kind == "zip":
            refusal = intake.archive_refusal(spooled.path, budget=_zip_budget())
            if refusal:
                return [IngestResult(name, "rejected", refusal)]
        elif spooled.kind not in intake.ACCEPTED_KINDS:
            return [
                IngestResult(
                    name, "rejected", intake.describe_unsupported(spooled.path)
                )
            ]
        return [
            _store(
                spooled,
                shown=name,
                original_name=name,
                source_archive="",
                destination=destination,
            )
        ]


def upload_too_large(*, name: str) -> IngestResult:
    """The result for a file refused while it was being received, for being over
    the size limit (``documents.uploads``); nothing of it was kept."""
    return IngestResult(
        intake.clean_name(name) or "upload",
        "rejected",
        intake.too_large(conf.upload_max_bytes()),
    )


def _zip_budget() -> intake.ZipBudget:
    return intake.ZipBudget(
        members=conf.zip_max_members(),
        total_bytes=conf.zip_max_total_bytes(),
        max_depth=conf.zip_max_depth(),
        member_max_bytes=conf.upload_max_bytes(),
    )


def _original_storage_name(kind: str) -> str:
    now = timezone.now()
    return f"originals/{now:%Y/%m}/{uuid.uuid4().hex}.{intake.EXTENSIONS[kind]}"


def _enqueue_start(document: Document, *, why: str = "") -> None:
    """Queue the first step of a queued document: unpacking for an archive,
    opening and counting pages for anything else."""
    task = (
        "documents.tasks.unpack_archive"
        if document.is_archive
        else "documents.tasks.process_document"
    )
    suffix = f" ({why})" if why else ""
    enqueue_on_commit(task, document.pk, task_name=f"document {document.pk}{suffix}")


def _store(
    spooled: intake.Spooled,
    *,
    shown: str,
    original_name: str,
    source_archive: str,
    destination: _Destination,
    event: bool = True,
) -> IngestResult:
    existing = Document.objects.filter(sha256=spooled.sha256).first()
    if existing is not None:
        return _link_duplicate(
            existing,
            shown=shown,
            original_name=original_name,
            destination=destination,
            event=event,
        )
    with spooled.path.open("rb") as source:
        stored_name = default_storage.save(
            _original_storage_name(spooled.kind), File(source)
        )
    request = destination.request
    try:
        with transaction.atomic():
            document = Document.objects.create(
                title=intake.title_from_name(original_name),
                request=request,
                communication=destination.communication,
                original=stored_name,
                original_name=original_name,
                sha256=spooled.sha256,
                size=spooled.size,
                kind=spooled.kind,
                languages=destination.languages,
                uploaded_by=destination.uploaded_by,
                source_archive=source_archive[:255],
            )
            if request is not None and event:
                _request_event(
                    request,
                    actor=destination.uploaded_by,
                    message=f"Document added: {document.title}",
                    document=document,
                )
            if destination.enqueue:
                _enqueue_start(document)
    except IntegrityError:
        # The same bytes arrived at the same moment through another upload.
        default_storage.delete(stored_name)
        existing = Document.objects.filter(sha256=spooled.sha256).first()
        if existing is None:
            raise
        return _link_duplicate(
            existing,
            shown=shown,
            original_name=original_name,
            destination=destination,
            event=event,
        )
    return IngestResult(shown, "queued", "", document, document.title)


def _link_duplicate(
    existing: Document,
    *,
    shown: str,
    original_name: str,
    destination: _Destination,
    event: bool = True,
) -> IngestResult:
    """Link ``existing`` to the destination, under the title the new upload's
    name gives: the document keeps its own title (the first uploader's), and
    this uploader sees the one they gave."""
    request, communication = destination.request, destination.communication
    title = intake.title_from_name(original_name)
    known_as = _known_as(existing, destination)
    if known_as is not None:
        where = "on this request" if request is not None else "here"
        return IngestResult(
            shown,
            "duplicate",
            f"This file is already {where}, as “{known_as}”.",
            existing,
            known_as,
        )
    with transaction.atomic():
        if existing.is_archive:
            # Serialises with the end of unpacking (``_archive_finish``): either
            # that links the files to this arrival, or this sees them all.
            existing = Document.objects.select_for_update().get(pk=existing.pk)
        DocumentLink.objects.create(
            document=existing,
            request=request,
            communication=communication,
            added_by=destination.uploaded_by,
            original_name=original_name,
            title=title,
        )
        if request is not None and event:
            _request_event(
                request,
                actor=destination.uploaded_by,
                message=f"Document linked (uploaded before): {title}",
                document=existing,
            )
        if existing.is_archive and existing.state == Document.State.DONE:
            _archive_members_link(existing, destination)
    if request is not None:
        reason = f"This file was uploaded before; it is linked here as “{title}”."
    else:
        reason = f"This file was uploaded before; it is in your documents as “{title}”."
    return IngestResult(shown, "duplicate", reason, existing, title)


def _known_as(existing: Document, destination: _Destination) -> str | None:
    """The title ``existing`` already goes by at the destination, or None when
    it is not there yet."""
    request, communication = destination.request, destination.communication
    if request is None:
        # An upload on no request: the uploader only needs to be able to see it.
        uploader_id = getattr(destination.uploaded_by, "pk", None)
        if existing.uploaded_by_id == uploader_id:
            return existing.title
        link = existing.links.filter(request=None, added_by_id=uploader_id).first()
    else:
        # On the request already (on this communication, when one is given).
        if communication is None:
            first_arrival = existing.request_id == request.pk
        else:
            first_arrival = existing.communication_id == communication.pk
        if first_arrival:
            return existing.title
        link = existing.links.filter(
            request_id=request.pk,
            communication_id=communication.pk if communication else None,
        ).first()
    if link is None:
        return None
    return link.title or existing.title


def _request_event(request, *, actor, message: str, document: Document) -> None:
    from foia.models import RequestEvent

    RequestEvent.objects.create(
        request=request,
        kind="document",
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        message=message[:1000],
        data={"document_id": document.pk},
    )


# --- archives ----------------------------------------------------------------------

ARCHIVE_CRASHED = (
    "This ZIP archive couldn't be unpacked because of a problem on the server; an "
    "administrator can look at it and retry."
)


def archive_unpack(*, archive_id: int, enqueue: bool = True) -> list[int]:
    """Unpack a queued ZIP archive into one document per file, within the zip
    limits: each on the archive's request and communication, files seen before
    linked rather than copied, refused ones recorded with the reason
    (``ArchiveMember``). Every request the archive was linked to gets the files too.

    Returns the ids of the new documents, queued for processing once their
    transaction commits (unless ``enqueue`` is false: the caller processes them).
    Safe to run twice, and again after a worker died half-way: an archive another
    worker holds is left alone, and files an earlier run recorded are skipped.
    """
    claimed = _claim_queued(
        Document.objects.filter(pk=archive_id, kind=Document.Kind.ZIP)
    )
    if not claimed:
        return []
    archive = Document.objects.select_related(
        "request", "communication", "uploaded_by"
    ).get(pk=archive_id)
    destination = _Destination(
        uploaded_by=archive.uploaded_by,
        request=archive.request,
        communication=archive.communication,
        languages=archive.languages,
        enqueue=enqueue,
    )
    recorded = set(archive.members.values_list("position", flat=True))
    label = archive.original_name or f"{archive.title}.zip"
    created: list[int] = []
    try:
        with (
            local_original(archive) as path,
            tempfile.TemporaryDirectory(prefix="foia-unpack-") as folder,
        ):
            unpacked = intake.unpack(
                path, label=label, budget=_zip_budget(), work=Path(folder)
            )
            for position, item in enumerate(unpacked):
                if position in recorded:
                    continue
                member = _archive_member_store(
                    archive,
                    position=position,
                    item=item,
                    label=label,
                    destination=destination,
                )
                if member.outcome == ArchiveMember.Outcome.QUEUED:
                    created.append(member.document_id)
    except intake.Rejected as rejected:
        _document_fail(archive_id, rejected.reason, "refused when unpacked")
        return created
    except pipeline.ProcessingError as error:
        _document_fail(archive_id, error.reason, error.detail)
        return created
    except Exception as error:
        logger.exception("unpacking archive %s failed", archive_id)
        _document_fail(archive_id, ARCHIVE_CRASHED, _describe(error))
        return created
    _archive_finish(archive_id)
    return created


def _archive_member_store(
    archive: Document,
    *,
    position: int,
    item: intake.Unpacked,
    label: str,
    destination: _Destination,
) -> ArchiveMember:
    """Store one file out of the archive and record what became of it, in one
    transaction: a rerun finds either both or neither."""
    shown = f"{label}/{item.name}"
    with transaction.atomic():
        if item.spooled is None:
            result = IngestResult(shown, "rejected", item.reason)
        else:
            result = _store(
                item.spooled,
                shown=shown,
                original_name=intake.clean_name(item.name),
                source_archive=item.archive,
                destination=destination,
                event=False,
            )
        member = ArchiveMember.objects.create(
            archive=archive,
            position=position,
            name=item.name[:1000],
            outcome=result.state,
            reason=result.reason,
            document=result.document,
        )
        Document.objects.filter(pk=archive.pk).update(progressed_at=timezone.now())
    return member


def _archive_members_link(archive: Document, destination: _Destination) -> None:
    """Link the files taken out of ``archive`` to a further arrival of it."""
    members = archive.members.filter(document__isnull=False).select_related("document")
    for member in members:
        _link_duplicate(
            member.document,
            shown=member.name,
            original_name=intake.clean_name(member.name),
            destination=destination,
            event=False,
        )


def _archive_finish(archive_id: int) -> bool:
    """Mark an unpacked archive done, give its files to every request it was
    linked to meanwhile, and tell each request's timeline what came out of it."""
    with transaction.atomic():
        archive = (
            Document.objects.select_for_update()
            .filter(pk=archive_id, state=Document.State.PROCESSING)
            .first()
        )
        if archive is None:
            return False
        arrivals = [(archive.request, archive.uploaded_by, archive.original_name)]
        for link in archive.links.select_related(
            "request", "communication", "added_by"
        ):
            _archive_members_link(
                archive,
                _Destination(
                    uploaded_by=link.added_by,
                    request=link.request,
                    communication=link.communication,
                    languages=archive.languages,
                    enqueue=False,
                ),
            )
            arrivals.append((link.request, link.added_by, link.original_name))
        now = timezone.now()
        Document.objects.filter(pk=archive_id).update(
            state=Document.State.DONE,
            processed_at=now,
            progressed_at=now,
            error_reason="",
            error_detail="",
        )
        summary = archive_summary(archive)
        seen = set()
        for request, actor, name in arrivals:
            if request is None or request.pk in seen:
                continue
            seen.add(request.pk)
            _request_event(
                request,
                actor=actor,
                message=f"ZIP archive unpacked: {name or archive.title}: {summary}",
                document=archive,
            )
    return True


def archive_summary(archive: Document) -> str:
    """What came out of an archive, in words: "3 new documents, 1 not imported"."""
    counts = dict(
        archive.members.values_list("outcome").annotate(n=Count("pk")).order_by()
    )
    parts = []
    for outcome, one, many in (
        (ArchiveMember.Outcome.QUEUED, "new document", "new documents"),
        (
            ArchiveMember.Outcome.DUPLICATE,
            "file uploaded before",
            "files uploaded before",
        ),
        (ArchiveMember.Outcome.REJECTED, "file not imported", "files not imported"),
    ):
        count = counts.get(outcome, 0)
        if count:
            parts.append(f"{count} {one if count == 1 else many}")
    return ", ".join(parts) or "no files"


# --- processing --------------------------------------------------------------------


def chunk_size(*, page_count: int, workers: int | None = None) -> int:
    """Pages per task: small enough that every worker gets several chunks of a
    long document (so they finish together), never more than the configured
    maximum."""
    workers = max(1, workers or conf.workers())
    return max(1, min(conf.chunk_max_pages(), math.ceil(page_count / (4 * workers))))


def chunk_ranges(numbers: Iterable[int], *, size: int) -> list[Chunk]:
    """Runs of consecutive page numbers, cut into ranges of at most ``size``."""
    chunks: list[Chunk] = []
    first = last = None
    for number in sorted(set(numbers)):
        if first is not None and number == last + 1 and number - first < size:
            last = number
            continue
        if first is not None:
            chunks.append((first, last))
        first = last = number
    if first is not None:
        chunks.append((first, last))
    return chunks


def _enqueue_chunks(document_id: int, chunks: list[Chunk]) -> None:
    for first, last in chunks:
        enqueue_on_commit(
            "documents.tasks.process_chunk",
            document_id,
            first,
            last,
            task_name=f"document {document_id} pages {first}-{last}",
        )


def document_pending_chunks(
    *, document: Document, workers: int | None = None
) -> list[Chunk]:
    """Chunks covering the document's pages still waiting for a worker."""
    queued = list(
        document.pages.filter(state=Page.State.QUEUED).values_list("number", flat=True)
    )
    size = chunk_size(page_count=document.page_count or len(queued), workers=workers)
    return chunk_ranges(queued, size=size)


@contextlib.contextmanager
def local_original(document: Document) -> Iterator[Path]:
    """A local path to the stored original: the file itself on local storage, a
    temporary copy on remote storage. Raises ProcessingError when it is gone."""
    name = document.original.name
    storage = document.original.storage
    try:
        local = storage.path(name)
    except NotImplementedError:
        local = None
    if local is not None:
        if not os.path.isfile(local):  # noqa: PTH113
            raise pipeline.ProcessingError(ORIGINAL_MISSING, f"{name}: not in storage")
        yield Path(local)
        return
    with tempfile.TemporaryDirectory(prefix="foia-original-") as folder:
        copy = Path(folder) / f"original.{intake.EXTENSIONS.get(document.kind, 'bin')}"
        try:
            with storage.open(name, "rb") as source, copy.open("wb") as out:
                shutil.copyfileobj(source, out, intake.COPY_BUFFER)
        except OSError as error:
            raise pipeline.ProcessingError(
                ORIGINAL_MISSING, f"{name}: {type(error).__name__}: {error}"
            ) from error
        yield copy


@contextlib.contextmanager
def open_source(document: Document) -> Iterator[pipeline.SourceDocument]:
    with local_original(document) as path:
        source = pipeline.open_document(path, kind=document.kind)
        try:
            yield source
        finally:
            source.close()


def document_process_start(
    *, document: Document, enqueue: bool = True, workers: int | None = None
) -> list[Chunk]:
    """Open a queued document, count its pages, create them and (unless
    ``enqueue`` is false) queue one task per chunk after commit.

    Returns the chunks. Safe to run twice: a document someone else started, or
    one already finished, is left alone and gives no chunks. A file that can't
    be opened fails the document with the pipeline's reason.
    """
    if document.state != Document.State.QUEUED or document.is_archive:
        return []
    try:
        with open_source(document) as source:
            page_count = source.page_count
    except pipeline.ProcessingError as error:
        _document_fail(document.pk, error.reason, error.detail, attempt=True)
        return []
    except Exception as error:
        logger.exception("opening document %s failed", document.pk)
        _document_fail(
            document.pk,
            "This file couldn't be opened because of a problem on the server; an "
            "administrator can look at it and retry.",
            _describe(error),
            attempt=True,
        )
        return []
    if page_count < 1:
        _document_fail(
            document.pk, "This file has no pages.", "page count 0", attempt=True
        )
        return []
    with transaction.atomic():
        started = _claim_queued(
            Document.objects.filter(pk=document.pk),
            page_count=page_count,
            pages_done=0,
        )
        if not started:
            return []
        Page.objects.bulk_create(
            [Page(document_id=document.pk, number=n) for n in range(1, page_count + 1)],
            ignore_conflicts=True,
            batch_size=500,
        )
        chunks = chunk_ranges(
            range(1, page_count + 1),
            size=chunk_size(page_count=page_count, workers=workers),
        )
        if enqueue:
            _enqueue_chunks(document.pk, chunks)
    document.refresh_from_db()
    return chunks


def page_claim(*, page_id: int) -> datetime | None:
    """Claim a queued page for this worker: one conditional update, so of two
    workers trying at once exactly one wins. Returns the claim time (the token
    the result is stored under), or None when the page was not free."""
    now = timezone.now()
    won = Page.objects.filter(pk=page_id, state=Page.State.QUEUED).update(
        state=Page.State.RUNNING, claimed_at=now, attempts=F("attempts") + 1
    )
    return now if won == 1 else None


def document_chunk_process(
    *, document_id: int, first_page: int, last_page: int, index: bool = True
) -> int:
    """Claim and process pages ``first_page``..``last_page`` of a document.

    Returns how many pages this call processed. Safe to run twice and alongside
    other workers: only pages this call claims are processed, and a result is
    stored only while the claim still holds. Finishes the document when its
    last page is done, and then (with ``index``) queues its indexing.
    """
    # Tesseract's own threads would compete with the other workers' pages.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    document = Document.objects.filter(pk=document_id).first()
    if document is None or document.state != Document.State.PROCESSING:
        return 0
    candidates = list(
        Page.objects.filter(
            document_id=document_id,
            number__gte=first_page,
            number__lte=last_page,
            state=Page.State.QUEUED,
        )
        .order_by("number")
        .values_list("pk", "number")
    )
    processed = 0
    with contextlib.ExitStack() as stack:
        source = None
        for page_id, number in candidates:
            claim = page_claim(page_id=page_id)
            if claim is None:
                continue
            if source is None:
                try:
                    source = stack.enter_context(open_source(document))
                except pipeline.ProcessingError as error:
                    Page.objects.filter(pk=page_id, claimed_at=claim).update(
                        state=Page.State.QUEUED, claimed_at=None
                    )
                    _document_fail(document_id, error.reason, error.detail)
                    return processed
            _page_process(source, document, page_id=page_id, number=number, claim=claim)
            processed += 1
    document_finish_if_complete(document_id=document_id, index=index)
    return processed


def _page_process(
    source: pipeline.SourceDocument,
    document: Document,
    *,
    page_id: int,
    number: int,
    claim,
) -> None:
    try:
        result = pipeline.process_page(
            source,
            number - 1,
            dpi=conf.ocr_dpi(),
            max_pixels=conf.ocr_max_pixels(),
            languages=document.languages or conf.ocr_languages(),
        )
    except pipeline.ProcessingError as error:
        _page_store_failure(
            document.pk,
            page_id=page_id,
            claim=claim,
            reason=error.reason,
            detail=error.detail,
        )
    except Exception as error:
        # One page a library chokes on must not cost the rest of the document.
        logger.exception("page %s of document %s failed", number, document.pk)
        _page_store_failure(
            document.pk,
            page_id=page_id,
            claim=claim,
            reason=PAGE_CRASHED,
            detail=_describe(error),
        )
    else:
        _page_store_result(document.pk, page_id=page_id, claim=claim, result=result)


def _clean(text: str) -> str:
    # PostgreSQL text can't hold NUL, and a hostile PDF's text layer can.
    return text.replace("\x00", "")


def _page_store_result(
    document_id: int, *, page_id: int, claim, result: pipeline.PageResult
) -> None:
    now = timezone.now()
    thumbnail = default_storage.save(
        f"thumbnails/{now:%Y/%m}/{uuid.uuid4().hex}.jpg",
        ContentFile(result.thumbnail),
    )
    words = [
        [_clean(word.text), word.left, word.top, word.width, word.height, word.conf]
        for word in result.words
    ]
    with transaction.atomic():
        previous = (
            Page.objects.filter(pk=page_id).values("thumbnail", "preview").first()
        )
        stored = Page.objects.filter(
            pk=page_id, state=Page.State.RUNNING, claimed_at=claim
        ).update(
            state=Page.State.DONE,
            text=_clean(result.text),
            source=result.source,
            confidence=result.confidence,
            words=words,
            width=result.width,
            height=result.height,
            rotated=result.rotated,
            thumbnail=thumbnail,
            preview="",
            exemptions=list(result.exemptions),
            error="",
            error_detail="",
            processed_at=now,
            indexed_at=None,
        )
        if stored:
            Document.objects.filter(pk=document_id).update(
                pages_done=F("pages_done") + 1, progressed_at=now
            )
    if not stored:
        default_storage.delete(thumbnail)
        return
    for old in (previous or {}).values():
        if old:
            transaction.on_commit(lambda name=old: _delete_stored(name))


def _page_store_failure(
    document_id: int, *, page_id: int, claim, reason: str, detail: str
) -> None:
    now = timezone.now()
    with transaction.atomic():
        stored = Page.objects.filter(
            pk=page_id, state=Page.State.RUNNING, claimed_at=claim
        ).update(
            state=Page.State.FAILED,
            error=reason,
            error_detail=detail[:5000],
            processed_at=now,
        )
        if stored:
            Document.objects.filter(pk=document_id).update(
                pages_done=F("pages_done") + 1, progressed_at=now
            )


def document_finish_if_complete(*, document_id: int, index: bool = True) -> bool:
    """Mark the document done (or failed, when no page could be read) once none
    of its pages waits or runs, and (with ``index``) queue its indexing as a task
    of its own, so a slow index never holds up pages. Returns True for the one
    call that finished it."""
    pages = Page.objects.filter(document_id=document_id)
    if pages.filter(state__in=(Page.State.QUEUED, Page.State.RUNNING)).exists():
        return False
    counts = pages.aggregate(
        done=Count("pk", filter=Q(state=Page.State.DONE)),
        failed=Count("pk", filter=Q(state=Page.State.FAILED)),
    )
    finished_pages = counts["done"] + counts["failed"]
    state, reason, detail = Document.State.DONE, "", ""
    if counts["done"] == 0 and counts["failed"]:
        first = pages.filter(state=Page.State.FAILED).order_by("number").first()
        state = Document.State.FAILED
        if counts["failed"] == 1:
            reason = first.error
        else:
            reason = (
                f"None of the {counts['failed']} pages could be read. Page "
                f"{first.number}: {first.error}"
            )
        detail = first.error_detail
    now = timezone.now()
    finished = Document.objects.filter(
        pk=document_id, state=Document.State.PROCESSING
    ).update(
        state=state,
        pages_done=finished_pages,
        processed_at=now,
        progressed_at=now,
        error_reason=reason,
        error_detail=detail,
    )
    if finished and state == Document.State.DONE and index:
        enqueue_on_commit(
            "documents.tasks.index_document",
            document_id,
            task_name=f"document {document_id} (index)",
        )
    return bool(finished)


def document_index(*, document_id: int) -> None:
    """Hand a finished document's pages to search (when the search app offers it)."""
    if Document.objects.filter(pk=document_id, state=Document.State.DONE).exists():
        search_call("index_document", document_id)


def _claim_queued(documents, **fields) -> int:
    """Move the queued ones of ``documents`` to processing, counting the
    attempt and clearing an earlier failure; ``fields`` are set as well.
    Returns how many this call claimed (0: another worker has it, or it is not
    queued any more)."""
    now = timezone.now()
    return documents.filter(state=Document.State.QUEUED).update(
        state=Document.State.PROCESSING,
        processing_started_at=now,
        progressed_at=now,
        attempts=F("attempts") + 1,
        error_reason="",
        error_detail="",
        **fields,
    )


def _document_fail(
    document_id: int, reason: str, detail: str, *, attempt: bool = False
) -> None:
    """Fail a document still queued or processing; ``attempt`` counts the try
    (for a document that failed before it could start)."""
    now = timezone.now()
    extra = {"attempts": F("attempts") + 1} if attempt else {}
    Document.objects.filter(
        pk=document_id,
        state__in=(Document.State.QUEUED, Document.State.PROCESSING),
    ).update(
        state=Document.State.FAILED,
        error_reason=reason,
        error_detail=detail[:5000],
        processed_at=now,
        progressed_at=now,
        **extra,
    )


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:5000]


# --- retries, recovery, deletion -------------------------------------------------


def weak_pages(document: Document):
    """Pages worth running again: failed ones, and OCR read with low confidence."""
    return document.pages.filter(
        Q(state=Page.State.FAILED)
        | Q(
            state=Page.State.DONE,
            source=Page.Source.OCR,
            confidence__lt=conf.weak_page_confidence(),
        )
    )


def document_retry(
    *,
    document: Document,
    user,
    pages: Iterable[int] | None = None,
    languages: str | None = None,
) -> Document:
    """Run a failed document again, or re-run some of its pages (weak or failed
    ones, optionally in other OCR ``languages``).

    Raises PermissionDenied for users who can't edit the document and ValueError
    for a retry that makes no sense now (the document is still being processed,
    a page number it doesn't have).
    """
    check_can_edit_document(user=user, document=document)
    if languages is not None:
        languages = intake.check_languages(languages)
    numbers = sorted(set(pages)) if pages is not None else None
    if numbers is not None and document.is_archive:
        raise ValueError("A ZIP archive has no pages to read again.")
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if not document.is_finished:
            raise ValueError("This document is still being processed.")
        if languages is not None:
            document.languages = languages
        if numbers is None and document.state != Document.State.FAILED:
            raise ValueError(
                "Only a failed document is retried whole; choose pages to re-run."
            )
        document.error_reason = ""
        document.error_detail = ""
        document.processed_at = None
        document.progressed_at = timezone.now()
        if not document.pages.exists():
            document.state = Document.State.QUEUED
            document.page_count = None
            document.pages_done = 0
            document.save()
            _enqueue_start(document, why="retry")
            return document
        requeue = document.pages.all()
        if numbers is None:
            requeue = requeue.exclude(state=Page.State.DONE)
        else:
            unknown = [n for n in numbers if not 1 <= n <= (document.page_count or 0)]
            if unknown or not numbers:
                raise ValueError(
                    f"This document has no page {unknown[0]}."
                    if unknown
                    else "Choose at least one page to re-run."
                )
            requeue = requeue.filter(number__in=numbers)
        requeued = list(requeue.values_list("number", flat=True))
        requeue.update(
            state=Page.State.QUEUED,
            claimed_at=None,
            attempts=0,
            error="",
            error_detail="",
        )
        document.state = Document.State.PROCESSING
        document.attempts += 1
        document.pages_done = document.pages.filter(
            state__in=(Page.State.DONE, Page.State.FAILED)
        ).count()
        document.save()
        size = chunk_size(page_count=len(requeued))
        _enqueue_chunks(document.pk, chunk_ranges(requeued, size=size))
    return document


def document_recover(
    *,
    stale_after: timedelta | None = None,
    enqueue: bool = True,
    workers: int | None = None,
) -> RecoveryReport:
    """Hand work a dead worker left behind to live ones.

    Pages claimed longer than ``stale_after`` ago (default: django-q's task
    timeout, after which no live worker still holds them) go back to the queue,
    and every document that has not moved on for that long gets its waiting
    chunks queued again (or, when ``enqueue`` is false, listed in the report for
    the caller to run). Safe to run any time: work queued twice is claimed once.
    """
    stale_after = conf.stale_after() if stale_after is None else stale_after
    now = timezone.now()
    cutoff = now - stale_after
    stale_pages = Page.objects.filter(state=Page.State.RUNNING, claimed_at__lt=cutoff)
    stale_documents = set(stale_pages.values_list("document_id", flat=True))
    report = RecoveryReport()
    given_up = stale_pages.filter(attempts__gte=MAX_PAGE_ATTEMPTS)
    for page_id, document_id, claim, attempts in given_up.values_list(
        "pk", "document_id", "claimed_at", "attempts"
    ):
        _page_store_failure(
            document_id,
            page_id=page_id,
            claim=claim,
            reason=PAGE_STOPS_WORKERS,
            detail=f"claimed {attempts} times; each worker stopped before finishing",
        )
        report.pages_failed += 1
    report.pages_requeued = stale_pages.filter(attempts__lt=MAX_PAGE_ATTEMPTS).update(
        state=Page.State.QUEUED, claimed_at=None
    )
    stalled = Document.objects.filter(
        state__in=(Document.State.QUEUED, Document.State.PROCESSING)
    ).filter(
        Q(pk__in=stale_documents)
        | Q(progressed_at__lt=cutoff)
        | Q(progressed_at__isnull=True, created_at__lt=cutoff)
    )
    for document in stalled:
        report.documents.append(document.pk)
        Document.objects.filter(pk=document.pk).update(progressed_at=now)
        if document.is_archive and document.state == Document.State.PROCESSING:
            # Unpacking starts over; the files an earlier run recorded are skipped.
            Document.objects.filter(
                pk=document.pk, state=Document.State.PROCESSING
            ).update(state=Document.State.QUEUED)
            document.state = Document.State.QUEUED
        if document.state == Document.State.QUEUED:
            report.chunks[document.pk] = []
            if enqueue:
                _enqueue_start(document, why="recovered")
            continue
        chunks = document_pending_chunks(document=document, workers=workers)
        report.chunks[document.pk] = chunks
        if not chunks:
            if not document.pages.filter(state=Page.State.RUNNING).exists():
                document_finish_if_complete(document_id=document.pk)
            continue
        if enqueue:
            _enqueue_chunks(document.pk, chunks)
    return report


def document_delete(*, document: Document, user) -> None:
    """Delete a document, its pages and stored files, and drop it from search."""
    check_can_edit_document(user=user, document=document)
    document_id = document.pk
    with transaction.atomic():
        document.delete()
        transaction.on_commit(lambda: search_call("remove_document", document_id))


def page_preview_store(*, page: Page, content: bytes) -> str:
    """Keep a rendered page image for later views; returns its storage name."""
    name = default_storage.save(
        f"previews/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg", ContentFile(content)
    )
    kept = Page.objects.filter(pk=page.pk, preview="").update(preview=name)
    if not kept:
        # Another request stored one first, or the page was re-run meanwhile.
        default_storage.delete(name)
        page.refresh_from_db(fields=["preview"])
        return page.preview.name
    page.preview.name = name
    return name


# --- housekeeping --------------------------------------------------------------------


def _delete_stored(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("could not delete stored file %s", name, exc_info=True)


def stored_files_delete_on_commit(*names: str) -> None:
    """Delete stored files once the deleting transaction has committed."""
    for name in names:
        if name:
            transaction.on_commit(lambda name=name: _delete_stored(name))


def search_call(name: str, document_id: int) -> None:
    """Tell the search facade about a document, if it offers ``name``.

    Search is a separate app that may not be installed or ready; processing never
    fails because the index did.
    """
    try:
        import search
    except ImportError:
        return
    function = getattr(search, name, None)
    if function is None:
        return
    try:
        function(document_id)
    except Exception:
        logger.exception("search.%s(%s) failed", name, document_id)
