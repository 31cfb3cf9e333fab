"""The private iCalendar feed, parsed back with the ``icalendar`` package."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from desk import ical, services
from foia import services as foia_services
from foia.models import CommunicationKind
from tests.desk.conftest import deny, file_request, log_incoming

pytestmark = pytest.mark.django_db


def feed_url(user) -> str:
    return services.calendar_token_get_or_create(user=user).get_absolute_url()


def fetch(client, url: str) -> icalendar.Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def summaries(calendar: icalendar.Calendar) -> dict[str, date]:
    return {
        str(event["SUMMARY"]): event.decoded("DTSTART")
        for event in calendar.walk("VEVENT")
    }


def test_the_feed_has_every_deadline_of_the_users_requests(
    client, reporter, other_reporter, department, office, today
):
    file_request(reporter, department, filed_days_ago=2, title="Probe budget")
    denied = file_request(reporter, office, filed_days_ago=20, title="Probe memos")
    deny(reporter, denied, days_ago=5)
    appealed = file_request(reporter, department, filed_days_ago=40, title="Appealed")
    deny(reporter, appealed, days_ago=30)
    foia_services.appeal_file(
        actor=reporter,
        request=appealed,
        basis="adverse",
        filed_on=today - timedelta(days=10),
    )
    file_request(
        other_reporter,
        department,
        filed_days_ago=2,
        title="Otto's request",
        collaborators=[reporter],
    )
    file_request(other_reporter, department, filed_days_ago=2, title="Otto's secret")

    calendar = fetch(client, feed_url(reporter))

    assert str(calendar["VERSION"]) == "2.0"
    assert summaries(calendar) == {
        "Due: Probe budget (DOP)": today + timedelta(days=8),
        "Appeal filing due: Probe memos (OFP)": today + timedelta(days=25),
        "Appeal decision due: Appealed (DOP)": today + timedelta(days=10),
        "Due: Otto's request (DOP)": today + timedelta(days=8),
    }
    for event in calendar.walk("VEVENT"):
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is date and end == start + timedelta(days=1)
        assert event.decoded("DTSTAMP").tzinfo is not None
        assert str(event["URL"]).startswith("http://testserver/requests/")
        assert event.walk("VALARM")


def test_uids_are_stable_across_fetches(client, reporter, department):
    file_request(reporter, department, filed_days_ago=2)
    url = feed_url(reporter)

    assert set(events(fetch(client, url))) == set(events(fetch(client, url)))


def test_the_feed_follows_a_deadline_that_moves(client, reporter, department, today):
    request = file_request(reporter, department, filed_days_ago=8, title="Moving")
    url = feed_url(reporter)
    before = events(fetch(client, url))

    log_incoming(reporter, request, CommunicationKind.EXTENSION_NOTICE, days_ago=1)
    after = events(fetch(client, url))

    (uid,) = before
    assert before[uid].decoded("DTSTART") == today + timedelta(days=2)
    extended = next(e for e in after.values() if "Extended due" in str(e["SUMMARY"]))
    assert extended.decoded("DTSTART") == today + timedelta(days=12)
    assert uid in after  # the original due date keeps its identity


def test_a_stopped_clock_removes_the_due_date_until_it_restarts(
    client, reporter, department, today
):
    request = file_request(reporter, department, filed_days_ago=8, title="Stopped")
    url = feed_url(reporter)
    log_incoming(reporter, request, CommunicationKind.CLARIFICATION, days_ago=6)

    assert summaries(fetch(client, url)) == {}

    foia_services.communication_log(
        actor=reporter,
        request=request,
        direction="out",
        channel="email",
        kind=CommunicationKind.REPLY,
        sent_on=today,
        confirm=True,
    )
    # Stopped for 6 days: due 10 + 6 days after receipt.
    assert summaries(fetch(client, url)) == {
        "Due: Stopped (DOP)": today + timedelta(days=8)
    }


def test_finished_requests_leave_the_feed(client, reporter, department):
    request = file_request(reporter, department, filed_days_ago=3)
    log_incoming(reporter, request, CommunicationKind.FINAL_RESPONSE, days_ago=0)

    assert summaries(fetch(client, feed_url(reporter))) == {}


def test_a_revoked_or_unknown_token_is_not_found(client, reporter, department):
    file_request(reporter, department, filed_days_ago=2)
    url = feed_url(reporter)
    new = services.calendar_token_rotate(user=reporter)

    assert client.get(url).status_code == 404
    assert client.get(new.get_absolute_url()).status_code == 200
    services.calendar_token_revoke(user=reporter)
    assert client.get(new.get_absolute_url()).status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_an_inactive_users_feed_is_not_found(client, reporter):
    url = feed_url(reporter)
    reporter.is_active = False
    reporter.save()

    assert client.get(url).status_code == 404


def test_the_feed_needs_no_login_but_the_settings_page_does(client, reporter):
    url = feed_url(reporter)

    assert client.get(url).status_code == 200
    assert client.get("/desk/settings/").status_code == 302


def test_settings_page_makes_shows_and_rotates_the_address(client, reporter):
    client.force_login(reporter)

    assert b".ics" not in client.get("/desk/settings/").content
    client.post("/desk/settings/calendar/new/")
    first = client.get("/desk/settings/").content.decode()
    client.post("/desk/settings/calendar/new/")
    second = client.get("/desk/settings/").content.decode()

    assert ".ics" in first and ".ics" in second
    assert first != second
    client.post("/desk/settings/calendar/off/")
    assert b".ics" not in client.get("/desk/settings/").content


# The writer itself, line by line (RFC 5545).


def test_text_values_are_escaped():
    assert ical.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_long_lines_are_folded_at_75_octets_without_splitting_characters():
    line = "SUMMARY:" + "é" * 100
    folded = ical.fold(line)

    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_rendered_calendar_round_trips_through_a_parser():
    text = ical.calendar_render(
        name="Deadlines, mine; all",
        events=[
            ical.Event(
                uid="request-1-response_due@example.org",
                day=date(2026, 3, 2),
                summary="Due: Records, memos; and \\ notes\nwith a very long title "
                * 3,
                description="Line one\nLine two",
                url="https://example.org/requests/1/?a=1,2",
                alarm_minutes_before=900,
            )
        ],
        now=datetime(2026, 1, 1, 12, 0, tzinfo=UTC),
    )

    assert text.endswith("\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    calendar = icalendar.Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    # The parser leaves calendar-level text it has no type for as sent: escaped.
    assert str(calendar["X-WR-CALNAME"]) == "Deadlines\\, mine\\; all"
    assert str(event["SUMMARY"]).startswith("Due: Records, memos; and \\ notes\nwith")
    assert str(event["DESCRIPTION"]) == "Line one\nLine two"
    assert event.decoded("DTSTART") == date(2026, 3, 2)
    assert event.decoded("DTEND") == date(2026, 3, 3)
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(hours=15)
