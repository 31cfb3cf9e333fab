from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from documents import signals
        from documents.models import Document, Page

        post_delete.connect(
            signals.delete_original, sender=Document, dispatch_uid="document-original"
        )
        post_delete.connect(
            signals.delete_page_files, sender=Page, dispatch_uid="page-files"
        )
