"""Rebuild the search index from the database, resumably."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from search.backends.base import IndexBusy
from search.maintenance import format_duration, rebuild


class ProgressBar:
    """A bar on a terminal; occasional lines otherwise (logs, CI)."""

    def __init__(self, stream, *, interactive: bool, width: int = 30) -> None:
        self.stream = stream
        self.interactive = interactive
        self.width = width
        self.started = time.monotonic()
        self.last_line = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        elapsed = now - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        fraction = done / total if total else 1.0
        remaining = (total - done) / rate if rate else 0.0
        text = (
            f"{done:,}/{total:,} pages ({fraction:.0%}), {rate:,.0f} pages/s, "
            f"{format_duration(remaining)} left"
        )
        if self.interactive:
            filled = round(self.width * min(1.0, fraction))
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\r[{bar}] {text}", ending="")
            self.stream.flush()
        elif now - self.last_line >= 5 or done >= total:
            self.stream.write(text)
            self.last_line = now

    def finish(self) -> None:
        if self.interactive:
            self.stream.write("")


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the database in chunks of pages. An "
        "interrupted rebuild resumes where it stopped; --restart starts over."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=500)
        parser.add_argument(
            "--max-chunks",
            type=int,
            default=None,
            help="Stop after this many chunks (the next run resumes).",
        )
        parser.add_argument(
            "--restart",
            action="store_true",
            help="Ignore an unfinished rebuild and start from an empty index.",
        )

    def handle(self, *args, chunk_size, max_chunks, restart, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.", returncode=2)
        interactive = self.stdout.isatty()
        bar = ProgressBar(self.stdout, interactive=interactive)
        started = time.monotonic()
        try:
            report = rebuild(
                chunk_size=chunk_size,
                max_chunks=max_chunks,
                restart=restart,
                progress=bar,
            )
        except IndexBusy as exc:
            raise CommandError(str(exc)) from exc
        bar.finish()
        if report.resumed_after:
            self.stdout.write(f"Resumed after page {report.resumed_after}.")
        elapsed = format_duration(time.monotonic() - started)
        if report.finished:
            self.stdout.write(
                f"Rebuilt: {report.done:,} pages indexed "
                f"({report.indexed:,} by this run, {elapsed})."
            )
        else:
            self.stdout.write(
                f"Stopped after {report.done:,} of {report.total:,} pages "
                f"({report.indexed:,} by this run, {elapsed}); run again to resume."
            )
