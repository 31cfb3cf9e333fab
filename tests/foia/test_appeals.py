"""Appeals: from an adverse determination or a missed deadline, with their clocks,
outcomes, and the plain notice that the requester may go to court."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from foia import selectors, services
from foia.models import AppealOutcome, Status
from tests.foia.builders import RESPONSE_DUE, events, log

pytestmark = pytest.mark.django_db


@pytest.fixture
def denied(file_request, reporter):
    request = file_request()
    log(request, "denial", date(2025, 4, 1), actor=reporter)
    return request


def test_appeal_of_a_denial_gets_its_decision_deadlines(denied, reporter):
    appeal = services.appeal_file(
        actor=reporter,
        request=denied,
        basis="adverse",
        filed_on=date(2025, 4, 4),
        received_on=date(2025, 4, 7),
        contested_exemptions=["(b)(6)", "b7C", "Exemption 6"],
        grounds="Segregable portions were withheld.",
        tracking_number="2025-APP-1",
    )

    # 20 working days from Monday 2025-04-07: 2025-05-05; 10 more: 2025-05-19.
    assert appeal.decision_due == date(2025, 5, 5)
    assert appeal.decision_extended_due == date(2025, 5, 19)
    assert appeal.contested_exemptions == ["b6", "b7c"]
    assert appeal.from_status == Status.DENIED
    assert denied.status == Status.APPEALING
    event = events(denied, "appeal")[-1]
    assert "(b)(7)(C), law enforcement: personal privacy" in event.message
    assert "decision due 2025-05-05" in event.message


def test_appeal_clock_counts_from_filing_when_receipt_is_unknown(denied, reporter):
    appeal = services.appeal_file(
        actor=reporter, request=denied, basis="adverse", filed_on=date(2025, 4, 7)
    )
    assert appeal.decision_due == date(2025, 5, 5)


def test_a_late_appeal_is_recorded_with_a_warning(denied, reporter):
    late = denied.appeal_filing_due + timedelta(days=3)

    services.appeal_file(actor=reporter, request=denied, basis="adverse", filed_on=late)

    assert "filed 3 days after the window closed on 2025-06-30" in (
        events(denied, "appeal")[-1].message
    )


def test_appeal_deadlines_are_on_the_deadlines_panel_from_the_moment_they_exist(
    denied, reporter
):
    keys = [row.key for row in selectors.deadline_panel(request=denied)]
    assert "appeal_filing_due" in keys and "appeal_decision_due" not in keys

    services.appeal_file(
        actor=reporter, request=denied, basis="adverse", filed_on=date(2025, 4, 7)
    )

    rows = {row.key: row for row in selectors.deadline_panel(request=denied)}
    assert rows["appeal_decision_due"].due == date(2025, 5, 5)
    assert rows["appeal_filing_due"].countdown == "appeal filed 2025-04-07"


@pytest.mark.parametrize(
    ("exemption", "words"),
    [("(b)(10)", "is not a FOIA exemption"), ("b7q", "is not a FOIA exemption")],
)
def test_unknown_exemptions_are_refused(denied, reporter, exemption, words):
    with pytest.raises(ValidationError) as caught:
        services.appeal_file(
            actor=reporter,
            request=denied,
            basis="adverse",
            filed_on=date(2025, 4, 7),
            contested_exemptions=[exemption],
        )
    assert words in caught.value.message_dict["contested_exemptions"][0]
    assert denied.status == Status.DENIED


def test_nothing_to_appeal_while_the_agency_is_still_within_its_time(
    file_request, reporter
):
    request = file_request(filed_on=timezone.localdate())

    with pytest.raises(ValidationError) as adverse:
        services.appeal_file(
            actor=reporter,
            request=request,
            basis="adverse",
            filed_on=timezone.localdate(),
        )
    assert "Only an adverse determination" in adverse.value.message_dict["basis"][0]
    with pytest.raises(ValidationError) as constructive:
        services.appeal_file(
            actor=reporter,
            request=request,
            basis="constructive",
            filed_on=timezone.localdate(),
        )
    assert "has not passed" in constructive.value.message_dict["basis"][0]


def test_appeal_cannot_predate_the_determination(denied, reporter):
    with pytest.raises(ValidationError) as caught:
        services.appeal_file(
            actor=reporter, request=denied, basis="adverse", filed_on=date(2025, 3, 30)
        )
    assert (
        "before the determination it appeals (2025-04-01)"
        in (caught.value.message_dict["filed_on"][0])
    )


def test_a_second_appeal_waits_for_the_first(denied, reporter):
    services.appeal_file(
        actor=reporter, request=denied, basis="adverse", filed_on=date(2025, 4, 7)
    )
    services.request_transition(actor=reporter, request=denied, to=Status.CLOSED)
    with pytest.raises(ValidationError) as caught:
        services.appeal_file(
            actor=reporter, request=denied, basis="adverse", filed_on=date(2025, 4, 9)
        )
    assert "still pending" in caught.value.message_dict["basis"][0]


# --- Constructive denial and the court ---------------------------------------------


def test_missed_deadline_says_the_requester_may_go_to_court(file_request):
    request = file_request()  # due 2025-03-31, long past, no determination

    assert request.may_go_to_court
    reasons = selectors.court_notice(request=request)
    assert reasons[0].startswith("The agency missed its deadline of March 31, 2025")
    assert "5 U.S.C. 552(a)(6)(C)(i)" in reasons[0]


def test_no_court_notice_while_the_clock_is_stopped_or_after_an_answer(
    file_request, reporter
):
    stopped = file_request(title="stopped")
    log(stopped, "clarification", date(2025, 3, 10), actor=reporter)
    answered = file_request(title="answered")
    log(answered, "final_response", date(2025, 4, 20), actor=reporter)

    assert selectors.court_notice(request=stopped) == []
    assert selectors.court_notice(request=answered) == []


def test_constructive_denial_appeal(file_request, reporter):
    request = file_request()

    appeal = services.appeal_file(
        actor=reporter, request=request, basis="constructive", filed_on=date(2025, 4, 7)
    )

    assert appeal.basis == "constructive"
    assert appeal.from_status == Status.SUBMITTED
    assert request.status == Status.APPEALING
    assert appeal.decision_due == date(2025, 5, 5)


def test_constructive_appeal_must_come_after_the_missed_deadline(
    file_request, reporter
):
    request = file_request()
    with pytest.raises(ValidationError) as caught:
        services.appeal_file(
            actor=reporter, request=request, basis="constructive", filed_on=RESPONSE_DUE
        )
    assert (
        "not after the missed deadline (2025-03-31)"
        in (caught.value.message_dict["filed_on"][0])
    )


def test_overdue_appeal_decision_opens_the_court(denied, reporter):
    services.appeal_file(
        actor=reporter, request=denied, basis="adverse", filed_on=date(2025, 4, 7)
    )
    appeal = denied.appeals.get()

    assert appeal.is_overdue
    assert "The appeal decision was due May 5, 2025 and has not come." in (
        selectors.court_notice(request=denied)
    )


# --- Outcomes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (AppealOutcome.GRANTED, Status.PROCESSING),
        (AppealOutcome.PARTLY_GRANTED, Status.PROCESSING),
        (AppealOutcome.REMANDED, Status.PROCESSING),
        (AppealOutcome.DENIED, Status.DENIED),
        (AppealOutcome.WITHDRAWN, Status.DENIED),
    ],
)
def test_appeal_outcome_moves_the_request(denied, reporter, outcome, status):
    appeal = services.appeal_file(
        actor=reporter, request=denied, basis="adverse", filed_on=date(2025, 4, 7)
    )

    services.appeal_decide(
        actor=reporter, appeal=appeal, outcome=outcome, decided_on=date(2025, 4, 30)
    )

    denied.refresh_from_db()
    assert denied.status == status
    assert appeal.outcome == outcome and appeal.decided_on == date(2025, 4, 30)
    decided = events(denied, "appeal")[-1]
    assert (decided.from_value, decided.to_value) == ("pending", outcome)


def test_denied_appeal_says_court_is_next(denied, reporter):
    appeal = services.appeal_file(
        actor=reporter, request=denied, basis="adverse", filed_on=date(2025, 4, 7)
    )
    services.appeal_decide(
        actor=reporter,
        appeal=appeal,
        outcome=AppealOutcome.DENIED,
        decided_on=date(2025, 4, 30),
    )

    assert "you may now go to court" in events(denied, "appeal")[-1].message
    assert "The appeal was denied on April 30, 2025." in selectors.court_notice(
        request=denied
    )


def test_an_appeal_is_decided_once_and_not_before_it_was_filed(denied, reporter):
    appeal = services.appeal_file(
        actor=reporter, request=denied, basis="adverse", filed_on=date(2025, 4, 7)
    )
    with pytest.raises(ValidationError) as early:
        services.appeal_decide(
            actor=reporter,
            appeal=appeal,
            outcome=AppealOutcome.GRANTED,
            decided_on=date(2025, 4, 6),
        )
    assert (
        "before the appeal was filed (2025-04-07)"
        in (early.value.message_dict["decided_on"][0])
    )
    services.appeal_decide(
        actor=reporter,
        appeal=appeal,
        outcome=AppealOutcome.GRANTED,
        decided_on=date(2025, 4, 8),
    )
    with pytest.raises(ValidationError, match="already decided"):
        services.appeal_decide(
            actor=reporter,
            appeal=appeal,
            outcome=AppealOutcome.DENIED,
            decided_on=date(2025, 4, 9),
        )


def test_appeal_and_its_decision_can_be_logged_as_communications(denied, reporter):
    filed = log(denied, "appeal", date(2025, 4, 7), actor=reporter)
    assert filed.proposal.appeal_basis == "adverse"
    assert denied.status == Status.APPEALING

    log(
        denied,
        "appeal_decision",
        date(2025, 4, 28),
        actor=reporter,
        appeal_outcome=AppealOutcome.REMANDED,
    )

    assert denied.appeals.get().outcome == AppealOutcome.REMANDED
    assert denied.status == Status.PROCESSING


def test_appeal_decision_without_an_outcome_is_refused(denied, reporter):
    log(denied, "appeal", date(2025, 4, 7), actor=reporter)
    with pytest.raises(ValidationError) as caught:
        log(denied, "appeal_decision", date(2025, 4, 28), actor=reporter)
    assert "appeal_outcome" in caught.value.message_dict
    assert denied.appeals.get().is_pending


def test_extended_appeal_uses_the_extended_date(denied, reporter):
    appeal = services.appeal_file(
        actor=reporter, request=denied, basis="adverse", filed_on=date(2025, 4, 7)
    )
    services.appeal_extend(actor=reporter, appeal=appeal, on=date(2025, 4, 20))
    assert appeal.current_decision_due == date(2025, 5, 19)


def test_state_appeals_keep_the_state_law_citations(file_request, nypd, reporter):
    request = file_request(agency=nypd)
    log(request, "acknowledgement", date(2025, 3, 5), actor=reporter)
    log(request, "denial", date(2025, 3, 20), actor=reporter)

    appeal = services.appeal_file(
        actor=reporter,
        request=request,
        basis="adverse",
        filed_on=date(2025, 3, 24),
        contested_exemptions=["Pub. Off. Law 87(2)(b)"],
    )

    # New York: 30 days to appeal, 10 business days to decide.
    assert request.appeal_filing_due == date(2025, 4, 21)  # Apr 19 is a Saturday
    assert appeal.decision_due == date(2025, 4, 7)
    assert appeal.contested_exemptions == ["Pub. Off. Law 87(2)(b)"]


def test_expedite_decision_is_counted_down_only_while_the_agency_owes_one(
    file_request, reporter
):
    request = file_request(expedited="requested")
    rows = {row.key: row for row in selectors.deadline_panel(request=request)}
    assert rows["expedite_decision_due"].state == "overdue"  # 2025-03-13, missed

    log(request, "final_response", date(2025, 3, 20), actor=reporter)

    rows = {row.key: row for row in selectors.deadline_panel(request=request)}
    assert rows["expedite_decision_due"].countdown == ""
    assert rows["expedite_decision_due"].state == "muted"
    assert rows["response_due"].countdown == "met: answered 2025-03-20"
