"""Snippets and highlighting, computed from the page's text for both backends.

The whole text is scanned (there is no 32,768-character limit as in Whoosh's
highlighter), with the same analysis as the index, so every word that made a
page match is found wherever it is. Output is HTML-escaped with matches in
``<mark>``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from search import analysis
from search import query as q

FRAGMENT_CHARS = 220
CONTEXT_CHARS = 70
MAX_FRAGMENTS = 2
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    key: str  # which query term matched, to prefer fragments with several


class Matcher:
    """Finds where the positive terms of a query occur in a text."""

    def __init__(self, node: q.Node) -> None:
        self.terms: set[str] = set()
        self.prefixes: list[str] = []  # on words as written
        self.fuzzy: list[tuple[str, int]] = []  # on words as written
        self.phrases: list[tuple[str, ...]] = []
        self.exact: set[str] = set()
        for leaf in q.positive_leaves(node):
            if isinstance(leaf, q.Term):
                self.terms.add(leaf.stem)
            elif isinstance(leaf, q.Prefix):
                self.prefixes.append(leaf.prefix)
            elif isinstance(leaf, q.Fuzzy):
                self.fuzzy.append((leaf.word, leaf.distance))
            elif isinstance(leaf, q.Phrase | q.Exact):
                stems = leaf.stems if isinstance(leaf, q.Phrase) else leaf.part_stems
                if isinstance(leaf, q.Exact):
                    self.exact.add(leaf.token)
                self.phrases.append(stems)
                # A longer phrase matches through its pairs of words (see
                # search.analysis): a page may hold them apart.
                if len(stems) > 2:
                    self.phrases.extend(zip(stems, stems[1:], strict=False))
        self._word_cache: dict[tuple[str, str], str | None] = {}
        self._raw_cache: dict[str, tuple[str, str | None]] = {}

    @property
    def empty(self) -> bool:
        return not (
            self.terms or self.prefixes or self.fuzzy or self.phrases or self.exact
        )

    def word_key(self, word: str, stem: str) -> str | None:
        """Which single-word term the word (and its stem) satisfies, if any."""
        cache_key = (word, stem)
        if cache_key in self._word_cache:
            return self._word_cache[cache_key]
        key = None
        if stem in self.terms:
            key = stem
        else:
            for prefix in self.prefixes:
                if word.startswith(prefix):
                    key = f"{prefix}*"
                    break
            else:
                for fuzzy, distance in self.fuzzy:
                    if analysis.within_distance(fuzzy, word, distance):
                        key = f"{fuzzy}~"
                        break
        self._word_cache[cache_key] = key
        return key

    def _analyse(self, raw: str) -> tuple[str, str | None]:
        """The stem of a word as it appears in a text, and the term it matches."""
        found = self._raw_cache.get(raw)
        if found is None:
            word, stem = analysis.word_and_stem(raw)
            found = self._raw_cache[raw] = (stem, self.word_key(word, stem))
        return found

    def spans(self, text: str) -> list[Span]:
        """Where the query's positive terms occur in ``text``, in order.

        Words are analysed once per distinct spelling; the offsets of those
        that match are then found with a regular expression of their exact
        spellings, which keeps long pages cheap.
        """
        if self.empty or not text:
            return []
        raws = analysis.WORD.findall(text)
        cache = self._raw_cache
        analyse = self._analyse
        found: list[Span] = []
        matching = {raw for raw in set(raws) if (cache.get(raw) or analyse(raw))[1]}
        if matching:
            for match in _spelled(matching).finditer(text):
                found.append(Span(match.start(), match.end(), cache[match.group()][1]))
        if self.phrases:
            stems = [cache[raw][0] for raw in raws]
            sequences: dict[tuple[str, ...], str] = {}
            for phrase in self.phrases:
                size = len(phrase)
                first = phrase[0]
                for index, stem in enumerate(stems):
                    if stem == first and tuple(stems[index : index + size]) == phrase:
                        sequences[tuple(raws[index : index + size])] = " ".join(phrase)
            for sequence, key in sequences.items():
                for match in _spelled_in_a_row(sequence).finditer(text):
                    found.append(Span(match.start(), match.end(), key))
        if self.exact:
            for match in analysis.COMPOUND.finditer(text):
                if analysis.normalise(match.group()) in self.exact:
                    found.append(
                        Span(match.start(), match.end(), match.group().lower())
                    )
        return _merge(found)


_NOT_AFTER_WORD = r"(?<![^\W_])"
_NOT_BEFORE_WORD = r"(?![^\W_])"


def _spelled(spellings: set[str]) -> re.Pattern:
    """Whole words spelled exactly as one of ``spellings``."""
    alternatives = "|".join(
        re.escape(spelling) for spelling in sorted(spellings, key=len, reverse=True)
    )
    return re.compile(f"{_NOT_AFTER_WORD}(?:{alternatives}){_NOT_BEFORE_WORD}")


def _spelled_in_a_row(sequence: tuple[str, ...]) -> re.Pattern:
    """These words one after the other, with only non-word characters between."""
    joined = r"[\W_]+".join(re.escape(word) for word in sequence)
    return re.compile(f"{_NOT_AFTER_WORD}{joined}{_NOT_BEFORE_WORD}")


def _merge(spans: list[Span]) -> list[Span]:
    """Sorted, with overlapping spans joined."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            if span.end > last.end:
                merged[-1] = Span(last.start, span.end, last.key)
            continue
        merged.append(span)
    return merged


def _render(text: str, start: int, end: int, spans: list[Span]) -> str:
    out = []
    position = start
    for span in spans:
        if span.end <= start or span.start >= end:
            continue
        out.append(_escape(text[position : span.start]))
        out.append(f"<mark>{_escape(text[span.start : span.end])}</mark>")
        position = span.end
    out.append(_escape(text[position:end]))
    return "".join(out)


def _escape(text: str) -> str:
    return html.escape(_SPACE.sub(" ", text), quote=False)


def _snap_start(text: str, start: int) -> int:
    if start <= 0:
        return 0
    space = text.rfind(" ", max(0, start - 20), start)
    return space + 1 if space != -1 else start


def _snap_end(text: str, end: int) -> int:
    if end >= len(text):
        return len(text)
    space = text.find(" ", end, end + 20)
    return space if space != -1 else end


def _best_window(spans: list[Span]) -> tuple[int, int]:
    """Indexes [i, j) of the spans that fit in one fragment, most terms first."""
    best = (0, 1)
    best_score = (-1, -1)
    j = 0
    for i in range(len(spans)):
        j = max(j, i + 1)
        while j < len(spans) and spans[j].end - spans[i].start <= FRAGMENT_CHARS:
            j += 1
        window = spans[i:j]
        score = (len({span.key for span in window}), len(window))
        if score > best_score:
            best, best_score = (i, j), score
    return best


def snippet(text: str, matcher: Matcher) -> str:
    """Up to two fragments of ``text`` around its matches, as safe HTML."""
    spans = matcher.spans(text)
    if not spans:
        end = _snap_end(text, FRAGMENT_CHARS)
        return _escape(text[:end]).strip() + (" …" if end < len(text) else "")
    fragments = []
    remaining = spans
    keys_shown: set[str] = set()
    for _ in range(MAX_FRAGMENTS):
        if not remaining:
            break
        i, j = _best_window(remaining)
        window = remaining[i:j]
        if fragments and {span.key for span in window} <= keys_shown:
            break
        keys_shown |= {span.key for span in window}
        start = _snap_start(text, window[0].start - CONTEXT_CHARS)
        end = _snap_end(text, max(window[-1].end, start + FRAGMENT_CHARS))
        fragments.append((start, end, window))
        remaining = [s for s in remaining if s.end <= start or s.start >= end]
    fragments.sort(key=lambda fragment: fragment[0])
    out = []
    for start, end, _window in fragments:
        rendered = _render(text, start, end, spans).strip()
        prefix = "… " if start > 0 else ""
        suffix = " …" if end < len(text) else ""
        out.append(f"{prefix}{rendered}{suffix}")
    return " ".join(out).replace("… …", "…")


def highlight(text: str, matcher: Matcher) -> str:
    """The whole ``text`` as safe HTML with every match in ``<mark>``.

    Line breaks are kept (the viewer shows text as it was read).
    """
    spans = matcher.spans(text)
    out = []
    position = 0
    for span in spans:
        out.append(html.escape(text[position : span.start], quote=False))
        out.append(
            f"<mark>{html.escape(text[span.start : span.end], quote=False)}</mark>"
        )
        position = span.end
    out.append(html.escape(text[position:], quote=False))
    return "".join(out)


def match_boxes(words: list, matcher: Matcher) -> list[dict]:
    """The word boxes of a page that match, for lighting them up on the image.

    ``words`` is ``Page.words``: ``[text, left, top, width, height, conf]`` with
    box fractions. A phrase lights up each of its words.
    """
    if matcher.empty or not words:
        return []
    pieces = []
    ranges = []
    position = 0
    for word in words:
        text = str(word[0]) if word else ""
        ranges.append((position, position + len(text)))
        pieces.append(text)
        position += len(text) + 1
    joined = " ".join(pieces)
    spans = matcher.spans(joined)
    boxes = []
    for (start, end), word in zip(ranges, words, strict=True):
        if start == end:
            continue
        if any(span.start < end and start < span.end for span in spans):
            boxes.append(
                {
                    "text": word[0],
                    "left": word[1],
                    "top": word[2],
                    "width": word[3],
                    "height": word[4],
                }
            )
    return boxes
