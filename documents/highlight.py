"""Marking the words of a query on a page: boxes over its image, <mark> in its text."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

_TERM = re.compile(r"\w+")
_SPLIT = re.compile(r"(\s+)")


def _squash(text: str) -> str:
    return "".join(_TERM.findall(text.lower()))


def query_terms(query: str) -> frozenset[str]:
    """What to look for: each word of ``query`` squashed to letters and digits (so
    ``(b)(6)`` finds the word "(b)(6)," and ``OPR-2021-04417`` the case number),
    and each run of two or more letters or digits in it."""
    squashed = {_squash(token) for token in query.split()}
    parts = {part for part in _TERM.findall(query.lower()) if len(part) >= 2}
    return frozenset(term for term in squashed | parts if term)


def matches(word: str, terms: frozenset[str]) -> bool:
    if not terms:
        return False
    squashed = _squash(word)
    if not squashed:
        return False
    return squashed in terms or any(
        part in terms for part in _TERM.findall(word.lower())
    )


def boxes(words: list, query: str) -> list[tuple[str, str, str, str]]:
    """``x, y, width, height`` as strings (fractions of the page) for the stored
    word boxes that match ``query``; ready for SVG attributes."""
    terms = query_terms(query)
    found = []
    for word in words or []:
        try:
            text, left, top, width, height = word[:5]
        except (TypeError, ValueError):
            continue
        if matches(str(text), terms):
            found.append(_svg_box(left, top, width, height))
    return found


def mark_text(text: str, query: str) -> SafeString:
    """``text`` escaped, with the words that match ``query`` in <mark>."""
    terms = query_terms(query)
    parts = []
    for piece in _SPLIT.split(text):
        if piece and not piece.isspace() and matches(piece, terms):
            parts.append(f"<mark>{escape(piece)}</mark>")
        else:
            parts.append(escape(piece))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


def _svg_box(left, top, width, height) -> tuple[str, str, str, str]:
    return tuple(f"{float(value):.5f}" for value in (left, top, width, height))


@dataclass(frozen=True)
class PageHighlights:
    """``boxes`` to draw over the page image (a phrase lights up each of its
    words), the page's text with each match in <mark>, and how many matches
    there are: a phrase found once is one match, however many words it has."""

    boxes: list[tuple[str, ...]]
    marked_text: SafeString

    @property
    def match_count(self) -> int:
        # The text is escaped, so every "<mark>" in it is one of the marks.
        return self.marked_text.count("<mark>")


def query_label(query: str) -> str:
    """The query as the viewer quotes it back: in curly quotes, or, when it
    has quoted phrases of its own, with those quotes made curly and nothing
    added (``"TECS misuse"`` reads “TECS misuse”, not “"TECS misuse"”)."""
    query = " ".join(query.split())
    if not query:
        return ""
    if '"' not in query:
        return f"“{query}”"
    parts = query.split('"')
    out = [parts[0]]
    for index, part in enumerate(parts[1:]):
        out.append("“" if index % 2 == 0 else "”")
        out.append(part)
    if len(parts) % 2 == 0:
        out.append("”")  # an unclosed quote
    return "".join(out)


def page_highlights(page, query: str) -> PageHighlights:
    """Boxes, marked text and the number of matches for ``query`` on ``page``.

    The search facade's matcher is used when search offers one, so the viewer
    marks what search found (stems, phrases, prefixes); otherwise the plain word
    matching above.
    """
    try:
        import search
    except ImportError:
        search = None
    if search is not None and all(
        hasattr(search, name) for name in ("page_match_boxes", "highlight_page_text")
    ):
        try:
            found = [
                _svg_box(box["left"], box["top"], box["width"], box["height"])
                for box in search.page_match_boxes(page, query)
            ]
            # The facade returns the text HTML-escaped, with <mark> around matches.
            marked = mark_safe(search.highlight_page_text(page.text, query))  # noqa: S308
        except Exception:
            logger.exception("search highlighting failed; using plain matching")
        else:
            return PageHighlights(found, marked)
    return PageHighlights(boxes(page.words, query), mark_text(page.text, query))
