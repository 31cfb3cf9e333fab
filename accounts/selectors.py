"""Reads for accounts."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from accounts.models import AccessLog
from foia.permissions import is_manager


def can_review_access_log(user) -> bool:
    """Editors and administrators review everyone's access; others their own."""
    return is_manager(user)


def access_log_for(
    *,
    viewer,
    username: str = "",
    request_id: int | None = None,
    action: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AccessLog]:
    """Entries ``viewer`` may review: everyone's for editors and admins, else own."""
    entries = AccessLog.objects.select_related("user")
    if not can_review_access_log(viewer):
        entries = entries.filter(user=viewer)
    elif username:
        entries = entries.filter(username=username)
    if request_id:
        entries = entries.filter(request_id=request_id)
    if action:
        entries = entries.filter(action=action)
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries
