"""``manage.py process_pending``: recover stalled work now and get it done."""

from __future__ import annotations

import os
from datetime import timedelta

from django.core.management.base import BaseCommand

from config.health import check_worker
from documents import conf, runner, services
from documents.management.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Queue again the pages a dead worker left and documents that stopped "
        "moving, as the scheduled recovery does. With no worker running (or with "
        "--here) the work is done in this process, on every core."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--stale-after",
            type=float,
            default=None,
            help="seconds a page may stay claimed (default: Q_TIMEOUT with a live "
            "worker, 0 without one)",
        )
        parser.add_argument(
            "--here", action="store_true", help="process here even if a worker runs"
        )
        parser.add_argument("--workers", type=int, default=None)

    def handle(self, *args, **options) -> None:
        alive = check_worker()[0]
        run_here = options["here"] or not alive
        if options["stale_after"] is not None:
            stale_after = timedelta(seconds=options["stale_after"])
        else:
            stale_after = conf.stale_after() if alive else timedelta(0)
        workers = options["workers"] or os.cpu_count() or 1
        report = services.document_recover(
            stale_after=stale_after, enqueue=not run_here, workers=workers
        )
        self.stdout.write(
            f"{report.pages_requeued} stalled pages queued again; "
            f"{len(report.documents)} documents to continue."
        )
        if run_here and report.documents:
            bar = ProgressBar(self.stderr, label="Processing", unit="pages")
            runner.process_here(
                report.documents,
                workers=workers,
                progress=bar.update,
                chunks=report.chunks,
            )
            bar.finish()
            self.stdout.write("Done.")
