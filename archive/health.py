"""Is each outlet still read well? Its figures over recent crawls, and warnings.

Every crawl records per outlet what it found (`crawl_sites`, migration 3): article URLs asked
for, how many of those were archived already and skipped, the articles read, and how many of
those had a date, a body and an author. An outlet that "changes its layout" (new templates, a
script-rendered front end, a new sitemap address) does not fail loudly: the crawl still
finishes, but it finds nothing, or reads pages without their date or text. So each outlet is
compared with itself:

- `nothing`: its latest run found no article at all, neither new ones nor archived ones to
  skip (the outlet is down, blocks warta, or moved its listings, feeds and sitemaps);
- `date_rate` / `body_rate`: the share of articles read with a date (a body) fell below
  `DROP_FACTOR` times its usual share, the median over its earlier runs (an article page
  archived without its body, `body_status` `missing`, counts as one without a body: the
  report shows their share of each run, `NO BODY`, and how many the archive holds);
- `archive`: its latest run stopped because the archive could not be read or written
  (`ARCHIVE_ERROR`): the message names the archive, and the outlet is not judged.

`site_health` computes the report; `health_lines` and `crawls_lines` print it and the crawl
records for the `warta health` and `warta crawls` commands; the crawler logs the same warnings
at the end of every crawl.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archive.formatting import table, terminal_safe

if TYPE_CHECKING:
    from archive.store import Archive

#: Runs of an outlet the report looks back over: its latest run and up to this many before
#: it. Ten is half a day of hourly runs or ten nights of nightly ones: enough for a stable
#: median, short enough that a layout change months ago is no longer the norm.
RECENT_RUNS = 10

#: A share is judged only over at least this many articles read. An incremental run of a quiet
#: outlet may read two or three pages; one undated page among three is a 33-point "drop" that
#: means nothing, while five pages that all lose their date do mean something.
MIN_ARTICLES = 5

#: Warn when the latest share falls below this fraction of the outlet's usual share. On the
#: demo outlets and the saved real pages a template yields its date and body on 90-100% of
#: its articles and moves by a few points between runs (an undated photo story, an opinion
#: page without a byline), while a layout change takes a rate to (near) zero. Half the usual
#: share is far outside the first and well inside the second.
DROP_FACTOR = 0.5

#: Exit status of `warta health` and `warta crawl` with `--fail-on-warning` when an outlet
#: has a warning (0, 1, 2 are taken by success, error and usage error).
EXIT_WARNING = 3

#: Finish reasons of runs that are not judged: stopped by a person, or killed.
UNJUDGED_REASONS = frozenset({"shutdown", "killed", "capture_error"})  # capture: issue 16

#: Finish reason of a crawl stopped because the archive file could not be written (damaged,
#: disk full): its figures say nothing of the outlet, so its report names the archive.
ARCHIVE_ERROR = "archive_error"

#: Shares reported and judged: figure in `crawl_sites` -> what it is called in messages.
SHARES = {"date": "with_date", "body": "with_body", "author": "with_author"}
JUDGED = ("date", "body")
#: The figure of articles archived without their body (a dated article page whose body could
#: not be read, issue 12). Not judged on its own: such pages also lower the `body` share,
#: whose fall is the `body_rate` warning.
MISSING = "body_missing"


@dataclass
class SiteRun:
    """One crawl's figures for one outlet."""

    crawl_id: int
    started_at: str
    finished_at: str | None
    finish_reason: str | None
    figures: dict[str, int]

    def share(self, name: str) -> float | None:
        """Share of the articles read that had a date / body / author (or were archived with
        their body `missing`); None when none read."""
        read = self.figures.get("articles", 0)
        return self.figures.get(SHARES.get(name, name), 0) / read if read else None


@dataclass
class HealthWarning:
    source: str
    kind: str
    """`nothing`, `date_rate`, `body_rate`, or `archive` (the run stopped because the archive
    could not be written: the outlet is not judged)."""
    message: str
    crawl_id: int

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "kind": self.kind, "message": self.message,
                "crawl_id": self.crawl_id}


@dataclass
class SiteHealth:
    source: str
    runs: list[SiteRun]
    """Newest first: the judged run, then up to `RECENT_RUNS` earlier ones."""
    usual: dict[str, float | None] = field(default_factory=dict)
    """Median share over the earlier runs that read at least `MIN_ARTICLES` articles."""
    warnings: list[HealthWarning] = field(default_factory=list)
    archived: dict[str, int] = field(default_factory=dict)
    """The outlet's articles in the archive now (`articles`) and those among them with a
    `missing`, `short` or `incomplete` body (`body_status`, issues 12 and 13)."""
    listing_cuts: dict[str, int] = field(default_factory=dict)
    """What the bounds on listings cut in its latest crawl, by reason (`too_many_listings`,
    `loop`, `max_pages`, ...: the crawl's `discovery/listing_cut/<reason>` stats, issue 13)."""

    @property
    def latest(self) -> SiteRun:
        return self.runs[0]

    def as_dict(self) -> dict[str, Any]:
        latest = self.latest
        return {
            "source": self.source, "crawl_id": latest.crawl_id, "started_at": latest.started_at,
            "finish_reason": latest.finish_reason, "runs": len(self.runs), **latest.figures,
            **{f"share_{name}": _round(latest.share(name)) for name in SHARES},
            "share_missing": _round(latest.share(MISSING)),
            **{f"archived_{name}": n for name, n in self.archived.items()},
            **{f"usual_{name}": _round(value) for name, value in self.usual.items()},
            "listing_cuts": dict(self.listing_cuts),
            "warnings": [w.message for w in self.warnings],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}%"


def _runs(archive: Archive, source: str, crawl_id: int | None, limit: int) -> list[SiteRun]:
    from archive.store import SITE_FIGURES

    columns = ", ".join(f"s.{name}" for name in SITE_FIGURES)
    rows = archive.connection.execute(
        f"SELECT c.id, c.started_at, c.finished_at, c.finish_reason, {columns} "
        "FROM crawl_sites s JOIN crawls c ON c.id = s.crawl_id "
        "WHERE s.source = ? AND c.id <= ? ORDER BY c.id DESC LIMIT ?",
        (source, crawl_id if crawl_id is not None else 2**62, limit * 2 + 1))
    runs = [SiteRun(row[0], row[1], row[2], row[3], dict(zip(SITE_FIGURES, row[4:], strict=True)))
            for row in rows]
    judged = [r for r in runs if r.finish_reason not in UNJUDGED_REASONS
              or (crawl_id is not None and r.crawl_id == crawl_id)]
    return judged[:limit + 1]


def judge(source: str, runs: Sequence[SiteRun], archive: str = "the archive") -> SiteHealth:
    """The report of one outlet from its runs, newest first (the first is judged). A run
    stopped because `archive` could not be written is not judged, nor counted as usual."""
    health = SiteHealth(source=source, runs=list(runs))
    latest = runs[0]
    earlier = [r for r in runs[1:] if r.finish_reason != ARCHIVE_ERROR]
    for name in SHARES:
        shares = [s for r in earlier if r.figures.get("articles", 0) >= MIN_ARTICLES
                  if (s := r.share(name)) is not None]
        health.usual[name] = statistics.median(shares) if shares else None
    if latest.finish_reason == ARCHIVE_ERROR:
        health.warnings.append(HealthWarning(
            source, "archive",
            f"{source}: crawl {latest.crawl_id} stopped because the archive {archive} could "
            "not be read or written, not because of the outlet: check it with `sqlite3 "
            f"{archive} 'PRAGMA integrity_check'` and restore it from a backup if it is damaged",
            latest.crawl_id))
        return health
    figures = latest.figures
    if figures.get("articles", 0) + figures.get("skipped", 0) == 0:
        health.warnings.append(HealthWarning(
            source, "nothing",
            f"{source}: crawl {latest.crawl_id} found no article (none new, none archived to "
            f"skip; {figures.get('found', 0)} asked for, {figures.get('errors', 0)} errors): is "
            "the outlet down, blocking warta, or has it moved its listings, feeds or sitemaps?",
            latest.crawl_id))
        return health
    if figures.get("articles", 0) < MIN_ARTICLES:
        return health
    for name in JUDGED:
        usual, now = health.usual[name], latest.share(name)
        if usual is not None and now is not None and now < usual * DROP_FACTOR:
            health.warnings.append(HealthWarning(
                source, f"{name}_rate",
                f"{source}: crawl {latest.crawl_id} found a {name} on {_percent(now)} of "
                f"{figures['articles']} articles read (usually {_percent(usual)}): has the "
                "outlet changed its layout?", latest.crawl_id))
    return health


def site_health(archive: Archive, *, sources: Iterable[str] | None = None,
                crawl_id: int | None = None, runs: int = RECENT_RUNS) -> list[SiteHealth]:
    """Per outlet (those given, else every outlet with recorded runs, by key): its latest run
    judged against up to `runs` earlier ones. `crawl_id` judges that crawl as the latest (the
    crawler does so at the end of a run) and leaves out outlets it did not crawl."""
    conn = archive.connection
    if sources is None:
        if crawl_id is not None:
            wanted = [r[0] for r in conn.execute(
                "SELECT source FROM crawl_sites WHERE crawl_id = ? ORDER BY source", (crawl_id,))]
        else:
            wanted = [r[0] for r in conn.execute(
                "SELECT DISTINCT source FROM crawl_sites ORDER BY source")]
    else:
        wanted = list(dict.fromkeys(sources))
    report = []
    for source in wanted:
        found = _runs(archive, source, crawl_id, runs)
        if crawl_id is not None and (not found or found[0].crawl_id != crawl_id):
            continue
        if found:
            health = judge(source, found, str(archive.path))
            health.archived = _archived(archive, source)
            health.listing_cuts = _listing_cuts(archive, source, found[0].crawl_id)
            report.append(health)
    return report


def listing_cuts_of(stats: Mapping[str, Any] | None, source: str,
                    sites: Sequence[str] = ()) -> dict[str, int]:
    """What a crawl's bounds on listings cut for `source`, by reason, from its Scrapy stats:
    the outlet's own `site/<key>/listing_cut/<reason>` counts, or, in a crawl of that one
    outlet recorded before they were kept per outlet, the crawl's
    `discovery/listing_cut/<reason>`."""
    stats = stats or {}
    own = f"site/{source}/listing_cut/"
    found = {key[len(own):]: int(value) for key, value in stats.items()
             if key.startswith(own) and value}
    if not found and list(sites) == [source]:
        found = {key[len("discovery/listing_cut/"):]: int(value) for key, value in stats.items()
                 if key.startswith("discovery/listing_cut/") and value}
    return dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))


def _listing_cuts(archive: Archive, source: str, crawl_id: int) -> dict[str, int]:
    import json

    row = archive.connection.execute("SELECT stats, sites FROM crawls WHERE id = ?",
                                     (crawl_id,)).fetchone()
    if row is None or not row[0]:
        return {}
    try:
        stats = json.loads(row[0])
        sites = json.loads(row[1] or "[]")
    except ValueError:
        return {}
    if not isinstance(stats, dict):
        return {}
    return listing_cuts_of(stats, source, sites if isinstance(sites, list) else [])


def _archived(archive: Archive, source: str) -> dict[str, int]:
    """How many articles of `source` the archive holds, and how many with a `missing`,
    `short` or `incomplete` body (from the partial index `articles_incomplete`: a few
    rows)."""
    conn = archive.connection
    counts = {"articles": int(conn.execute(
        "SELECT count(*) FROM articles WHERE source = ?", (source,)).fetchone()[0]),
        "missing": 0, "short": 0, "incomplete": 0}
    for status, n in conn.execute(
            "SELECT body_status, count(*) FROM articles WHERE body_status <> 'ok' "
            "AND source = ? GROUP BY 1", (source,)):
        counts[status] = int(n)
    return counts


def warnings_of(report: Iterable[SiteHealth]) -> list[HealthWarning]:
    return [w for site in report for w in site.warnings]


# --- printing ---------------------------------------------------------------------------------

def health_lines(report: Sequence[SiteHealth]) -> Iterator[str]:
    """The `warta health` table: per outlet its latest run and usual shares, then warnings."""
    if not report:
        yield "No crawl with per-outlet figures recorded yet: run `warta crawl` first."
        return
    rows = []
    for site in report:
        latest = site.latest
        f = latest.figures
        rows.append([site.source, latest.crawl_id, len(site.runs), f.get("found", 0),
                     f.get("skipped", 0), f.get("articles", 0), f.get("new", 0),
                     _percent(latest.share("date")), _percent(latest.share("body")),
                     _percent(latest.share(MISSING)), _percent(latest.share("author")),
                     "/".join(_percent(site.usual[n]) or "-" for n in SHARES),
                     "WARN" if site.warnings else "ok"])
    yield from table(["SITE", "CRAWL", "RUNS", "FOUND", "SKIPPED", "READ", "NEW", "DATED",
                      "BODY", "NO BODY", "AUTHOR", "USUAL D/B/A", "STATUS"], rows,
                     right=(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
    incomplete = [site for site in report if site.archived.get("missing")
                  or site.archived.get("short") or site.archived.get("incomplete")]
    if incomplete:
        yield ""
        yield ("NO BODY: share of the articles read that were archived without their body "
               "(the page's body could not be read). In the archive now:")
        for site in incomplete:
            held = site.archived
            yield (f"  {site.source}: {held['missing']:,} without a body "
                   f"({_percent(held['missing'] / held['articles'] if held['articles'] else None)}"
                   f" of {held['articles']:,}), {held['short']:,} short, "
                   f"{held.get('incomplete', 0):,} with a part missing; crawls read them "
                   "again for a week after archiving them; exports leave them out unless "
                   "--include-incomplete")
    cut = [site for site in report if site.listing_cuts]
    if cut:
        yield ""
        yield ("LISTING CUTS: listing links and pages the latest crawl left unread at a bound "
               "(it counted them and went on):")
        for site in cut:
            yield f"  {site.source}: " + ", ".join(
                f"{reason} {count:,}" for reason, count in site.listing_cuts.items())
    warnings = warnings_of(report)
    if warnings:
        yield ""
        for warning in warnings:
            yield f"warning: {terminal_safe(warning.message, multiline=False)}"


def _duration(started: str | None, finished: str | None) -> str:
    if not started or not finished:
        return ""
    seconds = int((dt.datetime.fromisoformat(finished)
                   - dt.datetime.fromisoformat(started)).total_seconds())
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def errors_by_kind(stats: Mapping[str, Any] | None) -> dict[str, int]:
    """`errors/<kind>` counts from a crawl's Scrapy stats, largest first."""
    found = {key.split("/", 1)[1]: int(value) for key, value in (stats or {}).items()
             if key.startswith("errors/") and key != "errors/total" and value}
    return dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))


def crawl_record(crawl: Mapping[str, Any]) -> dict[str, Any]:
    """One `crawls` row for people and programs: counts flattened, errors by kind."""
    counts = crawl.get("counts") or {}
    stats = crawl.get("stats") or {}
    skipped = counts.get("skipped")
    if skipped is None and stats:
        skipped = sum(int(v) for k, v in stats.items() if k.startswith("skipped/"))
    reason = crawl.get("finish_reason")
    if reason is None:
        reason = "running" if crawl.get("finished_at") is None else "unknown"
    return {
        "id": crawl["id"], "started_at": crawl["started_at"],
        "finished_at": crawl.get("finished_at"), "finish_reason": reason,
        "sites": crawl.get("sites") or [], "args": crawl.get("args") or {},
        "new": crawl.get("new"), "updated": crawl.get("updated"),
        "unchanged": crawl.get("unchanged"),
        "requests": counts.get("requests", stats.get("downloader/request_count")),
        "skipped": skipped,
        "errors": counts.get("errors", stats.get("errors/total")),
        "errors_by_kind": errors_by_kind(stats),
        "warta_version": crawl.get("warta_version"),
    }


def crawls_lines(crawls: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    """The `warta crawls` table, newest first."""
    if not crawls:
        yield "No crawls recorded yet: run `warta crawl`."
        return
    rows = []
    for crawl in crawls:
        record = crawl_record(crawl)
        sites = record["sites"]
        shown = ",".join(sites) if len(sites) <= 3 else f"{len(sites)} sites"
        kinds = " ".join(f"{k}:{n}" for k, n in record["errors_by_kind"].items())
        rows.append([record["id"], (record["started_at"] or "")[:19].replace("T", " "),
                     _duration(record["started_at"], record["finished_at"]),
                     record["finish_reason"], shown, record["new"], record["updated"],
                     record["unchanged"], record["skipped"], record["requests"],
                     record["errors"], kinds])
    yield from table(["ID", "STARTED (UTC)", "TOOK", "REASON", "SITES", "NEW", "UPDATED",
                      "UNCHANGED", "SKIPPED", "REQUESTS", "ERRORS", "ERROR KINDS"], rows,
                     right=(0, 5, 6, 7, 8, 9, 10))


def check_intact(archive: Archive) -> None:
    """Raise DamagedArchiveError unless SQLite's `PRAGMA quick_check` finds the archive whole.

    `warta health` and `warta crawls` read only a few small tables, whose pages may be intact
    in a file damaged elsewhere; as the commands a schedule runs to learn whether all is
    well, they check every page first. quick_check reads the whole file once (0.6 s for a
    316 MB archive of 40,000 articles, warm cache) and stops at the first problem."""
    from archive.errors import DamagedArchiveError

    row = archive.connection.execute("PRAGMA quick_check(1)").fetchone()
    if row is None or row[0] != "ok":
        reason = "; ".join(row[0].splitlines()) if row else "quick_check gave no answer"
        raise DamagedArchiveError(archive.path, reason)
