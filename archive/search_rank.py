"""bm25 over a bounded set of matches, with the archive's cached word statistics (issue 19).

FTS5's own `bm25()` first counts, for every phrase of the query (a word and each of its word
forms), the articles that hold it in the whole index: its idf. That pass walks every posting
of every searched word, so a query for a common word costs time in proportion to the archive
(27 ms of a 43 ms search for `pemerintah kabupaten` at 300,000 articles), and FTS5 cannot be
told to remember the counts. Python's `sqlite3` cannot register an FTS5 ranking function
either (no `fts5_api`, no loadable extensions in every build). So the ranking of a bounded
set of candidates is done here, with the same formula and the same inputs FTS5 uses:

- **N and the average article length**: FTS5's own averages record (`articles_fts_data`, id
  1: the number of rows and the tokens of each column), always current, read in O(1).
- **The articles holding each word** (document frequency): `term_docs`, counted by `warta
  maintain` from the index's vocabulary for every word in at least TERM_DOCS_MIN articles,
  with the number of articles at that time (the row of the empty term). A count is scaled
  by the archive's growth since (N now / N then), so an archive crawled after its last
  maintain keeps sensible weights. A word the table does not hold (rare when it was counted,
  or new since), a phrase of several words and a prefix are counted in the index when the
  query runs (cheap for the rare words they mostly are).
- **Each candidate's term frequencies and length**: its title and body read from the
  `articles` row and split as the `unicode61` tokenizer splits them (ASCII text by one byte
  translation; other text folded as `archive.stems.fold` folds it), and its length in tokens
  from FTS5's `articles_fts_docsize`.

The score is FTS5's bm25 (k1 = 1.2, b = 0.75, the column weights of `archive.schema`, an
idf that is never below 1e-6), lower is better: with fresh statistics (right after `warta
maintain`) it is the number FTS5 computes, to rounding. Its cost is the candidates', not
the archive's: reading and splitting ~3 KB a candidate.
"""

from __future__ import annotations

import functools
import math
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from archive.schema import BODY_WEIGHT, TITLE_WEIGHT
from archive.search_text import Parsed
from archive.stems import fold

#: FTS5's bm25 constants (fts5_aux.c).
K1 = 1.2
B = 0.75
#: The fewest articles a word must be in for `warta maintain` to store its count: rarer words
#: are counted when a query asks (a few postings), and the table stays small (a real archive
#: holds millions of distinct words, typos and numbers, most in a handful of articles).
TERM_DOCS_MIN = 100
#: The postings (articles of each searched word, summed) below which FTS5's own bm25 ranks a
#: query: its pass over them takes a few ms, and it scores each match in C, faster than the
#: text this module reads.
FTS5_POSTINGS_MAX = 50_000
#: A phrase whose postings in the candidates' span of ids are expected to be at most this many
#: times the candidates is looked up in the index (which candidates hold it) instead of
#: searched for in every candidate's text: a word form most candidates lack costs a short
#: walk of its postings instead of a scan of ~3 KB per candidate.
HOLDERS_MAX = 2
#: The term under which `term_docs` keeps the number of articles counted (no index word is
#: empty).
TOTAL_KEY = ""

#: ASCII bytes as unicode61 sees them: letters lower-cased, digits kept, everything else a
#: separator (a space).
_ASCII = bytes(
    (c + 32 if 65 <= c <= 90 else c) if (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122)
    else 32 for c in range(256))
_TOKEN = re.compile(r"[^\W_]+")


def tokens(text: str | None) -> list[bytes]:
    """The tokens of `text` as the index holds them (folded), as UTF-8 bytes."""
    if not text:
        return []
    if text.isascii():
        return text.encode().translate(_ASCII).split()
    return [t.encode() for t in _TOKEN.findall(fold(text))]


def padded(text: str | None) -> bytes:
    """A column's text as its folded tokens, each between two spaces of its own (` a  b `):
    a token is then counted by `bytes.count(b" a ")` (in C) and a phrase of tokens by a
    pattern, with no list of tokens made."""
    if not text:
        return b" "
    if text.isascii():
        return b" " + text.encode().translate(_ASCII).replace(b" ", b"  ") + b" "
    return b" " + b"  ".join(t.encode() for t in _TOKEN.findall(fold(text))) + b" "


class _Text:
    """A column's text as the index splits it, made when first counted in: `flat`, the
    text with every separator a space (`b" " + translated + b" "`, one C pass for ASCII
    text), where a word is counted by `bytes.count(b" w ")`; and `padded` (`padded`, each
    token between spaces of its own, a third slower to make) only for a phrase of words, a
    prefix, or a word written twice with one separator between (`w w`: the count of
    `b" w "` would miss every other one)."""

    __slots__ = ("_flat", "_padded", "text")

    def __init__(self, text: str | None) -> None:
        self.text = text
        self._flat: bytes | None = None
        self._padded: bytes | None = None

    @property
    def flat(self) -> bytes:
        if self._flat is None:
            text = self.text
            if not text:
                self._flat = b" "
            elif text.isascii():
                self._flat = b" " + text.encode().translate(_ASCII) + b" "
            else:
                self._flat = b" " + b" ".join(t.encode() for t in _TOKEN.findall(fold(text))) \
                    + b" "
        return self._flat

    def count(self, phrase: Phrase) -> int:
        """Occurrences of `phrase` in the text."""
        needle = phrase.needle
        if needle is not None:
            flat = self.flat
            found = flat.count(needle)
            if not found or needle + needle[1:] not in flat:
                return found
        if self._padded is None:
            self._padded = padded(self.text)
        return phrase.count_in(self._padded)


@dataclass(frozen=True)
class Phrase:
    """One phrase of the FTS5 query: its tokens, whether the last is a prefix, its column."""

    tokens: tuple[bytes, ...]
    prefix: bool = False
    column: str | None = None

    def fts(self) -> str:
        text = '"' + " ".join(t.decode() for t in self.tokens) + '"' + ("*" if self.prefix
                                                                         else "")
        return f"{self.column} : {text}" if self.column else text

    @functools.cached_property
    def needle(self) -> bytes | None:
        """The bytes a single whole token is counted by in `padded` text (else None)."""
        return None if self.prefix or len(self.tokens) > 1 else b" " + self.tokens[0] + b" "

    @functools.cached_property
    def pattern(self) -> re.Pattern[bytes]:
        """A phrase of several tokens or a prefix in `padded` text: the tokens separated by
        runs of spaces (a separator run of any length between them)."""
        inner = rb"(?:  )+".join(re.escape(t) for t in self.tokens)
        return re.compile(rb" " + inner + (rb"[^ ]*" if self.prefix else b"") + rb"(?= )")

    def count_in(self, text: bytes) -> int:
        """Occurrences in a column's `padded` text."""
        if self.needle is not None:
            return text.count(self.needle)
        return len(self.pattern.findall(text))


def phrases(parsed: Parsed) -> list[Phrase] | None:
    """The phrases FTS5 sees in `parsed.match`, in order (each word form is one); None for a
    query this ranking does not model. FTS5 counts a phrase's instances only where the part
    of the query holding it matched (`(a b) OR c` on an article with a and c but no b: a's
    are not counted), which this module, counting every instance in the text, matches only
    when every part must match (words, quoted phrases, AND, NOT: a word after NOT is in no
    match) or when the query is only ORs of terms. Brackets and other mixes of OR, and raw
    FTS5 text, are ranked by FTS5's bm25."""
    operators = {item for item in parsed.items if isinstance(item, str)}
    if "(" in operators or ")" in operators:
        return None
    if "OR" in operators:
        alternating = all(isinstance(item, str) == (i % 2 == 1) for i, item in
                          enumerate(parsed.items))
        if operators != {"OR"} or not alternating:
            return None
    out = []
    for term in parsed.terms:
        for text in [term.text, *term.forms]:
            words = tuple(tokens(text))
            if not words:
                continue
            out.append(Phrase(words, term.prefix, term.column))
    return out


@dataclass
class Statistics:
    """What bm25 needs of the whole archive: rows, average length, counts of words."""

    rows: int
    average_length: float
    counted_rows: int  # the rows when term_docs was counted (0: never)
    #: `cached_token_counts` by the words asked: one search asks for the same words up to four
    #: times (cheap or not, the windows, the ranking, the holders), one lookup serves them all.
    token_counts: dict[tuple[str, ...], dict[bytes, float]] = field(
        default_factory=dict, repr=False, compare=False)

    def idf(self, docs: float) -> float:
        value = math.log((self.rows - docs + 0.5) / (docs + 0.5))
        return value if value > 0 else 1e-6


def _varints(blob: bytes) -> list[int]:
    """SQLite's varints, as FTS5 writes its averages record and sizes."""
    out, i = [], 0
    while i < len(blob):
        value = 0
        for n in range(9):
            byte = blob[i]
            i += 1
            if n == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        out.append(value)
    return out


def statistics(conn: sqlite3.Connection) -> Statistics | None:
    """The archive's statistics, or None when `warta maintain` has not counted the words yet
    (or the archive predates `term_docs`): FTS5's own bm25 is used then."""
    try:
        counted = conn.execute("SELECT docs FROM term_docs WHERE term = ?",
                               (TOTAL_KEY,)).fetchone()
    except sqlite3.OperationalError:
        return None  # an archive opened read-only before its upgrade
    if counted is None:
        return None
    row = conn.execute("SELECT block FROM articles_fts_data WHERE id = 1").fetchone()
    if row is None or not row[0]:
        return None
    values = _varints(row[0])
    rows = values[0]
    if rows <= 0:
        return None
    return Statistics(rows, sum(values[1:]) / rows, int(counted[0]))


def cached_token_counts(conn: sqlite3.Connection, stats: Statistics,
                  wanted: Sequence[Phrase]) -> dict[bytes, float]:
    """The articles holding each token of the phrases, as `term_docs` has them, scaled by the
    archive's growth since they were counted (tokens it does not hold are left out)."""
    words = sorted({t.decode() for p in wanted for t in p.tokens})
    known = stats.token_counts.get(tuple(words))
    if known is not None:
        return known
    cached: dict[bytes, float] = {}
    growth = stats.rows / stats.counted_rows if stats.counted_rows else 1.0
    for start in range(0, len(words), 500):
        chunk = words[start:start + 500]
        for term, docs in conn.execute(
                f"SELECT term, docs FROM term_docs WHERE term IN ({', '.join('?' * len(chunk))})",
                chunk):
            cached[term.encode()] = min(stats.rows, docs * growth)
    stats.token_counts[tuple(words)] = cached
    return cached


def cached_counts(conn: sqlite3.Connection, stats: Statistics,
                  wanted: Sequence[Phrase]) -> list[float | None]:
    """The articles holding each phrase as `term_docs` has them (a single word in any
    column); None for a phrase it does not hold (a word rare when counted or new since, a
    phrase of words, a prefix, a word limited to a column)."""
    cached = cached_token_counts(conn, stats, wanted)
    return [cached.get(p.tokens[0]) if p.needle and p.column is None else None
            for p in wanted]


def cheap_for_fts5(conn: sqlite3.Connection, stats: Statistics,
                   wanted: Sequence[Phrase]) -> bool:
    """Whether FTS5's own bm25 costs little for this query: its first pass reads the
    postings of every token of every phrase (about 0.1 us each), and a token `term_docs`
    does not hold was in fewer than TERM_DOCS_MIN articles when counted; a prefix's are
    unknown."""
    if any(p.prefix for p in wanted):
        return False
    cached = cached_token_counts(conn, stats, wanted)
    rare = TERM_DOCS_MIN * (stats.rows / stats.counted_rows if stats.counted_rows else 1.0)
    return sum(cached.get(t, rare) for p in wanted for t in p.tokens) <= FTS5_POSTINGS_MAX


def _span(conn: sqlite3.Connection, candidates: Sequence[int]) -> int:
    """The articles in the span of ids of the candidates."""
    return int(conn.execute("SELECT count(*) FROM articles_fts_docsize WHERE id BETWEEN ? "
                            "AND ?", (min(candidates), max(candidates))).fetchone()[0])


def document_counts(conn: sqlite3.Connection, stats: Statistics, wanted: Sequence[Phrase],
                    candidates: Sequence[int], every: bool,
                    searched: tuple[int, int] | None = None,
                    in_span: Sequence[set[int] | None] | None = None) -> list[float]:
    """The articles holding each phrase: from `term_docs` (`cached_counts`), else counted in
    the index. When the candidates are `every` match, a phrase that is the whole query holds
    them all, and any other is counted in the whole index (a narrow query's words are few
    anyway); else in the span of ids of the candidates (the newest matches), scaled to the
    archive: a bounded cost, an estimate of the archive's count from its newest part.
    `searched`: (lowest id, articles) of the newest ids searched when the candidates are
    every match among them (archive/search_window.py): the span is then those ids.
    `in_span`: for some phrases, the articles holding them in the candidates' span of ids,
    already read from the index (`_holders`): counted without asking it again."""
    counts = cached_counts(conn, stats, wanted)
    if None not in counts:
        return [c for c in counts if c is not None]
    if len(wanted) == 1:
        # a query of one phrase: its matches are the phrase's articles, every one of them,
        # or (the newest) every one in the candidates' span of ids
        if every:
            return [float(len(candidates))]
        span = searched[1] if searched else _span(conn, candidates)
        return [min(stats.rows, len(candidates) * stats.rows / max(span, 1))]
    span = 0 if every else searched[1] if searched else _span(conn, candidates)
    lo, hi = (searched[0], searched[0] + searched[1] - 1) if searched else (
        min(candidates), max(candidates))
    out: list[float] = []
    held = in_span if in_span is not None and not searched else [None] * len(wanted)
    for phrase, count, holding in zip(wanted, counts, held, strict=True):
        if count is not None:
            out.append(count)
        elif span and holding is not None:
            out.append(min(stats.rows, len(holding) * stats.rows / span))
        elif not span:
            out.append(conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts "
                                    "MATCH ?", (phrase.fts(),)).fetchone()[0])
        else:
            found = conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ? "
                                 "AND rowid BETWEEN ? AND ?", (phrase.fts(), lo, hi)).fetchone()[0]
            out.append(min(stats.rows, found * stats.rows / span))
    return out


def _length(size: bytes | None) -> int:
    """The tokens of a row from its `articles_fts_docsize` record (a varint per column): the
    sizes of a title and a body are below 16,384 tokens, one or two bytes each."""
    if not size:
        return 0
    total = value = 0
    for byte in size:
        if byte >= 0x80:
            value = (value << 7) | (byte & 0x7F)
            if value >= 1 << 14:
                return sum(_varints(size))  # a column of over 16,383 tokens
            continue
        total += (value << 7) | byte
        value = 0
    return total


def _holders(conn: sqlite3.Connection, stats: Statistics, wanted: Sequence[Phrase],
             ids: Sequence[int]) -> list[set[int] | None]:
    """For each phrase, the candidates that hold it, from the index, when the postings of its
    words in the candidates' span of ids are few (an uncommon word form: most candidates need
    not be read for it); None (read every candidate) for common words, and for a query of one
    phrase (every candidate holds it)."""
    if len(wanted) == 1:
        return [None]
    lo, hi = min(ids), max(ids)
    share = min(1.0, (hi - lo + 1) / stats.rows)
    cached = cached_token_counts(conn, stats, wanted)
    rare = TERM_DOCS_MIN * (stats.rows / stats.counted_rows if stats.counted_rows else 1.0)
    out: list[set[int] | None] = []
    for phrase in wanted:
        postings = sum(cached.get(t, rare) for t in phrase.tokens)
        if phrase.prefix or postings * share > HOLDERS_MAX * len(ids):
            out.append(None)
            continue
        out.append({row[0] for row in conn.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid BETWEEN ? "
            "AND ?", (phrase.fts(), lo, hi))})
    return out


def rank(conn: sqlite3.Connection, stats: Statistics, wanted: Sequence[Phrase],
         ids: Sequence[int], every: bool = True,
         searched: tuple[int, int] | None = None) -> list[tuple[int, float]]:
    """(id, bm25) of the articles `ids`, best (lowest) first, ties by id; `every`: they are
    every match of the query (else its newest, see `document_counts`, and `searched`)."""
    if not ids:
        return []
    holders = _holders(conn, stats, wanted, ids)
    counts = document_counts(conn, stats, wanted, ids, every, searched, holders)
    idfs = [stats.idf(docs) for docs in counts]
    average = stats.average_length
    scored = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        cursor = conn.execute(
            "SELECT a.id, a.title, a.body, d.sz FROM articles a "
            "JOIN articles_fts_docsize d ON d.id = a.id "
            f"WHERE a.id IN ({', '.join('?' * len(chunk))})", chunk)
        for article_id, title, body, size in cursor:
            norm = K1 * (1 - B + B * _length(size) / average)
            title_text, body_text = _Text(title), _Text(body)
            score = 0.0
            for phrase, idf, held in zip(wanted, idfs, holders, strict=True):
                if held is not None and article_id not in held:
                    continue
                freq = 0.0
                if phrase.column != "body":
                    freq += TITLE_WEIGHT * title_text.count(phrase)
                if phrase.column != "title":
                    freq += BODY_WEIGHT * body_text.count(phrase)
                if freq:
                    score += idf * freq * (K1 + 1) / (freq + norm)
            scored.append((article_id, -score))
    scored.sort(key=lambda hit: (hit[1], hit[0]))
    return scored


def count_terms(conn: sqlite3.Connection, minimum: int | None = None) -> int:
    """Fill `term_docs` from the index's vocabulary (`warta maintain`): every word in at least
    `minimum` (TERM_DOCS_MIN) articles, and the number of articles; return how many words."""
    minimum = TERM_DOCS_MIN if minimum is None else minimum
    rows = conn.execute("SELECT block FROM articles_fts_data WHERE id = 1").fetchone()
    total = _varints(rows[0])[0] if rows and rows[0] else 0
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.term_docs_vocab "
                 "USING fts5vocab(main, articles_fts, 'row')")
    try:
        conn.execute("DELETE FROM term_docs")
        conn.execute("INSERT INTO term_docs (term, docs) SELECT term, doc "
                     "FROM temp.term_docs_vocab WHERE doc >= ?", (minimum,))
        words = conn.execute("SELECT changes()").fetchone()[0]
        conn.execute("INSERT INTO term_docs (term, docs) VALUES (?, ?)", (TOTAL_KEY, total))
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.term_docs_vocab")
    return int(words)
