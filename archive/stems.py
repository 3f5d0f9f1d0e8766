"""Indonesian word forms for search: `pemerintah` and `perintah`, `banjir` and `kebanjiran`.

The stemmed index sits beside the exact full-text index (`articles_fts`): the table
`word_forms` maps every word the exact index holds (folded as its tokenizer folds it: case and
diacritics) to its stem by the Sastrawi stemmer (Nazief-Adriani with its later refinements;
`perintah` for `pemerintah`, `pemerintahan` and `memerintahkan`). A search word is taken to
its stem and then to every indexed word of that stem, and the exact index is searched for any
of them (`(banjir OR kebanjiran OR banjirnya)`). So a quoted phrase stays exact, every FTS5
operator and column filter still works, the snippet marks the forms as printed, and the index
adds a small table (one row per distinct word) rather than a second copy of every posting.

`Archive.write` adds the words of the articles it stores in the same transaction (words new
to the archive only; they are stemmed a few per write and the rest at the end of the crawl,
see STEMS_PER_WRITE); migration 8 fills the table from the exact index's own vocabulary.
Words stay in the table when their articles go: a form with no article left costs a search
nothing.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from typing import Any

#: A token as FTS5's unicode61 tokenizer splits text: letters and digits; the underscore and
#: every other punctuation or symbol separate.
_TOKEN = re.compile(r"[^\W_]+")
#: Words shorter than this, and words holding digits (`2023`, `covid19`), are their own stem:
#: Indonesian affixes need a root of at least two syllables around them.
MIN_STEM_LENGTH = 4
#: Words kept in a stemmer's cache. A news archive's everyday vocabulary (the words that make
#: up most of its text) is a few tens of thousands of words; the cache is emptied when full,
#: so a crawl of a million articles cannot grow it without bound.
CACHE_WORDS = 200_000
#: Word forms searched for one word at most (the most frequent stems, `kata` or `main`, have
#: a few dozen forms; a cap keeps a query of several such words small).
MAX_FORMS = 48

WORD_FORMS_SQL = """
CREATE TABLE IF NOT EXISTS word_forms (
    term TEXT PRIMARY KEY,    -- a word as the full-text index holds it (lower case, no accents)
    stem TEXT                 -- its Indonesian stem (Sastrawi): perintah for pemerintahan;
                              -- NULL while pending (see archive/stems.py, STEMS_PER_WRITE)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS word_forms_stem ON word_forms(stem);
"""


def fold(word: str) -> str:
    """A word as the exact index holds it: case folded, diacritics removed (`Café` -> `cafe`),
    as `unicode61 remove_diacritics 2` does."""
    word = word.casefold()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def terms(texts: Iterable[str], seen: set[str] | None = None) -> set[str]:
    """The distinct index words of some texts. Whitespace splitting and a set come first
    (in C): the regular expression and the folding run once per distinct piece, not once
    per word of text (a quarter of the time on 3 KB articles). `seen` (pieces of text whose
    words an earlier call gave and the caller stored) leaves those pieces out, and gets this
    call's: an archive's everyday words are then split and put in a set, nothing more (the
    folding and the lookups were 40% of this function's time in a bulk ingest); the caller
    empties it if what it stored is rolled back."""
    pieces: set[str] = set()
    for text in texts:
        pieces.update(text.split())
    if seen is not None:
        pieces -= seen
        if len(seen) + len(pieces) > CACHE_WORDS:
            seen.clear()
        seen |= pieces
    found: set[str] = set()
    for piece in pieces:
        piece = piece.casefold()
        if piece.isalnum():
            found.add(piece)
        else:
            found.update(_TOKEN.findall(piece))
    return {word if word.isascii() else fold(word) for word in found}


class Stemmer:
    """Sastrawi's stemmer with a bounded per-word cache. One per `Archive` (no module-level
    state): the dictionary loads on the first word that needs it (about 0.1 s)."""

    def __init__(self, cache_words: int = CACHE_WORDS) -> None:
        self._cache: dict[str, str] = {}
        self._cache_words = cache_words
        self._stemmer: Any = None

    def stem(self, word: str) -> str:
        """The stem of one folded index word."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if len(word) < MIN_STEM_LENGTH or not word.isalpha():
            stem = word
        else:
            if self._stemmer is None:
                from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
                # the bare stemmer: its own cache (CachedStemmer) is unbounded
                self._stemmer = StemmerFactory().create_stemmer().delegatedStemmer
            stem = self._stemmer.stem_word(word) or word
        if len(self._cache) >= self._cache_words:
            self._cache.clear()
        self._cache[word] = stem
        return stem


#: Index words per lookup of which ones the table already holds.
_CHUNK = 900
#: Words a write stems at most. Sastrawi takes about 1 ms for a word it has to take apart
#: (0.01 ms for a root word), so stemming every new word in the write held a bulk ingest of
#: the synthetic corpus (30,000 words, bench/ingest.py) to 0.31 of the floor: new words are
#: stored pending (stem NULL), a write stems this many of them, the end of a crawl
#: (`Archive.finish_crawl`) and `stem_pending` the rest, and a search stems on the fly the
#: pending words that may be forms of its own (see `forms`).
STEMS_PER_WRITE = 20
#: Pending words the end of a crawl stems at most: about 12 s of real Indonesian text (0.25 ms
#: a word; the synthetic pseudo-words of bench/ take 1-2 ms). The first crawl after an
#: archive's upgrade (migration 8 leaves its whole vocabulary pending) spreads the work over a
#: few crawls instead of holding one up for minutes; `Archive.stem_pending()` does it all.
STEMS_PER_CRAWL = 50_000
#: Pending words a search stems on the fly for its first word; each next word gets a quarter
#: of this less (200, 150, 100, 50, then none): 500 words at most, 0.1-1 s when an archive has
#: many pending, a bound on what a long or hostile query can cost.
PENDING_CANDIDATES = 200


def add_terms(conn: sqlite3.Connection, stemmer: Stemmer, words: set[str],
              known: set[str] | None = None, stem_now: int | None = STEMS_PER_WRITE) -> int:
    """Store the words not yet in `word_forms`, pending, and stem up to `stem_now` pending
    words (None: all); return how many words were new. `known` (words this process has seen
    stored) spares the lookup of the common ones; the caller keeps it per archive and it is
    updated here."""
    pending = [w for w in words if known is None or w not in known]
    new: list[tuple[str]] = []
    for start in range(0, len(pending), _CHUNK):
        chunk = pending[start:start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        stored = {row[0] for row in conn.execute(
            f"SELECT term FROM word_forms WHERE term IN ({marks})", chunk)}
        new.extend((w,) for w in chunk if w not in stored)
    if new:
        conn.executemany("INSERT OR IGNORE INTO word_forms (term, stem) VALUES (?, NULL)", new)
    if known is not None:
        if len(known) + len(pending) > CACHE_WORDS:
            known.clear()
        known.update(pending)
    stem_pending(conn, stemmer, stem_now)
    return len(new)


def stem_pending(conn: sqlite3.Connection, stemmer: Stemmer, limit: int | None = None) -> int:
    """Stem the pending words (at most `limit`); return how many."""
    sql = "SELECT term FROM word_forms WHERE stem IS NULL"
    rows = conn.execute(sql + (" LIMIT ?" if limit is not None else ""),
                        (limit,) if limit is not None else ()).fetchall()
    conn.executemany("UPDATE word_forms SET stem = ? WHERE term = ?",
                     [(stemmer.stem(term), term) for (term,) in rows])
    return len(rows)


def _core(stem: str) -> str:
    """What every form of a stem holds: the stem, but for its first letter when a prefix
    may have melted it (me- + pukul = memukul, pe- + perintah = pemerintah, me- + sampai =
    menyampaikan, me- + tulis = menulis, me- + kata = mengatakan)."""
    return stem[1:] if stem[:1] in ("p", "t", "k", "s") and len(stem) > 3 else stem


def forms(conn: sqlite3.Connection, stemmer: Stemmer, word: str,
          pending: int = PENDING_CANDIDATES) -> list[str]:
    """The indexed words that share `word`'s stem, `word` (folded) first, then its stem,
    then the other forms, at most MAX_FORMS. Up to `pending` pending words that hold the
    stem's core are stemmed here, not stored (a search only reads); none for a stem shorter
    than MIN_STEM_LENGTH (its core would be in too many words)."""
    folded = fold(word)
    # a word the archive holds has its stem stored: no need to load the stemmer (0.2 s)
    known = conn.execute("SELECT stem FROM word_forms WHERE term = ?", (folded,)).fetchone()
    stem = known[0] if known and known[0] is not None else stemmer.stem(folded)
    out = dict.fromkeys([folded, stem])
    for (term,) in conn.execute("SELECT term FROM word_forms WHERE stem = ? ORDER BY term "
                                "LIMIT ?", (stem, MAX_FORMS)):
        out.setdefault(term)
    if len(stem) < MIN_STEM_LENGTH:
        pending = 0
    for (term,) in conn.execute(
            "SELECT term FROM word_forms WHERE stem IS NULL AND instr(term, ?) LIMIT ?",
            (_core(stem), pending)):
        if stemmer.stem(term) == stem:
            out.setdefault(term)
    return list(out)[:MAX_FORMS]


def fill_from_index(conn: sqlite3.Connection, stemmer: Stemmer) -> int:
    """Fill `word_forms` from the exact index's own vocabulary (migration 8): every word of
    every archived article, as the tokenizer split it, pending (see STEMS_PER_WRITE)."""
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.articles_fts_words "
                 "USING fts5vocab(main, articles_fts, 'row')")
    try:
        words = {row[0] for row in conn.execute("SELECT term FROM temp.articles_fts_words")}
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.articles_fts_words")
    return add_terms(conn, stemmer, words, stem_now=STEMS_PER_WRITE)
