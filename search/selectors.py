"""Reads of the search app: saved searches and notifications."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from search.models import SavedSearch, SavedSearchMatch


def _visible_matches(user) -> QuerySet[SavedSearchMatch]:
    from documents.models import Document

    # A request can turn private after the page matched: show only what the
    # user may still see.
    return SavedSearchMatch.objects.filter(
        user=user, page__document__in=Document.objects.visible_to(user).values("pk")
    ).select_related("saved_search", "page__document")


def unseen_notifications(user) -> QuerySet[SavedSearchMatch]:
    """Saved-search matches ``user`` has not seen yet, newest first."""
    if user is None or not user.is_authenticated:
        return SavedSearchMatch.objects.none()
    return _visible_matches(user).filter(seen_at__isnull=True)


def unseen_notification_count(user) -> int:
    """For the navigation bar."""
    return unseen_notifications(user).count()


def saved_search_matches_since(
    user, since: datetime.datetime
) -> QuerySet[SavedSearchMatch]:
    """Matches recorded for ``user`` since ``since`` (for the digest)."""
    if user is None or not user.is_authenticated:
        return SavedSearchMatch.objects.none()
    return _visible_matches(user).filter(created_at__gte=since)


def saved_searches_of(user) -> QuerySet[SavedSearch]:
    if user is None or not user.is_authenticated:
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(user=user)
