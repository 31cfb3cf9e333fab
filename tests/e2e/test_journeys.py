"""The newsroom's main journeys, in a real browser, each ending with a screenshot
in test-artifacts/screenshots."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from documents.services import document_ingest
from foia import services
from foia.models import Agency, Channel, CommunicationKind, Direction, Visibility
from tests.e2e.conftest import log_in, scanned_pdf, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHRASE = "TECS query audit OPR-2021-04417"


def log_out(page) -> None:
    page.click("text=Log out")
    page.wait_for_url("**/accounts/login/")


def test_reporter_logs_in_and_reaches_every_section(page, reporter):
    log_in(page, "rita")
    assert "Welcome, Rita" in page.inner_text("h1")
    for label, heading in [
        ("Requests", "Requests"),
        ("Documents", "Documents"),
        ("Search", "Search"),
        ("Agencies", "Agencies"),
        ("Desk", "Desk"),
    ]:
        page.click(f"nav.mainnav >> text={label}")
        assert heading in page.inner_text("h1")
    log_out(page)
    screenshot(page, "00-login-and-navigation")


# --- 1. Filing, acknowledgement, extension ------------------------------------------


def _current_due(page) -> str:
    """The date in the deadline table's current row, as YYYY-MM-DD."""
    return page.get_attribute("table.deadline-table tr.current time", "datetime")


def _log_communication(page, kind: str, on: str) -> str:
    """Log an incoming communication through both steps; returns what step two
    said would change on the clock."""
    page.click("text=Log a communication")
    page.select_option("#id_kind", kind)
    page.select_option("#id_direction", "in")
    page.select_option("#id_channel", "email")
    page.fill("#id_sent_on", on)
    page.click("button:has-text('Next: review')")
    clock = page.inner_text("section.proposal")
    page.click("button:has-text('Log it')")
    page.wait_for_selector("text=Communication logged")
    return clock


def test_reporter_files_a_request_and_sees_the_extension_move_the_due_date(
    page, reporter
):
    # Received Monday 2025-03-03: 20 working days make Monday 2025-03-31; the
    # extension's 10 more make Monday 2025-04-14 (no federal holiday between).
    ice = Agency.objects.get(slug="ice")
    log_in(page, "rita")
    page.click("nav.mainnav >> text=Requests")
    page.click("text=File a request")
    page.fill("#id_title", "ICE OPR misconduct investigations")
    page.select_option("#id_agency", str(ice.pk))
    page.fill("#id_body", "Reports of investigation into TECS misuse, 2019-2024.")
    page.fill("#id_filed_on", "2025-03-03")
    page.click("button:has-text('Record request')")
    page.wait_for_selector("text=Request recorded.")
    assert "ICE OPR misconduct investigations" in page.inner_text("h1")
    assert _current_due(page) == "2025-03-31"

    _log_communication(page, "acknowledgement", "2025-03-05")
    assert "Acknowledged" in page.inner_text(".page-head")
    assert _current_due(page) == "2025-03-31"

    clock = _log_communication(page, "extension_notice", "2025-03-24")
    assert "Mar 31, 2025" in clock and "Apr 14, 2025" in clock
    assert _current_due(page) == "2025-04-14"
    deadlines = page.inner_text("section.deadlines")
    assert "Mon, Apr 14, 2025" in deadlines
    page.locator("section.deadlines").scroll_into_view_if_needed()
    screenshot(page, "01-reporter-extension-moves-due-date")


# --- 2. Upload, progress, search, highlighted page ----------------------------------


PROGRESS_STATE = """() => {
    const box = document.querySelector("#document-progress");
    const bar = box && box.querySelector("progress");
    if (bar) return [bar.value, bar.max];
    const badge = box && box.querySelector(".badge");
    return badge ? badge.classList[1] : null;
}"""


def _progress_state(page) -> tuple[int, int] | str | None:
    """(pages read, pages) while the bar shows, else the document's state."""
    from playwright.sync_api import Error

    try:
        state = page.evaluate(PROGRESS_STATE)
    except Error:  # the page reloads itself when the document is finished
        return None
    return tuple(int(n) for n in state) if isinstance(state, list) else state


def test_reporter_uploads_a_scan_and_finds_a_phrase_highlighted_on_page_two(
    page, reporter, worker, tmp_path
):
    foia_request = services.request_file(
        actor=reporter,
        agency=Agency.objects.get(slug="ice"),
        title="OPR case files",
        body="Case files of OPR investigations into TECS misuse.",
        filed_on=timezone.localdate() - timedelta(days=30),
    )
    release = tmp_path / "opr-release.pdf"
    release.write_bytes(
        scanned_pdf(
            [
                [
                    "Office of Professional Responsibility",
                    "Response to your request for records.",
                    "Enclosed are the pages we located.",
                ],
                [
                    "Report of investigation",
                    f"Subject: {PHRASE}",
                    "The agent ran queries without a case reason.",
                ],
            ]
        )
    )
    log_in(page, "rita")
    page.goto(foia_request.get_absolute_url())
    upload = page.locator("form.upload-form")
    upload.locator("input[type=file]").set_input_files(str(release))
    upload.locator("button:has-text('Upload')").click()
    page.wait_for_selector("text=1 file uploaded")

    page.click("table.document-table >> text=opr-release")
    # The page polls its progress partial (htmx) and reloads itself when the
    # document is finished; nothing here reloads it.
    bars: list[tuple[int, int]] = []
    deadline = timezone.now() + timedelta(seconds=90)
    while (state := _progress_state(page)) not in ("done", "failed"):
        assert timezone.now() < deadline, "the document did not finish in 90 s"
        if isinstance(state, tuple):
            bars.append(state)
        page.wait_for_timeout(200)
    progress = page.locator("#document-progress")
    assert progress.locator(".badge.done").count(), progress.inner_text()
    assert "2 pages" in progress.inner_text()
    # Whenever the bar was caught on its way, it only moved forward, up to its end.
    assert bars == sorted(bars) and all(value <= 2 == most for value, most in bars)
    assert page.locator("ol.thumbs li.thumb").count() == 2

    page.click("nav.mainnav >> text=Search")
    page.fill("#search-q", f'"{PHRASE}"')
    page.click("form.search-form button:has-text('Search')")
    hits = page.locator("ol.search-pages a.page-link")
    hits.first.wait_for()
    assert hits.count() == 1
    assert hits.first.inner_text() == "Page 2"
    hits.first.click()

    page.wait_for_url(re.compile(r"/documents/\d+/pages/2/\?q="))
    assert "page 2 of 2" in page.inner_text("h1")
    assert page.locator("svg.page-overlay rect").count() >= 3
    marked = " ".join(page.locator(".page-text mark").all_inner_texts())
    assert PHRASE in marked, marked
    screenshot(page, "02-reporter-search-hit-highlighted")


# --- 3. The editor's desk -----------------------------------------------------------


def test_editor_finds_an_overdue_request_and_a_closing_appeal_window_on_the_desk(
    page, reporter, editor
):
    today = timezone.localdate()
    ice = Agency.objects.get(slug="ice")
    overdue = services.request_file(
        actor=reporter,
        agency=ice,
        title="Detention death reviews",
        body="Detainee death reviews since 2020.",
        filed_on=today - timedelta(days=60),
    )
    denied = services.request_file(
        actor=reporter,
        agency=ice,
        title="Use of force reports",
        body="Use of force reports at the processing center.",
        filed_on=today - timedelta(days=120),
    )
    # Federal law gives 90 days to appeal a denial: this one has about a week left.
    services.communication_log(
        actor=reporter,
        request=denied,
        direction=Direction.INCOMING,
        channel=Channel.EMAIL,
        kind=CommunicationKind.DENIAL,
        sent_on=today - timedelta(days=83),
        confirm=True,
    )
    denied.refresh_from_db()
    days_left = (denied.appeal_filing_due - today).days
    assert 0 < days_left <= 14, denied.appeal_filing_due

    log_in(page, "ed")
    page.click("nav.mainnav >> text=Desk")
    assert "The whole newsroom" in page.inner_text(".desk-head")
    overdue_section = page.locator("section[aria-labelledby=overdue-heading]")
    row = overdue_section.locator("tr", has_text=overdue.title)
    assert "overdue" in row.inner_text()
    appeal_section = page.locator("section[aria-labelledby=appeal-windows-heading]")
    row = appeal_section.locator("tr", has_text=denied.title)
    assert re.search(r"\d+ days? left", row.inner_text()), row.inner_text()

    appeal_section.locator("h2 a.count-link").click()
    page.wait_for_load_state()
    assert denied.title in page.inner_text("main")
    assert overdue.title not in page.inner_text("main")

    page.go_back()
    screenshot(page, "03a-editor-desk")
    overdue_section.locator("h2 a.count-link").click()
    page.wait_for_url(re.compile(r"/requests/\?.*overdue"))
    listed = page.locator("main table").inner_text()
    assert overdue.title in listed
    assert denied.title not in listed
    screenshot(page, "03-editor-overdue-list")


# --- 4. A researcher and a private request ------------------------------------------


def _text_release(title: str) -> bytes:
    from documents import generate

    return generate.text_pdf(
        [["Office of Professional Responsibility", title], [PHRASE, title]]
    )


def test_researcher_cannot_find_open_or_download_a_private_requests_pages(
    page, reporter, researcher
):
    ice = Agency.objects.get(slug="ice")
    private = services.request_file(
        actor=reporter,
        agency=ice,
        title="Informant payments",
        body="Payments to confidential informants.",
        filed_on=timezone.localdate() - timedelta(days=30),
    )
    shared = services.request_file(
        actor=reporter,
        agency=ice,
        title="Audit of TECS access",
        body="Audits of TECS access by OPR.",
        filed_on=timezone.localdate() - timedelta(days=30),
        visibility=Visibility.NEWSROOM,
    )
    documents = {}
    for request_obj, name in ((private, "informants"), (shared, "audit")):
        # Tasks run inline here (no worker): the document is done on return.
        (result,) = document_ingest(
            fileobj=io.BytesIO(_text_release(request_obj.title)),
            name=f"{name}.pdf",
            uploaded_by=reporter,
            request=request_obj,
        )
        documents[name] = result.document
    secret = documents["informants"]
    secret.refresh_from_db()
    assert secret.state == "done"
    addresses = [
        private.get_absolute_url(),
        secret.get_absolute_url(),
        f"/documents/{secret.pk}/pages/1/",
        f"/documents/{secret.pk}/pages/1/?q=TECS",
        f"/documents/{secret.pk}/pages/1/image/",
        f"/documents/{secret.pk}/pages/1/thumbnail/",
        f"/documents/{secret.pk}/original/",
    ]

    # Rita owns them: every address answers.
    log_in(page, "rita")
    for address in addresses:
        response = page.request.get(address, max_redirects=0)
        assert response.status == 200, (address, response.status)
    log_out(page)

    log_in(page, "rosa")
    page.click("nav.mainnav >> text=Requests")
    listed = page.inner_text("main")
    assert shared.title in listed
    assert private.title not in listed

    page.click("nav.mainnav >> text=Documents")
    listed = page.inner_text("main")
    assert "audit" in listed
    assert "informants" not in listed

    page.click("nav.mainnav >> text=Search")
    page.fill("#search-q", f'"{PHRASE}"')
    page.click("form.search-form button:has-text('Search')")
    page.locator("section.search-results").wait_for()
    results = page.inner_text("section.search-results")
    assert shared.title in results
    assert private.title not in results
    assert page.locator("ol.search-pages a.page-link").count() == 1

    for address in addresses:
        response = page.request.get(address, max_redirects=0)
        assert response.status == 404, (address, response.status)
        assert private.title not in response.text()
    response = page.goto(f"/documents/{secret.pk}/pages/1/?q=TECS")
    assert response.status == 404
    assert "Not found" in page.inner_text("h1")
    screenshot(page, "04-researcher-private-page-not-found")
