"""manage.py search, search_rebuild and search_check."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

import search
from documents.models import Page
from foia.models import Visibility
from tests.search.factories import make_document, make_published, make_request


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_search_json_prints_hits_in_rank_order(releases):
    data = json.loads(run("search", "force OR budget", "--json"))
    assert set(data) == {"total", "total_exact", "hits", "facets"}
    assert data["total"] == 3 and data["total_exact"] is True
    for hit in data["hits"]:
        assert set(hit) == {"document_id", "page", "score", "snippet"}
    scores = [hit["score"] for hit in data["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert {(hit["document_id"], hit["page"]) for hit in data["hits"]} == {
        (releases["misconduct"].pk, 1),
        (releases["misconduct"].pk, 2),
        (releases["inspections"].pk, 2),
    }
    assert any("<mark>force</mark>" in hit["snippet"] for hit in data["hits"])
    agencies = {item["label"]: item["count"] for item in data["facets"]["agency"]}
    assert agencies["ICE"] == 3


def test_search_as_a_user_sees_what_they_see(backend, reporter, other_reporter):
    private = make_request(reporter, title="Private", visibility=Visibility.PRIVATE)
    make_published(["<b>vendor</b> invoices"], request=private)
    assert json.loads(run("search", "vendor", "--json"))["total"] == 1
    assert json.loads(run("search", "vendor", "--json", "--user", "rita"))["total"] == 1
    as_otto = json.loads(run("search", "vendor", "--json", "--user", "otto"))
    assert as_otto == {
        "total": 0,
        "total_exact": True,
        "hits": [],
        "facets": {
            "agency": [],
            "request": [],
            "year": [],
            "exemption": [],
            "source": [],
        },
    }
    snippet = json.loads(run("search", "vendor", "--json"))["hits"][0]["snippet"]
    assert snippet == "&lt;b&gt;<mark>vendor</mark>&lt;/b&gt; invoices"


def test_search_prints_readable_hits(releases):
    output = run("search", '"use of force"')
    assert "1 page match, as the server (every page) sees them" in output
    assert "about" not in output
    assert "OPR case file" in output
    assert "use of force]" in output or "[use of force]" in output


def test_search_says_when_its_counts_are_estimated(estimated_counts, releases):
    from accounts.models import AccessLog

    data = json.loads(run("search", "force OR budget", "--json"))
    assert data["total"] == 3 and data["total_exact"] is False
    output = run("search", "force OR budget")
    assert "about 3 pages match, as the server (every page) sees them" in output
    assert all(
        "result count estimated" in entry.detail
        for entry in AccessLog.objects.filter(action="search")
    )


def test_search_with_an_unknown_user_exits_2(releases):
    with pytest.raises(CommandError) as error:
        run("search", "force", "--user", "nobody")
    assert error.value.returncode == 2
    assert "nobody" in str(error.value)


def test_search_with_a_malformed_query_explains(releases):
    with pytest.raises(CommandError) as error:
        run("search", '"use of force')
    assert error.value.returncode == 2
    assert "quotation mark is not closed" in str(error.value)


def test_rebuild_stops_and_resumes_where_it_left_off(backend, reporter, editor):
    request = make_request(reporter)
    first = make_document([f"warden memo {n}" for n in range(1, 4)], request=request)
    second = make_document([f"warden note {n}" for n in range(1, 4)], request=request)
    assert search.search("warden", user=editor).total == 0

    output = run("search_rebuild", "--chunk-size", "2", "--max-chunks", "2")
    assert "Stopped after 4 of 6 pages" in output
    assert search.search("warden", user=editor).total == 4

    output = run("search_rebuild", "--chunk-size", "2")
    last_done = Page.objects.filter(document=second).order_by("number")[0]
    assert f"Resumed after page {last_done.pk}." in output
    assert "Rebuilt: 6 pages indexed (2 by this run" in output
    assert search.search("warden", user=editor).total == 6
    assert "0 missing, 0 stale, 0 orphaned" in run("search_check")
    assert Page.objects.filter(document=first, indexed_at__isnull=True).count() == 0


def test_rebuild_restart_starts_from_an_empty_index(releases, editor):
    run("search_rebuild", "--chunk-size", "1", "--max-chunks", "1")
    output = run("search_rebuild", "--restart")
    assert "Rebuilt: 6 pages indexed (6 by this run" in output
    assert search.search("force OR surveillance OR budget", user=editor).total == 4


def test_check_reports_missing_and_stale_pages_and_fixes_them(releases, editor):
    assert "Checked 6 pages: 0 missing, 0 stale, 0 orphaned." in run("search_check")

    document = releases["misconduct"]
    missing = Page.objects.create(
        document=document, number=3, state=Page.State.DONE, text="A late page."
    )
    stale = document.pages.get(number=2)
    Page.objects.filter(pk=stale.pk).update(text="Rewritten by a retry.")

    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("search_check", stdout=out)
    assert error.value.returncode == 1
    output = out.getvalue()
    assert "Checked 7 pages: 1 missing, 1 stale, 0 orphaned." in output
    assert f"missing: {missing.pk}" in output
    assert f"stale: {stale.pk}" in output

    assert "Fixed: 2 pages reindexed." in run("search_check", "--fix")
    assert "0 missing, 0 stale, 0 orphaned" in run("search_check")
    assert search.search("rewritten", user=editor).total == 1


def test_check_notices_a_visibility_change_the_index_missed(backend, reporter):
    from foia.models import FoiaRequest

    request = make_request(reporter, visibility=Visibility.NEWSROOM)
    make_published(["warden"], request=request)
    FoiaRequest.objects.filter(pk=request.pk).update(visibility=Visibility.PRIVATE)
    with pytest.raises(CommandError):
        run("search_check")


def test_search_command_is_recorded_in_the_access_log(releases):
    from accounts.models import AccessLog

    run("search", "force OR budget", "--json", "--user", "rita")
    entry = AccessLog.objects.get(action="search")
    assert (entry.query, entry.via, entry.result_count) == ("force OR budget", "cli", 3)
    assert entry.user is None
    assert "as rita" in entry.detail
