"""What warta's pages show, read from the archive: the search page (results, facets, the chart
of matches over time) and the article page. Plain functions on an archive path, run by the
plugin in a worker thread; each opens the archive read-only (`mode=ro`: a crawl writing it is
seen and not blocked) and closes it before returning.

The search goes through the archive's own search (`Filters.build` and `archive.query.search`,
as `Archive.search` does), so the web page matches exactly what `warta search` matches. The
facets the command line has no filter for (dateline place, exact author, sign-off marker) are
added as clauses of the same filters.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive import query as q
from archive.counts import period_start, selection
from archive.errors import UsageError
from archive.store import Archive

#: Results per page of the search.
PAGE_SIZE = 20
#: Values listed per facet (the most frequent first; months newest first).
FACET_VALUES = 12
#: Markers around matched words in snippets, replaced by <mark> after HTML escaping: control
#: characters no archived text holds (the crawler drops them).
MARK = ("\x02", "\x03")

#: The sign-off marker of an article: what the sign-off says about where the text came from
#: (issue 13: `*/` material from other sources or a press release, `adv` an advertorial).
MARKER_SQL = (
    "CASE WHEN a.signoff IS NULL OR trim(a.signoff) = '' THEN 'none' "
    "WHEN a.signoff LIKE '*%' THEN 'other-source' "
    "WHEN lower(a.signoff) LIKE 'adv%' THEN 'advertorial' "
    "WHEN lower(a.signoff) LIKE 'rls%' OR lower(a.signoff) LIKE 'rilis%' "
    "OR lower(a.signoff) LIKE 'hms%' THEN 'press-release' "
    "ELSE 'editor-code' END")
MARKERS = {
    "other-source": "*/ other source or release",
    "advertorial": "adv: advertorial",
    "press-release": "rls/hms: press release",
    "editor-code": "editor's code only",
    "none": "no sign-off",
}

#: Offsets of Indonesia's three zones, as readers know them.
ZONES = {"+07:00": "WIB", "+08:00": "WITA", "+09:00": "WIT"}

#: The facets of the search page: (parameter, label).
FACETS = (("source", "Outlet"), ("month", "Month"), ("section", "Section"),
          ("dateline", "Dateline place"), ("author", "Author"), ("marker", "Sign-off marker"))
PERIODS = ("month", "week", "day")


@dataclass
class SearchRequest:
    """The search page's parameters, as given in its URL."""

    query: str = ""
    raw: bool = False
    exact: bool = False
    """Words only as written (`warta search --exact`), not their other forms."""
    source: list[str] = field(default_factory=list)
    month: str = ""
    section: str = ""
    dateline: str = ""
    author: str = ""
    marker: str = ""
    sort: str = "rank"
    page: int = 1
    by: str = "month"

    @classmethod
    def from_args(cls, args: Mapping[str, Sequence[str]]) -> tuple[SearchRequest, list[str]]:
        """The request and the problems found in it (each one line for the page)."""
        def one(name: str) -> str:
            values = args.get(name) or []
            return (values[-1] if values else "").replace("\x00", "").strip()

        problems: list[str] = []
        sources = [v.strip() for value in args.get("source") or []
                   for v in value.split(",") if v.strip()]
        request = cls(query=one("q"), raw=one("raw") in ("1", "on", "true"),
                      exact=one("exact") in ("1", "on", "true"), source=sources,
                      month=one("month"), section=one("section"), dateline=one("dateline"),
                      author=one("author"), marker=one("marker"))
        sort = one("sort") or "rank"
        if sort not in q.SORTS:
            problems.append(f"sort: {sort!r} is not one of {', '.join(q.SORTS)}")
        else:
            request.sort = sort
        by = one("by") or "month"
        if by not in PERIODS:
            problems.append(f"by: {by!r} is not one of {', '.join(PERIODS)}")
        else:
            request.by = by
        page = one("page") or "1"
        if not page.isdigit() or not 1 <= int(page) <= 10_000:
            problems.append(f"page: {page!r} is not a page number from 1 to 10000")
        else:
            request.page = int(page)
        if request.month:
            try:
                dt.date.fromisoformat(request.month + "-01")
            except ValueError:
                problems.append(f"month: {request.month!r} is not a month such as 2023-05")
                request.month = ""
        if request.marker and request.marker not in MARKERS:
            problems.append(f"marker: {request.marker!r} is not one of {', '.join(MARKERS)}")
            request.marker = ""
        return request, problems

    def chosen(self) -> dict[str, list[str]]:
        """Facet values chosen, by parameter."""
        return {"source": list(self.source), "month": [self.month] if self.month else [],
                "section": [self.section] if self.section else [],
                "dateline": [self.dateline] if self.dateline else [],
                "author": [self.author] if self.author else [],
                "marker": [self.marker] if self.marker else []}


def month_bounds(month: str) -> tuple[str, str]:
    start = dt.date.fromisoformat(month + "-01")
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start.isoformat(), end.isoformat()


def build_filters(conn: sqlite3.Connection, request: SearchRequest) -> q.Filters:
    """The archive's filters for the request (UsageError for an unknown outlet, a query too
    long, ...), with the page's own facets added as clauses."""
    since = until = None
    if request.month:
        since, until = month_bounds(request.month)
    f = q.Filters.build(conn, query=request.query or None, raw=request.raw,
                        exact=request.exact, source=request.source or None, since=since,
                        until=until,
                        section=request.section or None)
    if request.dateline:
        f.clauses.append("a.dateline = ?")
        f.params.append(request.dateline)
    if request.author:
        f.clauses.append("EXISTS (SELECT 1 FROM json_each(a.authors) AS au WHERE au.value = ?)")
        f.params.append(request.author)
    if request.marker:
        f.clauses.append(f"({MARKER_SQL}) = ?")
        f.params.append(request.marker)
    return f


def _run(conn: sqlite3.Connection, f: q.Filters, sql: str, params: Sequence[Any]
         ) -> list[tuple[Any, ...]]:
    try:
        return conn.execute(sql, list(params)).fetchall()
    except sqlite3.OperationalError as exc:
        raise q.fts_error(exc, f) from None


#: The longest all facets together may count, as Datasette's `facet_time_limit_ms`. Outlet
#: and month come first and are read from an index; section, dateline, sign-off and author
#: read every matching row (no index holds them): each about 0.1 s per 20,000 matches (0.3 s
#: for 20,000 of 100,000 articles, bench/serve.py). Those counted when the time is up are
#: left out with a note; narrowing the search brings them back.
FACET_SECONDS = 0.5


def facets(conn: sqlite3.Connection, f: q.Filters) -> tuple[dict[str, list[tuple[str, int]]],
                                                             list[str]]:
    """Per facet, (value, matching articles) for the most frequent values; and the facets
    left out when FACET_SECONDS (for all of them) ran out."""
    if f.empty:
        return {name: [] for name, _ in FACETS}, []
    from_where, params = selection(f)
    out: dict[str, list[tuple[str, int]]] = {}
    skipped: list[str] = []
    deadline = time.monotonic() + FACET_SECONDS

    def too_long() -> int:
        return 1 if time.monotonic() > deadline else 0

    def timed(name: str, sql: str, values: list[Any]) -> None:
        conn.set_progress_handler(too_long, 5_000)
        try:
            rows = _run(conn, f, sql, values)
        except sqlite3.OperationalError as exc:
            if "interrupted" not in str(exc):
                raise
            skipped.append(name)
            out[name] = []
            return
        finally:
            conn.set_progress_handler(None, 0)
        out[name] = [(str(v), int(n)) for v, n in rows]

    grouped = {
        "source": ("a.source", "2 DESC, 1"),
        "month": ("substr(a.published_date, 1, 7)", "1 DESC"),
        "section": ("a.section", "2 DESC, 1"),
        "dateline": ("a.dateline", "2 DESC, 1"),
        "marker": (MARKER_SQL, "2 DESC, 1"),
    }
    for name, (expression, order) in grouped.items():
        timed(name, f"SELECT {expression} AS v, count(*) {from_where} "
              f"GROUP BY 1 HAVING v IS NOT NULL AND v <> '' ORDER BY {order} LIMIT ?",
              [*params, FACET_VALUES])
    timed("author", f"SELECT au.value AS v, count(*) FROM (SELECT a.authors AS authors "
          f"{from_where}) AS m, json_each(m.authors) AS au GROUP BY 1 "
          "HAVING v IS NOT NULL AND v <> '' ORDER BY 2 DESC, 1 LIMIT ?",
          [*params, FACET_VALUES])
    return {name: out[name] for name, _ in FACETS}, skipped


def _periods(first: str, last: str, by: str) -> list[str]:
    labels = []
    day, end = period_start(first, by), period_start(last, by)
    while day <= end:
        if by == "month":
            labels.append(day.isoformat()[:7])
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        elif by == "week":
            year, week, _ = day.isocalendar()
            labels.append(f"{year}-W{week:02d}")
            day += dt.timedelta(days=7)
        else:
            labels.append(day.isoformat())
            day += dt.timedelta(days=1)
    return labels


#: The most periods a chart draws (a day-by-day chart of years would be a smear).
MAX_PERIODS = 400


def over_time(conn: sqlite3.Connection, f: q.Filters, by: str) -> list[dict[str, Any]]:
    """Per period from the first to the last dated article passing the filters: `matching`
    (articles matching the query), `all` (passing the filters) and `share` (None for an
    empty period). As `warta counts`, summed over outlets."""
    if f.match is None:
        return []
    expression = ("substr(a.published_date, 1, 7)" if by == "month" else "a.published_date")
    every = _run(conn, f, f"SELECT {expression}, count(*) FROM articles a WHERE {f.where()} "
                 "AND a.published_date IS NOT NULL GROUP BY 1", f.params)
    matched: list[tuple[Any, ...]] = []
    if not f.empty:
        from_where, params = selection(f)
        matched = _run(conn, f, f"SELECT {expression}, count(*) {from_where} "
                       "AND a.published_date IS NOT NULL GROUP BY 1", params)
    if not every:
        return []

    def label(value: str) -> str:
        if by == "week":
            year, week, _ = dt.date.fromisoformat(value).isocalendar()
            return f"{year}-W{week:02d}"
        return value

    totals: dict[str, int] = {}
    hits: dict[str, int] = {}
    for rows, into in ((every, totals), (matched, hits)):
        for value, n in rows:
            key = label(value)
            into[key] = into.get(key, 0) + int(n)
    keys = sorted(totals)
    labels = _periods(keys[0], keys[-1], by)
    if len(labels) > MAX_PERIODS:
        raise UsageError(f"by: {len(labels):,} {by}s are too many to draw (at most "
                         f"{MAX_PERIODS}); choose a longer period or a month")
    return [{"period": p, "matching": hits.get(p, 0), "all": totals.get(p, 0),
             "share": (hits.get(p, 0) / totals[p]) if totals.get(p) else None}
            for p in labels]


@dataclass
class SearchPage:
    request: SearchRequest
    problems: list[str]
    results: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    skipped_facets: list[str] = field(default_factory=list)
    series: list[dict[str, Any]] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)


def search_page(path: str | Path, args: Mapping[str, Sequence[str]]) -> SearchPage:
    """Everything the search page shows. A bad parameter or search text is a line in
    `problems` (never an exception)."""
    request, problems = SearchRequest.from_args(args)
    page = SearchPage(request=request, problems=problems)
    with Archive(path, create=False, readonly=True) as archive:
        conn = archive.connection
        page.sources = {key: name or key for key, name in conn.execute(
            "SELECT key, name FROM sources")}
        if problems:
            return page
        conn.execute("BEGIN")  # one snapshot: results, total, facets and chart agree
        try:
            f = build_filters(conn, request)
            page.results = q.search(conn, f, sort=request.sort, limit=PAGE_SIZE,
                                    offset=(request.page - 1) * PAGE_SIZE, highlight=MARK)
            page.total = q.count(conn, f)
            page.facets, page.skipped_facets = facets(conn, f)
            page.series = over_time(conn, f, request.by)
        except UsageError as exc:
            page.problems.append(str(exc))
            page.results, page.total, page.facets, page.series = [], 0, {}, []
        finally:
            if conn.in_transaction:  # (an interrupted facet may have ended it)
                conn.execute("COMMIT")
    return page


# --- the article ----------------------------------------------------------------------------

def zone_name(offset: str) -> str:
    """`WITA (UTC+08:00)` for an offset; `UTC+05:30` for one outside Indonesia."""
    label = ZONES.get(offset)
    utc = "UTC" if offset in ("+00:00", "Z") else f"UTC{offset}"
    return f"{label} ({utc})" if label else utc


def published_text(article: Mapping[str, Any]) -> str | None:
    """The publication date as a reader reads it, with its zone and what it is worth:
    `Tuesday 23 May 2023, 10:15 WITA (UTC+08:00)`; a day-only date without a time; a
    relative one marked approximate."""
    published = article.get("published_at")
    if not published:
        return None
    try:
        when = dt.datetime.fromisoformat(published)
    except ValueError:
        return str(published)
    precision = article.get("published_precision")
    day = f"{when:%A} {when.day} {when:%B %Y}"
    if precision == "day":
        return f"{day} (day only)"
    offset = published[19:] if len(published) > 19 else ""
    zone = zone_name(offset) if offset else "(no zone)"
    text = f"{day}, {when:%H:%M} {zone}"
    if precision == "relative":
        text += " (approximate: read from a relative date)"
    return text


def copies(found: Mapping[str, Any]) -> dict[str, Any] | None:
    """The other articles of the article's cluster of near-duplicates (archive/clusters.py),
    each with `when` (its local publication time as the outlet printed it) and `mark`
    (`original`, or its similarity); None when no other archived article runs the story."""
    cluster = found.get("copies")
    if not cluster:
        return None
    others = []
    for member in cluster["members"]:
        if member["id"] == found["id"]:
            continue
        published = member.get("published_at") or ""
        when = f"{published[:10]} {published[11:16]}".strip() if published else "undated"
        mark = "original" if member["is_original"] else f"{member['similarity']:.2f}"
        others.append({**member, "when": when, "mark": mark})
    this = next((m for m in cluster["members"] if m["id"] == found["id"]), None)
    return {**cluster, "others": others,
            "this_is_original": bool(this and this["is_original"])}


def article(path: str | Path, key: int | str) -> dict[str, Any] | None:
    """The article whole (`Archive.get`), with its paragraphs, its edits and its copies, or
    None."""
    from archive.diff import article_edits, paragraphs

    with Archive(path, create=False, readonly=True) as archive:
        found = archive.get(key)
    if found is None:
        return None
    found["paragraphs"] = paragraphs(found.get("body") or "")
    found["published_text"] = published_text(found)
    found["edits"] = article_edits(found)
    found["cluster"] = copies(found)
    return found
