"""The document pages: progress, thumbnails, the page viewer with highlights,
permission-checked files, uploads and retries; and nothing executable sneaks in."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client
from django.urls import reverse

import search
from accounts.models import AccessLog
from documents import tasks
from documents.models import Document
from foia.models import Visibility
from tests.documents.conftest import MEMO, sample, text_pdf, zip_bytes

pytestmark = pytest.mark.django_db

HOSTILE_TEXT = (
    "Memorandum for the record about the detention facility inspection.\n"
    "<script>alert('ocr')</script> was printed on the page by the agency.\n"
    "The inspection covered housing units and medical staff records."
)


def _no_inline_code(html: str) -> None:
    """What the Content Security Policy would block: inline scripts and styles."""
    assert 'style="' not in html
    assert " hx-on" not in html
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag


@pytest.fixture
def memo_document(ingest_one, make_request):
    request_obj = make_request(title="OPR reports")
    return ingest_one(text_pdf(MEMO), name="OPR memo.pdf", request=request_obj).document


def test_document_page_polls_for_progress_while_processing(
    client, reporter, ingest_one
):
    document = ingest_one(text_pdf(MEMO, MEMO), enqueue=False).document
    client.force_login(reporter)
    queued = client.get(document.get_absolute_url()).content.decode()
    progress_url = reverse("documents:document_progress", args=[document.pk])
    assert f'hx-get="{progress_url}?polling=1"' in queued
    assert 'hx-trigger="every 2s"' in queued
    tasks.process_document(document.pk)
    partial = client.get(progress_url, {"polling": "1"})
    html = partial.content.decode()
    assert '<progress max="2" value="0">' in html
    assert "0 of 2 pages read" in html
    assert "HX-Refresh" not in partial.headers
    tasks.process_chunk(document.pk, 1, 2)
    finished = client.get(progress_url, {"polling": "1"})
    assert finished.headers["HX-Refresh"] == "true"
    assert "hx-get" not in finished.content.decode()
    page = client.get(document.get_absolute_url()).content.decode()
    assert "hx-get" not in page
    _no_inline_code(page)


def test_document_page_shows_thumbnails_exemptions_and_where_it_came_from(
    client, reporter, memo_document
):
    client.force_login(reporter)
    response = client.get(memo_document.get_absolute_url())
    html = response.content.decode()
    thumbnail_url = reverse("documents:page_thumbnail", args=[memo_document.pk, 1])
    assert f'src="{thumbnail_url}"' in html
    assert "(b)(6)" in html and "(b)(7)(C)" in html
    assert "OPR reports" in html
    assert reverse("documents:document_download", args=[memo_document.pk]) in html
    thumbnail = client.get(thumbnail_url)
    assert thumbnail["Content-Type"] == "image/jpeg"
    assert b"".join(thumbnail.streaming_content)[:3] == b"\xff\xd8\xff"
    assert AccessLog.objects.filter(
        action="view_document", document_id=memo_document.pk, username="rita"
    ).exists()


def test_page_viewer_highlights_the_query_on_the_image_and_in_the_text(
    client, reporter, memo_document
):
    client.force_login(reporter)
    url = reverse("documents:page_detail", args=[memo_document.pk, 1])
    response = client.get(url, {"q": "TECS"})
    html = response.content.decode()
    assert '<svg class="page-overlay" viewBox="0 0 1 1"' in html
    rects = re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"', html)
    assert len(rects) == 1
    assert all(0 <= float(value) <= 1 for value in rects[0])
    assert "<mark>TECS</mark>" in html
    assert "1 match for" in html
    _no_inline_code(html)
    entry = AccessLog.objects.get(action="view_page")
    assert (entry.document_id, entry.page_number, entry.query) == (
        memo_document.pk,
        1,
        "TECS",
    )


def test_page_viewer_counts_a_phrase_found_once_as_one_match(
    client, reporter, memo_document
):
    client.force_login(reporter)
    url = reverse("documents:page_detail", args=[memo_document.pk, 1])
    html = client.get(url, {"q": '"queried TECS"'}).content.decode()
    # Both words of the phrase light up on the image; it is still one match.
    assert len(re.findall(r"<rect ", html)) == 2
    assert "<mark>queried TECS</mark>" in html
    assert "1 match for “queried TECS”</span>" in html
    assert "&quot;" not in html.split('class="muted match-count"')[1].split("<")[0]
    words = client.get(url, {"q": "TECS ICM"}).content.decode()
    assert "2 matches for “TECS ICM”</span>" in words
    none = client.get(url, {"q": "Houston"}).content.decode()
    assert "0 matches for “Houston”</span>" in none


def test_page_image_is_rendered_once_and_served_through_the_app(
    client, reporter, memo_document
):
    client.force_login(reporter)
    url = reverse("documents:page_image", args=[memo_document.pk, 1])
    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Type"] == "image/jpeg"
    assert first["Cache-Control"].startswith("private")
    body = b"".join(first.streaming_content)
    page = memo_document.pages.get()
    page.refresh_from_db()
    assert page.preview.name.startswith("previews/")
    again = client.get(url)
    assert b"".join(again.streaming_content) == body


def test_ocr_text_and_file_names_are_shown_as_text_never_run(
    client, reporter, ingest_one
):
    document = ingest_one(
        text_pdf(HOSTILE_TEXT), name="<img src=x onerror=alert(1)>.pdf"
    ).document
    client.force_login(reporter)
    pages = [
        client.get(document.get_absolute_url()),
        client.get(reverse("documents:page_detail", args=[document.pk, 1])),
        client.get(
            reverse("documents:page_detail", args=[document.pk, 1]),
            {"q": "<script> alert"},
        ),
        client.get(reverse("documents:document_list")),
    ]
    for response in pages:
        html = response.content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        _no_inline_code(html)
    assert "&lt;script&gt;alert(&#x27;ocr&#x27;)&lt;/script&gt;" in (
        pages[1].content.decode()
    )
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[0].content.decode()


def test_download_is_an_attachment_with_a_safe_name(client, reporter, ingest_one):
    data = text_pdf(MEMO)
    document = ingest_one(data, name='evil"\r\nX-Header: 1;.pdf').document
    client.force_login(reporter)
    response = client.get(reverse("documents:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    # The quote, the line break and the colon of the name can't end the header.
    assert response["Content-Disposition"] == (
        'attachment; filename="evil_ X-Header_ 1_.pdf"'
    )
    assert AccessLog.objects.filter(action="download", document_id=document.pk).exists()


def test_an_outsider_gets_404_for_everything_of_a_private_request(
    client, outsider, researcher, other_reporter, memo_document
):
    document = memo_document
    urls = [
        document.get_absolute_url(),
        reverse("documents:document_progress", args=[document.pk]),
        reverse("documents:document_download", args=[document.pk]),
        reverse("documents:page_detail", args=[document.pk, 1]),
        reverse("documents:page_image", args=[document.pk, 1]),
        reverse("documents:page_thumbnail", args=[document.pk, 1]),
    ]
    for user in (outsider, researcher, other_reporter):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert (
            client.post(
                reverse("documents:document_retry", args=[document.pk])
            ).status_code
            == 404
        )
        listing = client.get(reverse("documents:document_list"))
        assert document.title not in listing.content.decode()
    assert not AccessLog.objects.filter(document_id=document.pk).exists()


def test_signed_out_visitors_are_sent_to_log_in(client, memo_document):
    response = client.get(memo_document.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_reporter_uploads_several_files_at_once_on_a_request(
    client, reporter, make_request, django_capture_on_commit_callbacks
):
    request_obj = make_request(title="Upload target")
    client.force_login(reporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:upload"),
            {
                "files": [
                    SimpleUploadedFile("memo.pdf", text_pdf(MEMO)),
                    SimpleUploadedFile(
                        "photo.jpg", sample("phone_photo.jpg").read_bytes()
                    ),
                    SimpleUploadedFile("notes.txt", b"not a document at all\n"),
                ],
                "request": request_obj.pk,
                "next": f"/documents/?request={request_obj.pk}",
            },
            follow=True,
        )
    assert response.redirect_chain[0][0] == f"/documents/?request={request_obj.pk}"
    documents = Document.objects.order_by("pk")
    assert [d.original_name for d in documents] == ["memo.pdf", "photo.jpg"]
    assert all(
        d.request == request_obj and d.uploaded_by == reporter for d in documents
    )
    assert {d.state for d in documents} == {"done"}
    html = response.content.decode()
    assert "2 files uploaded" in html
    assert "notes.txt: This is a plain text file" in html


# Instrumentation of Django's own temporary-file handler, to see how much of each
# file reached storage; the size check of the upload views runs before it.
RECEIVED: dict[str, int] = {}


class RecordingTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    def receive_data_chunk(self, raw_data, start):
        RECEIVED[self.file_name] = start + len(raw_data)
        return super().receive_data_chunk(raw_data, start)


@pytest.fixture
def small_upload_limit(settings, tmp_path):
    """Uploads of at most 64 KB, spooled to disk in a folder of their own."""
    RECEIVED.clear()
    settings.UPLOAD_MAX_BYTES = 64 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_HANDLERS = [
        f"{__name__}.RecordingTemporaryFileUploadHandler",
    ]
    return tmp_path


def oversized_pdf() -> bytes:
    return b"%PDF-1.4\n" + bytes(range(256)) * 1024  # 256 KB


def test_a_file_over_the_limit_is_refused_while_it_arrives_and_the_rest_taken(
    reporter, make_request, small_upload_limit, django_capture_on_commit_callbacks
):
    request_obj = make_request(title="Upload target")
    # The CSRF check reads the body too: it must run after the size check is in.
    client = Client(enforce_csrf_checks=True)
    client.force_login(reporter)
    client.get(reverse("documents:upload"))
    token = client.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:upload"),
            {
                "csrfmiddlewaretoken": token,
                "files": [
                    SimpleUploadedFile("huge release.pdf", oversized_pdf()),
                    SimpleUploadedFile("memo.pdf", text_pdf(MEMO)),
                ],
                "request": request_obj.pk,
                "next": request_obj.get_absolute_url(),
            },
            follow=True,
        )
    html = response.content.decode()
    assert "huge release.pdf: This file is larger than the 64 KB limit." in html
    assert "1 file uploaded" in html
    assert list(Document.objects.values_list("original_name", flat=True)) == [
        "memo.pdf"
    ]
    # No more of it was written than the limit, and that is gone again.
    assert RECEIVED["huge release.pdf"] <= 64 * 1024
    assert RECEIVED["memo.pdf"] == len(text_pdf(MEMO))
    assert list(small_upload_limit.iterdir()) == []


def test_an_upload_of_only_a_file_over_the_limit_says_so(
    client, reporter, small_upload_limit
):
    client.force_login(reporter)
    response = client.post(
        reverse("documents:upload"),
        {"files": [SimpleUploadedFile("huge.pdf", oversized_pdf())]},
        follow=True,
    )
    assert response.status_code == 200
    assert "huge.pdf: This file is larger than the 64 KB limit." in (
        response.content.decode()
    )
    assert not Document.objects.exists()
    assert list(small_upload_limit.iterdir()) == []


def test_an_upload_without_its_csrf_token_is_refused(reporter, small_upload_limit):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reporter)
    response = client.post(
        reverse("documents:upload"),
        {"files": [SimpleUploadedFile("memo.pdf", text_pdf(MEMO))]},
    )
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_an_upload_with_no_file_asks_for_one(client, reporter):
    client.force_login(reporter)
    response = client.post(reverse("documents:upload"), {"request": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_a_zip_uploaded_in_the_browser_is_unpacked_after_the_answer(
    client, reporter, make_request, django_capture_on_commit_callbacks
):
    request_obj = make_request(title="Zip target")
    client.force_login(reporter)
    archive_bytes = zip_bytes(
        {"release/memo.pdf": text_pdf(MEMO), "release/notes.txt": b"notes\n"}
    )
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("documents:upload"),
            {
                "files": [SimpleUploadedFile("release.zip", archive_bytes)],
                "request": request_obj.pk,
            },
        )
    # The answer came before any unpacking: one task is waiting for the commit.
    archive = Document.objects.get()
    assert response["Location"] == archive.get_absolute_url()
    assert (archive.kind, archive.state) == ("zip", "queued")
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    html = client.get(archive.get_absolute_url()).content.decode()
    assert "release.zip: this ZIP archive is being unpacked" in html
    memo = Document.objects.get(original_name="memo.pdf")
    assert f'<a href="{memo.get_absolute_url()}">release/memo.pdf</a>' in html
    assert "Not imported" in html
    assert "This is a plain text file; upload PDF, TIFF, PNG, JPEG or ZIP." in html
    assert "2 files in it" in html
    _no_inline_code(html)
    memo_page = client.get(memo.get_absolute_url()).content.decode()
    assert f'<a href="{archive.get_absolute_url()}">release.zip</a>' in memo_page
    request_page = client.get(request_obj.get_absolute_url()).content.decode()
    assert "(ZIP archive)" in request_page and ">memo</a>" in request_page


def test_a_second_uploader_sees_their_own_title_for_bytes_uploaded_before(
    client, reporter, other_reporter, make_request, ingest_one
):
    leaked = ingest_one(
        text_pdf(MEMO),
        name="Leaked OPR memo.pdf",
        request=make_request(title="Source request"),
    ).document
    theirs = make_request(other_reporter, title="Otto's request")
    client.force_login(other_reporter)
    response = client.post(
        reverse("documents:upload"),
        {
            "files": [SimpleUploadedFile("copy of memo.pdf", text_pdf(MEMO))],
            "request": theirs.pk,
            "next": theirs.get_absolute_url(),
        },
        follow=True,
    )
    html = response.content.decode()
    assert (
        "copy of memo.pdf: This file was uploaded before; it is linked here as "
        "“copy of memo”."
    ) in html
    assert ">copy of memo</a>" in html  # the request page's table of documents
    assert "Leaked" not in html  # nor in the request's timeline
    page = client.get(leaked.get_absolute_url()).content.decode()
    assert "<h1>copy of memo</h1>" in page and "Leaked" not in page
    viewer = client.get(reverse("documents:page_detail", args=[leaked.pk, 1]))
    assert "Leaked" not in viewer.content.decode()
    download = client.get(reverse("documents:document_download", args=[leaked.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="copy of memo.pdf"'
    # Search results name it as they do.
    search.index_document(leaked.pk)
    found = search.search("TECS", user=other_reporter)
    assert [document.title for document in found.documents] == ["copy of memo"]
    # The document keeps its title, and its first uploader sees that one.
    leaked.refresh_from_db()
    assert leaked.title == "Leaked OPR memo"
    client.force_login(reporter)
    assert (
        "<h1>Leaked OPR memo</h1>"
        in client.get(leaked.get_absolute_url()).content.decode()
    )


def test_upload_form_works_without_javascript_and_takes_several_files(client, reporter):
    client.force_login(reporter)
    html = client.get(reverse("documents:upload")).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'<input type="file" name="files"[^>]* multiple', html)
    assert "data-dropzone" in html
    _no_inline_code(html)


def test_upload_partial_for_a_request_page(rf, reporter, make_request):
    from django.template.loader import render_to_string

    request_obj = make_request(title="Partial target")
    http_request = rf.get(f"/requests/{request_obj.pk}/")
    http_request.user = reporter
    html = render_to_string(
        "documents/_upload_form.html",
        {"request_obj": request_obj},
        request=http_request,
    )
    assert f'action="{reverse("documents:upload")}"' in html
    assert f'name="request" value="{request_obj.pk}"' in html
    assert f'name="next" value="/requests/{request_obj.pk}/"' in html
    assert "csrfmiddlewaretoken" in html


def test_researchers_may_not_upload(client, researcher):
    client.force_login(researcher)
    assert client.get(reverse("documents:upload")).status_code == 403
    response = client.post(
        reverse("documents:upload"),
        {"files": [SimpleUploadedFile("memo.pdf", text_pdf(MEMO))]},
    )
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_a_reporter_may_not_upload_to_someone_elses_request(
    client, reporter, other_reporter, make_request
):
    theirs = make_request(other_reporter, visibility=Visibility.NEWSROOM)
    client.force_login(reporter)
    response = client.post(
        reverse("documents:upload"),
        {
            "files": [SimpleUploadedFile("memo.pdf", text_pdf(MEMO))],
            "request": theirs.pk,
        },
    )
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_failed_document_offers_a_retry_to_those_who_may_edit(
    client,
    reporter,
    editor,
    researcher,
    ingest_one,
    make_request,
    django_capture_on_commit_callbacks,
):
    shared = make_request(visibility=Visibility.NEWSROOM)
    document = ingest_one(sample("invalid.pdf"), request=shared).document
    retry_url = reverse("documents:document_retry", args=[document.pk])
    client.force_login(researcher)
    html = client.get(document.get_absolute_url()).content.decode()
    assert "This file is damaged and can&#x27;t be read as a PDF." in html
    assert retry_url not in html
    assert "pdfium" not in html  # the technical detail is for editors
    assert client.post(retry_url).status_code == 403
    client.force_login(editor)
    html = client.get(document.get_absolute_url()).content.decode()
    assert retry_url in html
    assert "pdfium" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url)
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.state == "failed"
    assert document.attempts == 2


def test_weak_pages_are_offered_for_a_new_reading(
    client, reporter, ingest_one, settings, django_capture_on_commit_callbacks
):
    settings.WEAK_PAGE_CONFIDENCE = 101  # every OCR'd page counts as weak
    document = ingest_one(sample("phone_photo.jpg")).document
    client.force_login(reporter)
    html = client.get(document.get_absolute_url()).content.decode()
    assert 'name="pages" value="1" checked' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:pages_retry", args=[document.pk]),
            {"pages": ["1"], "languages": "eng+spa"},
        )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.state == "done"
    assert document.languages == "eng+spa"
    assert document.attempts == 2


def test_document_list_filters_by_state(client, reporter, ingest_one):
    ingest_one(text_pdf(MEMO), name="good.pdf")
    ingest_one(sample("invalid.pdf"), name="broken.pdf")
    client.force_login(reporter)
    done = client.get(reverse("documents:document_list"), {"state": "done"})
    html = done.content.decode()
    assert "good" in html and "broken" not in html
    failed = client.get(reverse("documents:document_list"), {"state": "failed"})
    assert "broken" in failed.content.decode()


def test_editor_deletes_a_document(client, editor, memo_document):
    client.force_login(editor)
    response = client.post(
        reverse("documents:document_delete", args=[memo_document.pk])
    )
    assert response.status_code == 302
    assert not Document.objects.exists()
