"""Fixtures for the access and visibility tests: the documents tests' upload
helpers (real processing, django-q2 in sync mode) and a search index of each
test's own."""

from __future__ import annotations

import pytest

from tests.documents.conftest import ingest, ingest_one, make_request

__all__ = ["ingest", "ingest_one", "make_request"]


@pytest.fixture(autouse=True)
def search_index_of_its_own(settings, tmp_path):
    """Whoosh keeps its index on disk across tests; a fresh folder per test keeps
    pages of rolled-back documents out of the results (PostgreSQL's index is a
    table, rolled back with the test)."""
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
