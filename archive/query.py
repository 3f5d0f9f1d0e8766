"""Reading the archive: filters, full-text search, streaming, one article whole.

Search text is escaped by default: every word is matched as written (FTS5 operators such as
`AND`, `NOT`, `*`, `:` and parentheses lose their meaning), a passage in double quotes is
matched as a phrase, and text with no letters or digits matches nothing instead of failing.
`raw=True` passes FTS5 syntax through, and a syntax error says how to fix it.

Date filters: see `archive.instants` (a day compares with the local publication date, an instant
with the UTC instant). Undated articles are left out whenever a date filter is given.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from archive import search_rank, search_window
from archive.errors import UsageError
from archive.instants import DateBound, parse_date_bound, to_utc
from archive.records import BODY_STATUSES, PUBLISHED_PRECISIONS
from archive.search_text import FTS_COLUMNS, OPERATORS, Parsed, parse
from archive.stems import PENDING_CANDIDATES, Stemmer, forms
from archive.urls import canonical_url

#: Markers around matched words in snippets: rare in Indonesian news text, readable in a
#: terminal, a CSV cell and JSON alike.
HIGHLIGHT = ("«", "»")
#: Words of body text in a snippet: about two lines of a terminal.
SNIPPET_WORDS = 24
SNIPPET_ELLIPSIS = "…"
SORTS = ("rank", "newest", "oldest")
#: Other word forms searched in all, over every word of a query: the most frequent stems
#: have a few dozen forms; a query of several such words stays a few hundred terms.
MAX_FORMS_TOTAL = 256

#: The largest id SQLite can give a row (2**63 - 1).
MAX_ROWID = 2**63 - 1

#: The longest search text taken (UTF-8 bytes), and the most words in it (distinct ones,
#: case aside; for --raw text every word counts, operators aside). FTS5's time grows with
#: the square of a query's words: 500 copies of one word took 5 s on 40,000 articles, 2,000
#: copies 99 s. Repeated words are searched once (every word must match anyway), and 64
#: words still run in a fraction of a second while being far more than any search needs.
MAX_QUERY_BYTES = 4096
MAX_QUERY_TERMS = 64
_TERM = re.compile(r"\w+")
_RAW_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})


def escape_query(text: str) -> str | None:
    """Turn user text into a safe FTS5 query, or None when it has nothing to search for.

    Words are ANDed, each matched exactly as written; "double-quoted passages" stay phrases;
    `OR`, `AND`, `NOT`, `prefix*`, `title:` and brackets work, and whatever would be an FTS5
    syntax error is taken literally (see `archive.search_text`).
    """
    return parse(text).match


def check_query_size(text: str, *, raw: bool) -> None:
    """Refuse a search text over MAX_QUERY_BYTES or with more than MAX_QUERY_TERMS words
    (distinct ones; every one for --raw) with a UsageError that says how to shorten it."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_QUERY_BYTES:
        raise UsageError(f"the search text is {size:,} bytes long; warta searches at most "
                         f"{MAX_QUERY_BYTES:,} bytes: keep a few distinctive words")
    words = _TERM.findall(text)
    if raw:
        terms = [w for w in words if w not in _RAW_OPERATORS]
    else:
        terms = list(dict.fromkeys(w.casefold() for w in words))
    if len(terms) > MAX_QUERY_TERMS:
        kind = "words" if raw else "different words"
        raise UsageError(f"the search text has {len(terms):,} {kind}; warta searches at most "
                         f"{MAX_QUERY_TERMS} at once: keep a few distinctive words (every one "
                         "must match, so more words rarely find better articles)")


def _like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _values(given: str | Sequence[str]) -> tuple[str, ...]:
    """The values of a repeatable, comma-separable option, each once, in order."""
    names = [given] if isinstance(given, str) else list(given)
    return tuple(dict.fromkeys(v.strip() for n in names for v in n.split(",") if v.strip()))


def _known_values(conn: sqlite3.Connection, given: str | Sequence[str], table: str,
                  column: str, option: str, what: str) -> tuple[str, ...]:
    """The values of a repeatable, comma-separable option, each checked against `column` of
    `table`: an unknown one is a UsageError that lists the known ones. A value is looked up
    with `LIMIT 1`, so a common one is found at once; the whole column is read only to list
    the known values in the error."""
    values = _values(given)
    for value in values:
        if conn.execute(f"SELECT 1 FROM {table} WHERE {column} = ? LIMIT 1",
                        (value,)).fetchone() is None:
            known = [r[0] for r in conn.execute(
                f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL ORDER BY 1")]
            listing = ", ".join(known) if known else "none yet"
            raise UsageError(f"{option}: unknown {what} {value!r}; the archive has: {listing}")
    return values


@dataclass
class Filters:
    """Checked search/export filters and the SQL they become."""

    match: str | None = None       # the FTS5 query to run (escaped unless raw)
    query: str | None = None       # the text as the user gave it
    raw: bool = False
    exact: bool = False            # no other word forms
    parsed: Parsed | None = None   # the text as parsed (None for raw text)
    empty: bool = False            # a query with nothing searchable: no results
    sources: tuple[str, ...] = ()
    since: DateBound | None = None
    until: DateBound | None = None
    region: str | None = None
    author: str | None = None
    section: str | None = None
    language: str | None = None
    body_stage: tuple[str, ...] = ()
    date_stage: tuple[str, ...] = ()
    precision: tuple[str, ...] = ()
    body_status: tuple[str, ...] = ()
    """The `body_status` values kept (empty: all). Exports keep `ok` unless asked for more."""
    syndication: str | None = None
    """`original` (no copy of an earlier article: archive/clusters.py) or `syndicated` (one)."""
    about: str | None = None
    """Articles about a regency, city or province containing this (archive/regions.py)."""
    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    @classmethod
    def build(cls, conn: sqlite3.Connection, *, query: str | None = None, raw: bool = False,
              exact: bool = False, stemmer: Stemmer | None = None,
              source: str | Sequence[str] | None = None, since: Any = None, until: Any = None,
              region: str | None = None, author: str | None = None, section: str | None = None,
              language: str | None = None, body_stage: str | Sequence[str] | None = None,
              date_stage: str | Sequence[str] | None = None,
              precision: str | Sequence[str] | None = None,
              body_status: str | Sequence[str] | None = None,
              syndication: str | None = None, about: str | None = None) -> Filters:
        """Check every filter (unknown source, stage, precision or body status, bad date,
        inverted range -> UsageError)."""
        if query is not None:
            query = query.replace("\x00", "")  # SQLite would end the text there
        f = cls(query=query if query and query.strip() else None, raw=raw, exact=exact)
        if f.query is not None:
            check_query_size(f.query, raw=raw)
            if raw:
                f.match = f.query
            else:
                f.parsed = parse(f.query, forms=None if exact else _word_forms(conn, stemmer))
                f.match = f.parsed.match
                f.empty = f.match is None
        if source:
            f.sources = _known_values(conn, source, "sources", "key", "--source", "source")
        if body_stage:
            f.body_stage = _known_values(conn, body_stage, "articles", "body_stage",
                                         "--body-stage", "stage")
        if date_stage:
            f.date_stage = _known_values(conn, date_stage, "articles", "date_stage",
                                         "--date-stage", "stage")
        if precision:
            f.precision = _values(precision)
            unknown = [v for v in f.precision if v not in PUBLISHED_PRECISIONS]
            if unknown:
                raise UsageError(f"--date-precision: unknown precision {unknown[0]!r}; use "
                                 f"{', '.join(PUBLISHED_PRECISIONS)}")
        if body_status:
            f.body_status = _values(body_status)
            unknown = [v for v in f.body_status if v not in BODY_STATUSES]
            if unknown:
                raise UsageError(f"body status: unknown value {unknown[0]!r}; use "
                                 f"{', '.join(BODY_STATUSES)}")
        f.since = parse_date_bound(since, "--since") if since is not None else None
        f.until = parse_date_bound(until, "--until") if until is not None else None
        if f.since and f.until and f.since.start() > f.until.end():
            raise UsageError(f"--since {f.since} is after --until {f.until}; "
                             "swap them or widen the range")
        f.region, f.author, f.section, f.language = region, author, section, language
        if syndication not in (None, "original", "syndicated"):
            raise UsageError(f"syndication: {syndication!r} is not original or syndicated")
        f.syndication, f.about = syndication, about
        f._compile()
        return f

    def _compile(self) -> None:
        c, p = self.clauses, self.params
        if self.sources:
            c.append(f"a.source IN ({', '.join('?' * len(self.sources))})")
            p.extend(self.sources)
        for bound, op in ((self.since, ">="), (self.until, "<=")):
            if bound is None:
                continue
            if bound.day is not None:
                c.append(f"a.published_date {op} ?")
                p.append(bound.day.isoformat())
            else:
                assert bound.instant is not None
                c.append(f"a.published_utc {op} ?")
                p.append(to_utc(bound.instant))
        if self.region:
            c.append("a.source IN (SELECT key FROM sources WHERE region LIKE ? ESCAPE '\\')")
            p.append(_like(self.region))
        if self.author:
            c.append("EXISTS (SELECT 1 FROM json_each(a.authors) AS au "
                     "WHERE au.value LIKE ? ESCAPE '\\')")
            p.append(_like(self.author))
        if self.section:
            c.append("a.section = ? COLLATE NOCASE")
            p.append(self.section)
        if self.language:
            c.append("a.language = ? COLLATE NOCASE")
            p.append(self.language)
        for column, stages in (("body_stage", self.body_stage), ("date_stage", self.date_stage)):
            if stages:
                c.append(f"a.{column} IN ({', '.join('?' * len(stages))})")
                p.extend(stages)
        if self.precision:
            c.append(f"a.published_precision IN ({', '.join('?' * len(self.precision))})")
            p.extend(self.precision)
        if self.syndication:  # a copy: in a cluster and not its original (archive/clusters.py)
            copies = "SELECT article_id FROM article_clusters WHERE is_original = 0"
            c.append(f"a.id {'NOT IN' if self.syndication == 'original' else 'IN'} ({copies})")
        if self.about:  # the region the article is about (archive/regions.py)
            c.append("a.id IN (SELECT article_id FROM article_regions WHERE region LIKE ? "
                     "ESCAPE '\\' OR province LIKE ? ESCAPE '\\')")
            p.extend([_like(self.about)] * 2)
        kept = set(self.body_status)
        if kept and kept != set(BODY_STATUSES):
            # through the partial index of the few incomplete rows (`articles_incomplete`):
            # the column sits after the body, so testing it on every row would read each
            # long row's overflow pages (an export of URLs reads no body otherwise)
            incomplete = "SELECT id FROM articles WHERE body_status <> 'ok'"
            if "ok" in kept:
                left_out = [v for v in BODY_STATUSES if v not in kept]
                c.append(f"a.id NOT IN ({incomplete} AND body_status IN "
                         f"({', '.join('?' * len(left_out))}))")
                p.extend(left_out)
            else:
                c.append(f"a.id IN ({incomplete} AND body_status IN "
                         f"({', '.join('?' * len(kept))}))")
                p.extend(v for v in BODY_STATUSES if v in kept)

    def join(self) -> str:
        """How FTS matches meet their articles when only ids, filters and order are needed.

        The FTS side always drives (CROSS JOIN fixes the order): left to itself, SQLite may
        walk the filtered articles and probe the FTS index once per article, which took
        seconds on 100k articles. When every filter is on a column of the `articles_filter`
        index, each match is checked in that small index instead of reading its row:
        filtered searches for a common word went from ~100 ms to ~20 ms (bench/search.py).
        """
        index = " INDEXED BY articles_filter" if self._covered else ""
        return f"CROSS JOIN articles a{index} ON a.id = articles_fts.rowid"

    @property
    def _covered(self) -> bool:
        return not (self.author or self.section or self.language or self.body_stage
                    or self.date_stage or self.precision)

    def where(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "1"

    def searched(self) -> str:
        """What was searched, for a search that found nothing: the query as parsed, with the
        word forms added, and the filters."""
        text = self.parsed.describe() if self.parsed else (self.query or "")
        given = {k: v for k, v in self.describe().items()
                 if v not in (None, False) and k not in ("query", "raw")}
        shown = "; ".join(f"--{k.replace('_', '-')}" + (
            "" if v is True else f" {','.join(v) if isinstance(v, list) else v}")
            for k, v in given.items())
        return text + (f" (filters: {shown})" if shown else "")

    def hints(self) -> list[str]:
        """What to try when nothing matched."""
        out = []
        terms = self.parsed.terms if self.parsed else []
        operators = bool(self.parsed and any(isinstance(i, str) for i in self.parsed.items))
        if any(t.text in OPERATORS and not t.phrase for t in terms):
            out.append("a word on each side of OR, AND and NOT (alone, one is searched as a "
                       "word)")
            terms = [t for t in terms if t.text not in OPERATORS]
        if len(terms) > 1 and not operators:
            words = [t.shown() for t in terms[:2]]
            out.append(f"fewer words, or OR between them ({words[0]} OR {words[1]})")
        plain = [t for t in terms if not t.phrase and not t.prefix and len(t.text) > 4]
        if plain:
            out.append(f"a prefix ({plain[0].text[:max(3, len(plain[0].text) - 3)]}*)")
        if self.exact:
            out.append("without --exact (word forms: banjir finds kebanjiran)")
        if any(t.phrase for t in terms):
            out.append("the words without their quotes")
        if self.clauses:
            out.append("fewer filters")
        return out

    def describe(self) -> dict[str, Any]:
        """The filters as given, for manifests and dataset cards."""
        return {
            "query": self.query, "raw": self.raw, **({"exact": True} if self.exact else {}),
            "source": list(self.sources) or None,
            "since": str(self.since) if self.since else None,
            "until": str(self.until) if self.until else None,
            "region": self.region, "author": self.author, "section": self.section,
            "language": self.language, "body_stage": list(self.body_stage) or None,
            "date_stage": list(self.date_stage) or None,
            "date_precision": list(self.precision) or None,
            **({"syndication": self.syndication} if self.syndication else {}),
            **({"about": self.about} if self.about else {}),
        }


def _word_forms(conn: sqlite3.Connection, stemmer: Stemmer | None
                ) -> Callable[[str], list[str]]:
    """The `forms` callback of `parse`: a word's other forms from `word_forms`, at most
    MAX_FORMS_TOTAL over the query. An archive without the table (opened read-only before
    its upgrade) searches words as written."""
    stemmer = stemmer or Stemmer()
    budget = [MAX_FORMS_TOTAL]
    pending = [PENDING_CANDIDATES]
    has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'word_forms'"
                             ).fetchone() is not None

    def lookup(word: str) -> list[str]:
        if not has_table or budget[0] <= 0:
            return []
        found = forms(conn, stemmer, word, pending[0])[:budget[0] + 1]
        budget[0] -= len(found) - 1
        pending[0] = max(0, pending[0] - PENDING_CANDIDATES // 4)
        return found

    return lookup


def order_by(sort: str, ranked: bool) -> str:
    if sort not in SORTS:
        raise UsageError(f"--sort: {sort!r} is not one of {', '.join(SORTS)}")
    if sort == "oldest":
        return "a.published_utc IS NULL, a.published_utc ASC, a.id ASC"
    if sort == "newest" or not ranked:
        return "a.published_utc DESC, a.id DESC"  # undated last: NULL sorts lowest
    return "rank ASC, a.id ASC"


#: SQLite messages that mean "this MATCH expression is wrong", as opposed to a database error.
_FTS_QUERY_ERRORS = ("fts5:", "no such column", "unterminated string", "unknown special query",
                     "syntax error")


def fts_error(exc: sqlite3.OperationalError, f: Filters) -> Exception:
    """A usage error for a bad query; any other database error is returned unchanged."""
    if not any(text in str(exc) for text in _FTS_QUERY_ERRORS):
        return exc
    reason = str(exc).removeprefix("fts5: ")
    if f.raw:
        return UsageError(
            f"--raw: the FTS5 query {f.query!r} is not valid ({reason}); balance quotes and "
            "parentheses, write operators in capitals (AND, OR, NOT, NEAR), quote words that "
            f"hold punctuation, name only the columns {', '.join(FTS_COLUMNS)}; or drop --raw "
            "to search the words as written")
    return UsageError(f"the search text {f.query!r} could not be run ({reason})")


def _snippet_from_body(body: str) -> str:
    words = body.split()
    text = " ".join(words[:SNIPPET_WORDS])
    return text + (f" {SNIPPET_ELLIPSIS}" if len(words) > SNIPPET_WORDS else "")


def _rows(cursor: sqlite3.Cursor) -> Iterator[dict[str, Any]]:
    names = [c[0] for c in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


_RESULT_COLUMNS = ("a.id, a.uid, a.url, a.source, a.title, a.published_at, a.authors, "
                   "a.section, a.language, a.word_count")


#: How `search` ranks: `auto` ranks a broad query's newest RANK_CANDIDATES matches by bm25 and
#: a narrow one's every match; `all` ranks every match, however many.
RANKINGS = ("auto", "all")
#: The matches a broad query ranks by bm25: the newest this many archived (rowids follow the
#: order articles were archived, which for a crawl is publication order but for backfills).
#: bm25 over every match grows with the matches: on 100,000 articles of everyday Indonesian
#: (bench/search.py) a query in 60% of them took 150+ ms to rank; 2,000 candidates take a few
#: ms, and the first page of a broad query then holds its best recent articles, which is what a
#: reader of news expects of it. `--rank all` ranks them all.
RANK_CANDIDATES = 2000
#: The matches a broad query ranks with the cached word counts (archive/search_rank.py), once
#: `warta maintain` has counted them: the newest this many. Scoring reads each candidate's text
#: (~30 us a candidate, where FTS5 scores one in C in ~5 us but first walks every posting of
#: every searched word), so fewer than RANK_CANDIDATES: on bench/search.py's archive of
#: 300,000 articles, 2,000 took 90-200 ms; 500 are two or three days of a national archive's
#: articles on an everyday topic, the newest best ones.
STATS_CANDIDATES = 500
#: The phrases (each word form is one) times candidates a broad query's ranking reads the text
#: for, at most: a query of many words and forms ranks its newest RANK_SCANS / phrases matches
#: (not fewer than STATS_CANDIDATES_MIN), so the first page costs about the same whatever the
#: query. Each is a count in ~3 KB of text (2-4 us); `upah minimum buruh` (8 phrases) took
#: 31 ms to rank 500 candidates at 300,000 articles, `banjir` (4) 11 ms.
RANK_SCANS = 2_500
STATS_CANDIDATES_MIN = 200
#: The widest span of ids a page's snippets are read as a range of the index (see `search`),
#: unless the word counts of `warta maintain` predict the range's postings to be fewer than
#: SNIPPET_LOOKUP_POSTINGS per id and word of the page: FTS5 walks a posting in 40-95 ns and
#: looks an id up for a word in 35-90 us. At 1,000,000 articles, the page of `tambang batu
#: bara sungai` (20 words and forms, spread over 78,000 ids) took 13.1 ms as ids and 5.4 ms
#: as a range; `"dana desa"` (2 words, 131,000 ids) 3.1 ms as ids, 6.4 ms as a range.
SNIPPET_RANGE_MAX = 10_000
SNIPPET_LOOKUP_POSTINGS = 700


class SearchResults(list[dict[str, Any]]):
    """The results of `search` (a list), with `ranking`: how they were ranked, in words
    (`bm25 over all 1,234 matches`, `bm25 over the newest 2,000 of more matches`, `newest
    first`, ...), and `bounded`: True when a broad query was ranked over its newest
    RANK_CANDIDATES matches only."""

    ranking: str = ""
    bounded: bool = False
    #: The postings of the query's words per article and its words (forms included), when
    #: the word counts of `warta maintain` ranked it: what a range of the index costs.
    postings_per_article: float | None = None
    words: int = 0


def search(conn: sqlite3.Connection, f: Filters, *, sort: str = "rank", limit: int = 20,
           offset: int = 0, highlight: tuple[str, str] = HIGHLIGHT,
           rank: str = "auto") -> SearchResults:
    """Matching articles, best (or newest/oldest) first.

    Each result: id, uid, url, source, title, published_at, authors (list), section,
    language, word_count, snippet (matched words between `highlight` markers; the start of
    the body when there is no query) and rank (FTS5 bm25, lower is better; None without a
    query).

    Ranking runs first over ids only; snippets are made for the page of results alone, so
    a common word costs one bm25 pass, not a snippet per match. With `rank="auto"`, a query
    with more than RANK_CANDIDATES matches (after the filters, which narrow first) is ranked
    over its newest RANK_CANDIDATES: finding them walks the index newest first and stops
    there, so the cost of the first page no longer grows with the matches.
    """
    if limit < 1:
        raise UsageError(f"--limit: must be at least 1, not {limit}")
    if offset < 0:
        raise UsageError(f"--offset: must be 0 or more, not {offset}")
    if rank not in RANKINGS:
        raise UsageError(f"--rank: {rank!r} is not one of {', '.join(RANKINGS)}")
    order = order_by(sort, ranked=f.match is not None)
    results = SearchResults()
    if f.empty:
        return results
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")  # one snapshot for both queries
    try:
        if f.match is None:
            results.ranking = "newest first" if sort != "oldest" else "oldest first"
            cursor = conn.execute(
                f"SELECT {_RESULT_COLUMNS}, a.body, NULL AS rank FROM articles a "
                f"WHERE {f.where()} ORDER BY {order} LIMIT ? OFFSET ?",
                (*f.params, limit, offset))
            results.extend(_rows(cursor))
            for item in results:
                item["snippet"] = _snippet_from_body(item.pop("body"))
        else:
            try:
                hits = _hits(conn, f, order, sort=sort, limit=limit, offset=offset, rank=rank,
                             results=results)
                if not hits:
                    return results
                # The page's ids go to FTS5 as a rowid range when they are close together
                # (`+` keeps the IN list out of the index), else as the ids: given `rowid IN
                # (...)`, FTS5 looks each id up in every segment of the index for every word,
                # 0.5 ms an id for a query with its word forms in an index of 19 segments,
                # where walking the range of a page of the newest matches took 2 ms; but the
                # range of a page ranked over every match (a phrase of common words) is the
                # whole archive, 6-12 ms at 100,000 articles and growing with it, where the ids
                # took 1.5 ms in a maintained (merged) index. Snippets are made for the ids
                # kept only.
                # bm25 only when the hits have no score (a page by date): FTS5's bm25 first
                # counts the articles of every searched word over the whole index (its idf),
                # a pass that grows with the archive, 8 ms of a 18 ms search for a common
                # word with its forms on 100,000 articles, and the hits already paid it.
                page = [h[0] for h in hits]
                marks = ", ".join("?" * len(page))
                scored = any(h[1] is None for h in hits)
                where_params: tuple[Any, ...]
                span = max(page) - min(page)
                if span <= SNIPPET_RANGE_MAX or (
                        results.postings_per_article is not None
                        and span * results.postings_per_article
                        <= len(page) * results.words * SNIPPET_LOOKUP_POSTINGS):
                    where = ("articles_fts.rowid BETWEEN ? AND ? "
                             f"AND +articles_fts.rowid IN ({marks})")
                    where_params = (min(page), max(page), *page)
                else:
                    where, where_params = f"articles_fts.rowid IN ({marks})", tuple(page)
                cursor = conn.execute(
                    f"SELECT {_RESULT_COLUMNS}, snippet(articles_fts, 1, ?, ?, ?, ?) AS snippet, "
                    f"{'articles_fts.rank' if scored else 'NULL'} AS page_rank "
                    "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
                    f"WHERE articles_fts MATCH ? AND {where}",
                    (*highlight, SNIPPET_ELLIPSIS, SNIPPET_WORDS, f.match, *where_params))
                by_id = {item["id"]: item for item in _rows(cursor)}
            except sqlite3.OperationalError as exc:
                raise fts_error(exc, f) from None
            for article_id, score in hits:
                item = by_id[article_id]
                page_rank = item.pop("page_rank")
                item["rank"] = page_rank if score is None else score
                results.append(item)
    finally:
        if own:
            conn.execute("COMMIT")
    for item in results:
        item["authors"] = json.loads(item["authors"])
    return results


#: The most ids of a period `fts_range` reads (about 2.5 ms): a longer period is filtered as
#: the other filters are. On bench/search.py's Zipf archive of 100,000 articles, a month
#: (1,400 articles) took a search from 53 to 19 ms of CPU, a quarter from 37 to 17; reading
#: the 50,000 ids of a three-year period cost 6-9 ms and, in an archive whose ids do not
#: follow publication order (the classic bench archive), saved nothing.
RANGE_SCAN_MAX = 20_000
#: A local day is within this much of UTC (UTC-12 to UTC+14): a day filter becomes a UTC
#: range widened by it, a superset the day filter itself then narrows.
_ZONE_SLACK = dt.timedelta(hours=14)


def fts_range(conn: sqlite3.Connection, f: Filters) -> tuple[str, tuple[Any, ...]] | None:
    """A rowid range for the full-text side of a date-filtered search, as SQL and its
    parameters: the ids of the articles published in the date range, from the `articles_utc`
    index. FTS5 then reads only the postings in that range, so a date filter narrows the
    matches before they are ranked instead of after (when rowids follow publication order the
    range is tight; when not, it is wider, never wrong: the filter itself still applies).
    The range comes from `article_months` (migration 11: the first and last id of each
    month), so a year costs what a day does; an archive opened read-only before its upgrade
    reads the period's ids from the date index instead. None when there is no date filter
    (or, without `article_months`, the period holds more than RANGE_SCAN_MAX articles);
    ("0", ()) when it holds none."""
    if f.since is None and f.until is None:
        return None
    lo = to_utc(f.since.start() - (_ZONE_SLACK if f.since.day else dt.timedelta(0))) \
        if f.since else None
    hi = to_utc(f.until.end() + (_ZONE_SLACK if f.until.day else dt.timedelta(0))) \
        if f.until else None
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'article_months'").fetchone():
        # the ids of the period's months (migration 11): a few rows, whatever its length
        first, last = conn.execute(
            "SELECT min(first_id), max(last_id) FROM article_months "
            "WHERE month BETWEEN ? AND ?",
            ((lo or "0000-00")[:7], (hi or "9999-99")[:7])).fetchone()
        if first is None:
            return "0", ()
        return "articles_fts.rowid BETWEEN ? AND ?", (first, last)
    clauses = ["published_utc IS NOT NULL"]
    params: list[Any] = []
    if lo:
        clauses.append("published_utc >= ?")
        params.append(lo)
    if hi:
        clauses.append("published_utc <= ?")
        params.append(hi)
    found, first, last = conn.execute(
        f"SELECT count(*), min(id), max(id) FROM (SELECT id FROM articles INDEXED BY "
        f"articles_utc WHERE {' AND '.join(clauses)} LIMIT ?)",
        (*params, RANGE_SCAN_MAX + 1)).fetchone()
    if found > RANGE_SCAN_MAX:
        return None  # a long period: reading its ids would cost more than it saves
    if first is None:
        return "0", ()
    return "articles_fts.rowid BETWEEN ? AND ?", (first, last)


def _hits(conn: sqlite3.Connection, f: Filters, order: str, *, sort: str, limit: int,
          offset: int, rank: str, results: SearchResults) -> list[tuple[int, float]]:
    """(id, bm25) of the page of matches, and `results.ranking` saying how they were found."""
    base = f"FROM articles_fts {f.join()} WHERE articles_fts MATCH ? AND {f.where()}"
    params: tuple[Any, ...] = (f.match, *f.params)
    narrowed = fts_range(conn, f)
    if narrowed is not None:
        base += f" AND {narrowed[0]}"
        params += narrowed[1]
    parsed = f.parsed if sort == "rank" and rank == "auto" else None
    stats = search_rank.statistics(conn) if parsed is not None else None
    wanted = search_rank.phrases(parsed) if parsed is not None and stats is not None else None
    if stats is not None and wanted and offset + limit <= STATS_CANDIDATES and \
            narrowed != ("0", ()) and not search_rank.cheap_for_fts5(conn, stats, wanted):
        # The newest STATS_CANDIDATES matches (walks of the index, newest first, no score, in
        # windows of ids that bound the postings read: archive/search_window.py), ranked by
        # bm25 with the word counts `warta maintain` keeps (archive/search_rank.py): FTS5's
        # own bm25 would first walk every posting of every searched word, a cost that grows
        # with the archive. A query whose words are in few articles is ranked by FTS5 below
        # (its pass is short, its scoring in C).
        target = max(offset + limit, min(STATS_CANDIDATES, max(
            STATS_CANDIDATES_MIN, RANK_SCANS // len(wanted))))
        lo, hi = narrowed[1] if narrowed is not None else (
            1, conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0])
        found = search_window.newest(
            conn, stats, wanted,
            f"SELECT a.id FROM articles_fts {f.join()} WHERE articles_fts MATCH ? AND "
            f"{f.where()} AND", (f.match, *f.params), lo=lo, hi=hi,
            target=target, page=offset + limit)
        results.bounded = not found.every
        results.postings_per_article = found.density
        results.words = sum(len(phrase.tokens) for phrase in wanted)
        how = "bm25 with the word counts of warta maintain"
        if found.more:
            results.ranking = (f"{how} over the newest {target:,} matches (more "
                               "match; --rank all ranks them all)")
        elif found.searched_from is not None:
            results.ranking = (f"{how} over the {len(found.ids):,} matches among the newest "
                               f"{found.searched:,} articles (older ones were not searched; "
                               "--rank all ranks every match)")
        else:
            results.ranking = f"{how} over every match"
        searched = (None if found.searched_from is None
                    else (found.searched_from, found.searched))
        best = search_rank.rank(conn, stats, wanted, found.ids, every=found.every,
                                searched=searched)
        return best[offset:offset + limit]
    if sort == "rank" and rank == "auto" and offset + limit <= RANK_CANDIDATES:
        # One walk of the index, newest first, that stops after RANK_CANDIDATES + 1 matches
        # and scores only those: fewer means they are every match (a narrow query, ranked
        # exactly); more, a broad one, ranked over its newest RANK_CANDIDATES.
        scored = conn.execute(
            f"SELECT a.id, articles_fts.rank AS rank {base} "
            "ORDER BY articles_fts.rowid DESC LIMIT ?", (*params, RANK_CANDIDATES + 1)
        ).fetchall()
        results.bounded = len(scored) > RANK_CANDIDATES
        results.ranking = (f"bm25 over the newest {RANK_CANDIDATES:,} matches (more match; "
                           "--rank all ranks them all)" if results.bounded
                           else "bm25 over every match")
        best = sorted(scored[:RANK_CANDIDATES], key=lambda hit: (hit[1], hit[0]))
        return best[offset:offset + limit]
    if sort in ("newest", "oldest") and offset + limit <= RANK_CANDIDATES and conn.execute(
            f"SELECT 1 {base} LIMIT 1 OFFSET ?", (*params, RANK_CANDIDATES)).fetchone():
        # A broad query by date: the date index read from its newest (oldest) end, each
        # article looked up in the set of matches, stops after the page, where sorting every
        # match by date took 40-100 ms on 100,000 articles. Undated articles come last, so
        # a page that reaches them takes the general way below.
        direction = "DESC" if sort == "newest" else "ASC"
        fts = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
        fts_params: tuple[Any, ...] = (f.match,)
        if narrowed is not None:
            fts += f" AND {narrowed[0].replace('articles_fts.rowid', 'rowid')}"
            fts_params += narrowed[1]
        dated = conn.execute(
            f"SELECT a.id, NULL AS rank FROM articles a INDEXED BY articles_utc "
            f"WHERE a.published_utc IS NOT NULL AND a.id IN ({fts}) AND {f.where()} "
            f"ORDER BY a.published_utc {direction}, a.id {direction} LIMIT ?",
            (*fts_params, *f.params, offset + limit)).fetchall()
        if len(dated) == offset + limit:
            results.ranking = f"{sort} first"
            return dated[offset:]
    results.ranking = "bm25 over every match" if sort == "rank" else f"{sort} first"
    # by date, no match is scored but the page's (in the snippet query): scoring every match
    # of a broad query took three quarters of a newest-first search
    score = "articles_fts.rank" if sort == "rank" else "NULL"
    return conn.execute(f"SELECT a.id, {score} AS rank {base} ORDER BY {order} "
                        "LIMIT ? OFFSET ?", (*params, limit, offset)).fetchall()


def count(conn: sqlite3.Connection, f: Filters) -> int:
    """How many articles match the filters (and query)."""
    if f.empty:
        return 0
    try:
        if f.match is None:
            row = conn.execute(f"SELECT count(*) FROM articles a WHERE {f.where()}",
                               f.params).fetchone()
        else:
            narrowed = fts_range(conn, f) or ("1", ())
            row = conn.execute(
                f"SELECT count(*) FROM articles_fts {f.join()} "
                f"WHERE articles_fts MATCH ? AND {f.where()} AND {narrowed[0]}",
                (f.match, *f.params, *narrowed[1])).fetchone()
    except sqlite3.OperationalError as exc:
        raise fts_error(exc, f) from None
    return int(row[0])


_JSON_COLUMNS = ("authors", "tags", "provenance", "extra", "signoff_codes")

#: Every article column, in the order people read them (the table keeps the body last).
_ARTICLE_SELECT = ", ".join(f"a.{c}" for c in (
    "id", "uid", "url", "source", "title", "published_at", "published_utc", "published_date",
    "published_raw", "published_precision", "modified_at", "dateline", "authors", "editor",
    "reporter", "signoff", "signoff_raw", "signoff_codes", "section", "tags", "language",
    "word_count", "fetched_at",
    "fetched_url", "http_status", "content_hash", "body_stage", "date_stage", "provenance",
    "extra", "first_seen_at", "last_seen_at", "changed_at", "crawl_id", "body_status", "body"))

def _related_sql(archived: bool) -> str:
    """A correlated subquery: the article's related links as a JSON array of arrays
    [ord, url, title, block, position(, archived id)]. Looking up whether each target is
    archived costs one index probe per link, a third of an export's time: only `get` asks."""
    target = ", (SELECT t.id FROM articles t WHERE t.url = l.url)" if archived else ""
    return ("(SELECT json_group_array(json_array(al.ord, l.url, al.title, al.block, "
            f"al.position{target})) FROM article_links al JOIN links l ON l.id = al.link_id "
            "WHERE al.article_id = a.id)")


_RELATED_KEYS = ("url", "title", "block", "position", "archived_id")


def _decode(item: dict[str, Any]) -> dict[str, Any]:
    for key in _JSON_COLUMNS:
        if key in item and item[key] is not None:
            item[key] = json.loads(item[key])
    if "related" in item:
        links = sorted(json.loads(item["related"] or "[]"))
        item["related"] = [dict(zip(_RELATED_KEYS, link[1:], strict=False)) for link in links]
    return item


def iter_articles(conn: sqlite3.Connection, f: Filters, *, sort: str = "oldest"
                  ) -> Iterator[dict[str, Any]]:
    """Stream matching articles whole, in a defined order (ties broken by id), each with
    `related` (url, title, block, position) and `versions` (a count)."""
    order = order_by(sort, ranked=f.match is not None)

    def generate() -> Iterator[dict[str, Any]]:
        if f.empty:
            return
        select = (f"SELECT {_ARTICLE_SELECT}, {_related_sql(False)} AS related, "
                  "(SELECT count(*) FROM article_versions v WHERE v.article_id = a.id) AS versions")
        params: tuple[Any, ...] = tuple(f.params)
        if f.match is not None:
            queries = [(f"{select}, articles_fts.rank AS rank FROM articles_fts "
                        "CROSS JOIN articles a ON a.id = articles_fts.rowid "
                        f"WHERE articles_fts MATCH ? AND {f.where()} ORDER BY {order}",
                        (f.match, *params))]
        elif sort == "oldest":
            # Dated rows in index order, then the undated: no sort of whole rows when the
            # index can give the order (an `IS NULL` sort key would force one).
            base = f"{select} FROM articles a WHERE {f.where()} AND a.published_utc IS"
            queries = [(f"{base} NOT NULL ORDER BY a.published_utc ASC, a.id ASC", params),
                       (f"{base} NULL ORDER BY a.id ASC", params)]
        else:
            queries = [(f"{select} FROM articles a WHERE {f.where()} ORDER BY {order}", params)]
        for sql, values in queries:
            cursor = conn.cursor()
            try:
                try:
                    cursor.execute(sql, values)
                except sqlite3.OperationalError as exc:
                    raise fts_error(exc, f) from None
                for item in _rows(cursor):
                    yield _decode(item)
            finally:
                cursor.close()

    return generate()


def get_article(conn: sqlite3.Connection, key: int | str) -> dict[str, Any] | None:
    """One article by id (int or digits), uid (16 hex) or URL: the canonical one, or any
    variant the crawler folds into it (tracking parameters, AMP and mobile variants, page
    parts), with or without its trailing slash."""
    value: int | str
    if isinstance(key, int) or (isinstance(key, str) and re.fullmatch(r"[0-9]+", key.strip())):
        where, value = "a.id = ?", int(key)
        if not 0 < value <= MAX_ROWID:
            return None  # no such id (and past SQLite's integers, not one it could hold)
    elif isinstance(key, str) and re.fullmatch(r"[0-9a-f]{16}", key.strip()):
        where, value = "a.uid = ?", key.strip()
    else:
        where, value = "a.url = ?", str(key).strip()
        if value.lower().startswith(("http://", "https://")) and conn.execute(
                "SELECT 1 FROM articles WHERE url = ?", (value,)).fetchone() is None:
            # the URL as shared (tracking parameters, no trailing slash, an AMP or mobile
            # variant): its canonical form, as the crawler stored it
            value = canonical_url(value)
            if conn.execute("SELECT 1 FROM articles WHERE url = ?", (value,)).fetchone() is None:
                slash = value[:-1] if value.endswith("/") else value + "/"
                if conn.execute("SELECT 1 FROM articles WHERE url = ?",
                                (slash,)).fetchone() is not None:
                    value = slash
    cursor = conn.execute(
        f"SELECT {_ARTICLE_SELECT}, s.name AS source_name, s.region, s.timezone, s.homepage, "
        f"{_related_sql(True)} AS related FROM articles a "
        "LEFT JOIN sources s ON s.key = a.source "
        f"WHERE {where}", (value,))
    found = next(_rows(cursor), None)
    if found is None:
        return None
    item = _decode(found)
    item["versions"] = list(_rows(conn.execute(
        "SELECT id, title, body, content_hash, published_at, modified_at, fetched_at, "
        "stored_at, replaced_at, crawl_id FROM article_versions WHERE article_id = ? "
        "ORDER BY id", (item["id"],))))
    return item
