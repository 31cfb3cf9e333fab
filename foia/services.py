"""Every write to requests, their communications, appeals, tolls and fees.

Views, the API, management commands and tasks all call these functions, so they
behave the same. Each public service checks permission first (``foia.permissions``),
then validates, then changes state inside one transaction holding the request's row
lock, and leaves ``RequestEvent`` rows on the request's timeline. Invalid input
raises ``django.core.exceptions.ValidationError`` keyed by the field at fault, with a
message a reporter can act on; an impossible status change raises
``InvalidTransition``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone

from foia import deadlines
from foia.exemptions import exemption_label, normalize_exemption
from foia.models import (
    ADVERSE,
    AWAITING_AGENCY,
    WAITING_ON_US,
    Agency,
    Appeal,
    AppealBasis,
    AppealOutcome,
    Channel,
    Communication,
    CommunicationKind,
    Decision,
    Direction,
    Fee,
    FeeCategory,
    FoiaRequest,
    Jurisdiction,
    LetterTemplate,
    RequestEvent,
    Status,
    Tag,
    Toll,
    TrackingNumber,
    Visibility,
)
from foia.permissions import (
    FILING_ROLES,
    check_can_edit,
    check_can_file,
    check_can_manage_agencies,
    check_can_view,
    is_manager,
)

S = Status
K = CommunicationKind
DETERMINATIONS = (S.DONE, S.PARTIALLY_DENIED, S.DENIED, S.NO_RECORDS)
_AGENCY_WORKING = (
    S.FIX_REQUIRED,
    S.PAYMENT_REQUIRED,
    S.PARTIALLY_RELEASED,
    *DETERMINATIONS,
    S.WITHDRAWN,
    S.REFERRED,
    S.APPEALING,
    S.IN_LITIGATION,
)
_AFTER_ADVERSE = (S.APPEALING, S.IN_LITIGATION, S.CLOSED)
_RESUMING = (
    S.SUBMITTED,
    S.ACKNOWLEDGED,
    S.PROCESSING,
    S.PARTIALLY_RELEASED,
    S.WITHDRAWN,
    S.CLOSED,
)

# Which status may follow which. Appealing is entered only through appeal_file.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.ACKNOWLEDGED, S.PROCESSING, *_AGENCY_WORKING}),
    S.ACKNOWLEDGED: frozenset({S.PROCESSING, *_AGENCY_WORKING}),
    S.PROCESSING: frozenset(_AGENCY_WORKING),
    S.FIX_REQUIRED: frozenset({*_RESUMING, S.PAYMENT_REQUIRED}),
    S.PAYMENT_REQUIRED: frozenset({*_RESUMING, S.FIX_REQUIRED}),
    S.PARTIALLY_RELEASED: frozenset(
        {
            S.FIX_REQUIRED,
            S.PAYMENT_REQUIRED,
            S.DONE,
            S.PARTIALLY_DENIED,
            S.WITHDRAWN,
            S.APPEALING,
            S.IN_LITIGATION,
        }
    ),
    S.DONE: frozenset({S.CLOSED, S.IN_LITIGATION}),
    S.PARTIALLY_DENIED: frozenset(_AFTER_ADVERSE),
    S.DENIED: frozenset(_AFTER_ADVERSE),
    S.NO_RECORDS: frozenset(_AFTER_ADVERSE),
    S.WITHDRAWN: frozenset(),
    S.REFERRED: frozenset({S.CLOSED}),
    S.APPEALING: frozenset(
        {
            S.PROCESSING,
            S.PARTIALLY_RELEASED,
            *DETERMINATIONS,
            S.IN_LITIGATION,
            S.WITHDRAWN,
            S.CLOSED,
        }
    ),
    S.IN_LITIGATION: frozenset(
        {S.PROCESSING, S.PARTIALLY_RELEASED, S.DONE, S.PARTIALLY_DENIED, S.CLOSED}
    ),
    S.CLOSED: frozenset({S.APPEALING, S.IN_LITIGATION}),
}

# Communication kinds and the direction they travel in (notes go either way).
_OUTGOING_KINDS = {K.REQUEST, K.REPLY, K.APPEAL, K.FOLLOW_UP}
_INCOMING_KINDS = {
    K.ACKNOWLEDGEMENT,
    K.EXTENSION_NOTICE,
    K.CLARIFICATION,
    K.FEE_LETTER,
    K.INTERIM_RELEASE,
    K.FINAL_RESPONSE,
    K.DENIAL,
    K.NO_RECORDS,
    K.APPEAL_DECISION,
}

DEADLINE_LABELS = {
    "response_due": "Response due",
    "extended_due": "Extended due",
    "expedite_decision_due": "Expedite decision due",
    "appeal_filing_due": "Appeal filing due",
    "current_due": "Due now",
    "appeal_decision_due": "Appeal decision due",
    "appeal_decision_extended_due": "Appeal decision due, extended",
}
_STORED_DEADLINES = (
    "response_due",
    "extended_due",
    "expedite_decision_due",
    "appeal_filing_due",
)

_DATE_LABELS = {
    "filed_on": "Filed",
    "first_received_on": "First received",
    "received_on": "Received",
    "acknowledged_on": "Acknowledged",
    "determined_on": "Determined",
    "adverse_on": "Adverse determination",
    "embargo_until": "Embargo",
}


class InvalidTransition(ValidationError):
    """A status change the lifecycle does not allow; the message says what can."""

    def __init__(self, message: str, *, from_status: str = "", to_status: str = ""):
        super().__init__(message, code="invalid_transition")
        self.from_status = from_status
        self.to_status = to_status


def _label(status: str) -> str:
    try:
        return Status(status).label
    except ValueError:
        return status


def allowed_transitions(status: str) -> list[str]:
    """The statuses ``status`` may change to, in lifecycle order."""
    targets = TRANSITIONS.get(status, frozenset())
    return [value for value in Status.values if value in targets]


def check_transition(from_status: str, to_status: str) -> None:
    if to_status not in Status.values:
        raise InvalidTransition(f"{to_status!r} is not a status.", to_status=to_status)
    if from_status == to_status:
        raise InvalidTransition(
            f"The request is already {_label(to_status)}.",
            from_status=from_status,
            to_status=to_status,
        )
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        targets = allowed_transitions(from_status)
        follows = (
            f"From {_label(from_status)} it can become: "
            + ", ".join(_label(t) for t in targets)
            + "."
            if targets
            else f"{_label(from_status)} is final: the status cannot change any more."
        )
        raise InvalidTransition(
            f"A request that is {_label(from_status)} cannot become "
            f"{_label(to_status)}. {follows}",
            from_status=from_status,
            to_status=to_status,
        )


# --- Small helpers -----------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def _iso(value: date | None) -> str:
    return value.isoformat() if value else "none"


def _lock(request: FoiaRequest) -> None:
    """Take the request's row lock for the surrounding transaction and reload it."""
    list(
        FoiaRequest.objects.select_for_update()
        .filter(pk=request.pk)
        .values_list("pk", flat=True)
    )
    request.refresh_from_db()


def _event(
    request: FoiaRequest,
    kind: str,
    *,
    actor,
    message: str = "",
    from_value: str = "",
    to_value: str = "",
    data: dict[str, Any] | None = None,
) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        message=message,
        from_value=str(from_value)[:60],
        to_value=str(to_value)[:60],
        data=data or {},
    )


def _check_not_future(errors: dict[str, str], field_name: str, value, today) -> None:
    if value is not None and value > today:
        label = _DATE_LABELS.get(field_name, field_name.replace("_", " ").capitalize())
        errors.setdefault(
            field_name, f"{label} ({value}) is in the future; give a date up to today."
        )


def _check_request_dates(values: dict[str, Any], *, today: date) -> None:
    """Reject impossible combinations of a request's dates, naming the field."""
    errors: dict[str, str] = {}
    filed = values.get("filed_on")
    first = values.get("first_received_on")
    received = values.get("received_on")
    acknowledged = values.get("acknowledged_on")
    determined = values.get("determined_on")
    for name in (
        "filed_on",
        "first_received_on",
        "received_on",
        "acknowledged_on",
        "determined_on",
        "adverse_on",
    ):
        _check_not_future(errors, name, values.get(name), today)
    if received and not filed:
        errors.setdefault(
            "filed_on", "Give the date the request was filed: it has a receipt date."
        )
    if filed and received and received < filed:
        errors.setdefault(
            "received_on",
            f"Received ({received}) cannot be before filed ({filed}).",
        )
    if filed and first and first < filed:
        errors.setdefault(
            "first_received_on",
            f"First received ({first}) cannot be before filed ({filed}).",
        )
    if first and received and first > received:
        errors.setdefault(
            "first_received_on",
            f"First received ({first}) cannot be after received by the answering "
            f"component ({received}).",
        )
    start = received or filed
    if acknowledged and start and acknowledged < start:
        what = "received" if received else "filed"
        errors.setdefault(
            "acknowledged_on",
            f"Acknowledged ({acknowledged}) cannot be before {what} ({start}).",
        )
    if determined and start and determined < start:
        what = "received" if received else "filed"
        errors.setdefault(
            "determined_on",
            f"Determined ({determined}) cannot be before {what} ({start}).",
        )
    if errors:
        raise ValidationError(errors)


def _tag_objects(names: Iterable[str]) -> list[Tag]:
    tags = []
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        if len(name) > 60:
            raise ValidationError({"tags": f"Tag {name[:20]!r}... is over 60 letters."})
        existing = Tag.objects.filter(name__iexact=name).first()
        tags.append(existing or Tag.objects.create(name=name))
    return tags


def _status_before(request: FoiaRequest, status: str) -> str | None:
    """The status the request had before it last entered ``status``."""
    event = (
        request.events.filter(kind="status", to_value=status)
        .order_by("-at", "-pk")
        .first()
    )
    return event.from_value if event and event.from_value in Status.values else None


# --- Deadlines ---------------------------------------------------------------------


@dataclass
class _Rules:
    rule: deadlines.ClockRule
    holidays: list[deadlines.HolidayRule]


def _rules_for(jurisdiction: Jurisdiction) -> _Rules:
    try:
        return _Rules(jurisdiction.clock_rule(), jurisdiction.holiday_rules())
    except ValueError as error:
        raise ValidationError(
            f"The rules of {jurisdiction.code} cannot be used: {error}"
        ) from error


def _deadline_inputs(request: FoiaRequest) -> dict[str, Any]:
    return {
        "received": request.received_on,
        "first_received": request.first_received_on,
        "acknowledged": request.acknowledged_on,
        "tolls": [
            (toll.asked_on, toll.answered_on)
            for toll in request.tolls.all()
            if toll.answered_on is not None
        ],
        "adverse": request.adverse_on,
        "expedited_requested": request.expedited != Decision.NOT_REQUESTED,
    }


def compute_request_deadlines(
    request: FoiaRequest, *, rules: _Rules | None = None, **overrides: Any
) -> deadlines.Deadlines:
    """What the law says for ``request`` as it stands, or with ``overrides``."""
    rules = rules or _rules_for(request.agency.jurisdiction)
    inputs = {**_deadline_inputs(request), **overrides}
    try:
        return deadlines.compute_deadlines(
            rule=rules.rule, holidays=rules.holidays, **inputs
        )
    except ValueError as error:
        raise ValidationError(str(error)) from error


def _current_due(
    found: deadlines.Deadlines, *, unusual: bool, clock_stopped: bool
) -> date | None:
    if clock_stopped:
        return None
    if unusual and found.extended_due:
        return found.extended_due
    return found.response_due


def _open_toll(request: FoiaRequest) -> Toll | None:
    return request.tolls.filter(answered_on__isnull=True).first()


def _appeal_due_dates(
    request: FoiaRequest, appeal: Appeal, rules: _Rules
) -> tuple[date | None, date | None]:
    received = appeal.received_on or appeal.filed_on
    try:
        found = deadlines.compute_deadlines(
            rule=rules.rule, holidays=rules.holidays, appeal_received=received
        )
    except ValueError as error:
        raise ValidationError(str(error)) from error
    return found.appeal_decision_due, found.appeal_decision_extended_due


def _recompute(
    request: FoiaRequest, *, actor, reason: str, rules: _Rules | None = None
) -> dict[str, tuple[date | None, date | None]]:
    """Store the deadlines the law now gives ``request`` and its pending appeals.

    Runs inside the request's row lock. Writes one "deadline" event listing every
    date that moved, and returns {name: (old, new)}.
    """
    rules = rules or _rules_for(request.agency.jurisdiction)
    found = compute_request_deadlines(request, rules=rules)
    new = {name: getattr(found, name) for name in _STORED_DEADLINES}
    new["current_due"] = _current_due(
        found,
        unusual=request.unusual_circumstances,
        clock_stopped=_open_toll(request) is not None,
    )
    changes = {
        name: (getattr(request, name), value)
        for name, value in new.items()
        if getattr(request, name) != value
    }
    if changes:
        for name, (_old, value) in changes.items():
            setattr(request, name, value)
        request.save(update_fields=[*changes, "updated_at"])
    for appeal in request.appeals.filter(outcome=AppealOutcome.PENDING):
        due, extended = _appeal_due_dates(request, appeal, rules)
        moved = {}
        if appeal.decision_due != due:
            moved["appeal_decision_due"] = (appeal.decision_due, due)
            appeal.decision_due = due
        if appeal.decision_extended_due != extended:
            moved["appeal_decision_extended_due"] = (
                appeal.decision_extended_due,
                extended,
            )
            appeal.decision_extended_due = extended
        if moved:
            appeal.save(update_fields=["decision_due", "decision_extended_due"])
            changes.update(moved)
    if changes:
        lines = [
            f"{DEADLINE_LABELS[name]}: {_iso(old)} → {_iso(value)}"
            for name, (old, value) in changes.items()
        ]
        headline = "current_due" if "current_due" in changes else next(iter(changes))
        _event(
            request,
            "deadline",
            actor=actor,
            message="; ".join(lines) + (f" ({reason})" if reason else ""),
            from_value=_iso(changes[headline][0]),
            to_value=_iso(changes[headline][1]),
            data={
                "reason": reason,
                "changes": {
                    name: [_iso(old), _iso(value)]
                    for name, (old, value) in changes.items()
                },
            },
        )
    return changes


def request_recompute_deadlines(
    *, request: FoiaRequest, actor=None, reason: str = ""
) -> dict[str, tuple[date | None, date | None]]:
    """Recompute and store ``request``'s deadlines; a "deadline" event lists moves.

    Returns {deadline name: (old, new)} for the dates that moved.
    """
    with transaction.atomic():
        _lock(request)
        return _recompute(request, actor=actor, reason=reason)


def jurisdiction_rules_changed(*, jurisdiction: Jurisdiction, actor=None) -> int:
    """Recompute every open request under ``jurisdiction`` after its rules or
    holidays changed. Returns how many requests had a deadline move."""
    rules = _rules_for(jurisdiction)
    moved = 0
    reason = f"the rules of {jurisdiction.code} changed"
    pks = list(
        FoiaRequest.objects.open()
        .filter(agency__jurisdiction=jurisdiction)
        .values_list("pk", flat=True)
    )
    for pk in pks:
        with transaction.atomic():
            request = FoiaRequest.objects.select_related("agency").get(pk=pk)
            _lock(request)
            if _recompute(request, actor=actor, reason=reason, rules=rules):
                moved += 1
    return moved


# --- Requests ----------------------------------------------------------------------

_EDITABLE_FIELDS = {
    "title",
    "body",
    "agency",
    "requester",
    "collaborators",
    "tags",
    "story_url",
    "visibility",
    "embargo_until",
    "filed_on",
    "first_received_on",
    "received_on",
    "acknowledged_on",
    "determined_on",
    "adverse_on",
    "unusual_circumstances",
    "expedited",
    "fee_waiver",
    "fee_category",
    "fee_limit",
}
_CLOCK_FIELDS = {
    "agency",
    "filed_on",
    "first_received_on",
    "received_on",
    "acknowledged_on",
    "adverse_on",
    "unusual_circumstances",
    "expedited",
}


def _check_choices(values: dict[str, Any]) -> None:
    """Check choice fields and coerce ``fee_limit`` to Decimal, in place."""
    errors = {}
    if values.get("fee_limit") not in (None, ""):
        try:
            values["fee_limit"] = Decimal(str(values["fee_limit"])).quantize(
                Decimal("0.01")
            )
        except InvalidOperation:
            raise ValidationError(
                {"fee_limit": f"{values['fee_limit']!r} is not an amount."}
            ) from None
    elif "fee_limit" in values:
        values["fee_limit"] = None
    for name, choices in (
        ("visibility", Visibility.values),
        ("expedited", Decision.values),
        ("fee_waiver", Decision.values),
        ("fee_category", FeeCategory.values),
    ):
        if name in values and values[name] not in choices:
            errors[name] = f"{values[name]!r} is not one of {', '.join(choices)}."
    if values.get("fee_limit") is not None and values["fee_limit"] < 0:
        errors["fee_limit"] = "The fee limit cannot be negative."
    for name in ("title", "body"):
        if name in values and not str(values[name] or "").strip():
            errors[name] = f"The request needs a {name}."
    if errors:
        raise ValidationError(errors)


def request_file(
    *,
    actor,
    agency: Agency,
    title: str,
    body: str,
    requester=None,
    collaborators: Iterable = (),
    tags: Iterable[str] = (),
    story_url: str = "",
    visibility: str = Visibility.PRIVATE,
    embargo_until: date | None = None,
    filed_on: date | None = None,
    first_received_on: date | None = None,
    received_on: date | None = None,
    acknowledged_on: date | None = None,
    expedited: str = Decision.NOT_REQUESTED,
    fee_waiver: str = Decision.NOT_REQUESTED,
    fee_category: str = FeeCategory.NEWS_MEDIA,
    fee_limit: Decimal | None = None,
    tracking_number: str = "",
    parent: FoiaRequest | None = None,
    parent_relation: str = "",
) -> FoiaRequest:
    """Record a request and compute its deadlines.

    Without ``filed_on`` it is a draft; with it, submitted (acknowledged when
    ``acknowledged_on`` is given). A request sent by email or portal arrives the
    day it is sent, so ``received_on`` defaults to ``filed_on``.
    """
    check_can_file(actor)
    requester = requester or actor
    if requester != actor and not is_manager(actor):
        raise ValidationError(
            {"requester": "Only editors can file a request for someone else."}
        )
    if parent is not None:
        check_can_view(actor, parent)
        if parent_relation not in ("split", "referral"):
            raise ValidationError(
                {"parent_relation": "Say whether it was split or referred."}
            )
    if received_on is None and filed_on is not None:
        received_on = filed_on
    values = {
        "title": (title or "").strip(),
        "body": (body or "").strip(),
        "visibility": visibility,
        "expedited": expedited,
        "fee_waiver": fee_waiver,
        "fee_category": fee_category,
        "fee_limit": fee_limit,
        "filed_on": filed_on,
        "first_received_on": first_received_on,
        "received_on": received_on,
        "acknowledged_on": acknowledged_on,
    }
    _check_choices(values)
    today = _today()
    _check_request_dates(values, today=today)
    if acknowledged_on and not filed_on:
        raise ValidationError(
            {"filed_on": "Give the date the request was filed: it was acknowledged."}
        )
    status = S.DRAFT
    if filed_on:
        status = S.ACKNOWLEDGED if acknowledged_on else S.SUBMITTED
    with transaction.atomic():
        request = FoiaRequest.objects.create(
            agency=agency,
            requester=requester,
            story_url=story_url or "",
            embargo_until=embargo_until,
            parent=parent,
            parent_relation=parent_relation if parent else "",
            status=status,
            **values,
        )
        request.collaborators.set([u for u in collaborators if u != requester])
        request.tags.set(_tag_objects(tags))
        if status == S.DRAFT:
            message = f"Drafted for {agency} by {actor}"
        else:
            message = f"Filed with {agency} on {filed_on}"
            if received_on != filed_on:
                message += f", received {received_on}"
        if parent is not None:
            message += f"; {parent.get_parent_relation_display().lower()} #{parent.pk}"
        _event(
            request,
            "created",
            actor=actor,
            to_value=status,
            message=message,
            data={"agency": agency.slug, "requester": requester.get_username()},
        )
        if tracking_number.strip():
            _tracking_number_add(
                request, actor=actor, number=tracking_number, assigned_on=None
            )
        _recompute(request, actor=actor, reason="filed")
    return request


def request_update(*, actor, request: FoiaRequest, **changes: Any) -> FoiaRequest:
    """Change a request's details (not its status; see ``request_transition``).

    Accepts the fields of ``_EDITABLE_FIELDS``; ``tags`` is a list of names and
    ``collaborators`` a list of users. Recomputes deadlines when a clock input
    changes. Writes an "edit" event naming each changed field.
    """
    unknown = set(changes) - _EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"request_update cannot change {', '.join(sorted(unknown))}")
    check_can_edit(actor, request)
    if (
        "requester" in changes
        and changes["requester"] != request.requester
        and not is_manager(actor)
    ):
        raise ValidationError(
            {"requester": "Only editors can hand a request to someone else."}
        )
    with transaction.atomic():
        _lock(request)
        _check_choices(changes)
        plain = {
            name: value
            for name, value in changes.items()
            if name not in ("tags", "collaborators")
        }
        if "title" in plain:
            plain["title"] = plain["title"].strip()
        if "story_url" in plain:
            plain["story_url"] = plain["story_url"] or ""
        merged = {name: getattr(request, name) for name in _DATE_LABELS}
        merged.update({k: v for k, v in plain.items() if k in _DATE_LABELS})
        _check_request_dates(merged, today=_today())
        lines = []
        changed = set()
        for name, value in plain.items():
            old = getattr(request, name)
            if old != value:
                label = FoiaRequest._meta.get_field(name).verbose_name
                shown_old = old if name != "body" else "…"
                shown_new = value if name != "body" else "…"
                lines.append(f"{label}: {shown_old or '—'} → {shown_new or '—'}")
                setattr(request, name, value)
                changed.add(name)
        if changed:
            request.save()
        if "tags" in changes:
            old_tags = sorted(t.name for t in request.tags.all())
            new_tags = _tag_objects(changes["tags"])
            if sorted(t.name for t in new_tags) != old_tags:
                request.tags.set(new_tags)
                new_names = ", ".join(sorted(t.name for t in new_tags))
                lines.append(f"tags: {', '.join(old_tags) or '—'} → {new_names or '—'}")
                changed.add("tags")
        if "collaborators" in changes:
            old_ids = set(request.collaborators.values_list("pk", flat=True))
            new_people = [u for u in changes["collaborators"] if u != request.requester]
            if {u.pk for u in new_people} != old_ids:
                request.collaborators.set(new_people)
                names = ", ".join(sorted(u.get_username() for u in new_people))
                lines.append(f"collaborators → {names or '—'}")
                changed.add("collaborators")
        if changed:
            _event(
                request,
                "edit",
                actor=actor,
                message="; ".join(lines),
                data={"fields": sorted(changed)},
            )
        if changed & _CLOCK_FIELDS:
            _recompute(request, actor=actor, reason="details edited")
    return request


def _transition(
    request: FoiaRequest,
    *,
    actor,
    to: str,
    reason: str = "",
    on: date | None = None,
    set_dates: bool = True,
    internal: bool = False,
) -> FoiaRequest:
    """Change status and the dates it implies. Runs inside the row lock."""
    if to == S.APPEALING and not internal:
        raise InvalidTransition(
            "To appeal, file an appeal: it records the grounds and starts the "
            "appeal clock.",
            from_status=request.status,
            to_status=to,
        )
    check_transition(request.status, to)
    today = _today()
    on = on or today
    if on > today:
        raise ValidationError({"on": f"The date ({on}) is in the future."})
    if request.filed_on and on < request.filed_on and to != S.WITHDRAWN:
        raise ValidationError(
            {
                "on": f"The date ({on}) is before the request was filed "
                f"({request.filed_on})."
            }
        )
    old = request.status
    updates = {"status": to}
    if set_dates:
        if to == S.SUBMITTED and not request.filed_on:
            updates["filed_on"] = on
            if not request.received_on:
                updates["received_on"] = on
        if to == S.ACKNOWLEDGED and not request.acknowledged_on:
            updates["acknowledged_on"] = on
        if to in DETERMINATIONS:
            updates["determined_on"] = on
            if to in ADVERSE:
                updates["adverse_on"] = on
        merged = {name: getattr(request, name) for name in _DATE_LABELS}
        merged.update({k: v for k, v in updates.items() if k in _DATE_LABELS})
        try:
            _check_request_dates(merged, today=today)
        except ValidationError as error:
            # The transition's date is what put the dates out of order.
            raise ValidationError({"on": error.messages}) from error
    for name, value in updates.items():
        setattr(request, name, value)
    request.save(update_fields=[*updates, "updated_at"])
    message = f"{_label(old)} → {_label(to)}"
    if on != today:
        message += f" on {on}"
    if reason:
        message += f": {reason}"
    _event(
        request,
        "status",
        actor=actor,
        from_value=old,
        to_value=to,
        message=message,
        data={"on": on.isoformat(), "reason": reason},
    )
    return request


def request_transition(
    *,
    actor,
    request: FoiaRequest,
    to: str,
    reason: str = "",
    on: date | None = None,
) -> FoiaRequest:
    """Move ``request`` to status ``to`` (validated against ``TRANSITIONS``).

    ``on`` is the day it happened (default today). Submitting sets the filing date,
    acknowledging the acknowledgement date, a determination its date, and an adverse
    one opens the appeal window. Raises ``InvalidTransition`` for a change the
    lifecycle does not allow.
    """
    check_can_edit(actor, request)
    with transaction.atomic():
        _lock(request)
        _transition(request, actor=actor, to=to, reason=reason, on=on)
        _recompute(request, actor=actor, reason=f"status {_label(to)}")
    return request


def _spawn(
    request: FoiaRequest,
    *,
    actor,
    relation: str,
    agency: Agency,
    title: str,
    body: str,
    on: date,
    tracking_number: str,
) -> FoiaRequest:
    child = FoiaRequest.objects.create(
        title=title,
        body=body,
        agency=agency,
        requester=request.requester,
        story_url=request.story_url,
        visibility=request.visibility,
        embargo_until=request.embargo_until,
        parent=request,
        parent_relation=relation,
        status=S.SUBMITTED,
        filed_on=request.filed_on or on,
        received_on=on,
        expedited=request.expedited,
        fee_waiver=request.fee_waiver,
        fee_category=request.fee_category,
        fee_limit=request.fee_limit,
    )
    child.collaborators.set(request.collaborators.all())
    child.tags.set(request.tags.all())
    verb = "Referred" if relation == "referral" else "Split"
    _event(
        child,
        "created",
        actor=actor,
        to_value=S.SUBMITTED,
        message=f"{verb} from #{request.pk} ({request.agency}); received by "
        f"{agency} on {on}",
        data={"parent": request.pk},
    )
    if tracking_number.strip():
        _tracking_number_add(
            child, actor=actor, number=tracking_number, assigned_on=on, agency=agency
        )
    _recompute(child, actor=actor, reason=f"{verb.lower()} from #{request.pk}")
    return child


def _check_spawn_date(request: FoiaRequest, on: date) -> None:
    if on > _today():
        raise ValidationError({"on": f"The date ({on}) is in the future."})
    start = request.received_on or request.filed_on
    if start and on < start:
        raise ValidationError(
            {"on": f"The date ({on}) is before the request was received ({start})."}
        )


def request_refer(
    *,
    actor,
    request: FoiaRequest,
    agency: Agency,
    on: date,
    whole: bool = True,
    tracking_number: str = "",
    reason: str = "",
) -> FoiaRequest:
    """The agency referred the request (or part of it) to ``agency``.

    Creates a child request at ``agency`` whose clock starts on ``on``. A whole
    referral moves the original to Referred.
    """
    check_can_edit(actor, request)
    if agency == request.agency:
        raise ValidationError({"agency": "A referral goes to another agency."})
    _check_spawn_date(request, on)
    with transaction.atomic():
        _lock(request)
        child = _spawn(
            request,
            actor=actor,
            relation="referral",
            agency=agency,
            title=f"{request.title} (referred to {agency})",
            body=request.body,
            on=on,
            tracking_number=tracking_number,
        )
        note = f"Referred to {agency} as #{child.pk}" + (
            f": {reason}" if reason else ""
        )
        if whole:
            _transition(request, actor=actor, to=S.REFERRED, reason=note, on=on)
        else:
            _event(request, "edit", actor=actor, message=note, data={"child": child.pk})
    return child


def request_split(
    *,
    actor,
    request: FoiaRequest,
    title: str,
    body: str = "",
    agency: Agency | None = None,
    on: date | None = None,
    tracking_number: str = "",
) -> FoiaRequest:
    """The agency split part of the request into a request of its own."""
    check_can_edit(actor, request)
    if not title.strip():
        raise ValidationError({"title": "The split request needs a title."})
    on = on or _today()
    _check_spawn_date(request, on)
    with transaction.atomic():
        _lock(request)
        child = _spawn(
            request,
            actor=actor,
            relation="split",
            agency=agency or request.agency,
            title=title.strip(),
            body=body.strip() or request.body,
            on=on,
            tracking_number=tracking_number,
        )
        _event(
            request,
            "edit",
            actor=actor,
            message=f"Split into #{child.pk}: {child.title}",
            data={"child": child.pk},
        )
    return child


# --- Tracking numbers and fees -----------------------------------------------------


def _tracking_number_add(
    request: FoiaRequest,
    *,
    actor,
    number: str,
    assigned_on: date | None,
    agency: Agency | None = None,
    note: str = "",
) -> TrackingNumber:
    number = number.strip()
    agency = agency or request.agency
    previous = request.tracking_numbers.filter(is_current=True, agency=agency)
    old_numbers = [t.number for t in previous]
    if number in old_numbers:
        raise ValidationError({"number": f"{number} is already the current number."})
    previous.update(is_current=False)
    tracking = TrackingNumber.objects.create(
        request=request,
        number=number,
        agency=agency,
        assigned_on=assigned_on,
        note=note,
    )
    message = f"Tracking number {number} ({agency})"
    if old_numbers:
        message += f" replaces {', '.join(old_numbers)}"
    if note:
        message += f": {note}"
    _event(
        request,
        "tracking",
        actor=actor,
        from_value=", ".join(old_numbers),
        to_value=number,
        message=message,
    )
    return tracking


def tracking_number_add(
    *,
    actor,
    request: FoiaRequest,
    number: str,
    agency: Agency | None = None,
    assigned_on: date | None = None,
    note: str = "",
) -> TrackingNumber:
    """Record a tracking number; earlier numbers of the same agency become history."""
    check_can_edit(actor, request)
    errors: dict[str, str] = {}
    if not number or not number.strip():
        errors["number"] = "Give the tracking number."
    elif len(number.strip()) > 80:
        errors["number"] = "A tracking number has at most 80 characters."
    _check_not_future(errors, "assigned_on", assigned_on, _today())
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock(request)
        return _tracking_number_add(
            request,
            actor=actor,
            number=number,
            assigned_on=assigned_on,
            agency=agency,
            note=note,
        )


def _parse_amount(amount: Any) -> Decimal:
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": f"{amount!r} is not an amount."}) from None
    if value <= 0 or value != value.quantize(Decimal("0.01")):
        raise ValidationError(
            {"amount": "Give a positive amount in dollars and cents."}
        )
    return value


def _fee_record(
    request: FoiaRequest, *, actor, kind: str, amount: Decimal, on: date, note: str
) -> Fee:
    fee = Fee.objects.create(
        request=request, kind=kind, amount=amount, on=on, note=note
    )
    message = f"{fee.get_kind_display()} of ${amount:,.2f} on {on}"
    if (
        kind == "estimate"
        and request.fee_limit is not None
        and amount > request.fee_limit
    ):
        message += f", above the agreed limit of ${request.fee_limit:,.2f}"
    if note:
        message += f": {note}"
    _event(
        request,
        "fee",
        actor=actor,
        to_value=f"{kind} {amount}",
        message=message,
        data={"kind": kind, "amount": str(amount)},
    )
    return fee


def fee_record(
    *,
    actor,
    request: FoiaRequest,
    kind: str,
    amount: Decimal | str,
    on: date,
    note: str = "",
) -> Fee:
    """Record a fee estimate, invoice or payment.

    A payment answers an open fee question: the stopped clock resumes and a request
    waiting for payment returns to the status it had.
    """
    check_can_edit(actor, request)
    if kind not in dict(Fee.KIND_CHOICES):
        raise ValidationError({"kind": f"{kind!r} is not a kind of fee."})
    value = _parse_amount(amount)
    errors: dict[str, str] = {}
    _check_not_future(errors, "on", on, _today())
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock(request)
        fee = _fee_record(
            request, actor=actor, kind=kind, amount=value, on=on, note=note
        )
        toll = _open_toll(request)
        if kind == "payment" and toll is not None and toll.kind == "fee":
            _toll_end(request, actor=actor, answered_on=on)
            if request.status == S.PAYMENT_REQUIRED:
                back = _status_before(request, S.PAYMENT_REQUIRED) or S.PROCESSING
                if back not in TRANSITIONS[S.PAYMENT_REQUIRED]:
                    back = S.PROCESSING
                _transition(request, actor=actor, to=back, reason="fee paid", on=on)
        _recompute(request, actor=actor, reason="fee recorded")
    return fee


# --- Tolling -----------------------------------------------------------------------


def _toll_start(
    request: FoiaRequest,
    *,
    actor,
    kind: str,
    asked_on: date,
    communication: Communication | None = None,
) -> Toll:
    errors: dict[str, str] = {}
    _check_not_future(errors, "asked_on", asked_on, _today())
    start = request.received_on or request.filed_on
    if start is None:
        errors["asked_on"] = "The clock has not started: the request was not received."
    elif asked_on < start:
        errors["asked_on"] = (
            f"The agency's question ({asked_on}) cannot be before the request was "
            f"received ({start})."
        )
    open_toll = _open_toll(request)
    if open_toll is not None:
        errors["asked_on"] = (
            f"The clock is already stopped since {open_toll.asked_on}; log the "
            "answer first."
        )
    if errors:
        raise ValidationError(errors)
    if kind not in dict(Toll.KIND_CHOICES):
        raise ValidationError({"kind": f"{kind!r} is not a kind of toll."})
    if kind == "information" and not _information_toll_allowed(request):
        raise ValidationError(
            {
                "kind": "The agency already stopped the clock once to ask for "
                "information; federal law allows that once, so the clock keeps "
                "running."
            }
        )
    toll = Toll.objects.create(
        request=request, kind=kind, asked_on=asked_on, communication=communication
    )
    _event(
        request,
        "toll",
        actor=actor,
        from_value="running",
        to_value="stopped",
        message=f"Clock stopped on {asked_on}: the agency asked for "
        f"{'fee clarification' if kind == 'fee' else 'information'}",
        data={"toll": toll.pk, "kind": kind},
    )
    return toll


def _information_toll_allowed(request: FoiaRequest) -> bool:
    # 5 U.S.C. 552(a)(6)(A)(ii)(I): one request for information may toll; fee
    # clarifications may toll any number of times. States vary; they are not held
    # to the federal limit.
    if request.agency.jurisdiction.code != "US":
        return True
    return not request.tolls.filter(kind="information").exists()


def _toll_end(
    request: FoiaRequest,
    *,
    actor,
    answered_on: date,
) -> Toll:
    toll = _open_toll(request)
    if toll is None:
        raise ValidationError({"answered_on": "The clock is not stopped."})
    errors: dict[str, str] = {}
    _check_not_future(errors, "answered_on", answered_on, _today())
    if answered_on < toll.asked_on:
        errors["answered_on"] = (
            f"The answer ({answered_on}) cannot be before the agency asked "
            f"({toll.asked_on})."
        )
    if errors:
        raise ValidationError(errors)
    toll.answered_on = answered_on
    toll.save(update_fields=["answered_on"])
    _event(
        request,
        "toll",
        actor=actor,
        from_value="stopped",
        to_value="running",
        message=f"Clock resumed on {answered_on} (stopped since {toll.asked_on})",
        data={"toll": toll.pk},
    )
    return toll


def toll_start(
    *,
    actor,
    request: FoiaRequest,
    kind: str,
    asked_on: date,
    communication: Communication | None = None,
) -> Toll:
    """The agency stopped the clock to ask for information or about fees."""
    check_can_edit(actor, request)
    with transaction.atomic():
        _lock(request)
        toll = _toll_start(
            request,
            actor=actor,
            kind=kind,
            asked_on=asked_on,
            communication=communication,
        )
        _recompute(request, actor=actor, reason="clock stopped")
    return toll


def toll_end(*, actor, request: FoiaRequest, answered_on: date) -> Toll:
    """The agency received the answer: the stopped clock resumes."""
    check_can_edit(actor, request)
    with transaction.atomic():
        _lock(request)
        toll = _toll_end(request, actor=actor, answered_on=answered_on)
        _recompute(request, actor=actor, reason="clock resumed")
    return toll


# --- Communications ----------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """What logging a communication implies; nothing is changed until applied.

    ``clock`` is one of none, start, acknowledge, extend, toll, resume, stop,
    appeal, appeal_decision.
    """

    kind: str
    to_status: str | None = None
    status_choices: tuple[str, ...] = ()
    clock: str = "none"
    toll_kind: str | None = None
    dates: dict[str, date] = field(default_factory=dict)
    unusual_circumstances: bool | None = None
    appeal_basis: str | None = None
    due_before: date | None = None
    due_after: date | None = None
    notes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.to_status
            or self.clock != "none"
            or self.dates
            or self.unusual_circumstances
        )

    @property
    def to_status_label(self) -> str:
        return _label(self.to_status) if self.to_status else ""

    @property
    def due_moves(self) -> bool:
        return self.due_before != self.due_after

    def summary(self) -> str:
        parts = []
        if self.to_status:
            parts.append(f"status → {self.to_status_label}")
        if self.due_moves:
            parts.append(f"due {_iso(self.due_before)} → {_iso(self.due_after)}")
        parts.extend(self.notes)
        return "; ".join(parts) or "No change to status or clock."


def _kind_words(kind: str) -> str:
    """A communication kind as it reads inside a sentence."""
    if kind == K.REPLY:
        return "our reply"
    return CommunicationKind(kind).label.lower()


def _law(jurisdiction: Jurisdiction) -> str:
    return "federal law" if jurisdiction.code == "US" else jurisdiction.name


def _unit_words(days: int, unit: str) -> str:
    word = "working day" if unit == "business" else "calendar day"
    return f"{days} {word}{'s' if days != 1 else ''}"


def communication_proposal(
    *, request: FoiaRequest, kind: str, direction: str, sent_on: date
) -> Proposal:
    """What a communication of ``kind`` dated ``sent_on`` implies for ``request``:
    the status it moves to, the clock event, and the due date before and after.

    Reads, never writes.
    """
    jurisdiction = request.agency.jurisdiction
    citations = jurisdiction.citations or {}
    status = request.status
    allowed = TRANSITIONS.get(status, frozenset())
    notes: list[str] = []
    problems: list[str] = []
    dates: dict[str, date] = {}
    to: str | None = None
    choices: tuple[str, ...] = ()
    clock = "none"
    toll_kind = None
    unusual = None
    appeal_basis = None
    open_toll = _open_toll(request)
    overrides: dict[str, Any] = {}
    clock_stopped = open_toll is not None

    if kind == K.REQUEST:
        if status == S.DRAFT:
            to, clock = S.SUBMITTED, "start"
            dates["filed_on"] = sent_on
            if not request.received_on:
                dates["received_on"] = sent_on
                notes.append(
                    "Counted as received the day it was sent; correct the receipt "
                    "date if it arrived later."
                )
        else:
            notes.append("The request is already filed; logged as a copy.")
    elif kind == K.ACKNOWLEDGEMENT:
        if not request.acknowledged_on:
            dates["acknowledged_on"] = sent_on
        if status == S.SUBMITTED:
            to = S.ACKNOWLEDGED
        if jurisdiction.counts_from == "acknowledged":
            clock = "acknowledge"
            cite = citations.get("response", "")
            notes.append(
                f"Under {_law(jurisdiction)} the response clock counts from the "
                f"acknowledgement{f' ({cite})' if cite else ''}."
            )
    elif kind == K.EXTENSION_NOTICE:
        if jurisdiction.extension_days is None or jurisdiction.response_days is None:
            notes.append(f"{_law(jurisdiction)} sets no extension period.")
        elif request.unusual_circumstances:
            notes.append("The agency already extended its deadline.")
        else:
            unusual, clock = True, "extend"
            cite = citations.get("extension", "")
            notes.append(
                "The agency invokes unusual circumstances: "
                + _unit_words(jurisdiction.extension_days, jurisdiction.extension_unit)
                + f" more{f' ({cite})' if cite else ''}."
            )
        if status in (S.SUBMITTED, S.ACKNOWLEDGED):
            to = S.PROCESSING
    elif kind in (K.CLARIFICATION, K.FEE_LETTER):
        wanted = "information" if kind == K.CLARIFICATION else "fee"
        to = S.FIX_REQUIRED if kind == K.CLARIFICATION else S.PAYMENT_REQUIRED
        if open_toll is not None:
            notes.append(f"The clock is already stopped since {open_toll.asked_on}.")
        elif request.received_on is None:
            notes.append("The clock has not started, so there is nothing to stop.")
        elif wanted == "information" and not _information_toll_allowed(request):
            cite = citations.get("tolling", "")
            notes.append(
                "The agency already stopped the clock once to ask for information; "
                f"federal law allows that once{f' ({cite})' if cite else ''}, so "
                "the clock keeps running."
            )
        else:
            clock, toll_kind = "toll", wanted
            clock_stopped = True
            notes.append(
                "The clock stops until the agency receives your answer; log your "
                "reply to resume it."
            )
    elif kind == K.REPLY:
        if open_toll is None:
            notes.append("No stopped clock to resume.")
        else:
            clock = "resume"
            clock_stopped = False
            overrides["tolls"] = [
                *_deadline_inputs(request)["tolls"],
                (open_toll.asked_on, max(sent_on, open_toll.asked_on)),
            ]
            notes.append(
                f"The clock resumes: it was stopped from {open_toll.asked_on} to "
                f"{sent_on}."
            )
        if status in WAITING_ON_US:
            back = _status_before(request, status) or S.PROCESSING
            to = back if back in allowed else S.PROCESSING
    elif kind == K.INTERIM_RELEASE:
        if status != S.PARTIALLY_RELEASED:
            to = S.PARTIALLY_RELEASED
    elif kind in (K.FINAL_RESPONSE, K.DENIAL, K.NO_RECORDS):
        to = {
            K.FINAL_RESPONSE: S.DONE,
            K.DENIAL: S.DENIED,
            K.NO_RECORDS: S.NO_RECORDS,
        }[kind]
        choices = (S.DONE, S.PARTIALLY_DENIED, S.DENIED, S.NO_RECORDS)
        clock = "stop"
        dates["determined_on"] = sent_on
        if to in ADVERSE:
            dates["adverse_on"] = sent_on
            overrides["adverse"] = sent_on
        notes.append("The agency has made its determination: its clock stops.")
        if kind == K.FINAL_RESPONSE:
            notes.append(
                "If records were withheld, choose Partially denied: that opens "
                "the appeal window."
            )
    elif kind == K.APPEAL:
        if request.appeals.filter(outcome=AppealOutcome.PENDING).exists():
            problems.append("An appeal is already pending.")
        elif status in (*ADVERSE, S.CLOSED) and request.adverse_on:
            appeal_basis, clock, to = AppealBasis.ADVERSE, "appeal", S.APPEALING
        elif request.may_go_to_court:
            appeal_basis, clock, to = AppealBasis.CONSTRUCTIVE, "appeal", S.APPEALING
            notes.append("The agency missed its deadline: a constructive denial.")
        else:
            problems.append(
                "There is nothing to appeal yet: no adverse determination, and the "
                "agency's deadline has not passed."
            )
        if clock == "appeal":
            found = compute_request_deadlines(request, appeal_received=sent_on)
            if found.appeal_decision_due:
                notes.append(
                    f"The appeal decision will be due {found.appeal_decision_due}."
                )
    elif kind == K.APPEAL_DECISION:
        if request.appeals.filter(outcome=AppealOutcome.PENDING).exists():
            clock = "appeal_decision"
            notes.append(
                "Choose the outcome to record on the appeal: granted, partly granted "
                "or remanded send the request back to processing; denied or "
                "withdrawn return it to where it was."
            )
        else:
            problems.append("No appeal is pending.")

    if to == status:
        to = None
    if to is not None and to not in allowed and to != S.APPEALING:
        problems.append(
            f"A request that is {_label(status)} cannot become {_label(to)}; the "
            "status and the clock stay as they are."
        )
        # What the message would imply does not fit where the request is.
        to, dates, unusual = None, {}, None
        if clock in ("toll", "stop", "extend"):
            clock, toll_kind, clock_stopped = "none", None, open_toll is not None
            overrides.pop("adverse", None)
    if to == S.APPEALING and S.APPEALING not in allowed:
        problems.append(f"A request that is {_label(status)} cannot be appealed.")
        to, clock = None, "none"
    choices = (
        tuple(c for c in choices if c in allowed or c == to) if to is not None else ()
    )

    # The due date before and after, as the law computes it.
    due_before = request.current_due
    due_after = due_before
    if request.received_on or "received_on" in dates:
        inputs = dict(overrides)
        for name, key in (
            ("received_on", "received"),
            ("acknowledged_on", "acknowledged"),
        ):
            if name in dates:
                inputs[key] = dates[name]
        found = compute_request_deadlines(request, **inputs)
        due_after = _current_due(
            found,
            unusual=bool(unusual or request.unusual_circumstances),
            clock_stopped=clock_stopped,
        )
        if clock == "toll":
            notes.append("Due date: none while the clock is stopped.")
    return Proposal(
        kind=kind,
        to_status=to,
        status_choices=choices,
        clock=clock,
        toll_kind=toll_kind,
        dates=dates,
        unusual_circumstances=unusual,
        appeal_basis=appeal_basis,
        due_before=due_before,
        due_after=due_after,
        notes=tuple(notes),
        problems=tuple(problems),
    )


@dataclass(frozen=True)
class LoggedCommunication:
    communication: Communication
    proposal: Proposal
    applied: bool
    documents: tuple = ()


def _store_attachments(
    request: FoiaRequest, communication: Communication, files: Sequence, *, actor
) -> list:
    """Hand each file to the documents app, which stores the original untouched,
    links bytes it has seen before, and queues processing after the commit.

    A file it rejects fails the whole log with the reason, naming the file.
    """
    if not files:
        return []
    from documents import services as document_services

    document_services.check_can_upload(user=actor, request=request)
    documents = []
    for upload in files:
        name = getattr(upload, "name", "") or "attachment"
        if hasattr(upload, "seek"):
            upload.seek(0)
        results = document_services.document_ingest(
            fileobj=upload,
            name=name,
            uploaded_by=actor,
            request=request,
            communication=communication,
        )
        for result in results:
            if result.state == "rejected":
                raise ValidationError(
                    {"attachments": f"{result.name}: {result.reason}"}
                )
            if result.document is not None:
                documents.append(result.document)
    return documents


def _apply_proposal(
    request: FoiaRequest,
    proposal: Proposal,
    *,
    actor,
    communication: Communication,
    to_status: str | None,
    appeal_outcome: str | None,
    reason: str,
) -> None:
    sent_on = communication.sent_on
    why = reason or f"{_kind_words(communication.kind)} of {sent_on}"
    if proposal.problems and not proposal.changes_anything:
        return
    target = to_status or proposal.to_status
    if proposal.clock == "appeal":
        _appeal_file(
            request,
            actor=actor,
            basis=proposal.appeal_basis,
            filed_on=sent_on,
            received_on=None,
            contested_exemptions=(),
            grounds="",
            tracking_number="",
        )
        return
    if proposal.clock == "appeal_decision":
        appeal = request.appeals.filter(outcome=AppealOutcome.PENDING).first()
        if not appeal_outcome:
            raise ValidationError(
                {"appeal_outcome": "Choose the outcome of the appeal."}
            )
        _appeal_decide(
            appeal,
            actor=actor,
            outcome=appeal_outcome,
            decided_on=sent_on,
            note=communication.subject,
        )
        return
    if proposal.unusual_circumstances:
        request.unusual_circumstances = True
        request.save(update_fields=["unusual_circumstances", "updated_at"])
    if proposal.clock == "toll":
        _toll_start(
            request,
            actor=actor,
            kind=proposal.toll_kind,
            asked_on=sent_on,
            communication=communication,
        )
    elif proposal.clock == "resume":
        _toll_end(request, actor=actor, answered_on=sent_on)
    if target:
        _transition(request, actor=actor, to=target, reason=why, on=sent_on)
    extra = {
        name: value
        for name, value in proposal.dates.items()
        if getattr(request, name) is None
    }
    if extra and not (target and target in DETERMINATIONS):
        merged = {name: getattr(request, name) for name in _DATE_LABELS}
        merged.update(extra)
        try:
            _check_request_dates(merged, today=_today())
        except ValidationError as error:
            raise ValidationError({"sent_on": error.messages}) from error
        for name, value in extra.items():
            setattr(request, name, value)
        request.save(update_fields=[*extra, "updated_at"])


def communication_log(
    *,
    actor,
    request: FoiaRequest,
    direction: str,
    channel: str,
    kind: str,
    sent_on: date,
    subject: str = "",
    body: str = "",
    attachments: Sequence = (),
    confirm: bool = False,
    to_status: str | None = None,
    appeal_outcome: str | None = None,
    fee_amount: Decimal | str | None = None,
    reason: str = "",
) -> LoggedCommunication:
    """Log one message to or from the agency, with its attachments.

    Returns what it implies (``communication_proposal``); with ``confirm`` the
    proposal is applied too: the status change (``to_status`` picks another allowed
    status), the clock event, and for an appeal decision the ``appeal_outcome``.
    ``fee_amount`` on a fee letter records the estimate.
    """
    check_can_edit(actor, request)
    errors: dict[str, str] = {}
    if direction not in Direction.values:
        errors["direction"] = f"{direction!r} is not a direction."
    if channel not in Channel.values:
        errors["channel"] = f"{channel!r} is not a channel."
    if kind not in CommunicationKind.values:
        errors["kind"] = f"{kind!r} is not a kind of communication."
    elif kind in _OUTGOING_KINDS and direction == Direction.INCOMING:
        errors["direction"] = (
            f"A {CommunicationKind(kind).label.lower()} goes to the agency: choose "
            f"“{Direction.OUTGOING.label}”."
        )
    elif kind in _INCOMING_KINDS and direction == Direction.OUTGOING:
        errors["direction"] = (
            f"A {CommunicationKind(kind).label.lower()} comes from the agency: choose "
            f"“{Direction.INCOMING.label}”."
        )
    today = _today()
    if sent_on is None:
        errors["sent_on"] = "Give the date of the communication."
    else:
        _check_not_future(errors, "sent_on", sent_on, today)
        if (
            request.filed_on
            and sent_on < request.filed_on
            and kind not in (K.REQUEST, K.NOTE)
        ):
            errors.setdefault(
                "sent_on",
                f"The date ({sent_on}) is before the request was filed "
                f"({request.filed_on}).",
            )
    if len(subject) > 200:
        errors["subject"] = "The subject has at most 200 characters."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock(request)
        proposal = communication_proposal(
            request=request, kind=kind, direction=direction, sent_on=sent_on
        )
        communication = Communication.objects.create(
            request=request,
            direction=direction,
            channel=channel,
            kind=kind,
            sent_on=sent_on,
            subject=subject.strip(),
            body=body,
            logged_by=actor,
        )
        _event(
            request,
            "communication",
            actor=actor,
            to_value=kind,
            message=f"{_kind_words(kind).capitalize()} "
            f"{'from' if direction == Direction.INCOMING else 'to'} the agency "
            f"({communication.get_channel_display().lower()}, {sent_on})"
            + (f": {communication.subject}" if communication.subject else ""),
            data={"communication": communication.pk, "applied": confirm},
        )
        documents = _store_attachments(request, communication, attachments, actor=actor)
        if fee_amount not in (None, ""):
            _fee_record(
                request,
                actor=actor,
                kind="estimate",
                amount=_parse_amount(fee_amount),
                on=sent_on,
                note=communication.subject,
            )
        if confirm:
            try:
                _apply_proposal(
                    request,
                    proposal,
                    actor=actor,
                    communication=communication,
                    to_status=to_status,
                    appeal_outcome=appeal_outcome,
                    reason=reason,
                )
            except InvalidTransition as error:
                raise ValidationError({"to_status": error.messages}) from error
            except ValidationError as error:
                # The communication's date is the date of every change it applies.
                if hasattr(error, "error_dict"):
                    remapped = {
                        (
                            "sent_on"
                            if name
                            in (
                                "on",
                                "filed_on",
                                "decided_on",
                                "asked_on",
                                "answered_on",
                            )
                            else name
                        ): messages
                        for name, messages in error.message_dict.items()
                    }
                    raise ValidationError(remapped) from error
                raise
            _recompute(
                request,
                actor=actor,
                reason=f"{_kind_words(kind)} of {sent_on}",
            )
    return LoggedCommunication(
        communication=communication,
        proposal=proposal,
        applied=confirm,
        documents=tuple(documents),
    )


# --- Appeals -----------------------------------------------------------------------


def _normalize_exemptions(request: FoiaRequest, items: Iterable[str]) -> list[str]:
    codes: list[str] = []
    federal = request.agency.jurisdiction.code == "US"
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        if federal:
            try:
                code = normalize_exemption(text)
            except ValueError as error:
                raise ValidationError({"contested_exemptions": str(error)}) from None
        else:
            code = text[:80]
        if code not in codes:
            codes.append(code)
    return codes


def _appeal_file(
    request: FoiaRequest,
    *,
    actor,
    basis: str,
    filed_on: date,
    received_on: date | None,
    contested_exemptions: Iterable[str],
    grounds: str,
    tracking_number: str,
    unusual_circumstances: bool = False,
) -> Appeal:
    errors: dict[str, str] = {}
    today = _today()
    pending = request.appeals.filter(outcome=AppealOutcome.PENDING).first()
    if pending is not None:
        raise ValidationError(
            {"basis": f"An appeal filed on {pending.filed_on} is still pending."}
        )
    if basis == AppealBasis.ADVERSE:
        if request.status not in (*ADVERSE, S.CLOSED) or not request.adverse_on:
            raise ValidationError(
                {
                    "basis": "Only an adverse determination (partly denied, denied, "
                    f"no records) can be appealed; this request is "
                    f"{_label(request.status)}. If the agency's deadline passed, "
                    "appeal a constructive denial."
                }
            )
        if filed_on and filed_on < request.adverse_on:
            errors["filed_on"] = (
                f"The appeal ({filed_on}) cannot be filed before the determination "
                f"it appeals ({request.adverse_on})."
            )
    elif basis == AppealBasis.CONSTRUCTIVE:
        if not request.may_go_to_court:
            due = request.current_due
            raise ValidationError(
                {
                    "basis": (
                        f"The agency's deadline ({due}) has not passed"
                        if due
                        else "No deadline is running"
                    )
                    + f" and the request is {_label(request.status)}: there is no "
                    "constructive denial to appeal."
                }
            )
        if filed_on and request.current_due and filed_on <= request.current_due:
            errors["filed_on"] = (
                f"The appeal ({filed_on}) is not after the missed deadline "
                f"({request.current_due})."
            )
    else:
        raise ValidationError({"basis": f"{basis!r} is not a basis for an appeal."})
    if filed_on is None:
        errors["filed_on"] = "Give the date the appeal was filed."
    else:
        _check_not_future(errors, "filed_on", filed_on, today)
    if received_on is not None:
        _check_not_future(errors, "received_on", received_on, today)
        if filed_on and received_on < filed_on:
            errors.setdefault(
                "received_on",
                f"The appeal cannot be received ({received_on}) before it was "
                f"filed ({filed_on}).",
            )
    if errors:
        raise ValidationError(errors)
    codes = _normalize_exemptions(request, contested_exemptions)
    appeal = Appeal(
        request=request,
        basis=basis,
        filed_on=filed_on,
        received_on=received_on,
        contested_exemptions=codes,
        grounds=grounds.strip(),
        tracking_number=tracking_number.strip(),
        unusual_circumstances=unusual_circumstances,
        from_status=request.status,
        filed_by=actor,
    )
    rules = _rules_for(request.agency.jurisdiction)
    appeal.decision_due, appeal.decision_extended_due = _appeal_due_dates(
        request, appeal, rules
    )
    appeal.save()
    message = f"Appeal filed on {filed_on} ({appeal.get_basis_display().lower()})"
    if codes:
        message += "; contests " + ", ".join(exemption_label(c) for c in codes)
    if appeal.decision_due:
        message += f"; decision due {appeal.decision_due}"
    if (
        basis == AppealBasis.ADVERSE
        and request.appeal_filing_due
        and filed_on > request.appeal_filing_due
    ):
        late = (filed_on - request.appeal_filing_due).days
        message += (
            f"; filed {late} day{'s' if late != 1 else ''} after the window closed "
            f"on {request.appeal_filing_due}"
        )
    _event(
        request,
        "appeal",
        actor=actor,
        to_value="filed",
        message=message,
        data={"appeal": appeal.pk, "basis": basis, "exemptions": codes},
    )
    _transition(
        request,
        actor=actor,
        to=S.APPEALING,
        reason=appeal.get_basis_display().lower(),
        on=filed_on,
        set_dates=False,
        internal=True,
    )
    return appeal


def appeal_file(
    *,
    actor,
    request: FoiaRequest,
    basis: str,
    filed_on: date,
    received_on: date | None = None,
    contested_exemptions: Iterable[str] = (),
    grounds: str = "",
    tracking_number: str = "",
    channel: str | None = None,
    letter: str = "",
) -> Appeal:
    """File an administrative appeal of an adverse determination, or of a
    constructive denial when the agency missed its deadline.

    Computes the decision deadlines from the jurisdiction's clock (counted from
    ``received_on``, or ``filed_on`` when the receipt is not known) and moves the
    request to Appealing. With ``channel``, the appeal is also logged as an
    outgoing communication whose body is ``letter``.
    """
    check_can_edit(actor, request)
    with transaction.atomic():
        _lock(request)
        appeal = _appeal_file(
            request,
            actor=actor,
            basis=basis,
            filed_on=filed_on,
            received_on=received_on,
            contested_exemptions=contested_exemptions,
            grounds=grounds,
            tracking_number=tracking_number,
        )
        if channel:
            if channel not in Channel.values:
                raise ValidationError({"channel": f"{channel!r} is not a channel."})
            communication = Communication.objects.create(
                request=request,
                direction=Direction.OUTGOING,
                channel=channel,
                kind=K.APPEAL,
                sent_on=filed_on,
                subject="Appeal",
                body=letter,
                logged_by=actor,
            )
            _event(
                request,
                "communication",
                actor=actor,
                to_value=K.APPEAL,
                message=f"Appeal to the agency "
                f"({communication.get_channel_display().lower()}, {filed_on})",
                data={"communication": communication.pk, "applied": True},
            )
        _recompute(request, actor=actor, reason="appeal filed")
    return appeal


_OUTCOME_STATUS = {
    AppealOutcome.GRANTED: S.PROCESSING,
    AppealOutcome.PARTLY_GRANTED: S.PROCESSING,
    AppealOutcome.REMANDED: S.PROCESSING,
}


def _appeal_decide(
    appeal: Appeal, *, actor, outcome: str, decided_on: date, note: str
) -> Appeal:
    request = appeal.request
    if not appeal.is_pending:
        raise ValidationError(
            {
                "outcome": f"This appeal was already decided: "
                f"{appeal.get_outcome_display()} on {appeal.decided_on}."
            }
        )
    if outcome not in AppealOutcome.values or outcome == AppealOutcome.PENDING:
        raise ValidationError({"outcome": "Choose the outcome of the appeal."})
    errors: dict[str, str] = {}
    _check_not_future(errors, "decided_on", decided_on, _today())
    if decided_on is not None and decided_on < appeal.filed_on:
        errors["decided_on"] = (
            f"The decision ({decided_on}) cannot be before the appeal was filed "
            f"({appeal.filed_on})."
        )
    if errors:
        raise ValidationError(errors)
    appeal.outcome = outcome
    appeal.decided_on = decided_on
    appeal.decision_note = note
    appeal.save(update_fields=["outcome", "decided_on", "decision_note"])
    if outcome in _OUTCOME_STATUS:
        target = _OUTCOME_STATUS[outcome]
    elif outcome == AppealOutcome.DENIED:
        target = appeal.from_status if appeal.from_status in ADVERSE else S.DENIED
    else:  # withdrawn: back where it was
        target = appeal.from_status or S.CLOSED
    if target not in TRANSITIONS[S.APPEALING]:
        target = S.PROCESSING
    message = f"Appeal {appeal.get_outcome_display().lower()} on {decided_on}"
    if outcome == AppealOutcome.DENIED:
        message += ": administrative remedies are exhausted; you may now go to court"
    if note:
        message += f" ({note})"
    _event(
        request,
        "appeal",
        actor=actor,
        from_value="pending",
        to_value=outcome,
        message=message,
        data={"appeal": appeal.pk, "outcome": outcome},
    )
    if request.status == S.APPEALING:
        _transition(
            request,
            actor=actor,
            to=target,
            reason=f"appeal {appeal.get_outcome_display().lower()}",
            on=decided_on,
            set_dates=False,
            internal=True,
        )
    return appeal


def appeal_decide(
    *, actor, appeal: Appeal, outcome: str, decided_on: date, note: str = ""
) -> Appeal:
    """Record the appeal's outcome and move the request accordingly: granted,
    partly granted or remanded go back to Processing; a denial or withdrawal
    returns the request to the status it was appealed from."""
    request = appeal.request
    check_can_edit(actor, request)
    with transaction.atomic():
        _lock(request)
        appeal.refresh_from_db()
        _appeal_decide(
            appeal, actor=actor, outcome=outcome, decided_on=decided_on, note=note
        )
        _recompute(request, actor=actor, reason="appeal decided")
    return appeal


def appeal_extend(*, actor, appeal: Appeal, on: date) -> Appeal:
    """The appeals office invoked unusual circumstances: its extended date applies."""
    request = appeal.request
    check_can_edit(actor, request)
    with transaction.atomic():
        _lock(request)
        appeal.refresh_from_db()
        if not appeal.is_pending:
            raise ValidationError({"on": "The appeal was already decided."})
        errors: dict[str, str] = {}
        _check_not_future(errors, "on", on, _today())
        if errors:
            raise ValidationError(errors)
        appeal.unusual_circumstances = True
        appeal.save(update_fields=["unusual_circumstances"])
        _event(
            request,
            "appeal",
            actor=actor,
            to_value="extended",
            message=f"Appeal decision extended on {on}; now due "
            f"{_iso(appeal.current_decision_due)}",
            data={"appeal": appeal.pk},
        )
    return appeal


# --- Letters -----------------------------------------------------------------------

LETTER_KINDS = dict(LetterTemplate.KIND_CHOICES)


@dataclass(frozen=True)
class Letter:
    kind: str
    subject: str
    body: str
    template_name: str

    @property
    def filename(self) -> str:
        return f"{self.kind.replace('_', '-')}-letter.txt"

    @property
    def text(self) -> str:
        return f"Subject: {self.subject}\n\n{self.body}"


def _statute(jurisdiction: Jurisdiction) -> str:
    if jurisdiction.code == "US":
        return "the Freedom of Information Act, 5 U.S.C. 552"
    match = re.match(r"^(?P<place>[^(]+?)\s*\((?P<law>[^)]+)\)\s*$", jurisdiction.name)
    if match:
        return f"the {match['place']} {match['law']}"
    return f"the public records law of {jurisdiction.name}"


def letter_template_for(kind: str, jurisdiction: Jurisdiction) -> LetterTemplate:
    template = (
        LetterTemplate.objects.filter(kind=kind, jurisdiction=jurisdiction).first()
        or LetterTemplate.objects.filter(kind=kind, jurisdiction__isnull=True).first()
    )
    if template is None:
        raise ValidationError(
            f"There is no {LETTER_KINDS.get(kind, kind).lower()} template for "
            f"{jurisdiction.code}; add one in the admin."
        )
    return template


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def letter_render(
    *,
    kind: str,
    request: FoiaRequest,
    appeal: Appeal | None = None,
    exemptions: Iterable[str] | None = None,
    grounds: str = "",
    today: date | None = None,
) -> Letter:
    """Render the request, follow-up or appeal letter for ``request`` from the
    jurisdiction's template (or the generic one).

    For an appeal letter the contested exemptions come from ``appeal``, or from
    ``exemptions`` for a draft before the appeal is filed. Callers check that the
    user may see the request.
    """
    if kind not in LETTER_KINDS:
        raise ValidationError({"kind": f"{kind!r} is not a kind of letter."})
    jurisdiction = request.agency.jurisdiction
    template = letter_template_for(kind, jurisdiction)
    today = today or _today()
    requester = request.requester
    tracking = request.tracking_numbers.filter(is_current=True).first()
    due = request.current_due or request.extended_due or request.response_due
    if appeal is not None:
        codes = list(appeal.contested_exemptions)
        grounds = grounds or appeal.grounds
        constructive = appeal.basis == AppealBasis.CONSTRUCTIVE
        determined_status = appeal.from_status or request.status
    else:
        codes = _normalize_exemptions(request, exemptions or ())
        constructive = request.may_go_to_court
        determined_status = request.status
    if determined_status not in ADVERSE:
        determined_status = S.DENIED
    determination = {
        S.DENIED: "denial",
        S.PARTIALLY_DENIED: "partial denial",
        S.NO_RECORDS: "no-records response",
    }[determined_status]
    context = {
        "today": today,
        "request": request,
        "agency": request.agency,
        "contact": request.agency.contact_agency,
        "appeal_to": request.agency.appeal_agency,
        "jurisdiction": jurisdiction,
        "citations": jurisdiction.citations or {},
        "statute": _statute(jurisdiction),
        "requester": requester,
        "requester_name": requester.get_full_name() or requester.get_username(),
        "fee_category": request.fee_category,
        "fee_category_label": request.get_fee_category_display(),
        "fee_waiver_requested": request.fee_waiver != Decision.NOT_REQUESTED,
        "expedited_requested": request.expedited != Decision.NOT_REQUESTED,
        "response_unit": "working days"
        if jurisdiction.response_unit == "business"
        else "calendar days",
        "tracking_number": tracking.number if tracking else "",
        "due": due,
        "days_overdue": (today - due).days if due and due < today else 0,
        "appeal": appeal,
        "constructive": constructive,
        "determination": determination,
        "no_records": determined_status == S.NO_RECORDS,
        "exemptions": [exemption_label(code) for code in codes],
        "exemption_codes": codes,
        "grounds": grounds.strip(),
    }
    try:
        subject = Template(template.subject).render(Context(context, autoescape=False))
        body = Template(template.body).render(Context(context, autoescape=False))
    except TemplateSyntaxError as error:
        raise ValidationError(
            f"The letter template “{template.name}” has an error: {error}"
        ) from error
    return Letter(
        kind=kind,
        subject=" ".join(subject.split()),
        body=_tidy(body),
        template_name=template.name,
    )


# --- Agencies ----------------------------------------------------------------------

_AGENCY_FIELDS = {
    "name",
    "abbreviation",
    "slug",
    "parent",
    "jurisdiction",
    "foia_email",
    "portal_url",
    "mailing_address",
    "phone",
    "website",
    "appeal_authority",
    "appeal_email",
    "appeal_address",
    "appeal_portal_url",
    "notes",
    "is_active",
}


def _check_agency(agency: Agency) -> None:
    errors: dict[str, str] = {}
    seen = {agency.pk} if agency.pk else set()
    parent = agency.parent
    while parent is not None:
        if parent.pk in seen:
            errors["parent"] = "An agency cannot be its own parent or ancestor."
            break
        seen.add(parent.pk)
        parent = parent.parent
    if Agency.objects.filter(slug=agency.slug).exclude(pk=agency.pk).exists():
        errors["slug"] = f"Another agency already uses the slug {agency.slug!r}."
    if errors:
        raise ValidationError(errors)
    agency.full_clean(validate_unique=False)


def agency_create(*, actor, **values: Any) -> Agency:
    """Add an agency (editors and administrators)."""
    check_can_manage_agencies(actor)
    unknown = set(values) - _AGENCY_FIELDS
    if unknown:
        raise TypeError(f"agency_create does not take {', '.join(sorted(unknown))}")
    agency = Agency(**values)
    _check_agency(agency)
    agency.save()
    return agency


def agency_update(*, actor, agency: Agency, **values: Any) -> Agency:
    """Change an agency's details; a new jurisdiction recomputes its open requests."""
    check_can_manage_agencies(actor)
    unknown = set(values) - _AGENCY_FIELDS
    if unknown:
        raise TypeError(f"agency_update does not take {', '.join(sorted(unknown))}")
    old_jurisdiction = agency.jurisdiction_id
    for name, value in values.items():
        setattr(agency, name, value)
    _check_agency(agency)
    with transaction.atomic():
        agency.save()
        if agency.jurisdiction_id != old_jurisdiction:
            for request in FoiaRequest.objects.open().filter(agency=agency):
                _lock(request)
                _recompute(
                    request,
                    actor=actor,
                    reason=f"{agency} now answers under {agency.jurisdiction.code}",
                )
    return agency


def users_who_can_collaborate():
    """The newsroom's reporters and editors, for collaborator pickers."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=FILING_ROLES)
        .distinct()
        .order_by("username")
    )


# --- Embargo warnings --------------------------------------------------------------

# The timeline event that remembers a warning: one per request and embargo date.
EMBARGO_WARNING_EVENT = "embargo"


def _embargo_warning_recipients(request: FoiaRequest) -> list:
    """The requester and collaborators who can be emailed, each once."""
    recipients, seen = [], set()
    for person in [request.requester, *request.collaborators.order_by("pk")]:
        if person.pk in seen or not person.is_active or not person.email:
            continue
        seen.add(person.pk)
        recipients.append(person)
    return recipients


def embargo_warning_send(*, request: FoiaRequest, today: date | None = None) -> bool:
    """Warn the requester and collaborators that the embargo lifts soon.

    Once per request and embargo date: a moved embargo is warned about again.
    Returns True when a warning was recorded (and mailed to whoever has an
    address), False when none was due or one was given already.
    """
    from django.conf import settings
    from django.core.mail import EmailMessage, get_connection
    from django.template.loader import render_to_string

    from foia.selectors import embargo_notice

    today = today or _today()
    with transaction.atomic():
        # Two runs at once: the second waits here, then finds the first's event.
        _lock(request)
        notice = embargo_notice(request=request, today=today)
        if notice is None:
            return False
        lifts_on = notice.lifts_on.isoformat()
        if request.events.filter(
            kind=EMBARGO_WARNING_EVENT, to_value=lifts_on
        ).exists():
            return False
        recipients = _embargo_warning_recipients(request)
        usernames = [person.get_username() for person in recipients]
        warned = (
            f"Warned {', '.join(usernames)} by email."
            if usernames
            else "Nobody had an email address to warn."
        )
        _event(
            request,
            EMBARGO_WARNING_EVENT,
            actor=None,
            to_value=lifts_on,
            message=f"Embargo lifts on {lifts_on}; then {notice.audience} will see "
            f"this request and its documents. {warned}",
            data={"lifts_on": lifts_on, "warned": usernames},
        )
        subject = " ".join(f"Embargo lifts on {lifts_on}: {request.title}".split())
        messages = [
            EmailMessage(
                subject=subject[:200],
                body=render_to_string(
                    "emails/embargo_warning.txt",
                    {
                        "recipient": person,
                        "request": request,
                        "notice": notice,
                        "site_url": settings.DIGEST_SITE_URL,
                    },
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[person.email],
                headers={"Auto-Submitted": "auto-generated"},
            )
            for person in recipients
        ]
        # Last: when the mail server refuses, the event rolls back and the next
        # run tries again.
        if messages:
            get_connection().send_messages(messages)
    return True


def embargo_warnings_send(*, today: date | None = None) -> int:
    """Warn about every embargo that lifts within EMBARGO_WARNING_DAYS (see
    ``foia.selectors.embargoes_lifting``); returns how many warnings went out.

    Safe to run twice a day: a request is warned once per embargo date. One
    request whose mail fails does not stop the others.
    """
    import logging

    from foia.selectors import embargoes_lifting

    today = today or _today()
    warned = 0
    for request in embargoes_lifting(today=today).order_by("embargo_until", "pk"):
        try:
            warned += embargo_warning_send(request=request, today=today)
        except Exception:
            logging.getLogger(__name__).exception(
                "The embargo warning for request %s could not be sent", request.pk
            )
    return warned


__all__ = [
    "AWAITING_AGENCY",
    "DEADLINE_LABELS",
    "TRANSITIONS",
    "InvalidTransition",
    "Letter",
    "LoggedCommunication",
    "Proposal",
    "agency_create",
    "agency_update",
    "allowed_transitions",
    "appeal_decide",
    "appeal_extend",
    "appeal_file",
    "check_transition",
    "communication_log",
    "communication_proposal",
    "compute_request_deadlines",
    "embargo_warning_send",
    "embargo_warnings_send",
    "fee_record",
    "jurisdiction_rules_changed",
    "letter_render",
    "request_file",
    "request_recompute_deadlines",
    "request_refer",
    "request_split",
    "request_transition",
    "request_update",
    "toll_end",
    "toll_start",
    "tracking_number_add",
]
