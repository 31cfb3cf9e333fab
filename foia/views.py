"""Request and agency pages: validate a form, call one service, render or redirect.

A request the user may not see answers 404 on every route; one they may see but not
change answers 403 on the routes that change it.
"""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import AccessLog
from accounts.services import access_record
from documents.selectors import document_list_for_request
from documents.uploads import size_limited, too_large_results
from foia import forms, permissions, selectors, services
from foia.models import (
    ADVERSE,
    Agency,
    Appeal,
    AppealBasis,
    CommunicationKind,
    FoiaRequest,
    Status,
)

PAGE_SIZE = 50


def _foia_request(request: HttpRequest, pk: int) -> FoiaRequest:
    return selectors.request_for_user(user=request.user, pk=pk)


def _editable_request(request: HttpRequest, pk: int) -> FoiaRequest:
    foia_request = _foia_request(request, pk)
    permissions.check_can_edit(request.user, foia_request)
    return foia_request


def _querystring(request: HttpRequest, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


# --- Lists -------------------------------------------------------------------------


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    form = forms.RequestFilterForm(request.GET or None, user=request.user)
    requests = selectors.request_list(user=request.user, filters=form.filters())
    page = selectors.IdFirstPaginator(requests, PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "foia/request_list.html",
        {
            "form": form,
            "page": page,
            "can_file": permissions.can_file(request.user),
            "export_query": _querystring(request, page=None),
            "page_query": _querystring(request, page=None),
            "today": timezone.localdate(),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    # A leading = + - @ would run as a formula in a spreadsheet.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


CSV_COLUMNS = [
    "id",
    "title",
    "agency",
    "jurisdiction",
    "requester",
    "status",
    "tracking_numbers",
    "filed_on",
    "received_on",
    "acknowledged_on",
    "current_due",
    "overdue",
    "determined_on",
    "tags",
    "url",
]


@require_GET
def request_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV: only what the user may see."""
    form = forms.RequestFilterForm(request.GET or None, user=request.user)
    requests = selectors.request_list(user=request.user, filters=form.filters())
    access_record(
        user=request.user,
        action=AccessLog.Action.EXPORT,
        http_request=request,
        filters={
            key: ", ".join(values)
            for key, values in request.GET.lists()
            if key != "page"
        },
        result_count=requests.count(),
        detail="request list CSV",
    )
    base = request.build_absolute_uri("/")[:-1]

    def rows():
        yield CSV_COLUMNS
        for item in requests.iterator(chunk_size=500):
            yield [
                _csv_cell(value)
                for value in (
                    item.pk,
                    item.title,
                    item.agency,
                    item.agency.jurisdiction.code,
                    item.requester.get_username(),
                    item.get_status_display(),
                    " ".join(t.number for t in item.current_tracking_numbers),
                    item.filed_on,
                    item.received_on,
                    item.acknowledged_on,
                    item.current_due,
                    "yes" if item.is_overdue else "no",
                    item.determined_on,
                    ", ".join(t.name for t in item.tags.all()),
                    base + item.get_absolute_url(),
                )
            ]

    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows()), content_type="text/csv"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="requests-{stamp}.csv"'
    return response


# --- One request -------------------------------------------------------------------


@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    foia_request = _foia_request(request, pk)
    can_edit = permissions.can_edit(request.user, foia_request)
    appeals = list(foia_request.appeals.order_by("-filed_on"))
    return render(
        request,
        "foia/request_detail.html",
        {
            "foia_request": foia_request,
            "can_edit": can_edit,
            "deadlines": selectors.deadline_panel(request=foia_request),
            "court_reasons": selectors.court_notice(request=foia_request),
            "open_toll": selectors.open_toll(foia_request),
            "timeline": selectors.request_timeline(request=foia_request),
            "communications": foia_request.communications.select_related(
                "logged_by"
            ).prefetch_related("documents"),
            "documents": document_list_for_request(
                request_obj=foia_request, user=request.user
            ),
            "can_upload": can_edit,
            "tracking_numbers": foia_request.tracking_numbers.select_related("agency"),
            "fees": foia_request.fees.all(),
            "appeals": appeals,
            "pending_appeal": next((a for a in appeals if a.is_pending), None),
            "children": foia_request.children.select_related("agency"),
            "tags": foia_request.tags.all(),
            "collaborators": foia_request.collaborators.all(),
            "transition_form": forms.TransitionForm(status=foia_request.status)
            if can_edit
            else None,
            "tracking_form": forms.TrackingNumberForm() if can_edit else None,
            "fee_form": forms.FeeForm() if can_edit else None,
            "can_appeal": foia_request.status in (*ADVERSE, Status.CLOSED)
            or foia_request.may_go_to_court,
            # Those who decide on the embargo are told before it lifts.
            "embargo_notice": selectors.embargo_notice(request=foia_request)
            if can_edit
            else None,
        },
    )


@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    permissions.check_can_file(request.user)
    form = forms.RequestForm(
        request.POST or None,
        initial={
            "expedited": "not_requested",
            "fee_waiver": "requested",
            "fee_category": "news_media",
            "visibility": "private",
        },
    )
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        try:
            foia_request = services.request_file(actor=request.user, **values)
        except ValidationError as error:
            forms.apply_service_errors(form, error)
        else:
            messages.success(request, "Request recorded.")
            return redirect(foia_request)
    return render(request, "foia/request_form.html", {"form": form, "editing": False})


@require_http_methods(["GET", "POST"])
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    foia_request = _editable_request(request, pk)
    initial = {
        name: getattr(foia_request, name)
        for name in forms.RequestForm.base_fields
        if name not in ("tags", "collaborators", "tracking_number")
    }
    initial["tags"] = ", ".join(t.name for t in foia_request.tags.all())
    initial["collaborators"] = list(foia_request.collaborators.all())
    form = forms.RequestForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        changes = {
            name: value
            for name, value in form.service_values().items()
            if name in form.changed_data
        }
        try:
            services.request_update(actor=request.user, request=foia_request, **changes)
        except ValidationError as error:
            forms.apply_service_errors(form, error)
        else:
            messages.success(request, "Details saved.")
            return redirect(foia_request)
    return render(
        request,
        "foia/request_form.html",
        {"form": form, "editing": True, "foia_request": foia_request},
    )


def _form_errors_to_messages(request: HttpRequest, form) -> None:
    for name, texts in form.errors.items():
        label = form.fields[name].label or name if name in form.fields else ""
        for text in texts:
            messages.error(request, f"{label}: {text}" if label else text)


def _errors_to_messages(request: HttpRequest, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, texts in error.message_dict.items():
            for text in texts:
                label = name.replace("_", " ").capitalize()
                messages.error(
                    request, text if name == "__all__" else f"{label}: {text}"
                )
    else:
        for text in error.messages:
            messages.error(request, text)


@require_POST
def request_transition(request: HttpRequest, pk: int) -> HttpResponse:
    foia_request = _editable_request(request, pk)
    form = forms.TransitionForm(request.POST, status=foia_request.status)
    if form.is_valid():
        try:
            services.request_transition(
                actor=request.user,
                request=foia_request,
                to=form.cleaned_data["to"],
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _errors_to_messages(request, error)
        else:
            messages.success(
                request, f"Status changed to {foia_request.get_status_display()}."
            )
    else:
        _form_errors_to_messages(request, form)
    return redirect(foia_request)


@require_POST
def tracking_number_create(request: HttpRequest, pk: int) -> HttpResponse:
    foia_request = _editable_request(request, pk)
    form = forms.TrackingNumberForm(request.POST)
    if form.is_valid():
        try:
            services.tracking_number_add(
                actor=request.user, request=foia_request, **form.cleaned_data
            )
        except ValidationError as error:
            _errors_to_messages(request, error)
        else:
            messages.success(request, "Tracking number recorded.")
    else:
        _form_errors_to_messages(request, form)
    return redirect(foia_request)


@require_POST
def fee_create(request: HttpRequest, pk: int) -> HttpResponse:
    foia_request = _editable_request(request, pk)
    form = forms.FeeForm(request.POST)
    if form.is_valid():
        try:
            services.fee_record(
                actor=request.user, request=foia_request, **form.cleaned_data
            )
        except ValidationError as error:
            _errors_to_messages(request, error)
        else:
            messages.success(request, "Fee recorded.")
    else:
        _form_errors_to_messages(request, form)
    return redirect(foia_request)


@require_http_methods(["GET", "POST"])
def request_refer(request: HttpRequest, pk: int) -> HttpResponse:
    foia_request = _editable_request(request, pk)
    form = forms.ReferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["relation"] == "split":
                child = services.request_split(
                    actor=request.user,
                    request=foia_request,
                    title=data["title"],
                    agency=data["agency"],
                    on=data["on"],
                    tracking_number=data["tracking_number"],
                )
            else:
                child = services.request_refer(
                    actor=request.user,
                    request=foia_request,
                    agency=data["agency"],
                    on=data["on"],
                    whole=data["relation"] == "referral",
                    tracking_number=data["tracking_number"],
                )
        except ValidationError as error:
            forms.apply_service_errors(form, error)
        else:
            messages.success(request, f"Recorded as request #{child.pk}.")
            return redirect(child)
    return render(
        request, "foia/refer_form.html", {"form": form, "foia_request": foia_request}
    )


# --- Communications ----------------------------------------------------------------


@size_limited
@require_http_methods(["GET", "POST"])
def communication_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Two steps: the details, then the proposal to confirm (and attachments)."""
    foia_request = _editable_request(request, pk)
    confirming = request.method == "POST" and request.POST.get("step") == "confirm"
    if request.method == "GET":
        kind = request.GET.get("kind", "")
        form = forms.CommunicationForm(
            initial={
                "kind": kind if kind in CommunicationKind.values else "",
                "direction": "out"
                if kind in ("request", "reply", "appeal", "follow_up")
                else "in",
                "channel": "email",
                "sent_on": timezone.localdate(),
            }
        )
        return render(
            request,
            "foia/communication_form.html",
            {"form": form, "foia_request": foia_request},
        )
    details = forms.CommunicationForm(request.POST)
    if not details.is_valid():
        return render(
            request,
            "foia/communication_form.html",
            {"form": details, "foia_request": foia_request},
        )
    data = details.cleaned_data
    proposal = services.communication_proposal(
        request=foia_request,
        kind=data["kind"],
        direction=data["direction"],
        sent_on=data["sent_on"],
    )
    if not confirming:
        confirm = forms.CommunicationConfirmForm(
            initial={**data, "apply": True}, proposal=proposal
        )
        return render(
            request,
            "foia/communication_confirm.html",
            {
                "form": confirm,
                "foia_request": foia_request,
                "proposal": proposal,
                "kind_label": CommunicationKind(data["kind"]).label,
            },
        )
    confirm = forms.CommunicationConfirmForm(
        request.POST, request.FILES, proposal=proposal
    )
    # A file refused while it arrived (over the size limit) fails the log as a
    # rejected attachment does: nothing is logged without the reporter knowing.
    oversized = too_large_results(request)
    for result in oversized:
        confirm.add_error("attachments", f"{result.name}: {result.reason}")
    if not oversized and confirm.is_valid():
        try:
            logged = services.communication_log(
                actor=request.user,
                request=foia_request,
                **confirm.service_values(),
            )
        except ValidationError as error:
            forms.apply_service_errors(confirm, error)
        else:
            applied = " and applied" if logged.applied else ""
            messages.success(request, f"Communication logged{applied}.")
            return redirect(foia_request)
    return render(
        request,
        "foia/communication_confirm.html",
        {
            "form": confirm,
            "foia_request": foia_request,
            "proposal": proposal,
            "kind_label": CommunicationKind(data["kind"]).label,
        },
    )


# --- Appeals -----------------------------------------------------------------------


def _suggested_exemptions(foia_request: FoiaRequest) -> list[str]:
    """Exemptions cited on the pages released for this request."""
    from documents.models import Page

    found: list[str] = []
    cited = Page.objects.filter(document__request=foia_request).values_list(
        "exemptions", flat=True
    )
    for codes in cited:
        for code in codes or []:
            if code not in found:
                found.append(code)
    return found


@require_http_methods(["GET", "POST"])
def appeal_create(request: HttpRequest, pk: int) -> HttpResponse:
    foia_request = _editable_request(request, pk)
    federal = foia_request.agency.jurisdiction.code == "US"
    basis = (
        AppealBasis.CONSTRUCTIVE
        if foia_request.may_go_to_court
        else AppealBasis.ADVERSE
    )
    form = forms.AppealForm(
        request.POST or None,
        federal=federal,
        initial={
            "basis": basis,
            "filed_on": timezone.localdate(),
            "contested_exemptions": _suggested_exemptions(foia_request),
            "channel": "email",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            letter = services.letter_render(
                kind="appeal",
                request=foia_request,
                exemptions=form.exemptions(),
                grounds=data["grounds"],
            )
        except ValidationError:
            letter = None
        try:
            services.appeal_file(
                actor=request.user,
                request=foia_request,
                basis=data["basis"],
                filed_on=data["filed_on"],
                received_on=data["received_on"],
                contested_exemptions=form.exemptions(),
                grounds=data["grounds"],
                tracking_number=data["tracking_number"],
                channel=data["channel"] or None,
                letter=letter.text if letter else "",
            )
        except ValidationError as error:
            forms.apply_service_errors(form, error)
        else:
            messages.success(request, "Appeal filed.")
            return redirect(foia_request)
    return render(
        request,
        "foia/appeal_form.html",
        {"form": form, "foia_request": foia_request},
    )


@require_http_methods(["GET", "POST"])
def appeal_decide(request: HttpRequest, pk: int, appeal_pk: int) -> HttpResponse:
    foia_request = _editable_request(request, pk)
    appeal = get_object_or_404(Appeal, pk=appeal_pk, request=foia_request)
    form = forms.AppealDecisionForm(
        request.POST or None, initial={"decided_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_decide(
                actor=request.user, appeal=appeal, **form.cleaned_data
            )
        except ValidationError as error:
            forms.apply_service_errors(form, error)
        else:
            messages.success(request, "Appeal outcome recorded.")
            return redirect(foia_request)
    return render(
        request,
        "foia/appeal_decide.html",
        {"form": form, "foia_request": foia_request, "appeal": appeal},
    )


# --- Letters -----------------------------------------------------------------------


def _letter(request: HttpRequest, foia_request: FoiaRequest, kind: str):
    if kind not in services.LETTER_KINDS:
        raise Http404("No such letter.")
    appeal = None
    draft_form = None
    if kind == "appeal":
        appeal = foia_request.appeals.order_by("-filed_on").first()
        if appeal is None:
            draft_form = forms.LetterDraftForm(
                request.GET or None,
                initial={"exemptions": _suggested_exemptions(foia_request)},
            )
    exemptions = None
    if draft_form is not None:
        exemptions = (
            draft_form.cleaned_data["exemptions"]
            if draft_form.is_bound and draft_form.is_valid()
            else _suggested_exemptions(foia_request)
        )
    letter = services.letter_render(
        kind=kind, request=foia_request, appeal=appeal, exemptions=exemptions
    )
    return letter, draft_form


@require_GET
def letter(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The letter shown for copying; ``?format=txt`` downloads it as text."""
    foia_request = _foia_request(request, pk)
    try:
        rendered, draft_form = _letter(request, foia_request, kind)
    except ValidationError as error:
        return render(
            request,
            "foia/letter.html",
            {
                "foia_request": foia_request,
                "kind": kind,
                "error": " ".join(error.messages),
            },
            status=409,
        )
    if request.GET.get("format") == "txt":
        response = HttpResponse(rendered.text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="request-{foia_request.pk}-{rendered.filename}"'
        )
        return response
    query = ""
    if draft_form is not None and draft_form.is_bound and draft_form.is_valid():
        query = urlencode(
            {"exemptions": draft_form.cleaned_data["exemptions"]}, doseq=True
        )
    return render(
        request,
        "foia/letter.html",
        {
            "foia_request": foia_request,
            "kind": kind,
            "letter": rendered,
            "draft_form": draft_form,
            "query": query,
            "kinds": services.LETTER_KINDS,
        },
    )


@require_GET
def letter_print(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    foia_request = _foia_request(request, pk)
    try:
        rendered, _draft = _letter(request, foia_request, kind)
    except ValidationError as error:
        return HttpResponse(
            " ".join(error.messages), status=409, content_type="text/plain"
        )
    return render(
        request,
        "foia/letter_print.html",
        {"foia_request": foia_request, "letter": rendered},
    )


# --- Agencies ----------------------------------------------------------------------


@require_GET
def agency_list(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    return render(
        request,
        "foia/agency_list.html",
        {"groups": selectors.agency_directory(user=request.user, text=text), "q": text},
    )


@require_GET
def agency_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(
        Agency.objects.select_related("parent", "jurisdiction"), slug=slug
    )
    requests = selectors.agency_requests(agency=agency, user=request.user)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "foia/agency_detail.html",
        {
            "agency": agency,
            "contact": agency.contact_agency,
            "appeal_to": agency.appeal_agency,
            "components": agency.components.order_by("name"),
            "stats": selectors.agency_stats(agency=agency, user=request.user),
            "page": page,
            "can_file": permissions.can_file(request.user),
        },
    )


# --- The public page ---------------------------------------------------------------
# Open to signed-out visitors (see config.middleware.PUBLIC_VIEW_NAMES): read-only,
# and only what ``FoiaRequest.objects.visible_to`` shows a visitor; anything else
# answers 404.


@require_GET
def public_request_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.public_requests(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "foia/public_request_list.html", {"page": page})


@require_GET
def public_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    foia_request = selectors.public_request(pk=pk)
    access_record(
        user=request.user,
        action=AccessLog.Action.VIEW_REQUEST,
        http_request=request,
        request_id=foia_request.pk,
        detail="public page",
    )
    return render(
        request,
        "foia/public_request_detail.html",
        {
            "foia_request": foia_request,
            "deadlines": selectors.deadline_panel(request=foia_request),
            "communications": selectors.public_communications(request=foia_request),
            "documents": selectors.public_documents(request=foia_request),
        },
    )
