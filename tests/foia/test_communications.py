"""Logging communications: what each kind proposes, and what confirming applies."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents.models import Document
from foia import services
from foia.models import Communication, FoiaRequest, Status, Toll
from tests.foia.builders import EXTENDED_DUE, RECEIVED, RESPONSE_DUE, events, log

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture
def acknowledged(file_request, reporter):
    request = file_request()
    log(request, "acknowledgement", date(2025, 3, 5), actor=reporter)
    assert request.status == Status.ACKNOWLEDGED
    return request


def test_acknowledgement_records_its_date_and_status(acknowledged):
    assert acknowledged.acknowledged_on == date(2025, 3, 5)
    assert acknowledged.communications.get().kind == "acknowledgement"


def test_extension_notice_proposal_shows_the_new_due_date_and_changes_nothing(
    acknowledged,
):
    before = acknowledged.events.count()

    proposal = services.communication_proposal(
        request=acknowledged,
        kind="extension_notice",
        direction="in",
        sent_on=date(2025, 3, 20),
    )

    assert proposal.to_status == Status.PROCESSING
    assert proposal.clock == "extend"
    assert (proposal.due_before, proposal.due_after) == (RESPONSE_DUE, EXTENDED_DUE)
    assert "10 working days more (5 U.S.C. 552(a)(6)(B)(i))" in proposal.summary()
    acknowledged.refresh_from_db()
    assert acknowledged.unusual_circumstances is False
    assert acknowledged.events.count() == before


def test_extension_notice_extends_the_due_date_when_confirmed(acknowledged, reporter):
    logged = log(acknowledged, "extension_notice", date(2025, 3, 20), actor=reporter)

    assert logged.applied
    assert acknowledged.status == Status.PROCESSING
    assert acknowledged.unusual_circumstances is True
    assert acknowledged.current_due == EXTENDED_DUE
    moved = events(acknowledged, "deadline")[-1]
    assert "Due now: 2025-03-31 → 2025-04-14" in moved.message
    assert "extension notice of 2025-03-20" in moved.message


def test_clarification_request_tolls_the_clock(acknowledged, reporter):
    log(acknowledged, "clarification", date(2025, 3, 10), actor=reporter)

    assert acknowledged.status == Status.FIX_REQUIRED
    toll = acknowledged.tolls.get()
    assert (toll.kind, toll.asked_on, toll.answered_on) == (
        "information",
        date(2025, 3, 10),
        None,
    )
    assert acknowledged.current_due is None  # stopped: no date while we owe one
    assert not FoiaRequest.objects.overdue().filter(pk=acknowledged.pk).exists()
    assert events(acknowledged, "toll")[-1].to_value == "stopped"


def test_reply_resumes_the_clock_and_returns_to_the_earlier_status(
    acknowledged, reporter
):
    log(acknowledged, "clarification", date(2025, 3, 10), actor=reporter)
    proposal = services.communication_proposal(
        request=acknowledged, kind="reply", direction="out", sent_on=date(2025, 3, 17)
    )
    assert proposal.clock == "resume"
    assert proposal.to_status == Status.ACKNOWLEDGED

    log(acknowledged, "reply", date(2025, 3, 17), actor=reporter)

    # Stopped for the working days in (Mar 10, Mar 17]: 11, 12, 13, 14, 17.
    assert acknowledged.tolls.get().answered_on == date(2025, 3, 17)
    assert acknowledged.status == Status.ACKNOWLEDGED
    assert acknowledged.response_due == date(2025, 4, 7)
    assert acknowledged.extended_due == date(2025, 4, 21)
    assert acknowledged.current_due == date(2025, 4, 7)
    assert events(acknowledged, "toll")[-1].to_value == "running"


def test_reply_dated_before_the_question_is_refused(acknowledged, reporter):
    log(acknowledged, "clarification", date(2025, 3, 10), actor=reporter)

    with pytest.raises(ValidationError) as caught:
        log(acknowledged, "reply", date(2025, 3, 7), actor=reporter)

    assert "cannot be before the agency asked (2025-03-10)" in " ".join(
        caught.value.message_dict["sent_on"]
    )
    # The whole log rolled back: no reply stored, the clock still stopped.
    assert not acknowledged.communications.filter(kind="reply").exists()
    assert acknowledged.tolls.get().answered_on is None


def test_federal_law_allows_one_information_toll(acknowledged, reporter):
    log(acknowledged, "clarification", date(2025, 3, 10), actor=reporter)
    log(acknowledged, "reply", date(2025, 3, 12), actor=reporter)

    proposal = services.communication_proposal(
        request=acknowledged,
        kind="clarification",
        direction="in",
        sent_on=date(2025, 3, 20),
    )
    assert proposal.clock == "none"
    assert "allows that once" in proposal.summary()

    log(acknowledged, "clarification", date(2025, 3, 20), actor=reporter)
    assert acknowledged.tolls.count() == 1
    assert acknowledged.current_due is not None  # the clock kept running
    with pytest.raises(ValidationError) as caught:
        services.toll_start(
            actor=reporter,
            request=acknowledged,
            kind="information",
            asked_on=date(2025, 3, 21),
        )
    assert "allows that once" in caught.value.message_dict["kind"][0]


def test_fee_letter_tolls_and_a_payment_resumes(acknowledged, reporter):
    log(
        acknowledged,
        "fee_letter",
        date(2025, 3, 10),
        actor=reporter,
        fee_amount="240.00",
    )
    assert acknowledged.status == Status.PAYMENT_REQUIRED
    assert acknowledged.tolls.get().kind == "fee"
    assert acknowledged.fees.get().kind == "estimate"

    services.fee_record(
        actor=reporter,
        request=acknowledged,
        kind="payment",
        amount="240.00",
        on=date(2025, 3, 17),
    )

    acknowledged.refresh_from_db()
    assert acknowledged.status == Status.ACKNOWLEDGED
    assert acknowledged.tolls.get().answered_on == date(2025, 3, 17)
    assert acknowledged.current_due == date(2025, 4, 7)


def test_final_response_closes_the_request(acknowledged, reporter):
    logged = log(acknowledged, "final_response", date(2025, 3, 28), actor=reporter)

    assert logged.proposal.clock == "stop"
    assert acknowledged.status == Status.DONE
    assert acknowledged.determined_on == date(2025, 3, 28)
    assert acknowledged.appeal_filing_due is None
    assert not FoiaRequest.objects.open().filter(pk=acknowledged.pk).exists()


def test_final_response_with_withholdings_can_be_a_partial_denial(
    acknowledged, reporter
):
    proposal = services.communication_proposal(
        request=acknowledged,
        kind="final_response",
        direction="in",
        sent_on=date(2025, 4, 1),
    )
    assert Status.PARTIALLY_DENIED in proposal.status_choices

    log(
        acknowledged,
        "final_response",
        date(2025, 4, 1),
        actor=reporter,
        to_status=Status.PARTIALLY_DENIED,
    )

    assert acknowledged.status == Status.PARTIALLY_DENIED
    assert acknowledged.adverse_on == date(2025, 4, 1)
    assert acknowledged.appeal_filing_due == date(2025, 6, 30)


def test_denial_opens_the_appeal_window(acknowledged, reporter):
    log(acknowledged, "denial", date(2025, 4, 1), actor=reporter)

    assert acknowledged.status == Status.DENIED
    assert acknowledged.appeal_filing_due == date(2025, 6, 30)
    assert "Appeal filing due: none → 2025-06-30" in (
        events(acknowledged, "deadline")[-1].message
    )


def test_interim_release_marks_partial_release(acknowledged, reporter):
    log(acknowledged, "interim_release", date(2025, 3, 20), actor=reporter)
    assert acknowledged.status == Status.PARTIALLY_RELEASED


def test_logging_without_confirming_changes_nothing_but_the_log(acknowledged, reporter):
    logged = log(
        acknowledged, "denial", date(2025, 4, 1), actor=reporter, confirm=False
    )

    assert not logged.applied
    assert logged.proposal.to_status == Status.DENIED
    acknowledged.refresh_from_db()
    assert acknowledged.status == Status.ACKNOWLEDGED
    assert acknowledged.adverse_on is None
    event = events(acknowledged, "communication")[-1]
    assert event.data == {"communication": logged.communication.pk, "applied": False}


def test_logging_the_request_itself_submits_a_draft(file_request, reporter):
    draft = file_request(filed_on=None)

    log(draft, "request", RECEIVED, actor=reporter, channel="portal")

    assert draft.status == Status.SUBMITTED
    assert draft.filed_on == draft.received_on == RECEIVED
    assert draft.response_due == RESPONSE_DUE


def test_new_york_clock_restarts_at_the_acknowledgement(file_request, nypd, reporter):
    request = file_request(agency=nypd)
    # Before it: counted from the last day to acknowledge (five business days,
    # 2025-03-10), then 20 business days: 2025-04-07.
    assert request.response_due == date(2025, 4, 7)

    logged = log(request, "acknowledgement", date(2025, 3, 5), actor=reporter)

    assert logged.proposal.clock == "acknowledge"
    assert "N.Y. Pub. Off. Law 89(3)(a)" in logged.proposal.summary()
    assert request.response_due == date(2025, 4, 2)


def test_extension_is_refused_where_the_law_sets_none(file_request, nypd, reporter):
    request = file_request(agency=nypd)

    logged = log(request, "extension_notice", date(2025, 3, 6), actor=reporter)

    assert logged.proposal.clock == "none"
    assert "sets no extension period" in logged.proposal.summary()
    assert request.unusual_circumstances is False


@pytest.mark.parametrize(
    ("kind", "direction", "words"),
    [
        ("acknowledgement", "out", "comes from the agency"),
        ("reply", "in", "goes to the agency"),
    ],
)
def test_a_communication_in_the_wrong_direction_is_refused(
    acknowledged, reporter, kind, direction, words
):
    with pytest.raises(ValidationError) as caught:
        services.communication_log(
            actor=reporter,
            request=acknowledged,
            direction=direction,
            channel="email",
            kind=kind,
            sent_on=date(2025, 3, 20),
        )
    assert words in caught.value.message_dict["direction"][0]


@pytest.mark.parametrize(
    ("sent_on", "words"),
    [
        (timezone.localdate() + timedelta(days=1), "is in the future"),
        (date(2025, 2, 1), "before the request was filed (2025-03-03)"),
    ],
)
def test_communication_dates_must_make_sense(acknowledged, reporter, sent_on, words):
    with pytest.raises(ValidationError) as caught:
        log(acknowledged, "denial", sent_on, actor=reporter)
    assert words in caught.value.message_dict["sent_on"][0]
    assert acknowledged.communications.count() == 1


def test_attachments_become_documents_of_the_request_and_the_communication(
    acknowledged, reporter
):
    pdf = SimpleUploadedFile(
        "release-1.pdf", (SAMPLES / "trivial.pdf").read_bytes(), "application/pdf"
    )

    logged = log(
        acknowledged,
        "interim_release",
        date(2025, 3, 20),
        actor=reporter,
        attachments=[pdf],
    )

    document = Document.objects.get()
    assert logged.documents == (document,)
    assert document.request == acknowledged
    assert document.communication == logged.communication
    assert document.original_name == "release-1.pdf"
    assert list(acknowledged.documents.all()) == [document]


def test_an_attachment_that_is_not_a_document_fails_the_whole_log(
    acknowledged, reporter
):
    junk = SimpleUploadedFile("notes.txt", b"just some text\n", "text/plain")

    with pytest.raises(ValidationError) as caught:
        log(
            acknowledged,
            "interim_release",
            date(2025, 3, 20),
            actor=reporter,
            attachments=[junk],
        )

    assert "notes.txt" in caught.value.message_dict["attachments"][0]
    assert not Communication.objects.filter(kind="interim_release").exists()
    assert acknowledged.status == Status.ACKNOWLEDGED
    assert not Document.objects.exists()


def test_tolls_need_a_received_request(file_request, reporter):
    draft = file_request(filed_on=None)
    with pytest.raises(ValidationError) as caught:
        services.toll_start(
            actor=reporter, request=draft, kind="fee", asked_on=date(2025, 3, 3)
        )
    assert "has not started" in caught.value.message_dict["asked_on"][0]
    assert not Toll.objects.exists()


def test_a_message_that_does_not_fit_the_status_changes_nothing(file_request, reporter):
    request = file_request()
    services.request_transition(
        actor=reporter, request=request, to=Status.WITHDRAWN, on=date(2025, 3, 5)
    )

    logged = log(request, "denial", date(2025, 3, 20), actor=reporter)

    assert "cannot become Denied" in logged.proposal.problems[0]
    request.refresh_from_db()
    assert request.status == Status.WITHDRAWN
    assert request.adverse_on is None and request.appeal_filing_due is None
    assert request.communications.get().kind == "denial"  # still on the record
