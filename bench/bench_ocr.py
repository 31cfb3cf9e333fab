"""OCR throughput and accuracy: the pipeline against plain tesseract.

Generates ``BENCH_OCR_PAGES`` scanned letter pages at 300 dpi (default: 8 per
core) with known text, then

- runs plain ``tesseract PAGE.png stdout``, one process per core
  (``OMP_THREAD_LIMIT=1``), over the page images;
- runs the pipeline over a PDF of the same pages the way ``ingest --wait`` does
  without a worker: ``document_process_start`` splits it into chunks and a pool of
  one process per core runs ``document_chunk_process`` on them (render, OCR,
  word boxes, thumbnail, exemptions, database writes);
- measures word accuracy of both readings against the known text (the share of
  the true words found in order, by ``difflib`` alignment);
- times the pipeline on a generated ``BENCH_TEXT_PAGES``-page PDF with a real
  text layer (default 200).

Everything runs in a throw-away database and media folder.
"""

from __future__ import annotations

import difflib
import itertools
import os
import re
import resource
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import Figure, benchmark

CORES = os.cpu_count() or 1
SCAN_PAGES = int(os.environ.get("BENCH_OCR_PAGES", str(2 * CORES * 4)))
TEXT_PAGES = int(os.environ.get("BENCH_TEXT_PAGES", "200"))
# Rounds alternate the two contestants; the best round of each counts, which
# keeps other work on the machine from deciding the comparison.
ROUNDS = int(os.environ.get("BENCH_OCR_ROUNDS", "2"))
DPI = 300
LINES_PER_PAGE = 34
_WORD = re.compile(r"[a-z0-9]+")
_ROUND = itertools.count(1)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


class _ThrowAway:
    """A new database (SQLite file or ``bench_ocr_<pid>`` on PostgreSQL) and media
    folder for the duration."""

    def __enter__(self):
        from django.db import connection
        from django.test.utils import override_settings

        self.connection = connection
        self.folder = tempfile.TemporaryDirectory(prefix="bench-ocr-")
        test_settings = connection.settings_dict.setdefault("TEST", {})
        self.saved_test_name = test_settings.get("NAME")
        test_settings["NAME"] = (
            os.path.join(self.folder.name, "bench.sqlite3")
            if connection.vendor == "sqlite"
            else f"bench_ocr_{os.getpid()}"
        )
        self.old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        self.settings = override_settings(
            MEDIA_ROOT=os.path.join(self.folder.name, "media"),
            SEARCH_INDEX_DIR=os.path.join(self.folder.name, "index"),
            OCR_DPI=DPI,
            OCR_LANGUAGES="eng",
        )
        self.settings.enable()
        # Whatever gets queued (search housekeeping) runs here, on this database,
        # and never reaches a broker that a real worker reads.
        from django_q.conf import Conf

        self.saved_sync = Conf.SYNC
        Conf.SYNC = True
        return Path(self.folder.name)

    def __exit__(self, *exc_info) -> None:
        from django_q.conf import Conf

        Conf.SYNC = self.saved_sync
        self.settings.disable()
        self.connection.creation.destroy_test_db(self.old_name, verbosity=0)
        test_settings = self.connection.settings_dict["TEST"]
        if self.saved_test_name is None:
            test_settings.pop("NAME", None)
        else:
            test_settings["NAME"] = self.saved_test_name
        self.folder.cleanup()


def _page_lines(number: int) -> list[str]:
    from documents import generate

    text = " ".join(generate.sentences(1000 + number, 40, words=(8, 14)))
    return generate.wrap(text, width=64)[:LINES_PER_PAGE]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _accuracy(readings: list[str], truths: list[list[str]]) -> float:
    """Share of the true words found, in order, over all pages."""
    found = total = 0
    for reading, truth in zip(readings, truths, strict=True):
        expected = _words(" ".join(truth))
        matcher = difflib.SequenceMatcher(
            None, expected, _words(reading), autojunk=False
        )
        found += sum(block.size for block in matcher.get_matching_blocks())
        total += len(expected)
    return 100 * found / total


class _Clock:
    """Wall time, and CPU time of this process and the children it waited for
    (pool workers and every tesseract they ran)."""

    def __enter__(self):
        self.wall = time.perf_counter()
        self.cpu = self._cpu()
        return self

    def __exit__(self, *exc_info) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = self._cpu() - self.cpu

    @staticmethod
    def _cpu() -> float:
        total = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            usage = resource.getrusage(who)
            total += usage.ru_utime + usage.ru_stime
        return total


def _plain_tesseract(images: list[Path]) -> tuple[_Clock, list[str]]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def read(path: Path) -> str:
        result = subprocess.run(  # noqa: S603 - fixed program, generated file
            ["tesseract", str(path), "stdout", "-l", "eng"],  # noqa: S607
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return result.stdout

    with _Clock() as clock, ThreadPoolExecutor(max_workers=CORES) as pool:
        readings = list(pool.map(read, images))
    return clock, readings


def _pipeline(pdf: bytes, name: str) -> tuple[_Clock, list[str], _Clock]:
    """Process ``pdf`` as ``ingest --wait`` does without a worker; the clocks of
    the page processing and of the search indexing that follows it."""
    import io

    from documents import runner, services
    from documents.models import Document

    # Different bytes each round (a PDF comment), so each is a new document.
    pdf = pdf + f"% round {next(_ROUND)}\n".encode()
    (result,) = services.document_ingest(
        fileobj=io.BytesIO(pdf), name=name, enqueue=False
    )
    with _Clock() as clock:
        runner.process_here([result.document.pk], workers=CORES, index=False)
    with _Clock() as indexing:
        runner.index_documents([result.document.pk])
    document = Document.objects.get(pk=result.document.pk)
    if document.state != "done":
        raise RuntimeError(f"{name} ended {document.state}: {document.error_reason}")
    texts = list(document.pages.order_by("number").values_list("text", flat=True))
    return clock, texts, indexing


@benchmark("OCR: the pipeline against plain tesseract, one process per core")
def ocr_throughput() -> list[Figure]:
    _setup_django()
    from documents import generate

    with _ThrowAway() as folder:
        truths = [_page_lines(number) for number in range(SCAN_PAGES)]
        images = [
            generate.scanned_page(lines, dpi=DPI, wear=number)
            for number, lines in enumerate(truths)
        ]
        paths = []
        for number, image in enumerate(images):
            path = folder / f"page-{number:03}.png"
            image.save(path, dpi=(DPI, DPI))
            paths.append(path)
        scan_pdf = generate.images_to_pdf(images, dpi=DPI)

        _plain_tesseract(paths[:1])  # load the language model into the page cache
        plain_runs, pipeline_runs = [], []
        for _round in range(ROUNDS):
            plain_runs.append(_plain_tesseract(paths))
            pipeline_runs.append(_pipeline(scan_pdf, "scans.pdf"))
        plain, plain_readings = min(plain_runs, key=lambda run: run[0].wall)
        ours, pipeline_readings, _ = min(pipeline_runs, key=lambda run: run[0].wall)

        text_lines = [_page_lines(10_000 + number) for number in range(TEXT_PAGES)]
        text_pdf = generate.text_pdf(text_lines)
        text_clock, _texts, text_indexing = min(
            (_pipeline(text_pdf, "text.pdf") for _round in range(ROUNDS)),
            key=lambda run: run[0].wall,
        )

    plain_rate = SCAN_PAGES / plain.wall
    pipeline_rate = SCAN_PAGES / ours.wall
    return [
        ("cores (worker processes)", CORES, ""),
        ("scanned pages, 300 dpi letter", SCAN_PAGES, "pages"),
        ("plain tesseract", plain_rate, "pages/s"),
        ("pipeline (chunked tasks, pool)", pipeline_rate, "pages/s"),
        ("pipeline / plain tesseract", 100 * pipeline_rate / plain_rate, "%"),
        ("CPU per page, plain tesseract", plain.cpu / SCAN_PAGES, "s"),
        ("CPU per page, pipeline", ours.cpu / SCAN_PAGES, "s"),
        ("word accuracy, plain tesseract", _accuracy(plain_readings, truths), "%"),
        ("word accuracy, pipeline", _accuracy(pipeline_readings, truths), "%"),
        (f"text-layer pages ({TEXT_PAGES})", TEXT_PAGES / text_clock.wall, "pages/s"),
        (
            "then search indexing (one process)",
            TEXT_PAGES / text_indexing.wall,
            "pages/s",
        ),
    ]
