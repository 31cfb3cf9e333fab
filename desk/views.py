"""The desk's pages: thin views over ``desk.selectors`` and ``desk.services``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.models import AccessLog
from accounts.services import access_record
from desk import charts, exports, links, selectors, services
from desk.forms import DigestPreferenceForm, FollowUpSendForm, NewsroomSettingForm
from desk.ical import Event, calendar_render
from desk.models import CalendarFeedToken, FollowUp, NewsroomSetting
from foia import permissions
from foia.models import Agency, FoiaRequest, Jurisdiction
from foia.selectors import IdFirstPaginator

PAGE_SIZE = 50
# The lists whose first rows the desk page shows; the others show a number.
DESK_PAGE_LISTS = (
    "overdue",
    "due_soon",
    "waiting_on_us",
    "appeal_windows",
    "appeals_pending",
    "court",
    "documents_processed",
    "documents_failed",
)


def _record_export(request: HttpRequest, detail: str, count: int) -> None:
    access_record(
        user=request.user,
        action=AccessLog.Action.EXPORT,
        http_request=request,
        filters={k: v for k, v in request.GET.items() if k != "format"},
        result_count=count,
        detail=detail,
    )


def _table_csv(request: HttpRequest, name: str, tables: dict) -> HttpResponse:
    table = request.GET.get("table", "")
    if table not in tables:
        raise Http404(f"No table {table!r}; one of: {', '.join(tables)}.")
    header, rows = tables[table]
    rows = list(rows)
    _record_export(request, f"{name} {table} CSV", len(rows))
    return exports.csv_response(f"{name}-{table}", header, rows)


@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    summary = selectors.desk_summary(
        request.user, today=today, rows_for=DESK_PAGE_LISTS
    )
    if request.GET.get("format") == "csv":
        return _table_csv(request, "desk", exports.desk_tables(summary))
    load = list(
        zip(summary.reporter_load, links.load_links(summary.reporter_load), strict=True)
    )
    return render(
        request,
        "desk/desk.html",
        {
            "summary": summary,
            "counts": summary.counts,
            "lists": summary.lists,
            "links": links.desk_links(summary.scope),
            "buckets": [
                (
                    bucket,
                    links.desk_list_url(
                        "overdue", min_days=bucket.first, max_days=bucket.last
                    ),
                )
                for bucket in summary.overdue_buckets
            ],
            "load": load,
            "follow_ups_waiting": summary.follow_ups_waiting,
            "titles": {k: v.title for k, v in selectors.DESK_LISTS.items()},
        },
    )


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return None


@require_GET
def desk_list(request: HttpRequest, kind: str) -> HttpResponse:
    definition = selectors.DESK_LISTS.get(kind)
    if definition is None:
        raise Http404("No such list.")
    today = timezone.localdate()
    scope = selectors.desk_scope(request.user)
    if scope == selectors.DOCUMENTS and definition.model != "document":
        raise Http404("Researchers' desks show documents only.")
    rows = selectors.desk_list(request.user, kind, today=today, scope=scope)
    person = _int_param(request, "person")
    if person is not None and definition.model == "request":
        rows = selectors.person_requests(rows, person)
    elif person is not None and definition.model == "appeal":
        rows = rows.filter(
            request__in=selectors.person_requests(FoiaRequest.objects.all(), person)
        )
    min_days, max_days = (
        _int_param(request, "min_days"),
        _int_param(request, "max_days"),
    )
    if kind == "overdue" and min_days is not None:
        rows = selectors.overdue_between(rows, today, min_days, max_days)
    if request.GET.get("format") == "csv":
        header, to_rows = exports.LIST_EXPORTS[definition.model]
        rows = list(rows)
        _record_export(request, f"desk list {kind} CSV", len(rows))
        return exports.csv_response(f"desk-{kind}", header, to_rows(rows, today))
    page = IdFirstPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.annotate_rows(page.object_list, today)
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return render(
        request,
        "desk/list.html",
        {
            "definition": definition,
            "page": page,
            "today": today,
            "querystring": params.urlencode(),
            "person": person,
            "min_days": min_days,
            "max_days": max_days,
        },
    )


# ---------------------------------------------------------------------------
# Agency performance


def _performance_page(
    request: HttpRequest, perf: selectors.Performance, *, name: str, context: dict
) -> HttpResponse:
    today = timezone.localdate()
    if request.GET.get("format") == "csv":
        return _table_csv(request, name, exports.performance_tables(perf, today))
    return render(
        request,
        "desk/performance.html",
        {
            "perf": perf,
            "histogram": charts.bar_chart(
                "Days to final response", perf.final_response.histogram()
            ),
            "outcome_chart": charts.stacked_chart(
                "Outcomes per quarter",
                perf.outcomes_by_quarter,
                [(key, label) for key, label in selectors.OUTCOMES],
            ),
            "today": today,
            **context,
        },
    )


@require_GET
def performance_overview(request: HttpRequest) -> HttpResponse:
    perf = selectors.overall_performance(request.user)
    return _performance_page(
        request,
        perf,
        name="agencies",
        context={
            "jurisdictions": Jurisdiction.objects.filter(agencies__isnull=False)
            .distinct()
            .order_by("code"),
            "overview": True,
        },
    )


@require_GET
def agency_performance(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(
        Agency.objects.select_related("jurisdiction", "parent"), slug=slug
    )
    perf = selectors.agency_performance(request.user, agency)
    return _performance_page(
        request, perf, name=f"agency-{agency.slug}", context={"agency": agency}
    )


@require_GET
def jurisdiction_performance(request: HttpRequest, code: str) -> HttpResponse:
    jurisdiction = get_object_or_404(Jurisdiction, code__iexact=code)
    perf = selectors.jurisdiction_performance(request.user, jurisdiction)
    return _performance_page(
        request,
        perf,
        name=f"jurisdiction-{jurisdiction.code}",
        context={"jurisdiction": jurisdiction},
    )


# ---------------------------------------------------------------------------
# Follow-ups


@require_GET
def follow_up_list(request: HttpRequest) -> HttpResponse:
    queue = selectors.follow_up_queue(request.user)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "desk/follow_up_list.html",
        {
            "page": page,
            "today": timezone.localdate(),
            "auto_send": NewsroomSetting.load().auto_send_follow_ups,
        },
    )


def _follow_up_for(request: HttpRequest, pk: int) -> FollowUp:
    follow_up = get_object_or_404(
        FollowUp.objects.select_related(
            "request", "request__agency", "request__requester", "sent_by"
        ),
        pk=pk,
    )
    permissions.check_can_view(request.user, follow_up.request)
    return follow_up


def follow_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = _follow_up_for(request, pk)
    can_edit = permissions.can_edit(request.user, follow_up.request)
    if request.method == "POST":
        if "dismiss" in request.POST:
            return _follow_up_dismiss(request, follow_up)
        form = FollowUpSendForm(request.POST)
        if form.is_valid():
            try:
                services.follow_up_send(
                    follow_up=follow_up,
                    user=request.user,
                    channel=form.cleaned_data["channel"],
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                )
            except services.FollowUpError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "Follow-up sent and logged on the request.")
                return redirect("desk:follow_up_list")
    else:
        form = FollowUpSendForm(
            initial={"subject": follow_up.subject, "body": follow_up.body}
        )
    return render(
        request,
        "desk/follow_up_detail.html",
        {"follow_up": follow_up, "form": form, "can_edit": can_edit},
    )


def _follow_up_dismiss(request: HttpRequest, follow_up: FollowUp) -> HttpResponse:
    try:
        services.follow_up_dismiss(follow_up=follow_up, user=request.user)
    except services.FollowUpError as error:
        messages.error(request, str(error))
        return redirect(follow_up)
    messages.success(request, "Follow-up dismissed.")
    return redirect("desk:follow_up_list")


# ---------------------------------------------------------------------------
# Settings: digest, calendar feed, newsroom switches


def desk_settings(request: HttpRequest) -> HttpResponse:
    is_manager = permissions.is_manager(request.user)
    if request.method == "POST":
        if "daily_digest_form" in request.POST:
            form = DigestPreferenceForm(request.POST)
            if form.is_valid():
                services.digest_preference_set(
                    user=request.user, daily_digest=form.cleaned_data["daily_digest"]
                )
                messages.success(request, "Digest preference saved.")
        elif "newsroom_form" in request.POST:
            form = NewsroomSettingForm(request.POST)
            if not is_manager:
                raise PermissionDenied("Only editors change newsroom settings.")
            if form.is_valid():
                services.newsroom_setting_update(
                    user=request.user,
                    auto_send_follow_ups=form.cleaned_data["auto_send_follow_ups"],
                )
                messages.success(request, "Newsroom setting saved.")
        return redirect("desk:settings")
    token = CalendarFeedToken.objects.filter(
        user=request.user, revoked_at__isnull=True
    ).first()
    return render(
        request,
        "desk/settings.html",
        {
            "digest_form": DigestPreferenceForm(
                initial={"daily_digest": services.wants_digest(request.user)}
            ),
            "newsroom_form": NewsroomSettingForm(
                initial={
                    "auto_send_follow_ups": NewsroomSetting.load().auto_send_follow_ups
                }
            ),
            "is_manager": is_manager,
            "calendar_url": (
                request.build_absolute_uri(token.get_absolute_url()) if token else ""
            ),
            "digest_hour": settings.DIGEST_HOUR,
        },
    )


@require_POST
def calendar_rotate(request: HttpRequest) -> HttpResponse:
    services.calendar_token_rotate(user=request.user)
    messages.success(request, "New calendar address made; the old one no longer works.")
    return redirect("desk:settings")


@require_POST
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    services.calendar_token_revoke(user=request.user)
    messages.success(request, "Calendar address turned off.")
    return redirect("desk:settings")


@login_not_required
@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The user's deadlines as iCalendar; the token in the URL is the credential."""
    feed_token = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed_token is None:
        raise Http404("No such calendar.")
    user = feed_token.user
    host = request.get_host().split(":")[0] or "foia-workbench"
    events = [
        Event(
            uid=f"request-{deadline.request.pk}-{deadline.kind}"
            + (f"-{deadline.appeal.pk}" if deadline.appeal else "")
            + f"@{host}",
            day=deadline.day,
            summary=f"{deadline.label}: {deadline.request.title} "
            f"({deadline.request.agency})",
            description=_deadline_description(deadline),
            url=request.build_absolute_uri(deadline.request.get_absolute_url()),
            categories=("FOIA",),
            last_modified=deadline.request.updated_at,
            alarm_minutes_before=15 * 60,
        )
        for deadline in selectors.calendar_deadlines(user)
    ]
    body = calendar_render(
        name=f"FOIA deadlines: {user.get_full_name() or user.get_username()}",
        events=events,
        now=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="foia-deadlines.ics"'
    return response


def _deadline_description(deadline: selectors.Deadline) -> str:
    request = deadline.request
    lines = [
        f"{deadline.label} {deadline.day:%Y-%m-%d}",
        f"Agency: {request.agency}",
        f"Status: {request.get_status_display()}",
    ]
    if deadline.appeal is not None:
        lines.append(f"Appeal filed {deadline.appeal.filed_on:%Y-%m-%d}")
    return "\n".join(lines)
