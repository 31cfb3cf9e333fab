"""The public page: a read-only view of public requests for signed-out visitors,
with nothing private on it, and 404 for anything that is not public."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog
from foia.models import Visibility
from tests.documents.conftest import MEMO, ingest, ingest_one, text_pdf
from tests.foia.builders import RESPONSE_DUE, log

__all__ = ["ingest", "ingest_one"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_request(file_request, other_reporter):
    return file_request(
        title="Use-of-force reports",
        body="All use-of-force reports, 2020 to 2024. Reply to rita@newsroom.example.",
        visibility=Visibility.PUBLIC,
        collaborators=[other_reporter],
    )


def _public_url(foia_request) -> str:
    return reverse("foia:public_request_detail", args=[foia_request.pk])


def test_signed_out_visitors_list_public_filed_requests_past_their_embargo(
    client, file_request
):
    shown = file_request(title="Public and filed", visibility=Visibility.PUBLIC)
    lifted = file_request(
        title="Public, embargo lifted today",
        visibility=Visibility.PUBLIC,
        embargo_until=timezone.localdate(),
    )
    for title, values in {
        "Private one": {"visibility": Visibility.PRIVATE},
        "Newsroom one": {"visibility": Visibility.NEWSROOM},
        "Public draft": {"visibility": Visibility.PUBLIC, "filed_on": None},
        "Public but embargoed": {
            "visibility": Visibility.PUBLIC,
            "embargo_until": timezone.localdate() + timedelta(days=1),
        },
    }.items():
        file_request(title=title, **values)

    response = client.get(reverse("foia:public_request_list"))

    assert response.status_code == 200
    # Newest filed first; the same day, the later one first.
    assert list(response.context["page"].object_list) == [lifted, shown]
    html = response.content.decode()
    assert _public_url(shown) in html
    for hidden in ("Private one", "Newsroom one", "Public draft", "embargoed"):
        assert hidden not in html


def test_the_public_page_shows_status_dates_deadlines_timeline_and_documents(
    client, public_request, reporter, ingest_one
):
    log(
        public_request,
        "acknowledgement",
        date(2025, 3, 5),
        actor=reporter,
        subject="Your request 2025-ICFO-1234, for rita@newsroom.example",
        body="Dear Ms. Reyes, we received your request.",
    )
    log(
        public_request,
        "note",
        date(2025, 3, 6),
        actor=reporter,
        body="Source in the Houston office says the reports exist.",
    )
    released = ingest_one(
        text_pdf(MEMO), name="OPR report.pdf", request=public_request
    ).document
    ingest_one(
        text_pdf(MEMO, MEMO),
        name="Still reading.pdf",
        request=public_request,
        enqueue=False,
    )

    response = client.get(_public_url(public_request))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Use-of-force reports" in html
    assert "U.S. Immigration and Customs Enforcement" in html
    assert "Acknowledged" in html  # the status
    assert 'datetime="2025-03-03"' in html  # filed
    assert f'datetime="{RESPONSE_DUE:%Y-%m-%d}"' in html  # a deadline
    assert "Acknowledgement" in html and "from the agency" in html
    download = reverse("documents:document_download", args=[released.pk])
    assert f'href="{download}"' in html and "OPR report" in html
    assert "Still reading" not in html
    # Nothing private: people, addresses, message texts, notes, the request
    # text, and no way to change anything.
    for private in (
        "rita",
        "Rita",
        "otto",
        "Otto",
        "newsroom.example",
        "2025-ICFO-1234",
        "Ms. Reyes",
        "Houston",
        "Note",
        "use-of-force reports, 2020",
        "/edit/",
        "/communications/new/",
        "/status/",
        "csrfmiddlewaretoken",
        f"/requests/{public_request.pk}/",
    ):
        assert private not in html.replace(_public_url(public_request), ""), private


def test_a_signed_out_visitor_downloads_a_released_document_and_it_is_logged(
    client, public_request, ingest_one
):
    data = text_pdf(MEMO)
    document = ingest_one(data, name="OPR report.pdf", request=public_request).document

    client.get(_public_url(public_request))
    response = client.get(reverse("documents:document_download", args=[document.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    logged = AccessLog.objects.order_by("pk")
    assert [(e.action, e.username, e.user_id) for e in logged] == [
        ("view_request", "", None),
        ("download", "", None),
    ]
    assert logged[0].request_id == public_request.pk
    assert logged[1].document_id == document.pk


def test_signed_out_visitors_only_get_downloads_not_the_newsroom_pages(
    client, public_request, file_request, ingest_one
):
    public_document = ingest_one(
        text_pdf(MEMO), name="OPR report.pdf", request=public_request
    ).document
    private_document = ingest_one(
        text_pdf(MEMO, MEMO),
        name="Private memo.pdf",
        request=file_request(title="Private", visibility=Visibility.PRIVATE),
    ).document

    for url in (
        public_document.get_absolute_url(),
        reverse("documents:page_detail", args=[public_document.pk, 1]),
        reverse("documents:page_image", args=[public_document.pk, 1]),
        public_request.get_absolute_url(),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    private_download = reverse(
        "documents:document_download", args=[private_document.pk]
    )
    assert client.get(private_download).status_code == 404
    assert not AccessLog.objects.filter(document_id=private_document.pk).exists()


@pytest.mark.parametrize("signed_in", [False, True])
def test_anything_not_public_answers_404(client, file_request, editor, signed_in):
    if signed_in:
        # Even someone who may see everything: the public page shows the public.
        client.force_login(editor)
    hidden = [
        file_request(visibility=Visibility.PRIVATE),
        file_request(visibility=Visibility.NEWSROOM),
        file_request(visibility=Visibility.PUBLIC, filed_on=None),
        file_request(
            visibility=Visibility.PUBLIC,
            embargo_until=timezone.localdate() + timedelta(days=3),
        ),
    ]
    for foia_request in hidden:
        assert client.get(_public_url(foia_request)).status_code == 404
    assert client.get("/public/requests/999999/").status_code == 404
    assert not AccessLog.objects.exists()


def test_a_public_request_under_embargo_opens_on_its_date(
    client, file_request, monkeypatch
):
    lifts_on = timezone.localdate() + timedelta(days=2)
    foia_request = file_request(visibility=Visibility.PUBLIC, embargo_until=lifts_on)
    assert client.get(_public_url(foia_request)).status_code == 404

    the_day_before = timezone.now() + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: the_day_before)
    assert client.get(_public_url(foia_request)).status_code == 404

    the_day = the_day_before + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: the_day)
    assert timezone.localdate() == lifts_on
    assert client.get(_public_url(foia_request)).status_code == 200
    listing = client.get(reverse("foia:public_request_list")).content.decode()
    assert _public_url(foia_request) in listing


def test_the_public_list_pages_and_names_no_requester(client, file_request):
    for number in range(3):
        file_request(title=f"Public {number}", visibility=Visibility.PUBLIC)
    html = client.get(reverse("foia:public_request_list")).content.decode()
    assert html.count("/public/requests/") == 3
    assert "Rita" not in html and "rita" not in html
    assert f'href="{reverse("foia:request_list")}"' not in html
