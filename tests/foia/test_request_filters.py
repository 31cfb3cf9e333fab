"""The request list's filters for what needs the newsroom: clarification asked,
appeal windows closing, appeals pending, may go to court. The same queryset
methods count the desk's numbers (tests/desk/test_request_filters.py holds the
two together)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from foia import selectors, services
from foia.models import AppealOutcome, FoiaRequest, Status
from tests.foia.builders import log

pytestmark = pytest.mark.django_db

# Federal clock (see builders.py): requests received 2025-03-03 are due
# 2025-03-31; a denial on 2025-04-01 may be appealed until 2025-06-30 (90
# calendar days); an appeal filed 2025-04-07 is to be decided by 2025-05-05.
DENIED_ON = date(2025, 4, 1)
APPEAL_FILED = date(2025, 4, 7)
TODAY = date(2025, 6, 20)


@pytest.fixture
def cases(file_request, reporter, other_reporter):
    """Rita's requests in each state the filters tell apart, and Otto's private
    ones in the same states (Rita may not see them)."""

    def build(actor, prefix: str = "") -> dict[str, FoiaRequest]:
        def make(title: str) -> FoiaRequest:
            return file_request(actor=actor, title=f"{prefix}{title}")

        found = {"overdue": make("overdue")}
        found["asked"] = make("asked")
        log(found["asked"], "clarification", date(2025, 3, 10), actor=actor)
        found["answered"] = make("answered")
        log(found["answered"], "clarification", date(2025, 3, 10), actor=actor)
        log(found["answered"], "reply", date(2025, 3, 14), actor=actor)
        found["denied in April"] = make("denied in April")
        log(found["denied in April"], "denial", DENIED_ON, actor=actor)
        found["denied in May"] = make("denied in May")
        log(found["denied in May"], "denial", date(2025, 5, 20), actor=actor)
        found["appealed"] = make("appealed")
        log(found["appealed"], "denial", DENIED_ON, actor=actor)
        services.appeal_file(
            actor=actor,
            request=found["appealed"],
            basis="adverse",
            filed_on=APPEAL_FILED,
        )
        found["lost"] = make("lost")
        log(found["lost"], "denial", DENIED_ON, actor=actor)
        appeal = services.appeal_file(
            actor=actor, request=found["lost"], basis="adverse", filed_on=APPEAL_FILED
        )
        services.appeal_decide(
            actor=actor,
            appeal=appeal,
            outcome=AppealOutcome.DENIED,
            decided_on=date(2025, 4, 30),
        )
        found["answered in full"] = make("answered in full")
        log(found["answered in full"], "final_response", date(2025, 3, 20), actor=actor)
        return found

    rita = build(reporter)
    otto = build(other_reporter, prefix="otto ")
    return rita, otto


def titles(requests) -> set[str]:
    return {item.title for item in requests}


def listed(user, *, today: date = TODAY, **filters) -> set[str]:
    return titles(
        selectors.request_list(
            user=user, filters=selectors.RequestFilters(**filters), today=today
        )
    )


def test_clarification_asked_lists_open_requests_with_an_unanswered_question(
    cases, reporter
):
    assert listed(reporter, clarification_asked=True) == {"asked"}


def test_answering_the_clarification_takes_the_request_off_the_list(cases, reporter):
    rita, _otto = cases
    log(rita["asked"], "reply", date(2025, 3, 17), actor=reporter)

    assert listed(reporter, clarification_asked=True) == set()


def test_appeal_window_lists_unappealed_denials_closing_within_the_days(
    cases, reporter
):
    rita, _otto = cases
    assert rita["denied in April"].appeal_filing_due == date(2025, 6, 30)

    assert listed(reporter, appeal_window_within=14) == {"denied in April"}
    # The window of May's denial closes 2025-08-18; an appeal, lost or pending,
    # closes the window of the others.
    assert listed(reporter, appeal_window_within=60) == {
        "denied in April",
        "denied in May",
    }
    assert listed(reporter, appeal_window_within=10) == {"denied in April"}
    assert listed(reporter, appeal_window_within=9) == set()
    # The last day counts; the day after, the window is closed.
    assert listed(reporter, appeal_window_within=0, today=date(2025, 6, 30)) == {
        "denied in April"
    }
    assert listed(reporter, appeal_window_within=60, today=date(2025, 7, 1)) == {
        "denied in May"
    }


def test_appeals_pending_lists_requests_whose_appeal_awaits_a_decision(cases, reporter):
    assert listed(reporter, appeals_pending=True) == {"appealed"}


def test_may_go_to_court_after_a_missed_deadline_a_late_or_a_lost_appeal(
    cases, reporter
):
    rita, _otto = cases

    found = listed(reporter, may_go_to_court=True)

    # The reply restarted the clock of "answered"; it ran out in April.
    assert found == {"overdue", "answered", "appealed", "lost"}
    # Before the appeal's decision date, the pending appeal is not yet spent.
    assert listed(reporter, may_go_to_court=True, today=date(2025, 5, 5)) == {
        "overdue",
        "answered",
        "lost",
    }
    # The model's own flag covers the missed deadline alone.
    assert {r.title for r in rita.values() if r.may_go_to_court} == {
        "overdue",
        "answered",
    }


def test_may_go_to_court_is_the_overdue_and_the_exhausted_appeals(cases, editor):
    requests = FoiaRequest.objects.visible_to(editor)

    court = set(requests.may_go_to_court(today=TODAY))
    overdue = set(requests.overdue(today=TODAY))
    exhausted = set(requests.appeal_exhausted(today=TODAY))

    assert court == overdue | exhausted
    assert not overdue & exhausted


def test_filters_combine_with_the_others(cases, reporter):
    assert listed(reporter, may_go_to_court=True, statuses=[Status.APPEALING]) == {
        "appealed"
    }
    assert listed(reporter, may_go_to_court=True, appeals_pending=True) == {"appealed"}


def test_filters_never_show_what_the_user_may_not_see(cases, reporter, editor):
    for filters in (
        {"clarification_asked": True},
        {"appeal_window_within": 14},
        {"appeals_pending": True},
        {"may_go_to_court": True},
    ):
        ritas = listed(reporter, **filters)
        everyones = listed(editor, **filters)
        assert ritas, filters
        assert not any(title.startswith("otto ") for title in ritas), filters
        assert everyones == ritas | {f"otto {title}" for title in ritas}, filters


# --- The page and the API ----------------------------------------------------------


@pytest.fixture
def closing_window(file_request, reporter):
    """A denial whose appeal window closes within the week, counted from today."""
    today = timezone.localdate()
    request = file_request(title="closing", filed_on=today - timedelta(days=120))
    log(request, "denial", today - timedelta(days=85), actor=reporter)
    request.refresh_from_db()
    assert 0 <= (request.appeal_filing_due - today).days <= 7
    return request


def page_titles(client, query: str) -> set[str]:
    response = client.get(f"/requests/?{query}")
    assert response.status_code == 200
    return titles(response.context["page"].object_list)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("clarification_asked=1", {"asked"}),
        ("appeal_window_within=14", {"closing"}),
        ("appeals_pending=on", {"appealed"}),
        ("may_go_to_court=1", {"overdue", "answered", "appealed", "lost"}),
        ("may_go_to_court=1&status=denied", {"lost"}),
    ],
)
def test_list_page_filters(client, cases, closing_window, reporter, query, expected):
    client.force_login(reporter)

    assert page_titles(client, query) == expected


def test_a_flag_spelled_0_or_off_filters_nothing(client, cases, reporter):
    client.force_login(reporter)
    everything = page_titles(client, "")
    assert len(everything) > 1

    for off in ("0", "off", "false", ""):
        flags = "&".join(
            f"{name}={off}"
            for name in (
                "overdue",
                "clarification_asked",
                "appeals_pending",
                "may_go_to_court",
            )
        )
        assert page_titles(client, flags) == everything, off


def test_list_page_offers_the_filters(client, reporter):
    client.force_login(reporter)

    page = client.get("/requests/").content.decode()

    for name in (
        "clarification_asked",
        "appeal_window_within",
        "appeals_pending",
        "may_go_to_court",
    ):
        assert f'name="{name}"' in page


def test_csv_export_follows_the_filters(client, cases, reporter):
    client.force_login(reporter)

    response = client.get("/requests/export.csv?appeals_pending=1")

    body = b"".join(response.streaming_content).decode()
    assert [row["title"] for row in csv.DictReader(io.StringIO(body))] == ["appealed"]


@pytest.fixture
def api(reporter):
    client = APIClient()
    client.force_authenticate(reporter)
    return client


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("clarification_asked=true", {"asked"}),
        ("appeal_window_within=14", {"closing"}),
        ("appeals_pending=1", {"appealed"}),
        ("may_go_to_court=yes", {"overdue", "answered", "appealed", "lost"}),
        ("may_go_to_court=0", None),
    ],
)
def test_api_filters(api, cases, closing_window, query, expected):
    response = api.get(f"/api/requests/?{query}")

    assert response.status_code == 200
    found = {item["title"] for item in response.json()["results"]}
    if expected is None:  # not set: every request Rita may see
        expected = titles(FoiaRequest.objects.visible_to(closing_window.requester))
    assert found == expected


@pytest.mark.parametrize("value", ["x", "-1", "366", "1.5"])
def test_api_refuses_an_appeal_window_that_is_not_a_number_of_days(api, value):
    response = api.get(f"/api/requests/?appeal_window_within={value}")

    assert response.status_code == 400
    assert response.json()["appeal_window_within"] == [
        "A whole number of days from 0 to 365."
    ]


def test_the_schema_describes_the_filters(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()

    parameters = {
        parameter["name"]: parameter
        for parameter in schema["paths"]["/api/requests/"]["get"]["parameters"]
    }
    assert parameters["clarification_asked"]["schema"]["type"] == "boolean"
    assert parameters["appeal_window_within"]["schema"]["type"] == "integer"
    assert parameters["appeals_pending"]["schema"]["type"] == "boolean"
    assert parameters["may_go_to_court"]["schema"]["type"] == "boolean"
    assert "appeal was lost" in parameters["may_go_to_court"]["description"]


# --- Pages and choices -------------------------------------------------------------


@pytest.mark.parametrize("sort", list(selectors.SORTS))
def test_pages_read_ids_first_and_keep_the_lists_order(cases, editor, sort):
    requests = selectors.request_list(
        user=editor, filters=selectors.RequestFilters(sort=sort)
    )
    paginator = selectors.IdFirstPaginator(requests, 4)

    paged = [
        item.pk
        for number in paginator.page_range
        for item in paginator.page(number).object_list
    ]

    assert paged == [item.pk for item in requests]


def test_requester_choices_are_the_people_whose_requests_one_may_see(
    cases, reporter, other_reporter, editor, outsider
):
    assert [p.username for p in selectors.requesters_for(reporter)] == ["rita"]
    assert [p.username for p in selectors.requesters_for(editor)] == [
        "otto",
        "rita",
    ]
    assert list(selectors.requesters_for(outsider)) == []
    services.request_update(
        actor=other_reporter, request=cases[1]["asked"], visibility="newsroom"
    )
    assert [p.username for p in selectors.requesters_for(reporter)] == [
        "otto",
        "rita",
    ]
