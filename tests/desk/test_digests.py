"""Daily digests, sent through Django's test mail outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from desk import services, tasks
from desk.models import DigestLog
from documents.models import Page
from tests.desk.conftest import file_request, make_document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DIGEST_SITE_URL = "https://workbench.example"


def sent_to(username: str):
    return [m for m in mail.outbox if m.to == [f"{username}@newsroom.example"]]


def test_a_reporters_digest_lists_what_needs_them(newsroom, reporter, today):
    subject, text, html = services.digest_for(user=reporter, today=today)

    assert "3 overdue" in subject and "1 due soon" in subject
    assert "OVERDUE: 3" in text
    assert "overdue 30 days (DOP), due" in text
    assert "30 days overdue" in text
    assert "due in 3 days" in text
    assert "clarification asked" in text
    assert "appeal window open" in text
    assert "otto private overdue" not in text
    assert "https://workbench.example/requests/" in text
    assert "https://workbench.example/desk/settings/" in text
    assert "<h2>" in html and "overdue 30 days" in html
    assert "otto private overdue" not in html


def test_an_editors_digest_covers_the_whole_desk(newsroom, editor, today):
    _subject, text, html = services.digest_for(user=editor, today=today)

    assert "OVERDUE: 5" in text
    assert "otto private overdue" in text
    assert "EACH REPORTER'S LOAD" in text
    assert "Each reporter" in html


def test_digests_go_to_everyone_who_has_something_to_read(
    newsroom, reporter, other_reporter, editor, researcher, outsider, today
):
    sent = services.digest_send_all(today=today)

    # Rosa the researcher has no documents yet; Oscar is in no newsroom role;
    # Ada, the administrator, sees the whole desk.
    assert sent == 4
    assert {m.to[0].split("@")[0] for m in mail.outbox} == {
        "rita",
        "otto",
        "ed",
        "ada",
    }
    (rita,) = sent_to("rita")
    assert rita.alternatives[0][1] == "text/html"
    assert rita.from_email == "workbench@localhost"


def test_a_digest_is_not_sent_twice_on_one_day(newsroom, reporter, today):
    services.digest_send_all(today=today)
    services.digest_send_all(today=today)

    assert len(sent_to("rita")) == 1
    assert DigestLog.objects.filter(user=reporter, day=today).count() == 1


def test_the_next_day_brings_the_next_digest(newsroom, reporter, today):
    services.digest_send_all(today=today - timedelta(days=1))
    services.digest_send_all(today=today)

    assert len(sent_to("rita")) == 2


def test_opting_out_stops_the_digest(client, newsroom, reporter, today):
    client.force_login(reporter)
    client.post("/desk/settings/", {"daily_digest_form": "1"})  # box unticked

    services.digest_send_all(today=today)

    assert sent_to("rita") == []
    assert sent_to("ed")
    assert services.wants_digest(reporter) is False


def test_opting_back_in(client, newsroom, reporter, today):
    services.digest_preference_set(user=reporter, daily_digest=False)
    client.force_login(reporter)
    client.post("/desk/settings/", {"daily_digest_form": "1", "daily_digest": "on"})

    services.digest_send_all(today=today)

    assert len(sent_to("rita")) == 1


def test_nothing_to_report_sends_nothing(reporter, department, today):
    file_request(reporter, department, filed_days_ago=1)  # due in 9 days

    assert services.digest_send_all(today=today) == 0
    assert mail.outbox == []


def test_a_failing_mail_server_lets_the_next_run_retry(
    newsroom, reporter, today, settings
):
    settings.EMAIL_BACKEND = "tests.desk.test_digests.RefusingBackend"
    services.digest_send_all(today=today)
    assert not DigestLog.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.digest_send_all(today=today)
    assert len(sent_to("rita")) == 1


class RefusingBackend:
    """A mail server that is down (the network edge)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_the_digest_task_waits_for_the_digest_hour(
    newsroom, reporter, settings, monkeypatch
):
    now = timezone.localtime()
    settings.DIGEST_HOUR = 23
    monkeypatch.setattr(
        timezone, "localtime", lambda *a, **k: now.replace(hour=6, minute=0)
    )
    assert tasks.send_daily_digests() == 0

    settings.DIGEST_HOUR = 6
    assert tasks.send_daily_digests() == 4
    assert tasks.send_daily_digests() == 0


def test_saved_search_matches_are_in_the_digest(researcher, department, editor, today):
    from search import services as search_services
    from search.models import SavedSearchMatch

    request = file_request(editor, department, filed_days_ago=1, visibility="newsroom")
    document = make_document(request)
    page = Page.objects.get(document=document)
    saved = search_services.saved_search_create(
        user=researcher, name="Probe memos", query="probe"
    )
    # The match the search app records when a new page matches (its own tests
    # cover the matching itself).
    SavedSearchMatch.objects.create(saved_search=saved, user=researcher, page=page)

    subject, text, _html = services.digest_for(user=researcher, today=today)

    assert "1 saved-search match" in subject
    assert "Probe memos: Release" in text
    assert services.digest_send_all(today=today) >= 1
    assert sent_to("rosa")


def test_the_digest_schedules_exist():
    from django_q.models import Schedule

    funcs = set(Schedule.objects.values_list("func", flat=True))

    assert {"desk.tasks.send_daily_digests", "desk.tasks.draft_follow_ups"} <= funcs
