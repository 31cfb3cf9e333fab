"""Who may see and change requests and agencies.

``check_*`` raise; ``can_*`` answer. A request a user may not see is answered with
404, never 403, so its existence does not leak: ``check_can_edit`` first checks
that the request is visible.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from foia import roles
from foia.models import FoiaRequest

FILING_ROLES = (roles.REPORTER, roles.EDITOR, roles.ADMIN)
MANAGING_ROLES = (roles.EDITOR, roles.ADMIN)


def _in_roles(user, names: tuple[str, ...]) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(roles.names_of(user).intersection(names))


def is_manager(user) -> bool:
    """Editors and administrators: see and manage every request."""
    return _in_roles(user, MANAGING_ROLES)


def can_file(user) -> bool:
    return _in_roles(user, FILING_ROLES)


def can_view(user, request: FoiaRequest) -> bool:
    return FoiaRequest.objects.visible_to(user).filter(pk=request.pk).exists()


def can_edit(user, request: FoiaRequest) -> bool:
    """Editors and administrators edit all; reporters their own and shared ones."""
    if is_manager(user):
        return True
    if not can_file(user):
        return False
    return (
        request.requester_id == user.pk
        or request.collaborators.filter(pk=user.pk).exists()
    )


def check_can_view(user, request: FoiaRequest) -> None:
    if not can_view(user, request):
        raise Http404("No such request.")


def check_can_edit(user, request: FoiaRequest) -> None:
    check_can_view(user, request)
    if not can_edit(user, request):
        raise PermissionDenied(
            "Only the requester, the request's collaborators and editors can "
            "change this request."
        )


def check_can_file(user) -> None:
    if not can_file(user):
        raise PermissionDenied(
            "Only reporters and editors file requests; researchers and guests "
            "file nothing."
        )


def check_can_manage_agencies(user) -> None:
    if not is_manager(user):
        raise PermissionDenied("Only editors and administrators change agencies.")
