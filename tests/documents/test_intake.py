"""Intake: what is accepted, what is refused and why, duplicates, ZIP archives."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage

from documents.models import Document, DocumentLink
from documents.services import check_can_upload
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
    first = ingest_one(data, request=first_request)
    second = ingest_one(data, user=other_reporter, request=second_request)
    assert first.state == "queued"
    assert second.state == "duplicate"
    assert second.document == first.document
    assert "uploaded before" in second.reason
    assert Document.objects.count() == 1
    link = DocumentLink.objects.get()
    assert (link.document, link.request, link.added_by) == (
        first.document,
        second_request,
        other_reporter,
    )
    # Visible through either request, to each request's people.
    assert Document.objects.visible_to(other_reporter).get() == first.document
    assert Document.objects.visible_to(reporter).get() == first.document
    assert RequestEvent.objects.filter(request=second_request, kind="document").exists()
    # Uploading it on the same request again changes nothing.
    again = ingest_one(data, user=other_reporter, request=second_request)
    assert again.state == "duplicate"
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


def test_a_zip_becomes_one_document_per_member(ingest):
    archive = zip_bytes(
        {
            "release/part 1.pdf": text_pdf(MEMO),
            "release/scans/photo.jpg": sample("phone_photo.jpg").read_bytes(),
            "release/notes.txt": b"Index of the release, not a document.\n",
            "__MACOSX/release/._part 1.pdf": b"\x00\x05\x16\x07junk",
            "release/": b"",
        }
    )
    results = ingest(archive, name="release.zip")
    by_name = {result.name: result for result in results}
    assert set(by_name) == {
        "release.zip/release/part 1.pdf",
        "release.zip/release/scans/photo.jpg",
        "release.zip/release/notes.txt",
    }
    part = by_name["release.zip/release/part 1.pdf"].document
    assert part.original_name == "part 1.pdf"
    assert part.title == "part 1"
    assert part.source_archive == "release.zip"
    assert part.state == "done"
    assert by_name["release.zip/release/scans/photo.jpg"].document.kind == "jpeg"
    notes = by_name["release.zip/release/notes.txt"]
    assert notes.state == "rejected"
    assert "plain text file" in notes.reason
    assert Document.objects.count() == 2


def test_a_zip_inside_a_zip_is_unpacked_once_more_but_no_deeper(ingest):
    deepest = zip_bytes({"deep.pdf": text_pdf(MEMO + "\nThird level.")})
    inner = zip_bytes(
        {"inner.pdf": text_pdf(MEMO + "\nSecond level."), "deeper.zip": deepest}
    )
    outer = zip_bytes({"outer.pdf": text_pdf(MEMO), "inner.zip": inner})
    results = {result.name: result for result in ingest(outer, name="outer.zip")}
    assert results["outer.zip/outer.pdf"].state == "queued"
    inner_pdf = results["outer.zip/inner.zip/inner.pdf"]
    assert inner_pdf.state == "queued"
    assert inner_pdf.document.source_archive == "outer.zip/inner.zip"
    too_deep = results["outer.zip/inner.zip/deeper.zip"]
    assert too_deep.state == "rejected"
    assert "levels deep" in too_deep.reason
    assert Document.objects.count() == 2


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
