"""The status lifecycle: every allowed change works and leaves an event; every other
change is refused with a message that says what can follow."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from foia import services
from foia.models import Status
from tests.foia.builders import RECEIVED, events

pytestmark = pytest.mark.django_db

ON = date(2025, 3, 20)
S = Status


def bring_to(status: str, *, file_request, actor):
    """A request in ``status``, reached through the services as a reporter would."""
    if status == S.DRAFT:
        return file_request(filed_on=None)
    request = file_request()
    path = {
        S.SUBMITTED: [],
        S.ACKNOWLEDGED: [S.ACKNOWLEDGED],
        S.PROCESSING: [S.PROCESSING],
        S.FIX_REQUIRED: [S.PROCESSING, S.FIX_REQUIRED],
        S.PAYMENT_REQUIRED: [S.PROCESSING, S.PAYMENT_REQUIRED],
        S.PARTIALLY_RELEASED: [S.PARTIALLY_RELEASED],
        S.DONE: [S.DONE],
        S.PARTIALLY_DENIED: [S.PARTIALLY_DENIED],
        S.DENIED: [S.DENIED],
        S.NO_RECORDS: [S.NO_RECORDS],
        S.WITHDRAWN: [S.WITHDRAWN],
        S.REFERRED: [S.REFERRED],
        S.APPEALING: [S.DENIED],
        S.IN_LITIGATION: [S.DENIED, S.IN_LITIGATION],
        S.CLOSED: [S.DENIED, S.CLOSED],
    }[status]
    for step in path:
        services.request_transition(actor=actor, request=request, to=step, on=ON)
    if status == S.APPEALING:
        services.appeal_file(
            actor=actor, request=request, basis="adverse", filed_on=date(2025, 3, 25)
        )
    assert request.status == status
    return request


ALLOWED = sorted(
    (origin, target)
    for origin, targets in services.TRANSITIONS.items()
    for target in targets
    if target != S.APPEALING
)
REFUSED = sorted(
    (origin, target)
    for origin in S.values
    for target in S.values
    if target not in services.TRANSITIONS[origin] and target != origin
)


def test_the_table_covers_every_status():
    assert set(services.TRANSITIONS) == set(S.values)
    assert services.TRANSITIONS[S.WITHDRAWN] == frozenset()
    # Appealing is reachable from an adverse determination and a missed deadline.
    for origin in (S.DENIED, S.PARTIALLY_DENIED, S.NO_RECORDS, S.PROCESSING):
        assert S.APPEALING in services.TRANSITIONS[origin]


@pytest.mark.parametrize(("origin", "target"), ALLOWED)
def test_allowed_transition_changes_status_and_leaves_an_event(
    origin, target, file_request, reporter
):
    request = bring_to(origin, file_request=file_request, actor=reporter)

    services.request_transition(
        actor=reporter, request=request, to=target, on=date(2025, 3, 28), reason="why"
    )

    request.refresh_from_db()
    assert request.status == target
    event = events(request, "status")[-1]
    assert (event.from_value, event.to_value) == (origin, target)
    assert event.actor == reporter
    assert event.message.endswith(": why")
    assert event.data["on"] == "2025-03-28"


@pytest.mark.parametrize(("origin", "target"), REFUSED)
def test_refused_transition_names_what_can_follow(
    origin, target, file_request, reporter
):
    request = bring_to(origin, file_request=file_request, actor=reporter)
    before = request.events.count()

    with pytest.raises(services.InvalidTransition) as caught:
        services.request_transition(actor=reporter, request=request, to=target)

    message = caught.value.messages[0]
    request.refresh_from_db()
    assert request.status == origin
    assert request.events.count() == before
    if target == S.APPEALING:
        assert "file an appeal" in message
    else:
        assert f"cannot become {S(target).label}" in message
        for allowed in services.allowed_transitions(origin):
            assert S(allowed).label in message


def test_the_same_status_again_is_refused(file_request, reporter):
    request = file_request()
    with pytest.raises(services.InvalidTransition, match="already Submitted"):
        services.request_transition(actor=reporter, request=request, to=S.SUBMITTED)


def test_withdrawn_is_final(file_request, reporter):
    request = bring_to(S.WITHDRAWN, file_request=file_request, actor=reporter)
    with pytest.raises(services.InvalidTransition, match="is final"):
        services.request_transition(actor=reporter, request=request, to=S.PROCESSING)


def test_submitting_a_draft_sets_the_filing_and_receipt_dates(file_request, reporter):
    request = file_request(filed_on=None)

    services.request_transition(
        actor=reporter, request=request, to=S.SUBMITTED, on=RECEIVED
    )

    assert request.filed_on == RECEIVED == request.received_on
    assert request.response_due == date(2025, 3, 31)


def test_an_adverse_determination_opens_the_appeal_window(file_request, reporter):
    request = file_request()

    services.request_transition(
        actor=reporter, request=request, to=S.PARTIALLY_DENIED, on=date(2025, 4, 1)
    )

    assert request.determined_on == request.adverse_on == date(2025, 4, 1)
    assert request.appeal_filing_due == date(2025, 6, 30)  # 90 calendar days


def test_a_full_grant_opens_no_appeal_window(file_request, reporter):
    request = file_request()
    services.request_transition(
        actor=reporter, request=request, to=S.DONE, on=date(2025, 3, 20)
    )
    assert request.determined_on == date(2025, 3, 20)
    assert request.adverse_on is None and request.appeal_filing_due is None


@pytest.mark.parametrize(
    ("on", "words"),
    [
        (date(2025, 3, 1), "before the request was filed (2025-03-03)"),
        (timezone.localdate() + timedelta(days=2), "is in the future"),
    ],
)
def test_transition_dates_must_make_sense(file_request, reporter, on, words):
    request = file_request()
    with pytest.raises(ValidationError) as caught:
        services.request_transition(actor=reporter, request=request, to=S.DENIED, on=on)
    assert words in caught.value.message_dict["on"][0]


def test_researcher_cannot_change_status(file_request, researcher):
    request = file_request(visibility="newsroom")
    with pytest.raises(PermissionDenied):
        services.request_transition(actor=researcher, request=request, to=S.WITHDRAWN)
