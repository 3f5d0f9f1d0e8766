"""Incremental crawls: article pages the archive already holds are not fetched again.

`IncrementalMiddleware` is a downloader middleware: it decides on each request before it is
sent, from the plain metadata the `news` spider puts on it (`warta_kind`, `warta_site`,
`warta_target` = the canonical URL, `warta_lastmod`/`warta_published` = what a sitemap or feed
said about the page). The archive's articles of an outlet are loaded once, the first time the
outlet asks for an article (URL and four times, about 150 bytes each: 15 MB for 100,000
articles), so a decision is a dictionary look-up.

An article page is fetched when (`decide`, first rule that applies):

1. the archive does not have it: `new`;
2. this job already archived it (a resumed or recovered crawl, see `crawler/state.py`): skipped
   as `done`, its stored related links followed instead (only these are read from the archive);
3. a sitemap `lastmod` or a feed's updated/published date is later than the last time warta
   read the page (`Seen.read_at`) and than the page's own modification time: `changed`;
4. it was published within the refresh window (`WARTA_REFRESH_DAYS`, `warta crawl
   --refresh-days`; an undated article: first archived within it), so late corrections are
   caught even where the outlet announces none: `refresh`;
5. otherwise it is skipped as `archived` (`skipped/archived`, `site/<key>/skipped`).

A child sitemap whose `lastmod` in its index predates the start of the outlet's last complete
crawl (finished, no error at that outlet, bounded by neither `--since` nor `--max-articles`;
`Archive.last_complete_crawl`) lists nothing that crawl did not ask for: skipped as
`sitemap_unchanged`. Feeds and listings are always fetched: they are where new articles show.

Decisions are counted under `incremental/<rule>`. Off with `WARTA_INCREMENTAL = False`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy.statscollectors import StatsCollector

from archive import Archive, WartaError
from crawler.middlewares import SkipRequest

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


class Seen(NamedTuple):
    """What the archive knows of one article page, as POSIX timestamps."""

    published: float | None
    first_seen: float
    last_seen: float
    read_at: float
    """No edit before this is missing from the archive: the fetch time of the stored content
    when the last read stored it, else the last read's write time less `LASTMOD_SLACK`."""
    modified: float | None


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
    for url, published, first, last, changed, fetched, modified in rows:
        first_ts = _ts(first) or 0.0
        last_ts = _ts(last) or first_ts
        fetched_ts = _ts(fetched)
        if last == changed and fetched_ts is not None:
            read_at = min(fetched_ts, last_ts)
        else:
            read_at = last_ts - slack
        seen[url] = Seen(_ts(published), first_ts, last_ts, read_at, _ts(modified))
    return seen


@dataclass(frozen=True)
class Window:
    """The clock of one crawl: its start, its refresh window, its job's start."""

    now: float
    refresh_seconds: float
    job_started: float | None = None


def decide(seen: Seen | None, hints: Iterable[float | None], window: Window) -> str:
    """The rule that applies to one article request: `new`, `done`, `changed`, `refresh`
    (these three and `new` are fetched, `done` is not) or `archived` (not fetched)."""
    if seen is None:
        return "new"
    if window.job_started is not None and seen.last_seen >= window.job_started:
        return "done"
    reference = max(seen.read_at, seen.modified or 0.0)
    if any(hint is not None and hint > reference for hint in hints):
        return "changed"
    recent = seen.published if seen.published is not None else seen.first_seen
    if recent >= window.now - window.refresh_seconds:
        return "refresh"
    return "archived"


FETCHED = frozenset({"new", "changed", "refresh"})


class IncrementalMiddleware:
    """Skip archived article pages (and unchanged child sitemaps) before they are requested;
    see the module docstring for the rules."""

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
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("WARTA_INCREMENTAL"):
            raise NotConfigured
        assert crawler.stats is not None
        middleware = cls(settings.get("WARTA_DB") or "warta.db", crawler.stats,
                         refresh_days=settings.getfloat("WARTA_REFRESH_DAYS"),
                         job_started=settings.get("WARTA_JOB_STARTED") or None)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    # The archive is opened at the first decision, not at spider open: the archive pipeline
    # creates (or upgrades) it when the spider opens, before any request is sent.
    def _archive(self) -> Archive | None:
        if self.archive is None and not self.unavailable:
            try:
                self.archive = Archive(self.db_path, create=False, readonly=True)
            except WartaError as exc:  # every page is then fetched, as in a first crawl
                logger.warning("cannot read the archive, so every page is fetched: %s", exc)
                self.unavailable = True
        return self.archive

    def _seen(self, site: str) -> dict[str, Seen]:
        known = self.seen.get(site)
        if known is None:
            archive = self._archive()
            known = load_seen(archive.seen_articles(site)) if archive is not None else {}
            self.seen[site] = known
            self.stats.set_value(f"incremental/known/{site}", len(known))
        return known

    def _complete_since(self, site: str) -> float | None:
        if site not in self.complete_since:
            archive = self._archive()
            started = archive.last_complete_crawl(site) if archive is not None else None
            self.complete_since[site] = _ts(started)
        return self.complete_since[site]

    def process_request(self, request: Request) -> None:
        meta = request.meta
        kind = meta.get("warta_kind")
        site = meta.get("warta_site")
        if not site:
            return None
        if kind == "article":
            self._article(request, site, meta)
        elif kind == "sitemap" and meta.get("warta_lastmod"):
            complete = self._complete_since(site)
            lastmod = _ts(meta["warta_lastmod"])
            if complete is not None and lastmod is not None and (
                    lastmod < complete - LASTMOD_SLACK.total_seconds()):
                raise SkipRequest("sitemap_unchanged")
        return None

    def _article(self, request: Request, site: str, meta: Mapping[str, Any]) -> None:
        # A redirect's new request keeps the original target in its meta: look up where it
        # now points (the page whose canonical URL the archive has) instead.
        url = request.url if meta.get("redirect_urls") else (meta.get("warta_target")
                                                             or request.url)
        seen = self._seen(site).get(url)
        hints = (_ts(meta.get("warta_lastmod")), _ts(meta.get("warta_published")))
        rule = decide(seen, hints, self.window)
        self.stats.inc_value(f"incremental/{rule}")
        if rule in FETCHED:
            return
        if rule == "done":
            # Always with its links: the spider decides by depth whether to follow them now or
            # keep them in case the article turns up nearer a listing, as for a page it reads.
            archive = self._archive()
            related = archive.related_urls(url) if archive is not None else []
            raise SkipRequest("done", done=True, related=related)
        raise SkipRequest("archived")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.archive is not None:
            self.archive.close()
            self.archive = None
        self.seen = {}
