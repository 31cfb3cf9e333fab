"""Who may see which indexed page, decided inside the query.

The rules are those of ``FoiaRequest.objects.visible_to`` and
``Document.objects.visible_to``, restated over the fields each index entry
carries (see :class:`Access`), so that both backends filter before counting,
faceting and paging:

- superusers, editors and administrators see every page;
- a page of a request is seen by the requester and its collaborators, and by
  others when the request is shared with them (public: everyone; newsroom:
  anyone in a newsroom role), is not a draft, and its embargo (if any) has
  passed. The embargo is compared with today's date at query time;
- a page of a document without a request is seen by its uploader and by anyone
  in a newsroom role;
- a document linked to several requests is seen through any of them, and by
  whoever uploaded the same file again on no request.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from foia import roles
from foia.models import Visibility
from search.types import SERVER


@dataclass(frozen=True)
class Grant:
    """One request a document came with (or is linked to), as visibility sees it."""

    request_id: int
    visibility: str
    draft: bool
    embargo_until: datetime.date | None
    owner_ids: tuple[int, ...]  # requester and collaborators


@dataclass(frozen=True)
class Access:
    """What an index entry records to decide who may see its page."""

    orphan: bool  # the document came without a request
    uploader_id: int | None
    grants: tuple[Grant, ...]  # its request and the requests it is linked to
    # People who uploaded the same bytes again on no request: they see it.
    adder_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Scope:
    """What one user may see, as data a backend turns into a filter."""

    everything: bool
    user_id: int | None
    shared: tuple[str, ...]  # request visibilities shared with this user
    orphans: str  # documents without a request: "all", "own" or "none"
    today: datetime.date

    def allows_grant(self, grant: Grant) -> bool:
        if self.everything:
            return True
        if self.user_id is not None and self.user_id in grant.owner_ids:
            return True
        return (
            grant.visibility in self.shared
            and not grant.draft
            and (grant.embargo_until is None or grant.embargo_until <= self.today)
        )

    def allows(self, access: Access) -> bool:
        if self.everything:
            return True
        if self.user_id is not None and self.user_id in access.adder_ids:
            return True
        if access.orphan and (
            self.orphans == "all"
            or (
                self.orphans == "own"
                and self.user_id is not None
                and access.uploader_id == self.user_id
            )
        ):
            return True
        return any(self.allows_grant(grant) for grant in access.grants)


def scope_for(user) -> Scope:
    """The scope of ``user`` (``None`` or anonymous: the public; ``SERVER``: all)."""
    today = timezone.localdate()
    if user is SERVER:
        return Scope(True, None, (), "all", today)
    if user is None or not user.is_authenticated:
        return Scope(False, None, (Visibility.PUBLIC.value,), "none", today)
    if not user.is_active:
        return Scope(False, None, (), "none", today)
    group_names = roles.names_of(user)
    if user.is_superuser or group_names & {roles.EDITOR, roles.ADMIN}:
        return Scope(True, user.pk, (), "all", today)
    if group_names:
        shared = (Visibility.NEWSROOM.value, Visibility.PUBLIC.value)
        return Scope(False, user.pk, shared, "all", today)
    # Signed in but in no newsroom role: what the public sees, plus their own.
    return Scope(False, user.pk, (Visibility.PUBLIC.value,), "own", today)
