"""Every non-trivial read: request lists and their filters, deadlines panels,
agency statistics. Reads only; writes live in ``foia.services``."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from foia import deadlines
from foia.models import (
    ADVERSE,
    AWAITING_AGENCY,
    FINISHED,
    WAITING_ON_US,
    Agency,
    AppealOutcome,
    Decision,
    FoiaRequest,
    Jurisdiction,
    RequestEvent,
    Status,
    Toll,
    TrackingNumber,
)

# --- Request lists -----------------------------------------------------------------

SORTS: dict[str, tuple[str, tuple]] = {
    "-updated": ("Recently changed", ("-updated_at", "-pk")),
    "due": ("Due first", (F("current_due").asc(nulls_last=True), "-pk")),
    "-due": ("Due last", (F("current_due").desc(nulls_last=True), "-pk")),
    "-filed": ("Newest filed", (F("filed_on").desc(nulls_last=True), "-pk")),
    "filed": ("Oldest filed", (F("filed_on").asc(nulls_last=True), "pk")),
    "title": ("Title", ("title", "pk")),
    "agency": ("Agency", ("agency__name", "pk")),
    "status": ("Status", ("status", "pk")),
}
DEFAULT_SORT = "-updated"
STATUS_GROUPS = {
    "open": "Open (not finished)",
    "awaiting": "Waiting on the agency",
    "waiting_on_us": "Waiting on us",
    "finished": "Finished",
}


@dataclass
class RequestFilters:
    """What the request list may be narrowed by; empty values filter nothing."""

    statuses: list[str] = field(default_factory=list)
    agency: Agency | None = None
    include_components: bool = True
    requester: object | None = None
    overdue: bool = False
    due_within: int | None = None
    # What the desk counts (``FoiaRequestQuerySet`` methods of the same names).
    clarification_asked: bool = False
    appeal_window_within: int | None = None
    appeals_pending: bool = False
    may_go_to_court: bool = False
    tag: str = ""
    text: str = ""
    sort: str = DEFAULT_SORT


def _descendant_ids(agency: Agency) -> list[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Agency.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, pending = [], [agency.pk]
    while pending:
        pk = pending.pop()
        if pk in found:
            continue
        found.append(pk)
        pending.extend(children.get(pk, []))
    return found


def _status_condition(statuses: list[str]) -> Q:
    condition = Q()
    for value in statuses:
        if value == "open":
            condition |= ~Q(status__in=(*FINISHED, Status.DRAFT))
        elif value == "awaiting":
            condition |= Q(status__in=AWAITING_AGENCY)
        elif value == "waiting_on_us":
            condition |= Q(status__in=WAITING_ON_US)
        elif value == "finished":
            condition |= Q(status__in=FINISHED)
        elif value in Status.values:
            condition |= Q(status=value)
    return condition


def request_list(
    *, user, filters: RequestFilters | None = None, today: date | None = None
) -> QuerySet[FoiaRequest]:
    """Requests ``user`` may see, narrowed by ``filters``, with what a list row
    shows loaded up front (the query count does not grow with the rows)."""
    filters = filters or RequestFilters()
    today = today or timezone.localdate()
    requests = FoiaRequest.objects.visible_to(user)
    if filters.statuses:
        requests = requests.filter(_status_condition(filters.statuses))
    if filters.agency is not None:
        if filters.include_components:
            requests = requests.filter(agency__in=_descendant_ids(filters.agency))
        else:
            requests = requests.filter(agency=filters.agency)
    # Many-to-many conditions go through subqueries, so no row comes back twice.
    if filters.requester is not None:
        # Two indexed conditions; "requester OR collaborators" would join and
        # scan every request.
        shared = FoiaRequest.collaborators.through.objects.filter(
            user=filters.requester
        ).values("foiarequest_id")
        requests = requests.filter(Q(requester=filters.requester) | Q(pk__in=shared))
    if filters.overdue:
        requests = requests.overdue(today=today)
    if filters.due_within is not None:
        requests = requests.due_within(days=filters.due_within, today=today)
    if filters.clarification_asked:
        requests = requests.clarification_asked()
    if filters.appeal_window_within is not None:
        requests = requests.appeal_window_closing(
            days=filters.appeal_window_within, today=today
        )
    if filters.appeals_pending:
        requests = requests.appeals_pending()
    if filters.may_go_to_court:
        requests = requests.may_go_to_court(today=today)
    if filters.tag:
        tagged = FoiaRequest.objects.filter(tags__name__iexact=filters.tag)
        requests = requests.filter(pk__in=tagged.values("pk"))
    if filters.text:
        words = filters.text.split()
        for word in words:
            matches = FoiaRequest.objects.filter(
                Q(title__icontains=word)
                | Q(body__icontains=word)
                | Q(tracking_numbers__number__icontains=word)
            ).values("pk")
            requests = requests.filter(pk__in=matches)
    _label, order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    return (
        requests.select_related("agency", "agency__jurisdiction", "requester")
        .prefetch_related(
            "tags",
            Prefetch(
                "tracking_numbers",
                queryset=TrackingNumber.objects.filter(is_current=True),
                to_attr="current_tracking_numbers",
            ),
        )
        .order_by(*order)
    )


class IdFirstPaginator(Paginator):
    """Pages of a sorted list: the page's ids are sorted alone, then only the rows
    of the page are read (with their joins and prefetches).

    Sorting every matching row whole, with its agency, jurisdiction and
    requester, to keep fifty is what makes a long list slow; a narrow query on
    ids is answered from the indexes or sorts little. Needs an ordered queryset.
    """

    def _get_page(self, object_list, number, paginator):
        ids = list(object_list.values_list("pk", flat=True))
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids)}
        return super()._get_page(
            [rows[pk] for pk in ids if pk in rows], number, paginator
        )


def overdue(*, user, today: date | None = None) -> QuerySet[FoiaRequest]:
    """Requests ``user`` may see whose agency missed its deadline, oldest first."""
    return request_list(
        user=user, filters=RequestFilters(overdue=True, sort="due"), today=today
    )


def due_soon(
    *, user, days: int = 7, today: date | None = None
) -> QuerySet[FoiaRequest]:
    """Requests ``user`` may see that fall due within ``days`` days."""
    return request_list(
        user=user, filters=RequestFilters(due_within=days, sort="due"), today=today
    )


def request_for_user(*, user, pk: int) -> FoiaRequest:
    """The request, if ``user`` may see it; 404 otherwise, whether or not it exists."""
    return get_object_or_404(
        FoiaRequest.objects.visible_to(user).select_related(
            "agency",
            "agency__jurisdiction",
            "agency__parent",
            "requester",
            "parent",
        ),
        pk=pk,
    )


def requesters_for(user) -> QuerySet:
    """People whose requests ``user`` can see, for the list's requester filter.

    EXISTS per person: SQLite answers it on the requester index, stopping at
    each person's first visible request, instead of reading every visible one
    (PostgreSQL plans it as the semi-join it is).
    """
    visible = FoiaRequest.objects.visible_to(user).filter(requester=OuterRef("pk"))
    return get_user_model().objects.filter(Exists(visible)).order_by("username")


def request_timeline(*, request: FoiaRequest) -> QuerySet[RequestEvent]:
    return request.events.select_related("actor").order_by("at", "pk")


def open_toll(request: FoiaRequest) -> Toll | None:
    return request.tolls.filter(answered_on__isnull=True).first()


# --- Deadlines panel ---------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineRow:
    key: str
    label: str
    due: date | None
    countdown: str = ""
    state: str = ""  # overdue, soon, done, muted, or empty
    citation: str = ""
    note: str = ""
    current: bool = False


def countdown(
    due: date, *, today: date, calendar: deadlines.Calendar, unit: str
) -> tuple[str, str]:
    """("due in 4 working days", "") or ("overdue by 3 days", "overdue")."""
    if due < today:
        days = (today - due).days
        return f"overdue by {days} day{'s' if days != 1 else ''}", "overdue"
    if due == today:
        return "due today", "soon"
    if unit == "business":
        days = calendar.working_days_between(today, due)
        text = f"due in {days} working day{'s' if days != 1 else ''}"
    else:
        days = (due - today).days
        text = f"due in {days} day{'s' if days != 1 else ''}"
    return text, "soon" if days <= 3 else ""


def _met(answered: date, due: date) -> tuple[str, str]:
    if answered <= due:
        return f"met: answered {answered}", "done"
    late = (answered - due).days
    return f"missed: answered {answered}, {late} day{'s' if late != 1 else ''} late", (
        "overdue"
    )


def deadline_panel(
    *, request: FoiaRequest, today: date | None = None
) -> list[DeadlineRow]:
    """The deadlines of ``request`` that exist so far, with countdowns."""
    from foia.services import compute_request_deadlines

    today = today or timezone.localdate()
    jurisdiction = request.agency.jurisdiction
    citations = jurisdiction.citations or {}
    calendar = deadlines.Calendar(jurisdiction.holiday_rules())
    awaiting = request.status in AWAITING_AGENCY
    rows: list[DeadlineRow] = []

    if jurisdiction.acknowledge_days is not None and request.received_on:
        found = compute_request_deadlines(request)
        if found.acknowledgement_due:
            if request.acknowledged_on:
                text, state = _met(request.acknowledged_on, found.acknowledgement_due)
            elif request.status in (Status.SUBMITTED,):
                text, state = countdown(
                    found.acknowledgement_due,
                    today=today,
                    calendar=calendar,
                    unit=jurisdiction.acknowledge_unit,
                )
            else:
                text, state = "", "muted"
            rows.append(
                DeadlineRow(
                    "acknowledgement_due",
                    "Acknowledgement due",
                    found.acknowledgement_due,
                    text,
                    state,
                    citations.get("acknowledge", ""),
                )
            )

    if request.expedite_decision_due and request.expedited != Decision.NOT_REQUESTED:
        if request.expedited == Decision.REQUESTED and awaiting:
            text, state = countdown(
                request.expedite_decision_due,
                today=today,
                calendar=calendar,
                unit="calendar",
            )
        elif request.expedited == Decision.REQUESTED:
            text, state = "", "muted"  # answered before deciding on speed
        else:
            text = f"expedited processing {request.get_expedited_display().lower()}"
            state = "done"
        rows.append(
            DeadlineRow(
                "expedite_decision_due",
                "Expedite decision due",
                request.expedite_decision_due,
                text,
                state,
                citations.get("expedite", ""),
            )
        )

    if request.received_on and jurisdiction.response_days is None:
        rows.append(
            DeadlineRow(
                "response_due",
                "Response due",
                None,
                "",
                "muted",
                citations.get("response", ""),
                f"{jurisdiction.name} sets no fixed deadline.",
            )
        )
    unusual = request.unusual_circumstances
    for key, label, due, in_effect, unit, citation in (
        (
            "response_due",
            "Response due",
            request.response_due,
            not unusual,
            jurisdiction.response_unit,
            citations.get("response", ""),
        ),
        (
            "extended_due",
            "Extended due",
            request.extended_due,
            unusual,
            jurisdiction.extension_unit,
            citations.get("extension", ""),
        ),
    ):
        if due is None:
            continue
        note = ""
        if key == "extended_due":
            note = (
                "in effect: the agency invoked unusual circumstances"
                if unusual
                else "applies if the agency invokes unusual circumstances"
            )
        elif unusual:
            note = "replaced by the extended date"
        if request.determined_on and in_effect:
            text, state = _met(request.determined_on, due)
        elif awaiting and in_effect and request.current_due:
            text, state = countdown(due, today=today, calendar=calendar, unit=unit)
        else:
            text, state = "", "muted"
        rows.append(
            DeadlineRow(
                key,
                label,
                due,
                text,
                state,
                citation,
                note,
                current=in_effect and request.current_due == due,
            )
        )

    if request.appeal_filing_due:
        filed = request.appeals.order_by("-filed_on").first()
        if filed is not None and filed.filed_on >= (
            request.adverse_on or filed.filed_on
        ):
            text, state = f"appeal filed {filed.filed_on}", "done"
        elif request.status in (*ADVERSE, Status.CLOSED):
            text, state = countdown(
                request.appeal_filing_due,
                today=today,
                calendar=calendar,
                unit=jurisdiction.appeal_filing_unit,
            )
            if state == "overdue":
                text = f"window closed {request.appeal_filing_due}"
        else:
            text, state = "", "muted"
        rows.append(
            DeadlineRow(
                "appeal_filing_due",
                "Appeal filing due",
                request.appeal_filing_due,
                text,
                state,
                citations.get("appeal_filing", ""),
            )
        )

    for appeal in request.appeals.all():
        for key, label, due, in_effect in (
            (
                "appeal_decision_due",
                "Appeal decision due",
                appeal.decision_due,
                not appeal.unusual_circumstances,
            ),
            (
                "appeal_decision_extended_due",
                "Appeal decision due, extended",
                appeal.decision_extended_due,
                appeal.unusual_circumstances,
            ),
        ):
            if due is None:
                continue
            if not appeal.is_pending:
                if in_effect and appeal.decided_on:
                    text, state = _met(appeal.decided_on, due)
                    text = f"{appeal.get_outcome_display().lower()}; {text}"
                else:
                    text, state = "", "muted"
            elif in_effect:
                text, state = countdown(
                    due,
                    today=today,
                    calendar=calendar,
                    unit=jurisdiction.appeal_decision_unit,
                )
            else:
                text, state = "applies if the appeals office extends", "muted"
            rows.append(
                DeadlineRow(
                    key,
                    f"{label} (appeal of {appeal.filed_on})",
                    due,
                    text,
                    state,
                    citations.get(
                        "appeal_decision"
                        if key == "appeal_decision_due"
                        else "appeal_extension",
                        "",
                    ),
                    current=appeal.is_pending and in_effect,
                )
            )
    return rows


def court_notice(*, request: FoiaRequest, today: date | None = None) -> list[str]:
    """Why the requester may now go to court, in plain words; empty if not."""
    today = today or timezone.localdate()
    reasons: list[str] = []
    federal = request.agency.jurisdiction.code == "US"
    if request.may_go_to_court:
        line = (
            f"The agency missed its deadline of {request.current_due:%B %-d, %Y} "
            "without a determination."
        )
        if federal:
            line += (
                " Under 5 U.S.C. 552(a)(6)(C)(i) you are deemed to have exhausted "
                "your administrative remedies."
            )
        else:
            line += (
                f" Check whether {request.agency.jurisdiction.name} asks for an "
                "administrative appeal first."
            )
        reasons.append(line)
    for appeal in request.appeals.all():
        if appeal.is_overdue:
            reasons.append(
                "The appeal decision was due "
                f"{appeal.current_decision_due:%B %-d, %Y} and has not come."
            )
        elif appeal.outcome in (AppealOutcome.DENIED, AppealOutcome.PARTLY_GRANTED):
            reasons.append(
                f"The appeal was {appeal.get_outcome_display().lower()} on "
                f"{appeal.decided_on:%B %-d, %Y}."
            )
            break
    return reasons


# --- Agencies ----------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyStats:
    requests: int
    awaiting: int
    overdue: int
    median_days_to_acknowledgement: float | None
    mean_days_to_acknowledgement: float | None
    median_days_to_determination: float | None
    mean_days_to_determination: float | None
    determined: int
    on_time: int

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.determined if self.determined else None

    @property
    def on_time_percent(self) -> int | None:
        share = self.on_time_share
        return None if share is None else round(100 * share)


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _mean(values: list[int]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def agency_stats(
    *, agency: Agency, user, include_components: bool = True, today: date | None = None
) -> AgencyStats:
    """How long ``agency`` takes, over the requests ``user`` may see.

    Days are calendar days from receipt; a determination is on time when it came
    by the due date in effect (the extended one if the agency invoked it).
    """
    today = today or timezone.localdate()
    ids = _descendant_ids(agency) if include_components else [agency.pk]
    requests = FoiaRequest.objects.visible_to(user).filter(agency__in=ids)
    rows = list(
        requests.values(
            "status",
            "received_on",
            "acknowledged_on",
            "determined_on",
            "response_due",
            "extended_due",
            "unusual_circumstances",
            "current_due",
        )
    )
    to_ack, to_determination = [], []
    determined = on_time = awaiting = overdue_count = 0
    for row in rows:
        received = row["received_on"]
        if row["status"] in AWAITING_AGENCY:
            awaiting += 1
        if (
            row["status"] in AWAITING_AGENCY
            and row["current_due"]
            and row["current_due"] < today
        ):
            overdue_count += 1
        if received and row["acknowledged_on"]:
            to_ack.append((row["acknowledged_on"] - received).days)
        if received and row["determined_on"]:
            to_determination.append((row["determined_on"] - received).days)
            due = (
                row["extended_due"]
                if row["unusual_circumstances"] and row["extended_due"]
                else row["response_due"]
            )
            if due is not None:
                determined += 1
                on_time += row["determined_on"] <= due
    return AgencyStats(
        requests=len(rows),
        awaiting=awaiting,
        overdue=overdue_count,
        median_days_to_acknowledgement=_median(to_ack),
        mean_days_to_acknowledgement=_mean(to_ack),
        median_days_to_determination=_median(to_determination),
        mean_days_to_determination=_mean(to_determination),
        determined=determined,
        on_time=on_time,
    )


@dataclass
class AgencyNode:
    agency: Agency
    depth: int
    open_requests: int


def agency_directory(
    *, user, text: str = ""
) -> list[tuple[Jurisdiction, list[AgencyNode]]]:
    """Agencies grouped by jurisdiction, parents before their components, with
    the number of open requests ``user`` can see at each."""
    visible = FoiaRequest.objects.visible_to(user).open().values("pk")
    agencies = list(
        Agency.objects.select_related("jurisdiction")
        .annotate(
            open_requests=Count(
                "requests", filter=Q(requests__in=visible), distinct=True
            )
        )
        .order_by("name")
    )
    if text:
        needle = text.lower()
        keep = {
            a.pk
            for a in agencies
            if needle in a.name.lower() or needle in a.abbreviation.lower()
        }
        by_pk = {a.pk: a for a in agencies}
        for pk in list(keep):  # keep the parents so the tree still reads
            parent_id = by_pk[pk].parent_id
            while parent_id and parent_id not in keep:
                keep.add(parent_id)
                parent_id = by_pk[parent_id].parent_id
        agencies = [a for a in agencies if a.pk in keep]
    present = {a.pk for a in agencies}
    children: dict[int | None, list[Agency]] = {}
    for agency in agencies:
        parent = agency.parent_id if agency.parent_id in present else None
        children.setdefault(parent, []).append(agency)
    groups: dict[int, tuple[Jurisdiction, list[AgencyNode]]] = {}

    def walk(agency: Agency, depth: int) -> None:
        jurisdiction = agency.jurisdiction
        group = groups.setdefault(jurisdiction.pk, (jurisdiction, []))
        group[1].append(AgencyNode(agency, depth, agency.open_requests))
        for child in children.get(agency.pk, []):
            walk(child, depth + 1)

    for root in children.get(None, []):
        walk(root, 0)
    return sorted(groups.values(), key=lambda pair: pair[0].code)


def agency_requests(*, agency: Agency, user) -> QuerySet[FoiaRequest]:
    """Requests ``user`` may see at ``agency`` and its components."""
    return request_list(user=user, filters=RequestFilters(agency=agency, sort="-filed"))


# --- Embargoes and the public page -------------------------------------------------


@dataclass(frozen=True)
class EmbargoNotice:
    """An embargo about to lift, and who will see the request once it has."""

    lifts_on: date
    audience: str


EMBARGO_AUDIENCES = {
    "newsroom": "everyone signed in to the newsroom",
    "public": "anyone, including signed-out visitors of the public page",
}


def embargoes_lifting(
    *, today: date | None = None, days: int | None = None
) -> QuerySet[FoiaRequest]:
    """Requests whose embargo lifts within ``days`` days (EMBARGO_WARNING_DAYS by
    default) and exposes something when it does.

    An embargo lifts on its date (``visible_to`` shows the request from that day),
    so one dated ``today`` or earlier has lifted already. Drafts and private
    requests stay hidden after the date: nothing to warn about.
    """
    from datetime import timedelta

    from django.conf import settings

    from foia.models import Visibility

    today = today or timezone.localdate()
    days = settings.EMBARGO_WARNING_DAYS if days is None else days
    return (
        FoiaRequest.objects.filter(
            embargo_until__gt=today, embargo_until__lte=today + timedelta(days=days)
        )
        .exclude(status=Status.DRAFT)
        .exclude(visibility=Visibility.PRIVATE)
    )


def embargo_notice(
    *, request: FoiaRequest, today: date | None = None
) -> EmbargoNotice | None:
    """The warning the request page shows while the embargo is about to lift."""
    if request.embargo_until is None:
        return None
    if not embargoes_lifting(today=today).filter(pk=request.pk).exists():
        return None
    return EmbargoNotice(
        lifts_on=request.embargo_until,
        audience=EMBARGO_AUDIENCES.get(request.visibility, "more people"),
    )


def public_requests() -> QuerySet[FoiaRequest]:
    """What the public page lists: exactly what a signed-out visitor may see
    (public, filed, embargo passed), newest filed first."""
    from django.contrib.auth.models import AnonymousUser

    return (
        FoiaRequest.objects.visible_to(AnonymousUser())
        .select_related("agency", "agency__jurisdiction")
        .order_by(F("filed_on").desc(nulls_last=True), "-pk")
    )


def public_request(*, pk: int) -> FoiaRequest:
    """A request of the public page; 404 for anything a visitor may not see."""
    return get_object_or_404(public_requests(), pk=pk)


def public_communications(*, request: FoiaRequest) -> QuerySet:
    """The public timeline: when each message went which way and what kind it
    was. Internal notes are left out; subjects and bodies are never shown (they
    carry names, addresses and the newsroom's own words)."""
    from foia.models import CommunicationKind

    return (
        request.communications.exclude(kind=CommunicationKind.NOTE)
        .only("pk", "request_id", "direction", "kind", "sent_on", "created_at")
        .order_by("sent_on", "created_at", "pk")
    )


def public_documents(*, request: FoiaRequest) -> QuerySet:
    """The request's finished documents, as a signed-out visitor may see them."""
    from django.contrib.auth.models import AnonymousUser

    from documents.models import Document
    from documents.selectors import document_list_for_request

    return document_list_for_request(request_obj=request, user=AnonymousUser()).filter(
        state=Document.State.DONE
    )
