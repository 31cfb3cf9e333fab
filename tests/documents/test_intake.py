"""Intake: what is accepted, what is refused and why, duplicates, ZIP archives."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents import services, tasks
from documents.models import ArchiveMember, Document, DocumentLink
from documents.services import check_can_upload, document_ingest
from foia import services as foia_services
from foia.models import RequestEvent, Visibility
from tests.documents.conftest import MEMO, sample, text_pdf, zip_bytes

pytestmark = pytest.mark.django_db


def test_original_is_stored_untouched_under_a_generated_name(ingest_one, reporter):
    data = sample("text_layer.pdf").read_bytes()
    result = ingest_one(data, name="../../etc/Release <1>.pdf", enqueue=False)
    document = result.document
    assert result.state == "queued"
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.size == len(data)
    assert document.kind == "pdf"
    assert document.original_name == "Release <1>.pdf"
    assert document.title == "Release <1>"
    assert document.uploaded_by == reporter
    stored = document.original.name
    assert stored.startswith("originals/") and stored.endswith(".pdf")
    assert "Release" not in stored and ".." not in stored
    with default_storage.open(stored, "rb") as original:
        assert original.read() == data


def test_kind_comes_from_the_bytes_not_the_name(ingest_one):
    png_named_pdf = ingest_one(
        sample("sideways.png").read_bytes(), name="memo.pdf", enqueue=False
    )
    assert png_named_pdf.document.kind == "png"
    assert png_named_pdf.document.original.name.endswith(".png")
    pdf_named_doc = ingest_one(text_pdf(MEMO), name="memo.docx", enqueue=False)
    assert pdf_named_doc.document.kind == "pdf"


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"", "empty.pdf", "This file is empty."),
        (
            b"Dear requester,\nplease find attached.\n",
            "letter.pdf",
            "This is a plain text file; upload PDF, TIFF, PNG, JPEG or ZIP.",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
            "old.doc",
            "This is a Microsoft Office document (Word, Excel or Outlook); upload "
            "PDF, TIFF, PNG, JPEG or ZIP.",
        ),
        (
            b"GIF89a" + bytes(100),
            "scan.gif",
            "This is a GIF image; upload PDF, TIFF, PNG, JPEG or ZIP.",
        ),
        (
            bytes(range(256)) * 4,
            "mystery.bin",
            "This is an unknown kind of file; upload PDF, TIFF, PNG, JPEG or ZIP.",
        ),
    ],
)
def test_unsupported_and_empty_files_are_rejected_with_a_reason(
    ingest_one, data, name, reason
):
    result = ingest_one(data, name=name)
    assert result.state == "rejected"
    assert result.reason == reason
    assert result.document is None
    assert not Document.objects.exists()


def test_a_word_document_is_named_as_such_not_unpacked_as_a_zip(ingest_one):
    docx = zip_bytes(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
        }
    )
    result = ingest_one(docx, name="response.docx")
    assert result.state == "rejected"
    assert result.reason == (
        "This is a Word document; upload PDF, TIFF, PNG, JPEG or ZIP."
    )


def test_a_file_over_the_size_limit_is_rejected(ingest_one, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    result = ingest_one(sample("text_layer.pdf").read_bytes())
    assert result.state == "rejected"
    assert result.reason == "This file is larger than the 1 KB limit."
    assert not Document.objects.exists()


def test_same_bytes_twice_make_one_document_linked_on_the_second_request(
    ingest_one, make_request, reporter, editor, other_reporter
):
    data = text_pdf(MEMO)
    first_request = make_request(title="First request")
    second_request = make_request(other_reporter, title="Second request")
    first = ingest_one(data, name="Tip from a source.pdf", request=first_request)
    second = ingest_one(
        data, name="otto_copy.pdf", user=other_reporter, request=second_request
    )
    assert first.state == "queued"
    assert second.state == "duplicate"
    assert second.document == first.document
    # The second uploader hears of the file under the name they gave it.
    assert second.reason == (
        "This file was uploaded before; it is linked here as “otto copy”."
    )
    assert second.title == "otto copy"
    assert Document.objects.count() == 1
    link = DocumentLink.objects.get()
    assert (link.document, link.request, link.added_by, link.title) == (
        first.document,
        second_request,
        other_reporter,
        "otto copy",
    )
    first.document.refresh_from_db()
    assert first.document.title == "Tip from a source"
    # Visible through either request, to each request's people.
    assert Document.objects.visible_to(other_reporter).get() == first.document
    assert Document.objects.visible_to(reporter).get() == first.document
    event = RequestEvent.objects.get(request=second_request, kind="document")
    assert event.message == "Document linked (uploaded before): otto copy"
    # Uploading it on the same request again changes nothing.
    again = ingest_one(data, user=other_reporter, request=second_request)
    assert again.state == "duplicate"
    assert again.reason == "This file is already on this request, as “otto copy”."
    assert DocumentLink.objects.count() == 1


def test_the_same_bytes_uploaded_on_no_request_show_their_uploader_the_document(
    ingest_one, make_request, other_reporter, outsider
):
    private = make_request(title="Private request")
    document = ingest_one(text_pdf(MEMO), request=private).document
    again = ingest_one(text_pdf(MEMO), user=other_reporter)
    assert again.state == "duplicate"
    assert Document.objects.visible_to(other_reporter).get() == document
    assert not Document.objects.visible_to(outsider).exists()


def test_a_document_on_a_private_request_stays_hidden_from_others(
    ingest_one, make_request, other_reporter, researcher, outsider
):
    private = make_request(title="Private request")
    document = ingest_one(text_pdf(MEMO), request=private).document
    for user in (other_reporter, researcher, outsider):
        assert not Document.objects.visible_to(user).filter(pk=document.pk).exists()


def test_a_newsroom_request_shares_its_documents_with_colleagues(
    ingest_one, make_request, researcher, outsider
):
    shared = make_request(title="Shared request", visibility=Visibility.NEWSROOM)
    document = ingest_one(text_pdf(MEMO), request=shared).document
    assert Document.objects.visible_to(researcher).filter(pk=document.pk).exists()
    assert not Document.objects.visible_to(outsider).filter(pk=document.pk).exists()


# --- permissions ---------------------------------------------------------------------


def test_who_may_upload_where(
    make_request, reporter, other_reporter, editor, researcher, outsider, admin_user
):
    own = make_request(title="Own request")
    collaborating = make_request(
        other_reporter, title="Shared with rita", collaborators=[reporter]
    )
    theirs = make_request(other_reporter, title="Otto's request")
    check_can_upload(user=reporter, request=None)
    check_can_upload(user=reporter, request=own)
    check_can_upload(user=reporter, request=collaborating)
    check_can_upload(user=editor, request=theirs)
    check_can_upload(user=admin_user, request=theirs)
    with pytest.raises(PermissionDenied):
        check_can_upload(user=reporter, request=theirs)
    for user in (researcher, outsider):
        with pytest.raises(PermissionDenied):
            check_can_upload(user=user, request=None)


# --- ZIP archives ---------------------------------------------------------------------


def test_a_zip_is_stored_whole_and_unpacked_in_the_background(
    make_request, reporter, django_capture_on_commit_callbacks
):
    request_obj = make_request()
    archive_bytes = zip_bytes(
        {
            "release/part 1.pdf": text_pdf(MEMO),
            "release/scans/photo.jpg": sample("phone_photo.jpg").read_bytes(),
            "release/notes.txt": b"Index of the release, not a document.\n",
            "__MACOSX/release/._part 1.pdf": b"\x00\x05\x16\x07junk",
            "release/": b"",
        }
    )
    with django_capture_on_commit_callbacks() as callbacks:
        (result,) = document_ingest(
            fileobj=io.BytesIO(archive_bytes),
            name="release.zip",
            uploaded_by=reporter,
            request=request_obj,
        )
    # The upload stores the archive as it came and leaves the unpacking to a task.
    archive = result.document
    assert (result.name, result.state) == ("release.zip", "queued")
    assert (archive.kind, archive.state, archive.title) == ("zip", "queued", "release")
    assert archive.sha256 == hashlib.sha256(archive_bytes).hexdigest()
    assert archive.original.name.endswith(".zip")
    with default_storage.open(archive.original.name, "rb") as original:
        assert original.read() == archive_bytes
    assert Document.objects.count() == 1
    assert not ArchiveMember.objects.exists()
    assert len(callbacks) == 1

    with django_capture_on_commit_callbacks(execute=True):
        created = tasks.unpack_archive(archive.pk)
    assert created == 2
    archive.refresh_from_db()
    assert archive.state == "done"
    members = list(archive.members.all())
    assert [(m.name, m.outcome) for m in members] == [
        ("release/part 1.pdf", "queued"),
        ("release/scans/photo.jpg", "queued"),
        ("release/notes.txt", "rejected"),
    ]
    assert "plain text file" in members[2].reason
    part = members[0].document
    assert (part.original_name, part.title, part.source_archive) == (
        "part 1.pdf",
        "part 1",
        "release.zip",
    )
    assert part.request == request_obj and part.uploaded_by == reporter
    assert part.state == "done"
    assert members[1].document.kind == "jpeg"
    assert Document.objects.count() == 3
    event = RequestEvent.objects.filter(request=request_obj, kind="document").last()
    assert event.message == (
        "ZIP archive unpacked: release.zip: 2 new documents, 1 file not imported"
    )


def test_a_zip_attached_to_a_communication_unpacks_onto_it(
    make_request, reporter, django_capture_on_commit_callbacks
):
    request_obj = make_request()
    with django_capture_on_commit_callbacks(execute=True):
        logged = foia_services.communication_log(
            actor=reporter,
            request=request_obj,
            direction="in",
            channel="email",
            kind="acknowledgement",
            sent_on=timezone.localdate() - timedelta(days=2),
            attachments=[
                SimpleUploadedFile(
                    "release.zip", zip_bytes({"letter.pdf": text_pdf(MEMO)})
                )
            ],
        )
    archive = Document.objects.get(kind="zip")
    assert logged.documents == (archive,)
    letter = archive.members.get().document
    assert letter.communication == archive.communication == logged.communication
    assert letter.request == request_obj
    assert letter.state == "done"


def test_unpacking_again_takes_no_file_twice(
    ingest_one, make_request, django_capture_on_commit_callbacks
):
    archive = ingest_one(
        zip_bytes({"a.pdf": text_pdf(MEMO), "b.pdf": text_pdf(MEMO + "\nB.")}),
        name="parts.zip",
        request=make_request(),
    ).document
    assert archive.state == "done"
    # A second run of the task (a retried delivery) changes nothing.
    assert tasks.unpack_archive(archive.pk) == 0
    # A worker that died after the first file: recovery hands the archive on,
    # and the next run takes only the file not yet recorded.
    last = archive.members.get(position=1)
    last.document.delete()
    last.delete()
    Document.objects.filter(pk=archive.pk).update(
        state="processing", progressed_at=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = services.document_recover(stale_after=timedelta(minutes=5))
    assert archive.pk in report.documents
    archive.refresh_from_db()
    assert archive.state == "done"
    assert [(m.name, m.outcome) for m in archive.members.all()] == [
        ("a.pdf", "queued"),
        ("b.pdf", "queued"),
    ]
    assert Document.objects.exclude(pk=archive.pk).count() == 2
    assert set(
        Document.objects.exclude(pk=archive.pk).values_list("state", flat=True)
    ) == {"done"}


def test_files_in_a_zip_seen_before_are_linked_not_copied(
    ingest_one, make_request, other_reporter
):
    memo = ingest_one(text_pdf(MEMO), name="memo.pdf", request=make_request()).document
    theirs = make_request(other_reporter, title="Otto's request")
    archive = ingest_one(
        zip_bytes({"copy of memo.pdf": text_pdf(MEMO)}),
        name="otto.zip",
        user=other_reporter,
        request=theirs,
    ).document
    (member,) = archive.members.all()
    assert (member.outcome, member.document) == ("duplicate", memo)
    assert member.reason == (
        "This file was uploaded before; it is linked here as “copy of memo”."
    )
    assert Document.objects.count() == 2
    link = DocumentLink.objects.get(document=memo)
    assert (link.request, link.title) == (theirs, "copy of memo")


def test_the_same_zip_again_on_another_request_links_its_files_there(
    ingest_one, make_request, reporter, other_reporter
):
    data = zip_bytes({"a.pdf": text_pdf(MEMO), "b.pdf": text_pdf(MEMO + "\nB.")})
    first = ingest_one(data, name="release.zip", request=make_request()).document
    theirs = make_request(other_reporter, title="Otto's request")
    again = ingest_one(data, name="otto.zip", user=other_reporter, request=theirs)
    assert (again.state, again.document) == ("duplicate", first)
    unpacked = [member.document for member in first.members.all()]
    assert Document.objects.count() == 3
    for document in unpacked:
        assert DocumentLink.objects.filter(document=document, request=theirs).exists()
    visible = set(Document.objects.visible_to(other_reporter))
    assert visible == {first, *unpacked}


def test_a_zip_linked_while_it_is_unpacked_gets_its_files_when_it_is_done(
    make_request, reporter, other_reporter, django_capture_on_commit_callbacks
):
    data = zip_bytes({"a.pdf": text_pdf(MEMO)})
    with django_capture_on_commit_callbacks():
        (first,) = document_ingest(
            fileobj=io.BytesIO(data),
            name="release.zip",
            uploaded_by=reporter,
            request=make_request(),
        )
    theirs = make_request(other_reporter, title="Otto's request")
    (again,) = document_ingest(
        fileobj=io.BytesIO(data),
        name="otto.zip",
        uploaded_by=other_reporter,
        request=theirs,
    )
    assert again.state == "duplicate"
    with django_capture_on_commit_callbacks(execute=True):
        tasks.unpack_archive(first.document.pk)
    (member,) = first.document.members.all()
    assert DocumentLink.objects.filter(document=member.document, request=theirs)
    assert RequestEvent.objects.filter(
        request=theirs, message="ZIP archive unpacked: otto.zip: 1 new document"
    ).exists()


def test_a_zip_inside_a_zip_is_unpacked_once_more_but_no_deeper(ingest_one):
    deepest = zip_bytes({"deep.pdf": text_pdf(MEMO + "\nThird level.")})
    inner = zip_bytes(
        {"inner.pdf": text_pdf(MEMO + "\nSecond level."), "deeper.zip": deepest}
    )
    outer = zip_bytes({"outer.pdf": text_pdf(MEMO), "inner.zip": inner})
    archive = ingest_one(outer, name="outer.zip").document
    members = {member.name: member for member in archive.members.all()}
    assert members["outer.pdf"].outcome == "queued"
    inner_pdf = members["inner.zip/inner.pdf"]
    assert inner_pdf.outcome == "queued"
    assert inner_pdf.document.source_archive == "outer.zip/inner.zip"
    too_deep = members["inner.zip/deeper.zip"]
    assert too_deep.outcome == "rejected"
    assert "levels deep" in too_deep.reason
    assert Document.objects.exclude(kind="zip").count() == 2


def test_a_file_in_a_zip_over_the_size_limit_is_refused_alone(ingest_one, settings):
    small = text_pdf(MEMO)
    settings.UPLOAD_MAX_BYTES = len(small) + 100
    archive = ingest_one(
        zip_bytes({"small.pdf": small, "large.pdf": b"%PDF-1.4\n" + bytes(5000)}),
        name="mixed.zip",
    ).document
    large = archive.members.get(name="large.pdf")
    assert large.outcome == "rejected"
    assert large.reason.startswith("This file is larger than the ")
    assert archive.members.get(name="small.pdf").outcome == "queued"


def test_a_failed_archive_can_be_unpacked_again(
    ingest_one, reporter, django_capture_on_commit_callbacks
):
    archive = ingest_one(zip_bytes({"a.pdf": text_pdf(MEMO)}), enqueue=False).document
    stored = archive.original.name
    moved = default_storage.save("elsewhere.zip", default_storage.open(stored, "rb"))
    default_storage.delete(stored)
    tasks.unpack_archive(archive.pk)
    archive.refresh_from_db()
    assert archive.state == "failed"
    assert "stored copy of this file is missing" in archive.error_reason
    default_storage.save(stored, default_storage.open(moved, "rb"))
    with django_capture_on_commit_callbacks(execute=True):
        services.document_retry(document=archive, user=reporter)
    archive.refresh_from_db()
    assert archive.state == "done"
    assert archive.members.get().document.state == "done"
    with pytest.raises(ValueError, match="no pages"):
        services.document_retry(document=archive, user=reporter, pages=[1])


def test_a_zip_with_too_many_files_is_refused_whole(ingest, settings):
    settings.ZIP_MAX_MEMBERS = 2
    archive = zip_bytes(
        {f"page{n}.pdf": text_pdf(f"{MEMO}\nCopy {n}") for n in range(3)}
    )
    (result,) = ingest(archive, name="big.zip")
    assert result.state == "rejected"
    assert result.reason == (
        "This ZIP archive holds more files than can be taken at once (3 here, 2 at "
        "most); split it into smaller archives."
    )
    assert not Document.objects.exists()


def test_a_zip_that_unpacks_too_big_is_refused_whole(ingest, settings):
    settings.ZIP_MAX_TOTAL_BYTES = 10_000
    # Compresses to almost nothing: the classic zip bomb shape.
    archive = zip_bytes({"bomb.pdf": b"%PDF-1.4\n" + bytes(50_000)})
    assert len(archive) < 2_000
    (result,) = ingest(archive, name="bomb.zip")
    assert result.state == "rejected"
    assert "unpacks to more than the 9.8 KB" in result.reason
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("member", "what"),
    [
        ("../../outside.pdf", "a file whose path leads outside the archive"),
        ("/etc/release.pdf", "a file with an absolute path"),
        ("C:\\Windows\\release.pdf", "a file with an absolute path"),
        ("link.pdf", "a symbolic link"),
    ],
)
def test_a_zip_with_unsafe_paths_is_refused_whole(ingest, member, what):
    archive = zip_bytes(
        {"fine.pdf": text_pdf(MEMO), member: b"/etc/passwd"},
        symlinks=("link.pdf",),
    )
    (result,) = ingest(archive, name="hostile.zip")
    assert result.state == "rejected"
    assert result.reason.startswith(f"This ZIP archive contains {what}")
    assert result.reason.endswith("nothing in it was imported.")
    assert not Document.objects.exists()


def test_a_damaged_zip_is_rejected(ingest_one):
    archive = zip_bytes({"fine.pdf": text_pdf(MEMO)})
    result = ingest_one(archive[:40], name="cut.zip")
    assert result.state == "rejected"
    assert result.reason == "This ZIP archive is damaged and can't be opened."


def test_unknown_ocr_languages_are_refused(reporter):
    from documents.services import document_ingest

    with pytest.raises(ValueError, match="not installed"):
        document_ingest(
            path=sample("text_layer.pdf"),
            name="x.pdf",
            uploaded_by=reporter,
            languages="eng+klingon",
        )
