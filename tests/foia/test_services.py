"""Filing and editing requests: dates, deadlines, permissions and the timeline."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from foia import permissions, services
from foia.models import Agency, Status, Visibility
from tests.foia.builders import EXTENDED_DUE, RECEIVED, RESPONSE_DUE, events

pytestmark = pytest.mark.django_db


def test_filing_computes_the_federal_deadlines_from_receipt(file_request):
    request = file_request(expedited="requested")

    assert request.status == Status.SUBMITTED
    assert request.received_on == RECEIVED  # electronic filing: same day
    assert request.response_due == RESPONSE_DUE
    assert request.extended_due == EXTENDED_DUE
    assert request.current_due == RESPONSE_DUE
    assert request.expedite_decision_due == date(2025, 3, 13)  # 10 calendar days


def test_filing_leaves_a_created_event_and_a_deadline_event(file_request, reporter):
    request = file_request(tracking_number="2025-ICFO-00042")

    kinds = [event.kind for event in events(request)]
    assert kinds == ["created", "tracking", "deadline"]
    created = events(request, "created")[0]
    assert created.actor == reporter
    assert created.to_value == Status.SUBMITTED
    deadline = events(request, "deadline")[0]
    assert deadline.to_value == "2025-03-31"
    assert deadline.data["changes"]["response_due"] == ["none", "2025-03-31"]
    assert request.tracking_numbers.get().number == "2025-ICFO-00042"


def test_a_request_without_a_filing_date_is_a_draft_without_deadlines(file_request):
    request = file_request(filed_on=None)

    assert request.status == Status.DRAFT
    assert request.response_due is None and request.current_due is None
    assert [event.kind for event in events(request)] == ["created"]


def test_acknowledged_on_filing_starts_acknowledged(file_request):
    request = file_request(acknowledged_on=date(2025, 3, 5))
    assert request.status == Status.ACKNOWLEDGED


def test_mailed_request_counts_from_its_receipt(file_request):
    request = file_request(filed_on=date(2025, 2, 24), received_on=RECEIVED)
    assert request.response_due == RESPONSE_DUE


def test_misdirected_request_starts_no_later_than_ten_working_days_after_first_receipt(
    file_request,
):
    # First received by another component on 2025-02-03; the clock starts at the
    # latest ten working days later (2025-02-18, after Washington's Birthday on the
    # 17th), not at the proper component's receipt on 2025-03-03.
    request = file_request(
        filed_on=date(2025, 2, 3),
        first_received_on=date(2025, 2, 3),
        received_on=RECEIVED,
    )
    # 20 working days after 2025-02-18: 2025-03-18.
    assert request.response_due == date(2025, 3, 18)


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        (
            {"filed_on": date(2025, 3, 10), "received_on": date(2025, 3, 3)},
            "received_on",
            "Received (2025-03-03) cannot be before filed (2025-03-10)",
        ),
        (
            {"acknowledged_on": date(2025, 2, 28)},
            "acknowledged_on",
            "Acknowledged (2025-02-28) cannot be before received (2025-03-03)",
        ),
        (
            {"first_received_on": date(2025, 3, 4)},
            "first_received_on",
            "cannot be after received",
        ),
        ({"title": "   "}, "title", "needs a title"),
        ({"fee_category": "pirate"}, "fee_category", "'pirate' is not one of"),
    ],
)
def test_impossible_dates_are_refused_naming_the_field(
    file_request, values, field, words
):
    with pytest.raises(ValidationError) as caught:
        file_request(**values)
    assert field in caught.value.message_dict
    assert words in " ".join(caught.value.message_dict[field])


def test_a_filing_date_in_the_future_is_refused(file_request):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        file_request(filed_on=tomorrow)
    assert "is in the future" in caught.value.message_dict["filed_on"][0]


def test_researchers_and_outsiders_file_nothing(file_request, researcher, outsider):
    for person in (researcher, outsider):
        with pytest.raises(PermissionDenied):
            file_request(actor=person)


def test_only_editors_file_for_someone_else(
    file_request, reporter, other_reporter, editor
):
    with pytest.raises(ValidationError) as caught:
        file_request(actor=reporter, requester=other_reporter)
    assert "requester" in caught.value.message_dict

    request = file_request(actor=editor, requester=other_reporter)
    assert request.requester == other_reporter


def test_tags_are_shared_case_insensitively_and_collaborators_skip_the_requester(
    file_request, reporter, other_reporter
):
    first = file_request(tags=["ICE", "databases"], collaborators=[reporter])
    second = file_request(
        tags=["ice", " ", "misconduct"], collaborators=[other_reporter]
    )

    assert sorted(t.name for t in first.tags.all()) == ["ICE", "databases"]
    assert sorted(t.name for t in second.tags.all()) == ["ICE", "misconduct"]
    assert list(first.collaborators.all()) == []
    assert list(second.collaborators.all()) == [other_reporter]


# --- Who may see and change a request ----------------------------------------------


def test_private_request_is_hidden_from_other_reporters_and_outsiders(
    file_request, reporter, other_reporter, outsider, editor, researcher
):
    request = file_request(visibility=Visibility.PRIVATE)

    for person in (other_reporter, outsider, researcher):
        with pytest.raises(Http404):
            permissions.check_can_view(person, request)
        with pytest.raises(Http404):  # 404, not 403: its existence does not leak
            permissions.check_can_edit(person, request)
    permissions.check_can_edit(reporter, request)
    permissions.check_can_edit(editor, request)


def test_newsroom_request_is_seen_but_not_changed_by_colleagues(
    file_request, other_reporter, researcher, outsider
):
    request = file_request(visibility=Visibility.NEWSROOM)

    for person in (other_reporter, researcher):
        permissions.check_can_view(person, request)
        with pytest.raises(PermissionDenied):
            permissions.check_can_edit(person, request)
    with pytest.raises(Http404):
        permissions.check_can_view(outsider, request)


def test_collaborators_manage_the_requests_they_share(file_request, other_reporter):
    request = file_request(collaborators=[other_reporter])

    services.request_transition(
        actor=other_reporter, request=request, to=Status.ACKNOWLEDGED
    )
    assert request.status == Status.ACKNOWLEDGED


# --- Editing -----------------------------------------------------------------------


def test_editing_a_receipt_date_recomputes_and_records_both_changes(
    file_request, reporter
):
    request = file_request(filed_on=date(2025, 2, 28), received_on=date(2025, 2, 28))

    services.request_update(actor=reporter, request=request, received_on=RECEIVED)

    assert request.response_due == RESPONSE_DUE
    edit = events(request, "edit")[-1]
    assert "2025-02-28 → 2025-03-03" in edit.message
    assert edit.data["fields"] == ["received_on"]
    moved = events(request, "deadline")[-1]
    assert moved.data["reason"] == "details edited"
    assert moved.data["changes"]["response_due"][1] == "2025-03-31"


def test_editing_nothing_writes_nothing(file_request, reporter):
    request = file_request(title="Same")
    before = request.events.count()

    services.request_update(actor=reporter, request=request, title="Same")

    assert request.events.count() == before


def test_editing_refuses_an_acknowledgement_before_receipt(file_request, reporter):
    request = file_request()
    with pytest.raises(ValidationError) as caught:
        services.request_update(
            actor=reporter, request=request, acknowledged_on=date(2025, 3, 1)
        )
    assert "acknowledged_on" in caught.value.message_dict
    request.refresh_from_db()
    assert request.acknowledged_on is None


def test_other_reporters_cannot_edit(file_request, other_reporter):
    request = file_request(visibility=Visibility.NEWSROOM)
    with pytest.raises(PermissionDenied):
        services.request_update(actor=other_reporter, request=request, title="Mine")


def test_moving_a_request_to_another_law_recomputes_its_clock(
    file_request, reporter, ca_doj
):
    request = file_request()

    services.request_update(actor=reporter, request=request, agency=ca_doj)

    # California: 10 calendar days, rolled forward: Thursday 2025-03-13.
    assert request.response_due == date(2025, 3, 13)


# --- Tracking numbers, fees, referrals ---------------------------------------------


def test_a_new_tracking_number_keeps_the_old_one_as_history(file_request, reporter):
    request = file_request(tracking_number="2025-ICFO-00001")

    services.tracking_number_add(
        actor=reporter,
        request=request,
        number="2025-ICFO-00777",
        assigned_on=date(2025, 3, 20),
        note="re-numbered after consolidation",
    )

    numbers = {t.number: t.is_current for t in request.tracking_numbers.all()}
    assert numbers == {"2025-ICFO-00001": False, "2025-ICFO-00777": True}
    event = events(request, "tracking")[-1]
    assert event.from_value == "2025-ICFO-00001"
    assert event.to_value == "2025-ICFO-00777"


def test_fee_estimate_above_the_agreed_limit_is_flagged(file_request, reporter):
    request = file_request(fee_limit=Decimal("25.00"))

    fee = services.fee_record(
        actor=reporter,
        request=request,
        kind="estimate",
        amount="120.50",
        on=date(2025, 3, 10),
    )

    assert fee.amount == Decimal("120.50")
    assert "above the agreed limit of $25.00" in events(request, "fee")[-1].message


@pytest.mark.parametrize("amount", ["-5", "0", "abc", "1.234"])
def test_fee_amounts_must_be_dollars_and_cents(file_request, reporter, amount):
    request = file_request()
    with pytest.raises(ValidationError) as caught:
        services.fee_record(
            actor=reporter,
            request=request,
            kind="payment",
            amount=amount,
            on=date(2025, 3, 10),
        )
    assert "amount" in caught.value.message_dict


def test_whole_referral_creates_a_child_with_its_own_clock(file_request, reporter, cbp):
    request = file_request()

    child = services.request_refer(
        actor=reporter,
        request=request,
        agency=cbp,
        on=date(2025, 3, 10),
        tracking_number="CBP-2025-1",
    )

    assert request.status == Status.REFERRED
    assert child.parent == request and child.parent_relation == "referral"
    assert child.agency == cbp and child.status == Status.SUBMITTED
    # 20 working days from Monday 2025-03-10: Monday 2025-04-07.
    assert child.response_due == date(2025, 4, 7)
    assert "Referred to CBP" in events(request, "status")[-1].message
    assert child.tracking_numbers.get().number == "CBP-2025-1"


def test_split_keeps_the_original_running(file_request, reporter):
    request = file_request()

    child = services.request_split(
        actor=reporter,
        request=request,
        title="ERO detention records",
        on=date(2025, 3, 12),
    )

    assert request.status == Status.SUBMITTED
    assert child.parent_relation == "split" and child.agency == request.agency
    assert f"Split into #{child.pk}" in events(request, "edit")[-1].message


def test_referral_before_receipt_is_refused(file_request, reporter, cbp):
    request = file_request()
    with pytest.raises(ValidationError) as caught:
        services.request_refer(
            actor=reporter, request=request, agency=cbp, on=date(2025, 3, 1)
        )
    assert "before the request was received" in caught.value.message_dict["on"][0]


# --- Recomputing -------------------------------------------------------------------


def test_recompute_writes_nothing_when_no_date_moves(file_request):
    request = file_request()
    before = request.events.count()

    changes = services.request_recompute_deadlines(request=request)

    assert changes == {}
    assert request.events.count() == before


def test_recompute_records_what_moved_when_the_law_changes(file_request):
    request = file_request()
    jurisdiction = request.agency.jurisdiction
    jurisdiction.response_days = 25
    jurisdiction.save()

    changes = services.request_recompute_deadlines(request=request, reason="test")

    # Five more working days after 2025-03-31.
    assert changes["response_due"] == (RESPONSE_DUE, date(2025, 4, 7))
    event = events(request, "deadline")[-1]
    assert "Response due: 2025-03-31 → 2025-04-07" in event.message
    assert event.from_value == "2025-03-31" and event.to_value == "2025-04-07"


def test_jurisdiction_change_recomputes_only_open_requests(file_request, reporter):
    open_request = file_request(title="open")
    done = file_request(title="done")
    services.request_transition(
        actor=reporter, request=done, to=Status.DONE, on=date(2025, 3, 20)
    )
    jurisdiction = Agency.objects.get(slug="ice").jurisdiction
    jurisdiction.response_days = 21
    jurisdiction.save()

    moved = services.jurisdiction_rules_changed(jurisdiction=jurisdiction)

    assert moved == 1
    open_request.refresh_from_db()
    done.refresh_from_db()
    assert open_request.response_due == date(2025, 4, 1)
    assert done.response_due == RESPONSE_DUE
