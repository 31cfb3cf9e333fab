"""Who looked at what (the access log) and the API tokens people hold."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AccessLog(models.Model):
    class Action(models.TextChoices):
        VIEW_REQUEST = "view_request", "Viewed a request"
        VIEW_DOCUMENT = "view_document", "Viewed a document"
        VIEW_PAGE = "view_page", "Viewed a page"
        DOWNLOAD = "download", "Downloaded a file"
        SEARCH = "search", "Searched"
        EXPORT = "export", "Exported"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="access_log",
    )
    username = models.CharField(
        max_length=150, blank=True, help_text="Kept when the account is deleted."
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=16, choices=Action.choices, db_index=True)
    request_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    document_id = models.PositiveBigIntegerField(null=True, blank=True)
    page_number = models.PositiveIntegerField(null=True, blank=True)
    query = models.TextField(blank=True)
    filters = models.JSONField(default=dict, blank=True)
    result_count = models.PositiveIntegerField(null=True, blank=True)
    detail = models.CharField(max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    via = models.CharField(max_length=8, default="web", help_text="web, api or cli")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return (
            f"{self.username} {self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"
        )


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored: the key is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
