"""The search language, parsed (no index involved)."""

from __future__ import annotations

import datetime

import pytest

from search import query as q


def parse(text):
    return q.anchor_negations(q.parse(text))


def test_words_are_stemmed_and_all_required():
    node = parse("Investigations detention")
    assert node == q.And(
        (q.Term("investigations", "investig"), q.Term("detention", "detent"))
    )


def test_quoted_words_make_a_phrase_and_curly_quotes_count():
    assert parse("“use of force”") == q.Phrase(("use", "of", "force"))


def test_or_not_and_minus_build_the_expected_tree():
    node = parse("(raid OR sweep) -juvenile NOT draft")
    assert node == q.And(
        (
            q.Or((q.Term("raid", "raid"), q.Term("sweep", "sweep"))),
            q.Not(q.Term("juvenile", "juvenil")),
            q.Not(q.Term("draft", "draft")),
        )
    )


def test_a_query_of_exclusions_starts_from_every_page():
    assert parse("-draft") == q.And((q.MatchAll(), q.Not(q.Term("draft", "draft"))))


def test_a_lone_dash_between_words_is_punctuation():
    assert parse("ICE - detention") == parse("ICE detention")


def test_prefix_and_fuzzy():
    assert parse("investig*") == q.Prefix("investig")
    assert parse("detension~") == q.Fuzzy("detension", 1)
    assert parse("detension~2") == q.Fuzzy("detension", 2)


def test_case_numbers_stay_whole():
    node = parse("OPR-2021-04417")
    assert node == q.Exact("opr-2021-04417", ("opr", "2021", "04417"))


def test_filters_parse_to_values():
    node = parse(
        "exemption:(b)(7)(C) year:2021 from:2021-02-01 to:2021-03-01 source:OCR "
        "request:42 tag:Immigration"
    )
    assert node == q.And(
        (
            q.Filter("exemption", ("b7c",)),
            q.DateRange(datetime.date(2021, 1, 1), datetime.date(2021, 12, 31)),
            q.DateRange(datetime.date(2021, 2, 1), None),
            q.DateRange(None, datetime.date(2021, 3, 1)),
            q.Filter("source", ("ocr",)),
            q.Filter("request", (42,)),
            q.Filter("tag", ("immigration",)),
        )
    )


def test_exemption_b7_includes_its_subparagraphs():
    node = parse("exemption:b7")
    assert node == q.Filter(
        "exemption", ("b7", "b7a", "b7b", "b7c", "b7d", "b7e", "b7f")
    )


def test_an_unknown_field_is_plain_text():
    assert parse("Re:budget") == q.Exact("re:budget", ("re", "budget"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"use of force', "quotation mark is not closed"),
        ("(raid OR sweep", "parenthesis “(” is not closed"),
        ("raid)", "closing parenthesis"),
        ("raid OR", "OR needs a search term on both sides"),
        ("AND raid", "AND needs a search term on both sides"),
        ("raid NOT", "needs a term after it"),
        ("year:21", "four-digit year"),
        ("from:2021-13-01", "YYYY-MM-DD"),
        ("exemption:b10", "not a FOIA exemption"),
        ("exemption:b6c", "not a FOIA exemption"),
        ("source:pdf", "ocr, text or none"),
        ("request:abc", "takes a number"),
        ("detension~3", "1 or 2 changes"),
        ("a*", "at least 2 letters"),
        ("in*vest", "only at the end of a word"),
        ("&&", "AND needs a search term"),
        ("!!!", "nothing to search for"),
        ("x" * 1001, "the limit is 1,000"),
    ],
)
def test_malformed_queries_get_a_readable_message(text, message):
    with pytest.raises(q.QueryError) as error:
        q.parse(text)
    assert message in str(error.value)


def test_too_many_terms_are_refused():
    with pytest.raises(q.QueryError, match="more than 64 terms"):
        q.parse(" ".join(f"word{n}" for n in range(65)))
