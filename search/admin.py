from django.contrib import admin

from search.models import SavedSearch, SavedSearchMatch


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "query", "created_at", "last_checked_at")
    list_filter = ("created_at",)
    search_fields = ("name", "query", "user__username")
    raw_id_fields = ("user",)


@admin.register(SavedSearchMatch)
class SavedSearchMatchAdmin(admin.ModelAdmin):
    list_display = ("saved_search", "user", "page", "created_at", "seen_at")
    list_filter = ("seen_at",)
    raw_id_fields = ("saved_search", "user", "page")
