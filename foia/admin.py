from django.contrib import admin

from foia import models


class HolidayInline(admin.TabularInline):
    model = models.Holiday
    extra = 0


@admin.register(models.Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "response_days", "response_unit", "roll_forward"]
    search_fields = ["code", "name"]
    inlines = [HolidayInline]


@admin.register(models.Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["name", "jurisdiction", "kind", "month", "day", "observed"]
    list_filter = ["jurisdiction", "kind"]


@admin.register(models.Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "parent", "jurisdiction", "is_active"]
    list_filter = ["jurisdiction", "is_active"]
    search_fields = ["name", "abbreviation"]
    prepopulated_fields = {"slug": ["abbreviation"]}
    autocomplete_fields = ["parent"]


class CommunicationInline(admin.StackedInline):
    model = models.Communication
    extra = 0
    fields = ["direction", "channel", "kind", "sent_on", "subject", "logged_by"]
    readonly_fields = ["logged_by"]


class TrackingNumberInline(admin.TabularInline):
    model = models.TrackingNumber
    extra = 0


@admin.register(models.FoiaRequest)
class FoiaRequestAdmin(admin.ModelAdmin):
    list_display = ["title", "agency", "requester", "status", "current_due"]
    list_filter = ["status", "visibility", "agency__jurisdiction"]
    search_fields = ["title", "body", "tracking_numbers__number"]
    autocomplete_fields = ["agency", "requester", "collaborators", "parent"]
    inlines = [TrackingNumberInline, CommunicationInline]
    readonly_fields = [
        "response_due",
        "extended_due",
        "expedite_decision_due",
        "appeal_filing_due",
        "current_due",
    ]


@admin.register(models.Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ["request", "basis", "filed_on", "decision_due", "outcome"]
    list_filter = ["outcome", "basis"]


@admin.register(models.RequestEvent)
class RequestEventAdmin(admin.ModelAdmin):
    list_display = ["request", "kind", "actor", "at", "message"]
    list_filter = ["kind"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


admin.site.register(models.Tag)
admin.site.register(models.LetterTemplate)
admin.site.register(models.Toll)
admin.site.register(models.Fee)
