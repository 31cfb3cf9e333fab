"""Tunables of intake and processing, read from settings when asked for.

Each has a default here so the project runs without them; ``config/settings.py``
may set any of them (from the environment) to override it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from documents import pipeline


def _setting(name: str, default):
    return getattr(settings, name, default)


def upload_max_bytes() -> int:
    return _setting("UPLOAD_MAX_BYTES", 200 * 1024 * 1024)


def zip_max_members() -> int:
    """Files taken out of one upload, counting those of nested archives."""
    return _setting("ZIP_MAX_MEMBERS", 500)


def zip_max_total_bytes() -> int:
    """Uncompressed bytes taken out of one upload, nested archives included."""
    return _setting("ZIP_MAX_TOTAL_BYTES", 1024 * 1024 * 1024)


def zip_max_depth() -> int:
    """Archives opened per upload path: 2 lets a zip inside a zip be unpacked."""
    return _setting("ZIP_MAX_DEPTH", 2)


def ocr_dpi() -> int:
    return _setting("OCR_DPI", pipeline.DEFAULT_DPI)


def ocr_languages() -> str:
    return _setting("OCR_LANGUAGES", "eng")


def ocr_max_pixels() -> int:
    return _setting("OCR_MAX_PIXELS", pipeline.DEFAULT_MAX_PIXELS)


def chunk_max_pages() -> int:
    return _setting("DOCUMENT_CHUNK_MAX_PAGES", 8)


def workers() -> int:
    return _setting("WORKERS", 1)


def weak_page_confidence() -> float:
    """Pages read with a mean OCR confidence below this are offered a re-run."""
    return _setting("WEAK_PAGE_CONFIDENCE", 60.0)


def stale_after() -> timedelta:
    """How long a page may stay claimed before recovery hands it to another worker.

    django-q2 stops a task after ``Q_TIMEOUT`` seconds, so a page claimed longer
    ago than that belongs to a worker that died.
    """
    return timedelta(seconds=_setting("Q_TIMEOUT", 1800))


def preview_dpi() -> int:
    return _setting("PAGE_PREVIEW_DPI", 110)


def preview_max_pixels() -> int:
    return _setting("PAGE_PREVIEW_MAX_PIXELS", 3_000_000)
