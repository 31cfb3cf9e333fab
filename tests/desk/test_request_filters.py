"""Each desk number and the request list it links to count the same requests,
on the page and in the API, and never one the user may not see."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlparse

import pytest
from rest_framework.test import APIClient

from desk import links, selectors
from foia import services
from foia.models import AppealOutcome, CommunicationKind, FoiaRequest, Visibility
from tests.desk.conftest import deny, file_request, log_incoming

pytestmark = pytest.mark.django_db

# The desk lists the request list can show, by its own filters.
LINKED = [
    kind
    for kind, definition in selectors.DESK_LISTS.items()
    if definition.request_list_params is not None
]


@pytest.fixture
def ottos_private(newsroom, other_reporter, department, today) -> list[FoiaRequest]:
    """Otto's requests in the states the new filters select, which Rita may not
    see: private ones, and a newsroom one under embargo."""

    def otto(title, days_ago, **extra):
        return file_request(
            other_reporter, department, filed_days_ago=days_ago, title=title, **extra
        )

    asked = otto("otto clarification", 8)
    log_incoming(other_reporter, asked, CommunicationKind.CLARIFICATION, days_ago=2)
    embargoed = otto(
        "otto embargoed clarification",
        8,
        visibility=Visibility.NEWSROOM,
        embargo_until=today + timedelta(days=30),
    )
    log_incoming(other_reporter, embargoed, CommunicationKind.CLARIFICATION, days_ago=2)
    window = otto("otto appeal window", 30)
    deny(other_reporter, window, days_ago=20)
    pending = otto("otto appeal pending", 30)
    deny(other_reporter, pending, days_ago=25)
    services.appeal_file(
        actor=other_reporter,
        request=pending,
        basis="adverse",
        filed_on=today - timedelta(days=3),
    )
    lost = otto("otto appeal lost", 60)
    deny(other_reporter, lost, days_ago=55)
    appeal = services.appeal_file(
        actor=other_reporter,
        request=lost,
        basis="adverse",
        filed_on=today - timedelta(days=50),
    )
    services.appeal_decide(
        actor=other_reporter,
        appeal=appeal,
        outcome=AppealOutcome.DENIED,
        decided_on=today - timedelta(days=10),
    )
    return [asked, embargoed, window, pending, lost]


def desk_ids(user, kind: str) -> set[int]:
    rows = selectors.desk_list(user, kind)
    if selectors.DESK_LISTS[kind].model == "appeal":
        return set(rows.values_list("request_id", flat=True))
    return set(rows.values_list("pk", flat=True))


def page_ids(client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.context["page"]
    assert page.paginator.num_pages == 1, url
    return {item.pk for item in page.object_list}


def api_ids(user, url: str) -> set[int]:
    api = APIClient()
    api.force_authenticate(user)
    response = api.get("/api/requests/", dict(parse_qsl(urlparse(url).query)))
    assert response.status_code == 200, url
    data = response.json()
    assert data["next"] is None, url
    return {item["id"] for item in data["results"]}


def test_the_new_lists_link_to_the_request_list():
    assert {"clarification", "appeal_windows", "appeals_pending", "court"} <= set(
        LINKED
    )


@pytest.mark.parametrize("who", ["reporter", "other_reporter", "editor", "outsider"])
def test_each_desk_number_counts_the_rows_of_the_list_it_links_to(
    client, ottos_private, who, request
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    summary = selectors.desk_summary(user)

    for kind in LINKED:
        url = links.list_url(kind, scope=summary.scope)
        assert urlparse(url).path == "/requests/", kind
        on_desk = desk_ids(user, kind)
        assert summary.counts[kind] == len(on_desk), kind
        assert page_ids(client, url) == on_desk, (kind, url)
        assert api_ids(user, url) == on_desk, (kind, url)


def test_a_reporters_numbers_leave_out_what_they_may_not_see(
    client, ottos_private, reporter
):
    client.force_login(reporter)
    summary = selectors.desk_summary(reporter)
    hidden = {item.pk for item in ottos_private}

    assert {kind: summary.counts[kind] for kind in LINKED} == {
        "open": 12,
        "overdue": 3,
        "due_soon": 1,
        "waiting_on_us": 2,
        "fix_required": 1,
        "payment_required": 1,
        "clarification": 1,
        "appeal_windows": 1,
        "appeals_pending": 2,
        "court": 5,
    }
    for kind in LINKED:
        url = links.list_url(kind, scope=summary.scope)
        assert not page_ids(client, url) & hidden, kind
        # Without "requester=me" the list is what Rita may see: still none.
        assert not page_ids(client, url.replace("requester=me", "")) & hidden, kind


def test_an_editors_numbers_count_every_request(client, ottos_private, editor):
    client.force_login(editor)
    summary = selectors.desk_summary(editor)

    assert summary.counts["clarification"] == 3
    assert summary.counts["appeal_windows"] == 2
    assert summary.counts["appeals_pending"] == 3
    assert summary.counts["court"] == 5 + 2 + 1
    for kind in ("clarification", "appeal_windows", "appeals_pending", "court"):
        url = links.list_url(kind, scope=summary.scope)
        assert "requester" not in url
        assert len(page_ids(client, url)) == summary.counts[kind], kind


def test_the_desk_page_links_every_number_of_a_request_list_to_the_request_list(
    client, newsroom, reporter
):
    client.force_login(reporter)
    summary = selectors.desk_summary(reporter)

    html = client.get("/desk/").content.decode()

    for kind in ("clarification", "appeal_windows", "appeals_pending", "court"):
        url = links.list_url(kind, scope=summary.scope)
        assert f'href="{url.replace("&", "&amp;")}"' in html, kind
    # The lists of documents have no request list; the desk's own list stays.
    assert 'href="/desk/list/documents_failed/"' in html
