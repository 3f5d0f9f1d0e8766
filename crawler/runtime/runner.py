"""Running a crawl from Python or the `warta` command: `run_crawl(profiles, db=...)`.

`run_crawl` starts Scrapy's CrawlerProcess with warta's settings (`crawler/settings.py`), the
`news` spider and the given outlet profiles, writes into the archive at `db`, and returns a
`CrawlSummary` (Scrapy's final stats and a row per outlet). Twisted's reactor runs once per
process, so call it once per process: the `warta` command does; tests and benchmarks start a
`warta crawl` child process.

The Scrapy components the crawl runs with (progress line, stats file, stats collector, log
formatter) are in `crawler/extensions/`.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive import ARCHIVE_ERROR, Archive, DateBound, parse_date_bound
from crawler.capture import check_capture
from crawler.extensions.statscollector import jsonable
from crawler.runtime.gctuning import crawl_gc
from crawler.runtime.jobs import NEW, RECOVERED, RESUMED, Job, JobStart
from crawler.runtime.lock import LockHolder, crawl_lock, state_dir_for
from crawler.runtime.logs import install_logging
from crawler.settings import check_settings
from crawler.sites import SiteProfile

logger = logging.getLogger(__name__)

SETTINGS_MODULE = "crawler.settings"

ABANDONED_LOOKBACK = 200
"""Recent crawl records searched for the attempts of a job whose process died."""

SITE_COLUMNS = ("pages", "articles", "new", "updated", "unchanged", "dropped", "errors")
"""Per-outlet counts in the summary, each read from the stat `site/<key>/<column>`."""


SWITCHED_OFF = {
    "COOKIES_ENABLED": ("DOWNLOADER_MIDDLEWARES",
                        "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"),
    "REMOTE_CONTROL_ENABLED": ("EXTENSIONS", "scrapy.extensions.remote_control.RemoteControl"),
    "TELNETCONSOLE_ENABLED": ("EXTENSIONS", "scrapy.extensions.telnet.TelnetConsole"),
}
"""Scrapy components that a setting switches off, by that setting. Scrapy imports each one
before it learns it is off (`NotConfigured`): the remote control's aiohttp and the cookie
middleware's tldextract cost 150 ms of every `warta crawl`'s start (`python -X importtime`),
a tenth of an unchanged re-crawl. `crawl_settings` takes the ones whose setting is off out of
Scrapy's `*_BASE` table (an entry set to None in the table itself is still imported, to
normalize its name)."""


def crawl_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """warta's Scrapy settings with `overrides` on top (at command-line priority), without the
    Scrapy components those settings switch off (`SWITCHED_OFF`)."""
    settings = Settings()
    settings.setmodule(SETTINGS_MODULE, priority="project")
    if overrides:
        settings.setdict(dict(overrides), priority="cmdline")
    for flag, (components, path) in SWITCHED_OFF.items():
        base = settings.getdict(f"{components}_BASE")
        if not settings.getbool(flag) and path in base and path not in settings.getdict(
                components):
            del base[path]
            settings.set(f"{components}_BASE", base, priority="project")
    return settings


@dataclass
class SiteSummary:
    key: str
    name: str
    counts: dict[str, int]


@dataclass
class CrawlSummary:
    """What one crawl did: Scrapy's final stats, one row per outlet, and the totals."""

    db: str
    finish_reason: str
    elapsed: float
    stats: dict[str, Any]
    sites: list[SiteSummary] = field(default_factory=list)
    job_mode: str | None = None
    """How the crawl's job started: `new`, `resumed` or `recovered` (None: no job)."""

    @property
    def warnings(self) -> list[str]:
        """Health warnings of the crawled outlets (`archive.health`)."""
        messages = self.stats.get("health/messages") or []
        return [str(m) for m in messages] if isinstance(messages, list) else []

    @property
    def archive_error(self) -> str | None:
        """Why the crawl stopped when the archive could not be written (one line), else None."""
        message = self.stats.get("archive/error")
        return str(message) if message else None

    @property
    def skipped(self) -> int:
        """Archived article pages not fetched again (incremental crawl)."""
        return sum(int(v) for k, v in self.stats.items()
                   if k.startswith("site/") and k.endswith("/skipped"))

    @property
    def incomplete(self) -> str:
        """`N archived without a body, M with a short one, K with a part missing (warta
        health); ` when any were (issues 12 and 13:
        `validate/body_missing|body_short|body_incomplete`), else empty."""
        missing = int(self.stats.get("validate/body_missing", 0) or 0)
        short = int(self.stats.get("validate/body_short", 0) or 0)
        partial = int(self.stats.get("validate/body_incomplete", 0) or 0)
        if not missing and not short and not partial:
            return ""
        parts = [f"{missing:,} archived without a body"] if missing else []
        if short:
            parts.append(f"{short:,} with a short one" if parts
                         else f"{short:,} archived with a short body")
        if partial:
            parts.append(f"{partial:,} with a part missing" if parts
                         else f"{partial:,} archived with a part missing")
        return f"{', '.join(parts)} (see warta health); "

    @property
    def ok(self) -> bool:
        return self.finish_reason in ("finished", "closespider_itemcount")

    def total(self, column: str) -> int:
        return sum(site.counts.get(column, 0) for site in self.sites)

    def format(self) -> str:
        """The per-site table and a closing line, as `warta crawl` prints them."""
        width = max([len("site"), *(len(s.key) for s in self.sites)])
        header = "site".ljust(width) + "".join(f"{c:>11}" for c in SITE_COLUMNS)
        lines = [header]
        for site in self.sites:
            lines.append(site.key.ljust(width)
                         + "".join(f"{site.counts.get(c, 0):>11}" for c in SITE_COLUMNS))
        if len(self.sites) > 1:
            lines.append("total".ljust(width)
                         + "".join(f"{self.total(c):>11}" for c in SITE_COLUMNS))
        rate = self.total("pages") / self.elapsed if self.elapsed > 0 else 0.0
        skipped = f"{self.skipped:,} archived articles not fetched again; " if self.skipped else ""
        lines.append(f"{self.finish_reason} in {self.elapsed:.1f} s ({rate:.1f} pages/s); "
                     f"{self.incomplete}{skipped}archive: {self.db}")
        return "\n".join(lines)


def summarize(stats: Mapping[str, Any], profiles: Sequence[SiteProfile], db: str,
              elapsed: float, job_mode: str | None = None) -> CrawlSummary:
    sites = [SiteSummary(key=p.key, name=p.name,
                         counts={c: int(stats.get(f"site/{p.key}/{c}", 0)) for c in SITE_COLUMNS})
             for p in profiles]
    reason = str(stats.get("finish_reason", "unknown"))
    if stats.get("archive/error"):  # even when the failure came only with the last batches
        reason = ARCHIVE_ERROR
    return CrawlSummary(db=db, finish_reason=reason,
                        elapsed=elapsed, stats=jsonable(stats), sites=sites, job_mode=job_mode)


def run_crawl(
    profiles: Sequence[SiteProfile],
    *,
    db: str | Path,
    since: Any = None,
    max_articles: int = 0,
    settings: Mapping[str, Any] | None = None,
    progress: bool | None = None,
    stderr: TextIO | None = None,
    refresh_days: float | None = None,
    fresh: bool = False,
    wait: bool = False,
    resume: bool = True,
    urls: Mapping[str, Sequence[str]] | None = None,
) -> CrawlSummary:
    """Crawl `profiles` into the archive at `db` and return what happened.

    `since` is a date or instant (`--since`); `max_articles` a per-outlet cap (0: none);
    `settings` any Scrapy or `WARTA_*` setting; `progress` the live line on stderr (default:
    when stderr is a terminal); `refresh_days` the window of articles fetched again
    (`WARTA_REFRESH_DAYS`); `urls` (outlet key -> article URLs) fetches exactly those
    articles instead of discovering any (`warta rehydrate`).

    The crawl holds the archive's crawl lock throughout (`crawler.runtime.lock`): another crawl
    holding it raises `CrawlLocked`, or with `wait` is waited for. With `resume` (the default)
    the crawl belongs to the job of its sites: an unfinished job is resumed (paused) or
    recovered (died), and `fresh` starts it over. Raises `WartaError` before crawling when the
    archive cannot be opened, is locked, or an option is wrong.
    """
    if not profiles:
        raise ValueError("run_crawl needs at least one profile")
    bound = parse_date_bound(since) if since not in (None, "") else None
    db_path = str(Path(db).expanduser())
    stream = stderr or sys.stderr
    if progress is None:
        progress = stream.isatty()
    overrides: dict[str, Any] = {"WARTA_DB": db_path, "WARTA_PROGRESS": progress,
                                 "LOG_INSTALL_ROOT_HANDLER": False}  # ours, below
    overrides.update(settings or {})
    if refresh_days is not None:
        overrides["WARTA_REFRESH_DAYS"] = refresh_days
    crawl = crawl_settings(overrides)
    check_settings(crawl)  # before the lock, the job and the archive are touched
    Archive(db_path).close()  # a wrong path or a foreign file fails here, as one line
    check_capture(crawl)  # a capture folder that cannot be written too (issue 16)

    state_dir = state_dir_for(db_path, crawl.get("WARTA_STATE_DIR"))
    lock = crawl_lock(db_path, crawl.get("WARTA_STATE_DIR"))

    def waiting(holder: LockHolder | None) -> None:
        shown = holder.describe() if holder else "another process"
        stream.write(f"Waiting for the crawl lock on {db_path} ({shown})...\n")
        stream.flush()

    lock.acquire(wait=wait, on_wait=waiting)
    try:
        if lock.taken_over is not None:
            _note(stream, f"took over the crawl lock left by {lock.taken_over.describe()}: "
                          "that crawl ended without releasing it")
        job: Job | None = None
        start: JobStart | None = None
        if resume and not crawl.get("JOBDIR"):
            job = Job(state_dir, [p.key for p in profiles])
            start = job.start({"since": str(bound) if bound else None,
                               "max_articles": max_articles or None,
                               "incremental": crawl.getbool("WARTA_INCREMENTAL"),
                               "listed": urls is not None}, fresh=fresh)
            _announce(stream, start, db_path)
            crawl.setdict({"JOBDIR": str(start.jobdir), "WARTA_JOB": start.name},
                          priority="cmdline")
            if start.mode != NEW:  # a new job has done nothing yet
                crawl.set("WARTA_JOB_STARTED", start.started_at, priority="cmdline")
        summary = _run(crawl, profiles, db_path, stream, bound, max_articles,
                       start.mode if start else None, urls)
        if job is not None:
            job.finish(summary.finish_reason)
        return summary
    finally:
        lock.release()


def _note(stream: TextIO, text: str) -> None:
    stream.write(f"Note: {text}\n")
    stream.flush()


def _announce(stream: TextIO, start: JobStart, db_path: str) -> None:
    """Say on stderr when a crawl continues an earlier one (and mark a dead attempt killed)."""
    if start.note:
        _note(stream, start.note)
    if start.mode == RESUMED:
        _note(stream, f"resuming the paused crawl of {start.name} begun {start.started_at} "
                      "(--fresh starts over)")
    elif start.mode == RECOVERED:
        with Archive(db_path) as archive:
            dead = [c["id"] for c in archive.crawls(ABANDONED_LOOKBACK)
                    if c["finished_at"] is None and c["finish_reason"] is None
                    and (c["args"] or {}).get("job") == start.name]
            for crawl_id in dead:
                archive.abandon_crawl(crawl_id, "killed")
        shown = ", ".join(map(str, dead)) or "none recorded"
        _note(stream, f"the crawl of {start.name} begun {start.started_at} ended without "
                      f"closing (crawl {shown} marked killed); continuing it: articles "
                      "archived since then are not fetched again (--fresh starts over)")


def _run(crawl: Settings, profiles: Sequence[SiteProfile], db_path: str, stream: TextIO,
         bound: DateBound | None, max_articles: int, job_mode: str | None,
         urls: Mapping[str, Sequence[str]] | None = None) -> CrawlSummary:
    handler = install_logging(crawl, stream)
    try:
        process = CrawlerProcess(crawl)
        # Scrapy's logging setup puts its loggers at DEBUG whatever LOG_LEVEL says, so every
        # response and item built a log record (and its message) that no handler wanted.
        logging.getLogger("scrapy").setLevel(handler.level)
        from crawler.spiders.news import NewsSpider

        crawler = process.create_crawler(NewsSpider)
        process.crawl(crawler, profiles=list(profiles), since=bound, max_articles=max_articles,
                      urls=urls)
        started = time.monotonic()
        with crawl_gc():
            process.start()
        elapsed = time.monotonic() - started
    finally:
        logging.getLogger().removeHandler(handler)
    stats = crawler.stats.get_stats() if crawler.stats is not None else {}
    return summarize(stats, profiles, db_path, elapsed, job_mode)
