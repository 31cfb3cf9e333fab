"""The desk page, its lists and where its numbers link."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from desk import links, selectors
from foia import services
from foia.models import CommunicationKind, Visibility
from tests.desk.conftest import deny, file_request, log_incoming, make_document

pytestmark = pytest.mark.django_db


def tile_links(html: str) -> dict[str, tuple[str, int]]:
    """data-kind -> (href, number) of the desk's tiles."""
    found = {}
    for match in re.finditer(
        r'<a class="card tile desk-tile[^"]*" href="([^"]+)" data-kind="([a-z_]+)">'
        r'<span class="desk-count">(\d+)</span>',
        html,
    ):
        found[match[2]] = (unescape(match[1]), int(match[3]))
    return found


def rows_behind(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


@pytest.mark.parametrize("who", ["reporter", "editor"])
def test_every_number_on_the_desk_links_to_a_list_of_as_many_rows(
    client,
    newsroom,
    who,
    request,
):
    user = request.getfixturevalue(who)
    client.force_login(user)

    response = client.get("/desk/")

    assert response.status_code == 200
    tiles = tile_links(response.content.decode())
    assert {"open", "overdue", "due_soon", "waiting_on_us", "court"} <= set(tiles)
    for kind, (url, number) in tiles.items():
        if kind == "follow_ups":
            continue
        assert rows_behind(client, url) == number, (kind, url)


def test_reporter_links_go_to_the_request_list_narrowed_to_them(
    client,
    newsroom,
    reporter,
):
    client.force_login(reporter)

    tiles = tile_links(client.get("/desk/").content.decode())

    overdue_url = urlparse(tiles["overdue"][0])
    assert overdue_url.path == "/requests/"
    assert parse_qs(overdue_url.query) == {"overdue": ["1"], "requester": ["me"]}
    assert parse_qs(urlparse(tiles["due_soon"][0]).query)["due_within"] == ["7"]
    court_url = urlparse(tiles["court"][0])
    assert court_url.path == "/requests/"
    assert parse_qs(court_url.query) == {"may_go_to_court": ["1"], "requester": ["me"]}


def test_reporter_load_numbers_link_to_lists_of_as_many_rows(
    client,
    newsroom,
    editor,
):
    client.force_login(editor)
    summary = selectors.desk_summary(editor)

    response = client.get("/desk/")

    html = response.content.decode()
    for row, row_links in zip(
        summary.reporter_load, links.load_links(summary.reporter_load), strict=True
    ):
        for kind, number in (
            ("open", row.open),
            ("overdue", row.overdue),
            ("waiting_on_us", row.waiting_on_us),
        ):
            url = row_links[kind]
            assert url.replace("&", "&amp;") in html
            assert rows_behind(client, url) == number, (row.username, kind)


def test_overdue_buckets_link_to_the_overdue_list_narrowed_by_days(
    client,
    newsroom,
    reporter,
):
    client.force_login(reporter)

    response = client.get("/desk/list/overdue/", {"min_days": 1, "max_days": 10})

    assert response.context["page"].paginator.count == 2


def test_desk_page_shows_the_lists(client, newsroom, reporter):
    make_document(
        newsroom.requests["overdue 5 days"],
        state="failed",
        error_reason="The file is damaged.",
    )
    client.force_login(reporter)

    html = client.get("/desk/").content.decode()

    assert "overdue 30 days" in html
    assert "30 days overdue" in html
    assert "appeal window open" in html
    assert "10 days left" in html
    assert "The file is damaged." in html
    assert "otto private overdue" not in html
    assert "Each reporter" not in html


def test_editor_sees_each_reporters_load(client, newsroom, editor):
    client.force_login(editor)

    html = client.get("/desk/").content.decode()

    assert "Each reporter" in html
    assert "otto private overdue" in html


def test_researcher_desk_has_no_requests(client, newsroom, researcher):
    client.force_login(researcher)

    html = client.get("/desk/").content.decode()

    assert "overdue 30 days" not in html
    assert "Documents" in html
    assert client.get("/desk/list/overdue/").status_code == 404


def test_desk_lists_page_and_export_csv(client, newsroom, editor):
    client.force_login(editor)

    page = client.get("/desk/list/court/")
    export = client.get("/desk/list/court/", {"format": "csv"})

    assert page.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert len(rows) == page.context["page"].paginator.count
    assert {"request_id", "title", "days_overdue"} <= set(rows[0])
    appeals = client.get("/desk/list/appeals_pending/", {"format": "csv"})
    assert "decision_due" in appeals.content.decode().splitlines()[0]


def test_desk_tables_export_as_csv(client, newsroom, editor):
    client.force_login(editor)

    load = client.get("/desk/", {"format": "csv", "table": "load"})
    counts = client.get("/desk/", {"format": "csv", "table": "counts"})

    people = {
        row["username"]: row
        for row in csv.DictReader(io.StringIO(load.content.decode()))
    }
    assert people["rita"]["overdue"] == "3"
    assert "overdue,Overdue,5" in counts.content.decode()


def test_unknown_list_is_not_found(client, reporter):
    client.force_login(reporter)

    assert client.get("/desk/list/nonsense/").status_code == 404


def test_desk_needs_a_login(client):
    response = client.get("/desk/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def _desk_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/desk/")
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["editor", "reporter"])
def test_desk_query_count_does_not_grow_with_the_requests(
    client, who, reporter, other_reporter, department, office, request
):
    """Not timed (see bench/bench_pages.py); only the number of queries."""
    client.force_login(request.getfixturevalue(who))

    def add(n: int) -> None:
        for i in range(n):
            owner = reporter if i % 2 else other_reporter
            filed = file_request(
                owner,
                office if i % 3 else department,
                filed_days_ago=5 + (i * 7) % 60,
                visibility=Visibility.NEWSROOM,
                collaborators=[reporter] if i % 8 == 2 else [],
            )
            if i % 4 == 0:
                deny(owner, filed, days_ago=2)
            elif i % 5 == 0:
                log_incoming(owner, filed, CommunicationKind.CLARIFICATION, days_ago=1)
            elif i % 7 == 0 and filed.may_go_to_court:
                services.appeal_file(
                    actor=owner,
                    request=filed,
                    basis="constructive",
                    filed_on=timezone.localdate(),
                )
            if i % 6 == 0:
                make_document(filed)

    add(5)
    few = _desk_queries(client)
    add(45)
    many = _desk_queries(client)

    assert few == many
    assert many <= 30
