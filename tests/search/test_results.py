"""What a search returns: snippets, facets, totals, paging, order, timing."""

from __future__ import annotations

import datetime

import search
from search.engine import estimate_rounded
from tests.search.factories import make_published, make_request


def test_hits_are_grouped_by_document_with_page_numbers_and_snippets(releases, editor):
    result = search.search("force", user=editor)
    assert result.total == 2
    [document] = result.documents
    assert document.title == "OPR case file"
    assert document.request_title == "Misconduct files"
    assert document.agency == "ICE OPR"
    assert sorted(hit.number for hit in document.pages) == [1, 2]
    snippets = {hit.number: hit.snippet for hit in document.pages}
    assert snippets[1] == (
        "Complaint OPR-2021-04417 alleges use of <mark>force</mark> by two officers."
    )
    assert snippets[2] == (
        "The <mark>force</mark> was reasonable, the investigator wrote."
    )
    assert result.took_ms > 0


def test_hit_links_open_the_viewer_at_the_page_with_the_query(releases, editor):
    result = search.search('"use of force"', user=editor)
    [hit] = result.hits
    document_id = releases["misconduct"].pk
    assert hit.url == f"/documents/{document_id}/pages/1/?q=%22use%20of%20force%22"


def test_snippets_are_html_escaped(backend, reporter, editor):
    make_published(
        ["<script>alert('x')</script> The informant & the <b>memo</b>."],
        request=make_request(reporter),
    )
    [hit] = search.search("informant", user=editor).hits
    assert "<script>" not in hit.snippet and "<b>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "<mark>informant</mark> &amp; the &lt;b&gt;memo&lt;/b&gt;" in hit.snippet


def test_long_pages_get_snippets_from_anywhere_in_their_text(backend, reporter, editor):
    filler = "routine paragraph about schedules and staffing levels. " * 2000
    assert len(filler) > 100_000
    text = filler[:100_000] + " The ZEPHYRINE program was approved. " + filler[:5000]
    assert text.index("ZEPHYRINE") > 32_768 * 3
    make_published([text], request=make_request(reporter))
    [hit] = search.search("zephyrine", user=editor).hits
    assert "<mark>ZEPHYRINE</mark> program was approved" in hit.snippet
    assert len(hit.snippet) < 600


def test_snippets_show_several_matched_terms(backend, reporter, editor):
    filler = "nothing to see in this sentence at all. " * 40
    text = f"The warden signed it. {filler} Later the detainee complained."
    make_published([text], request=make_request(reporter))
    [hit] = search.search("warden detainee", user=editor).hits
    assert "<mark>warden</mark>" in hit.snippet
    assert "<mark>detainee</mark>" in hit.snippet
    assert "…" in hit.snippet


def test_facets_count_matching_pages(releases, editor):
    result = search.search("force OR surveillance OR budget", user=editor)
    assert result.total == 4
    facets = {
        name: {item.label: item.count for item in items}
        for name, items in result.facets.items()
    }
    assert facets["agency"] == {"DHS": 3, "ICE": 3, "ICE OPR": 2, "DOJ": 1, "FBI": 1}
    assert facets["request"] == {
        "Misconduct files": 2,
        "Detention inspections": 1,
        "Protest surveillance": 1,
    }
    assert facets["year"] == {"2022": 2, "2021": 1, "2020": 1}
    assert facets["exemption"] == {"(b)(6)": 1, "(b)(7)(C)": 1}
    assert facets["source"] == {"OCR": 2, "Text layer": 2}
    agency_values = {item.label: item.value for item in result.facets["agency"]}
    narrowed = search.search(
        "force OR surveillance OR budget",
        user=editor,
        filters={"agency": [agency_values["ICE OPR"]]},
    )
    assert narrowed.total == 2


def test_paging_covers_every_hit_once(backend, reporter, editor):
    make_published(
        [f"Memo number {n} about the warden." for n in range(1, 26)],
        request=make_request(reporter),
    )
    seen = []
    for page in (1, 2, 3):
        result = search.search("warden", user=editor, page=page, per_page=10)
        assert result.total == 25 and result.num_pages == 3
        seen.extend(hit.number for hit in result.hits)
    assert sorted(seen) == list(range(1, 26))
    assert len(search.search("warden", user=editor, page=3, per_page=10).hits) == 5
    assert search.search("warden", user=editor, page=4, per_page=10).hits == []


def test_more_occurrences_rank_higher(backend, reporter, editor):
    request = make_request(reporter)
    make_published(
        [
            "A note mentioning the warden once, among many other words here.",
            "The warden, the warden's deputy and the warden's office: warden warden.",
        ],
        request=request,
    )
    result = search.search("warden", user=editor)
    assert [hit.number for hit in result.hits] == [2, 1]
    assert result.hits[0].score > result.hits[1].score


def test_sort_by_date_puts_the_newest_first(backend, reporter, editor):
    request = make_request(reporter)
    for day, title in (
        (datetime.date(2020, 5, 1), "Oldest"),
        (datetime.date(2023, 5, 1), "Newest"),
        (datetime.date(2021, 5, 1), "Middle"),
    ):
        make_published(
            ["warden warden warden" if title == "Oldest" else "the warden"],
            request=request,
            title=title,
            received=day,
        )
    by_date = search.search("warden", user=editor, sort="date")
    assert [document.title for document in by_date.documents] == [
        "Newest",
        "Middle",
        "Oldest",
    ]
    by_relevance = search.search("warden", user=editor)
    assert by_relevance.documents[0].title == "Oldest"


def test_an_unknown_sort_is_a_message(releases, editor):
    assert search.search("force", user=editor, sort="size").error


def test_pages_not_processed_yet_are_not_found(backend, reporter, editor):
    from documents.models import Page

    document = make_published(
        ["The warden spoke.", "The warden left."], request=make_request(reporter)
    )
    Page.objects.filter(document=document, number=2).update(state=Page.State.QUEUED)
    search.index_document(document.pk)
    assert [hit.number for hit in search.search("warden", user=editor).hits] == [1]


def test_removing_a_document_takes_its_pages_out(releases, editor):
    search.remove_document(releases["misconduct"].pk)
    assert search.search("force", user=editor).total == 0
    assert search.search("surveillance", user=editor).total == 1


def test_highlight_helpers_for_the_viewer(backend, reporter, editor):
    words = [
        ["The", 0.1, 0.1, 0.05, 0.02, 96],
        ["use", 0.16, 0.1, 0.04, 0.02, 95],
        ["of", 0.21, 0.1, 0.02, 0.02, 95],
        ["force,", 0.24, 0.1, 0.06, 0.02, 90],
        ["investigators", 0.31, 0.1, 0.1, 0.02, 90],
        ["said.", 0.42, 0.1, 0.05, 0.02, 90],
    ]
    document = make_published(
        [{"text": "The use of force, investigators said.", "words": words}],
        request=make_request(reporter),
    )
    page = document.pages.get()
    query = '"use of force" investig* -memo'
    assert search.highlight_terms(query) == ["use of force", "investig*"]
    boxes = search.page_match_boxes(page, query)
    assert [box["text"] for box in boxes] == ["use", "of", "force,", "investigators"]
    assert boxes[0] == {
        "text": "use",
        "left": 0.16,
        "top": 0.1,
        "width": 0.04,
        "height": 0.02,
    }
    assert search.highlight_page_text(page.text, query) == (
        "The <mark>use of force</mark>, <mark>investigators</mark> said."
    )
    assert search.page_match_boxes(page, '"unclosed') == []


def test_relevance_ranks_the_newest_matches_when_very_many_match(
    backend, reporter, editor, settings
):
    """Ranking reads every candidate page's words, so it is bounded: beyond
    SEARCH_RANK_LIMIT matches, the newest are ranked and the rest follow by date."""
    settings.SEARCH_RANK_LIMIT = 3
    request = make_request(reporter)
    for year, times in ((2024, 1), (2023, 5), (2022, 3), (2021, 10), (2020, 2)):
        make_published(
            [" ".join(["warden"] * times + ["filler"] * (20 - times))],
            request=request,
            title=str(year),
            received=datetime.date(year, 6, 1),
        )
    order = []
    for page in (1, 2, 3):
        result = search.search("warden", user=editor, page=page, per_page=2)
        assert result.total == 5
        order += [document.title for document in result.documents]
    assert order == ["2023", "2022", "2024", "2021", "2020"]


def test_estimates_are_rounded_to_two_significant_figures():
    assert estimate_rounded(24_317) == 24_000
    assert estimate_rounded(1_234) == 1_200
    assert estimate_rounded(1_250) == 1_300
    assert estimate_rounded(149) == 150
    assert estimate_rounded(99_600) == 100_000
    assert [estimate_rounded(n) for n in (0, 1, 7, 99)] == [0, 1, 7, 99]


def test_exact_totals_are_marked_exact(releases, editor):
    result = search.search("force", user=editor)
    assert result.total_exact is True
    assert result.as_json()["total_exact"] is True


def test_estimated_totals_and_facet_counts_are_rounded_and_paging_still_works(
    estimated_counts, reporter, editor
):
    make_published(
        [f"Memo {n} about the warden." for n in range(1, 124)],
        request=make_request(reporter, agency_slug="ice"),
        received=datetime.date(2021, 5, 1),
    )
    first = search.search("warden", user=editor)
    assert first.total_exact is False
    assert first.total == 120
    assert (first.first_index, first.last_index) == (1, 20)
    facets = {
        name: {item.label: item.count for item in items}
        for name, items in first.facets.items()
    }
    assert facets["agency"]["ICE"] == 120
    assert facets["year"] == {"2021": 120}

    # The estimate falls short of the real 123 pages: the full sixth page
    # still leads to a seventh, whose real hits the total then covers.
    sixth = search.search("warden", user=editor, page=6)
    assert sixth.has_next and sixth.num_pages == 7
    seventh = search.search("warden", user=editor, page=7)
    assert (seventh.first_index, seventh.last_index) == (121, 123)
    assert seventh.total == 123 and not seventh.has_next
    seen = {
        hit.page_id
        for page in range(1, 8)
        for hit in search.search("warden", user=editor, page=page).hits
    }
    assert len(seen) == 123
