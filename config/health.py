"""Checks behind /healthz: each returns (ok, details) and never raises."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

WORKER_HEARTBEAT_WINDOW = timedelta(minutes=1)
Check = tuple[bool, dict[str, Any]]


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return False, {"error": f"database unreachable: {exc}"}
    return True, {"vendor": connection.vendor}


def check_broker() -> Check:
    from django_q.brokers import get_broker

    try:
        broker = get_broker()
        broker.ping()
        queued = broker.queue_size()
    except Exception as exc:
        return False, {"error": f"broker unreachable: {exc}"}
    return True, {"kind": "redis" if settings.REDIS_URL else "orm", "queued": queued}


def check_worker() -> Check:
    from django_q.conf import Conf
    from django_q.status import Stat

    try:
        stats = Stat.get_all()
    except Exception as exc:
        return False, {"error": f"cannot read worker heartbeats: {exc}"}
    cutoff = timezone.now() - WORKER_HEARTBEAT_WINDOW
    alive = [
        stat
        for stat in stats
        if stat.timestamp >= cutoff and stat.status != Conf.STOPPED
    ]
    if not alive:
        return False, {
            "error": "no worker cluster has sent a heartbeat in the last minute"
        }
    newest = max(stat.timestamp for stat in alive)
    return True, {
        "clusters": len(alive),
        "workers": sum(len(stat.workers) for stat in alive),
        "last_heartbeat": newest.isoformat(),
    }


def check_search_index() -> Check:
    path = Path(settings.SEARCH_INDEX_DIR)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".healthz"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        return False, {"error": f"search index directory not writable: {exc}"}
    return True, {"path": str(path), "backend": settings.SEARCH_BACKEND}


def _version(command: list[str], pattern: str) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    try:
        result = subprocess.run(  # noqa: S603 - fixed argument list
            command, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(pattern, result.stdout + result.stderr)
    return match.group(1) if match else None


def check_tesseract() -> Check:
    version = _version(["tesseract", "--version"], r"tesseract v?(\d[\w.\-]*)")
    if version is None:
        return False, {"error": "tesseract not found (install tesseract-ocr)"}
    return True, {"version": version}


def check_poppler() -> Check:
    version = _version(["pdftoppm", "-v"], r"pdftoppm version (\d[\w.\-]*)")
    if version is None:
        return False, {"error": "pdftoppm not found (install poppler-utils)"}
    return True, {"version": version}


CHECKS = {
    "database": check_database,
    "broker": check_broker,
    "worker": check_worker,
    "search_index": check_search_index,
    "tesseract": check_tesseract,
    "poppler": check_poppler,
}


def run_checks() -> tuple[bool, dict[str, dict[str, Any]]]:
    results: dict[str, dict[str, Any]] = {}
    healthy = True
    for name, check in CHECKS.items():
        ok, details = check()
        healthy = healthy and ok
        results[name] = {"ok": ok, **details}
    return healthy, results
