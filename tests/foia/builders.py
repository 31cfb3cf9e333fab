"""Small builders shared by the foia tests (fixtures live in conftest.py)."""

from __future__ import annotations

from datetime import date

from foia import services

# Worked federal example: received Monday 2025-03-03; 20 working days later is
# Monday 2025-03-31; 10 more working days is Monday 2025-04-14 (no federal holiday
# falls in March or April 2025).
RECEIVED = date(2025, 3, 3)
RESPONSE_DUE = date(2025, 3, 31)
EXTENDED_DUE = date(2025, 4, 14)


def log(request, kind: str, on: date, *, actor, confirm: bool = True, **values):
    """Log a communication in the direction its kind travels."""
    outgoing = kind in ("request", "reply", "appeal", "follow_up")
    values.setdefault("channel", "email")
    return services.communication_log(
        actor=actor,
        request=request,
        direction="out" if outgoing else "in",
        kind=kind,
        sent_on=on,
        confirm=confirm,
        **values,
    )


def events(request, kind: str | None = None) -> list:
    found = request.events.order_by("at", "pk")
    if kind:
        found = found.filter(kind=kind)
    return list(found)
