"""Demo releases: generated scans attached to the demo requests, loaded once."""

from __future__ import annotations

import io

import pytest

from documents import demo, generate
from documents.models import Document

pytestmark = pytest.mark.django_db


def test_generated_scans_are_the_same_bytes_every_time():
    lines, redactions = generate.case_summary_lines(7)
    first = generate.images_to_pdf(
        [generate.scanned_page(lines, redactions=redactions, dpi=100)], dpi=100
    )
    again = generate.images_to_pdf(
        [generate.scanned_page(lines, redactions=redactions, dpi=100)], dpi=100
    )
    assert first == again
    assert any(line.startswith("Case number: OPR-") for line in lines)
    assert set(redactions.values()) <= {"(b)(6)", "(b)(7)(C)", "(b)(6), (b)(7)(C)"}


def test_demo_documents_load_once_and_attach_to_demo_requests(
    make_request, reporter, django_capture_on_commit_callbacks
):
    request_obj = make_request(title=demo.DEMO_RELEASES[0].request_title)
    out = io.StringIO()
    with django_capture_on_commit_callbacks() as queued:
        assert demo.load_demo_documents(out) == len(demo.DEMO_RELEASES)
    assert len(queued) == len(demo.DEMO_RELEASES)  # processing waits for a worker
    assert "Demo documents ready (3 new" in out.getvalue()
    attached = Document.objects.get(request=request_obj)
    assert attached.title == "OPR final response and case summaries"
    assert attached.uploaded_by == reporter
    assert attached.state == "queued"
    assert Document.objects.filter(request=None).count() == 2
    assert demo.load_demo_documents() == 0
    assert Document.objects.count() == len(demo.DEMO_RELEASES)
