from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from documents import services
from documents.models import ArchiveMember, Document, DocumentLink, Page


class DocumentLinkInline(admin.TabularInline):
    model = DocumentLink
    extra = 0
    fields = [
        "request",
        "communication",
        "added_by",
        "original_name",
        "title",
        "created",
    ]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ArchiveMemberInline(admin.TabularInline):
    """For a ZIP archive: what became of each file in it."""

    model = ArchiveMember
    fk_name = "archive"
    extra = 0
    fields = ["position", "name", "outcome", "reason", "document"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def _retry(modeladmin, request, documents, *, pages_of=None) -> None:
    retried = 0
    for document in documents:
        pages = pages_of(document) if pages_of else None
        if pages is not None and not pages:
            continue
        try:
            services.document_retry(document=document, user=request.user, pages=pages)
        except (ValueError, PermissionDenied) as error:
            modeladmin.message_user(
                request, f"{document}: {error}", level=messages.WARNING
            )
        else:
            retried += 1
    modeladmin.message_user(request, f"{retried} documents queued again.")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "request",
        "state",
        "page_count",
        "pages_done",
        "attempts",
        "created_at",
    ]
    list_filter = ["state", "kind"]
    search_fields = ["title", "original_name", "sha256", "error_reason"]
    raw_id_fields = ["request", "communication", "uploaded_by"]
    readonly_fields = [
        "original",
        "sha256",
        "size",
        "kind",
        "state",
        "page_count",
        "pages_done",
        "attempts",
        "error_reason",
        "error_detail",
        "source_archive",
        "created_at",
        "processing_started_at",
        "processed_at",
        "progressed_at",
    ]
    inlines = [DocumentLinkInline, ArchiveMemberInline]
    actions = ["retry_failed", "retry_weak_pages"]

    @admin.action(description="Retry the selected failed documents")
    def retry_failed(self, request, queryset) -> None:
        _retry(self, request, queryset.filter(state=Document.State.FAILED))

    @admin.action(description="Re-run weak and failed pages of the selected documents")
    def retry_weak_pages(self, request, queryset) -> None:
        _retry(
            self,
            request,
            queryset.filter(state__in=(Document.State.DONE, Document.State.FAILED)),
            pages_of=lambda document: list(
                services.weak_pages(document).values_list("number", flat=True)
            ),
        )

    def delete_model(self, request, obj) -> None:
        services.document_delete(document=obj, user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for document in queryset:
            services.document_delete(document=document, user=request.user)


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["document", "number", "state", "source", "confidence", "error"]
    list_filter = ["state", "source"]
    raw_id_fields = ["document"]
    search_fields = ["document__title", "error"]
    readonly_fields = [
        "state",
        "claimed_at",
        "source",
        "confidence",
        "width",
        "height",
        "rotated",
        "thumbnail",
        "preview",
        "exemptions",
        "error",
        "error_detail",
        "processed_at",
        "indexed_at",
    ]
    exclude = ["words"]
    actions = ["retry_pages"]

    @admin.action(description="Run the selected pages again")
    def retry_pages(self, request, queryset) -> None:
        by_document: dict[int, list[int]] = {}
        for document_id, number in queryset.values_list("document_id", "number"):
            by_document.setdefault(document_id, []).append(number)
        documents = Document.objects.filter(pk__in=by_document)
        _retry(
            self,
            request,
            documents,
            pages_of=lambda document: by_document[document.pk],
        )
