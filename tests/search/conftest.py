"""Search tests run on both backends: Whoosh always, PostgreSQL when the test
database is PostgreSQL (CI's second run)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The people fixtures hash a password each; the default hasher is slow on
    purpose, and these tests are about search."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(params=["whoosh", "postgres"])
def backend(request, settings, tmp_path, db):
    """The search backend under test, with an empty index of its own."""
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend needs a PostgreSQL test database")
    settings.SEARCH_BACKEND = request.param
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    return request.param


@pytest.fixture
def whoosh_index_dir(settings, tmp_path, db):
    """Only Whoosh: for what concerns its files on disk."""
    settings.SEARCH_BACKEND = "whoosh"
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    return settings.SEARCH_INDEX_DIR


@pytest.fixture
def releases(backend, reporter):
    """Three newsroom requests with a released document each, indexed.

    - inspections (ICE), received 2021-03-04: page 1 OCR with (b)(6), page 2 a
      text layer;
    - misconduct (ICE OPR, a component of ICE), received 2022-07-01;
    - surveillance (FBI), received 2020-01-15.
    """
    from tests.search.factories import make_published, make_request

    inspections = make_request(
        reporter, title="Detention inspections", agency_slug="ice", tags=["immigration"]
    )
    misconduct = make_request(reporter, title="Misconduct files", agency_slug="ice-opr")
    surveillance = make_request(
        reporter, title="Protest surveillance", agency_slug="fbi"
    )
    return {
        "inspections": make_published(
            [
                {
                    "text": "The inspectors investigated conditions at the detention "
                    "facility in Texas. Names withheld under (b)(6).",
                    "exemptions": ["b6"],
                },
                {
                    "text": "Budget tables for fiscal year 2021, no narrative.",
                    "source": "text",
                },
            ],
            request=inspections,
            title="Inspection reports",
            received=datetime.date(2021, 3, 4),
        ),
        "misconduct": make_published(
            [
                {
                    "text": "Complaint OPR-2021-04417 alleges use of force by two "
                    "officers.",
                    "exemptions": ["b7c", "b6"],
                },
                "The force was reasonable, the investigator wrote.",
            ],
            request=misconduct,
            title="OPR case file",
            received=datetime.date(2022, 7, 1),
        ),
        "surveillance": make_published(
            [
                {
                    "text": "Surveillance of protest organizers through TECS/ICM "
                    "queries.",
                    "source": "text",
                },
                "Freedom of information requests were denied in full.",
            ],
            request=surveillance,
            title="Field office emails",
            received=datetime.date(2020, 1, 15),
        ),
    }


@pytest.fixture
def estimated_counts(backend, monkeypatch):
    """The backend answers as when very many pages match: its real result,
    with the total and the facet counts marked as estimates."""
    from search.engine import get_backend

    instance = get_backend()
    real_search = instance.search

    def search_estimating(plan):
        result = real_search(plan)
        result.exact = False
        return result

    monkeypatch.setattr(instance, "search", search_estimating)
    return instance
