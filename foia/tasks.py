"""Background work for requests: take ids, return quietly if the row is gone,
call a service, and stay safe to run twice."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from foia import services
from foia.models import Jurisdiction


def jurisdiction_rules_changed(
    jurisdiction_id: int, actor_id: int | None = None
) -> int:
    """Recompute the open requests of a jurisdiction whose rules or holidays changed.

    Returns how many requests had a deadline move (0 when the row is gone).
    """
    jurisdiction = Jurisdiction.objects.filter(pk=jurisdiction_id).first()
    if jurisdiction is None:
        return 0
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return services.jurisdiction_rules_changed(jurisdiction=jurisdiction, actor=actor)


def send_embargo_warnings() -> int:
    """Scheduled daily: warn requesters and collaborators of embargoes about to
    lift. Returns how many warnings went out; a second run the same day sends none.
    """
    return services.embargo_warnings_send()
