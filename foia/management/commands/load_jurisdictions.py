"""Reload foia/data/jurisdictions.json into the database on purpose.

Replaces each jurisdiction's rule and holidays with the file's (admin edits to them
are lost), then recomputes the deadlines of the open requests they govern.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from foia import services
from foia.models import Holiday, Jurisdiction
from foia.seed import load_jurisdictions


class Command(BaseCommand):
    help = "Reload jurisdictions.json (rules and holidays) and recompute deadlines."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            codes = load_jurisdictions(
                jurisdiction_model=Jurisdiction, holiday_model=Holiday
            )
        moved = 0
        for jurisdiction in Jurisdiction.objects.filter(code__in=codes):
            moved += services.jurisdiction_rules_changed(jurisdiction=jurisdiction)
        self.stdout.write(
            f"Loaded {len(codes)} jurisdictions; deadlines moved on {moved} requests."
        )
