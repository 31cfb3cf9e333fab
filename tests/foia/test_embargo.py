"""Warnings before an embargo lifts: an email to the requester and collaborators,
once per embargo date, and a notice on the request page. Embargoes that expose
nothing when they lift (private requests, drafts) and lifted ones are left alone.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from foia import services, tasks
from foia.models import Visibility
from tests.foia.builders import events

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 2)
IN_TWO_DAYS = date(2025, 6, 4)
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def embargoed(file_request, other_reporter):
    """Rita's newsroom request, shared with Otto, embargoed until June 4, 2025."""

    def make(**values):
        values.setdefault("visibility", Visibility.NEWSROOM)
        values.setdefault("embargo_until", IN_TWO_DAYS)
        values.setdefault("collaborators", [other_reporter])
        return file_request(**values)

    return make


def test_requester_and_collaborators_are_warned_once_before_it_lifts(
    embargoed, settings
):
    settings.DIGEST_SITE_URL = "https://workbench.example"
    foia_request = embargoed()

    assert services.embargo_warnings_send(today=TODAY) == 1

    assert sorted(message.to[0] for message in mail.outbox) == [
        "otto@newsroom.example",
        "rita@newsroom.example",
    ]
    message = next(m for m in mail.outbox if m.to == ["rita@newsroom.example"])
    assert message.subject == (
        "Embargo lifts on 2025-06-04: ICE OPR misconduct investigations"
    )
    assert "Hello Rita" in message.body
    assert "lifts on Wednesday, June 4, 2025" in message.body
    assert "everyone signed in to the newsroom will see" in message.body
    assert f"https://workbench.example/requests/{foia_request.pk}/" in message.body
    (event,) = events(foia_request, "embargo")
    assert event.to_value == "2025-06-04"
    assert event.data == {"lifts_on": "2025-06-04", "warned": ["rita", "otto"]}
    assert "Warned rita, otto by email." in event.message

    # Later runs, the same day and the next, send nothing more.
    assert services.embargo_warnings_send(today=TODAY) == 0
    assert services.embargo_warnings_send(today=TODAY + timedelta(days=1)) == 0
    assert len(mail.outbox) == 2
    assert len(events(foia_request, "embargo")) == 1


def test_a_moved_embargo_is_warned_about_again(embargoed, reporter):
    foia_request = embargoed(collaborators=[])
    services.embargo_warnings_send(today=TODAY)
    services.request_update(
        actor=reporter, request=foia_request, embargo_until=date(2025, 6, 5)
    )

    assert services.embargo_warnings_send(today=date(2025, 6, 3)) == 1

    assert [m.subject[:27] for m in mail.outbox] == [
        "Embargo lifts on 2025-06-04",
        "Embargo lifts on 2025-06-05",
    ]
    assert [e.to_value for e in events(foia_request, "embargo")] == [
        "2025-06-04",
        "2025-06-05",
    ]


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"embargo_until": TODAY}, id="lifts today: lifted already"),
        pytest.param({"embargo_until": date(2025, 5, 1)}, id="lifted long ago"),
        pytest.param({"embargo_until": TODAY + timedelta(days=4)}, id="not yet due"),
        pytest.param({"embargo_until": None}, id="no embargo"),
        pytest.param({"visibility": Visibility.PRIVATE}, id="private: stays hidden"),
        pytest.param({"filed_on": None}, id="draft: stays hidden"),
    ],
)
def test_nothing_is_sent_when_the_embargo_changes_nothing_or_is_not_due(
    embargoed, values
):
    foia_request = embargoed(**values)

    assert services.embargo_warnings_send(today=TODAY) == 0

    assert mail.outbox == []
    assert events(foia_request, "embargo") == []


def test_the_warning_window_is_a_setting(embargoed, settings):
    embargoed(embargo_until=TODAY + timedelta(days=8))
    assert services.embargo_warnings_send(today=TODAY) == 0
    settings.EMBARGO_WARNING_DAYS = 10
    assert services.embargo_warnings_send(today=TODAY) == 1


def test_a_public_request_warns_that_anyone_will_see_it(embargoed):
    embargoed(visibility=Visibility.PUBLIC, collaborators=[])
    services.embargo_warnings_send(today=TODAY)
    (message,) = mail.outbox
    assert "anyone, including signed-out visitors" in message.body


def test_people_without_an_address_are_skipped_but_the_warning_is_recorded(
    embargoed, other_reporter
):
    other_reporter.email = ""
    other_reporter.save()
    foia_request = embargoed()

    assert services.embargo_warnings_send(today=TODAY) == 1

    assert [m.to for m in mail.outbox] == [["rita@newsroom.example"]]
    (event,) = events(foia_request, "embargo")
    assert event.data["warned"] == ["rita"]


def test_a_refused_mail_leaves_no_trace_and_the_next_run_tries_again(
    embargoed, settings
):
    foia_request = embargoed()
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"

    assert services.embargo_warnings_send(today=TODAY) == 0
    assert events(foia_request, "embargo") == []

    settings.EMAIL_BACKEND = LOCMEM
    assert services.embargo_warnings_send(today=TODAY) == 1
    assert len(mail.outbox) == 2


def test_the_daily_task_warns_about_todays_embargoes(embargoed):
    foia_request = embargoed(embargo_until=timezone.localdate() + timedelta(days=1))
    assert tasks.send_embargo_warnings() == 1
    assert tasks.send_embargo_warnings() == 0
    assert len(events(foia_request, "embargo")) == 1


def test_the_warning_is_scheduled_daily():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(func="foia.tasks.send_embargo_warnings")
    assert schedule.schedule_type == Schedule.DAILY


NOTICE = "This request's embargo lifts on"


def test_the_request_page_warns_those_who_decide_before_it_lifts(
    client, embargoed, reporter, other_reporter, editor, researcher
):
    lifts_on = timezone.localdate() + timedelta(days=2)
    foia_request = embargoed(embargo_until=lifts_on)

    for person in (reporter, other_reporter, editor):
        client.force_login(person)
        html = client.get(foia_request.get_absolute_url()).content.decode()
        assert NOTICE in html, person
        assert f'datetime="{lifts_on:%Y-%m-%d}"' in html
        assert "everyone signed in to the newsroom will see it" in html
    # Still embargoed: the researcher does not see the request at all.
    client.force_login(researcher)
    assert client.get(foia_request.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"visibility": Visibility.PRIVATE}, id="private"),
        pytest.param({"embargo_days": 10}, id="far off"),
        pytest.param({"embargo_days": 0}, id="lifted today"),
    ],
)
def test_the_request_page_says_nothing_when_no_warning_is_due(
    client, embargoed, reporter, values
):
    days = values.pop("embargo_days", 2)
    foia_request = embargoed(
        embargo_until=timezone.localdate() + timedelta(days=days), **values
    )
    client.force_login(reporter)
    html = client.get(foia_request.get_absolute_url()).content.decode()
    assert "embargo lifts on" not in html
