"""Incremental crawls: article pages the archive already holds are not fetched again.

`IncrementalMiddleware` is a spider middleware: it decides on each request the spider makes
before the request is scheduled, from the plain metadata the `news` spider puts on it
(`warta_kind`, `warta_site`, `warta_target` = the canonical URL, `warta_lastmod` /
`warta_published` = what a sitemap or feed said about the page). The archive's articles of an
outlet are loaded once, the first time the outlet asks for an article (its URL and five
times: about 650 bytes an article, 64 MB for 100,000, measured with tracemalloc; the URL
strings are most of it, so a more compact table of the times saved only a sixth), so a
decision is a dictionary look-up and a skipped page never reaches the scheduler. (A
downloader middleware would see the same requests only after the scheduler had queued them,
on disk with a JOBDIR: measured on an unchanged outlet of 2,000 articles, that trip cost about
a millisecond per skipped page, most of the re-crawl's time.) `RedirectedArticleMiddleware`,
a downloader middleware, decides on the one request the spider never sees: an article request
redirected to another URL.

An article page is fetched when (`decide`, first rule that applies):

1. the archive does not have it: `new`;
2. this job already archived it (a resumed or recovered crawl, see `crawler/runtime/jobs.py`):
   skipped as `done`, its stored related links followed instead (only these are read from the
   archive);
3. a sitemap `lastmod` or a feed's updated/published date is later than the last time warta
   read the page (`Seen.read_at`) and than the page's own modification time: `changed`;
4. its body was not read whole (`body_status` `short` or `missing`, issue 12) and warta first
   archived it less than `INCOMPLETE_DAYS` (7) ago: `incomplete`, so a page whose body came
   late, or that a newer extraction reads, is filled in (the row becomes `ok`, the empty or
   short text kept as a version). After that it is left alone like any other article (a
   sitemap or feed date can still make it `changed`);
5. it was published within the refresh window (`WARTA_REFRESH_DAYS`, `warta crawl
   --refresh-days`; an undated article: first archived within it), so late corrections are
   caught even where the outlet announces none: `refresh`;
6. otherwise it is skipped as `archived` (`skipped/archived`, `site/<key>/skipped`).

A child sitemap whose `lastmod` in its index predates the start of the outlet's last complete
crawl (finished, no error at that outlet, bounded by neither `--since` nor `--max-articles`;
`Archive.last_complete_crawl`) lists nothing that crawl did not ask for; when it also predates
the refresh window, it lists no article to refresh either (an article's lastmod is never before
its publication): skipped as `sitemap_unchanged`. This is what spares an outlet with years of
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

DAY = 86_400.0

INCOMPLETE_DAYS = 7
"""How long an article archived without its whole body (`body_status` `short` or `missing`)
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
    when the last read stored it, else the last read's write time less `LASTMOD_SLACK`."""
    modified: float | None
    complete: bool = True
    """False when the archived body is `short` or `missing` (`body_status`)."""


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
            read_at = min(fetched_ts, last_ts)
        else:
            read_at = last_ts - slack
        complete = bool(rest[0]) if rest else True
        seen[url] = Seen(_ts(published), first_ts, last_ts, read_at, _ts(modified), complete)
    return seen


@dataclass(frozen=True)
class Window:
    """The clock of one crawl: its start, its refresh window, its job's start."""

    now: float
    refresh_seconds: float
    job_started: float | None = None


def decide(seen: Seen | None, hints: Iterable[float | None], window: Window) -> str:
    """The rule that applies to one article request: `new`, `changed`, `incomplete` or
    `refresh` (fetched), `done` or `archived` (not fetched)."""
    if seen is None:
        return "new"
    # The archive's times are whole seconds: an article this job wrote in the second it began
    # reads as written before it. Taken for an earlier crawl's, it would be skipped without
    # its related links, and a page found only through them (an old article a resumed crawl
    # reaches through newer ones) would never be fetched. Taken for this job's own, an article
    # an earlier crawl wrote in that same second is skipped too, its links followed: harmless.
    if window.job_started is not None and seen.last_seen >= math.floor(window.job_started):
        return "done"
    reference = max(seen.read_at, seen.modified or 0.0)
    if any(hint is not None and hint > reference for hint in hints):
        return "changed"
    if not seen.complete and seen.first_seen >= window.now - INCOMPLETE_DAYS * DAY:
        return "incomplete"
    recent = seen.published if seen.published is not None else seen.first_seen
    if recent >= window.now - window.refresh_seconds:
        return "refresh"
    return "archived"


FETCHED = frozenset({"new", "changed", "incomplete", "refresh"})


class ArchiveIndex:
    """What one crawl knows of the archive, for the decisions above: the archived articles of
    each outlet (loaded at the first question about that outlet), the start of each outlet's
    last complete crawl, and the crawl's clock. One per component; closed with the spider."""

    def __init__(self, db_path: str, stats: StatsCollector, *, refresh_days: float,
                 job_started: str | None = None, now: dt.datetime | None = None) -> None:
        if refresh_days < 0:
            raise WartaError(f"WARTA_REFRESH_DAYS must be 0 or more, not {refresh_days}")
        self.db_path = db_path
        self.stats = stats
        started = (now or dt.datetime.now(dt.UTC)).timestamp()
        self.window = Window(now=started, refresh_seconds=refresh_days * DAY,
                             job_started=_ts(job_started))
        self.archive: Archive | None = None
        self.unavailable = False
        self.seen: dict[str, dict[str, Seen]] = {}
        self.complete_since: dict[str, float | None] = {}

    @classmethod
    def from_settings(cls, crawler: Crawler) -> ArchiveIndex:
        settings = crawler.settings
        assert crawler.stats is not None
        return cls(archive_path(settings), crawler.stats,
                   refresh_days=settings.getfloat("WARTA_REFRESH_DAYS"),
                   job_started=settings.get("WARTA_JOB_STARTED") or None)

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
        return found

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
        rule = decide(seen, hints, self.window)
        self.stats.inc_value(f"incremental/{rule}")
        if rule in FETCHED:
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
                complete - LASTMOD_SLACK.total_seconds(),
                self.window.now - self.window.refresh_seconds):
            return None
        self.stats.inc_value("incremental/sitemap_unchanged")
        return SkipRequest("sitemap_unchanged")

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
