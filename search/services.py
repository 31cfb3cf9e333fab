"""Writes of the search app: saved searches and their notifications."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.services import access_record
from search import query as q
from search.models import SavedSearch, SavedSearchMatch

MAX_SAVED_SEARCHES = 100
# Pages checked against saved searches per search call.
CHECK_CHUNK = 500


def saved_search_create(
    *, user, name: str, query: str, filters: Mapping | None = None
) -> SavedSearch:
    """Keep a query for ``user``; raises ``ValidationError`` if it cannot run."""
    from search.engine import plan_for

    name = (name or "").strip() or (query or "").strip()[:120]
    filters = {
        key: value
        for key, value in dict(filters or {}).items()
        if value not in ("", [])
    }
    try:
        _node, asked = plan_for(query or "", filters=filters)
    except q.QueryError as exc:
        raise ValidationError(str(exc)) from exc
    if not asked:
        raise ValidationError("Type a query to save.")
    if user.saved_searches.count() >= MAX_SAVED_SEARCHES:
        raise ValidationError(
            f"You already keep {MAX_SAVED_SEARCHES} saved searches; delete one first."
        )
    return SavedSearch.objects.create(
        user=user, name=name[:120], query=query or "", filters=filters
    )


def search_record(
    *,
    user,
    query: str,
    filters: Mapping | None,
    result,
    http_request=None,
    document_id: int | None = None,
    via: str = "web",
    detail: str = "",
) -> None:
    """Put a search that ran in the access log: who, the query, its filters and
    how many pages matched (none recorded for a query that could not run; the
    detail says when that number is an estimate)."""
    if not result.error and not result.total_exact:
        detail = "; ".join(filter(None, [detail, "result count estimated"]))
    access_record(
        user=user,
        action="search",
        http_request=http_request,
        document_id=document_id,
        query=query or "",
        filters=dict(filters or {}),
        result_count=None if result.error else result.total,
        detail=(result.error or detail)[:255],
        via=via,
    )


def saved_search_delete(*, user, saved_search_id: int) -> None:
    saved = SavedSearch.objects.filter(pk=saved_search_id).first()
    if saved is None:
        return
    if saved.user_id != user.pk:
        raise PermissionDenied("This saved search belongs to someone else.")
    saved.delete()


def notifications_mark_seen(*, user, match_ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s notifications seen (all of them without ``match_ids``)."""
    matches = SavedSearchMatch.objects.filter(user=user, seen_at__isnull=True)
    if match_ids is not None:
        matches = matches.filter(pk__in=list(match_ids))
    return matches.update(seen_at=timezone.now())


def saved_searches_check(*, page_ids: Iterable[int]) -> int:
    """Record a notification for each saved search matching one of the pages.

    Each saved query runs as its owner, restricted to ``page_ids``, so nobody
    hears of a page they may not see. A page notifies a saved search once.
    Returns the number of new notifications.
    """
    from search.engine import search

    page_ids = sorted(set(page_ids))
    if not page_ids:
        return 0
    created = 0
    saved_searches = SavedSearch.objects.filter(user__is_active=True).select_related(
        "user"
    )
    for saved in saved_searches.iterator():
        for start in range(0, len(page_ids), CHECK_CHUNK):
            chunk = page_ids[start : start + CHECK_CHUNK]
            result = search(
                saved.query,
                user=saved.user,
                filters=saved.filters,
                page_ids=chunk,
                per_page=len(chunk),
                facets=False,
            )
            if result.error or not result.hits:
                continue
            with transaction.atomic():
                existing = set(
                    SavedSearchMatch.objects.filter(
                        saved_search=saved, page_id__in=[h.page_id for h in result.hits]
                    ).values_list("page_id", flat=True)
                )
                new = [
                    SavedSearchMatch(
                        saved_search=saved,
                        user=saved.user,
                        page_id=hit.page_id,
                        snippet=hit.snippet,
                    )
                    for hit in result.hits
                    if hit.page_id not in existing
                ]
                SavedSearchMatch.objects.bulk_create(new, ignore_conflicts=True)
                created += len(new)
        SavedSearch.objects.filter(pk=saved.pk).update(last_checked_at=timezone.now())
    return created
