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

What the spider keeps of its outlets (arguments, bookkeeping, the requests it makes, the
failures it counts) is its base class, `crawler.spiders.outletspider.OutletSpider`; the bounds
on following listings are `crawler.spiders.listingfollow.ListingFollow`; the times discovery
saw beside article links, handed to extraction, are `crawler.spiders.datehints.DateHints`;
multi-page articles are read whole (a single-page view, else every part in order) by
`crawler.spiders.articleparts.ArticleParts`; the other callbacks are here. Article pages are
read by `crawler.extract.extract_article` in the callback. Every request carries plain
metadata (`warta_site`, `warta_kind`, `warta_depth`, date hints), so downloader middlewares
can decide on it without knowing the spider.

A URL that fails (HTTP error, timeout, redirect loop, empty or oversized body, an unsafe or
non-XML sitemap, a feed that is HTML, a page extraction cannot read) is counted under
`errors/<kind>` and `site/<key>/errors`, logged once with the URL, and the crawl goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from scrapy.exceptions import CloseSpider
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.gz import gunzip
from w3lib.encoding import http_content_type_encoding

from crawler.items import ArticleItem, item_from_extraction
from crawler.middlewares.capture import META_KEY as CAPTURE_KEY
from crawler.refresh import (
    DEFAULT_HOURS,
    FUTURE_SLACK,
    article_not_modified,
    http_date_ts,
    next_check,
)
from crawler.runtime.workers import ExtractionError
from crawler.sites import SiteProfile
from crawler.spiders import discovery, listings
from crawler.spiders.articleparts import ArticleParts
from crawler.spiders.listingfollow import pattern_paginates
from crawler.spiders.outletspider import SITEMAP_PRIORITY

logger = logging.getLogger(__name__)

ARTICLE_SITEMAP_SHARE = 0.8
"""A sitemap where at least this share of the URLs look like articles is taken whole: post
sitemaps hold nothing but articles (a few with short slugs the URL rule misses), while section
and tag sitemaps have almost none."""

SURVEY_SITEMAPS = 3
"""Child sitemaps of an index a survey (`warta sites --check`) reads; the others are counted,
and the articles they hold estimated from those read."""

MAX_SITEMAP_DEPTH = 3
"""Sitemap indexes nest at most this deep (the protocol allows one level; a few sites nest a
second; more is a loop or a trap)."""


def _instant(value: Any, tz: dt.tzinfo) -> float | None:
    """An extracted date as a timestamp (a date without a zone in the outlet's)."""
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return (when if when.tzinfo is not None else when.replace(tzinfo=tz)).timestamp()


@dataclass
class PartsState:
    """A multi-page article being stitched: the first page's fields and the parts read so far."""

    first: dict[str, Any]
    http_status: int
    fetched_at: dt.datetime
    target: str
    depth: int = 0
    """Related-link hops from a sitemap, feed or listing to this article."""
    validators: dict[str, str] = field(default_factory=dict)
    """The `etag` and `last_modified` the first page came with (`NewsSpider.validators`)."""
    anchor: float | None = None
    """What the archived article's schedule counted from (meta `warta_anchor`), if archived."""
    parts: list[dict[str, Any]] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)
    captures: list[Any] = field(default_factory=list)
    """Where each page read is kept as fetched (`CaptureMiddleware`), in page order."""
    missing: list[str] = field(default_factory=list)
    """Parts that could not be read, each as `URL (why)`."""
    single: dict[str, Any] | None = None
    """The whole article read from its single-page view, when it offers one."""
    single_capture: Any = None
    """Where that single-page view is kept as fetched (`CaptureMiddleware`)."""


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    if not value:
        return None
    text = value.decode("latin-1").strip()
    return text or None


def same_etag(a: str, b: str) -> bool:
    """The weak comparison of two ETags (RFC 9110 8.8.3.2): `W/"x"` and `"x"` match."""
    return a.removeprefix("W/") == b.removeprefix("W/")


class NewsSpider(ArticleParts):
    """Crawl outlets described by profiles; yield one `ArticleItem` per article."""

    name = "news"

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

    # --- discovery callbacks ----------------------------------------------------------------------

    def _lists_articles(self, profile: SiteProfile, entries: list[discovery.Entry]) -> bool:
        """Whether a sitemap is an article sitemap (take every entry) rather than a mixed one
        (take only the entries that look like articles): most of its URLs look like articles."""
        owned = [e for e in entries if profile.owns(e.url)]
        if not owned:
            return False
        looks = sum(1 for e in owned if e.published or self._is_article(profile, e.url))
        return looks >= ARTICLE_SITEMAP_SHARE * len(owned)

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
            children = sitemap.entries
            if self.survey:
                # a survey reads a few children and counts the rest (`warta sites --check`)
                self.survey_pages["sitemap_children"] += len(children)
                children = children[:SURVEY_SITEMAPS]
            for entry in children:
                if discovery.is_older(entry.lastmod, since):
                    self._inc("discovery/sitemaps_skipped_old")
                    continue
                yield self._sitemap_request(profile, entry.url, depth=depth + 1,
                                            lastmod=entry.lastmod)
            return
        if self.survey:
            self.survey_pages["sitemap"] += 1
            if depth > 0:
                self.survey_pages["sitemap_children_read"] += 1
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
            if self._listing_done(profile.key):
                yield from self._release_held(profile.key)
            return
        meta = response.meta
        page: int = meta.get("warta_page", 1)
        depth: int = meta.get("warta_listing_depth", 0)
        self._inc("discovery/listings")
        yield from self._parse_listing(profile, response, page, depth)
        if self._listing_done(profile.key):
            yield from self._release_held(profile.key)

    def _parse_listing(self, profile: SiteProfile, response: TextResponse, page: int,
                       depth: int) -> Iterator[Request]:
        meta = response.meta
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
            self._inc_cut(profile.key, reason, count)
        seen = self._listing_seen.setdefault(listing_url, set())
        new = [u for u in listing.articles if u not in seen]
        seen.update(new)
        since = self._since(profile)
        old = 0
        for url, printed in listing.dates.items():
            self._note_date_hint(profile, url, printed)
        if self.survey:
            kind = "homepage" if meta.get("warta_homepage") else self._listing_kinds.get(
                listing_url, "listing")
            self.survey_pages[kind] += 1
            if listing.next_pages:
                self.survey_pages[f"{kind}:more"] += 1
            self.surveyed.setdefault(f"listing:{kind}", set()).update(
                self._target(profile, u) for u in listing.articles)
            if page == 1 and listing.last_page > 1:
                # its length, as its page numbers show it: articles a page x pages
                self.survey_pages[f"{kind}:estimate"] += len(listing.articles) * listing.last_page
                self.survey_pages[f"{kind}:numbered"] += 1
            elif page == 1:
                self.survey_pages[f"{kind}:estimate"] += len(listing.articles)
        for url in new:
            when = listing.dates.get(url)
            if discovery.is_older(when, since):
                old += 1
                self._inc("discovery/skipped_old")
                continue
            hint = discovery.Entry(url, published=when) if when is not None else None
            yield from self._article_requests(profile, url, via="listing", hint=hint)
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
        elif self._full(profile.key) and not self.survey:
            stop = "listing_stop/max_articles"
        if stop is None:
            next_request = self._next_listing_page(profile, response, listing, listing_url,
                                                   page, depth)
            if next_request is not None:
                yield next_request
        elif listing.next_pages or (pattern_paginates(profile, meta)
                                    and listing_url in self._declared(profile)):
            if stop.startswith("listing_cut/"):
                self._inc_cut(profile.key, stop.split("/", 1)[1])
            else:
                self._inc(f"discovery/{stop}")

    # --- articles ---------------------------------------------------------------------------------

    def _now(self) -> dt.datetime:
        clock = getattr(self, "clock", None)
        return clock.now() if clock is not None else _utcnow()

    def _next_check(self, profile: SiteProfile, anchor: float) -> str | None:
        """When an article whose schedule counts from `anchor` is next due, after now."""
        hours: tuple[float, ...] = (profile.refresh_hours
                                    or getattr(self, "refresh_hours", None) or DEFAULT_HOURS)
        due = next_check(anchor, self._now().timestamp(), hours)
        return dt.datetime.fromtimestamp(due, dt.UTC).isoformat() if due is not None else None

    def validators(self, response: Response, profile: SiteProfile) -> dict[str, str]:
        """The `ETag` and `Last-Modified` of an article response, to send back at its next
        check; a `Last-Modified` later than now is a wrong date (sent back, it could make
        the outlet answer 304 to every later check): counted as
        `conditional/future_last_modified` and left out."""
        out: dict[str, str] = {}
        etag = _header(response, "ETag")
        if etag:
            out["etag"] = etag
        modified = _header(response, "Last-Modified")
        when = http_date_ts(modified)
        if modified and when is not None:
            if when > self._now().timestamp() + FUTURE_SLACK:
                self._inc("conditional/future_last_modified")
            else:
                out["last_modified"] = modified
        return out

    def not_modified(self, response: Response, profile: SiteProfile) -> list[Request]:
        """A `304 Not Modified` to an article request. The answer to a conditional re-check
        (`crawler.middlewares.incremental`): the article is unchanged, nothing is parsed, and
        the archive notes only the read (`last_seen_at`, its validators and next check: the
        `article_not_modified` signal, to the archive pipeline), counted as
        `incremental/not_modified`. An outlet's mistake is fetched in full instead, asked
        again without validators (`Cache-Control: no-cache`): a 304 to a request that sent
        none (`conditional/unexpected_304`; a second one is the error `http_304` and the
        archive keeps what it has), or one whose `ETag` is not the one sent
        (`conditional/mismatched_304`)."""
        meta = response.meta
        request = response.request
        assert request is not None
        key = profile.key
        sent: dict[str, str] | None = meta.get("warta_validators")
        etag = _header(response, "ETag")
        if not sent:
            self._inc("conditional/unexpected_304")
            if meta.get("warta_unconditional"):
                self._in_flight[key] -= 1
                self._bad(response.url, "http_304", "HTTP 304 Not Modified to a request "
                          "without validators, twice", key, request=request)
                return []
            return [self._unconditional(request)]
        if etag and "etag" in sent and not same_etag(etag, sent["etag"]):
            self._inc("conditional/mismatched_304")
            return [self._unconditional(request)]
        self._in_flight[key] -= 1
        self._inc("incremental/not_modified")
        self._inc(f"site/{key}/not_modified")
        # for the outlet's figures (`warta health`, the closing line) an archived article not
        # read again, like one skipped before its request
        self._inc(f"site/{key}/skipped")
        checks: dict[str, Any] = {"etag": sent.get("etag"),
                                  "last_modified": sent.get("last_modified")}
        anchor = meta.get("warta_anchor")
        checks["next_check_at"] = (self._next_check(profile, anchor)
                                   if isinstance(anchor, int | float) else None)
        target = meta.get("warta_target", response.url)
        self.crawler.signals.send_catch_log(signal=article_not_modified, source=key,
                                            url=target, checks=checks)
        return []

    def _unconditional(self, request: Request) -> Request:
        """`request` again, without validators and past any cache."""
        headers = request.headers.copy()
        for name in ("If-None-Match", "If-Modified-Since"):
            headers.pop(name, None)
        headers["Cache-Control"] = "no-cache"
        headers["Pragma"] = "no-cache"
        meta = dict(request.meta)
        meta.pop("warta_validators", None)
        meta["warta_unconditional"] = True
        return request.replace(headers=headers, meta=meta, dont_filter=True)

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

    def _extract(self, response: Response, profile: SiteProfile, fetched_at: dt.datetime,
                 date_hint: tuple[str, str] | None = None) -> dict[str, Any] | None:
        page = self._page(response, profile)
        if page is None:
            return None
        try:
            return self.workers.read(page[0], response.url, profile.key, fetched_at, page[1],
                                     date_hint)
        except ExtractionError as exc:
            self._unreadable(response, profile, exc)
            return None

    async def _extract_async(self, response: Response, profile: SiteProfile,
                             fetched_at: dt.datetime, date_hint: tuple[str, str] | None = None
                             ) -> dict[str, Any] | None:
        """`_extract`, by a worker process when they run (Scrapy's asyncio reactor only)."""
        if self._asyncio is None:
            from scrapy.utils.reactor import is_asyncio_reactor_installed

            self._asyncio = is_asyncio_reactor_installed()
        if not self._asyncio:
            return self._extract(response, profile, fetched_at, date_hint)
        page = self._page(response, profile)
        if page is None:
            return None
        try:
            return await self.workers.read_async(page[0], response.url, profile.key,
                                                 fetched_at, page[1], date_hint)
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
        if response.status == 304:
            return list(self.not_modified(response, profile))
        fetched_at = self._now()
        data = await self._extract_async(response, profile, fetched_at,
                                         self.date_hint(response.meta))
        return list(self._article_read(response, profile, fetched_at, data))

    def parse_article(self, response: Response) -> Iterator[Request | ArticleItem]:
        """An article page: its item, or the request for its next part; related links."""
        profile = self.profiles[response.meta["warta_site"]]
        if response.status == 304:
            yield from self.not_modified(response, profile)
            return
        fetched_at = self._now()
        data = self._extract(response, profile, fetched_at, self.date_hint(response.meta))
        yield from self._article_read(response, profile, fetched_at, data)

    def _article_read(self, response: Response, profile: SiteProfile, fetched_at: dt.datetime,
                      data: dict[str, Any] | None) -> Iterator[Request | ArticleItem]:
        if data is None:
            self._in_flight[profile.key] -= 1
            return
        state = PartsState(first=data, http_status=response.status, fetched_at=fetched_at,
                           target=response.meta.get("warta_target", response.url),
                           depth=response.meta.get("warta_depth", 0), fetched=[response.url],
                           validators=self.validators(response, profile),
                           anchor=response.meta.get("warta_anchor"),
                           captures=[response.meta.get(CAPTURE_KEY)])
        state.pending = self._new_parts(profile, data, state)
        yield from self._read_parts(profile, state, data.get("single_page"))

    def _finish(self, profile: SiteProfile, state: PartsState) -> Iterator[Request | ArticleItem]:
        self._in_flight[profile.key] -= 1  # the article's chain of requests ends here
        data = self._stitched(state)
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
        anchor = _instant(published, profile.tz) or state.anchor or state.fetched_at.timestamp()
        item.checks = {**state.validators,
                       "next_check_at": self._next_check(profile, anchor)}
        # Where every page the stored version was read from is kept (`archive.captures`): the
        # first page and the parts read, in order (a part that could not be read has no
        # record: the article is `incomplete`, its provenance names it); or the first page and
        # the single-page view whose text it took. None unless every one was captured.
        pages = [*state.captures, *(() if state.single is None else [state.single_capture])]
        if all(pages):
            item.captures = [ref.as_dict() for ref in state.captures]
            if state.single is not None:
                item.captures.append({**state.single_capture.as_dict(), "single_view": True})
        self._articles[profile.key] += 1
        self._inc(f"site/{profile.key}/articles")
        links = [link["url"] for link in data.get("related") or []
                 if isinstance(link, dict) and isinstance(link.get("url"), str)
                 and self._related_article(profile, link["url"])]
        yield from self._follow_related(profile, state.target, state.depth, links)
        yield item
