"""The PostgreSQL backend's own machinery: marks, day ranges, and the counts
estimated from a sample when very many pages match (on a real PostgreSQL
server, on a few hundred pages with the thresholds lowered)."""

from __future__ import annotations

import datetime
import importlib
import random

import pytest
from django.db import connection

import search
from foia.models import Visibility
from search.backends import postgres
from search.entries import build_entries
from tests.search.factories import make_published, make_request

migration = importlib.import_module("search.migrations.0003_marks")


@pytest.fixture
def pg(settings, db):
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend needs a PostgreSQL test database")
    settings.SEARCH_BACKEND = "postgres"
    return settings


def _days_in(query: str | None, day: datetime.date) -> bool:
    """Whether a page received on ``day`` matches the day-range ``query``."""
    if query is None:
        return True
    number = postgres.day_number(day)
    marks = {f"~d{level}.{number >> level}" for level in range(postgres.DAY_BITS)}
    wanted = {part.strip(" ()'") for part in query.split("|")}
    return bool(marks & wanted)


def test_day_ranges_cover_exactly_the_days_asked_for():
    rnd = random.Random(7)  # noqa: S311 - test data
    origin = datetime.date(1990, 1, 1)
    for _ in range(200):
        start = origin + datetime.timedelta(days=rnd.randint(0, 20000))
        end = start + datetime.timedelta(days=rnd.randint(0, 3000))
        query = postgres.day_range(start, end)
        parts = query.count("|") + 1
        assert parts <= 2 * postgres.DAY_BITS
        for day in (
            start,
            end,
            start - datetime.timedelta(days=1),
            end + datetime.timedelta(days=1),
            start + (end - start) / 2,
            origin + datetime.timedelta(days=rnd.randint(0, 25000)),
        ):
            assert _days_in(query, day) == (start <= day <= end), (start, end, day)
    assert postgres.day_range(None, None) is None
    only_later = postgres.day_range(datetime.date(2021, 3, 4), None)
    assert _days_in(only_later, datetime.date(2200, 1, 1))
    assert not _days_in(only_later, datetime.date(2021, 3, 3))
    empty = postgres.day_range(datetime.date(2021, 3, 4), datetime.date(2021, 3, 3))
    assert not _days_in(empty, datetime.date(2021, 3, 4))


def test_samples_nest_and_halve():
    buckets = [postgres.sample_bucket(page_id) for page_id in range(1, 65537)]
    for level in (1, 4, 10):
        share = sum(bucket < 1024 >> level for bucket in buckets) / len(buckets)
        assert abs(share - 2**-level) < 0.1 * 2**-level


def _vectors() -> dict[int, tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT page_id, vector::text, rank_vector::text FROM search_page_entry"
        )
        return {page_id: vectors for page_id, *vectors in cursor.fetchall()}


def _marks_held() -> dict[int, set[str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT page_id, array_agg(lexeme) FROM search_page_entry, "
            "unnest(vector) WHERE left(lexeme, 1) = '~' GROUP BY page_id"
        )
        return {page_id: set(lexemes) for page_id, lexemes in cursor.fetchall()}


def test_the_migration_gives_old_pages_the_marks_indexing_gives_new_ones(pg, reporter):
    """And the same ranking vector: the stems with their positions, nothing else."""
    request = make_request(reporter, agency_slug="ice-opr", tags=["Use of force"])
    make_published(
        [
            {"text": "Names withheld under (b)(6).", "exemptions": ["b6", "b7c"]},
            {"text": "A text layer.", "source": "text"},
            "",
        ],
        request=request,
        received=datetime.date(2021, 3, 4),
    )
    make_published(["An orphan upload."], uploaded_by=reporter)
    fresh = _vectors()
    assert all(
        "'~" not in ranked and "+" not in ranked and "'_" not in ranked
        for _vector, ranked in fresh.values()
    )
    pages = {entry.page_id: entry for entry in build_entries(list(fresh))}
    held = _marks_held()
    assert set(held) == set(fresh) == set(pages)
    for page_id, marked in held.items():
        assert marked == set(postgres.marks(pages[page_id]))
    assert {"~guse of force", "~eb6", "~eb7c", "~otext"} < set().union(*held.values())
    with connection.cursor() as cursor:
        cursor.execute(migration.REMOVE_MARKS)
        cursor.execute("UPDATE search_page_entry SET rank_vector = ''")
        assert _marks_held() == {}
        cursor.execute(migration.ADD_MARKS)
    assert _vectors() == fresh


@pytest.fixture
def many(pg, reporter, monkeypatch):
    """480 pages mentioning the warden, 40 per document, received over four
    years; the thresholds lowered so that they count as very many."""
    monkeypatch.setattr(postgres, "EXACT_LIMIT", 40)
    monkeypatch.setattr(postgres, "SAMPLE_TARGET", 60)
    request = make_request(reporter)
    rnd = random.Random(11)  # noqa: S311 - test data
    days = []
    for _ in range(12):
        days.append(
            datetime.date(2020, 1, 1) + datetime.timedelta(days=rnd.randint(0, 1460))
        )
        make_published(
            [
                {
                    "text": " ".join(["warden"] * rnd.randint(1, 6) + ["memo"] * 5),
                    "exemptions": ["b6"] if index % 3 == 0 else [],
                }
                for index in range(40)
            ],
            request=request,
            received=days[-1],
        )
    return request, days


def _exactly(monkeypatch, *args, **kwargs):
    with monkeypatch.context() as patch:
        patch.setattr(postgres, "EXACT_LIMIT", 10**9)
        result = search.search(*args, **kwargs)
    assert result.total_exact
    return result


def _pages(result) -> list[tuple[int, int]]:
    return [(hit.document_id, hit.number) for hit in result.hits]


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_many_matches_are_estimated_and_the_hits_stay_exact(
    many, editor, monkeypatch, settings, sort
):
    settings.SEARCH_RANK_LIMIT = 50
    for page in (1, 2, 3, 5):
        estimated = search.search(
            "warden", user=editor, sort=sort, page=page, per_page=20
        )
        exact = _exactly(monkeypatch, "warden", user=editor, sort=sort, page=page)
        assert not estimated.total_exact
        assert exact.total == 480
        assert 480 * 0.6 <= estimated.total <= 480 * 1.5
        assert _pages(estimated) == _pages(exact)
        assert [hit.score for hit in estimated.hits] == pytest.approx(
            [hit.score for hit in exact.hits]
        )
    # Beyond the ranked window (50 pages), pages follow by date, unscored.
    deep = search.search("warden", user=editor, sort=sort, page=4, per_page=20)
    assert _pages(deep) == _pages(
        _exactly(monkeypatch, "warden", user=editor, sort=sort, page=4)
    )


def test_estimated_facets_are_near_the_true_counts(many, editor, monkeypatch):
    estimated = search.search("warden", user=editor)
    exact = _exactly(monkeypatch, "warden", user=editor)
    assert not estimated.total_exact
    for name in ("exemption", "year"):
        true = {facet.value: facet.count for facet in exact.facets[name]}
        guessed = {facet.value: facet.count for facet in estimated.facets[name]}
        for value, count in true.items():
            if count >= 100:
                assert 0.5 * count <= guessed.get(value, 0) <= 1.6 * count, value
        assert set(guessed) <= set(true)


def test_a_narrow_query_among_many_is_counted_exactly(many, editor):
    """Filters narrow the index scan: a common word with an exemption and a day
    is counted exactly, and the pages are those the filters describe."""
    request, days = many
    day = days[0]
    result = search.search(
        f"warden exemption:b6 from:{day} to:{day}", user=editor, per_page=100
    )
    documents = set(
        request.documents.filter(created_at__date=day).values_list("pk", flat=True)
    )
    assert result.total_exact
    assert result.total == 14 * len(documents)  # pages 3, 6 ... 39 of each
    assert {hit.document_id for hit in result.hits} == documents
    assert {hit.number % 3 for hit in result.hits} == {1}  # numbered from 1


def test_estimates_count_only_what_the_user_may_see(pg, reporter, editor, monkeypatch):
    """Most of the matches are someone else's private request: the sample is
    drawn from the pages the reporter may see, so the estimate is near their
    own count, and no facet mentions the private request."""
    monkeypatch.setattr(postgres, "EXACT_LIMIT", 40)
    monkeypatch.setattr(postgres, "SAMPLE_TARGET", 40)
    secret = make_request(editor, title="Secret", visibility=Visibility.PRIVATE)
    shared = make_request(editor, title="Shared")
    for _ in range(8):
        make_published(["the warden wrote"] * 40, request=secret)
    for _ in range(3):
        make_published(["the warden wrote"] * 40, request=shared)
    seen_by_editor = search.search("warden", user=editor)
    seen_by_reporter = search.search("warden", user=reporter)
    assert not seen_by_editor.total_exact and not seen_by_reporter.total_exact
    assert 440 * 0.6 <= seen_by_editor.total <= 440 * 1.5
    assert 120 * 0.5 <= seen_by_reporter.total <= 120 * 1.6
    requests = {facet.value for facet in seen_by_reporter.facets["request"]}
    assert requests == {str(shared.pk)}
    assert {hit.document_id for hit in seen_by_reporter.hits} <= set(
        shared.documents.values_list("pk", flat=True)
    )


@pytest.mark.parametrize(
    "query", ["investigat*", "investigaton~", '"use of force"', "investigations"]
)
def test_prefix_fuzzy_and_phrase_queries_are_ranked_by_their_stems(
    pg, reporter, editor, query
):
    filler = "the memo was filed with the office on the day"
    make_published(
        [
            f"{filler} investigation of the use of force {filler}",
            "investigation of the use of force; investigations of the use of "
            "force; investigated the use of force",
            f"{filler} {filler} unrelated",
        ],
        request=make_request(reporter),
    )
    result = search.search(query, user=editor)
    assert [hit.number for hit in result.hits] == [2, 1]
    assert result.hits[0].score > result.hits[1].score > 0


def test_cutoffs_leave_room_for_the_samples_error():
    # One sampled page a day over 100 days, at one page in 4: 50 pages needed
    # are about 12.5 sampled ones, asked with 3 standard deviations (24.1).
    days = {day: 1 for day in range(100)}
    cutoffs = postgres._cutoffs(days, level=2, needed=50)
    assert cutoffs == [100 - 25, 100 - 50, None]
    assert postgres._cutoffs({5: 1}, level=2, needed=50) == [None]


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_a_window_the_sample_misjudged_is_read_again(
    many, editor, monkeypatch, settings, sort
):
    """When fewer pages than needed were received since the day the sample
    pointed to, the next day back is tried, and then every day."""
    settings.SEARCH_RANK_LIMIT = 50
    real = postgres._cutoffs
    tried = []

    def too_late(days, level, needed):
        cutoffs = [max(days) + 1, *real(days, level, needed)]
        tried.append(cutoffs)
        return cutoffs

    monkeypatch.setattr(postgres, "_cutoffs", too_late)
    estimated = search.search("warden", user=editor, sort=sort, page=2)
    monkeypatch.setattr(postgres, "_cutoffs", real)
    assert tried and not estimated.total_exact
    assert _pages(estimated) == _pages(
        _exactly(monkeypatch, "warden", user=editor, sort=sort, page=2)
    )


def _settings(names: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"current_setting('{name}')" for name in names)
        )
        return list(cursor.fetchone())


def test_searches_prefetch_heap_pages_and_leave_the_connection_as_it_was(
    pg, monkeypatch
):
    names = ["effective_io_concurrency", "work_mem", "enable_seqscan", "jit"]
    monkeypatch.setattr(postgres, "_io_concurrency_taken", None)
    before = _settings(names)
    with postgres._prefer_indexes():
        inside = _settings(names)
    assert inside == [str(postgres.SEARCH_IO_CONCURRENCY), "64MB", "off", "off"]
    assert _settings(names) == before
    assert postgres._io_concurrency_taken is True


def test_a_server_that_refuses_prefetching_still_searches(pg, editor, monkeypatch):
    # As learnt on a platform without prefetch advice: the setting is left alone.
    monkeypatch.setattr(postgres, "_io_concurrency_taken", False)
    before = _settings(["effective_io_concurrency"])
    with postgres._prefer_indexes():
        assert _settings(["effective_io_concurrency", "work_mem"]) == [
            before[0],
            "64MB",
        ]
    document = make_published(["The warden signed the transfer order."])
    found = search.search("warden", user=editor)
    assert [hit.document_id for hit in found.hits] == [document.pk]
