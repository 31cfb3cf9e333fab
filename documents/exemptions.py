"""Find FOIA exemption citations in a page's text.

``find_exemptions(text)`` returns the exemptions cited on a page as normalised codes,
in order of first appearance, without duplicates.

Codes: ``"b1"`` .. ``"b9"`` for the nine exemptions of 5 U.S.C. 552(b), and
``"b7a"`` .. ``"b7f"`` for the subparagraphs of exemption 7. Always lowercase, so
codes compare and index as plain strings. A subparagraph letter on any exemption
other than 7 is dropped (``(b)(3)(A)`` is ``"b3"``); a bare ``(b)(7)`` stays
``"b7"``.

Forms recognised, as agencies print them and as OCR reads them:

- parenthesised: ``(b)(6)``, ``(b) (6)``, ``(B)(6)``, ``(b)(7)(C)``, ``(b)(7)(c)``,
  ``b(6)``, lists such as ``(b)(7)(C),(b)(6)``, and the statute itself,
  ``5 U.S.C. § 552(b)(6)``. OCR commonly turns ``)(`` into ``X``, ``Y``, ``\\`` or
  ``|``, turns a parenthesis into a bracket or brace, or drops one of the two;
  those variants are accepted, but a closing mark after the exemption number is
  still required so that an outline item like ``(b) 1.`` is not a citation.
- compact: ``b6``, ``b7C``, ``b7(C)``, and the FBI's ``b6 -1``. An uppercase
  ``B`` followed by a digit alone (``B6``) is also a vitamin, a paper size or a
  visa class (``B1/B2``), so it only counts next to another citation
  (``B6, B7C``); anything followed by "visa" never counts.
- by name: ``Exemption 6``, ``FOIA Exemptions 6 and 7(C)``, ``Exemptions 6, 7C,
  and 7(E)``.

Not reported, because they are not FOIA exemptions:

- numbers outside 1-9: ``(b)(10)``;
- the Privacy Act, 5 U.S.C. 552a, whose subsection (b) lists disclosure conditions
  and whose own exemptions are (j) and (k): ``552a(b)(6)``, ``(b)(2) of the Privacy
  Act``, ``(j)(2)``, ``(k)(5)``;
- subsections of other laws and of regulations: a ``(b)(n)`` glued to a section
  number (``26 U.S.C. 6103(b)(2)``, ``28 CFR 16.10(b)(1)``) or followed by
  ``of this section``, ``of section 1367`` and the like. ``552(b)(n)`` is FOIA
  itself and always counts.
- OCR misreadings of the subparagraph letter outside A-F: ``(b)(7)(Q)`` is
  reported as ``"b7"``, not guessed to be ``"b7c"``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_OPEN = r"[(\[{]"
_CLOSE = r"[)\]}]"
# What OCR makes of ")(" between "(b" and the number: the right marks, one of them,
# a bracket or brace, a backslash or bar, an X or Y, or a few of those together.
# Between the number and a subparagraph letter it has also been seen as an M:
# "(b)(7)(C)" read as "(bY7MC)".
_JOINER = r"(?:(?:[xy]|[)\]}(\[{\\/|])\s*){1,3}"
# A subparagraph letter; the lookahead keeps "(b)(7)(b)(6)", two citations printed
# without a separator, from reading as b7b followed by a stray "(6)".
_SUBPARAGRAPH = rf"""
    (?:
        \s*{_OPEN}\s*(?P<sub>[a-z])\s*(?:{_CLOSE}|(?![a-z0-9)\]}}]))
      | (?P<bare_sub>[a-z])(?![a-z0-9])
    )
    (?!\s*{_OPEN}\s*\d)
"""

_PARENTHESISED = re.compile(
    rf"""
    (?:{_OPEN}\s*b\s*{_JOINER}?|\b(?-i:b){_OPEN}) \s*
    (?P<number>[1-9]) \s*
    (?:
        (?:{_CLOSE}|[|\\]) (?:{_SUBPARAGRAPH})?
      | {_OPEN}\s*(?P<lost_close_sub>[a-z])\s*{_CLOSE}
      | [mxy](?P<joined_sub>[a-z])(?:{_CLOSE}|(?![a-z0-9]))
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)

_COMPACT = re.compile(
    rf"""
    \b(?P<letter>b)(?P<number>[1-9])
    (?:
        {_OPEN}\s*(?P<sub>[a-z])\s*{_CLOSE}
      | (?P<bare_sub>[a-z])\b
      | \b
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)

_BY_NAME = re.compile(r"\bexemptions?\b\s*(?:nos?\.?\s*|numbers?\s+)?", re.IGNORECASE)
_NAMED_ITEM = re.compile(
    rf"""
    (?P<number>[1-9])(?![0-9])
    (?:
        \s*{_OPEN}\s*(?P<sub>[a-f])\s*{_CLOSE}
      | (?P<bare_sub>[a-f])\b
    )?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_LIST_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and|or|&)?|and|or|&|/|;)\s*", re.IGNORECASE)

# Things a "(b)(n)" may be glued to that make it a subsection of another law: a
# section number such as 6103, 16.10 or 552a.
_SECTION_NUMBER_BEFORE = re.compile(r"\d[\w.\-]*$")
_FOIA_SECTION = re.compile(r"(?<!\d)552$")
_PRIVACY_ACT_BEFORE = re.compile(r"552a\s*$", re.IGNORECASE)
_OTHER_LAW_AFTER = re.compile(
    r"""
    \s*,?\s*of\s+
    (?:
        (?:this|that|the\s+same)\s+
        (?:section|subsection|part|subpart|chapter|paragraph|title|rule|regulation)
      | the\s+privacy\s+act
      | (?:section|§)\s*(?!552\b)\d
      | (?:title\s+)?5\s*u\.?\s*s\.?\s*c\.?\s*§*\s*552a
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)
_VISA_AFTER = re.compile(
    r"(?:\s*[/,&-]\s*b[1-9])*\s*(?:visas?|visitors?|nonimmigrants?)\b", re.IGNORECASE
)
_BETWEEN_NEIGHBOURS = re.compile(r"[\s,;/&-]*(?:(?:and|or)[\s,;/&-]*)?", re.IGNORECASE)


class _Citation(NamedTuple):
    start: int
    end: int
    code: str
    weak: bool  # counts only next to a citation that is not weak


def find_exemptions(text: str) -> list[str]:
    """Exemption codes cited in ``text``, in order of first appearance, no repeats."""
    citations = sorted(
        [*_parenthesised(text), *_compact(text), *_by_name(text)],
        key=lambda citation: citation.start,
    )
    kept = [
        citation
        for position, citation in enumerate(citations)
        if not citation.weak or _has_strong_neighbour(text, citations, position)
    ]
    return list(dict.fromkeys(citation.code for citation in kept))


def _code(number: str, subparagraph: str | None) -> str:
    if number == "7" and subparagraph and subparagraph.lower() in "abcdef":
        return f"b7{subparagraph.lower()}"
    return f"b{number}"


def _parenthesised(text: str) -> list[_Citation]:
    found = []
    for match in _PARENTHESISED.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        after = text[match.end() : match.end() + 60]
        if _PRIVACY_ACT_BEFORE.search(before) or _OTHER_LAW_AFTER.match(after):
            continue
        if before and not before[-1].isspace():
            glued_to = before.split()[-1]
            if _SECTION_NUMBER_BEFORE.search(glued_to) and not _FOIA_SECTION.search(
                glued_to
            ):
                continue
        subparagraph = (
            match.group("sub")
            or match.group("bare_sub")
            or match.group("lost_close_sub")
            or match.group("joined_sub")
        )
        found.append(
            _Citation(
                match.start(),
                match.end(),
                _code(match.group("number"), subparagraph),
                weak=False,
            )
        )
    return found


def _compact(text: str) -> list[_Citation]:
    found = []
    for match in _COMPACT.finditer(text):
        if _VISA_AFTER.match(text, match.end()):
            continue
        number = match.group("number")
        subparagraph = match.group("sub") or match.group("bare_sub")
        if subparagraph and (number != "7" or subparagraph.lower() not in "abcdef"):
            continue  # "B2B" or "b6x" is a token of something else

        weak = match.group("letter") == "B" and not subparagraph
        found.append(
            _Citation(
                match.start(),
                match.end(),
                _code(number, subparagraph),
                weak=weak,
            )
        )
    return found


def _by_name(text: str) -> list[_Citation]:
    found = []
    for keyword in _BY_NAME.finditer(text):
        position = keyword.end()
        item = _NAMED_ITEM.match(text, position)
        while item:
            subparagraph = item.group("sub") or item.group("bare_sub")
            found.append(
                _Citation(
                    item.start(),
                    item.end(),
                    _code(item.group("number"), subparagraph),
                    weak=False,
                )
            )
            separator = _LIST_SEPARATOR.match(text, item.end())
            if not separator or separator.end() == item.end():
                break
            item = _NAMED_ITEM.match(text, separator.end())
    return found


def _has_strong_neighbour(text: str, citations: list[_Citation], position: int) -> bool:
    citation = citations[position]
    for neighbour_position in (position - 1, position + 1):
        if not 0 <= neighbour_position < len(citations):
            continue
        neighbour = citations[neighbour_position]
        if neighbour.weak:
            continue
        left, right = sorted((citation, neighbour), key=lambda item: item.start)
        gap = text[left.end : right.start]
        if _BETWEEN_NEIGHBOURS.fullmatch(gap):
            return True
    return False
