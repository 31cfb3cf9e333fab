"""``manage.py export_text DOC_ID``: page texts, each followed by a form feed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.services import access_record
from documents.models import Document


class Command(BaseCommand):
    help = (
        "Print a document's page texts, each followed by a form feed (as pdftotext "
        "does). Exits 2 for an unknown document."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("document_id", type=int)

    def handle(self, *args, document_id: int, **options) -> None:
        document = Document.objects.filter(pk=document_id).first()
        if document is None:
            raise CommandError(f"No document {document_id}.", returncode=2)
        if document.state != Document.State.DONE:
            self.stderr.write(
                f"Document {document_id} is {document.get_state_display().lower()}; "
                "pages not yet read are empty."
            )
        texts = document.pages.order_by("number").values_list("text", flat=True)
        for text in texts.iterator():
            self.stdout.write(f"{text}\f", ending="")
        self.stdout.flush()
        access_record(
            user=None,
            action="export",
            document_id=document_id,
            detail="export_text",
            via="cli",
        )
