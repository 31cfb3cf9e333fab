"""Fixtures for the documents tests: requests filed through the foia services,
uploads through ``document_ingest`` with their processing run as the worker would
(django-q2's sync mode runs each task when its transaction commits)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from documents import generate
from documents.services import IngestResult, document_ingest
from foia import services as foia_services
from foia.models import Agency, Visibility

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
EXTRA_SAMPLES = Path(__file__).resolve().parent / "samples"


def sample(name: str) -> Path:
    """A sample file from tests/samples, or the extra ones next to these tests."""
    for folder in (SAMPLES, EXTRA_SAMPLES):
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(name)


def zip_bytes(members: dict[str, bytes], *, symlinks: tuple[str, ...] = ()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            if name in symlinks:
                info.external_attr = 0o120777 << 16
            else:
                info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def text_pdf(*pages: str) -> bytes:
    """A PDF with a real text layer, one string (lines split on newlines) a page."""
    return generate.text_pdf([page.split("\n") for page in pages])


def scan_pdf(pages: int, *, seed: int = 1, dpi: int = 100) -> bytes:
    """A scanned PDF (no text layer) of ``pages`` letter pages."""
    images = [
        generate.scanned_page(
            generate.wrap(" ".join(generate.sentences(seed + n, 4))), dpi=dpi
        )
        for n in range(pages)
    ]
    return generate.images_to_pdf(images, dpi=dpi)


MEMO = (
    "Department of Homeland Security\n"
    "Office of Professional Responsibility\n"
    "Report of investigation, case OPR-2021-04417\n"
    "The agent queried TECS and ICM for records about a former partner.\n"
    "Names withheld under (b)(6) and (b)(7)(C)."
)


@pytest.fixture
def make_request(reporter) -> Callable:
    """File a request through the foia services; private to its owner by default."""

    def make(
        owner=None,
        *,
        title="ICE OPR reports",
        visibility=Visibility.PRIVATE,
        collaborators=(),
    ):
        return foia_services.request_file(
            actor=owner or reporter,
            agency=Agency.objects.get(slug="ice"),
            title=title,
            body=f"All records about {title}.",
            visibility=visibility,
            collaborators=list(collaborators),
            filed_on=timezone.localdate() - timedelta(days=10),
        )

    return make


@pytest.fixture
def ingest(django_capture_on_commit_callbacks, reporter) -> Callable:
    """Upload a file (a Path or bytes) and run its processing tasks."""

    def run(source, *, name: str | None = None, user=None, **options):
        user = reporter if user is None else user
        with django_capture_on_commit_callbacks(execute=True):
            if isinstance(source, Path):
                results = document_ingest(
                    path=source, name=name or source.name, uploaded_by=user, **options
                )
            else:
                results = document_ingest(
                    fileobj=io.BytesIO(source),
                    name=name or "upload.pdf",
                    uploaded_by=user,
                    **options,
                )
        for result in results:
            if result.document is not None:
                result.document.refresh_from_db()
        return results

    return run


@pytest.fixture
def ingest_one(ingest) -> Callable:
    def run(source, **options) -> IngestResult:
        results = ingest(source, **options)
        assert len(results) == 1, results
        return results[0]

    return run
