"""Bulk import: ``manage.py ingest PATH... [--request ID] [--wait] [--json]``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from config.health import check_worker
from documents import intake, runner, services
from documents.management.progress import ProgressBar
from documents.models import Document
from foia.models import Communication, FoiaRequest


class Command(BaseCommand):
    help = (
        "Import files and folders as documents (PDF, TIFF, PNG, JPEG, ZIP). With "
        "--wait, return when processing has finished, doing it here on every core "
        "when no worker runs. With --json, print one line per input file: "
        '{"path", "document_id", "state", "pages", "error"}. A ZIP archive is '
        "unpacked in the background into one document per file: once it has been "
        "unpacked (always, with --wait) there is a line for each file in it, with "
        "the path ARCHIVE.zip/folder/file.pdf; before that, one line for the "
        "archive itself, in state queued or processing; an archive refused whole "
        "is one line, rejected (or failed, when refused while being unpacked). "
        "Exits 1 when a file was rejected or failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", help="files or folders")
        parser.add_argument("--request", type=int, help="attach to this request id")
        parser.add_argument(
            "--communication", type=int, help="attach to this communication id"
        )
        parser.add_argument(
            "--languages", default="", help="OCR languages, such as eng+spa"
        )
        parser.add_argument("--user", help="username recorded as the uploader")
        parser.add_argument(
            "--wait", action="store_true", help="return when processing has finished"
        )
        parser.add_argument(
            "--json", action="store_true", help="one JSON line per input file"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes when processing here (default: every core)",
        )

    def handle(self, *args, **options) -> None:
        files = _expand(options["paths"])
        request_obj, communication = _destination(options)
        uploader = _uploader(options["user"])
        try:
            languages = intake.check_languages(options["languages"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        workers = options["workers"] or os.cpu_count() or 1
        run_here = options["wait"] and not check_worker()[0]

        bar = ProgressBar(self.stderr, label="Importing", unit="files")
        rows: list[tuple[str, services.IngestResult]] = []
        for position, path in enumerate(files, start=1):
            for result in services.document_ingest(
                path=path,
                name=path.name,
                uploaded_by=uploader,
                request=request_obj,
                communication=communication,
                languages=languages,
                enqueue=not run_here,
            ):
                rows.append((str(path), result))
            bar.update(position, len(files))
        bar.finish()

        document_ids = [
            result.document.pk
            for _path, result in rows
            if result.state == "queued" and result.document is not None
        ]
        if options["wait"] and document_ids:
            bar = ProgressBar(self.stderr, label="Processing", unit="pages")
            if run_here:
                runner.process_here(document_ids, workers=workers, progress=bar.update)
            else:
                runner.wait_for(
                    document_ids,
                    progress=bar.update,
                    worker_alive=lambda: check_worker()[0],
                    workers=workers,
                )
            bar.finish()
        elif document_ids and not check_worker()[0]:
            self.stderr.write(
                "No worker is running: the documents wait until one starts "
                "(or run with --wait to process them here).",
                style_func=self.style.WARNING,
            )

        lines = [line for path, result in rows for line in _outcomes(path, result)]
        troubles = self._print(lines, as_json=options["json"])
        if troubles:
            raise CommandError(
                f"{troubles} of {len(lines)} files were rejected or failed.",
                returncode=1,
            )

    def _print(self, lines: list[dict], *, as_json: bool) -> int:
        troubles = 0
        for line in lines:
            path = line["path"]
            if line["state"] in ("rejected", "failed"):
                troubles += 1
            if as_json:
                self.stdout.write(json.dumps(line, ensure_ascii=False))
                continue
            where = f" document {line['document_id']}" if line["document_id"] else ""
            pages = f", {line['pages']} pages" if line["pages"] is not None else ""
            error = f": {line['error']}" if line["error"] else ""
            self.stdout.write(f"{line['state']:<10} {path}{where}{pages}{error}")
        return troubles


def _outcomes(path: str, result: services.IngestResult) -> list[dict]:
    """The lines for one input: one per file of an archive it unpacked into."""
    document = result.document
    if document is not None:
        document.refresh_from_db()
    if (
        document is None
        or result.state != "queued"
        or not document.is_archive
        or document.state != Document.State.DONE
    ):
        return [_outcome(path, result)]
    lines = []
    for member in document.members.select_related("document"):
        lines.append(
            _outcome(
                f"{path}/{member.name}",
                services.IngestResult(
                    member.name, member.outcome, member.reason, member.document
                ),
            )
        )
    return lines


def _outcome(path: str, result: services.IngestResult) -> dict:
    document = result.document
    if document is not None:
        document.refresh_from_db()
    if result.state == "rejected" or document is None:
        return {
            "path": path,
            "document_id": None,
            "state": "rejected",
            "pages": None,
            "error": result.reason,
        }
    if result.state == "duplicate":
        state, error = "duplicate", None
    else:
        state, error = document.state, document.error_reason or None
    return {
        "path": path,
        "document_id": document.pk,
        "state": state,
        "pages": document.page_count,
        "error": error,
    }


def _expand(arguments: list[str]) -> list[Path]:
    files: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            for folder, subfolders, names in os.walk(path):
                subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
                files.extend(
                    Path(folder) / name
                    for name in sorted(names)
                    if not name.startswith(".") and (Path(folder) / name).is_file()
                )
        else:
            raise CommandError(f"{argument}: no such file or folder.")
    if not files:
        raise CommandError("No files to import in the paths given.")
    return files


def _destination(options) -> tuple[FoiaRequest | None, Communication | None]:
    request_obj = communication = None
    if options["request"] is not None:
        request_obj = FoiaRequest.objects.filter(pk=options["request"]).first()
        if request_obj is None:
            raise CommandError(f"No request {options['request']}.")
    if options["communication"] is not None:
        communication = Communication.objects.filter(
            pk=options["communication"]
        ).first()
        if communication is None:
            raise CommandError(f"No communication {options['communication']}.")
        if request_obj is not None and communication.request_id != request_obj.pk:
            raise CommandError("That communication belongs to another request.")
        request_obj = communication.request
    return request_obj, communication


def _uploader(username: str | None):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user {username}.")
    return user
