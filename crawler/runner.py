"""Running a crawl from Python or the `warta` command: `run_crawl(profiles, db=...)`.

`run_crawl` starts Scrapy's CrawlerProcess with warta's settings (`crawler/settings.py`), the
`news` spider and the given outlet profiles, writes into the archive at `db`, and returns a
`CrawlSummary` (Scrapy's final stats and a row per outlet). Twisted's reactor runs once per
process, so call it once per process: the `warta` command does; tests and benchmarks start a
`warta crawl` child process.

Two extensions live here too: `ProgressExtension` redraws one line on stderr (pages fetched,
articles new/updated, errors, rate) while a crawl runs on a terminal, and `StatsFileExtension`
writes the final stats to `WARTA_STATS_FILE` as JSON. So does the crawl's stats collector,
`WartaStatsCollector` (`STATS_CLASS`).
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self, TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    NotConfigured,
    ResponseDataLossError,
)
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from twisted.internet.error import ConnectError, ConnectionLost
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.internet.task import LoopingCall

from archive import Archive
from archive.dates import DateBound, parse_date_bound
from archive.health import ARCHIVE_ERROR
from crawler.pipelines import REPORTED_BY_CLI, jsonable
from crawler.settings import check_settings
from crawler.sites import SiteProfile
from crawler.state import (
    NEW,
    RECOVERED,
    RESUMED,
    Job,
    JobStart,
    LockHolder,
    crawl_lock,
    state_dir_for,
)
from crawler.workers import tune_gc

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
        """`N archived without a body, M with a short one (warta health); ` when any were
        (issue 12: `validate/body_missing|body_short`), else empty."""
        missing = int(self.stats.get("validate/body_missing", 0) or 0)
        short = int(self.stats.get("validate/body_short", 0) or 0)
        if not missing and not short:
            return ""
        parts = [f"{missing:,} archived without a body"] if missing else []
        if short:
            parts.append(f"{short:,} with a short one" if missing
                         else f"{short:,} archived with a short body")
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

    The crawl holds the archive's crawl lock throughout (`crawler.state`): another crawl
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


@contextlib.contextmanager
def crawl_gc() -> Iterator[None]:
    """Python's garbage collector tuned for the crawl (`crawler.workers.tune_gc`), restored
    afterwards: `run_crawl` may run many crawls in one
    process."""
    threshold = tune_gc()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _run(crawl: Settings, profiles: Sequence[SiteProfile], db_path: str, stream: TextIO,
         bound: DateBound | None, max_articles: int, job_mode: str | None,
         urls: Mapping[str, Sequence[str]] | None = None) -> CrawlSummary:
    handler = _install_logging(crawl, stream)
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


# --- demo -------------------------------------------------------------------------------------

DEMO_SETTINGS: dict[str, Any] = {
    # The demo sites run in this process on loopback: no need to spare them.
    "LOG_LEVEL": "WARNING",
    # Every demo reads every page: a second demo shows each article unchanged.
    "WARTA_INCREMENTAL": False,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "DOWNLOAD_TIMEOUT": 10,
}

DEMO_BASE_PORT = 48471
"""The demo outlets listen on this port and the next ones, so their URLs (the archive's keys)
are the same from one `warta demo` to the next and a second run finds every article unchanged.
When a port is taken, free ports are used instead and the run says so."""

DEFAULT_DEMO_QUERY = "Samarinda"
"""The demo's sample search when `crawler.demo` names none (`SAMPLE_QUERY`)."""

DEMO_RESULTS = 5


@dataclass
class DemoResult:
    summary: CrawlSummary
    stats: dict[str, Any]
    query: str
    results: list[dict[str, Any]]
    note: str | None = None


def run_demo(db: str | Path, *, query: str | None = None, progress: bool | None = None,
             settings: Mapping[str, Any] | None = None) -> DemoResult:
    """Serve the demo sites on 127.0.0.1 (threads in this process), crawl them all into `db`,
    stop the server, and return the crawl summary, the archive's stats and a sample search."""
    from crawler import demo
    from crawler.demo.outlets import OUTLETS
    from crawler.demo.server import serve
    from crawler.sites import parse_profile

    note = None
    try:
        server = serve(ports={key: DEMO_BASE_PORT + i for i, key in enumerate(OUTLETS)})
    except OSError:
        server = serve()
        note = (f"ports {DEMO_BASE_PORT}+ are taken, so the demo sites ran on other ports: "
                "their articles are new URLs for an archive that earlier demos filled")
    try:
        profiles = [parse_profile(key, data, f"<demo site {key}>")
                    for key, data in demo.profiles(server.urls).items()]
        summary = run_crawl(profiles, db=db, settings={**DEMO_SETTINGS, **(settings or {})},
                            progress=progress, resume=False)
    finally:
        server.stop()
    text = query or getattr(demo, "SAMPLE_QUERY", None) or DEFAULT_DEMO_QUERY
    with Archive(db) as archive:
        stats = archive.stats()
        results = archive.search(text, limit=DEMO_RESULTS)
    return DemoResult(summary=summary, stats=stats, query=text, results=results, note=note)


# --- logging ----------------------------------------------------------------------------------

class ProgressAwareHandler(logging.StreamHandler[TextIO]):
    """A log handler that first clears the progress line, so a log record never lands on the
    end of it; the progress line is redrawn at its next tick."""

    progress_active = False

    def emit(self, record: logging.LogRecord) -> None:
        if ProgressAwareHandler.progress_active:
            self.stream.write("\r\033[K")
        super().emit(record)


NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    DownloadConnectionRefusedError, CannotResolveHostError, DownloadTimeoutError,
    DownloadFailedError, DownloadCancelledError, ResponseDataLossError,
    ConnectError, TwistedTimeoutError, ConnectionLost,
)
"""Failures that are the state of a site or the network, not a fault in warta."""


class OneLineNetworkErrors(logging.Filter):
    """A network failure is logged once, as one line, never with a traceback.

    Scrapy's robots.txt middleware logs a failed robots.txt with a full traceback; the spider
    requests the same robots.txt itself (for its `Sitemap:` lines) and logs and counts that
    failure with its URL, so the middleware's record is dropped. Any other record of a network
    failure keeps its line and loses the traceback; other exceptions keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None or not isinstance(exc, NETWORK_ERRORS):
            return True
        if record.name == "scrapy.downloadermiddlewares.robotstxt":
            return False
        record.exc_info = None
        record.exc_text = None
        return True


def _install_logging(settings: Settings, stream: TextIO) -> logging.Handler:
    """Scrapy's log format at `LOG_LEVEL`, to `LOG_FILE` when set, else to `stream`."""
    log_file = settings.get("LOG_FILE")
    handler: logging.Handler
    if log_file:
        handler = logging.FileHandler(log_file, mode="a" if settings.getbool("LOG_FILE_APPEND")
                                      else "w", encoding=settings.get("LOG_ENCODING") or "utf-8")
    else:
        handler = ProgressAwareHandler(stream)
        handler.addFilter(lambda record: record.getMessage() not in REPORTED_BY_CLI)
    handler.setFormatter(logging.Formatter(fmt=settings.get("LOG_FORMAT"),
                                           datefmt=settings.get("LOG_DATEFORMAT")))
    handler.setLevel(settings.get("LOG_LEVEL"))
    handler.addFilter(OneLineNetworkErrors())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(handler.level)  # records below the level are not even built
    return handler


# --- extensions -------------------------------------------------------------------------------

class ProgressExtension:
    """Redraw one status line on stderr every `WARTA_PROGRESS_INTERVAL` seconds:

        pages 412 | articles 230 (new 200, updated 3) | errors 4 | 18.2 pages/s | 0:22

    On only when `WARTA_PROGRESS` is true (`warta crawl` sets it on a terminal).
    """

    def __init__(self, stats: Any, interval: float, stream: TextIO) -> None:
        self.stats = stats
        self.interval = interval
        self.stream = stream
        self.started = time.monotonic()
        self.task: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("WARTA_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler.stats, crawler.settings.getfloat("WARTA_PROGRESS_INTERVAL"), sys.stderr)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def line(self) -> str:
        get = self.stats.get_value
        elapsed = time.monotonic() - self.started
        pages = int(get("downloader/response_count", 0))
        rate = pages / elapsed if elapsed > 0 else 0.0
        minutes, seconds = divmod(int(elapsed), 60)
        return (f"pages {pages} | articles {int(get('item_scraped_count', 0))} "
                f"(new {int(get('archive/new', 0))}, updated {int(get('archive/updated', 0))}) | "
                f"errors {int(get('errors/total', 0))} | {rate:.1f} pages/s | "
                f"{minutes}:{seconds:02d}")

    def draw(self) -> None:
        self.stream.write("\r\033[K" + self.line())
        self.stream.flush()

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        ProgressAwareHandler.progress_active = True
        self.task = LoopingCall(self.draw)
        self.task.start(self.interval, now=True)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.draw()
        self.stream.write("\n")
        self.stream.flush()
        ProgressAwareHandler.progress_active = False


class WartaStatsCollector(MemoryStatsCollector):
    """Scrapy's default stats collector, with plain attribute access.

    Since Scrapy 2.13 `StatsCollector.__getattribute__` runs on every attribute access (the
    collector's own `self._stats` included): it tries a `_cached_<name>` attribute (an
    AttributeError raised and caught for most names) and wraps each stats method in a check
    that warns when a `spider` argument is passed. A crawl makes about 25 stats calls a page
    (Scrapy's downloader, scheduler and scraper, and warta's counts), and that machinery cost
    about 2% of the crawl process's time on bench/crawl.py. The methods, their arguments
    (`spider` still accepted, now without the deprecation warning) and the stats are
    Scrapy's."""

    __getattribute__ = object.__getattribute__


class StatsFileExtension:
    """Write the crawl's final Scrapy stats as a JSON object to `WARTA_STATS_FILE`."""

    def __init__(self, stats: Any, path: str) -> None:
        self.stats = stats
        self.path = Path(path)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = crawler.settings.get("WARTA_STATS_FILE")
        if not path:
            raise NotConfigured
        ext = cls(crawler.stats, path)
        # When the engine has stopped: every spider_closed handler has run by then, the core
        # stats' finish_reason and the archive pipeline's health figures included.
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_stopped(self) -> None:
        data = jsonable(self.stats.get_stats())
        self.path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n",
                             encoding="utf-8")
