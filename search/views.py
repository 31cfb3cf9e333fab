"""The search page, saved searches and notifications."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

import search
from search import selectors, services
from search.forms import FILTER_TITLES, SavedSearchForm, filters_from, positive_int
from search.query import is_id

PER_PAGE = 20


def _url(params: list[tuple[str, str]]) -> str:
    return f"{reverse('search:search')}?{urlencode(params)}"


def _params(query: str, filters: dict, sort: str, document: str | None) -> list:
    params = [("q", query)]
    for name, values in filters.items():
        params.extend((name, value) for value in values)
    if document:
        params.append(("document", document))
    if sort != "relevance":
        params.append(("sort", sort))
    return params


def _facet_groups(result, query, filters, sort, document) -> list[dict]:
    groups = []
    for name, title in FILTER_TITLES.items():
        active = set(filters.get(name, []))
        items = []
        for facet in result.facets.get(name, []):
            chosen = facet.value in active
            if chosen:
                changed = {**filters, name: [v for v in active if v != facet.value]}
            else:
                changed = {**filters, name: [*filters.get(name, []), facet.value]}
            items.append(
                {
                    "label": facet.label,
                    "count": facet.count,
                    "active": chosen,
                    "url": _url(_params(query, changed, sort, document)),
                }
            )
        if items:
            groups.append({"name": name, "title": title, "items": items})
    return groups


def _active_filters(filters, query, sort, document) -> list[dict]:
    chips = []
    for name, values in filters.items():
        for value in values:
            remaining = {**filters, name: [v for v in values if v != value]}
            chips.append(
                {
                    "label": f"{name}: {value}",
                    "url": _url(_params(query, remaining, sort, document)),
                }
            )
    return chips


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    filters = filters_from(request.GET)
    sort = request.GET.get("sort", "relevance")
    if sort not in ("relevance", "date"):
        sort = "relevance"
    document = request.GET.get("document") or None
    if document is not None and not is_id(document):
        document = None
    page = positive_int(request.GET.get("page"), 1)
    result = search.search(
        query,
        user=request.user,
        filters=filters,
        sort=sort,
        page=page,
        per_page=PER_PAGE,
        document_id=int(document) if document else None,
    )
    if query.strip() or filters or document:
        services.search_record(
            user=request.user,
            query=query,
            filters={**filters, "sort": sort, "page": page},
            result=result,
            http_request=request,
            document_id=int(document) if document else None,
        )
    within = None
    if document:
        from documents.models import Document

        within = Document.objects.visible_to(request.user).filter(pk=document).first()
    base = _params(query, filters, sort, document)
    paging = [(key, value) for key, value in base if key != "sort"]
    context = {
        "query": query,
        "result": result,
        "sort": sort,
        "document": document,
        "within": within,
        "facet_groups": _facet_groups(result, query, filters, sort, document),
        "active_filters": _active_filters(filters, query, sort, document),
        "sort_urls": {
            "relevance": _url(paging),
            "date": _url([*paging, ("sort", "date")]),
        },
        "previous_url": _url([*base, ("page", str(result.page - 1))]),
        "next_url": _url([*base, ("page", str(result.page + 1))]),
        "without_document_url": _url(_params(query, filters, sort, None)),
        "filters": filters,
        "saved_searches": selectors.saved_searches_of(request.user),
        "notifications": selectors.unseen_notifications(request.user)[:10],
        "notification_count": selectors.unseen_notification_count(request.user),
    }
    return render(request, "search/search.html", context)


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("search:search")


@require_POST
def saved_search_create(request: HttpRequest) -> HttpResponse:
    form = SavedSearchForm(request.POST)
    if not form.is_valid():
        messages.error(request, "This search could not be saved.")
        return _back(request)
    try:
        saved = services.saved_search_create(
            user=request.user,
            name=form.cleaned_data["name"],
            query=form.cleaned_data["q"],
            filters=filters_from(request.POST),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(request)
    messages.success(
        request,
        f"Saved “{saved.name}”. You will be told when new pages match it.",
    )
    return _back(request)


@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's saved search answers as one that does not exist.
    if not selectors.saved_searches_of(request.user).filter(pk=pk).exists():
        raise Http404("No such saved search.")
    services.saved_search_delete(user=request.user, saved_search_id=pk)
    messages.success(request, "Saved search deleted.")
    return _back(request)


@require_POST
def notifications_seen(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_seen(user=request.user)
    return _back(request)
