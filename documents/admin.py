from django.contrib import admin

from documents import models


@admin.register(models.Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "request",
        "state",
        "page_count",
        "pages_done",
        "created_at",
    ]
    list_filter = ["state", "kind"]
    search_fields = ["title", "original_name", "sha256"]
    readonly_fields = ["sha256", "size", "kind", "error_reason", "error_detail"]


@admin.register(models.Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["document", "number", "state", "source", "confidence"]
    list_filter = ["state", "source"]
    raw_id_fields = ["document"]
