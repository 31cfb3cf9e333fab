"""The desk's own state: follow-up letters, calendar feed tokens, digest choices.

Counts and lists shown on the desk are read from ``foia`` and ``documents``
through ``desk.selectors``; nothing here duplicates a request's data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class FollowUp(models.Model):
    """A follow-up letter drafted when a request passed its due date.

    One per request per due date: a request whose deadline moves and then passes
    again gets a new one.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for a decision"
        SENT = "sent", "Sent"
        DISMISSED = "dismissed", "Dismissed"

    request = models.ForeignKey(
        "foia.FoiaRequest", on_delete=models.CASCADE, related_name="follow_ups"
    )
    due_on = models.DateField(help_text="The due date the agency missed.")
    drafted_at = models.DateTimeField(auto_now_add=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    to_email = models.EmailField(
        blank=True, help_text="The agency's FOIA address when drafted, if any."
    )
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when sent automatically.",
    )
    channel = models.CharField(max_length=10, blank=True)
    communication = models.ForeignKey(
        "foia.Communication",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-drafted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "due_on"], name="one_follow_up_per_due_date"
            )
        ]

    def __str__(self) -> str:
        return f"Follow-up on {self.request} (due {self.due_on})"

    def get_absolute_url(self) -> str:
        return reverse("desk:follow_up_detail", args=[self.pk])

    @property
    def is_queued(self) -> bool:
        return self.state == self.State.QUEUED


class CalendarFeedToken(models.Model):
    """The secret in a user's private calendar URL; revoking it kills the URL.

    Kept in the clear (unlike API tokens) because the URL is shown again every
    time the user asks for it; it grants reading deadlines only.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed_tokens",
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user} ({self.token[:6]}…)"

    def get_absolute_url(self) -> str:
        return reverse("desk:calendar_feed", args=[self.token])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class DigestPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="digest_preference",
    )
    daily_digest = models.BooleanField(default=True)

    def __str__(self) -> str:
        state = "on" if self.daily_digest else "off"
        return f"Daily digest {state} for {self.user}"


class DigestLog(models.Model):
    """One digest sent to one user for one day: running the task twice sends once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    subject = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-day", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_digest_a_day")
        ]

    def __str__(self) -> str:
        return f"Digest for {self.user} on {self.day}"


class NewsroomSetting(models.Model):
    """Newsroom-wide switches; a single row (pk 1), made on first read."""

    auto_send_follow_ups = models.BooleanField(
        default=False,
        help_text="Send drafted follow-up letters by email to the agency without "
        "waiting for a reporter. Off: sending stays a human decision.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "newsroom setting"

    def __str__(self) -> str:
        return "Newsroom settings"

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> NewsroomSetting:
        setting, _ = cls.objects.get_or_create(pk=1)
        return setting
