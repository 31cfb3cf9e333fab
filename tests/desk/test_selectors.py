"""The desk's counts and lists, on a newsroom built through the foia services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk import selectors
from documents.models import Document
from foia import services
from foia.models import CommunicationKind, FoiaRequest, Visibility
from tests.desk.conftest import file_request, make_document

pytestmark = pytest.mark.django_db


def titles(rows) -> set[str]:
    return {getattr(row, "title", None) or row.request.title for row in rows}


def test_reporter_desk_counts_their_own_requests_in_each_list(
    newsroom, reporter, today
):
    summary = selectors.desk_summary(reporter, today=today)

    assert summary.scope == selectors.OWN
    assert titles(summary.lists["overdue"]) == {
        "overdue 30 days",
        "overdue 5 days",
        "shared with rita",
    }
    assert summary.counts["due_soon"] == 1
    assert titles(summary.lists["due_soon"]) == {"due in 3 days"}
    assert titles(summary.lists["waiting_on_us"]) == {
        "clarification asked",
        "payment asked",
    }
    assert titles(summary.lists["fix_required"]) == {"clarification asked"}
    assert titles(summary.lists["payment_required"]) == {"payment asked"}
    assert titles(summary.lists["clarification"]) == {"clarification asked"}
    assert titles(summary.lists["appeal_windows"]) == {"appeal window open"}
    assert titles(summary.lists["appeals_pending"]) == {
        "appeal pending",
        "appeal late",
    }
    assert titles(summary.lists["court"]) == {
        "overdue 30 days",
        "overdue 5 days",
        "shared with rita",
        "appeal late",
        "appeal lost",
    }
    # Withdrawn and answered requests are not open; everything else is.
    assert summary.counts["open"] == 12
    # Each list holds the first rows of what its number counts.
    assert {k: min(summary.counts[k], selectors.LIST_LIMIT) for k in summary.lists} == {
        k: len(v) for k, v in summary.lists.items()
    }


def test_overdue_requests_come_oldest_first_with_their_days_overdue(
    newsroom, reporter, today
):
    overdue = selectors.desk_summary(reporter, today=today).lists["overdue"]

    assert [(row.title, row.days_overdue) for row in overdue] == [
        ("overdue 30 days", 30),
        ("shared with rita", 10),
        ("overdue 5 days", 5),
    ]


def test_overdue_buckets_group_requests_by_days_overdue(newsroom, reporter, today):
    buckets = selectors.desk_summary(reporter, today=today).overdue_buckets

    assert [(b.label, b.count) for b in buckets] == [
        ("1–10 days", 2),
        ("11–30 days", 1),
        ("31–90 days", 0),
        ("over 90 days", 0),
    ]


def test_appeal_window_list_shows_days_left(newsroom, reporter, today):
    (row,) = selectors.desk_summary(reporter, today=today).lists["appeal_windows"]

    assert row.appeal_filing_due == today + timedelta(days=10)
    assert row.appeal_days_left == 10


def test_pending_appeals_carry_their_decision_date(newsroom, reporter, today):
    appeals = selectors.desk_summary(reporter, today=today).lists["appeals_pending"]

    assert [(a.request.title, a.due, a.days_overdue) for a in appeals] == [
        ("appeal late", today - timedelta(days=20), 20),
        ("appeal pending", today + timedelta(days=17), 0),
    ]


def test_other_reporters_requests_never_count_on_a_reporters_desk(
    newsroom, reporter, today
):
    summary = selectors.desk_summary(reporter, today=today)
    everything = set().union(*(titles(rows) for rows in summary.lists.values()))

    assert "otto private overdue" not in everything
    # Visible to Rita on the request list, but not hers: not on her desk.
    assert "otto newsroom overdue" not in everything
    assert summary.reporter_load == []


def test_editor_desk_counts_the_whole_newsroom(newsroom, editor, today):
    summary = selectors.desk_summary(editor, today=today)

    assert summary.scope == selectors.NEWSROOM
    assert summary.counts["overdue"] == 5
    assert "otto private overdue" in titles(summary.lists["overdue"])


def test_reporter_load_counts_filed_and_shared_requests_per_person(
    newsroom, editor, today
):
    load = {
        row.username: row
        for row in selectors.desk_summary(editor, today=today).reporter_load
    }

    assert (load["rita"].open, load["rita"].overdue, load["rita"].due_soon) == (
        12,
        3,
        1,
    )
    assert load["rita"].waiting_on_us == 2
    assert (load["otto"].open, load["otto"].overdue) == (3, 3)
    assert load["rita"].is_requester


def test_outsider_desk_is_empty(newsroom, outsider, today):
    summary = selectors.desk_summary(outsider, today=today)

    assert all(count == 0 for count in summary.counts.values())


def test_researcher_desk_shows_only_documents_they_may_see(newsroom, researcher, today):
    make_document(newsroom.requests["otto newsroom overdue"])
    make_document(newsroom.requests["otto private overdue"])
    make_document(
        newsroom.requests["otto newsroom overdue"],
        state=Document.State.FAILED,
        error_reason="The file is damaged.",
    )

    summary = selectors.desk_summary(researcher, today=today)

    assert summary.scope == selectors.DOCUMENTS
    assert set(summary.counts) == {"documents_processed", "documents_failed"}
    assert summary.counts == {"documents_processed": 1, "documents_failed": 1}
    assert summary.overdue_buckets == []


def test_recently_processed_documents_exclude_older_ones(newsroom, reporter, today):
    mine = newsroom.requests["overdue 5 days"]
    make_document(mine, processed_days_ago=1)
    make_document(mine, processed_days_ago=30)

    summary = selectors.desk_summary(reporter, today=today)

    assert summary.counts["documents_processed"] == 1


def test_desk_list_narrows_to_one_person(newsroom, editor, reporter, today):
    overdue = selectors.desk_list(editor, "overdue", today=today)

    theirs = selectors.person_requests(overdue, reporter.pk)

    assert titles(theirs) == {"overdue 30 days", "overdue 5 days", "shared with rita"}


def test_clarification_answered_leaves_the_waiting_list(newsroom, reporter, today):
    request = newsroom.requests["clarification asked"]
    services.communication_log(
        actor=reporter,
        request=request,
        direction="out",
        channel="email",
        kind=CommunicationKind.REPLY,
        sent_on=today,
        confirm=True,
    )

    summary = selectors.desk_summary(reporter, today=today)

    assert "clarification asked" not in titles(summary.lists["waiting_on_us"])
    assert summary.counts["clarification"] == 0


def test_own_requests_are_always_among_those_their_people_may_see(
    reporter, other_reporter, department, today
):
    """The desk reads a reporter's requests without the newsroom's visibility
    rules; that is sound only while people always see their own."""
    draft = services.request_file(
        actor=reporter, agency=department, title="draft", body="Records."
    )
    embargoed = file_request(
        reporter,
        department,
        filed_days_ago=3,
        embargo_until=today + timedelta(days=30),
        visibility=Visibility.NEWSROOM,
    )
    shared = file_request(
        other_reporter, department, filed_days_ago=3, collaborators=[reporter]
    )
    file_request(other_reporter, department, filed_days_ago=3)

    own = set(selectors.own_requests(reporter).values_list("pk", flat=True))
    visible = set(FoiaRequest.objects.visible_to(reporter).values_list("pk", flat=True))

    assert own == {draft.pk, embargoed.pk, shared.pk}
    assert own <= visible


def test_own_requests_read_alike_alone_as_a_subquery_and_as_ids(
    reporter, other_reporter, department
):
    """Each database reads a reporter's requests its own way (an OR over two
    indexes on PostgreSQL, a union on SQLite); nested in another query, or as
    the ids other tables are filtered by, they are the same requests."""
    filed = file_request(reporter, department, filed_days_ago=3)
    shared = file_request(
        other_reporter, department, filed_days_ago=3, collaborators=[reporter]
    )
    file_request(other_reporter, department, filed_days_ago=3)
    own = selectors.own_requests(reporter)

    nested = FoiaRequest.objects.filter(pk__in=own.values("pk"))
    by_ids = FoiaRequest.objects.filter(
        pk__in=selectors.desk_request_ids(reporter, selectors.OWN)
    )

    assert set(own) == set(nested) == set(by_ids) == {filed, shared}


@pytest.mark.parametrize("limit", [1, 2, 3, 10])
@pytest.mark.parametrize("who", ["reporter", "editor"])
def test_the_desks_first_rows_are_the_first_rows_of_each_list(
    newsroom, who, limit, today, request
):
    user = request.getfixturevalue(who)
    make_document(newsroom.requests["overdue 5 days"], processed_days_ago=1)
    make_document(newsroom.requests["answered"], processed_days_ago=2)
    make_document(newsroom.requests["answered"], state=Document.State.FAILED)

    summary = selectors.desk_summary(user, today=today, limit=limit)

    assert set(summary.lists) == set(selectors.DESK_LISTS)
    for kind, rows in summary.lists.items():
        first = selectors.desk_list(user, kind, today=today)[:limit]
        assert [row.pk for row in rows] == [row.pk for row in first], kind
        assert len(rows) == min(limit, summary.counts[kind]), kind
