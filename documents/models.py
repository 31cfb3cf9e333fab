"""Released files and their pages. Processing lives in ``documents.pipeline``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from foia.models import FoiaRequest


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> DocumentQuerySet:
        """Documents ``user`` may see: they follow the requests they came with.

        A document uploaded without a request is seen by its uploader, by
        editors, and by the newsroom's other members.
        """
        from foia import roles

        if roles.sees_everything(user):
            return self.all()
        visible_requests = FoiaRequest.objects.visible_to(user).values("pk")
        # The same bytes uploaded on several requests are one document with links;
        # it is visible through any of them.
        linked = DocumentLink.objects.filter(request__in=visible_requests).values(
            "document"
        )
        condition = Q(request__in=visible_requests) | Q(pk__in=linked)
        if user is not None and user.is_authenticated:
            condition |= Q(request__isnull=True, uploaded_by=user)
            # Someone who uploads, on no request, bytes that are already here
            # sees the document they sent.
            condition |= Q(
                pk__in=DocumentLink.objects.filter(
                    request__isnull=True, added_by=user
                ).values("document")
            )
            if roles.names_of(user):
                condition |= Q(request__isnull=True)
        return self.filter(condition)


class Document(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        PROCESSING = "processing", "Processing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        TIFF = "tiff", "TIFF"
        PNG = "png", "PNG"
        JPEG = "jpeg", "JPEG"
        # Stored as uploaded and unpacked in the background into one document per
        # file (``documents.services.archive_unpack``); it has no pages itself.
        ZIP = "zip", "ZIP archive"

    title = models.CharField(max_length=255)
    request = models.ForeignKey(
        "foia.FoiaRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    communication = models.ForeignKey(
        "foia.Communication",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    # Stored under a generated name; the name the file came with is kept as data.
    original = models.FileField(upload_to="originals/%Y/%m/", max_length=255)
    original_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    languages = models.CharField(
        max_length=60, blank=True, help_text="tesseract languages; empty: the default"
    )
    state = models.CharField(
        max_length=12, choices=State.choices, default=State.QUEUED, db_index=True
    )
    page_count = models.PositiveIntegerField(null=True, blank=True)
    pages_done = models.PositiveIntegerField(default=0)
    error_reason = models.TextField(blank=True, help_text="Shown to reporters.")
    error_detail = models.TextField(blank=True, help_text="For administrators.")
    attempts = models.PositiveSmallIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uploaded_documents",
    )
    source_archive = models.CharField(
        max_length=255, blank=True, help_text="The zip file this came out of, if any."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    progressed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Last time processing moved on; recovery looks for stalls.",
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:document_detail", args=[self.pk])

    @property
    def progress_percent(self) -> int:
        if not self.page_count:
            return 100 if self.state == self.State.DONE else 0
        return min(100, round(100 * self.pages_done / self.page_count))

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def is_archive(self) -> bool:
        return self.kind == self.Kind.ZIP


class DocumentLink(models.Model):
    """The same file arrived again on another request or communication.

    The document is stored once (by its sha256); each further arrival is a link,
    and the document is visible through every linked request.
    """

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="links"
    )
    request = models.ForeignKey(
        "foia.FoiaRequest",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="document_links",
    )
    communication = models.ForeignKey(
        "foia.Communication",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="document_links",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    original_name = models.CharField(max_length=255, blank=True)
    title = models.CharField(
        max_length=255,
        blank=True,
        help_text="The title this arrival goes by, from the name it was uploaded "
        "under; the document keeps the title of its first upload.",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.title or self.document} on {self.request or 'no request'}"


class ArchiveMember(models.Model):
    """What became of one file inside an uploaded ZIP archive: a new document, a
    link to a document uploaded before, or a refusal with the reason."""

    class Outcome(models.TextChoices):
        QUEUED = "queued", "New document"
        DUPLICATE = "duplicate", "Uploaded before"
        REJECTED = "rejected", "Not imported"

    archive = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="members"
    )
    position = models.PositiveIntegerField(
        help_text="Order in the archive, nested archives unpacked in place."
    )
    name = models.CharField(
        max_length=1000, help_text="Path inside the archive: folder/inner.zip/a.pdf"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.TextField(blank=True, help_text="Shown to reporters.")
    document = models.ForeignKey(
        Document,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="archive_entries",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["archive", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["archive", "position"], name="archive_member_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.archive}/{self.name}"


class Page(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Source(models.TextChoices):
        TEXT_LAYER = "text", "Text layer"
        OCR = "ocr", "OCR"
        NONE = "none", "No text"

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="pages"
    )
    number = models.PositiveIntegerField(help_text="1-based")
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Times a worker claimed it since it was last queued."
    )
    text = models.TextField(blank=True)
    source = models.CharField(max_length=6, choices=Source.choices, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    words = models.JSONField(
        default=list,
        blank=True,
        help_text="[text, left, top, width, height, conf] with box fractions 0..1",
    )
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    rotated = models.SmallIntegerField(default=0)
    thumbnail = models.FileField(upload_to="thumbnails/%Y/%m/", blank=True)
    preview = models.FileField(
        upload_to="previews/%Y/%m/",
        blank=True,
        help_text="The page image shown in the viewer, rendered on first view.",
    )
    exemptions = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, help_text="Shown to reporters.")
    error_detail = models.TextField(blank=True, help_text="For administrators.")
    processed_at = models.DateTimeField(null=True, blank=True)
    indexed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="page_number")
        ]

    def __str__(self) -> str:
        return f"{self.document} p. {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("documents:page_detail", args=[self.document_id, self.number])

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
