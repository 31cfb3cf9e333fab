"""Follow-up letters drafted when a request passes its due date."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import Http404

from desk import selectors, services, tasks
from desk.models import FollowUp, NewsroomSetting
from foia import services as foia_services
from foia.models import Communication, CommunicationKind, Status
from tests.desk.conftest import deny, file_request, log_incoming

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def auto_send(editor):
    services.newsroom_setting_update(user=editor, auto_send_follow_ups=True)


def test_a_follow_up_is_drafted_for_an_overdue_request(reporter, department, today):
    request = file_request(reporter, department, filed_days_ago=15, title="Probes")

    (follow_up,) = services.follow_ups_draft(today=today)

    assert follow_up.request == request
    assert follow_up.due_on == today - timedelta(days=5)
    assert follow_up.state == FollowUp.State.QUEUED
    assert "Probes" in follow_up.subject
    assert "5 days ago" in follow_up.body
    assert follow_up.to_email == "foia@dop.example"
    assert mail.outbox == []


def test_a_component_without_contacts_is_written_to_through_its_parent(
    reporter, office, today
):
    file_request(reporter, office, filed_days_ago=15)

    (follow_up,) = services.follow_ups_draft(today=today)

    assert follow_up.to_email == "foia@dop.example"


def test_requests_not_yet_due_get_no_follow_up(reporter, department, today):
    file_request(reporter, department, filed_days_ago=3)

    assert services.follow_ups_draft(today=today) == []


@pytest.mark.parametrize("status", [Status.WITHDRAWN, Status.CLOSED, Status.DONE])
def test_withdrawn_or_closed_requests_never_get_a_follow_up(
    reporter, department, today, status
):
    request = file_request(reporter, department, filed_days_ago=30)
    if status == Status.CLOSED:
        foia_services.request_transition(
            actor=reporter, request=request, to=Status.DONE
        )
    foia_services.request_transition(actor=reporter, request=request, to=status)

    assert services.follow_ups_draft(today=today) == []
    assert not FollowUp.objects.exists()


def test_denied_and_stopped_clock_requests_get_none(reporter, department, today):
    deny(reporter, file_request(reporter, department, filed_days_ago=30), days_ago=2)
    stopped = file_request(reporter, department, filed_days_ago=30)
    log_incoming(reporter, stopped, CommunicationKind.CLARIFICATION, days_ago=25)

    assert services.follow_ups_draft(today=today) == []


def test_drafting_twice_drafts_once(reporter, department, today):
    file_request(reporter, department, filed_days_ago=15)

    services.follow_ups_draft(today=today)
    again = services.follow_ups_draft(today=today)

    assert again == []
    assert FollowUp.objects.count() == 1


def test_a_new_missed_due_date_gets_a_new_follow_up(reporter, department, today):
    request = file_request(reporter, department, filed_days_ago=25)
    services.follow_ups_draft(today=today - timedelta(days=10))
    # The agency invokes its extension: due 20 days after receipt, i.e. T-5.
    log_incoming(reporter, request, CommunicationKind.EXTENSION_NOTICE, days_ago=20)

    services.follow_ups_draft(today=today)

    assert sorted(FollowUp.objects.values_list("due_on", flat=True)) == [
        today - timedelta(days=15),
        today - timedelta(days=5),
    ]


def test_the_task_drafts_follow_ups(reporter, department):
    file_request(reporter, department, filed_days_ago=15)

    assert tasks.draft_follow_ups() == 1
    assert tasks.draft_follow_ups() == 0


def test_sending_is_a_human_decision_by_default(reporter, department, today):
    request = file_request(reporter, department, filed_days_ago=15)
    (follow_up,) = services.follow_ups_draft(today=today)

    assert NewsroomSetting.load().auto_send_follow_ups is False
    assert list(selectors.follow_up_queue(reporter)) == [follow_up]

    services.follow_up_send(
        follow_up=follow_up, user=reporter, subject="Where are my records?"
    )

    follow_up.refresh_from_db()
    assert follow_up.state == FollowUp.State.SENT
    assert follow_up.sent_by == reporter
    (message,) = mail.outbox
    assert message.to == ["foia@dop.example"]
    assert message.subject == "Where are my records?"
    assert message.reply_to == ["rita@newsroom.example"]
    communication = Communication.objects.get(request=request)
    assert communication.kind == CommunicationKind.FOLLOW_UP
    assert communication.direction == "out"
    assert follow_up.communication == communication
    assert list(selectors.follow_up_queue(reporter)) == []


def test_a_follow_up_cannot_be_sent_twice(reporter, department, today):
    file_request(reporter, department, filed_days_ago=15)
    (follow_up,) = services.follow_ups_draft(today=today)
    services.follow_up_send(follow_up=follow_up, user=reporter)

    with pytest.raises(services.FollowUpError):
        services.follow_up_send(follow_up=follow_up, user=reporter)
    assert len(mail.outbox) == 1


def test_sent_another_way_is_recorded_without_email(reporter, bureau, today):
    file_request(reporter, bureau, filed_days_ago=15)
    (follow_up,) = services.follow_ups_draft(today=today)

    with pytest.raises(services.FollowUpError):
        services.follow_up_send(follow_up=follow_up, user=reporter)
    services.follow_up_send(follow_up=follow_up, user=reporter, channel="mail")

    follow_up.refresh_from_db()
    assert (follow_up.state, follow_up.channel) == (FollowUp.State.SENT, "mail")
    assert mail.outbox == []


def test_only_the_requests_people_and_editors_may_send_or_dismiss(
    reporter, other_reporter, editor, department, today
):
    file_request(reporter, department, filed_days_ago=15)
    (follow_up,) = services.follow_ups_draft(today=today)

    with pytest.raises((PermissionDenied, Http404)):
        services.follow_up_send(follow_up=follow_up, user=other_reporter)
    with pytest.raises((PermissionDenied, Http404)):
        services.follow_up_dismiss(follow_up=follow_up, user=other_reporter)
    assert list(selectors.follow_up_queue(other_reporter)) == []

    services.follow_up_dismiss(follow_up=follow_up, user=editor)
    follow_up.refresh_from_db()
    assert follow_up.state == FollowUp.State.DISMISSED
    assert mail.outbox == []


def test_automatic_sending_emails_the_agency_and_logs_it(
    auto_send, reporter, department, bureau, today
):
    request = file_request(reporter, department, filed_days_ago=15)
    file_request(reporter, bureau, filed_days_ago=15)

    drafted = services.follow_ups_draft(today=today)

    states = {f.request.agency.slug: f.state for f in FollowUp.objects.all()}
    assert len(drafted) == 2
    # No email address: the draft waits for a human.
    assert states == {
        "test-dop": FollowUp.State.SENT,
        "test-bop": FollowUp.State.QUEUED,
    }
    (message,) = mail.outbox
    assert message.to == ["foia@dop.example"]
    sent = FollowUp.objects.get(request=request)
    assert sent.sent_by is None
    assert sent.communication.logged_by == reporter


def test_a_follow_up_of_a_request_answered_since_cannot_be_sent(
    reporter, department, today
):
    request = file_request(reporter, department, filed_days_ago=15)
    (follow_up,) = services.follow_ups_draft(today=today)
    log_incoming(reporter, request, CommunicationKind.FINAL_RESPONSE, days_ago=0)

    with pytest.raises(services.FollowUpError):
        services.follow_up_send(follow_up=follow_up, user=reporter)
    assert list(selectors.follow_up_queue(reporter)) == []


def test_follow_up_pages(client, reporter, department, today):
    file_request(reporter, department, filed_days_ago=15, title="Probe records")
    (follow_up,) = services.follow_ups_draft(today=today)
    client.force_login(reporter)

    queue = client.get("/desk/follow-ups/")
    detail = client.get(f"/desk/follow-ups/{follow_up.pk}/")
    sent = client.post(
        f"/desk/follow-ups/{follow_up.pk}/",
        {
            "subject": "Overdue: Probe records",
            "body": "Please answer.",
            "channel": "email",
        },
    )

    assert b"Probe records" in queue.content
    assert b"foia@dop.example" in detail.content
    assert sent.status_code == 302
    assert mail.outbox[0].body == "Please answer."


def test_follow_up_page_of_someone_elses_private_request_is_not_found(
    client, reporter, other_reporter, department, today
):
    file_request(reporter, department, filed_days_ago=15)
    (follow_up,) = services.follow_ups_draft(today=today)
    client.force_login(other_reporter)

    assert client.get(f"/desk/follow-ups/{follow_up.pk}/").status_code == 404


def test_editors_switch_automatic_sending_on_the_settings_page(
    client, editor, reporter
):
    client.force_login(reporter)
    refused = client.post(
        "/desk/settings/", {"newsroom_form": "1", "auto_send_follow_ups": "on"}
    )
    client.force_login(editor)
    client.post("/desk/settings/", {"newsroom_form": "1", "auto_send_follow_ups": "on"})

    assert refused.status_code == 403
    assert NewsroomSetting.load().auto_send_follow_ups is True
