"""``manage.py ingest`` and ``manage.py export_text``."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from documents.models import Document
from tests.documents.conftest import MEMO, sample, scan_pdf, text_pdf, zip_bytes

KEYS = {"path", "document_id", "state", "pages", "error"}


def _run(*args) -> tuple[str, str, CommandError | None]:
    stdout, stderr = io.StringIO(), io.StringIO()
    error = None
    try:
        call_command("ingest", *args, stdout=stdout, stderr=stderr)
    except CommandError as raised:
        error = raised
    return stdout.getvalue(), stderr.getvalue(), error


@pytest.mark.django_db
def test_json_lines_say_what_became_of_each_file(tmp_path, make_request):
    request_obj = make_request()
    folder = tmp_path / "release"
    (folder / "sub").mkdir(parents=True)
    (folder / "memo.pdf").write_bytes(text_pdf(MEMO))
    (folder / "sub" / "memo copy.pdf").write_bytes(text_pdf(MEMO))
    (folder / "notes.txt").write_text("An index of the release.\n")
    (folder / "broken.pdf").write_bytes(sample("invalid.pdf").read_bytes())
    (folder / "parts.zip").write_bytes(
        zip_bytes(
            {
                "a.pdf": text_pdf(MEMO + "\nPart A."),
                "b.png": sample("sideways.png").read_bytes(),
            }
        )
    )
    (folder / ".hidden.pdf").write_bytes(text_pdf("hidden"))
    # One worker process: this test's data is in a transaction no fork can see.
    out, _err, error = _run(
        str(folder),
        "--request",
        str(request_obj.pk),
        "--json",
        "--wait",
        "--workers",
        "1",
    )
    lines = [json.loads(line) for line in out.splitlines()]
    assert all(set(line) == KEYS for line in lines)
    by_path = {line["path"][len(str(folder)) + 1 :]: line for line in lines}
    assert set(by_path) == {
        "broken.pdf",
        "memo.pdf",
        "notes.txt",
        "parts.zip/a.pdf",
        "parts.zip/b.png",
        "sub/memo copy.pdf",
    }
    assert by_path["memo.pdf"]["state"] == "done"
    assert by_path["memo.pdf"]["pages"] == 1
    assert by_path["memo.pdf"]["error"] is None
    duplicate = by_path["sub/memo copy.pdf"]
    assert duplicate["state"] == "duplicate"
    assert duplicate["document_id"] == by_path["memo.pdf"]["document_id"]
    rejected = by_path["notes.txt"]
    assert rejected["state"] == "rejected"
    assert rejected["document_id"] is None
    assert rejected["error"].startswith("This is a plain text file")
    failed = by_path["broken.pdf"]
    assert failed["state"] == "failed"
    assert failed["error"] == "This file is damaged and can't be read as a PDF."
    assert by_path["parts.zip/b.png"]["state"] == "done"
    # The archive itself is kept too, as the record of what came out of it.
    on_request = Document.objects.filter(request=request_obj)
    assert on_request.exclude(kind="zip").count() == 4
    assert on_request.get(kind="zip").original_name == "parts.zip"
    # A rejected or failed file makes the command exit 1, for scripts.
    assert error is not None and error.returncode == 1


@pytest.mark.django_db
def test_a_zip_refused_whole_is_one_rejected_line(tmp_path, settings):
    settings.ZIP_MAX_MEMBERS = 1
    (tmp_path / "big.zip").write_bytes(
        zip_bytes({"a.pdf": text_pdf(MEMO), "b.pdf": text_pdf(MEMO + "\nB.")})
    )
    out, _err, error = _run(str(tmp_path / "big.zip"), "--json")
    (line,) = [json.loads(line) for line in out.splitlines()]
    assert line["path"] == str(tmp_path / "big.zip")
    assert line["state"] == "rejected"
    assert line["error"].startswith("This ZIP archive holds more files than")
    assert error is not None and error.returncode == 1


@pytest.mark.django_db
def test_without_wait_a_zip_not_yet_unpacked_is_one_line_of_its_own(tmp_path):
    # The test's transaction never commits, so the unpacking task is never sent.
    (tmp_path / "parts.zip").write_bytes(zip_bytes({"a.pdf": text_pdf(MEMO)}))
    out, _err, error = _run(str(tmp_path / "parts.zip"), "--json")
    (line,) = [json.loads(line) for line in out.splitlines()]
    archive = Document.objects.get()
    assert line == {
        "path": str(tmp_path / "parts.zip"),
        "document_id": archive.pk,
        "state": "queued",
        "pages": None,
        "error": None,
    }
    assert error is None


@pytest.mark.django_db(transaction=True)
def test_wait_without_a_worker_processes_here_on_every_core(tmp_path, settings):
    settings.OCR_DPI = 100
    for number in range(3):
        (tmp_path / f"scan{number}.pdf").write_bytes(scan_pdf(2, seed=number * 10))
    out, err, error = _run(str(tmp_path), "--wait", "--json", "--workers", "2")
    assert error is None, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["state"] for line in lines] == ["done"] * 3
    assert [line["pages"] for line in lines] == [2] * 3
    assert "Processing: 6/6 pages" in err
    for document in Document.objects.all():
        assert document.pages_done == 2
        assert set(document.pages.values_list("source", flat=True)) == {"ocr"}


@pytest.mark.django_db
def test_missing_paths_and_unknown_requests_are_errors(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("ingest", str(tmp_path / "nothing.pdf"))
    (tmp_path / "memo.pdf").write_bytes(text_pdf(MEMO))
    with pytest.raises(CommandError, match="No request 999"):
        call_command("ingest", str(tmp_path), "--request", "999")


@pytest.mark.django_db
def test_export_text_separates_pages_with_form_feeds(ingest_one):
    document = ingest_one(
        text_pdf(
            "First page of the memo, with some words.",
            "Second page of the memo, with other words.",
        )
    ).document
    out = io.StringIO()
    call_command("export_text", str(document.pk), stdout=out)
    texts = list(document.pages.order_by("number").values_list("text", flat=True))
    assert out.getvalue() == f"{texts[0]}\f{texts[1]}\f"
    assert texts[0].startswith("First page")


@pytest.mark.django_db
def test_export_text_of_an_unknown_document_exits_2():
    with pytest.raises(CommandError) as raised:
        call_command("export_text", "424242", stdout=io.StringIO())
    assert raised.value.returncode == 2
    assert "No document 424242" in str(raised.value)


@pytest.mark.cluster
def test_wait_with_a_worker_returns_when_every_file_of_a_zip_is_read(
    worker_cluster, tmp_path, monkeypatch
):
    from django_q.conf import Conf

    # This process hands the tasks to the broker; the cluster unpacks and reads.
    monkeypatch.setattr(Conf, "SYNC", False)
    (tmp_path / "release.zip").write_bytes(
        zip_bytes(
            {
                "letter.pdf": text_pdf(MEMO),
                "scans/page.png": sample("sideways.png").read_bytes(),
                "index.txt": b"An index of the release.\n",
            }
        )
    )
    out, err, error = _run(str(tmp_path / "release.zip"), "--wait", "--json")
    lines = {
        line["path"][len(str(tmp_path)) + 1 :]: line
        for line in map(json.loads, out.splitlines())
    }
    assert {path: line["state"] for path, line in lines.items()} == {
        "release.zip/letter.pdf": "done",
        "release.zip/scans/page.png": "done",
        "release.zip/index.txt": "rejected",
    }
    assert lines["release.zip/letter.pdf"]["pages"] == 1
    assert error is not None and error.returncode == 1, err
    archive = Document.objects.get(kind="zip")
    assert archive.state == "done"
    assert archive.members.count() == 3
