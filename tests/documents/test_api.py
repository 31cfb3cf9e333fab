"""The documents API: upload, state, pages; 404 for what the caller may not see."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.services import api_token_create
from documents.models import Document, DocumentLink
from tests.documents.conftest import MEMO, sample, text_pdf, zip_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _upload(api, files, **fields):
    return api.post("/api/documents/", {"file": files, **fields}, format="multipart")


def test_upload_queues_new_documents_and_answers_201(
    api, reporter, make_request, django_capture_on_commit_callbacks
):
    request_obj = make_request()
    _token, key = api_token_create(user=reporter, name="script")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(
            api,
            [
                SimpleUploadedFile("memo.pdf", text_pdf(MEMO)),
                SimpleUploadedFile("scan.tif", sample("two_pages.tif").read_bytes()),
            ],
            request=request_obj.pk,
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [result["outcome"] for result in body["results"]] == ["queued", "queued"]
    memo = body["documents"][0]
    assert memo["title"] == "memo"
    assert memo["request"] == request_obj.pk
    assert memo["kind"] == "pdf"
    assert memo["state"] == "queued"  # as it was when the upload answered
    assert memo["pages_url"].endswith(f"/api/documents/{memo['id']}/pages/")
    assert Document.objects.filter(state="done").count() == 2


def test_the_same_file_again_answers_200_and_links_it_under_the_new_name(
    api, reporter, other_reporter, make_request, ingest_one
):
    first = ingest_one(
        text_pdf(MEMO), name="Whistleblower memo.pdf", request=make_request()
    ).document
    theirs = make_request(other_reporter, title="Otto's")
    api.force_authenticate(other_reporter)
    response = _upload(
        api, [SimpleUploadedFile("copy.pdf", text_pdf(MEMO))], request=theirs.pk
    )
    assert response.status_code == 200
    body = response.json()
    (result,) = body["results"]
    assert result["outcome"] == "duplicate"
    assert result["document"]["id"] == first.pk
    assert "Whistleblower" not in str(body)
    assert (result["document"]["title"], result["document"]["original_name"]) == (
        "copy",
        "copy.pdf",
    )
    assert DocumentLink.objects.get().request == theirs
    detail = api.get(f"/api/documents/{first.pk}/").json()
    assert detail["linked_requests"] == [theirs.pk]
    assert detail["title"] == "copy"
    listing = api.get("/api/documents/", {"request": theirs.pk}).json()
    assert [item["title"] for item in listing["results"]] == ["copy"]
    # The first uploader still sees the title they gave it.
    api.force_authenticate(reporter)
    assert api.get(f"/api/documents/{first.pk}/").json()["title"] == (
        "Whistleblower memo"
    )
    first.refresh_from_db()
    assert first.title == "Whistleblower memo"


@pytest.fixture
def small_upload_limit(settings, tmp_path):
    """Uploads of at most 64 KB, spooled to disk in a folder of their own."""
    settings.UPLOAD_MAX_BYTES = 64 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


def test_a_file_over_the_limit_is_refused_while_it_arrives_and_the_rest_taken(
    api, reporter, small_upload_limit
):
    _token, key = api_token_create(user=reporter, name="script")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    huge = b"%PDF-1.4\n" + bytes(range(256)) * 1024
    response = _upload(
        api,
        [
            SimpleUploadedFile("huge.pdf", huge),
            SimpleUploadedFile("memo.pdf", text_pdf(MEMO)),
        ],
    )
    assert response.status_code == 201, response.json()
    results = response.json()["results"]
    assert [(r["name"], r["outcome"], r["detail"]) for r in results] == [
        ("huge.pdf", "rejected", "This file is larger than the 64 KB limit."),
        ("memo.pdf", "queued", ""),
    ]
    assert list(Document.objects.values_list("original_name", flat=True)) == [
        "memo.pdf"
    ]
    assert list(small_upload_limit.iterdir()) == []


def test_an_upload_of_only_a_file_over_the_limit_answers_400(
    reporter, small_upload_limit
):
    # Signed in with a session: the CSRF check reads the body, after the size
    # check is in place.
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(reporter)
    api.get("/documents/upload/")
    token = api.cookies["csrftoken"].value
    huge = b"%PDF-1.4\n" + bytes(range(256)) * 1024
    response = api.post(
        "/api/documents/",
        {"file": [SimpleUploadedFile("huge.pdf", huge)]},
        format="multipart",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "This file is larger than the 64 KB limit."
    assert body["results"][0]["name"] == "huge.pdf"
    assert not Document.objects.exists()
    assert list(small_upload_limit.iterdir()) == []


def test_a_zip_answers_with_the_archive_and_later_tells_what_came_out(
    api, reporter, django_capture_on_commit_callbacks
):
    api.force_authenticate(reporter)
    archive = zip_bytes({"memo.pdf": text_pdf(MEMO), "notes.txt": b"notes\n"})
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(api, [SimpleUploadedFile("release.zip", archive)])
    assert response.status_code == 201
    (result,) = response.json()["results"]
    assert (result["outcome"], result["document"]["kind"]) == ("queued", "zip")
    assert result["document"]["state"] == "queued"  # unpacked after the answer
    detail = api.get(f"/api/documents/{result['document']['id']}/").json()
    assert detail["state"] == "done"
    memo = Document.objects.get(original_name="memo.pdf")
    assert detail["members"] == [
        {"name": "memo.pdf", "outcome": "queued", "detail": "", "document": memo.pk},
        {
            "name": "notes.txt",
            "outcome": "rejected",
            "detail": "This is a plain text file; upload PDF, TIFF, PNG, JPEG or ZIP.",
            "document": None,
        },
    ]
    assert api.get(f"/api/documents/{memo.pk}/").json()["members"] is None


def test_a_rejected_upload_answers_400_with_a_readable_detail(api, reporter):
    api.force_authenticate(reporter)
    response = _upload(api, [SimpleUploadedFile("notes.txt", b"just some notes\n")])
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == (
        "This is a plain text file; upload PDF, TIFF, PNG, JPEG or ZIP."
    )
    assert body["results"][0]["outcome"] == "rejected"
    empty = _upload(api, [SimpleUploadedFile("empty.pdf", b"")])
    assert empty.status_code == 400
    assert empty.json()["detail"] == "This file is empty."
    missing = _upload(api, [])
    assert missing.status_code == 400
    assert missing.json()["detail"]


def test_researchers_get_403_on_upload(api, researcher):
    api.force_authenticate(researcher)
    response = _upload(api, [SimpleUploadedFile("memo.pdf", text_pdf(MEMO))])
    assert response.status_code == 403
    assert "upload" in response.json()["detail"]


def test_document_and_pages_shapes(api, reporter, ingest_one):
    document = ingest_one(
        text_pdf(MEMO, "A second page with more ordinary words.")
    ).document
    api.force_authenticate(reporter)
    detail = api.get(f"/api/documents/{document.pk}/").json()
    assert {
        key: detail[key] for key in ("id", "state", "page_count", "pages_done", "error")
    } == {
        "id": document.pk,
        "state": "done",
        "page_count": 2,
        "pages_done": 2,
        "error": "",
    }
    pages = api.get(f"/api/documents/{document.pk}/pages/").json()
    assert pages["count"] == 2
    first = pages["results"][0]
    assert first["number"] == 1
    assert first["source"] == "text"
    assert first["confidence"] is None
    assert first["exemptions"] == ["b6", "b7c"]
    assert "OPR-2021-04417" in first["text"]
    assert first["thumbnail_url"].endswith(
        f"/documents/{document.pk}/pages/1/thumbnail/"
    )
    listing = api.get("/api/documents/", {"state": "done"}).json()
    assert [item["id"] for item in listing["results"]] == [document.pk]


def test_a_failed_document_reports_its_reason_and_only_editors_see_the_detail(
    api, reporter, editor, ingest_one
):
    document = ingest_one(sample("encrypted_user_password.pdf")).document
    api.force_authenticate(reporter)
    body = api.get(f"/api/documents/{document.pk}/").json()
    assert body["state"] == "failed"
    assert "password-protected" in body["error"]
    assert body["error_detail"] == ""
    api.force_authenticate(editor)
    assert api.get(f"/api/documents/{document.pk}/").json()["error_detail"]


def test_an_outsider_gets_404_for_another_reporters_private_document(
    api, outsider, other_reporter, ingest_one, make_request
):
    private = make_request(title="Private")
    document = ingest_one(text_pdf(MEMO), request=private).document
    for user in (outsider, other_reporter):
        api.force_authenticate(user)
        for url in (
            f"/api/documents/{document.pk}/",
            f"/api/documents/{document.pk}/pages/",
        ):
            response = api.get(url)
            assert response.status_code == 404, url
            assert response.json()["detail"]
        assert api.post(f"/api/documents/{document.pk}/retry/").status_code == 404
        assert api.delete(f"/api/documents/{document.pk}/").status_code == 404
        assert api.get("/api/documents/").json()["results"] == []


def test_retry_through_the_api(
    api, reporter, ingest_one, django_capture_on_commit_callbacks
):
    document = ingest_one(text_pdf(MEMO)).document
    api.force_authenticate(reporter)
    whole = api.post(f"/api/documents/{document.pk}/retry/", {}, format="json")
    assert whole.status_code == 400
    assert "Only a failed document" in whole.json()["detail"]
    with django_capture_on_commit_callbacks(execute=True):
        pages = api.post(
            f"/api/documents/{document.pk}/retry/", {"pages": [1]}, format="json"
        )
    assert pages.status_code == 202
    document.refresh_from_db()
    assert document.state == "done"


def test_signed_out_callers_get_401_or_403(api):
    assert api.get("/api/documents/").status_code in (401, 403)


def test_the_endpoints_are_in_the_schema(api, reporter):
    api.force_authenticate(reporter)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/documents/",
        "/api/documents/{id}/",
        "/api/documents/{id}/pages/",
        "/api/documents/{id}/retry/",
    ):
        assert path in schema["paths"], path
    upload = schema["paths"]["/api/documents/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]


def test_listing_costs_the_same_queries_for_one_document_or_many(
    api, client, reporter, ingest_one
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url, caller) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert caller.get(url).status_code == 200
        return len(queries)

    api.force_authenticate(reporter)
    client.force_login(reporter)
    ingest_one(text_pdf(MEMO), enqueue=False)
    # The forced user object lives across calls and keeps its roles once read.
    count("/api/documents/", api)
    few = (count("/api/documents/", api), count("/documents/", client))
    for number in range(4):
        ingest_one(text_pdf(f"{MEMO}\nCopy {number}."), enqueue=False)
    many = (count("/api/documents/", api), count("/documents/", client))
    assert many == few
