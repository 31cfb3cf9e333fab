"""Text analysis shared by both backends, so a word is the same word everywhere.

A page's text is cut into words (runs of letters and digits), each lowercased,
NFKC-normalised (OCR ligatures such as "ﬁ" become "fi") and stemmed with the
Porter2 English stemmer. Positions count words from 1, so a phrase is a run of
consecutive positions on both backends. There are no stop words: "freedom of
information" is matched as typed.

Words are matched by stem; prefixes (``investigat*``) and fuzzy terms
(``detension~``) are matched against the words themselves, which the index
also keeps, since a stem may be shorter than what the reader typed.

Phrases are matched through word pairs: the index keeps every pair of adjacent
stems (``use+of``, ``of+forc``), and a phrase matches a page holding all of its
pairs. That is exact for two-word phrases; a longer phrase can also match a
page where its pairs occur apart, which is rare, and it keeps phrase search as
fast as word search on both backends.

Compound tokens, letters and digits joined by ``- / . : _`` (``OPR-2021-04417``,
``TECS/ICM``, ``U.S.C``), are also kept whole, so case numbers match as typed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from whoosh.lang.porter2 import stem as _porter2_stem

WORD = re.compile(r"[^\W_]+")
COMPOUND = re.compile(r"[^\W_]+(?:[-/.:_][^\W_]+)+")
# Longer runs are OCR noise or encoded data: they are cut to this length.
MAX_WORD_LENGTH = 60
# PostgreSQL keeps at most 256 positions per lexeme and positions up to 16,383.
MAX_POSITIONS_PER_WORD = 256


def normalise(word: str) -> str:
    """Lowercase and NFKC-normalise one word."""
    if not word.isascii():
        word = unicodedata.normalize("NFKC", word)
    return word.lower()


@lru_cache(maxsize=200_000)
def _stem_cached(word: str) -> str:
    if word.isdigit() or len(word) <= 2:
        return word
    try:
        return _porter2_stem(word)
    except (IndexError, ValueError):  # pathological OCR strings
        return word


def stem(word: str) -> str:
    """The stem of one already normalised word."""
    return _stem_cached(word)


@lru_cache(maxsize=200_000)
def word_and_stem(raw: str) -> tuple[str, str]:
    """A word as found in a text (``WORD``): normalised, and its stem."""
    word = normalise(raw[:MAX_WORD_LENGTH])
    return word, _stem_cached(word)


def stems(text: str) -> list[str]:
    """The stems of ``text`` in order (a word's position is its index + 1)."""
    return [stem(normalise(word[:MAX_WORD_LENGTH])) for word in WORD.findall(text)]


def analyse(text: str) -> tuple[list[str], set[str]]:
    """The stems of ``text`` in order, and its distinct normalised words."""
    found = [normalise(word[:MAX_WORD_LENGTH]) for word in WORD.findall(text)]
    return [stem(word) for word in found], set(found)


PAIR_JOINER = "+"  # never part of a stem or a compound token


def pairs(stems) -> set[str]:
    """Every pair of adjacent stems, joined: ``{"use+of", "of+forc"}``."""
    return set(phrase_pairs(stems))


def phrase_pairs(stems) -> tuple[str, ...]:
    """The pairs of adjacent stems, in order."""
    return tuple(
        f"{first}{PAIR_JOINER}{second}"
        for first, second in zip(stems, stems[1:], strict=False)
    )


def compounds(text: str) -> set[str]:
    """Lowercased compound tokens of ``text`` (``opr-2021-04417``)."""
    return {
        normalise(match.group())
        for match in COMPOUND.finditer(text)
        if len(match.group()) <= MAX_WORD_LENGTH
    }


def words(text: str) -> list[str]:
    """Normalised (not stemmed) words of ``text``."""
    return [normalise(word[:MAX_WORD_LENGTH]) for word in WORD.findall(text)]


def within_distance(word: str, other: str, maxdist: int, prefix: int = 1) -> bool:
    """Levenshtein distance of at most ``maxdist``, sharing ``prefix`` characters.

    The same rule as Whoosh's fuzzy terms (insertions, deletions and
    substitutions; no transpositions), so both backends expand ``word~`` alike.
    """
    if word[:prefix] != other[:prefix]:
        return False
    if abs(len(word) - len(other)) > maxdist:
        return False
    a, b = word[prefix:], other[prefix:]
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        best = i
        for j, char_b in enumerate(b, 1):
            value = min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (char_a != char_b),
            )
            current.append(value)
            best = min(best, value)
        if best > maxdist:
            return False
        previous = current
    return previous[-1] <= maxdist
