"""The search language, parsed once into a tree that both backends compile.

Syntax (see ``templates/search/_syntax_help.html`` for the reader's version):

- words, matched by stem: ``detention`` finds "detained" and "detentions";
- ``"exact phrase"``;
- ``AND`` (also implied between terms), ``OR``, ``NOT`` or a leading ``-``,
  parentheses for grouping;
- ``invest*`` (prefix, at least two characters), ``detension~`` (one edit) or
  ``detension~2`` (two edits);
- compound tokens such as case numbers, ``OPR-2021-04417``, match as typed;
- filters: ``agency:ICE`` (the agency and its components), ``request:42``,
  ``document:7``, ``exemption:b6`` (``b7c``, ``(b)(7)(C)``; ``b7`` includes its
  subparagraphs), ``year:2021``, ``from:2021-01-01``, ``to:2021-06-30``,
  ``source:ocr`` (``text``, ``none``), ``tag:immigration``,
  ``jurisdiction:US-CA``, ``title:memo``.

Parsing never raises anything but :class:`QueryError`, whose message is meant
for the person who typed the query.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from search import analysis

MAX_QUERY_LENGTH = 1000
MAX_CLAUSES = 64
MAX_FUZZY_DISTANCE = 2
MIN_PREFIX_LENGTH = 2


class QueryError(ValueError):
    """A query that cannot be run; ``str(error)`` is a sentence for the user."""


# --- The tree -------------------------------------------------------------------


class Node:
    """Base of the query tree; leaves are text matches or filters."""


@dataclass(frozen=True)
class Term(Node):
    word: str
    stem: str


@dataclass(frozen=True)
class Prefix(Node):
    """Words (as written, not stemmed) starting with ``prefix``."""

    prefix: str


@dataclass(frozen=True)
class Fuzzy(Node):
    """Words (as written) within ``distance`` edits of ``word``."""

    word: str
    distance: int = 1


@dataclass(frozen=True)
class Phrase(Node):
    """Words in this order (matched through their adjacent pairs, see
    ``search.analysis``)."""

    words: tuple[str, ...]

    @property
    def stems(self) -> tuple[str, ...]:
        return tuple(analysis.stem(word) for word in self.words)

    @property
    def pairs(self) -> tuple[str, ...]:
        return analysis.phrase_pairs(self.stems)


@dataclass(frozen=True)
class Exact(Node):
    """A compound token (``opr-2021-04417``), or its parts as a phrase."""

    token: str
    parts: tuple[str, ...]

    @property
    def part_stems(self) -> tuple[str, ...]:
        return tuple(analysis.stem(word) for word in self.parts)

    @property
    def part_pairs(self) -> tuple[str, ...]:
        return analysis.phrase_pairs(self.part_stems)


@dataclass(frozen=True)
class Title(Node):
    """Words that must appear in the document's or the request's title."""

    stems: tuple[str, ...]


@dataclass(frozen=True)
class Filter(Node):
    """Pages whose ``field`` holds any of ``values``.

    Fields: ``agency`` (ids; the index holds each page's agency and its
    ancestors), ``request``, ``document``, ``page`` (ids), ``exemption``
    (codes), ``source``, ``tag`` (lowercase names), ``jurisdiction`` (codes).
    """

    field: str
    values: tuple


@dataclass(frozen=True)
class DateRange(Node):
    """Pages received between ``start`` and ``end``, both included."""

    start: datetime.date | None
    end: datetime.date | None


@dataclass(frozen=True)
class And(Node):
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or(Node):
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not(Node):
    child: Node


@dataclass(frozen=True)
class MatchAll(Node):
    pass


@dataclass(frozen=True)
class AgencyName(Node):
    """An ``agency:`` value before it is looked up (see :func:`resolve`)."""

    name: str


TEXT_LEAVES = (Term, Prefix, Fuzzy, Phrase, Exact, Title)


def walk(node: Node):
    yield node
    if isinstance(node, And | Or):
        for child in node.children:
            yield from walk(child)
    elif isinstance(node, Not):
        yield from walk(node.child)


def positive_leaves(node: Node, negated: bool = False):
    """Text leaves that make a page match (not those under a NOT)."""
    if isinstance(node, And | Or):
        for child in node.children:
            yield from positive_leaves(child, negated)
    elif isinstance(node, Not):
        yield from positive_leaves(node.child, not negated)
    elif isinstance(node, TEXT_LEAVES) and not negated:
        yield node


def combine(*nodes: Node | None) -> Node:
    """AND of the given nodes, ignoring ``None`` and flattening."""
    children: list[Node] = []
    for node in nodes:
        if node is None or isinstance(node, MatchAll):
            continue
        if isinstance(node, And):
            children.extend(node.children)
        else:
            children.append(node)
    if not children:
        return MatchAll()
    if len(children) == 1:
        return children[0]
    return And(tuple(children))


# --- Lexer ----------------------------------------------------------------------

FIELDS = {
    "agency",
    "request",
    "document",
    "exemption",
    "year",
    "from",
    "to",
    "source",
    "tag",
    "jurisdiction",
    "title",
}
SOURCES = {"ocr": "ocr", "text": "text", "none": "none"}
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<field>(?P<name>[A-Za-z]+):
        (?:"(?P<fieldquoted>[^"]*)"|(?P<fieldvalue>(?:[^\s()"]|\([^\s()"]*\))+)))
  | (?P<phrase>"(?P<phrasetext>[^"]*)"?)
  | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)


@dataclass
class _Lexeme:
    kind: str  # word, phrase, field, open, close, and, or, not, minus
    text: str = ""
    name: str = ""
    negated: bool = False
    closed: bool = True


def _lex(text: str) -> list[_Lexeme]:
    out: list[_Lexeme] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # pragma: no cover - the pattern accepts any character
            raise QueryError("This query cannot be read.")
        position = match.end()
        kind = match.lastgroup
        if kind == "space":
            continue
        if kind in ("open", "close"):
            out.append(_Lexeme(kind))
        elif kind == "phrase":
            raw = match.group("phrase")
            closed = len(raw) >= 2 and raw.endswith('"')
            out.append(_Lexeme("phrase", match.group("phrasetext"), closed=closed))
        elif kind == "field":
            name = match.group("name").lower()
            value = match.group("fieldquoted")
            if value is None:
                value = match.group("fieldvalue")
            if name in FIELDS:
                out.append(_Lexeme("field", value, name=name))
            else:
                # "Re:budget" is text, not a filter.
                out.append(_Lexeme("word", match.group("field")))
        else:
            word = match.group("word")
            if word in ("AND", "&&"):
                out.append(_Lexeme("and"))
            elif word in ("OR", "||", "|"):
                out.append(_Lexeme("or"))
            elif word == "NOT":
                out.append(_Lexeme("not"))
            elif word == "-":
                # A dash glued to a phrase or group negates it; a lone dash
                # between words is punctuation.
                if position < len(text) and text[position] in '"(':
                    out.append(_Lexeme("minus"))
            elif word.startswith("-") and len(word) > 1:
                out.append(_Lexeme("minus"))
                out.append(_word_or_field(word[1:]))
            elif word.startswith("+") and len(word) > 1:
                out.append(_word_or_field(word[1:]))
            else:
                out.append(_Lexeme("word", word))
    return out


def _word_or_field(text: str) -> _Lexeme:
    match = _TOKEN.fullmatch(text)
    if match and match.lastgroup == "field" and match.group("name").lower() in FIELDS:
        value = match.group("fieldquoted")
        if value is None:
            value = match.group("fieldvalue")
        return _Lexeme("field", value, name=match.group("name").lower())
    return _Lexeme("word", text)


# --- Parser ---------------------------------------------------------------------


class _Parser:
    def __init__(self, lexemes: list[_Lexeme]):
        self.lexemes = lexemes
        self.position = 0
        self.clauses = 0

    def peek(self) -> _Lexeme | None:
        if self.position < len(self.lexemes):
            return self.lexemes[self.position]
        return None

    def take(self) -> _Lexeme:
        lexeme = self.lexemes[self.position]
        self.position += 1
        return lexeme

    def parse(self) -> Node:
        node = self.parse_or()
        if self.peek() is not None:
            lexeme = self.peek()
            if lexeme.kind == "close":
                raise QueryError(
                    "There is a closing parenthesis “)” without an opening one."
                )
            raise QueryError("This query cannot be read.")  # pragma: no cover
        return node

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while (lexeme := self.peek()) is not None and lexeme.kind == "or":
            self.take()
            if self.peek() is None or self.peek().kind in ("close", "or", "and"):
                raise QueryError("OR needs a search term on both sides.")
            children.append(self.parse_and())
        children = [child for child in children if child is not None]
        if not children:
            return None
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Node:
        children = []
        while (lexeme := self.peek()) is not None and lexeme.kind not in (
            "or",
            "close",
        ):
            if lexeme.kind == "and":
                self.take()
                if not children:
                    raise QueryError("AND needs a search term on both sides.")
                following = self.peek()
                if following is None or following.kind in ("or", "close", "and"):
                    raise QueryError("AND needs a search term on both sides.")
                continue
            node = self.parse_unary()
            if node is not None:
                children.append(node)
        if not children:
            if self.peek() is not None and self.peek().kind == "or":
                raise QueryError("OR needs a search term on both sides.")
            return None
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_unary(self) -> Node | None:
        lexeme = self.take()
        if lexeme.kind in ("not", "minus"):
            following = self.peek()
            if following is None or following.kind in ("or", "and", "close"):
                word = "NOT" if lexeme.kind == "not" else "“-”"
                raise QueryError(f"{word} needs a term after it, as in -draft.")
            child = self.parse_unary()
            return Not(child) if child is not None else None
        if lexeme.kind == "open":
            node = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != "close":
                raise QueryError("A parenthesis “(” is not closed.")
            self.take()
            return node
        if lexeme.kind == "close":  # pragma: no cover - handled by callers
            raise QueryError(
                "There is a closing parenthesis “)” without an opening one."
            )
        self.count()
        if lexeme.kind == "phrase":
            if not lexeme.closed:
                raise QueryError(
                    'A quotation mark is not closed: put a second “"” after the phrase.'
                )
            return _phrase(lexeme.text)
        if lexeme.kind == "field":
            return filter_node(lexeme.name, lexeme.text)
        return _word(lexeme.text)

    def count(self) -> None:
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise QueryError(
                f"This query has more than {MAX_CLAUSES} terms; shorten it."
            )


def _phrase(text: str) -> Node | None:
    words = analysis.words(text)
    if not words:
        return None
    if len(words) == 1:
        return _plain(text.strip())
    return Phrase(tuple(words))


_FUZZY = re.compile(r"^(?P<word>.+?)~(?P<distance>\d*)$")


def _word(text: str) -> Node | None:
    fuzzy = _FUZZY.match(text)
    if fuzzy:
        distance = int(fuzzy.group("distance") or 1)
        if not 1 <= distance <= MAX_FUZZY_DISTANCE:
            raise QueryError(
                f"{text}: fuzzy matching allows 1 or 2 changes, as in detension~ "
                "or detension~2."
            )
        words = analysis.words(fuzzy.group("word"))
        if len(words) != 1:
            raise QueryError(f"{text}: put ~ after a single word, as in detension~.")
        return Fuzzy(words[0], distance)
    if text.endswith("*"):
        stripped = text.rstrip("*")
        words = analysis.words(stripped)
        if len(words) != 1 or "*" in stripped:
            raise QueryError(
                f"{text}: put * at the end of a single word, as in investig*."
            )
        if len(words[0]) < MIN_PREFIX_LENGTH:
            raise QueryError(
                f"{text}: a prefix search needs at least {MIN_PREFIX_LENGTH} "
                "letters before the *."
            )
        return Prefix(words[0])
    if "*" in text:
        raise QueryError(
            f"{text}: wildcards work only at the end of a word, as in investig*."
        )
    return _plain(text)


def _plain(text: str) -> Node | None:
    """A word as typed: a term, a compound token, or a phrase of its parts."""
    compound = analysis.COMPOUND.search(text)
    if compound:
        parts = analysis.words(compound.group())
        token = analysis.normalise(compound.group())
        node: Node = Exact(token, tuple(parts))
        rest = (text[: compound.start()] + " " + text[compound.end() :]).strip()
        extra = _phrase(rest) if analysis.words(rest) else None
        return combine(node, extra) if extra is not None else node
    words = analysis.words(text)
    if not words:
        return None
    if len(words) > 1:
        return Phrase(tuple(words))
    return Term(words[0], analysis.stem(words[0]))


_EXEMPTION = re.compile(
    r"^(?:\(?b\)?)?\s*\(?(?P<number>[1-9])\)?\s*(?:\(?(?P<sub>[a-z])\)?)?$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# ASCII digits only (str.isdigit() also takes "²", which int() refuses), and few
# enough of them to fit the id columns.
_ID = re.compile(r"[0-9]{1,18}")


def is_id(text: str) -> bool:
    """Whether ``text`` is a database id as typed: ASCII digits that fit a bigint."""
    return bool(_ID.fullmatch(text.strip()))


def filter_node(name: str, value: str) -> Node:
    """The tree for one ``name:value`` filter; raises ``QueryError``."""
    value = value.strip()
    if not value:
        raise QueryError(f"{name}: needs a value, as in {_EXAMPLES[name]}.")
    if name == "agency":
        return AgencyName(value)
    if name in ("request", "document"):
        ids = value.split(",")
        if not all(is_id(part) for part in ids):
            raise QueryError(
                f"{name}:{value} — {name}: takes a number, as in {_EXAMPLES[name]}."
            )
        return Filter(name, tuple(sorted({int(part) for part in ids})))
    if name == "exemption":
        codes = []
        for part in value.split(","):
            match = _EXEMPTION.match(part.strip().lower())
            if not match or (
                match.group("sub")
                and (match.group("number") != "7" or match.group("sub") not in "abcdef")
            ):
                raise QueryError(
                    f"exemption:{value} is not a FOIA exemption; use b1 to b9, or "
                    "b7a to b7f, as in exemption:b6 or exemption:b7c."
                )
            code = f"b{match.group('number')}{match.group('sub') or ''}"
            codes.append(code)
            if code == "b7":
                codes.extend(f"b7{letter}" for letter in "abcdef")
        return Filter("exemption", tuple(dict.fromkeys(codes)))
    if name == "year":
        if not re.fullmatch(r"\d{4}", value) or not 1900 <= int(value) <= 2200:
            raise QueryError(
                f"year:{value} — year: takes a four-digit year, as in year:2021."
            )
        year = int(value)
        return DateRange(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    if name in ("from", "to"):
        day = _parse_date(value)
        if day is None:
            raise QueryError(
                f"{name}:{value} — dates are written YYYY-MM-DD, as in "
                f"{_EXAMPLES[name]}."
            )
        return DateRange(day, None) if name == "from" else DateRange(None, day)
    if name == "source":
        source = SOURCES.get(value.lower())
        if source is None:
            raise QueryError(
                f"source:{value} — source: is ocr, text or none, as in source:ocr."
            )
        return Filter("source", (source,))
    if name == "tag":
        return Filter("tag", (value.lower(),))
    if name == "jurisdiction":
        return Filter("jurisdiction", (value.upper(),))
    if name == "title":
        title_stems = tuple(analysis.stem(word) for word in analysis.words(value))
        if not title_stems:
            raise QueryError(f"title:{value} — title: needs a word, as in title:memo.")
        return Title(title_stems)
    raise QueryError(f"Unknown filter {name}:.")  # pragma: no cover


_EXAMPLES = {
    "agency": "agency:ICE",
    "request": "request:42",
    "document": "document:7",
    "exemption": "exemption:b6",
    "year": "year:2021",
    "from": "from:2021-01-01",
    "to": "to:2021-12-31",
    "source": "source:ocr",
    "tag": "tag:immigration",
    "jurisdiction": "jurisdiction:US-CA",
    "title": "title:memo",
}


def _parse_date(value: str) -> datetime.date | None:
    if not _DATE.match(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


# --- Entry points ---------------------------------------------------------------


def parse(text: str) -> Node:
    """Parse the user's query into a tree; ``MatchAll`` for an empty query.

    Raises :class:`QueryError` with a message for the user.
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"This query is {len(text):,} characters long; the limit is "
            f"{MAX_QUERY_LENGTH:,}."
        )
    text = text.translate(_QUOTES).strip()
    if not text:
        return MatchAll()
    node = _Parser(_lex(text)).parse()
    if node is None:
        raise QueryError(
            "There is nothing to search for in this query: use letters or digits."
        )
    return _simplify(node)


def _simplify(node: Node) -> Node:
    if isinstance(node, And | Or):
        children = []
        for child in node.children:
            child = _simplify(child)
            if isinstance(child, type(node)):
                children.extend(child.children)
            else:
                children.append(child)
        return children[0] if len(children) == 1 else type(node)(tuple(children))
    if isinstance(node, Not):
        child = _simplify(node.child)
        return child.child if isinstance(child, Not) else Not(child)
    return node


def resolve(node: Node, *, agency_ids_for) -> Node:
    """Replace ``AgencyName`` leaves with ``Filter("agency", ids)``.

    ``agency_ids_for(name)`` returns the ids of agencies answering to ``name``
    (empty when none does).
    """
    if isinstance(node, AgencyName):
        ids = agency_ids_for(node.name)
        if not ids:
            raise QueryError(
                f"No agency is called “{node.name}”. Use its abbreviation or "
                'name, as in agency:ICE or agency:"Immigration and Customs '
                'Enforcement".'
            )
        return Filter("agency", tuple(sorted(ids)))
    if isinstance(node, And | Or):
        return type(node)(
            tuple(
                resolve(child, agency_ids_for=agency_ids_for) for child in node.children
            )
        )
    if isinstance(node, Not):
        return Not(resolve(node.child, agency_ids_for=agency_ids_for))
    return node


def anchor_negations(node: Node) -> Node:
    """Give every NOT something to subtract from.

    ``-draft`` alone, or ``memo OR -draft``, means "all pages but ...": each
    ``Not`` ends up inside an ``And`` with a positive part (``MatchAll`` when
    the query has none), which is how both backends compile exclusions.
    """
    if isinstance(node, Not):
        return And((MatchAll(), Not(anchor_negations(node.child))))
    if isinstance(node, Or):
        return Or(tuple(anchor_negations(child) for child in node.children))
    if isinstance(node, And):
        positives = [
            anchor_negations(child)
            for child in node.children
            if not isinstance(child, Not)
        ]
        negatives = [
            Not(anchor_negations(child.child))
            for child in node.children
            if isinstance(child, Not)
        ]
        if not positives:
            positives = [MatchAll()]
        return And(tuple(positives + negatives))
    return node
