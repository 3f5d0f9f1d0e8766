"""Incremental crawls: article pages the archive already holds are not fetched again.

`IncrementalMiddleware` is a spider middleware: it decides on each request the spider makes
before the request is scheduled, from the plain metadata the `news` spider puts on it
(`warta_kind`, `warta_site`, `warta_target` = the canonical URL, `warta_lastmod` /
`warta_published` = what a sitemap or feed said about the page). The archive's articles of an
outlet are loaded once, the first time the outlet asks for an article (its URL and five times:
about 650 bytes an article, 64 MB for 100,000, measured with tracemalloc; the URL strings are
most of it, so a more compact table of the times saved only a sixth; the validators and next
check of issue 14 add two short strings and a float, about 180 bytes by object sizes, not
measured), so a decision is a dictionary look-up and a skipped page never reaches the
scheduler. (A downloader middleware would see the same requests only after the scheduler had
queued them, on disk with a JOBDIR: measured on an unchanged outlet of 2,000 articles, that
trip cost about a millisecond per skipped page, most of the re-crawl's time.)
`RedirectedArticleMiddleware`, a downloader middleware, decides on the one request the spider
never sees: an article request redirected to another URL.

An article page is fetched when (`decide`, first rule that applies):

1. the archive does not have it: `new`;
2. this job already archived it (a resumed or recovered crawl, see `crawler/runtime/jobs.py`):
   skipped as `done`, its stored related links followed instead (only these are read from the
   archive);
3. a sitemap `lastmod` or a feed's updated/published date is later than the last time warta
   read the page (`Seen.read_at`) and than the page's own modification time: `changed`;
4. its body was not read whole (`body_status` `short`, `missing` or `incomplete`: a part of
   a multi-page article missing; issues 12, 13) and warta first
   archived it less than `INCOMPLETE_DAYS` (7) ago: `incomplete`, so a page whose body came
   late, or that a newer extraction reads, is filled in (the row becomes `ok`, the empty or
   short text kept as a version). After that it is left alone like any other article (a
   sitemap or feed date can still make it `changed`);
5. `--refresh all` (`WARTA_REFRESH`): every archived article: `refresh`; so is one published
   within `WARTA_REFRESH_DAYS` (`warta crawl --refresh-days`, 0 by default; an undated
   article: first archived within it);
6. `--refresh due` (the default): its next scheduled check (`crawler.refresh`: 1 h, 6 h, 24 h
   and 72 h after publication) has come: `due`, so late corrections are caught even where the
   outlet announces none;
7. otherwise it is skipped as `archived` (`skipped/archived`, `site/<key>/skipped`).

An archived article fetched again is asked for conditionally: the `ETag` and `Last-Modified`
the outlet last sent go back as `If-None-Match` and `If-Modified-Since` (meta
`warta_validators`), and a `304 Not Modified` is the spider's to handle (no parse; the archive
only notes the read). Not for `incomplete` pages (a newer extraction may read more of the same
page), and not with a validator that cannot be trusted: an `ETag` the archive holds for more
than one page of the outlet (an outlet that sends one for every page: `conditional/etag_shared`)
or a `Last-Modified` later than the crawl's clock (`conditional/future_last_modified`); those
pages are fetched in full, as before.

A child sitemap whose `lastmod` in its index predates the start of the outlet's last complete
crawl (finished, no error at that outlet, bounded by neither `--since` nor `--max-articles`;
`Archive.last_complete_crawl`) lists nothing that crawl did not ask for; when it also predates
the last scheduled check (72 h by default) and the refresh window, it lists no article to
check again either (an article's lastmod is never before its publication): skipped as
`sitemap_unchanged` (never with `--refresh all`). This is what spares an outlet with years of
monthly sitemaps from reading them all every hour. Feeds and listings are always fetched: they
are where new articles show.

Decisions are counted under `incremental/<rule>`. Off with `WARTA_INCREMENTAL = False`.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.statscollectors import StatsCollector

from archive import Archive, WartaError
from crawler.exceptions import SkipRequest
from crawler.refresh import (
    DEFAULT_HOURS,
    FUTURE_SLACK,
    MODES,
    Clock,
    http_date_ts,
    next_check,
    parse_hours,
)
from crawler.runtime.archivestop import stop_for_archive
from crawler.settings import archive_path

logger = logging.getLogger(__name__)

#: When warta last read a page and found it unchanged, the archive knows only when it wrote
#: that down (`last_seen_at`), up to `WARTA_FLUSH_SECONDS` (10 s) plus the pipeline's latency
#: after the fetch. A sitemap or feed date up to this long before then may be an edit made
#: after the fetch, so it still counts as a change. A minute covers that gap and the clock
#: difference of servers kept by NTP (well under a second); the cost is one extra fetch of a
#: page edited just before it was read. (When the last read stored new content, its exact
#: fetch time is known and no margin is needed.)
LASTMOD_SLACK = dt.timedelta(seconds=60)

TIME_RESOLUTION = 1.0
"""The archive's times are whole seconds, and so are most `lastmod`s: a fetch stored as
15:25:18 was made in that second, and an edit later in that second shows as a `lastmod` of
15:25:18, no later than the read. So the read time is taken one second early, and the
version read is known to be at least as new as the page's own `Last-Modified`, when the
outlet sent one no later than the read (`Seen.version_time`): an edit in the second of the
read counts as later unless the page read already carried it."""

DAY = 86_400.0

INCOMPLETE_DAYS = 7
"""How long an article archived without its whole body (`body_status` not `ok`)
is fetched again by every crawl, counted from when warta first archived it. A body missing
because the outlet filled the page in late, or a template the extraction did not know yet,
is read within days; a page that stays bodiless a week is one the rules cannot read, and
fetching it for ever would cost an hourly crawl a request per such page per run. (Bounded by
days rather than attempts: the archive keeps no count of reads that changed nothing, and a
week holds 7 daily or 168 hourly attempts, a few pages per outlet beside the feeds and
listings every run fetches.)"""


class Seen(NamedTuple):
    """What the archive knows of one article page, as POSIX timestamps."""

    published: float | None
    first_seen: float
    last_seen: float
    read_at: float
    """No edit before this is missing from the archive: the fetch time of the stored content
    when the last read stored it (less `TIME_RESOLUTION`), else the last read's write time
    less `LASTMOD_SLACK`."""
    modified: float | None
    complete: bool = True
    """False when the archived body is `short`, `missing` or `incomplete` (`body_status`)."""
    etag: str | None = None
    last_modified: str | None = None
    """The validators the outlet last sent, as sent."""
    next_check: float | None = None
    """When the schedule next checks it (`article_checks.next_check_at`); None: no check left."""
    scheduled: bool = False
    """The archive holds its schedule (False: archived before it, see `due_at`)."""

    @property
    def version_time(self) -> float:
        """The `Last-Modified` of the latest read, when no later than that read (a future one
        proves nothing); 0.0 without one."""
        when = http_date_ts(self.last_modified)
        return when if when is not None and when <= self.last_seen else 0.0

    @property
    def anchor(self) -> float:
        """What its schedule counts from: its publication, else when it was first archived."""
        return self.published if self.published is not None else self.first_seen


def _ts(value: str | None) -> float | None:
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


def load_seen(rows: Iterable[tuple[Any, ...]]) -> dict[str, Seen]:
    """`Archive.seen_articles` rows -> canonical URL -> `Seen`."""
    seen: dict[str, Seen] = {}
    slack = LASTMOD_SLACK.total_seconds()
    for url, published, first, last, changed, fetched, modified, *rest in rows:
        first_ts = _ts(first) or 0.0
        last_ts = _ts(last) or first_ts
        fetched_ts = _ts(fetched)
        if last == changed and fetched_ts is not None:
            read_at = min(fetched_ts, last_ts) - TIME_RESOLUTION
        else:
            read_at = last_ts - slack
        complete = bool(rest[0]) if rest else True
        etag, last_modified, next_check_at, scheduled = (*rest[1:5], None, None, None, False)[:4]
        seen[url] = Seen(_ts(published), first_ts, last_ts, read_at, _ts(modified), complete,
                         etag, last_modified, _ts(next_check_at), bool(scheduled))
    return seen


def due_at(seen: Seen, hours: tuple[float, ...], now: float) -> float | None:
    """When an archived article is next due: its stored `next_check`, or for one archived
    before the schedule, the first of its ages after the last time warta read it, while it
    is younger than the last age (an archive of years upgraded is not read again whole)."""
    if seen.scheduled:
        return seen.next_check
    if not hours or seen.anchor < now - hours[-1] * 3600.0:
        return None
    return next_check(seen.anchor, seen.last_seen, hours)


@dataclass(frozen=True)
class Window:
    """The clock of one crawl: its start, its refresh window, its job's start."""

    now: float
    refresh_seconds: float
    job_started: float | None = None
    mode: str = "due"
    """`WARTA_REFRESH`: `due`, `all` or `none`."""
    hours: tuple[float, ...] = DEFAULT_HOURS
    """The schedule (`WARTA_REFRESH_HOURS`), for outlets whose profile sets none."""


def decide(seen: Seen | None, hints: Iterable[float | None], window: Window,
           hours: tuple[float, ...] | None = None) -> str:
    """The rule that applies to one article request: `new`, `changed`, `incomplete`,
    `refresh` or `due` (fetched), `done` or `archived` (not fetched). `hours`: the outlet's
    own schedule, if its profile has one."""
    if seen is None:
        return "new"
    # The archive's times are whole seconds: an article this job wrote in the second it began
    # reads as written before it. Taken for an earlier crawl's, it would be skipped without
    # its related links, and a page found only through them (an old article a resumed crawl
    # reaches through newer ones) would never be fetched. Taken for this job's own, an article
    # an earlier crawl wrote in that same second is skipped too, its links followed: harmless.
    if window.job_started is not None and seen.last_seen >= math.floor(window.job_started):
        return "done"
    latest = max((hint for hint in hints if hint is not None), default=None)
    # the page's Last-Modified is parsed only for a hint later than the rest (rarely)
    if latest is not None and latest > max(seen.read_at, seen.modified or 0.0) \
            and latest > seen.version_time:
        return "changed"
    if not seen.complete and seen.first_seen >= window.now - INCOMPLETE_DAYS * DAY:
        return "incomplete"
    if window.mode == "all":
        return "refresh"
    if window.refresh_seconds and seen.anchor >= window.now - window.refresh_seconds:
        return "refresh"
    if window.mode == "due":
        due = due_at(seen, hours or window.hours, window.now)
        if due is not None and due <= window.now:
            return "due"
    return "archived"


FETCHED = frozenset({"new", "changed", "incomplete", "refresh", "due"})
CONDITIONAL = frozenset({"changed", "refresh", "due"})
"""The rules whose fetch is conditional (when the archive holds trustworthy validators)."""

def shared_etags(seen: Iterable[Seen]) -> set[str]:
    """The ETags held by more than one archived page of an outlet: not validators at all."""
    counts: dict[str, int] = {}
    for one in seen:
        if one.etag:
            counts[one.etag] = counts.get(one.etag, 0) + 1
    return {etag for etag, count in counts.items() if count > 1}


class ArchiveIndex:
    """What one crawl knows of the archive, for the decisions above: the archived articles of
    each outlet (loaded at the first question about that outlet), the start of each outlet's
    last complete crawl, and the crawl's clock. One per component; closed with the spider."""

    def __init__(self, db_path: str, stats: StatsCollector, *, refresh_days: float,
                 job_started: str | None = None, now: dt.datetime | None = None,
                 mode: str = "due", hours: tuple[float, ...] = DEFAULT_HOURS,
                 site_hours: dict[str, tuple[float, ...] | None] | None = None) -> None:
        if refresh_days < 0:
            raise WartaError(f"WARTA_REFRESH_DAYS must be 0 or more, not {refresh_days}")
        if mode not in MODES:
            raise WartaError(f"WARTA_REFRESH must be one of {', '.join(MODES)}, not {mode!r}")
        self.db_path = db_path
        self.stats = stats
        started = (now or dt.datetime.now(dt.UTC)).timestamp()
        self.window = Window(now=started, refresh_seconds=refresh_days * DAY,
                             job_started=_ts(job_started), mode=mode, hours=hours)
        self.site_hours = dict(site_hours or {})
        self.archive: Archive | None = None
        self.unavailable = False
        self.seen: dict[str, dict[str, Seen]] = {}
        self.shared: dict[str, set[str]] = {}
        self.complete_since: dict[str, float | None] = {}

    @classmethod
    def from_settings(cls, crawler: Crawler) -> ArchiveIndex:
        settings = crawler.settings
        assert crawler.stats is not None
        profiles = getattr(crawler.spider, "profiles", None) or {}
        return cls(archive_path(settings), crawler.stats,
                   refresh_days=settings.getfloat("WARTA_REFRESH_DAYS"),
                   job_started=settings.get("WARTA_JOB_STARTED") or None,
                   now=Clock.from_settings(settings).now(),
                   mode=str(settings.get("WARTA_REFRESH") or "due"),
                   hours=parse_hours(settings.get("WARTA_REFRESH_HOURS") or DEFAULT_HOURS),
                   site_hours={key: getattr(p, "refresh_hours", None)
                               for key, p in profiles.items()})

    # The archive is opened at the first question, not at spider open: the archive pipeline
    # creates (or upgrades) it when the spider opens, before any request is made.
    def _archive(self) -> Archive | None:
        if self.archive is None and not self.unavailable:
            try:
                self.archive = Archive(self.db_path, create=False, readonly=True)
            except WartaError as exc:  # every page is then fetched, as in a first crawl
                logger.warning("cannot read the archive, so every page is fetched: %s", exc)
                self.unavailable = True
        return self.archive

    def known(self, site: str) -> dict[str, Seen]:
        """The archived articles of an outlet, by canonical URL."""
        found = self.seen.get(site)
        if found is None:
            archive = self._archive()
            found = load_seen(archive.seen_articles(site)) if archive is not None else {}
            self.seen[site] = found
            self.stats.set_value(f"incremental/known/{site}", len(found))
            shared = self.shared[site] = shared_etags(found.values())
            if shared:
                pages = sum(1 for one in found.values() if one.etag in shared)
                self.stats.inc_value("conditional/etag_shared", pages)
                logger.info("%s sends the same ETag for %d different pages: its ETags are not "
                            "sent back, those pages are fetched in full", site, pages)
        return found

    def validators(self, site: str, seen: Seen) -> dict[str, str]:
        """The validators to send back for an archived page: those the archive holds that can
        be trusted (see the module docstring)."""
        out: dict[str, str] = {}
        if seen.etag and seen.etag not in self.shared.get(site, ()):
            out["etag"] = seen.etag
        if seen.last_modified:
            when = http_date_ts(seen.last_modified)
            if when is not None and when <= self.window.now + FUTURE_SLACK:
                out["last_modified"] = seen.last_modified
            elif when is not None:
                self.stats.inc_value("conditional/future_last_modified")
        return out

    def lookup(self, site: str, url: str) -> Seen | None:
        """One URL, without loading the outlet (for the rare redirected request)."""
        if site in self.seen:
            return self.seen[site].get(url)
        archive = self._archive()
        if archive is None:
            return None
        return load_seen(archive.seen_articles(site, urls=[url])).get(url)

    def article(self, request: Request, seen: Seen | None) -> SkipRequest | None:
        """The decision on an article request: None to fetch it, else why it is skipped."""
        meta = request.meta
        hints = (_ts(meta.get("warta_lastmod")), _ts(meta.get("warta_published")))
        site = meta.get("warta_site") or ""
        rule = decide(seen, hints, self.window, self.site_hours.get(site))
        self.stats.inc_value(f"incremental/{rule}")
        if rule in FETCHED:
            if seen is not None:
                meta["warta_anchor"] = seen.anchor  # what its next check counts from
            if seen is not None and rule in CONDITIONAL and not meta.get("redirect_urls"):
                found = self.validators(site, seen)
                if found:
                    meta["warta_validators"] = found
                    if "etag" in found:
                        request.headers["If-None-Match"] = found["etag"]
                    if "last_modified" in found:
                        request.headers["If-Modified-Since"] = found["last_modified"]
                    self.stats.inc_value("conditional/sent")
            return None
        if rule == "done":
            # Always with its links: the spider decides by depth whether to follow them now or
            # keep them in case the article turns up nearer a listing, as for a page it reads.
            archive = self._archive()
            url = meta.get("warta_target") or request.url
            related = archive.related_urls(url) if archive is not None else []
            return SkipRequest("done", done=True, related=related)
        return SkipRequest("archived")

    def sitemap(self, request: Request) -> SkipRequest | None:
        """The decision on a child sitemap whose index gave its lastmod."""
        site = request.meta["warta_site"]
        if site not in self.complete_since:
            archive = self._archive()
            started = archive.last_complete_crawl(site) if archive is not None else None
            self.complete_since[site] = _ts(started)
        complete = self.complete_since[site]
        lastmod = _ts(request.meta.get("warta_lastmod"))
        if complete is None or lastmod is None or lastmod >= min(
                complete - LASTMOD_SLACK.total_seconds(), self.window.now - self.horizon(site)):
            return None
        self.stats.inc_value("incremental/sitemap_unchanged")
        return SkipRequest("sitemap_unchanged")

    def horizon(self, site: str) -> float:
        """How far back (seconds) an archived article may still be fetched again without a
        sitemap or feed saying it changed: a child sitemap last modified before then lists
        none (an article's lastmod is never before its publication)."""
        window = self.window
        if window.mode == "all":
            return math.inf
        if window.mode == "due":
            hours = self.site_hours.get(site) or window.hours
            return max(window.refresh_seconds, max(hours, default=0.0) * 3600.0)
        return window.refresh_seconds

    def failed(self, exc: sqlite3.DatabaseError) -> WartaError:
        """A read of the archive failed: the one line for a damaged archive file (the crawl
        must stop), else `exc` itself is raised again (a bug, with its traceback)."""
        if self.archive is None or not Archive.is_file_error(exc):
            raise exc
        return self.archive.damaged(exc)

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()
            self.archive = None
        self.seen = {}


class ArchiveIndexMiddleware:
    """What both incremental middlewares share: the crawl's `ArchiveIndex`, made when
    `WARTA_INCREMENTAL` is on and closed with the spider."""

    def __init__(self, index: ArchiveIndex, crawler: Crawler | None = None) -> None:
        self.index = index
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("WARTA_INCREMENTAL"):
            raise NotConfigured
        middleware = cls(ArchiveIndex.from_settings(crawler), crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.index.close()


class IncrementalMiddleware(ArchiveIndexMiddleware):
    """A spider middleware: the article and sitemap requests the spider makes are decided on
    before they are scheduled (see the module docstring for the rules), so a skipped page costs
    a dictionary look-up, not a trip through the scheduler, its disk queue and the downloader.
    A skipped request goes back to the spider (`spider.on_skip(request, SkipRequest)`), which
    counts it, frees its place under `max_articles` and returns the requests that follow from
    it (a done article's related links), decided on in turn."""

    crawler: Crawler  # always made by from_crawler (stops the crawl, tells the spider)

    def _decide(self, request: Request) -> SkipRequest | None:
        meta = request.meta
        site = meta.get("warta_site")
        if not site:
            return None
        kind = meta.get("warta_kind")
        if kind == "article" and meta.get("warta_unconditional"):
            return None  # decided already: the spider asks again in full after a wrong 304
        if kind == "article":
            url = meta.get("warta_target") or request.url
            return self.index.article(request, self.index.known(site).get(url))
        if kind == "sitemap" and meta.get("warta_lastmod"):
            return self.index.sitemap(request)
        return None

    def _filter(self, output: Any) -> Iterator[Any]:
        if not isinstance(output, Request):
            yield output
            return
        try:
            skip = self._decide(output)
        except sqlite3.DatabaseError as exc:  # the archive is damaged: the crawl stops
            stop_for_archive(self.crawler, self.index.failed(exc))
            return
        if skip is None:
            yield output
            return
        on_skip = getattr(self.crawler.spider, "on_skip", None)
        if on_skip is not None:
            for follow in on_skip(output, skip):
                yield from self._filter(follow)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for output in start:
            for kept in self._filter(output):
                yield kept

    def process_spider_output(self, response: Response | None,
                              result: Iterable[Any]) -> Iterator[Any]:
        for output in result:
            if isinstance(output, Request):
                yield from self._filter(output)
            else:  # an item: what `_filter` does with it, without starting it
                yield output

    async def process_spider_output_async(self, response: Response | None,
                                          result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for output in result:
            if not isinstance(output, Request):
                yield output
                continue
            for kept in self._filter(output):
                yield kept


class RedirectedArticleMiddleware(ArchiveIndexMiddleware):
    """A downloader middleware for the one case the spider middleware cannot see: an article
    request that was redirected. Its new request keeps the old target in its meta, so the
    archive is asked about where it now points (the page whose canonical URL the archive has),
    one URL at a time; archived and not due, it is skipped (`SkipRequest`, to the spider's
    errback)."""

    def process_request(self, request: Request) -> None:
        meta = request.meta
        site = meta.get("warta_site")
        if not site or meta.get("warta_kind") != "article" or not meta.get("redirect_urls"):
            return None
        # The validators were the first URL's: a 304 from where it now points would say
        # nothing of the page warta holds.
        if meta.pop("warta_validators", None):
            for name in ("If-None-Match", "If-Modified-Since"):
                request.headers.pop(name, None)
        try:
            seen = self.index.lookup(site, request.url)
        except sqlite3.DatabaseError as exc:  # the archive is damaged: the crawl stops
            error = self.index.failed(exc)
            if self.crawler is not None:
                stop_for_archive(self.crawler, error)
            raise IgnoreRequest(str(error)) from None
        skip = self.index.article(request, seen)
        if skip is not None:
            raise skip
        return None
