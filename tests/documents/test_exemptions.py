"""Exemption citations as agencies print them and as OCR reads them."""

from __future__ import annotations

import pytest

from documents.exemptions import find_exemptions


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("(b)(6)", ["b6"]),
        ("(b) (6)", ["b6"]),
        ("( b ) ( 6 )", ["b6"]),
        ("(B)(6)", ["b6"]),
        ("b(6)", ["b6"]),
        ("(b)(1)", ["b1"]),
        ("(b)(2)", ["b2"]),
        ("(b)(3)", ["b3"]),
        ("(b)(4)", ["b4"]),
        ("(b)(5)", ["b5"]),
        ("(b)(8)", ["b8"]),
        ("(b)(9)", ["b9"]),
        ("(b)(7)", ["b7"]),
        ("(b)(7)(A)", ["b7a"]),
        ("(b)(7)(B)", ["b7b"]),
        ("(b)(7)(C)", ["b7c"]),
        ("(b)(7)(c)", ["b7c"]),
        ("(b)(7) (C)", ["b7c"]),
        ("(b)(7)C", ["b7c"]),
        ("(b)(7)(D)", ["b7d"]),
        ("(b)(7)(E)", ["b7e"]),
        ("(b)(7)(F)", ["b7f"]),
    ],
)
def test_parenthesised_citations_are_normalised(text, codes):
    assert find_exemptions(text) == codes


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("(b)(7)(C),(b)(6)", ["b7c", "b6"]),
        ("(b)(6), (b)(7)(C)", ["b6", "b7c"]),
        ("(b)(6); (b)(7)(C); (b)(7)(E)", ["b6", "b7c", "b7e"]),
        ("(b)(6)/(b)(7)(C)", ["b6", "b7c"]),
        ("(b)(6)&(b)(7)(C)", ["b6", "b7c"]),
        ("(b)(4) and (b)(7)(E)", ["b4", "b7e"]),
        ("(b)(7)(C)(b)(6)", ["b7c", "b6"]),
    ],
)
def test_lists_of_citations_keep_their_order(text, codes):
    assert find_exemptions(text) == codes


def test_citations_printed_without_a_separator_are_two_citations():
    # Not exemption 7(B): the "(b)" opens the next citation.
    assert find_exemptions("(b)(7)(b)(6)") == ["b7", "b6"]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("5 U.S.C. § 552(b)(6)", ["b6"]),
        ("5 U.S.C. 552(b)(7)(C)", ["b7c"]),
        ("§552(b)(7)(E)", ["b7e"]),
        ("5 U.S.C. § 552 (b)(5)", ["b5"]),
        ("subsection (b)(6) of the FOIA", ["b6"]),
        ("(b)(3) 26 U.S.C. § 6103", ["b3"]),
        ("(b)(3):8 U.S.C. 1202(f)", ["b3"]),
    ],
)
def test_the_statute_itself_counts(text, codes):
    assert find_exemptions(text) == codes


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("b6", ["b6"]),
        ("b7c", ["b7c"]),
        ("b7C", ["b7c"]),
        ("B7C", ["b7c"]),
        ("b7(C)", ["b7c"]),
        ("b6 -1, b7C -1, b7E -3", ["b6", "b7c", "b7e"]),
        ("B6, B7C", ["b6", "b7c"]),
        ("Withheld: b6 b7c", ["b6", "b7c"]),
    ],
)
def test_compact_citations_are_found(text, codes):
    assert find_exemptions(text) == codes


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Exemption 6", ["b6"]),
        ("FOIA Exemption 5", ["b5"]),
        ("exemption 7(C)", ["b7c"]),
        ("Exemptions 6 and 7(C)", ["b6", "b7c"]),
        ("Exemptions 6, 7C, and 7(E)", ["b6", "b7c", "b7e"]),
        ("under Exemptions 4 & 6 of the FOIA", ["b4", "b6"]),
        ("Exemption (b)(6)", ["b6"]),
    ],
)
def test_exemptions_cited_by_name_are_found(text, codes):
    assert find_exemptions(text) == codes


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("(b)6), (b)\\(7)(C)", ["b6", "b7c"]),
        ("(bX6)", ["b6"]),
        ("(bY(7(C)", ["b7c"]),
        ("— (b)(6), (bY7MC)", ["b6", "b7c"]),
        ("[b](6)", ["b6"]),
        ("{b)(6}", ["b6"]),
        ("(b)(7)(C", ["b7c"]),
        ("(b)|6)", ["b6"]),
    ],
)
def test_common_ocr_misreadings_still_count(text, codes):
    assert find_exemptions(text) == codes


def test_an_unreadable_subparagraph_is_not_guessed():
    assert find_exemptions("(b)(7)(Q)") == ["b7"]


@pytest.mark.parametrize(
    "text",
    [
        "(b)(10)",
        "(b)(0)",
        "exemption 10",
        "Exemption 2019-0412",
        # The Privacy Act: its subsection (b) and its own exemptions (j) and (k).
        "subsection (b)(6) of the Privacy Act",
        "5 U.S.C. 552a(b)(6)",
        "5 U.S.C. § 552a (b)(2)",
        "Privacy Act exemptions (j)(2) and (k)(2)",
        "(k)(5)",
        # Subsections of other laws and regulations.
        "26 U.S.C. 6103(b)(2)",
        "8 U.S.C. 1367(b)(2)",
        "28 CFR 16.10(b)(1)",
        "1552(b)(6)",
        "paragraph (b)(1) of this section",
        "under (b)(2) of section 1367",
        # Outlines, enumerations and ordinary words.
        "(b) 1. The officer arrived",
        "(a)(1), (b)(i), (c)(ii)",
        "followed by 2) a letter",
        "vitamin B6",
        "B1/B2 visa holders",
        "b1/b2 visitor",
        "Schedule B(1)",
        "B2B sales",
        "a hash 0xb6f3",
        "Form B-6",
    ],
)
def test_things_that_are_not_foia_exemptions_are_ignored(text):
    assert find_exemptions(text) == []


def test_each_code_is_reported_once_in_order_of_first_appearance():
    text = (
        "Names withheld under (b)(7)(C). Phone numbers (b)(6). "
        "More names (b)(7)(C), (b)(6). Exemption 5 applies to the draft."
    )
    assert find_exemptions(text) == ["b7c", "b6", "b5"]


def test_a_page_of_ocr_text_yields_its_exemptions():
    page = (
        "U.S. Department of Homeland Security\n\n"
        "that the incident occurred during the evening count and that\n"
        "(b)(6), (b\\(7)(C)\n"
        "two supervisors were present. See 5 U.S.C. 552a(b)(7) for routine uses."
    )
    assert find_exemptions(page) == ["b6", "b7c"]


def test_text_without_citations_yields_nothing():
    assert find_exemptions("") == []
    assert find_exemptions("The LinnSequencer is a 32 track MIDI recorder.") == []
