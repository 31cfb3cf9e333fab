"""Rules, holidays, agencies and letter templates are data the admin edits.

Saving or deleting a jurisdiction's rule or one of its holidays queues a recompute of
the deadlines of its open requests, once the admin's transaction has committed.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import URLField

from config.queue import enqueue_on_commit
from foia import models, services

RECOMPUTE_TASK = "foia.tasks.jurisdiction_rules_changed"
# Links typed without a scheme are https, as Django 6 will assume.
HTTPS_URLS = {URLField: {"assume_scheme": "https"}}


def queue_recompute(jurisdiction_id: int | None, user) -> None:
    if jurisdiction_id:
        enqueue_on_commit(RECOMPUTE_TASK, jurisdiction_id, getattr(user, "pk", None))


class HolidayInline(admin.TabularInline):
    model = models.Holiday
    extra = 0


@admin.register(models.Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "response_days", "response_unit", "roll_forward"]
    search_fields = ["code", "name"]
    inlines = [HolidayInline]

    def save_related(self, request, form, formsets, change) -> None:
        # After the rule (save_model) and its holidays (the inline formsets).
        super().save_related(request, form, formsets, change)
        queue_recompute(form.instance.pk, request.user)


@admin.register(models.Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["name", "jurisdiction", "kind", "month", "day", "observed"]
    list_filter = ["jurisdiction", "kind"]

    def save_model(self, request, obj, form, change) -> None:
        old_jurisdiction = (
            models.Holiday.objects.filter(pk=obj.pk)
            .values_list("jurisdiction_id", flat=True)
            .first()
            if change
            else None
        )
        super().save_model(request, obj, form, change)
        queue_recompute(obj.jurisdiction_id, request.user)
        if old_jurisdiction and old_jurisdiction != obj.jurisdiction_id:
            queue_recompute(old_jurisdiction, request.user)

    def delete_model(self, request, obj) -> None:
        jurisdiction_id = obj.jurisdiction_id
        super().delete_model(request, obj)
        queue_recompute(jurisdiction_id, request.user)

    def delete_queryset(self, request, queryset) -> None:
        affected = set(queryset.values_list("jurisdiction_id", flat=True))
        super().delete_queryset(request, queryset)
        for jurisdiction_id in affected:
            queue_recompute(jurisdiction_id, request.user)


@admin.register(models.Agency)
class AgencyAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
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
    formfield_overrides = HTTPS_URLS
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

    def save_related(self, request, form, formsets, change) -> None:
        # A date edited here bypasses the services: bring the deadlines in line.
        super().save_related(request, form, formsets, change)
        services.request_recompute_deadlines(
            request=form.instance, actor=request.user, reason="edited in the admin"
        )


@admin.register(models.Toll)
class TollAdmin(admin.ModelAdmin):
    list_display = ["request", "kind", "asked_on", "answered_on"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        services.request_recompute_deadlines(
            request=obj.request, actor=request.user, reason="toll edited in the admin"
        )

    def delete_model(self, request, obj) -> None:
        foia_request = obj.request
        super().delete_model(request, obj)
        services.request_recompute_deadlines(
            request=foia_request,
            actor=request.user,
            reason="toll deleted in the admin",
        )


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


LETTER_VARIABLES = (
    "Variables: today, request (title, body, filed_on, received_on, adverse_on, "
    "fee_limit, ...), agency, contact (the agency or the parent whose FOIA office "
    "answers: name, mailing_address, foia_email), appeal_to (appeal_authority, "
    "appeal_address, appeal_email), jurisdiction (response_days, "
    "appeal_decision_days, ...), citations (by rule: response, extension, "
    "appeal_filing, ...), statute, requester, requester_name, fee_category "
    "(news_media, educational, commercial, other), fee_category_label, "
    "fee_waiver_requested, expedited_requested, response_unit, tracking_number, due, "
    "days_overdue, appeal, constructive, determination (denial, partial denial, "
    "no-records response), no_records, exemptions (labels), exemption_codes, grounds."
)


@admin.register(models.LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "jurisdiction"]
    list_filter = ["kind"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["body"].help_text = (
            "Django template syntax, rendered as plain text. " + LETTER_VARIABLES
        )
        return form


admin.site.register(models.Tag)
admin.site.register(models.Fee)
