"""The newest matches of a query, found in windows of the newest ids (issue 19).

`ORDER BY rowid DESC LIMIT n` makes FTS5 walk the postings of every searched word newest
first, with their positions, until n articles match. When the words are common but seldom
meet (a phrase of two everyday words, `"pemerintah kabupaten"`; four words that are rarely all
in one article), those n matches are spread over most of the archive, and the walk reads
most of every word's postings: 18 ms at 300,000 articles for `"pemerintah kabupaten"` (705
matches, the newest 500 spread over 218,000 ids), 160 ms at 1,000,000 for `"dana desa"`,
growing with the archive.

Here the walk is bounded instead. The postings a window of ids holds are predicted from the
word counts `warta maintain` keeps (`term_docs`, archive/search_rank.py): the first window is
the newest ids whose postings are about WINDOW_POSTINGS (a few ms of FTS5's walk); a rowid
range makes FTS5 seek to it through its doclist index. When the window holds `target`
matches, they are the newest `target`, as before. When it holds fewer but at least a page,
the search stops there: the page is ranked among the matches of the newest part of the
archive, and the output says so. When it holds less than a page, the next window, twice as
wide, is searched below it, until a page is found or the whole range has been walked (then
every match is known: a narrow query, ranked exactly).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from archive.search_rank import TERM_DOCS_MIN, Phrase, Statistics, cached_token_counts

#: The postings (of every searched word and form, summed) the first window is predicted to
#: hold: FTS5 walks them at 40-55 ns each on bench/search.py's archives (positions included),
#: so about 5 ms.
WINDOW_POSTINGS = 100_000
#: The narrowest window: below it, a seek costs more than the postings it saves.
MIN_WINDOW = 1_000
#: The postings an article is assumed to hold for a prefix (`banj*`), whose words are not
#: counted: as one common word.
PREFIX_POSTINGS = 0.5


@dataclass
class Found:
    """The newest matches, newest first, and what is known of the others."""

    ids: list[int]
    more: bool            # more matches than `ids` exist (the target was reached)
    searched_from: int | None = None  # the lowest id searched when the walk stopped early
                                      # (older articles were not searched)
    searched: int = 0     # the ids in the range searched, when it stopped early
    density: float = 0.0  # the postings of the query's words per article (predicted)

    @property
    def every(self) -> bool:
        """Whether `ids` are every match of the query."""
        return not self.more and self.searched_from is None


def postings_per_article(conn: sqlite3.Connection, stats: Statistics,
                         wanted: Sequence[Phrase]) -> float:
    """The postings FTS5 walks per article of the archive for this query: the articles
    holding each word of each phrase (`term_docs`, a word it lacks as rare), over the rows."""
    cached = cached_token_counts(conn, stats, wanted)
    rare = TERM_DOCS_MIN * (stats.rows / stats.counted_rows if stats.counted_rows else 1.0)
    total = 0.0
    for phrase in wanted:
        for index, token in enumerate(phrase.tokens):
            if phrase.prefix and index == len(phrase.tokens) - 1:
                total += PREFIX_POSTINGS * stats.rows
            else:
                total += cached.get(token, rare)
    return total / max(stats.rows, 1)


def newest(conn: sqlite3.Connection, stats: Statistics, wanted: Sequence[Phrase],
           select: str, params: Sequence[Any], *, lo: int, hi: int, target: int,
           page: int) -> Found:
    """The newest `target` matches with ids in lo..hi, or, when they are spread over more
    of the archive than WINDOW_POSTINGS predicts, the matches of the newest window that
    holds at least `page` of them. `select` is the search's SQL up to its WHERE clauses,
    ending in `AND`, with `params`; the rowid range and order are added here."""
    sql = (f"{select} articles_fts.rowid BETWEEN ? AND ? "
           "ORDER BY articles_fts.rowid DESC LIMIT ?")
    if hi < lo:
        return Found([], False)
    density = postings_per_article(conn, stats, wanted)
    found = _walk(conn, wanted, sql, params, lo=lo, hi=hi, target=target, page=page,
                  density=density)
    found.density = density
    return found


def _walk(conn: sqlite3.Connection, wanted: Sequence[Phrase], sql: str,
          params: Sequence[Any], *, lo: int, hi: int, target: int, page: int,
          density: float) -> Found:
    """`newest`'s walk, windows of about WINDOW_POSTINGS / `density` ids, doubling."""
    if any(len(phrase.tokens) >= 3 for phrase in wanted) or density <= 0:
        # FTS5 (3.40) checks the end of a rowid range only between matches of a phrase: a
        # window walks on to the phrase's next match below it. For a phrase of two words
        # that is near (`"rumah sakit"`, 292 matches in 300,000 articles: a window of 300 ids
        # holding none took 0.3 ms), for a rarer one of three it is often the end of the
        # index (`"ibu kota negara"`, no match: 12 ms for 300 ids, as for all of them). Its
        # pairs of words (`"ibu kota" AND "kota negara"`, checked in the text) walked on in
        # the same way, 24 ms. One walk over the whole range then, as without windows.
        width = hi - lo + 1
    else:
        width = max(MIN_WINDOW, int(WINDOW_POSTINGS / density))
    found: list[int] = []
    upper = hi
    while True:
        lower = max(lo, upper - width + 1)
        found.extend(row[0] for row in conn.execute(
            sql, (*params, lower, upper, target + 1 - len(found))))
        if len(found) > target:
            return Found(found[:target], True)
        if lower <= lo:
            return Found(found, False)
        if len(found) >= page:
            return Found(found, False, lower, hi - lower + 1)
        upper = lower - 1
        width *= 2
