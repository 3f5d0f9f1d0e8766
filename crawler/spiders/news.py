"""The `news` spider: discovers article pages of one or more outlets and turns each into an item.

    scrapy crawl news -a site=kaltimpost            # one outlet (comma-separated for several)
    scrapy crawl news -a site=kaltimpost -a since=2024-01-01 -a max_articles=50

Discovery, per outlet (every request goes through Scrapy's engine):

1. robots.txt (obeyed by Scrapy's RobotsTxtMiddleware; its `Sitemap:` lines read here);
2. sitemap indexes, sitemaps and news sitemaps (declared in the profile or in robots.txt),
   bounded by `since` through `lastmod` and `news:publication_date`;
3. RSS/Atom/JSON feeds, declared in the profile or announced on the homepage with
   `<link rel="alternate">`, bounded by `since` through item dates;
4. listing pages: the homepage, the profile's `listings` if any, and every listing they link
   to (an index, a section or channel, a tag, an author, a date archive: told by URL shape and
   anchor text in `listings.parse_listing`), breadth-first up to `MAX_LISTING_DEPTH` links
   from the homepage and `LISTING_BUDGET_PAGES` x `max_listing_pages` pages per outlet; each
   followed through its pagination (`rel=next`, `Selanjutnya`, numbered pages) up to the
   profile's `max_listing_pages`, stopping early at a page with no new article (the end, a
   loop), at a page whose articles are all older than `since` (by the time printed beside
   each link), and at a page that reached archived articles (an incremental crawl). What a
   bound cut is counted as `discovery/listing_cut/<reason>`, an early stop as
   `discovery/listing_stop/<reason>`;
5. related-headline links on article pages (same outlet only), up to `WARTA_RELATED_DEPTH` hops.

Article pages are read by `crawler.extract.extract_article` in the callback; the further pages
of a multi-page article are fetched in turn and stitched with `merge_parts`. Every request
carries plain metadata (`warta_site`, `warta_kind`, `warta_depth`, date hints), so downloader
middlewares can decide on it without knowing the spider.

A URL that fails (HTTP error, timeout, redirect loop, empty or oversized body, an unsafe or
non-XML sitemap, a feed that is HTML, a page extraction cannot read) is counted under
`errors/<kind>` and `site/<key>/errors`, logged once with the URL, and the crawl goes on.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from twisted.python.failure import Failure
from w3lib.encoding import http_content_type_encoding

from archive import DateBound, UsageError, WartaError, parse_date_bound
from crawler.exceptions import (
    BadResponse,
    OffsiteRequest,
    RefusedRequest,
    SkipRequest,
    classify_download_error,
)
from crawler.items import ArticleItem, item_from_extraction
from crawler.runtime.workers import ExtractionError, ExtractionWorkers
from crawler.sites import SiteProfile, select_profiles
from crawler.spiders import discovery, listings
from crawler.urls import canonical_url

logger = logging.getLogger(__name__)

# Request priorities: finish what is started before discovering more, so items flow early,
# memory stays flat and `--max-articles` stops discovery soon.
PART_PRIORITY = 30
ARTICLE_PRIORITY = 20
FEED_PRIORITY = 10
SITEMAP_PRIORITY = 5
LISTING_PRIORITY = 0

ARTICLE_SITEMAP_SHARE = 0.8
"""A sitemap where at least this share of the URLs look like articles is taken whole: post
sitemaps hold nothing but articles (a few with short slugs the URL rule misses), while section
and tag sitemaps have almost none."""

MAX_UNFOLLOWED = 20_000
"""Articles at the related-link hop limit whose links are kept in case the article turns up
nearer a listing (a few MB); on a larger crawl later ones are simply not kept."""

RELATED_VERDICT_CACHE_SIZE = 50_000
"""Related-link URLs whose verdict (an article of the outlet, or not) the spider remembers: the
same headlines recur on many pages of an outlet, and the verdict's URL parsing and patterns
were ~2% of the crawl process's time on bench/crawl.py. About 8 MB when full; it is then
emptied, so memory stays bounded on a crawl of any size."""

MAX_LISTING_DEPTH = 2
"""Listings are followed this many links away from the homepage (a section, then its tag or
author pages); the profile's own `listings` are one link away. A page's pagination keeps its
listing's depth."""

LISTING_BUDGET_PAGES = 20
"""Listing pages read per outlet and crawl, in units of its `max_listing_pages` (default 5:
100 pages): a calendar, a tag cloud or a maze of filters cannot make discovery endless
(`discovery/listing_cut/outlet_budget`)."""

MAX_ARCHIVED_NOTED = 200_000
"""Articles skipped as archived that the spider remembers, to tell a listing that reached
them (a few MB at most)."""

MAX_SITEMAP_DEPTH = 3
"""Sitemap indexes nest at most this deep (the protocol allows one level; a few sites nest a
second; more is a loop or a trap)."""


@dataclass
class PartsState:
    """A multi-page article being stitched: the first page's fields and the parts read so far."""

    first: dict[str, Any]
    http_status: int
    fetched_at: dt.datetime
    target: str
    depth: int = 0
    """Related-link hops from a sitemap, feed or listing to this article."""
    parts: list[dict[str, Any]] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _split_keys(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [k.strip() for k in value.split(",") if k.strip()]
    return [k.strip() for k in value if k and k.strip()]


class NewsSpider(scrapy.Spider):
    """Crawl outlets described by profiles; yield one `ArticleItem` per article."""

    name = "news"

    def __init__(
        self,
        site: str | Iterable[str] | None = None,
        *,
        profiles: Iterable[SiteProfile] | None = None,
        since: str | dt.date | DateBound | None = None,
        max_articles: int | str | None = None,
        sites_dir: str | None = None,
        urls: Mapping[str, Iterable[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(urls, str):
            raise UsageError("urls: give a mapping of outlet key -> article URLs (from Python "
                             "or `warta rehydrate LIST`), not text")
        self.listed: dict[str, list[str]] | None = (
            {key: list(values) for key, values in urls.items()} if urls is not None else None)
        """Listed mode (`warta rehydrate`): per outlet key, the article URLs to fetch instead
        of discovering them; no related links are followed."""
        self._site_arg = _split_keys(site)
        self._profiles_arg = list(profiles) if profiles is not None else None
        self._since_arg = since
        self._max_articles_arg = max_articles
        self._sites_dir_arg = sites_dir
        self.profiles: dict[str, SiteProfile] = {}
        self.since: DateBound | None = None
        self.max_articles = 0
        self.related_depth = 1
        self.max_parts = 20
        self.max_sitemap_bytes = 0
        self._depth: dict[str, int] = {}
        """Article URL asked for -> fewest related-link hops it was found at."""
        self._unfollowed: dict[str, list[str]] = {}
        """Related links of read articles that were at the hop limit, kept in case the article
        is found again nearer a sitemap, feed or listing (then they are followed after all)."""
        self._in_flight: Counter[str] = Counter()
        self._articles: Counter[str] = Counter()
        self._listing_seen: dict[str, set[str]] = {}
        """Listing URL (its first page) -> article URLs its pages have shown."""
        self._listing_depths: dict[str, dict[str, int]] = {}
        """Outlet -> listings met (their first page) -> links from the homepage."""
        self._listing_pages_seen: dict[str, list[str]] = {}
        """Listing URL (its first page) -> the further pages asked for (a loop shows here)."""
        self._listing_requests: Counter[str] = Counter()
        """Outlet -> listing pages asked for (`LISTING_BUDGET_PAGES`)."""
        self._listing_depth_cut: dict[str, set[str]] = {}
        """Outlet -> listings left unread as too far from the homepage (counted once)."""
        self._archived: set[str] = set()
        """Articles the incremental middleware skipped as archived (a listing that shows one
        has reached what earlier crawls read)."""
        self._redecided: set[str] = set()
        """Of those, the ones asked for again with a sitemap or feed date (once only)."""
        self._logged: set[tuple[str, str]] = set()
        self.workers = ExtractionWorkers({}, 0)
        """Where article pages are read: in this process, or in worker processes when a fast
        crawl keeps this one busy (`crawler.runtime.workers`, `WARTA_EXTRACT_PROCESSES`)."""
        self._asyncio: bool | None = None
        self._inc_value: Any = None
        self._related_verdicts: dict[tuple[str, str], bool] = {}
        """(outlet, related URL) -> whether it is an article of the outlet, to follow."""
        self.argument_error: str | None = None
        """Why the spider's arguments or settings cannot be used (then it crawls nothing)."""
        self.close_reason = "bad_arguments"
        """The finish reason of a spider that crawls nothing (see `refuse`)."""
        self.failed_articles: dict[str, str] = {}
        """Listed mode only: canonical URL asked for -> why it was not read (`kind: reason`,
        as counted under `errors/<kind>`), for `warta rehydrate`'s report."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        try:
            spider._configure(crawler)
        except WartaError as exc:
            # `scrapy crawl news -a site=nope`: Scrapy would print the exception with a
            # traceback from an orphaned task; `start()` logs it as one line and closes.
            spider.argument_error = str(exc)
        crawler.signals.connect(spider._request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider._close_workers, signal=signals.spider_closed)
        return spider

    def refuse(self, message: str, reason: str) -> None:
        """Crawl nothing: `message` is logged as one line when the crawl starts, which then
        closes with `reason` (the archive pipeline refuses a crawl whose archive is locked)."""
        self.argument_error = message
        self.close_reason = reason

    def _configure(self, crawler: Crawler) -> None:
        # Extraction (lxml, the rules) loads with the spider, as Scrapy's components do, not at
        # the first article page: ~50 ms that a re-crawl of a few pages spent inside its crawl.
        importlib.import_module("crawler.extract")
        settings = crawler.settings
        if self._profiles_arg is not None:
            chosen = self._profiles_arg
        else:
            keys = self._site_arg or _split_keys(settings.getlist("WARTA_SITES"))
            if not keys:
                raise UsageError("the news spider needs a site: scrapy crawl news -a site=KEY "
                                 "(see `warta sites` for the keys)")
            sites_dir = self._sites_dir_arg or settings.get("WARTA_SITES_DIR")
            chosen = select_profiles(keys, sites_dir=sites_dir)
        self.profiles = {p.key: p for p in chosen}
        since = self._since_arg if self._since_arg is not None else settings.get("WARTA_SINCE")
        self.since = parse_date_bound(since) if since not in (None, "") else None
        max_articles = (self._max_articles_arg if self._max_articles_arg is not None
                        else settings.getint("WARTA_MAX_ARTICLES"))
        try:
            self.max_articles = int(max_articles)
        except (TypeError, ValueError):
            raise UsageError(f"max_articles: {max_articles!r} is not a whole number") from None
        if self.max_articles < 0:
            raise UsageError("max_articles: give 0 (no limit) or more")
        self.related_depth = settings.getint("WARTA_RELATED_DEPTH")
        if self.listed is not None:  # listed mode: exactly the URLs given
            self.related_depth = 0
        self.max_parts = max(1, settings.getint("WARTA_MAX_PARTS"))
        self.max_sitemap_bytes = settings.getint("DOWNLOAD_MAXSIZE")
        processes = settings.get("WARTA_EXTRACT_PROCESSES")
        if processes in (None, ""):
            count = None
        else:
            try:
                count = int(processes)
            except (TypeError, ValueError):
                raise UsageError(f"WARTA_EXTRACT_PROCESSES: {processes!r} is not a whole number "
                                 "(0: read pages in the crawl process; unset: when it pays)"
                                 ) from None
        self.workers = ExtractionWorkers(self.profiles, count, lambda: self._stats,
                                         backlog=lambda: sum(self._in_flight.values()))

    # --- bookkeeping --------------------------------------------------------------------------

    @property
    def _stats(self) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats

    def _inc(self, key: str, count: int = 1) -> None:
        inc = self._inc_value
        if inc is None:  # the stats collector exists only once the crawl has begun
            inc = self._inc_value = self._stats.inc_value
        inc(key, count)

    def _since(self, profile: SiteProfile) -> dt.datetime | None:
        return self.since.start(profile.tz) if self.since else None

    def _full(self, key: str) -> bool:
        """Whether the site already has `max_articles` articles done or on their way."""
        return bool(self.max_articles) and (
            self._articles[key] + self._in_flight[key] >= self.max_articles)

    def _meta(self, profile: SiteProfile, kind: str, **extra: Any) -> dict[str, Any]:
        meta = {"warta_site": profile.key, "warta_kind": kind}
        meta.update(extra)
        return meta

    def _refused(self, request: Request, exc: RefusedRequest) -> None:
        """A request refused for safety (`AddressGuardMiddleware`, `OutletScopeMiddleware`):
        counted as `offsite/refused/<reason>`, logged once with its URL; not an error of the
        crawl, and nothing was sent."""
        self._inc(f"offsite/refused/{exc.reason}")
        self._note_failure(request, f"refused: {exc.reason}")
        if ("refused", request.url) not in self._logged:
            self._logged.add(("refused", request.url))
            logger.warning("refused (%s), not fetched: %s %s", exc.reason, request.url,
                           exc.detail)

    def _note_failure(self, request: Request, reason: str) -> None:
        """Listed mode (`warta rehydrate`): why a listed article was not read, as the crawl
        counted it, for the report (`failed_articles`)."""
        if self.listed is None:
            return
        meta = request.meta
        if meta.get("warta_kind") in ("article", "part") and meta.get("warta_target"):
            self.failed_articles.setdefault(meta["warta_target"], reason)

    def _bad(self, url: str, kind: str, reason: str, site: str | None,
             *, level: int = logging.WARNING, request: Request | None = None) -> None:
        """Count one bad input and log it once, with its URL."""
        if request is not None:
            self._note_failure(request, f"{kind}: {reason}")
        self._inc(f"errors/{kind}")
        self._inc("errors/total")
        if site:
            self._inc(f"site/{site}/errors")
        if (kind, url) not in self._logged:
            self._logged.add((kind, url))
            logger.log(level, "%s: %s (%s)", kind, url, reason)

    def _close_workers(self, spider: scrapy.Spider, reason: str) -> None:
        self.workers.close()

    def _request_dropped(self, request: Request, spider: scrapy.Spider) -> None:
        """The scheduler's duplicate filter refused a request: release its article slot, and
        count a redirect back to a URL of its own chain as a redirect loop."""
        meta = request.meta
        site = meta.get("warta_site")
        if not site:
            return
        if meta.get("warta_kind") == "article":
            self._in_flight[site] -= 1
        chain = meta.get("redirect_urls") or []
        if request.url in chain:
            self._bad(chain[0], "redirect_loop",
                      f"redirects back to {request.url} after {len(chain)} hop(s)", site,
                      request=request)

    _PERSISTED = ("_articles", "_in_flight", "_depth", "_unfollowed", "_listing_seen",
                  "_listing_depths", "_listing_pages_seen", "_listing_requests")
    """What the spider knows of a job beyond Scrapy's queue: kept in `self.state`."""

    def _restore_state(self) -> None:
        """With a JOBDIR, Scrapy keeps `self.state` across a paused and resumed crawl
        (`SpiderState`). The spider's bookkeeping lives in it: `max_articles` holds over the
        whole job, articles still queued at the pause stay counted as in flight, and an article
        found again nearer a listing still gets its related links followed."""
        state = getattr(self, "state", None)
        if not isinstance(state, dict):
            return
        for name in self._PERSISTED:
            mine = getattr(self, name)
            saved = state.get(f"warta{name}")
            if saved is not None and type(saved) is type(mine):
                saved.update(mine)
                setattr(self, name, saved)
            else:
                state[f"warta{name}"] = mine

    # --- start ----------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        if self.argument_error:
            self.logger.error("%s", self.argument_error)
            raise CloseSpider(self.close_reason)
        self._restore_state()
        for profile in self.profiles.values():
            for request in self._start_requests(profile):
                yield request

    def _start_requests(self, profile: SiteProfile) -> Iterator[Request]:
        if self.listed is not None:
            yield from self._listed_requests(profile)
            return
        home = profile.homepage
        yield Request(urljoin(home, "/robots.txt"), callback=self.parse_robots,
                      errback=self.on_error, priority=SITEMAP_PRIORITY,
                      meta=self._meta(profile, "robots", handle_httpstatus_all=True))
        for url in profile.discovery.sitemaps:
            yield self._sitemap_request(profile, url, depth=0)
        for url in profile.discovery.feeds:
            yield self._feed_request(profile, url)
        known = self._listing_depths.setdefault(profile.key, {})
        known.setdefault(home, 0)
        self._listing_requests[profile.key] += 1
        yield self._listing_request(profile, home, page=1, listing=home, homepage=True)
        for url in profile.discovery.listings:
            known.setdefault(url, 1)
            self._listing_requests[profile.key] += 1
            yield self._listing_request(profile, url, page=1, listing=url, depth=1)

    def _listed_requests(self, profile: SiteProfile) -> Iterator[Request]:
        """Listed mode: a request for each listed article of this outlet, and no discovery
        (robots.txt is still obeyed: Scrapy's middleware fetches it)."""
        assert self.listed is not None
        for url in self.listed.get(profile.key, ()):
            yield from self._article_requests(profile, url, via="list")

    def _sitemap_request(self, profile: SiteProfile, url: str, *, depth: int,
                         lastmod: dt.datetime | None = None) -> Request:
        # Where it may be fetched from is the outlet's (`SiteProfile.may_discover_from`, in
        # the scope middleware), whoever points to it: a robots.txt or an index cannot widen it.
        meta = self._meta(profile, "sitemap", warta_depth=depth)
        if lastmod is not None:
            meta["warta_lastmod"] = lastmod.isoformat()  # from its index: unchanged since?
        return Request(url, callback=self.parse_sitemap, errback=self.on_error,
                       priority=SITEMAP_PRIORITY, meta=meta)

    def _feed_request(self, profile: SiteProfile, url: str) -> Request:
        return Request(url, callback=self.parse_feed, errback=self.on_error,
                       priority=FEED_PRIORITY, meta=self._meta(profile, "feed"))

    def _listing_request(self, profile: SiteProfile, url: str, *, page: int, listing: str,
                         homepage: bool = False, depth: int = 0) -> Request:
        # breadth-first: nearer listings before deeper ones
        return Request(url, callback=self.parse_listing, errback=self.on_error,
                       priority=LISTING_PRIORITY - depth,
                       meta=self._meta(profile, "listing", warta_page=page,
                                       warta_listing=listing, warta_homepage=homepage,
                                       warta_listing_depth=depth))

    def _is_article(self, profile: SiteProfile, url: str) -> bool:
        verdict = profile.discovery.is_article_url(url)
        return listings.looks_like_article(url) if verdict is None else verdict

    def _related_article(self, profile: SiteProfile, url: str) -> bool:
        """Whether a related link is an article of the outlet (`owns` and `_is_article`),
        remembered."""
        key = (profile.key, url)
        verdict = self._related_verdicts.get(key)
        if verdict is None:
            if len(self._related_verdicts) >= RELATED_VERDICT_CACHE_SIZE:
                self._related_verdicts.clear()
            verdict = self._related_verdicts[key] = (
                profile.owns(url) and self._is_article(profile, url))
        return verdict

    def _lists_articles(self, profile: SiteProfile, entries: list[discovery.Entry]) -> bool:
        """Whether a sitemap is an article sitemap (take every entry) rather than a mixed one
        (take only the entries that look like articles): most of its URLs look like articles."""
        owned = [e for e in entries if profile.owns(e.url)]
        if not owned:
            return False
        looks = sum(1 for e in owned if e.published or self._is_article(profile, e.url))
        return looks >= ARTICLE_SITEMAP_SHARE * len(owned)

    def _target(self, profile: SiteProfile, url: str) -> str:
        """The canonical URL an article link is asked for by."""
        # Most links found again are already canonical (extraction canonicalizes related
        # links): look them up before paying for canonicalization.
        if url in self._depth:
            return url
        return canonical_url(url, owns=profile.owns, home_host=profile.home_host)

    def _article_requests(self, profile: SiteProfile, url: str, *, via: str, depth: int = 0,
                          hint: discovery.Entry | None = None) -> Iterator[Request]:
        """The request for one article page; nothing when it is off the outlet, already asked
        for, older than `since`, or beyond `max_articles`. An article found again fewer
        related-link hops away has its depth lowered, and the related links it was not allowed
        to follow are requested now."""
        key = profile.key
        target = self._target(profile, url)
        if not profile.owns(target):
            self._inc("discovery/offsite")
            return
        known = self._depth.get(target)
        if known is not None and hint is not None and hint.date is not None and (
                target in self._archived and target not in self._redecided):
            # skipped as archived when a listing showed it without a date; a sitemap or a feed
            # gives one now: the incremental middleware decides again with it (changed?)
            self._redecided.add(target)
            self._inc("discovery/articles/hint_after_skip")
            depth = min(depth, known)
            del self._depth[target]
            known = None
            redecide = True
        else:
            redecide = False
        if known is not None:
            if depth < known:
                self._depth[target] = depth
                for link in self._unfollowed.pop(target, []):
                    yield from self._article_requests(profile, link, via="related",
                                                      depth=depth + 1)
            return
        if hint is not None and discovery.is_older(hint.date, self._since(profile)):
            self._inc("discovery/skipped_old")
            return
        if self._full(key):
            self._inc("discovery/skipped_max_articles")
            return
        self._depth[target] = depth
        self._in_flight[key] += 1
        self._inc(f"discovery/articles/{via}")
        self._inc(f"site/{key}/found")
        # `verbatim_url`: the target is already canonical (w3lib's `canonicalize_url` output,
        # which it leaves unchanged), so Scrapy need not make it safe again at each `Request`
        # (here and off the JOBDIR queue) nor canonicalize it for the duplicate filter; the
        # fingerprint is the same.
        meta = self._meta(profile, "article", warta_depth=depth, warta_via=via,
                          warta_target=target, verbatim_url=True)
        if redecide:
            meta["warta_redecide"] = True  # counted as skipped once, the first time
        if hint is not None:
            meta["warta_lastmod"] = hint.lastmod.isoformat() if hint.lastmod else None
            meta["warta_published"] = hint.published.isoformat() if hint.published else None
        yield Request(target, callback=self.read_article, errback=self.on_error,
                      priority=ARTICLE_PRIORITY, meta=meta)

    # --- discovery callbacks ----------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[Request]:
        profile = self.profiles[response.meta["warta_site"]]
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        if self._full(profile.key):
            return
        for url in discovery.sitemaps_from_robots(response.text, response.url):
            self._inc("discovery/robots_sitemaps")
            yield self._sitemap_request(profile, url, depth=0)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        profile = self.profiles[response.meta["warta_site"]]
        depth = response.meta.get("warta_depth", 0)
        body = response.body
        if discovery.is_gzip(body):
            try:
                body = gunzip(body, max_size=self.max_sitemap_bytes)
            except Exception as exc:  # gunzip raises IOError, zlib.error or its size error
                self._bad(response.url, "sitemap_invalid", f"cannot gunzip: {exc}", profile.key)
                return
        try:
            sitemap = discovery.parse_sitemap(body, profile.tz)
        except discovery.DiscoveryError as exc:
            self._bad(response.url, exc.kind, f"sitemap {exc}", profile.key)
            return
        self._inc("discovery/sitemaps")
        since = self._since(profile)
        if sitemap.kind == "index":
            if depth >= MAX_SITEMAP_DEPTH:
                self._bad(response.url, "sitemap_too_deep",
                          f"sitemap indexes nested more than {MAX_SITEMAP_DEPTH} deep", profile.key)
                return
            for entry in sitemap.entries:
                if discovery.is_older(entry.lastmod, since):
                    self._inc("discovery/sitemaps_skipped_old")
                    continue
                yield self._sitemap_request(profile, entry.url, depth=depth + 1,
                                            lastmod=entry.lastmod)
            return
        article_sitemap = self._lists_articles(profile, sitemap.entries)
        for entry in sitemap.entries:
            # A news sitemap lists articles only; a plain one may list sections and tags too.
            if (not article_sitemap and entry.published is None
                    and not self._is_article(profile, entry.url)):
                continue
            yield from self._article_requests(profile, entry.url, via="sitemap", hint=entry)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        profile = self.profiles[response.meta["warta_site"]]
        try:
            entries = discovery.parse_feed(response.body, response.url, profile.tz)
        except discovery.DiscoveryError as exc:
            self._bad(response.url, exc.kind, f"feed {exc}", profile.key)
            return
        self._inc("discovery/feeds")
        for entry in entries:
            yield from self._article_requests(profile, entry.url, via="feed", hint=entry)

    def parse_listing(self, response: Response) -> Iterator[Request]:
        """A listing page (the homepage, an index, a section, a tag or author page): its
        articles, its next page, and the other listings it links to, breadth-first within the
        bounds (`_next_listing_page`, `_more_listings`)."""
        profile = self.profiles[response.meta["warta_site"]]
        if not isinstance(response, TextResponse):
            self._bad(response.url, "not_html", "a listing page that is not text", profile.key)
            return
        meta = response.meta
        page: int = meta.get("warta_page", 1)
        depth: int = meta.get("warta_listing_depth", 0)
        self._inc("discovery/listings")
        if meta.get("warta_homepage") and page == 1:
            for url in listings.find_feed_links(response.text, response.url):
                if profile.owns(url) and url not in profile.discovery.feeds:
                    self._inc("discovery/feeds_announced")
                    yield self._feed_request(profile, url)
        listing_url: str = meta.get("warta_listing", response.url)
        listing = listings.parse_listing(
            response.text, response.url, owns=profile.owns,
            is_article=lambda u: self._is_article(profile, u), listing=listing_url,
            tz=profile.tz)
        for reason, count in listing.cut.items():
            self._inc(f"discovery/listing_cut/{reason}", count)
        seen = self._listing_seen.setdefault(listing_url, set())
        new = [u for u in listing.articles if u not in seen]
        seen.update(new)
        since = self._since(profile)
        old = 0
        for url in new:
            if discovery.is_older(listing.dates.get(url), since):
                old += 1
                self._inc("discovery/skipped_old")
                continue
            yield from self._article_requests(profile, url, via="listing")
        # The incremental middleware decides on each request as it is yielded (and tells
        # `on_skip`), so by now this page's archived articles are counted.
        archived = bool(self._archived) and any(
            self._target(profile, u) in self._archived for u in new)
        yield from self._more_listings(profile, listing, depth, archived=archived)
        stop = None
        if not new:
            # nothing its listing has not shown already: the end, or a loop
            stop = "listing_cut/nothing_new" if listing.next_pages else None
        elif old == len(new):
            stop = "listing_stop/since"  # every article it shows is older than --since
        elif archived:
            stop = "listing_stop/archived"  # it reached what the archive holds
        elif self._full(profile.key):
            stop = "listing_stop/max_articles"
        if stop is None:
            next_request = self._next_listing_page(profile, response, listing, listing_url,
                                                   page, depth)
            if next_request is not None:
                yield next_request
        elif listing.next_pages or (pattern_paginates(profile, meta)
                                    and listing_url in self._declared(profile)):
            self._inc(f"discovery/{stop}")

    def _next_listing_page(self, profile: SiteProfile, response: Response,
                           listing: listings.Listing, listing_url: str, page: int,
                           depth: int) -> Request | None:
        """The request for the next page of a listing, unless a bound cuts it (counted as
        `discovery/listing_cut/<reason>`: `max_pages`, `loop`, `outlet_budget`)."""
        meta = response.meta
        pattern = profile.discovery.pagination
        if pattern and not meta.get("warta_homepage") and listing_url in self._declared(profile):
            next_url = listings.listing_page_url(listing_url, pattern, page + 1)
        elif listing.next_pages:
            next_url = listing.next_pages[0]
        else:
            return None
        if not profile.owns(next_url):
            return None
        if page >= profile.discovery.max_listing_pages:
            self._inc("discovery/listing_cut/max_pages")
            return None
        pages = self._listing_pages_seen.setdefault(listing_url, [])
        if next_url in pages or next_url == listing_url or next_url == response.url:
            self._inc("discovery/listing_cut/loop")
            return None
        if not self._listing_budget(profile):
            return None
        pages.append(next_url)
        return self._listing_request(profile, next_url, page=page + 1, listing=listing_url,
                                     homepage=bool(meta.get("warta_homepage")), depth=depth)

    def _more_listings(self, profile: SiteProfile, listing: listings.Listing, depth: int,
                       *, archived: bool) -> Iterator[Request]:
        """Requests for the listings a page links to that the crawl has not met yet, one
        level deeper, up to `MAX_LISTING_DEPTH` levels from the homepage and
        `LISTING_BUDGET_PAGES` listing pages per outlet. A listing page other than the
        homepage that reached archived articles (an incremental crawl) leads to no new listing:
        what it links was met when those articles were new. The homepage always does, as
        pinned or popular old articles on it say nothing of its sections."""
        if not listing.listings or self._full(profile.key):
            return
        known = self._listing_depths.setdefault(profile.key, {})
        fresh = [u for u in listing.listings if u not in known]
        if not fresh:
            return
        if archived and depth > 0:
            self._inc("discovery/listing_stop/archived_links", len(fresh))
            return
        if depth >= MAX_LISTING_DEPTH:
            cut = self._listing_depth_cut.setdefault(profile.key, set())
            beyond = [u for u in fresh if u not in cut]
            cut.update(beyond)  # counted once, not on every page that links it
            if beyond:
                self._inc("discovery/listing_cut/depth", len(beyond))
            return
        for url in fresh:
            if not self._listing_budget(profile):
                return
            known[url] = depth + 1
            self._inc(f"discovery/listings_found/{listing.listings[url]}")
            yield self._listing_request(profile, url, page=1, listing=url, depth=depth + 1)

    def _listing_budget(self, profile: SiteProfile) -> bool:
        """Whether one more listing page may be read for this outlet (counted when not)."""
        budget = LISTING_BUDGET_PAGES * max(1, profile.discovery.max_listing_pages)
        if self._listing_requests[profile.key] >= budget:
            self._inc("discovery/listing_cut/outlet_budget")
            return False
        self._listing_requests[profile.key] += 1
        return True

    def _declared(self, profile: SiteProfile) -> set[str]:
        return {profile.homepage, *profile.discovery.listings}

    # --- articles ---------------------------------------------------------------------------------

    def _page(self, response: Response, profile: SiteProfile) -> tuple[bytes, str | None] | None:
        """An article page's bytes and HTTP charset; None (counted) when it is not text."""
        if not isinstance(response, TextResponse):
            self._bad(response.url, "not_html",
                      f"content type {response.headers.get('Content-Type', b'?')!r}", profile.key,
                      request=response.request)
            return None
        content_type = response.headers.get("Content-Type")
        encoding = (http_content_type_encoding(content_type.decode("latin-1"))
                    if content_type else None)
        return response.body, encoding

    def _unreadable(self, response: Response, profile: SiteProfile, exc: ExtractionError) -> None:
        self._bad(response.url, "extract_failed", exc.reason, profile.key, level=logging.ERROR,
                  request=response.request)

    def _extract(self, response: Response, profile: SiteProfile,
                 fetched_at: dt.datetime) -> dict[str, Any] | None:
        page = self._page(response, profile)
        if page is None:
            return None
        try:
            return self.workers.read(page[0], response.url, profile.key, fetched_at, page[1])
        except ExtractionError as exc:
            self._unreadable(response, profile, exc)
            return None

    async def _extract_async(self, response: Response, profile: SiteProfile,
                             fetched_at: dt.datetime) -> dict[str, Any] | None:
        """`_extract`, by a worker process when they run (Scrapy's asyncio reactor only)."""
        if self._asyncio is None:
            from scrapy.utils.reactor import is_asyncio_reactor_installed

            self._asyncio = is_asyncio_reactor_installed()
        if not self._asyncio:
            return self._extract(response, profile, fetched_at)
        page = self._page(response, profile)
        if page is None:
            return None
        try:
            return await self.workers.read_async(page[0], response.url, profile.key,
                                                 fetched_at, page[1])
        except ExtractionError as exc:
            self._unreadable(response, profile, exc)
            return None

    async def read_article(self, response: Response) -> list[Request | ArticleItem]:
        """The callback of article requests: `parse_article`, with the page read by a worker
        process while this one goes on crawling, when the crawl is fast enough for that to
        pay (`crawler.runtime.workers`).

        A coroutine that returns its few outputs as a list, not an async generator: Scrapy
        then runs them through the spider middlewares' plain generators instead of a chain of
        async generators, one per middleware (~4% of the crawl process on bench/crawl.py)."""
        profile = self.profiles[response.meta["warta_site"]]
        fetched_at = _utcnow()
        data = await self._extract_async(response, profile, fetched_at)
        return list(self._article_read(response, profile, fetched_at, data))

    def parse_article(self, response: Response) -> Iterator[Request | ArticleItem]:
        """An article page: its item, or the request for its next part; related links."""
        profile = self.profiles[response.meta["warta_site"]]
        fetched_at = _utcnow()
        data = self._extract(response, profile, fetched_at)
        yield from self._article_read(response, profile, fetched_at, data)

    def _article_read(self, response: Response, profile: SiteProfile, fetched_at: dt.datetime,
                      data: dict[str, Any] | None) -> Iterator[Request | ArticleItem]:
        if data is None:
            self._in_flight[profile.key] -= 1
            return
        state = PartsState(first=data, http_status=response.status, fetched_at=fetched_at,
                           target=response.meta.get("warta_target", response.url),
                           depth=response.meta.get("warta_depth", 0), fetched=[response.url])
        state.pending = self._new_parts(profile, data, state)
        yield from self._continue(profile, state)

    def _new_parts(self, profile: SiteProfile, data: dict[str, Any],
                   state: PartsState) -> list[str]:
        known = set(state.fetched) | set(state.pending)
        found = []
        for url in data.get("next_pages") or []:
            if isinstance(url, str) and url not in known and profile.owns(url):
                known.add(url)
                found.append(url)
        return found

    def _continue(self, profile: SiteProfile, state: PartsState) -> Iterator[Request | ArticleItem]:
        if state.pending and 1 + len(state.parts) < self.max_parts:
            url = state.pending.pop(0)
            yield Request(url, callback=self.parse_part, errback=self.on_part_error,
                          priority=PART_PRIORITY, dont_filter=True, cb_kwargs={"state": state},
                          meta=self._meta(profile, "part"))
            return
        if state.pending:
            self._inc("extract/parts_over_limit")
        yield from self._finish(profile, state)

    def parse_part(self, response: Response, state: PartsState) -> Iterator[Request | ArticleItem]:
        profile = self.profiles[response.meta["warta_site"]]
        state.fetched.append(response.url)
        data = self._extract(response, profile, _utcnow())
        if data is not None:
            state.parts.append(data)
            state.pending.extend(self._new_parts(profile, data, state))
        else:
            self._inc("extract/parts_missing")
        yield from self._continue(profile, state)

    def on_part_error(self, failure: Failure) -> Iterator[Request | ArticleItem]:
        yield from self.on_error(failure)
        request = failure.request  # type: ignore[attr-defined]
        state: PartsState = request.cb_kwargs["state"]
        profile = self.profiles[request.meta["warta_site"]]
        self._inc("extract/parts_missing")
        yield from self._continue(profile, state)

    def _finish(self, profile: SiteProfile, state: PartsState) -> Iterator[Request | ArticleItem]:
        self._in_flight[profile.key] -= 1  # the article's chain of requests ends here
        data = state.first
        if state.parts:
            from crawler.extract import merge_parts

            data = merge_parts(state.first, state.parts)
            self._inc("extract/multipage")
        if (data.get("provenance") or {}).get("jsonld") == "skipped_too_deep":
            self._inc("extract/jsonld_too_deep")  # a block skipped, the rest of the page read
        published = data.get("published_at")
        since = self._since(profile)
        if since is not None and isinstance(published, str):
            try:
                when = dt.datetime.fromisoformat(published)
            except ValueError:
                when = None
            if when is not None and when.tzinfo is not None and when < since:
                self._inc("discovery/skipped_old")
                return
        item = item_from_extraction(data, source=profile.key, http_status=state.http_status,
                                    fetched_at=state.fetched_at.isoformat(),
                                    parts=1 + len(state.parts))
        self._articles[profile.key] += 1
        self._inc(f"site/{profile.key}/articles")
        links = [link["url"] for link in data.get("related") or []
                 if isinstance(link, dict) and isinstance(link.get("url"), str)
                 and self._related_article(profile, link["url"])]
        yield from self._follow_related(profile, state.target, state.depth, links)
        yield item

    def _follow_related(self, profile: SiteProfile, target: str, depth: int,
                        links: list[str]) -> Iterator[Request]:
        """Requests for an article's related links within `related_depth` hops; at the limit
        the links are kept in case the article is found again nearer a listing."""
        depth = self._depth.get(target, depth)
        if depth < self.related_depth:
            asked = self._depth
            for url in links:
                # (`links` are the outlet's own) asked for already at this depth or nearer:
                # what `_article_requests` would conclude, without starting it
                known = asked.get(url)
                if known is not None and known <= depth + 1:
                    continue
                yield from self._article_requests(profile, url, via="related", depth=depth + 1)
        elif depth > 0 and links and len(self._unfollowed) < MAX_UNFOLLOWED:
            self._unfollowed[target] = links

    # --- failures -------------------------------------------------------------------------------

    def on_skip(self, request: Request, skip: SkipRequest) -> list[Request]:
        """A request a component decided not to send (`crawler.middlewares.incremental`): counted as
        `skipped/<reason>` (an article also as `site/<key>/skipped`), not as an error. An
        article releases its place under `max_articles`, unless this job already archived it:
        then it keeps its place, and the requests for its stored related links are returned, as
        if its page had been read."""
        meta = request.meta
        again = bool(meta.get("warta_redecide"))
        if not again:
            self._inc(f"skipped/{skip.reason}")
        logger.debug("skipped (%s): %s", skip.reason, request.url)
        site = meta.get("warta_site")
        if meta.get("warta_kind") != "article" or not site:
            return []
        if skip.reason == "archived" and len(self._archived) < MAX_ARCHIVED_NOTED:
            self._archived.add(meta.get("warta_target", request.url))
        self._in_flight[site] -= 1
        if not again:
            self._inc(f"site/{site}/skipped")
        profile = self.profiles.get(site)
        if not skip.done or profile is None:
            return []
        self._articles[site] += 1
        links = [u for u in skip.related if self._related_article(profile, u)]
        target = meta.get("warta_target", request.url)
        return list(self._follow_related(profile, target, meta.get("warta_depth", 0), links))

    def on_error(self, failure: Failure) -> list[Request]:
        """Count and log once a request that failed for good (after retries); a skipped one
        (`SkipRequest` from a downloader middleware) goes to `on_skip`."""
        request: Request = failure.request  # type: ignore[attr-defined]
        exc = failure.value
        if isinstance(exc, SkipRequest):
            return self.on_skip(request, exc)
        meta = request.meta
        site: str | None = meta.get("warta_site")
        if meta.get("warta_kind") == "article" and site:
            self._in_flight[site] -= 1
        url = request.url
        if isinstance(exc, HttpError):
            status = exc.response.status
            self._bad(url, f"http_{status}", f"HTTP {status}", site, request=request)
        elif isinstance(exc, BadResponse):
            self._bad(url, exc.kind, exc.reason, site, request=request)
        elif isinstance(exc, RefusedRequest):
            self._refused(request, exc)
        elif isinstance(exc, OffsiteRequest):
            self._inc("offsite/filtered")
            logger.debug("off the outlet, not fetched: %s", url)
        elif isinstance(exc, IgnoreRequest):
            message = str(exc)
            if "robots.txt" in message:
                logger.debug("forbidden by robots.txt: %s", url)  # counted by Scrapy
            elif "redirections" in message:
                self._bad(url, "redirect_loop", message, site, request=request)
            else:
                # a compressed body over DOWNLOAD_MAXSIZE once inflated (a gzip bomb) is a
                # page too large; Scrapy's decompression middleware logged it with the URL
                kind, reason, logged = classify_download_error(exc)
                if kind == "too_large":
                    self._bad(url, kind, reason, site, request=request,
                              level=logging.DEBUG if logged else logging.WARNING)
                else:
                    self._bad(url, "ignored", message or type(exc).__name__, site,
                              request=request)
        else:
            kind, reason, logged_by_scrapy = classify_download_error(exc or Exception())
            self._bad(url, kind, reason, site, request=request,
                      level=logging.DEBUG if logged_by_scrapy else logging.WARNING)
        return []


def pattern_paginates(profile: SiteProfile, meta: Mapping[str, Any]) -> bool:
    """Whether a listing's pages are numbered by the profile's `pagination` pattern."""
    return bool(profile.discovery.pagination) and not meta.get("warta_homepage")
