"""Reads for the desk: counts and lists, agency performance, calendar deadlines.

Every request read starts from ``FoiaRequest.objects.visible_to(user)`` (or, on a
reporter's desk, from their own requests, which that method always shows them)
and every document read from ``Document.objects.visible_to(user)``: a request
the user may not see is never counted, listed, charted or put in a feed.

Query counts do not depend on the number of rows: lists are sliced, and
distributions are grouped in the database (one row per distinct number of days).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    When,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.lookups import IsNull, Lookup
from django.utils import timezone

from documents.models import Document, Page
from foia import roles
from foia.exemptions import exemption_citation
from foia.models import (
    ADVERSE,
    AWAITING_AGENCY,
    OPEN_STATUSES,
    WAITING_ON_US,
    Agency,
    Appeal,
    AppealOutcome,
    FoiaRequest,
    FoiaRequestQuerySet,
    Jurisdiction,
    Status,
    appeal_exhausted_condition,
    appealed_or_asked_condition,
    appeals_pending_condition,
    clarification_asked_condition,
)

# Who sees what on the desk.
NEWSROOM = "newsroom"  # editors and admins: every request
OWN = "own"  # reporters: requests they file or collaborate on
DOCUMENTS = "documents"  # researchers: documents only

DUE_SOON_DAYS = 7
APPEAL_WINDOW_DAYS = 14
RECENT_DOCUMENT_DAYS = 7
LIST_LIMIT = 10

# Days overdue, as the desk groups them: (label, first day, last day or None).
OVERDUE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1–10 days", 1, 10),
    ("11–30 days", 11, 30),
    ("31–90 days", 31, 90),
    ("over 90 days", 91, None),
)

# Days to a final response, as the histogram groups them.
RESPONSE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0–10", 0, 10),
    ("11–20", 11, 20),
    ("21–30", 21, 30),
    ("31–60", 31, 60),
    ("61–90", 61, 90),
    ("91–180", 91, 180),
    ("181–365", 181, 365),
    ("over 365", 366, None),
)

OUTCOMES: tuple[tuple[str, str], ...] = (
    ("full", "Full release"),
    ("partial", "Partial"),
    ("denied", "Denied"),
    ("no_records", "No records"),
)
OUTCOME_OF_STATUS: dict[str, str] = {
    Status.DONE: "full",
    Status.PARTIALLY_RELEASED: "partial",
    Status.PARTIALLY_DENIED: "partial",
    Status.DENIED: "denied",
    Status.NO_RECORDS: "no_records",
}


# ---------------------------------------------------------------------------
# Scope


def desk_scope(user) -> str:
    """NEWSROOM for editors and admins, DOCUMENTS for researchers, else OWN."""
    if user.is_superuser:
        return NEWSROOM
    names = roles.names_of(user)
    if names & {roles.EDITOR, roles.ADMIN}:
        return NEWSROOM
    if roles.RESEARCHER in names and roles.REPORTER not in names:
        return DOCUMENTS
    return OWN


def own_requests(user) -> QuerySet[FoiaRequest]:
    """Requests ``user`` files or collaborates on.

    ``FoiaRequest.objects.visible_to`` shows people their own requests whatever
    their visibility, draft state or embargo, so these are a subset of it; read
    through the two indexed columns rather than intersected with the newsroom's
    visibility rules, which cost a scan of every request per list on the desk.
    tests/desk/test_selectors.py holds the subset property.

    On PostgreSQL "requester = X OR id = ANY(ARRAY(collaborations))", which it
    answers from the two indexes at once (a BitmapOr); "id IN (union)" or
    "requester = X OR id IN (collaborations)" scan every request instead.
    SQLite answers the union from the indexes, but not the OR.
    """
    if connection.vendor == "postgresql":
        shared = FoiaRequest.collaborators.through.objects.filter(user=user)
        return FoiaRequest.objects.filter(
            Q(requester=user) | Q(_AmongIds(F("pk"), shared.values("foiarequest_id")))
        )
    return FoiaRequest.objects.filter(pk__in=own_request_ids(user))


class _AmongIds(Lookup):
    """``lhs = ANY(ARRAY(subquery))`` (PostgreSQL): the subquery is read once
    into an array, which an index scan on ``lhs`` can take."""

    lookup_name = "among_ids"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]


def own_request_ids(user) -> RawSQL:
    """The ids of ``own_requests(user)``, as a subquery for ``request__in`` on
    other tables (and for ``pk__in`` on SQLite): a UNION of the two index
    lookups, which both databases read once into a hash or a temporary index.
    """
    through = FoiaRequest.collaborators.through._meta
    requests = FoiaRequest._meta
    quote = connection.ops.quote_name
    # Only identifiers from the models' metadata go into the text; the user's
    # id is a parameter.
    union = _OWN_UNION.format(
        id=quote(requests.pk.column),
        requests=quote(requests.db_table),
        requester=quote(requests.get_field("requester").column),
        request=quote(through.get_field("foiarequest").column),
        collaborators=quote(through.db_table),
        user=quote(through.get_field("user").column),
    )
    return RawSQL(union, [user.pk, user.pk])  # noqa: S611


_OWN_UNION = (
    "SELECT {id} FROM {requests} WHERE {requester} = %s "
    "UNION SELECT {request} FROM {collaborators} WHERE {user} = %s"
)


def desk_requests(user, scope: str | None = None) -> QuerySet[FoiaRequest]:
    """The requests the desk of ``user`` counts."""
    scope = scope or desk_scope(user)
    if scope == NEWSROOM:
        return FoiaRequest.objects.visible_to(user)
    if scope == OWN:
        return own_requests(user)
    return FoiaRequest.objects.none()


def desk_request_ids(user, scope: str | None = None) -> RawSQL | QuerySet | None:
    """The ids of ``desk_requests(user, scope)`` for ``request__in`` on other
    tables; None when that is every request, so no condition is needed.

    On a reporter's desk, the union of ``own_request_ids`` itself:
    ``own_requests(user).values("pk")`` would wrap it in a read of the request
    table, which PostgreSQL answers by scanning every request.
    """
    scope = scope or desk_scope(user)
    if scope == OWN:
        return own_request_ids(user)
    requests = desk_requests(user, scope)
    if requests.query.has_filters() or requests.query.is_empty():
        return requests.values("pk")
    return None


def desk_documents(user, scope: str | None = None) -> QuerySet[Document]:
    """Documents of the desk: all ``user`` may see, or on a reporter's desk those
    of their own requests and their own uploads without a request (both a
    subset of ``Document.objects.visible_to``)."""
    scope = scope or desk_scope(user)
    if scope == OWN:
        return Document.objects.filter(
            Q(request__in=own_request_ids(user))
            | Q(request__isnull=True, uploaded_by=user)
        )
    return Document.objects.visible_to(user)


# ---------------------------------------------------------------------------
# Desk lists: one definition per kind serves the counts, the desk's first rows,
# the full paged list, CSV and the API.


# Each request list is a condition on a request and an order. Most conditions
# are a ``StatusWindow``: some statuses, and for some a range of due dates. The
# desk counts all of those in one query grouped by status, which the
# (status, current_due) index answers alone. The others are the queryset methods
# the request list filters with (``FoiaRequestQuerySet.clarification_asked``,
# ``.appeal_window_closing``, ``.may_go_to_court``), so a desk number and the
# list it links to count the same rows; they refer to other tables only through
# uncorrelated ``pk__in`` subqueries.


@dataclass(frozen=True)
class StatusWindow:
    """Requests in ``statuses`` whose current due date is between ``after`` and
    ``before`` days from today (inclusive; ``None``: no bound)."""

    statuses: tuple[str, ...]
    after: int | None = None
    before: int | None = None

    @property
    def bounded(self) -> bool:
        return self.after is not None or self.before is not None

    def due_condition(self, today: date, *, prefix: str = "") -> Q:
        """The due-date bounds, on ``prefix`` + ``current_due`` (``prefix``: the
        path to the request from another model, such as ``"foiarequest__"``)."""
        condition = Q()
        if self.after is not None:
            condition &= Q(
                **{f"{prefix}current_due__gte": today + timedelta(days=self.after)}
            )
        if self.before is not None:
            condition &= Q(
                **{f"{prefix}current_due__lte": today + timedelta(days=self.before)}
            )
        return condition

    def condition(self, today: date) -> Q:
        return Q(status__in=self.statuses) & self.due_condition(today)


OPEN = StatusWindow(OPEN_STATUSES)
# As FoiaRequestQuerySet.overdue() and .due_within(days=DUE_SOON_DAYS).
OVERDUE = StatusWindow(AWAITING_AGENCY, before=-1)
DUE_SOON = StatusWindow(AWAITING_AGENCY, after=0, before=DUE_SOON_DAYS)
WAITING = StatusWindow(WAITING_ON_US)


def _clarification(requests: FoiaRequestQuerySet, today: date) -> FoiaRequestQuerySet:
    return requests.clarification_asked()


def _appeal_window(requests: FoiaRequestQuerySet, today: date) -> FoiaRequestQuerySet:
    return requests.appeal_window_closing(days=APPEAL_WINDOW_DAYS, today=today)


def _court(requests: FoiaRequestQuerySet, today: date) -> FoiaRequestQuerySet:
    return requests.may_go_to_court(today=today)


# What an appeal row shows (the desk, its list page, CSV, the API, the digest).
_APPEAL_ROW_FIELDS = (
    "id",
    "request_id",
    "filed_on",
    "decision_due",
    "decision_extended_due",
    "unusual_circumstances",
    "outcome",
    "request__title",
    "request__agency__name",
    "request__agency__abbreviation",
    "request__requester__username",
)


def pending_appeals(
    request_ids: RawSQL | QuerySet | None, today: date
) -> QuerySet[Appeal]:
    """The pending appeals of the requests whose ids are ``request_ids`` (a
    subquery, or None for every request, ``desk_request_ids``): one for each of
    their ``appeals_pending()`` (the appeal service refuses a second while one
    is pending)."""
    appeals = Appeal.objects.pending()
    if request_ids is not None:
        appeals = appeals.filter(request__in=request_ids)
    return (
        appeals.with_decision_due()
        .select_related("request", "request__agency", "request__requester")
        .only(*_APPEAL_ROW_FIELDS)
        .order_by(F("due").asc(nulls_last=True), "pk")
    )


def _recently_processed(today: date) -> Q:
    since = timezone.make_aware(
        datetime.combine(
            today - timedelta(days=RECENT_DOCUMENT_DAYS), datetime.min.time()
        )
    )
    return Q(state=Document.State.DONE, processed_at__gte=since)


def recent_documents(documents: QuerySet[Document], today: date) -> QuerySet[Document]:
    return documents.filter(_recently_processed(today)).order_by("-processed_at", "-pk")


def failed_documents(documents: QuerySet[Document], today: date) -> QuerySet[Document]:
    return documents.filter(state=Document.State.FAILED).order_by("-created_at", "-pk")


@dataclass(frozen=True)
class DeskList:
    kind: str
    title: str
    model: str  # "request", "appeal" or "document"
    # Request lists: the condition, a window or (requests, today) -> requests,
    # and the order; others: (base, today) -> QuerySet, where base is the ids
    # of the desk's requests for appeals (``desk_request_ids``) and the desk's
    # documents for documents.
    condition: Callable[[FoiaRequestQuerySet, date], QuerySet] | StatusWindow | None = (
        None
    )
    order: tuple = ()
    build: Callable | None = None
    # Query parameters of the request list (/requests/) that select the same rows,
    # or None when that list has no such filter.
    request_list_params: dict[str, str] | None = None
    description: str = ""

    @property
    def window(self) -> StatusWindow | None:
        return self.condition if isinstance(self.condition, StatusWindow) else None

    def select(self, requests: FoiaRequestQuerySet, today: date) -> QuerySet:
        """The rows of ``requests`` this list holds (a request list)."""
        if self.window is not None:
            return requests.filter(self.window.condition(today))
        return self.condition(requests, today)


_BY_DUE = (F("current_due").asc(nulls_last=True), "pk")
_RECENT = ("-updated_at", "-pk")

DESK_LISTS: dict[str, DeskList] = {
    item.kind: item
    for item in (
        DeskList(
            "open",
            "Open requests",
            "request",
            OPEN,
            _BY_DUE,
            request_list_params={"status": "open"},
        ),
        DeskList(
            "overdue",
            "Overdue",
            "request",
            OVERDUE,
            ("current_due", "pk"),
            request_list_params={"overdue": "1"},
            description="The agency's determination is past due.",
        ),
        DeskList(
            "due_soon",
            f"Due within {DUE_SOON_DAYS} days",
            "request",
            DUE_SOON,
            ("current_due", "pk"),
            request_list_params={"due_within": str(DUE_SOON_DAYS)},
        ),
        DeskList(
            "waiting_on_us",
            "Waiting on us",
            "request",
            WAITING,
            _RECENT,
            request_list_params={"status": "waiting_on_us"},
            description="The agency needs something from the newsroom: a fix or "
            "clarification, or a payment.",
        ),
        DeskList(
            "fix_required",
            "Fix required",
            "request",
            StatusWindow((Status.FIX_REQUIRED,)),
            _RECENT,
            request_list_params={"status": Status.FIX_REQUIRED},
        ),
        DeskList(
            "payment_required",
            "Payment required",
            "request",
            StatusWindow((Status.PAYMENT_REQUIRED,)),
            _RECENT,
            request_list_params={"status": Status.PAYMENT_REQUIRED},
        ),
        DeskList(
            "clarification",
            "Clarification asked",
            "request",
            _clarification,
            _RECENT,
            request_list_params={"clarification_asked": "1"},
            description="The agency stopped the clock to ask for information; "
            "answer to restart it.",
        ),
        DeskList(
            "appeal_windows",
            f"Appeal windows closing within {APPEAL_WINDOW_DAYS} days",
            "request",
            _appeal_window,
            ("appeal_filing_due", "pk"),
            request_list_params={"appeal_window_within": str(APPEAL_WINDOW_DAYS)},
        ),
        DeskList(
            "appeals_pending",
            "Appeals pending",
            "appeal",
            build=pending_appeals,
            request_list_params={"appeals_pending": "1"},
        ),
        DeskList(
            "court",
            "May go to court",
            "request",
            _court,
            _BY_DUE,
            request_list_params={"may_go_to_court": "1"},
            description="Administrative remedies are exhausted: the deadline or "
            "the appeal decision date passed, or the appeal was lost.",
        ),
        DeskList(
            "documents_processed",
            f"Documents processed in the last {RECENT_DOCUMENT_DAYS} days",
            "document",
            build=recent_documents,
        ),
        DeskList(
            "documents_failed",
            "Documents that failed",
            "document",
            build=failed_documents,
        ),
    )
}
REQUEST_KINDS = tuple(k for k, v in DESK_LISTS.items() if v.model == "request")

# What a request row on the desk shows; the sorter then carries narrow rows.
_REQUEST_ROW_FIELDS = (
    "id",
    "title",
    "status",
    "current_due",
    "appeal_filing_due",
    "updated_at",
    "agency__name",
    "agency__abbreviation",
    "requester__username",
    "requester__first_name",
    "requester__last_name",
)


# What a document row shows (the desk, its list page, CSV, the API, the digest).
_DOCUMENT_ROW_FIELDS = (
    "id",
    "title",
    "request_id",
    "state",
    "page_count",
    "error_reason",
    "created_at",
    "processed_at",
)


def _list_from(
    definition: DeskList,
    today: date,
    *,
    requests: QuerySet[FoiaRequest] | None = None,
    request_ids: RawSQL | QuerySet | None = None,
    documents: QuerySet[Document] | None = None,
) -> QuerySet:
    """Every row of one list: of ``documents`` for a list of documents, of the
    requests whose ids are ``request_ids`` (``desk_request_ids``) for appeals,
    else of ``requests``."""
    if definition.model == "document":
        return definition.build(documents, today).only(*_DOCUMENT_ROW_FIELDS)
    if definition.model == "appeal":
        return definition.build(request_ids, today)
    queryset = (
        definition.select(requests, today)
        .select_related("agency", "requester")
        .order_by(*definition.order)
    )
    if definition.kind == "court":
        queryset = queryset.prefetch_related("appeals")
    return queryset


def first_rows(queryset: QuerySet, limit: int) -> list:
    """The first ``limit`` rows; with joined tables, ordered on ids alone before
    the rows are read.

    Sorting every row with its joins to keep ten is what makes long lists slow
    (PostgreSQL joins every pending appeal to its request, agency and requester
    before sorting); the inner query sorts the ids of one table only.
    """
    if not queryset.query.select_related:
        return list(queryset[:limit])
    return list(queryset.filter(pk__in=queryset.values("pk")[:limit]))


def _ordered_ids(
    requests: QuerySet[FoiaRequest], definition: DeskList, today: date
) -> QuerySet:
    """The ids of a request list in its order: a narrow query that indexes can
    answer, where sorting whole rows with their joins would be slow."""
    return (
        definition.select(requests, today)
        .order_by(*definition.order)
        .values_list("pk", flat=True)
    )


def _request_rows(
    ids: dict[str, list[int]], wanted: set[str], limit: int
) -> dict[str, list[FoiaRequest]]:
    """The rows of every request list, read in one query (and the court list's
    appeals in one more)."""
    every = {pk for kind, found in ids.items() if kind in wanted for pk in found}
    rows = {
        row.pk: row
        for row in FoiaRequest.objects.only(*_REQUEST_ROW_FIELDS)
        .select_related("agency", "requester")
        .filter(pk__in=every)
    }
    lists = {
        kind: [rows[pk] for pk in found if pk in rows]
        for kind, found in ids.items()
        if kind in wanted
    }
    if "court" in lists:
        court = sorted(set(lists["court"]), key=_due_order)[:limit]
        prefetch_related_objects(
            [row for row in court if row.status not in AWAITING_AGENCY], "appeals"
        )
        lists["court"] = court
    return lists


def _due_order(row: FoiaRequest) -> tuple:
    """The court list's order (current due date, empty last; then id), in Python."""
    return (row.current_due is None, row.current_due or date.min, row.pk)


# Lists whose rows are few by nature (a two-week window): one query reads their
# ids, which gives the count and the first page at once.
_FEW_ROWS = ("appeal_windows",)


def desk_list(
    user, kind: str, *, today: date | None = None, scope: str | None = None
) -> QuerySet:
    """Every row of one desk list, ready to page: KeyError for an unknown kind."""
    definition = DESK_LISTS[kind]
    today = today or timezone.localdate()
    scope = scope or desk_scope(user)
    if definition.model == "document":
        return _list_from(definition, today, documents=desk_documents(user, scope))
    if definition.model == "appeal":
        return _list_from(definition, today, request_ids=desk_request_ids(user, scope))
    return _list_from(definition, today, requests=desk_requests(user, scope))


def annotate_rows(rows: Iterable, today: date) -> list:
    """Attach what a list row shows: ``days_overdue`` and ``days_left`` (against
    the agency's due date, only while the agency owes a determination, or an
    appeal's decision date), ``appeal_days_left``, and for requests whose appeals
    were loaded (the court list), ``court_reason``."""
    rows = list(rows)
    for row in rows:
        due = None
        if isinstance(row, Appeal):
            due = row.due
        elif isinstance(row, FoiaRequest):
            row.awaiting = row.status in AWAITING_AGENCY
            due = row.current_due if row.awaiting else None
            if row.appeal_filing_due:
                row.appeal_days_left = (row.appeal_filing_due - today).days
            if row.awaiting or "appeals" in getattr(
                row, "_prefetched_objects_cache", {}
            ):
                row.court_reason = _court_reason(row, today)
        row.days_overdue = (today - due).days if due and due < today else 0
        row.days_left = (due - today).days if due and due >= today else None
    return rows


def _court_reason(request: FoiaRequest, today: date) -> str:
    if request.status in AWAITING_AGENCY and request.current_due:
        days = (today - request.current_due).days
        return f"deadline passed {days} day{'s' if days != 1 else ''} ago"
    for appeal in request.appeals.all():
        due = appeal.current_decision_due
        if appeal.is_pending and due and due < today:
            days = (today - due).days
            return f"appeal decision {days} day{'s' if days != 1 else ''} late"
        if appeal.outcome in (AppealOutcome.DENIED, AppealOutcome.PARTLY_GRANTED):
            return f"appeal {appeal.get_outcome_display().lower()}"
    return ""


@dataclass
class LoadRow:
    user_id: int
    username: str
    name: str
    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    waiting_on_us: int = 0
    # Files at least one of these requests (the request list's requester filter
    # only offers people who file requests).
    is_requester: bool = False


@dataclass
class Bucket:
    label: str
    first: int
    last: int | None
    count: int


@dataclass
class DeskSummary:
    scope: str
    today: date
    counts: dict[str, int]
    lists: dict[str, list]
    overdue_buckets: list[Bucket]
    reporter_load: list[LoadRow] = field(default_factory=list)
    follow_ups_waiting: int = 0

    @property
    def shows_requests(self) -> bool:
        return self.scope != DOCUMENTS


def overdue_between(
    queryset: QuerySet[FoiaRequest], today: date, first: int, last: int | None
) -> QuerySet[FoiaRequest]:
    """Narrow an overdue list to ``first``..``last`` days overdue."""
    queryset = queryset.filter(current_due__lte=today - timedelta(days=first))
    if last is not None:
        queryset = queryset.filter(current_due__gte=today - timedelta(days=last))
    return queryset


def person_requests(
    queryset: QuerySet[FoiaRequest], person_id: int
) -> QuerySet[FoiaRequest]:
    """Narrow to requests ``person_id`` files or collaborates on."""
    theirs = FoiaRequest.objects.filter(
        Q(requester_id=person_id) | Q(collaborators=person_id)
    ).values("pk")
    return queryset.filter(pk__in=theirs)


_LOAD_KINDS = ("open", "overdue", "due_soon", "waiting_on_us")


def _bucket_windows() -> dict[str, StatusWindow]:
    return {
        f"bucket_{index}": StatusWindow(
            AWAITING_AGENCY,
            after=None if last is None else -last,
            before=-first,
        )
        for index, (_label, first, last) in enumerate(OVERDUE_BUCKETS)
    }


def _windows() -> dict[str, StatusWindow]:
    """Every count the desk takes from statuses and due dates alone."""
    windows = {
        kind: definition.window
        for kind, definition in DESK_LISTS.items()
        if definition.window is not None
    }
    return {**windows, **_bucket_windows()}


def window_counts(
    requests: QuerySet[FoiaRequest],
    today: date,
    *,
    per: str | None = None,
    names: Iterable[str] | None = None,
) -> dict[int | None, Counter[str]]:
    """The count of each window (of ``names``; all by default), per person
    (``per``: "requester" or "collaborators") or for all (key ``None``): one
    query grouped by status, due dates filtered in the database, statuses
    matched here.

    Without ``per`` the (status, current_due) index answers it alone, per
    requester the (requester, status, current_due) index (so no condition on
    status there: SQLite would then read the rows), and per collaborator the
    collaborations, each joined to its request.
    """
    windows = _windows()
    if names is not None:
        windows = {name: windows[name] for name in names}
    statuses = {status for window in windows.values() for status in window.statuses}
    prefix = ""
    if per == "collaborators":
        rows = FoiaRequest.collaborators.through.objects.all()
        if requests.query.has_filters() or requests.query.is_empty():
            rows = rows.filter(foiarequest__in=requests.values("pk"))
        prefix, fields = "foiarequest__", {"person": F("user")}
    elif per:
        rows, fields = requests, {"person": F(per)}
    else:
        rows, fields = requests.filter(status__in=sorted(statuses)), {}
    bounded = {
        name: Count("pk", filter=window.due_condition(today, prefix=prefix))
        for name, window in windows.items()
        if window.bounded
    }
    groups = (
        rows.values(**fields, group_status=F(f"{prefix}status"))
        .annotate(total=Count("pk"), **bounded)
        .order_by()
    )
    windows_of: dict[str, list[tuple[str, bool]]] = {
        status: [
            (name, window.bounded)
            for name, window in windows.items()
            if status in window.statuses
        ]
        for status in statuses
    }
    counts: dict[int | None, Counter[str]] = {}
    for group in groups:
        found = windows_of.get(group["group_status"])
        if not found:
            continue
        person = group.get("person")
        counter = counts.get(person)
        if counter is None:
            counter = counts[person] = Counter()
        for name, bounded_window in found:
            counter[name] += group[name] if bounded_window else group["total"]
    return counts


def _people(rows: dict[int, LoadRow]) -> list[LoadRow]:
    people = get_user_model().objects.filter(pk__in=list(rows))
    for person in people.only("pk", "username", "first_name", "last_name"):
        row = rows[person.pk]
        row.username = person.get_username()
        row.name = person.get_full_name() or row.username
    return sorted(
        (row for row in rows.values() if row.open),
        key=lambda row: (-row.open, row.username),
    )


def _add_load(
    rows: dict[int, LoadRow],
    per_person: dict[int | None, Counter[str]],
    *,
    is_requester: bool,
) -> None:
    for person, counts in per_person.items():
        if person is None:
            continue
        row = rows.setdefault(person, LoadRow(person, "", ""))
        row.open += counts["open"]
        row.overdue += counts["overdue"]
        row.due_soon += counts["due_soon"]
        row.waiting_on_us += counts["waiting_on_us"]
        row.is_requester = row.is_requester or is_requester


def reporter_load(
    base: QuerySet[FoiaRequest],
    today: date,
    *,
    per_requester: dict[int | None, Counter[str]] | None = None,
) -> list[LoadRow]:
    """Open requests per person (filed or collaborated on), and what needs
    attention among them. Three queries whatever the number of requests (two
    with ``per_requester``, the ``window_counts`` per requester of ``base``)."""
    rows: dict[int, LoadRow] = {}
    if per_requester is None:
        per_requester = window_counts(base, today, per="requester", names=_LOAD_KINDS)
    _add_load(rows, per_requester, is_requester=True)
    shared = window_counts(base, today, per="collaborators", names=_LOAD_KINDS)
    _add_load(rows, shared, is_requester=False)
    return _people(rows)


def desk_summary(
    user,
    *,
    today: date | None = None,
    limit: int | None = None,
    rows_for: Iterable[str] | None = None,
) -> DeskSummary:
    """Everything the desk page, the digest and ``/api/desk/`` show: the count of
    every list, and the first ``limit`` rows of the lists in ``rows_for`` (all
    by default).

    The number of queries is fixed whatever the number of requests: one grouped
    by status (by requester too on an editor's desk, for the reporters' load,
    and one more for collaborators) counts every list of statuses and dates;
    one more counts the lists that look at other tables; the appeal windows'
    ids give their count and first rows at once; the documents take one; then
    one query for the first ids of each request list, one for their rows, one
    for the appeals and one for each list of documents.
    """
    today = today or timezone.localdate()
    limit = limit or LIST_LIMIT
    wanted = set(DESK_LISTS if rows_for is None else rows_for)
    scope = desk_scope(user)
    requests = desk_requests(user, scope)
    documents = desk_documents(user, scope)
    counts: dict[str, int] = {}
    lists: dict[str, list] = {}
    buckets: list[Bucket] = []
    load: list[LoadRow] = []
    if scope != DOCUMENTS:
        if scope == NEWSROOM:
            # Every window per requester, once: the desk's totals are their sums.
            per_requester = window_counts(requests, today, per="requester")
            totals = sum(per_requester.values(), Counter())
            load = reporter_load(requests, today, per_requester=per_requester)
        else:
            totals = window_counts(requests, today).get(None, Counter())
        for kind, definition in DESK_LISTS.items():
            if definition.window is not None:
                counts[kind] = totals[kind]
        buckets = [
            Bucket(label, first, last, totals[f"bucket_{index}"])
            for index, (label, first, last) in enumerate(OVERDUE_BUCKETS)
        ]
        counted = condition_counts(requests, today)
        counts["clarification"] = counted["clarification"]
        counts["appeals_pending"] = counted["appeals_pending"]
        # May go to court (``.may_go_to_court()``): the overdue requests and,
        # never the same ones, those whose appeal is exhausted.
        counts["court"] = counts["overdue"] + counted["appeal_exhausted"]
        ids: dict[str, list[int]] = {}
        for kind in _FEW_ROWS:
            found = list(_ordered_ids(requests, DESK_LISTS[kind], today))
            counts[kind] = len(found)
            ids[kind] = found[:limit]
        for kind in REQUEST_KINDS:
            if kind in wanted and kind not in ids and kind != "court":
                ids[kind] = list(
                    _ordered_ids(requests, DESK_LISTS[kind], today)[:limit]
                )
        if "court" in wanted:
            overdue = ids.get("overdue")
            if overdue is None:
                overdue = list(
                    _ordered_ids(requests, DESK_LISTS["overdue"], today)[:limit]
                )
            ids["court"] = overdue + list(_exhausted_ids(requests, today)[:limit])
        lists.update(_request_rows(ids, wanted, limit))
    counts.update(
        documents.order_by().aggregate(
            documents_processed=Count("pk", filter=_recently_processed(today)),
            documents_failed=Count("pk", filter=Q(state=Document.State.FAILED)),
        )
    )
    request_ids = desk_request_ids(user, scope) if scope != DOCUMENTS else None
    for kind, definition in DESK_LISTS.items():
        if kind not in wanted or kind in lists:
            continue
        if definition.model != "document" and scope == DOCUMENTS:
            continue
        queryset = _list_from(
            definition, today, request_ids=request_ids, documents=documents
        )
        lists[kind] = first_rows(queryset, limit)
    lists = {
        kind: annotate_rows(lists[kind], today) for kind in DESK_LISTS if kind in lists
    }
    # Keep the lists' order for everything that iterates the counts.
    counts = {kind: counts[kind] for kind in DESK_LISTS if kind in counts}
    return DeskSummary(
        scope=scope,
        today=today,
        counts=counts,
        lists=lists,
        overdue_buckets=buckets,
        reporter_load=load,
        follow_ups_waiting=follow_up_queue(user, scope=scope).count(),
    )


def condition_counts(requests: QuerySet[FoiaRequest], today: date) -> dict[str, int]:
    """How many of ``requests`` have an unanswered clarification request, a
    pending appeal, an exhausted appeal: one query, each counted with the
    condition of the ``FoiaRequestQuerySet`` method the request list filters
    with (``clarification_asked``, ``appeals_pending``, ``appeal_exhausted``),
    over the requests with an appeal or a clarification request only (which
    hold every request those conditions select)."""
    candidates = requests.filter(appealed_or_asked_condition())
    return candidates.order_by().aggregate(
        clarification=Count("pk", filter=clarification_asked_condition()),
        appeals_pending=Count("pk", filter=appeals_pending_condition()),
        appeal_exhausted=Count("pk", filter=appeal_exhausted_condition(today)),
    )


def _exhausted_ids(requests: QuerySet[FoiaRequest], today: date) -> QuerySet:
    """The ids of ``requests.appeal_exhausted()`` in the court list's order.

    Sorted on "current_due IS NULL" first rather than "NULLS LAST", the same
    order: these requests wait on no agency, so their due date is mostly empty,
    and PostgreSQL would otherwise walk the whole due-date index to its empty
    end instead of reading the few requests of their statuses.
    """
    return (
        requests.appeal_exhausted(today=today)
        .order_by(IsNull(F("current_due"), True), "current_due", "pk")
        .values_list("pk", flat=True)
    )


# ---------------------------------------------------------------------------
# Agency performance


class DaysBetween(Func):
    """Whole days from ``start`` to ``end``, on SQLite and PostgreSQL alike."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, start, end, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra):
        # PostgreSQL: date - date is a whole number of days.
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" - "
        )

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
        )


def _start_date():
    return Coalesce(F("received_on"), F("filed_on"))


@dataclass
class DaysStats:
    """A distribution of whole days: ``distribution`` is [(days, requests)]."""

    distribution: list[tuple[int, int]]

    @property
    def count(self) -> int:
        return sum(n for _days, n in self.distribution)

    @property
    def median(self) -> float | None:
        values = self.distribution
        total = self.count
        if not total:
            return None
        lower_index, upper_index = (total - 1) // 2, total // 2
        lower = upper = None
        seen = 0
        for days, n in values:
            if lower is None and seen + n > lower_index:
                lower = days
            if seen + n > upper_index:
                upper = days
                break
            seen += n
        return (lower + upper) / 2

    @property
    def mean(self) -> float | None:
        total = self.count
        if not total:
            return None
        return sum(days * n for days, n in self.distribution) / total

    def histogram(
        self, buckets: tuple[tuple[str, int, int | None], ...] = RESPONSE_BUCKETS
    ) -> list[tuple[str, int]]:
        counts = []
        for label, first, last in buckets:
            counts.append(
                (
                    label,
                    sum(
                        n
                        for days, n in self.distribution
                        if days >= first and (last is None or days <= last)
                    ),
                )
            )
        return counts


@dataclass
class ExemptionCount:
    code: str
    pages: int

    @property
    def citation(self) -> str:
        try:
            return exemption_citation(self.code)
        except IndexError:
            return self.code


@dataclass
class PerformanceRow:
    """One agency's own requests (its components have rows of their own)."""

    agency: Agency
    depth: int
    filed: int
    backlog: int
    determined_with_deadline: int
    on_time: int
    final_response: DaysStats

    @property
    def on_time_share(self) -> float | None:
        if not self.determined_with_deadline:
            return None
        return self.on_time / self.determined_with_deadline


@dataclass
class Performance:
    title: str
    filed: int
    backlog: int
    determined_with_deadline: int
    on_time: int
    acknowledgement: DaysStats
    final_response: DaysStats
    outcomes: list[tuple[str, str, int]]
    outcomes_by_quarter: list[tuple[str, dict[str, int]]]
    exemptions: list[ExemptionCount]
    oldest_pending: list[FoiaRequest]
    rows: list[PerformanceRow]

    @property
    def on_time_share(self) -> float | None:
        if not self.determined_with_deadline:
            return None
        return self.on_time / self.determined_with_deadline


def agency_tree(
    agency: Agency, *, agencies: list[Agency] | None = None
) -> list[tuple[Agency, int]]:
    """``agency`` and its components, recursively, with their depth (one query)."""
    if agencies is None:
        agencies = list(
            Agency.objects.only("pk", "parent_id", "name", "abbreviation", "slug")
        )
    children: dict[int | None, list[Agency]] = {}
    for item in agencies:
        children.setdefault(item.parent_id, []).append(item)
    ordered: list[tuple[Agency, int]] = []
    seen: set[int] = set()

    def walk(node: Agency, depth: int) -> None:
        if node.pk in seen:
            return
        seen.add(node.pk)
        ordered.append((node, depth))
        for child in sorted(children.get(node.pk, []), key=lambda a: a.name):
            walk(child, depth + 1)

    walk(agency, 0)
    return ordered


def _final_response_filter() -> Q:
    return Q(determined_on__isnull=False) & (
        Q(received_on__isnull=False) | Q(filed_on__isnull=False)
    )


def _distribution(queryset, start, end, *, group_by_agency: bool = False):
    days = DaysBetween(start, end)
    fields = ["agency_id", "days"] if group_by_agency else ["days"]
    return (
        queryset.annotate(days=days)
        .values(*fields)
        .annotate(n=Count("pk"))
        .order_by(*fields)
    )


def _deadline():
    """The due date in effect: the extended one once the agency invoked it."""
    return Case(
        When(
            unusual_circumstances=True,
            extended_due__isnull=False,
            then=F("extended_due"),
        ),
        default=F("response_due"),
    )


class QuarterLabel(Func):
    """``"2026 Q1"`` for a date, computed by the database (sorts as text)."""

    output_field = CharField()
    arity = 1

    def as_sql(self, compiler, connection, **extra):
        # PostgreSQL's to_char knows quarters.
        return super().as_sql(
            compiler,
            connection,
            template="to_char(%(expressions)s, 'YYYY') || ' Q' || "
            "to_char(%(expressions)s, 'Q')",
        )

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            # %%%% becomes %% here and % in the query the database runs.
            template="strftime('%%%%Y', %(expressions)s) || ' Q' || "
            "((CAST(strftime('%%%%m', %(expressions)s) AS INTEGER) + 2) / 3)",
        )


def _outcomes(
    requests: QuerySet[FoiaRequest],
) -> tuple[Counter[str], dict[str, Counter[str]]]:
    """Outcomes of the determined ``requests``, in all and per quarter.

    An appealed request counts with the status it had when its (first) appeal
    was filed: the agency's determination, not the appeal's course.
    """
    determined = requests.filter(determined_on__isnull=False)
    groups = (
        determined.values("status", quarter=QuarterLabel("determined_on"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    appealed = (Status.APPEALING, Status.IN_LITIGATION)
    totals: Counter[str] = Counter()
    by_quarter: dict[str, Counter[str]] = {}

    def add(status: str, quarter: str, n: int) -> None:
        outcome = OUTCOME_OF_STATUS.get(status)
        if outcome is not None:
            totals[outcome] += n
            by_quarter.setdefault(quarter, Counter())[outcome] += n

    for group in groups:
        if group["status"] not in appealed:
            add(group["status"], group["quarter"], group["n"])
    first_appeal: dict[int, tuple] = {}
    appeals = (
        Appeal.objects.filter(
            request__in=determined.filter(status__in=appealed).values("pk")
        )
        .annotate(quarter=QuarterLabel("request__determined_on"))
        .values_list("request_id", "filed_on", "pk", "from_status", "quarter")
    )
    for request_id, filed_on, pk, from_status, quarter in appeals:
        if (
            request_id not in first_appeal
            or (filed_on, pk) < first_appeal[request_id][:2]
        ):
            first_appeal[request_id] = (filed_on, pk, from_status, quarter)
    for _filed_on, _pk, from_status, quarter in first_appeal.values():
        add(from_status, quarter, 1)
    return totals, by_quarter


def exemption_counts(
    requests: QuerySet[FoiaRequest], *, limit: int = 10
) -> list[ExemptionCount]:
    """Exemptions cited most often in the pages released for ``requests``.

    Counted in the database (json_each on SQLite, jsonb_array_elements_text on
    PostgreSQL); elsewhere the pages' lists are read in bounded chunks.
    """
    if connection.vendor not in _EXEMPTION_SQL:
        pages = Page.objects.filter(document__request__in=requests.values("pk"))
        counter: Counter[str] = Counter()
        for codes in pages.values_list("exemptions", flat=True).iterator(
            chunk_size=2000
        ):
            if isinstance(codes, list):
                counter.update(str(code) for code in set(codes))
        return [ExemptionCount(code, n) for code, n in counter.most_common(limit)]
    quote = connection.ops.quote_name
    documents = Document.objects.filter(request__in=requests.values("pk"))
    subquery, params = documents.values("pk").query.sql_with_params()
    # Only identifiers of this codebase and Django's compiled subquery go into the
    # text; every value is a parameter.
    sql = _EXEMPTION_SQL[connection.vendor].format(
        table=quote(Page._meta.db_table),
        document=quote(Page._meta.get_field("document").column),
        column=quote(Page._meta.get_field("exemptions").column),
        documents=subquery,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [ExemptionCount(str(code), n) for code, n in cursor.fetchall()]


_EXEMPTION_SQL = {
    # Pages citing nothing (most of them) are skipped before their JSON is read.
    "sqlite": (
        "SELECT e.value, COUNT(*) FROM {table} p, json_each(p.{column}) e "
        "WHERE p.{document} IN ({documents}) AND p.{column} <> '[]' "
        "AND json_type(p.{column}) = 'array' "
        "GROUP BY e.value ORDER BY COUNT(*) DESC, e.value LIMIT %s"
    ),
    "postgresql": (
        "SELECT e.value, COUNT(*) FROM {table} p "
        "CROSS JOIN LATERAL jsonb_array_elements_text("
        "CASE WHEN jsonb_typeof(p.{column}) = 'array' THEN p.{column} "
        "ELSE '[]'::jsonb END) AS e(value) "
        "WHERE p.{document} IN ({documents}) AND p.{column} <> '[]'::jsonb "
        "GROUP BY e.value ORDER BY COUNT(*) DESC, e.value LIMIT %s"
    ),
}


def performance(
    requests: QuerySet[FoiaRequest],
    *,
    title: str,
    agencies: list[tuple[Agency, int]],
    quarters: int = 8,
    today: date | None = None,
) -> Performance:
    """Numbers over ``requests`` (already scoped to what the user may see)."""
    today = today or timezone.localdate()
    filed_requests = requests.exclude(status=Status.DRAFT)
    awaiting = Q(status__in=AWAITING_AGENCY)
    judged = Q(determined_on__isnull=False, response_due__isnull=False)
    per_agency = {
        row["agency_id"]: row
        for row in filed_requests.values("agency_id")
        .annotate(
            filed=Count("pk"),
            backlog=Count("pk", filter=awaiting),
            judged=Count("pk", filter=judged),
            on_time=Count("pk", filter=judged & Q(determined_on__lte=_deadline())),
        )
        .order_by("agency_id")
    }
    totals = {
        key: sum(row[key] for row in per_agency.values())
        for key in ("filed", "backlog", "judged", "on_time")
    }

    acknowledged = filed_requests.filter(acknowledged_on__isnull=False).filter(
        Q(received_on__isnull=False) | Q(filed_on__isnull=False)
    )
    acknowledgement = DaysStats(
        [
            (row["days"], row["n"])
            for row in _distribution(acknowledged, _start_date(), F("acknowledged_on"))
        ]
    )
    final_by_agency: dict[int, list[tuple[int, int]]] = {}
    final_total: Counter[int] = Counter()
    for row in _distribution(
        filed_requests.filter(_final_response_filter()),
        _start_date(),
        F("determined_on"),
        group_by_agency=True,
    ):
        final_by_agency.setdefault(row["agency_id"], []).append((row["days"], row["n"]))
        final_total[row["days"]] += row["n"]
    final_response = DaysStats(sorted(final_total.items()))

    outcome_counts, by_quarter = _outcomes(filed_requests)
    recent_quarters = sorted(by_quarter)[-quarters:]

    oldest = list(
        filed_requests.filter(awaiting)
        .annotate(started=_start_date())
        .select_related("agency", "requester")
        .order_by(F("started").asc(nulls_last=True), "pk")[:10]
    )
    for item in oldest:
        item.days_pending = (today - item.started).days if item.started else None

    rows = []
    for agency, depth in agencies:
        own = per_agency.get(agency.pk)
        rows.append(
            PerformanceRow(
                agency=agency,
                depth=depth,
                filed=own["filed"] if own else 0,
                backlog=own["backlog"] if own else 0,
                determined_with_deadline=own["judged"] if own else 0,
                on_time=own["on_time"] if own else 0,
                final_response=DaysStats(final_by_agency.get(agency.pk, [])),
            )
        )

    return Performance(
        title=title,
        filed=totals["filed"],
        backlog=totals["backlog"],
        determined_with_deadline=totals["judged"],
        on_time=totals["on_time"],
        acknowledgement=acknowledgement,
        final_response=final_response,
        outcomes=[(key, label, outcome_counts[key]) for key, label in OUTCOMES],
        outcomes_by_quarter=[
            (quarter, dict(by_quarter[quarter])) for quarter in recent_quarters
        ],
        exemptions=exemption_counts(filed_requests),
        oldest_pending=oldest,
        rows=rows,
    )


def agency_performance(
    user, agency: Agency, *, today: date | None = None
) -> Performance:
    """``agency`` with its components, over the requests ``user`` may see."""
    tree = agency_tree(agency)
    requests = FoiaRequest.objects.visible_to(user).filter(
        agency_id__in=[item.pk for item, _depth in tree]
    )
    return performance(requests, title=agency.display_name, agencies=tree, today=today)


def overall_performance(user, *, today: date | None = None) -> Performance:
    """Every agency, over the requests ``user`` may see."""
    agencies = list(
        Agency.objects.select_related("jurisdiction").only(
            "pk", "parent_id", "name", "abbreviation", "slug", "jurisdiction__code"
        )
    )
    ids = {a.pk for a in agencies}
    roots = sorted(
        (a for a in agencies if a.parent_id not in ids),
        key=lambda a: (a.jurisdiction.code, a.name),
    )
    tree: list[tuple[Agency, int]] = []
    for root in roots:
        tree += agency_tree(root, agencies=agencies)
    return performance(
        FoiaRequest.objects.visible_to(user),
        title="All agencies",
        agencies=tree,
        today=today,
    )


def jurisdiction_performance(
    user, jurisdiction: Jurisdiction, *, today: date | None = None
) -> Performance:
    """Every agency of ``jurisdiction``, over the requests ``user`` may see."""
    agencies = list(
        Agency.objects.filter(jurisdiction=jurisdiction).only(
            "pk", "parent_id", "name", "abbreviation", "slug"
        )
    )
    ids = {a.pk for a in agencies}
    roots = [a for a in agencies if a.parent_id not in ids]
    tree: list[tuple[Agency, int]] = []
    for root in sorted(roots, key=lambda a: a.name):
        tree += agency_tree(root, agencies=agencies)
    requests = FoiaRequest.objects.visible_to(user).filter(agency_id__in=ids)
    return performance(requests, title=jurisdiction.name, agencies=tree, today=today)


# ---------------------------------------------------------------------------
# Calendar


@dataclass(frozen=True)
class Deadline:
    request: FoiaRequest
    kind: str  # response_due, extended_due, appeal_filing_due, appeal_decision_due
    label: str
    day: date
    appeal: Appeal | None = None


def calendar_deadlines(user) -> list[Deadline]:
    """Every deadline of the open requests ``user`` files or collaborates on."""
    requests = own_requests(user).open().select_related("agency").order_by("pk")
    deadlines: list[Deadline] = []
    by_pk = {}
    for item in requests:
        by_pk[item.pk] = item
        # While the clock is stopped (current_due empty) no response date holds.
        clock_running = item.current_due is not None and (
            item.status in AWAITING_AGENCY or item.status in WAITING_ON_US
        )
        if clock_running and item.response_due:
            deadlines.append(Deadline(item, "response_due", "Due", item.response_due))
        if clock_running and item.unusual_circumstances and item.extended_due:
            deadlines.append(
                Deadline(item, "extended_due", "Extended due", item.extended_due)
            )
        if item.status in ADVERSE and item.appeal_filing_due:
            deadlines.append(
                Deadline(
                    item,
                    "appeal_filing_due",
                    "Appeal filing due",
                    item.appeal_filing_due,
                )
            )
    appeals = Appeal.objects.filter(
        request_id__in=list(by_pk), outcome=AppealOutcome.PENDING
    ).order_by("pk")
    for appeal in appeals:
        due = appeal.current_decision_due
        if due:
            deadlines.append(
                Deadline(
                    by_pk[appeal.request_id],
                    "appeal_decision_due",
                    "Appeal decision due",
                    due,
                    appeal,
                )
            )
    return deadlines


@dataclass
class SearchMatches:
    count: int
    first: list


def saved_search_matches(user, since: datetime, *, limit: int = 20) -> SearchMatches:
    """New saved-search matches from the ``search`` app, when it provides them."""
    try:
        from search import selectors as search_selectors
    except ImportError:
        return SearchMatches(0, [])
    matches_since = getattr(search_selectors, "saved_search_matches_since", None)
    if matches_since is None:
        return SearchMatches(0, [])
    matches = matches_since(user, since)
    count = matches.count()
    return SearchMatches(count, list(matches[:limit]) if count else [])


def follow_up_queue(user, *, scope: str | None = None) -> QuerySet:
    """Drafted follow-ups waiting for ``user``'s decision, oldest due date first.

    A draft whose request stopped waiting on the agency is no longer shown.
    """
    from desk.models import FollowUp

    scope = scope or desk_scope(user)
    if scope == DOCUMENTS:
        return FollowUp.objects.none()
    queue = FollowUp.objects.filter(
        state=FollowUp.State.QUEUED, request__status__in=AWAITING_AGENCY
    )
    request_ids = desk_request_ids(user, scope)
    if request_ids is not None:
        queue = queue.filter(request__in=request_ids)
    return queue.select_related(
        "request", "request__agency", "request__requester"
    ).order_by("due_on", "pk")
