"""Reads for accounts."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from accounts.models import AccessLog
from foia import roles


def can_review_access_log(user) -> bool:
    return bool(
        user.is_authenticated
        and (
            user.is_superuser
            or user.groups.filter(name__in=(roles.EDITOR, roles.ADMIN)).exists()
        )
    )


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
