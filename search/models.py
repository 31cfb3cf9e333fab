"""Saved searches and their notifications; the PostgreSQL backend's tables.

``PageEntry``, ``RequestGrant`` and ``Lexeme`` exist as tables only on
PostgreSQL (the migration creates them there and nowhere else); on SQLite they
are models without tables that nothing queries.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse


class SavedSearch(models.Model):
    """A query a user keeps, and is told about when new pages match it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_searches",
    )
    name = models.CharField(max_length=120)
    query = models.CharField(max_length=1000)
    filters = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "saved searches"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from urllib.parse import urlencode

        params = {"q": self.query}
        for key, value in (self.filters or {}).items():
            params[key] = value
        return f"{reverse('search:search')}?{urlencode(params, doseq=True)}"


class SavedSearchMatch(models.Model):
    """A newly processed page that matched a saved search: a notification."""

    saved_search = models.ForeignKey(
        SavedSearch, on_delete=models.CASCADE, related_name="matches"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_search_matches",
    )
    page = models.ForeignKey(
        "documents.Page", on_delete=models.CASCADE, related_name="+"
    )
    snippet = models.TextField(blank=True, help_text="HTML-escaped, with <mark>.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["saved_search", "page"], name="one_match_per_page"
            )
        ]
        indexes = [models.Index(fields=["user", "seen_at"])]

    def __str__(self) -> str:
        return f"{self.saved_search}: page {self.page_id}"

    @property
    def seen(self) -> bool:
        return self.seen_at is not None


class PageEntry(models.Model):
    """One indexed page (PostgreSQL backend). Built by ``search.entries``."""

    page = models.OneToOneField(
        "documents.Page",
        on_delete=models.DO_NOTHING,  # the database cascades
        primary_key=True,
        db_constraint=False,
        related_name="+",
    )
    document_id = models.BigIntegerField()
    number = models.IntegerField()
    request_ids = ArrayField(models.BigIntegerField())
    vector = SearchVectorField()
    rank_vector = SearchVectorField()
    title_vector = SearchVectorField()
    agency_ids = ArrayField(models.BigIntegerField())
    jurisdictions = ArrayField(models.TextField())
    received = models.DateField()
    exemptions = ArrayField(models.TextField())
    tags = ArrayField(models.TextField())
    source = models.CharField(max_length=6)
    # The page's facet values as numbers (see search.backends.postgres), so
    # facets are counted in one pass.
    facet_codes = ArrayField(models.BigIntegerField())
    orphan = models.BooleanField()
    uploader_id = models.BigIntegerField(null=True)
    adder_ids = ArrayField(models.BigIntegerField(), default=list)
    fingerprint = models.CharField(max_length=32)
    indexed_at = models.DateTimeField()

    class Meta:
        db_table = "search_page_entry"

    def __str__(self) -> str:
        return f"entry for page {self.page_id}"


class RequestGrant(models.Model):
    """Who may see a request's pages (PostgreSQL backend), kept per request."""

    request_id = models.BigIntegerField(primary_key=True)
    visibility = models.CharField(max_length=10)
    draft = models.BooleanField()
    embargo_until = models.DateField(null=True)
    owner_ids = ArrayField(models.BigIntegerField())

    class Meta:
        db_table = "search_request_grant"

    def __str__(self) -> str:
        return f"grant for request {self.request_id}"


class Lexeme(models.Model):
    """Every stem in the index, for expanding fuzzy terms (PostgreSQL backend)."""

    lexeme = models.TextField(primary_key=True)

    class Meta:
        db_table = "search_lexeme"

    def __str__(self) -> str:
        return self.lexeme


class IndexState(models.Model):
    """Small values the PostgreSQL backend keeps, such as a rebuild's progress."""

    key = models.CharField(max_length=60, unique=True)
    value = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key
