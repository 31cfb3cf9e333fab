from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import (
    AccessLogFilterForm,
    ApiTokenForm,
    ThrottledAuthenticationForm,
)
from accounts.models import AccessLog

CSV_COLUMNS = [
    "at",
    "username",
    "action",
    "request_id",
    "document_id",
    "page_number",
    "query",
    "filters",
    "result_count",
    "detail",
    "ip_address",
    "via",
]


@login_not_required
def login(request: HttpRequest) -> HttpResponse:
    return auth_views.LoginView.as_view(
        authentication_form=ThrottledAuthenticationForm
    )(request)


def account(request: HttpRequest) -> HttpResponse:
    new_key = request.session.pop("new_api_token", None)
    return render(
        request,
        "accounts/account.html",
        {
            "tokens": request.user.api_tokens.all(),
            "token_form": ApiTokenForm(),
            "new_key": new_key,
            "recent": selectors.access_log_for(viewer=request.user).filter(
                user=request.user
            )[:20],
        },
    )


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the token a name.")
        return redirect("accounts:account")
    _token, key = services.api_token_create(
        user=request.user, name=form.cleaned_data["name"]
    )
    # Shown on the next page only: the session forgets it once displayed.
    request.session["new_api_token"] = key
    return redirect("accounts:account")


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.api_token_revoke(user=request.user, token_id=token_id)
    except PermissionDenied:
        messages.error(request, "That token does not exist.")
    else:
        messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("accounts:account")


def access_log(request: HttpRequest) -> HttpResponse:
    """Editors and admins review everyone's access; others see their own."""
    form = AccessLogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.access_log_for(
        viewer=request.user,
        username=filters.get("username") or "",
        request_id=filters.get("request"),
        action=filters.get("action") or "",
        since=filters.get("since"),
        until=filters.get("until"),
    )
    if request.GET.get("format") == "csv":
        services.access_record(
            user=request.user,
            action=AccessLog.Action.EXPORT,
            http_request=request,
            filters={key: str(value) for key, value in filters.items() if value},
            result_count=entries.count(),
            detail="access log CSV",
        )
        return _access_log_csv(entries)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/access_log.html",
        {
            "form": form,
            "page": page,
            "reviewing_everyone": selectors.can_review_access_log(request.user),
            "querystring": _without_page(request),
        },
    )


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return params.urlencode()


def _access_log_csv(entries) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for entry in entries.iterator(chunk_size=2000):
        writer.writerow(
            [
                entry.at.isoformat(),
                entry.username,
                entry.action,
                entry.request_id or "",
                entry.document_id or "",
                entry.page_number or "",
                _csv_safe(entry.query),
                _csv_safe(str(entry.filters or "")),
                "" if entry.result_count is None else entry.result_count,
                _csv_safe(entry.detail),
                entry.ip_address or "",
                entry.via,
            ]
        )
    return response


def _csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas in user-typed text."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value
