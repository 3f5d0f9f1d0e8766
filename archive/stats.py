"""What is in an archive: per source and in total.

For each outlet: article count, first and last publication date (local dates, as printed),
articles per month, and the share of articles with a date, an author, a dateline and a
publication time of day (`share_time`: `published_precision = 'time'`; articles dated by the
day only, by a relative form, or archived before warta recorded the precision do not count),
and how many were archived without their body, with a short one, or with a part of a
multi-page article missing (`body_missing`, `body_short`, `body_incomplete`: `body_status`);
the same over all outlets; and the last crawls. Shares are fractions in [0, 1] rounded to
`SHARE_DIGITS`; None when there are no articles.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Protocol

from archive.db import database

#: Decimal places of the coverage shares: 0.1% steps, enough to see a site's date rate fall.
SHARE_DIGITS = 3
#: Crawls listed by `stats()`; `Archive.crawls(limit)` gives more.
LAST_CRAWLS = 5

COVERAGE_COLUMNS = (
    "count(a.id) AS articles, min(a.published_date) AS first_published, "
    "max(a.published_date) AS last_published, "
    "count(a.published_at) AS with_date, "
    "sum(a.authors IS NOT NULL AND a.authors != '[]') AS with_author, "
    "sum(a.dateline IS NOT NULL AND a.dateline != '') AS with_dateline"
)


#: Articles with a time of day per outlet, counted in the partial index `articles_timed`
#: (migration 4) so that the stats scan never reads the column, which sits after the body.
TIMED_COUNTS = ("SELECT source, count(*) FROM articles WHERE published_precision = 'time' "
          "GROUP BY source")


#: Articles whose body is `short` or `missing` per outlet, from the partial index
#: `articles_incomplete` (migration 5).
_INCOMPLETE = ("SELECT source, body_status, count(*) FROM articles WHERE body_status <> 'ok' "
               "GROUP BY source, body_status")


def _shares(row: dict[str, Any]) -> dict[str, Any]:
    total = row["articles"]
    for key in ("date", "author", "dateline", "time"):
        count = row.pop(f"with_{key}") or 0
        row[f"share_{key}"] = round(count / total, SHARE_DIGITS) if total else None
    return row


class StatsSource(Protocol):
    """What the stats read: an archive's connection and its crawl records (`Archive`)."""

    @property
    def connection(self) -> sqlite3.Connection: ...

    def crawls(self, limit: int = ...) -> list[dict[str, Any]]: ...


def archive_stats(archive: StatsSource) -> dict[str, Any]:
    """{"sources": [...], "total": {...}, "crawls": [...]}; each source and the total carry
    `months`: {"YYYY-MM": count} in date order (undated articles are not in any month)."""
    conn = archive.connection
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")  # one snapshot: totals agree with the per-source rows
    try:
        db = database(conn)
        timed = dict(conn.execute(TIMED_COUNTS).fetchall())
        incomplete: dict[tuple[str, str], int] = {
            (source, status): n for source, status, n in conn.execute(_INCOMPLETE)}
        sources = [_shares({**row, "with_time": timed.get(row["source"], 0), **{
            f"body_{status}": incomplete.get((row["source"], status), 0)
            for status in ("missing", "short", "incomplete")}}) for row in db.query(
            f"SELECT s.key AS source, s.name, s.region, {COVERAGE_COLUMNS} FROM sources s "
            "LEFT JOIN articles a ON a.source = s.key GROUP BY s.key ORDER BY s.key")]
        total = _shares({**next(db.query(f"SELECT {COVERAGE_COLUMNS} FROM articles a")),
                         "with_time": sum(timed.values()), **{
                             f"body_{status}": sum(n for (_, s), n in incomplete.items()
                                                   if s == status)
                             for status in ("missing", "short", "incomplete")}})
        months: dict[str, dict[str, int]] = {}
        overall: dict[str, int] = {}
        for source, month, n in conn.execute(
                "SELECT source, substr(published_date, 1, 7) AS month, count(*) FROM articles "
                "WHERE published_date IS NOT NULL GROUP BY source, month ORDER BY month"):
            months.setdefault(source, {})[month] = n
            overall[month] = overall.get(month, 0) + n
        total["sources"] = len(sources)
        total["versions"] = conn.execute("SELECT count(*) FROM article_versions").fetchone()[0]
        total["links"] = conn.execute("SELECT count(*) FROM links").fetchone()[0]
        crawls = archive.crawls(LAST_CRAWLS)
    finally:
        if own:
            conn.execute("COMMIT")
    for row in sources:
        row["months"] = months.get(row["source"], {})
    total["months"] = dict(sorted(overall.items()))
    for crawl in crawls:
        crawl.pop("stats", None)  # Scrapy's full stats are long; `Archive.crawls()` has them
    return {"sources": sources, "total": total, "crawls": crawls}
