"""Scheduled housekeeping for accounts."""

from __future__ import annotations

from accounts.services import access_log_purge


def purge_access_log() -> int:
    """Drop access-log entries past the retention period (safe to run twice)."""
    return access_log_purge()
