"""Scrapy settings for warta (`scrapy.cfg` points here), and warta's own settings in one place.

Scrapy's settings below are the polite defaults every warta crawl starts from: robots.txt obeyed,
AutoThrottle on, a few requests at a time per site, a User-Agent that names warta and where to
read about it. Override any of them per run with `warta crawl -s NAME=VALUE` or
`scrapy crawl news -s NAME=VALUE`.

warta's own settings carry the `WARTA_` prefix. Their defaults, one line of help and the kind of
value each takes live in `WARTA_SETTINGS`; the module-level names below are generated from it,
and a test checks that each one is documented in the README. `check_settings` checks every
`WARTA_` setting of a crawl against its kind before anything starts (no lock, no job, no
archive touched): `-s WARTA_BATCH_SIZE=abc` is one `Error:` line and exit status 2, not a
traceback from inside Scrapy with a paused job left behind; an unknown `WARTA_` name (a typo)
is refused with the known ones.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from archive import DEFAULT_DB, UsageError, __version__

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def _text(settings: BaseSettings, name: str) -> str | None:
    value = settings.get(name)
    if value is not None and not isinstance(value, str | os.PathLike):
        return "expected text (a path or a name)"
    return None


def _required_text(settings: BaseSettings, name: str) -> str | None:
    if not str(settings.get(name) or "").strip():
        return "expected a path, got nothing"
    return _text(settings, name)


def _flag(settings: BaseSettings, name: str) -> str | None:
    try:
        settings.getbool(name)
    except ValueError:
        return "expected True or False (or 1 or 0)"
    return None


def _keys(settings: BaseSettings, name: str) -> str | None:
    try:
        settings.getlist(name)
    except (TypeError, ValueError):
        return "expected outlet keys separated by commas"
    return None


def _whole(least: int) -> Callable[[BaseSettings, str], str | None]:
    def check(settings: BaseSettings, name: str) -> str | None:
        try:
            value = settings.getint(name)
        except (TypeError, ValueError):
            value = least - 1
        return f"expected a whole number of {least} or more" if value < least else None
    return check


def _number(least: float, *, above: bool = False) -> Callable[[BaseSettings, str], str | None]:
    def check(settings: BaseSettings, name: str) -> str | None:
        try:
            value = settings.getfloat(name)
        except (TypeError, ValueError):
            value = float("nan")
        if not value >= least or (above and value == least):  # NaN too
            return f"expected a number {'above' if above else 'of'} {least:g}" + (
                "" if above else " or more")
        return None
    return check


def _optional(check: Callable[[BaseSettings, str], str | None]
              ) -> Callable[[BaseSettings, str], str | None]:
    def optional(settings: BaseSettings, name: str) -> str | None:
        return None if settings.get(name) in (None, "") else check(settings, name)
    return optional


def _date(settings: BaseSettings, name: str) -> str | None:
    from archive import parse_date_bound

    value = settings.get(name)
    if value in (None, ""):
        return None
    try:
        parse_date_bound(value, name)
    except UsageError:
        return "expected a date, YYYY-MM-DD or ISO 8601 with an offset"
    return None


def _instant(settings: BaseSettings, name: str) -> str | None:
    value = settings.get(name)
    if value in (None, ""):
        return None
    try:
        dt.datetime.fromisoformat(str(value))
    except ValueError:
        return "expected an ISO 8601 time such as 2024-05-01T02:00:00+00:00"
    return None


def _refresh_mode(settings: BaseSettings, name: str) -> str | None:
    from crawler.refresh import MODES

    value = str(settings.get(name) or "")
    return None if value in MODES else f"expected one of {', '.join(MODES)}, got {value!r}"


def _refresh_hours(settings: BaseSettings, name: str) -> str | None:
    from crawler.refresh import parse_hours

    try:
        parse_hours(settings.get(name))
    except ValueError as exc:
        return f"expected hours after publication such as 1,6,24,72 ({exc})"
    return None


def _now(settings: BaseSettings, name: str) -> str | None:
    from crawler.refresh import parse_now

    try:
        parse_now(settings.get(name))
    except ValueError:
        return "expected an ISO 8601 time with its offset, such as 2024-05-01T10:00:00+08:00"
    return None


class Setting(NamedTuple):
    default: Any
    help: str
    check: Callable[[BaseSettings, str], str | None] = _text
    """Why a value is wrong (one phrase), or None when it is right."""


PROJECT_URL = "https://github.com/warta-news/warta"
"""Where a site owner who sees warta in their logs can read what it is and who runs it."""

USER_AGENT = f"warta/{__version__} (+{PROJECT_URL})"

WARTA_SETTINGS: dict[str, Setting] = {
    "WARTA_DB": Setting(os.environ.get("WARTA_DB") or DEFAULT_DB,
                        "Path of the SQLite archive the crawl writes into.", _required_text),
    "WARTA_SITES_DIR": Setting(
        None, "A folder of extra outlet profiles (`KEY.toml`), read after the bundled ones."),
    "WARTA_SITES": Setting(
        [], "Outlet keys to crawl when the spider gets no `site` argument.", _keys),
    "WARTA_SINCE": Setting(
        None, "Only articles published on or after this date (YYYY-MM-DD or ISO 8601): bounds "
              "sitemaps, feeds and listings, and drops older articles.", _date),
    "WARTA_MAX_ARTICLES": Setting(
        0, "At most this many articles per site in one crawl (0 = no limit).", _whole(0)),
    "WARTA_RELATED_DEPTH": Setting(
        1, "How many hops of related-headline links to follow from an article found by a "
           "sitemap, feed or listing (0 = do not follow them).", _whole(0)),
    "WARTA_MAX_PARTS": Setting(
        20, "At most this many pages of one multi-page article are fetched and stitched.",
        _whole(1)),
    "WARTA_BATCH_SIZE": Setting(
        100, "Articles written to the archive per transaction.", _whole(1)),
    "WARTA_FLUSH_SECONDS": Setting(
        10.0, "Write a partial batch when its oldest article has waited this long (seconds).",
        _number(0)),
    "WARTA_SCOPE_ENABLED": Setting(
        True, "Drop requests and redirects that leave the outlet they were made for "
              "(robots.txt, sitemaps and feeds: its registrable domain); requests for private "
              "addresses are refused even when off.", _flag),
    "WARTA_ARCHIVE_ENABLED": Setting(
        True, "Write items into the archive (off: crawl and count only).", _flag),
    "WARTA_STATS_FILE": Setting(
        None, "Write the crawl's final Scrapy stats to this JSON file."),
    "WARTA_PROGRESS": Setting(
        False, "Redraw a one-line progress report on stderr (set by `warta crawl` on a terminal).",
        _flag),
    "WARTA_PROGRESS_INTERVAL": Setting(
        1.0, "Seconds between redraws of the progress line.", _number(0, above=True)),
    "WARTA_INCREMENTAL": Setting(
        True, "Skip article pages the archive already holds, before they are requested "
              "(except changed and due ones; see `WARTA_REFRESH`).", _flag),
    "WARTA_REFRESH": Setting(
        "due", "Which archived articles are checked again for edits (conditionally): `due` "
               "(those the schedule, `WARTA_REFRESH_HOURS`, says are due), `all`, or `none` "
               "(only those a sitemap or feed says changed) (`warta crawl --refresh`).",
        _refresh_mode),
    "WARTA_REFRESH_HOURS": Setting(
        "1,6,24,72", "The refresh schedule: hours after publication at which an archived "
                     "article is checked again; a profile's `[refresh] hours` overrides it.",
        _refresh_hours),
    "WARTA_REFRESH_DAYS": Setting(
        0.0, "Also check again, every crawl, the archived articles published within this many "
             "days (0 = off; before the schedule, 2) (`warta crawl --refresh-days`).",
        _number(0)),
    "WARTA_NOW": Setting(
        None, "The crawl's clock: an ISO 8601 time with its offset at which the crawl takes "
              "itself to start (default: the real time), for schedule simulations and tests.",
        _now),
    "WARTA_STATE_DIR": Setting(
        None, "Folder of the resumable jobs and a crawl lock (default: the archive's path plus "
              "`.state`, e.g. `warta.db.state/`; the archive's own lock stays in the state "
              "folder of its real path)."),
    "WARTA_JOB": Setting(
        None, "The resumable job a crawl belongs to (set by `warta crawl`; recorded with the "
              "crawl)."),
    "WARTA_JOB_STARTED": Setting(
        None, "When the crawl's job began (ISO 8601, set by `warta crawl` when it resumes a "
              "job): articles archived since then are done and not fetched again.", _instant),
    "WARTA_EXTRACT_PROCESSES": Setting(
        None, "Worker processes that read article pages beside the crawl process (0: read them "
              "in it; unset: one per CPU but one, at most 4, started only when reading pages "
              "keeps the crawl process busy).", _optional(_whole(0))),
    # WARC captures (issue 16: crawler/capture/, crawler/middlewares/capture.py)
    "WARTA_CAPTURE": Setting(
        True, "Keep every article page as fetched in WARC files in a folder beside the "
              "archive (`kaltim.db` -> `kaltim.warc/`; `warta crawl --no-capture`: off).",
        _flag),
    "WARTA_CAPTURE_ALL": Setting(
        False, "Capture listing pages, feeds, sitemaps and robots.txt too, not only article "
               "pages.", _flag),
    "WARTA_CAPTURE_MAX_MB": Setting(
        100.0, "Size in MB after which a WARC file is closed and the next one begun.",
        _number(0.001)),
}
"""Every warta setting: default, one line of help, and the check of its value. The README's
Settings section lists them."""


def check_settings(settings: BaseSettings) -> None:
    """Raise `UsageError` (one line, exit status 2) for the first `WARTA_` setting whose value
    its kind refuses, or whose name warta does not know (with the closest known name)."""
    for name in sorted(key for key in settings.attributes if key.startswith("WARTA_")):
        if name == "WARTA_SETTINGS":  # this table, which Scrapy reads as a setting too
            continue
        setting = WARTA_SETTINGS.get(name)
        if setting is None:
            close = difflib.get_close_matches(name, WARTA_SETTINGS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise UsageError(f"unknown setting {name}{hint}; warta's settings are "
                             f"{', '.join(WARTA_SETTINGS)}")
        problem = setting.check(settings, name)
        if problem is not None:
            raise UsageError(f"setting {name}: {problem}, not {settings.get(name)!r}")


def archive_path(settings: BaseSettings) -> str:
    """The archive a crawl writes into and reads from: `WARTA_DB`, else `archive.DEFAULT_DB`."""
    return str(settings.get("WARTA_DB") or DEFAULT_DB)

# --- Scrapy project -------------------------------------------------------------------------

BOT_NAME = "warta"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- Politeness -----------------------------------------------------------------------------

ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
"""A few requests at a time per site: regional outlets run on small servers."""

AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
"""On average two requests in flight per site: half the per-domain cap, so a slow server makes
warta back off well before the cap is reached."""

DOWNLOAD_DELAY = 0.25

DOWNLOAD_TIMEOUT = 30
"""Seconds before a request is given up; news pages answer in well under 10 s when the site
is up."""

DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
"""Bytes; a larger response is refused and counted (`errors/too_large`). The heaviest real article
pages we have seen are about 1 MB of HTML, and sitemaps are capped at 50 MB uncompressed by the
protocol but news sitemaps hold at most 1,000 URLs (well under 1 MB)."""

DOWNLOAD_WARNSIZE = 0
"""No size warnings: a response is either used or refused at DOWNLOAD_MAXSIZE, which Scrapy logs
once with its URL (a warning size would log the same page a second time)."""

RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"
"""warta logs each failed URL once itself (the spider's errback), so Scrapy's own give-up line
is kept at DEBUG."""

REDIRECT_MAX_TIMES = 10

CONCURRENT_ITEMS = 16
"""Items (and requests) of one response processed at once. warta's pipelines are synchronous
CPU work, so parallelism here buys nothing, while Scrapy starts this many asyncio workers for
every response: 16 instead of the default 100 takes that task churn out of the profile of
bench/crawl.py, and one response yields a handful of outputs at most."""

WARN_ON_GENERATOR_RETURN_VALUE = False
"""Scrapy checks each callback for a generator that returns a value by reading its source and
parsing it (`inspect.getsource` + `ast.parse`) on every request whose bound method it has
not cached: 2% of the crawl process's time on bench/crawl.py. The check is for authors of new
callbacks; warta's are covered by tests."""

SCHEDULER_DISK_QUEUE = "crawler.runtime.queues.PickleLifoDiskQueue"
"""Scrapy's pickle queue for JOBDIR, the same files, written only past `HELD_MAX` requests or
at a clean stop, with each callback's name found once (`crawler/runtime/queues.py`)."""

STATS_CLASS = "crawler.extensions.statscollector.WartaStatsCollector"
"""Scrapy's memory stats collector without its per-call deprecation check."""

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
"""Scrapy's remote-control extension runs Python code sent over a local HTTP port: a crawl
that runs unattended from cron needs no such door."""
HTTPCACHE_ENABLED = False

LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawler.extensions.logformatter.WartaLogFormatter"

FEED_EXPORT_ENCODING = "utf-8"

# --- Components -----------------------------------------------------------------------------

SPIDER_MIDDLEWARES: dict[str, int] = {
    # Nearest the spider: archived articles are dropped before any other middleware sees them.
    "crawler.middlewares.incremental.IncrementalMiddleware": 950,
}

DOWNLOADER_MIDDLEWARES = {
    # First of all, and before RobotsTxtMiddleware (100): a host that is refused (a private
    # address, or off the outlet) is not even asked for its robots.txt. Redirected requests
    # come back through both, so a redirect off the outlet or to a private address is caught.
    "crawler.middlewares.addressguard.AddressGuardMiddleware": 40,
    "crawler.middlewares.outletscope.OutletScopeMiddleware": 45,
    # An article request redirected to a page the archive has is skipped there.
    "crawler.middlewares.incremental.RedirectedArticleMiddleware": 120,
    "crawler.middlewares.responsecheck.ResponseCheckMiddleware": 590,
    # Next to the downloader: pages captured as received, before HttpCompression (590).
    "crawler.middlewares.capture.CaptureMiddleware": 950,
    # Scrapy's meta refresh handling (580), asked only of pages that mention `refresh`.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.metarefresh.MetaRefreshMiddleware": 580,
}

ITEM_PIPELINES = {
    "crawler.pipelines.normalize.NormalizePipeline": 100,
    "crawler.pipelines.validate.ValidatePipeline": 200,
    "crawler.pipelines.dedupe.DedupePipeline": 300,
    "crawler.pipelines.archiving.ArchivePipeline": 900,
}

EXTENSIONS = {
    "crawler.extensions.statsfile.StatsFileExtension": 500,
    "crawler.extensions.progress.ProgressExtension": 510,
}

# --- warta's own settings (generated from WARTA_SETTINGS) --------------------------------------

WARTA_DB = WARTA_SETTINGS["WARTA_DB"].default
WARTA_SITES_DIR = WARTA_SETTINGS["WARTA_SITES_DIR"].default
WARTA_SITES = WARTA_SETTINGS["WARTA_SITES"].default
WARTA_SINCE = WARTA_SETTINGS["WARTA_SINCE"].default
WARTA_MAX_ARTICLES = WARTA_SETTINGS["WARTA_MAX_ARTICLES"].default
WARTA_RELATED_DEPTH = WARTA_SETTINGS["WARTA_RELATED_DEPTH"].default
WARTA_MAX_PARTS = WARTA_SETTINGS["WARTA_MAX_PARTS"].default
WARTA_BATCH_SIZE = WARTA_SETTINGS["WARTA_BATCH_SIZE"].default
WARTA_FLUSH_SECONDS = WARTA_SETTINGS["WARTA_FLUSH_SECONDS"].default
WARTA_SCOPE_ENABLED = WARTA_SETTINGS["WARTA_SCOPE_ENABLED"].default
WARTA_ARCHIVE_ENABLED = WARTA_SETTINGS["WARTA_ARCHIVE_ENABLED"].default
WARTA_STATS_FILE = WARTA_SETTINGS["WARTA_STATS_FILE"].default
WARTA_PROGRESS = WARTA_SETTINGS["WARTA_PROGRESS"].default
WARTA_PROGRESS_INTERVAL = WARTA_SETTINGS["WARTA_PROGRESS_INTERVAL"].default
WARTA_INCREMENTAL = WARTA_SETTINGS["WARTA_INCREMENTAL"].default
WARTA_REFRESH = WARTA_SETTINGS["WARTA_REFRESH"].default
WARTA_REFRESH_HOURS = WARTA_SETTINGS["WARTA_REFRESH_HOURS"].default
WARTA_REFRESH_DAYS = WARTA_SETTINGS["WARTA_REFRESH_DAYS"].default
WARTA_NOW = WARTA_SETTINGS["WARTA_NOW"].default
WARTA_STATE_DIR = WARTA_SETTINGS["WARTA_STATE_DIR"].default
WARTA_JOB = WARTA_SETTINGS["WARTA_JOB"].default
WARTA_JOB_STARTED = WARTA_SETTINGS["WARTA_JOB_STARTED"].default
WARTA_EXTRACT_PROCESSES = WARTA_SETTINGS["WARTA_EXTRACT_PROCESSES"].default
WARTA_CAPTURE = WARTA_SETTINGS["WARTA_CAPTURE"].default
WARTA_CAPTURE_ALL = WARTA_SETTINGS["WARTA_CAPTURE_ALL"].default
WARTA_CAPTURE_MAX_MB = WARTA_SETTINGS["WARTA_CAPTURE_MAX_MB"].default
