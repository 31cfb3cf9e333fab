"""Scheduled desk work (django-q2). Each task is safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from desk import services


def send_daily_digests() -> int:
    """Run hourly; sends the day's digests once the local hour reaches DIGEST_HOUR.

    Checking every hour (instead of one daily run at a fixed time) lets a changed
    DIGEST_HOUR take effect without touching the schedule, and catches up after
    a worker was down at the hour. ``DigestLog`` keeps it to one digest a day.
    """
    if timezone.localtime().hour < settings.DIGEST_HOUR:
        return 0
    return services.digest_send_all(today=timezone.localdate())


def draft_follow_ups() -> int:
    """Draft follow-up letters for requests that passed their due date."""
    return len(services.follow_ups_draft(today=timezone.localdate()))
