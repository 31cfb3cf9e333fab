from django.contrib import admin

from desk.models import (
    CalendarFeedToken,
    DigestLog,
    DigestPreference,
    FollowUp,
    NewsroomSetting,
)


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ("request", "due_on", "state", "drafted_at", "sent_at", "sent_by")
    list_filter = ("state",)
    search_fields = ("request__title", "subject")
    raw_id_fields = ("request", "communication")
    readonly_fields = ("drafted_at",)


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username",)
    # The token is a credential: revoke it here, never read it.
    exclude = ("token",)
    readonly_fields = ("user", "created_at")


@admin.register(DigestPreference)
class DigestPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "daily_digest")
    list_filter = ("daily_digest",)


@admin.register(DigestLog)
class DigestLogAdmin(admin.ModelAdmin):
    list_display = ("user", "day", "sent_at", "subject")
    date_hierarchy = "day"


@admin.register(NewsroomSetting)
class NewsroomSettingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "auto_send_follow_ups", "updated_at")

    def has_add_permission(self, request) -> bool:
        return not NewsroomSetting.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
