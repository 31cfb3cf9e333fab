"""The query language behaves the same on both backends."""

from __future__ import annotations

import pytest

import search


def found(query, user, **kwargs) -> set[tuple[str, int]]:
    result = search.search(query, user=user, per_page=100, **kwargs)
    assert result.error is None, result.error
    titles = {document.document_id: document.title for document in result.documents}
    hits = {(titles[hit.document_id], hit.number) for hit in result.hits}
    assert result.total == len(hits)
    return hits


INSPECTION_1 = ("Inspection reports", 1)
INSPECTION_2 = ("Inspection reports", 2)
OPR_1 = ("OPR case file", 1)
OPR_2 = ("OPR case file", 2)
FIELD_1 = ("Field office emails", 1)
FIELD_2 = ("Field office emails", 2)


def test_words_match_their_other_forms(releases, editor):
    assert found("investigations", editor) == {INSPECTION_1, OPR_2}
    assert found("Inspector", editor) == {INSPECTION_1}


def test_exact_phrases_match_only_in_order(releases, editor):
    assert found('"use of force"', editor) == {OPR_1}
    assert found('"force of use"', editor) == set()
    assert found('"freedom of information"', editor) == {FIELD_2}


def test_and_or_not_and_minus(releases, editor):
    assert found("force officers", editor) == {OPR_1}
    assert found("force AND officers", editor) == {OPR_1}
    assert found("surveillance OR budget", editor) == {FIELD_1, INSPECTION_2}
    assert found("force -officers", editor) == {OPR_2}
    assert found("force NOT officers", editor) == {OPR_2}
    assert found("(budget OR surveillance) -protest", editor) == {INSPECTION_2}


def test_a_query_of_only_exclusions_returns_the_rest(releases, editor):
    assert found("-force -surveillance -budget", editor) == {
        INSPECTION_1,
        FIELD_2,
    }


def test_prefix(releases, editor):
    assert found("surveil*", editor) == {FIELD_1}
    assert found("investigat*", editor) == {INSPECTION_1, OPR_2}


def test_fuzzy_finds_ocr_misspellings(releases, editor):
    assert found("detension~", editor) == {INSPECTION_1}
    assert found("detension", editor) == set()
    assert found("surveilance~", editor) == {FIELD_1}
    assert found("survelance~", editor) == set()
    assert found("survelance~2", editor) == {FIELD_1}


def test_case_numbers_are_found_as_typed(releases, editor):
    assert found("OPR-2021-04417", editor) == {OPR_1}
    assert found("opr-2021-04417", editor) == {OPR_1}
    assert found("OPR-2021-04418", editor) == set()
    assert found("TECS/ICM", editor) == {FIELD_1}


def test_agency_filter_includes_components(releases, editor):
    assert found("agency:ICE", editor) == {INSPECTION_1, INSPECTION_2, OPR_1, OPR_2}
    assert found("agency:DHS force", editor) == {OPR_1, OPR_2}
    assert found('agency:"ICE OPR"', editor) == {OPR_1, OPR_2}
    assert found("agency:ice-opr", editor) == {OPR_1, OPR_2}
    assert found("agency:FBI", editor) == {FIELD_1, FIELD_2}


def test_unknown_agency_is_a_readable_error(releases, editor):
    result = search.search("agency:NOPE force", user=editor)
    assert result.error and "No agency is called “NOPE”" in result.error
    assert result.total == 0 and result.hits == []


def test_request_filter(releases, editor):
    request_id = releases["misconduct"].request_id
    assert found(f"request:{request_id}", editor) == {OPR_1, OPR_2}
    assert found(f"force request:{request_id}", editor) == {OPR_1, OPR_2}
    assert found("force", editor, filters={"request": [str(request_id)]}) == {
        OPR_1,
        OPR_2,
    }


def test_exemption_filters(releases, editor):
    assert found("exemption:b6", editor) == {INSPECTION_1, OPR_1}
    assert found("exemption:b7c", editor) == {OPR_1}
    assert found("exemption:(b)(7)(C)", editor) == {OPR_1}
    assert found("exemption:b7", editor) == {OPR_1}
    assert found("exemption:b5", editor) == set()
    assert found("-exemption:b6 agency:ICE", editor) == {INSPECTION_2, OPR_2}


def test_date_filters(releases, editor):
    assert found("year:2021", editor) == {INSPECTION_1, INSPECTION_2}
    assert found("from:2021-01-01", editor) == {
        INSPECTION_1,
        INSPECTION_2,
        OPR_1,
        OPR_2,
    }
    assert found("to:2021-12-31 -budget", editor) == {INSPECTION_1, FIELD_1, FIELD_2}
    assert found("from:2021-03-04 to:2021-03-04", editor) == {
        INSPECTION_1,
        INSPECTION_2,
    }


def test_source_filter(releases, editor):
    assert found("source:text", editor) == {INSPECTION_2, FIELD_1}
    assert found("source:ocr force", editor) == {OPR_1, OPR_2}


def test_tag_jurisdiction_and_title_filters(releases, editor):
    assert found("tag:immigration", editor) == {INSPECTION_1, INSPECTION_2}
    assert found("jurisdiction:US surveillance", editor) == {FIELD_1}
    assert found("title:misconduct", editor) == {OPR_1, OPR_2}


def test_pages_matched_only_through_a_filter_are_listed_too(releases, editor):
    assert found("budget OR exemption:b7c", editor) == {INSPECTION_2, OPR_1}
    assert found("surveillance OR agency:ice-opr", editor) == {FIELD_1, OPR_1, OPR_2}


def test_filters_given_as_parameters_combine_with_the_query(releases, editor):
    assert found("force", editor, filters={"exemption": ["b7c"]}) == {OPR_1}
    assert found("", editor, filters={"agency": ["FBI"], "source": "text"}) == {FIELD_1}
    assert found("", editor, filters={"exemption": ["b7c", "b6"]}) == {
        INSPECTION_1,
        OPR_1,
    }


def test_search_within_one_document(releases, editor):
    document = releases["misconduct"]
    assert found("force", editor, document_id=document.pk) == {OPR_1, OPR_2}
    assert found("surveillance", editor, document_id=document.pk) == set()


@pytest.mark.parametrize(
    "query", ['"use of force', "force OR", "year:twenty", "exemption:b12", "(force"]
)
def test_malformed_query_gives_a_message_not_an_exception(releases, editor, query):
    result = search.search(query, user=editor)
    assert result.error
    assert result.total == 0 and result.hits == [] and result.facets == {}


def test_an_empty_query_asks_nothing(releases, editor):
    result = search.search("   ", user=editor)
    assert result.error is None and result.asked is False and result.total == 0
