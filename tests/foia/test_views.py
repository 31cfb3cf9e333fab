"""The request pages: list, filters, CSV, the request page, and the forms."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents.models import Document
from foia import services
from foia.models import Agency, FoiaRequest, Status, Visibility
from tests.foia.builders import RESPONSE_DUE, events, log

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def newsroom(file_request, reporter, other_reporter, editor, cbp):
    """Rita's private overdue ICE request, her newsroom CBP one due soon, Otto's
    private one, and a withdrawn one tagged 'dhs'."""
    today = timezone.localdate()
    overdue = file_request(
        title="ICE OPR database misuse",
        tags=["databases"],
        tracking_number="2025-ICFO-00042",
    )
    soon = file_request(
        title="CBP summonses",
        agency=cbp,
        filed_on=today,
        visibility=Visibility.NEWSROOM,
        tags=["cbp"],
    )
    ottos = file_request(actor=other_reporter, title="Otto's secret")
    withdrawn = file_request(title="Withdrawn one", tags=["dhs"])
    services.request_transition(actor=reporter, request=withdrawn, to="withdrawn")
    return {"overdue": overdue, "soon": soon, "ottos": ottos, "withdrawn": withdrawn}


def titles(response) -> list[str]:
    return [item.title for item in response.context["page"].object_list]


# --- List, filters, CSV ------------------------------------------------------------


def test_list_shows_only_what_the_user_may_see(client, newsroom, reporter, outsider):
    client.force_login(reporter)
    assert sorted(titles(client.get("/requests/"))) == [
        "CBP summonses",
        "ICE OPR database misuse",
        "Withdrawn one",
    ]
    client.force_login(outsider)
    assert titles(client.get("/requests/")) == []


def test_editor_sees_every_request(client, newsroom, editor):
    client.force_login(editor)
    assert len(titles(client.get("/requests/"))) == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=withdrawn", ["Withdrawn one"]),
        ("status=open", ["CBP summonses", "ICE OPR database misuse"]),
        ("agency=cbp", ["CBP summonses"]),
        ("agency=dhs", ["CBP summonses", "ICE OPR database misuse", "Withdrawn one"]),
        ("overdue=on", ["ICE OPR database misuse"]),
        ("due_within=30", ["CBP summonses"]),
        ("tag=DATABASES", ["ICE OPR database misuse"]),
        ("q=summonses", ["CBP summonses"]),
        ("q=ICFO-00042", ["ICE OPR database misuse"]),
        ("requester=me&status=open", ["CBP summonses", "ICE OPR database misuse"]),
    ],
)
def test_list_filters(client, newsroom, reporter, query, expected):
    client.force_login(reporter)
    assert sorted(titles(client.get(f"/requests/?{query}"))) == expected


def test_list_sorts_by_due_date_with_undated_last(client, newsroom, editor):
    client.force_login(editor)
    found = titles(client.get("/requests/?sort=due&status=open"))
    # Both ICE requests were due 2025-03-31 (newest first on a tie); CBP's later.
    assert found == ["Otto's secret", "ICE OPR database misuse", "CBP summonses"]
    found = titles(client.get("/requests/?sort=-due&status=open"))
    assert found[0] == "CBP summonses"


def test_list_paginates_and_keeps_the_filters(client, file_request, reporter):
    for number in range(53):
        file_request(title=f"Request {number:02}", tags=["bulk"])
    client.force_login(reporter)

    first = client.get("/requests/?tag=bulk")
    second = client.get("/requests/?tag=bulk&page=2")

    assert len(titles(first)) == 50 and len(titles(second)) == 3
    assert "tag=bulk&amp;page=2" in html(first)


def test_list_query_count_does_not_grow_with_rows(
    client, file_request, reporter, django_assert_max_num_queries
):
    for number in range(3):
        file_request(
            title=f"few {number}", tags=["a", "b"], tracking_number=f"N{number}"
        )
    client.force_login(reporter)
    with django_assert_max_num_queries(20) as few:
        client.get("/requests/")
    for number in range(20):
        file_request(title=f"many {number}", tags=["a"], tracking_number=f"M{number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/requests/")


def test_csv_export_has_only_visible_filtered_requests(client, newsroom, reporter):
    client.force_login(reporter)

    response = client.get("/requests/export.csv?status=open")

    assert response["Content-Type"] == "text/csv"
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    )
    assert sorted(row["title"] for row in rows) == [
        "CBP summonses",
        "ICE OPR database misuse",
    ]
    overdue = next(row for row in rows if row["title"] == "ICE OPR database misuse")
    assert overdue["overdue"] == "yes"
    assert overdue["tracking_numbers"] == "2025-ICFO-00042"
    assert overdue["current_due"] == "2025-03-31"
    assert overdue["url"].endswith(f"/requests/{newsroom['overdue'].pk}/")


def test_csv_export_for_an_outsider_is_empty(client, newsroom, outsider):
    client.force_login(outsider)
    content = b"".join(client.get("/requests/export.csv").streaming_content).decode()
    assert content.strip().splitlines() == [content.strip().splitlines()[0]]


def test_csv_cells_cannot_run_as_formulas(client, file_request, reporter):
    file_request(title='=HYPERLINK("http://evil")')
    client.force_login(reporter)
    content = b"".join(client.get("/requests/export.csv").streaming_content).decode()
    assert "'=HYPERLINK" in content


# --- The request page --------------------------------------------------------------


def test_request_page_shows_overdue_countdown_and_the_court_notice(
    client, newsroom, reporter
):
    request = newsroom["overdue"]
    client.force_login(reporter)

    page = html(client.get(f"/requests/{request.pk}/"))

    late = (timezone.localdate() - RESPONSE_DUE).days
    assert f"overdue by {late} days" in page
    assert "You may now go to court." in page
    assert "5 U.S.C. 552(a)(6)(C)(i)" in page


def test_request_page_counts_working_days_to_the_due_date(client, newsroom, reporter):
    client.force_login(reporter)

    page = html(client.get(f"/requests/{newsroom['soon'].pk}/"))

    assert "due in 20 working days" in page
    assert "You may now go to court." not in page


def test_request_page_shows_the_timeline_and_documents(client, file_request, reporter):
    request = file_request()
    pdf = SimpleUploadedFile("release.pdf", (SAMPLES / "trivial.pdf").read_bytes())
    log(
        request,
        "interim_release",
        date(2025, 3, 20),
        actor=reporter,
        attachments=[pdf],
        subject="First 20 pages",
    )
    document = Document.objects.get()
    client.force_login(reporter)

    page = html(client.get(f"/requests/{request.pk}/"))

    assert "Submitted → Partially released on 2025-03-20" in page
    assert "Interim release from the agency (email, 2025-03-20)" in page
    assert "First 20 pages" in page
    assert document.title in page
    assert f'href="/documents/{document.pk}/"' in page
    assert document.get_state_display() in page
    assert 'action="/documents/upload/"' in page
    assert f'name="request" value="{request.pk}"' in page


def test_request_page_hides_actions_from_those_who_cannot_act(
    client, newsroom, researcher, reporter
):
    request = newsroom["soon"]
    client.force_login(researcher)
    page = html(client.get(f"/requests/{request.pk}/"))
    assert "Log a communication" not in page and "Change status" not in page
    assert 'action="/documents/upload/"' not in page

    client.force_login(reporter)
    page = html(client.get(f"/requests/{request.pk}/"))
    assert "Log a communication" in page
    assert 'action="/documents/upload/"' in page


def _request_routes(pk: int, appeal_pk: int) -> list[tuple[str, str]]:
    base = f"/requests/{pk}"
    return [
        ("get", f"{base}/"),
        ("get", f"{base}/edit/"),
        ("post", f"{base}/edit/"),
        ("post", f"{base}/status/"),
        ("get", f"{base}/communications/new/"),
        ("post", f"{base}/communications/new/"),
        ("post", f"{base}/tracking-numbers/"),
        ("post", f"{base}/fees/"),
        ("get", f"{base}/refer/"),
        ("get", f"{base}/appeals/new/"),
        ("post", f"{base}/appeals/new/"),
        ("get", f"{base}/appeals/{appeal_pk}/decide/"),
        ("get", f"{base}/letters/request/"),
        ("get", f"{base}/letters/appeal/print/"),
    ]


@pytest.mark.parametrize("who", ["other_reporter", "outsider", "researcher"])
def test_someone_elses_private_request_is_not_found_on_every_route(
    client, file_request, reporter, who, request
):
    private = file_request(visibility=Visibility.PRIVATE)
    log(private, "denial", date(2025, 4, 1), actor=reporter)
    appeal = services.appeal_file(
        actor=reporter, request=private, basis="adverse", filed_on=date(2025, 4, 2)
    )
    client.force_login(request.getfixturevalue(who))

    for method, url in _request_routes(private.pk, appeal.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (method, url, response.status_code)


def test_a_colleague_may_read_a_newsroom_request_but_not_change_it(
    client, file_request, reporter, researcher
):
    shared = file_request(visibility=Visibility.NEWSROOM)
    log(shared, "denial", date(2025, 4, 1), actor=reporter)
    appeal = services.appeal_file(
        actor=reporter, request=shared, basis="adverse", filed_on=date(2025, 4, 2)
    )
    client.force_login(researcher)

    for method, url in _request_routes(shared.pk, appeal.pk):
        response = getattr(client, method)(url)
        read_only = method == "get" and (
            "/letters/" in url or url.endswith(f"{shared.pk}/")
        )
        assert response.status_code == (200 if read_only else 403), (method, url)


def test_researcher_cannot_open_the_filing_form(client, researcher):
    client.force_login(researcher)
    assert client.get("/requests/new/").status_code == 403
    assert client.post("/requests/new/", {"title": "x"}).status_code == 403


# --- Forms -------------------------------------------------------------------------


def _filing_form(agency: Agency, **values) -> dict:
    data = {
        "title": "FBI records on the stadium surveillance program",
        "agency": agency.pk,
        "body": "All records about the program.",
        "filed_on": "2025-03-03",
        "expedited": "not_requested",
        "fee_waiver": "requested",
        "fee_category": "news_media",
        "visibility": "newsroom",
        "tags": "fbi, surveillance",
    }
    data.update(values)
    return data


def test_filing_form_records_the_request(client, reporter):
    fbi = Agency.objects.get(slug="fbi")
    client.force_login(reporter)

    response = client.post("/requests/new/", _filing_form(fbi, tracking_number="1-1"))

    request = FoiaRequest.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == request.get_absolute_url()
    )
    assert request.requester == reporter and request.agency == fbi
    assert request.response_due == RESPONSE_DUE
    assert sorted(t.name for t in request.tags.all()) == ["fbi", "surveillance"]
    assert request.tracking_numbers.get().number == "1-1"


def test_filing_form_shows_date_errors_next_to_the_field(client, reporter):
    client.force_login(reporter)

    response = client.post(
        "/requests/new/",
        _filing_form(Agency.objects.get(slug="fbi"), received_on="2025-03-01"),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["received_on"] == [
        "Received (2025-03-01) cannot be before filed (2025-03-03)."
    ]
    assert "cannot be before filed" in response.content.decode()
    assert not FoiaRequest.objects.exists()


def test_edit_form_saves_only_what_changed(client, file_request, reporter):
    request = file_request(tags=["one"])
    client.force_login(reporter)
    data = _filing_form(
        request.agency,
        title="A sharper title",
        body=request.body,
        visibility="private",
        fee_waiver="not_requested",
        tags="one",
    )

    response = client.post(f"/requests/{request.pk}/edit/", data)

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.title == "A sharper title"
    edit = events(request, "edit")[-1]
    assert "title: ICE OPR misconduct investigations → A sharper title" in edit.message
    assert "tags" not in edit.data["fields"]


def test_status_form_changes_status(client, file_request, reporter):
    request = file_request()
    client.force_login(reporter)

    response = client.post(
        f"/requests/{request.pk}/status/",
        {"to": "acknowledged", "on": "2025-03-05", "reason": "letter came"},
        follow=True,
    )

    request.refresh_from_db()
    assert request.status == Status.ACKNOWLEDGED
    assert "Status changed to Acknowledged." in response.content.decode()


def test_status_form_explains_a_bad_date(client, file_request, reporter):
    request = file_request()
    client.force_login(reporter)

    response = client.post(
        f"/requests/{request.pk}/status/",
        {"to": "denied", "on": "2025-02-01"},
        follow=True,
    )

    request.refresh_from_db()
    assert request.status == Status.SUBMITTED
    assert "before the request was filed (2025-03-03)" in response.content.decode()


def test_status_form_offers_only_allowed_changes(client, file_request, reporter):
    request = file_request()
    log(request, "denial", date(2025, 4, 1), actor=reporter)
    client.force_login(reporter)

    form = client.get(f"/requests/{request.pk}/").context["transition_form"]

    # Appealing goes through the appeal form, not a bare status change.
    assert [value for value, _ in form.fields["to"].choices] == [
        "in_litigation",
        "closed",
    ]
    response = client.post(
        f"/requests/{request.pk}/status/", {"to": "processing"}, follow=True
    )
    assert "Select a valid choice" in response.content.decode()


def _communication(kind: str, **values) -> dict:
    data = {
        "kind": kind,
        "direction": "in",
        "channel": "email",
        "sent_on": "2025-03-20",
        "subject": "Unusual circumstances",
        "body": "We need more time.",
    }
    data.update(values)
    return data


def test_logging_a_communication_shows_the_proposal_before_applying_it(
    client, file_request, reporter
):
    request = file_request()
    client.force_login(reporter)
    url = f"/requests/{request.pk}/communications/new/"

    review = client.post(url, {"step": "details", **_communication("extension_notice")})

    page = html(review)
    assert "Submitted → <strong>Processing</strong>" in page
    assert "Due Mar 31, 2025 → <strong>Apr 14, 2025</strong>" in page
    request.refresh_from_db()
    assert not request.communications.exists()  # nothing written yet

    done = client.post(
        url, {"step": "confirm", "apply": "on", **_communication("extension_notice")}
    )

    assert done.status_code == 302
    request.refresh_from_db()
    assert request.current_due == date(2025, 4, 14)
    assert request.status == Status.PROCESSING


def test_a_communication_can_be_logged_without_applying_it(
    client, file_request, reporter
):
    request = file_request()
    client.force_login(reporter)

    client.post(
        f"/requests/{request.pk}/communications/new/",
        {"step": "confirm", **_communication("denial")},  # "apply" left unticked
    )

    request.refresh_from_db()
    assert request.communications.get().kind == "denial"
    assert request.status == Status.SUBMITTED


def test_confirm_step_takes_attachments_and_the_chosen_status(
    client, file_request, reporter
):
    request = file_request()
    client.force_login(reporter)
    pdf = SimpleUploadedFile("final.pdf", (SAMPLES / "trivial.pdf").read_bytes())

    response = client.post(
        f"/requests/{request.pk}/communications/new/",
        {
            "step": "confirm",
            "apply": "on",
            "to_status": "partially_denied",
            "attachments": [pdf],
            **_communication("final_response", sent_on="2025-04-01"),
        },
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.PARTIALLY_DENIED
    assert request.appeal_filing_due == date(2025, 6, 30)
    assert Document.objects.get().communication == request.communications.get()


def test_an_attachment_over_the_size_limit_fails_the_log_and_says_why(
    client, file_request, reporter, settings, tmp_path
):
    settings.UPLOAD_MAX_BYTES = 16 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    request = file_request()
    client.force_login(reporter)
    huge = SimpleUploadedFile("huge release.pdf", b"%PDF-1.4\n" + b"x" * 64 * 1024)

    response = client.post(
        f"/requests/{request.pk}/communications/new/",
        {
            "step": "confirm",
            "apply": "on",
            "attachments": [huge],
            **_communication("final_response", sent_on="2025-04-01"),
        },
    )

    page = html(response)
    assert "huge release.pdf: This file is larger than the 16 KB limit." in page
    assert not request.communications.exists()
    assert not Document.objects.exists()
    assert list(tmp_path.iterdir()) == []


def test_communication_errors_are_shown_on_the_form(client, file_request, reporter):
    request = file_request()
    client.force_login(reporter)

    response = client.post(
        f"/requests/{request.pk}/communications/new/",
        {"step": "confirm", "apply": "on", **_communication("reply", direction="in")},
    )

    assert response.status_code == 200
    assert "goes to the agency" in response.content.decode()
    assert not request.communications.exists()


def test_appeal_form_files_an_appeal(client, file_request, reporter):
    request = file_request()
    log(request, "denial", date(2025, 4, 1), actor=reporter)
    client.force_login(reporter)

    response = client.post(
        f"/requests/{request.pk}/appeals/new/",
        {
            "basis": "adverse",
            "filed_on": "2025-04-07",
            "contested_exemptions": ["b6", "b7c"],
            "other_exemptions": "b5",
            "grounds": "Too much withheld.",
            "channel": "email",
        },
    )

    assert response.status_code == 302
    appeal = request.appeals.get()
    assert appeal.contested_exemptions == ["b6", "b7c", "b5"]
    assert appeal.decision_due == date(2025, 5, 5)
    sent = request.communications.get(kind="appeal")
    assert "- (b)(6), personal privacy" in sent.body


def test_appeal_form_explains_why_there_is_nothing_to_appeal(
    client, file_request, reporter
):
    request = file_request(filed_on=timezone.localdate())
    client.force_login(reporter)

    response = client.post(
        f"/requests/{request.pk}/appeals/new/",
        {"basis": "adverse", "filed_on": timezone.localdate().isoformat()},
    )

    assert response.status_code == 200
    assert "Only an adverse determination" in response.content.decode()


def test_appeal_decision_form(client, file_request, reporter):
    request = file_request()
    log(request, "denial", date(2025, 4, 1), actor=reporter)
    appeal = services.appeal_file(
        actor=reporter, request=request, basis="adverse", filed_on=date(2025, 4, 7)
    )
    client.force_login(reporter)

    client.post(
        f"/requests/{request.pk}/appeals/{appeal.pk}/decide/",
        {"outcome": "remanded", "decided_on": "2025-04-30", "note": "search again"},
    )

    appeal.refresh_from_db()
    assert appeal.outcome == "remanded" and appeal.decision_note == "search again"


def test_tracking_number_and_fee_forms(client, file_request, reporter):
    request = file_request()
    client.force_login(reporter)

    client.post(
        f"/requests/{request.pk}/tracking-numbers/",
        {"number": "2025-ICFO-9", "assigned_on": "2025-03-04"},
    )
    response = client.post(
        f"/requests/{request.pk}/fees/",
        {"kind": "estimate", "amount": "-3", "on": "2025-03-04"},
        follow=True,
    )

    assert request.tracking_numbers.get().number == "2025-ICFO-9"
    assert not request.fees.exists()
    assert "greater than or equal to 0" in response.content.decode()


def test_refer_form_creates_the_child_request(client, file_request, reporter, cbp):
    request = file_request()
    client.force_login(reporter)

    response = client.post(
        f"/requests/{request.pk}/refer/",
        {"relation": "referral", "agency": cbp.pk, "on": "2025-03-10"},
    )

    child = request.children.get()
    assert response["Location"] == child.get_absolute_url()
    request.refresh_from_db()
    assert request.status == Status.REFERRED


def test_pages_carry_no_inline_scripts_or_styles(client, newsroom, reporter):
    client.force_login(reporter)
    request = newsroom["overdue"]
    for url in (
        "/requests/",
        f"/requests/{request.pk}/",
        "/requests/new/",
        f"/requests/{request.pk}/communications/new/",
        f"/requests/{request.pk}/letters/request/",
        "/agencies/",
        "/agencies/ice/",
    ):
        page = html(client.get(url))
        assert "<script>" not in page and " style=" not in page, url
        assert "onclick=" not in page


def test_the_sort_menu_shows_the_order_actually_used(client, reporter):
    client.force_login(reporter)
    form = client.get("/requests/?status=open").context["form"]
    assert 'value="-updated" selected' in str(form["sort"])


def test_a_shared_request_is_listed_once_for_its_collaborator(
    client, file_request, reporter, other_reporter
):
    file_request(collaborators=[other_reporter], tags=["ice"])
    client.force_login(other_reporter)
    for query in ("requester=me", "requester=me&sort=agency", "tag=ICE&sort=due"):
        assert len(titles(client.get(f"/requests/?{query}"))) == 1, query
