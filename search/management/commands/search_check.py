"""Report pages missing from the search index or indexed from older data."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from search.maintenance import check, repair

SHOWN_IDS = 50


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(pk) for pk in ids[:SHOWN_IDS])
    return shown + (
        f", … ({len(ids) - SHOWN_IDS} more)" if len(ids) > SHOWN_IDS else ""
    )


class Command(BaseCommand):
    help = (
        "Compare the search index with the database: pages missing from it, "
        "stale (changed since indexed) or orphaned (gone from the database). "
        "Exits 1 when it finds any."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help="Reindex what is missing or stale."
        )

    def handle(self, *args, fix, **options):
        report = check()
        if report.rebuild_unfinished:
            self.stdout.write(
                "A rebuild is unfinished (stopped after page "
                f"{report.rebuild_unfinished.get('after')}): run search_rebuild."
            )
        self.stdout.write(
            f"Checked {report.checked:,} page{'' if report.checked == 1 else 's'}: "
            f"{len(report.missing):,} missing, "
            f"{len(report.stale):,} stale, {len(report.orphaned):,} orphaned."
        )
        for label, ids in (
            ("missing", report.missing),
            ("stale", report.stale),
            ("orphaned", report.orphaned),
        ):
            if ids:
                self.stdout.write(f"{label}: {_ids(ids)}")
        if report.ok:
            return
        if fix:
            repaired = repair(report)
            self.stdout.write(f"Fixed: {repaired:,} pages reindexed.")
            return
        raise CommandError(
            "The index does not match the database: run search_check --fix, or "
            "search_rebuild.",
            returncode=1,
        )
