"""Reading the archive: filters, full-text search, streaming, one article whole.

Search text is escaped by default: every word is matched as written (FTS5 operators such as
`AND`, `NOT`, `*`, `:` and parentheses lose their meaning), a passage in double quotes is
matched as a phrase, and text with no letters or digits matches nothing instead of failing.
`raw=True` passes FTS5 syntax through, and a syntax error says how to fix it.

Date filters: see `archive.instants` (a day compares with the local publication date, an instant
with the UTC instant). Undated articles are left out whenever a date filter is given.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from archive.errors import UsageError
from archive.instants import DateBound, parse_date_bound, to_utc
from archive.records import BODY_STATUSES, PUBLISHED_PRECISIONS

#: Markers around matched words in snippets: rare in Indonesian news text, readable in a
#: terminal, a CSV cell and JSON alike.
HIGHLIGHT = ("«", "»")
#: Words of body text in a snippet: about two lines of a terminal.
SNIPPET_WORDS = 24
SNIPPET_ELLIPSIS = "…"
SORTS = ("rank", "newest", "oldest")
#: The FTS columns a raw query may name (`title:banjir`).
FTS_COLUMNS = ("title", "body")

#: The largest id SQLite can give a row (2**63 - 1).
MAX_ROWID = 2**63 - 1

_PHRASE_OR_WORD = re.compile(r'"([^"]*)"|(\S+)')
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

    Words are ANDed; "double-quoted passages" stay phrases; quotes inside words, operators,
    `*`, `-`, `:` and brackets are taken literally (the tokenizer drops the punctuation).
    """
    if text.count('"') % 2:
        text = text.replace('"', " ")
    parts: dict[str, str] = {}  # each word or phrase once (case aside): ANDed, a copy adds nothing
    for phrase, word in _PHRASE_OR_WORD.findall(text):
        piece = phrase if phrase else word
        if not any(ch.isalnum() for ch in piece):
            continue
        parts.setdefault(" ".join(piece.casefold().split()), '"' + piece.replace('"', '""') + '"')
    return " ".join(parts.values()) if parts else None


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
        f = cls(query=query if query and query.strip() else None, raw=raw)
        if f.query is not None:
            check_query_size(f.query, raw=raw)
            if raw:
                f.match = f.query
            else:
                f.match = escape_query(f.query)
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

    def describe(self) -> dict[str, Any]:
        """The filters as given, for manifests and dataset cards."""
        return {
            "query": self.query, "raw": self.raw, "source": list(self.sources) or None,
            "since": str(self.since) if self.since else None,
            "until": str(self.until) if self.until else None,
            "region": self.region, "author": self.author, "section": self.section,
            "language": self.language, "body_stage": list(self.body_stage) or None,
            "date_stage": list(self.date_stage) or None,
            "date_precision": list(self.precision) or None,
            **({"syndication": self.syndication} if self.syndication else {}),
            **({"about": self.about} if self.about else {}),
        }


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


def search(conn: sqlite3.Connection, f: Filters, *, sort: str = "rank", limit: int = 20,
           offset: int = 0, highlight: tuple[str, str] = HIGHLIGHT) -> list[dict[str, Any]]:
    """Matching articles, best (or newest/oldest) first.

    Each result: id, uid, url, source, title, published_at, authors (list), section,
    language, word_count, snippet (matched words between `highlight` markers; the start of
    the body when there is no query) and rank (FTS5 bm25, lower is better; None without a
    query).

    Ranking runs first over ids only; snippets are made for the page of results alone, so
    a common word costs one bm25 pass, not a snippet per match.
    """
    if limit < 1:
        raise UsageError(f"--limit: must be at least 1, not {limit}")
    if offset < 0:
        raise UsageError(f"--offset: must be 0 or more, not {offset}")
    order = order_by(sort, ranked=f.match is not None)
    if f.empty:
        return []
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")  # one snapshot for both queries
    try:
        if f.match is None:
            cursor = conn.execute(
                f"SELECT {_RESULT_COLUMNS}, a.body, NULL AS rank FROM articles a "
                f"WHERE {f.where()} ORDER BY {order} LIMIT ? OFFSET ?",
                (*f.params, limit, offset))
            results = list(_rows(cursor))
            for item in results:
                item["snippet"] = _snippet_from_body(item.pop("body"))
        else:
            try:
                hits = conn.execute(
                    f"SELECT a.id, articles_fts.rank AS rank FROM articles_fts {f.join()} "
                    f"WHERE articles_fts MATCH ? AND {f.where()} ORDER BY {order} "
                    f"LIMIT ? OFFSET ?", (f.match, *f.params, limit, offset)).fetchall()
                if not hits:
                    return []
                marks = ", ".join("?" * len(hits))
                cursor = conn.execute(
                    f"SELECT {_RESULT_COLUMNS}, snippet(articles_fts, 1, ?, ?, ?, ?) AS snippet "
                    f"FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
                    f"WHERE articles_fts MATCH ? AND articles_fts.rowid IN ({marks})",
                    (*highlight, SNIPPET_ELLIPSIS, SNIPPET_WORDS, f.match,
                     *(h[0] for h in hits)))
                by_id = {item["id"]: item for item in _rows(cursor)}
            except sqlite3.OperationalError as exc:
                raise fts_error(exc, f) from None
            results = []
            for article_id, rank in hits:
                item = by_id[article_id]
                item["rank"] = rank
                results.append(item)
    finally:
        if own:
            conn.execute("COMMIT")
    for item in results:
        item["authors"] = json.loads(item["authors"])
    return results


def count(conn: sqlite3.Connection, f: Filters) -> int:
    """How many articles match the filters (and query)."""
    if f.empty:
        return 0
    try:
        if f.match is None:
            row = conn.execute(f"SELECT count(*) FROM articles a WHERE {f.where()}",
                               f.params).fetchone()
        else:
            row = conn.execute(
                f"SELECT count(*) FROM articles_fts {f.join()} "
                f"WHERE articles_fts MATCH ? AND {f.where()}", (f.match, *f.params)).fetchone()
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
    """One article by id (int or digits), uid (16 hex) or canonical URL."""
    value: int | str
    if isinstance(key, int) or (isinstance(key, str) and re.fullmatch(r"[0-9]+", key.strip())):
        where, value = "a.id = ?", int(key)
        if not 0 < value <= MAX_ROWID:
            return None  # no such id (and past SQLite's integers, not one it could hold)
    elif isinstance(key, str) and re.fullmatch(r"[0-9a-f]{16}", key.strip()):
        where, value = "a.uid = ?", key.strip()
    else:
        where, value = "a.url = ?", str(key).strip()
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
