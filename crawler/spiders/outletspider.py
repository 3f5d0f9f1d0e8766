"""`OutletSpider`, the base of the `news` spider (`crawler/spiders/news.py`): its arguments and
settings, its bookkeeping of a job (articles per outlet, related-link depths, listings met, in
`state`), the requests it makes for articles, sitemaps and feeds, and the failures it counts
(`errors/<kind>`, `skipped/<reason>`, `offsite/...`), each logged once with its URL. The
callbacks those requests name are the `news` spider's; Scrapy finds them by name on the
spider, in a JOBDIR queue too.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from typing import Any, Self

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive import DateBound, UsageError, WartaError, parse_date_bound
from crawler.exceptions import (
    BadResponse,
    OffsiteRequest,
    RefusedRequest,
    SkipRequest,
    classify_download_error,
)
from crawler.items import ArticleItem
from crawler.refresh import DEFAULT_HOURS, Clock, parse_hours
from crawler.runtime.workers import ExtractionWorkers
from crawler.sites import SiteProfile, select_profiles
from crawler.spiders import discovery, listings
from crawler.urls import canonical_url

#: The spider's name in the log, for the lines of the failures it counts too.
logger = logging.getLogger("crawler.spiders.news")

# Request priorities: finish what is started before discovering more, so items flow early,
# memory stays flat and `--max-articles` stops discovery soon.
ARTICLE_PRIORITY = 20
FEED_PRIORITY = 10
SITEMAP_PRIORITY = 5
LISTING_PRIORITY = 0

MAX_UNFOLLOWED = 20_000
"""Articles at the related-link hop limit whose links are kept in case the article turns up
nearer a listing (a few MB); on a larger crawl later ones are simply not kept."""

RELATED_VERDICT_CACHE_SIZE = 50_000
"""Related-link URLs whose verdict (an article of the outlet, or not) the spider remembers: the
same headlines recur on many pages of an outlet, and the verdict's URL parsing and patterns
were ~2% of the crawl process's time on bench/crawl.py. About 8 MB when full; it is then
emptied, so memory stays bounded on a crawl of any size."""

MAX_ARCHIVED_NOTED = 200_000
"""Articles skipped as archived that the spider remembers, to tell a listing that reached
them (a few MB at most)."""


def _split_keys(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [k.strip() for k in value.split(",") if k.strip()]
    return [k.strip() for k in value if k and k.strip()]


class OutletSpider(scrapy.Spider):
    """A spider of outlets described by profiles (the `news` spider's base: no callbacks)."""

    # The callbacks the requests below name, defined by the `news` spider.
    parse_robots: Callable[[Response], Iterator[Request]]
    parse_sitemap: Callable[[Response], Iterator[Request]]
    parse_feed: Callable[[Response], Iterator[Request]]
    parse_listing: Callable[[Response], Iterator[Request]]
    read_article: Callable[[Response], Awaitable[list[Request | ArticleItem]]]
    # The date hints' (`crawler.spiders.datehints.DateHints`): related articles held back
    # while their outlet's listings are read, asked for when they are done.
    _release_held: Callable[[str], Iterator[Request]]
    _date_hints: dict[str, str]
    _listings_pending: Counter[str]
    _held: dict[str, list[str]]

    def __init__(
        self,
        site: str | Iterable[str] | None = None,
        *,
        profiles: Iterable[SiteProfile] | None = None,
        since: str | dt.date | DateBound | None = None,
        max_articles: int | str | None = None,
        sites_dir: str | None = None,
        urls: Mapping[str, Iterable[str]] | None = None,
        survey: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.survey = bool(survey)
        """Survey mode (`warta sites --check`): a sample of `max_articles` articles is read,
        while discovery goes on reading a few listing pages past it and notes every article
        URL each path shows (`surveyed`), to tell how much each path reaches."""
        self.surveyed: dict[str, set[str]] = {}
        """Survey mode: discovery path (`sitemap`, `feed`, `listing:<kind>`, `related`) ->
        the article URLs (canonical) it showed."""
        self.survey_pages: Counter[str] = Counter()
        """Survey mode: listing kind -> pages read; `<kind>:more` -> those with a next page."""
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
        self._listing_kinds: dict[str, str] = {}
        """Listing URL (its first page) -> its kind (`index`, `section`, `tag`, ...)."""
        self._listing_depth_cut: dict[str, set[str]] = {}
        """Outlet -> listings left unread as too far from the homepage (counted once)."""
        self._archived: set[str] = set()
        """Articles the incremental middleware skipped as archived (a listing that shows one
        has reached what earlier crawls read)."""
        self._redecided: dict[str, bool] = {}
        """Targets decided again with a date hint (`_article_requests`): whether it had a
        `lastmod`."""
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
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider: Self = super().from_crawler(crawler, *args, **kwargs)
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
        self.clock = Clock.from_settings(settings)
        self.refresh_hours = parse_hours(settings.get("WARTA_REFRESH_HOURS") or DEFAULT_HOURS)
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

    def _close_workers(self, spider: scrapy.Spider, reason: str) -> Any:
        """End the extraction workers; with Scrapy's asyncio reactor (the only one that starts
        them), wait for them to exit and count their CPU time (`ExtractionWorkers.stop`)."""
        if self._asyncio:
            return self.workers.stop()  # a coroutine: Scrapy awaits it on its loop
        self.workers.close()
        return None

    def _request_dropped(self, request: Request, spider: scrapy.Spider) -> None:
        """The scheduler's duplicate filter refused a request: release its article slot, and
        count a redirect back to a URL of its own chain as a redirect loop."""
        meta = request.meta
        site = meta.get("warta_site")
        if not site:
            return
        if meta.get("warta_kind") == "article":
            self._in_flight[site] -= 1
        elif meta.get("warta_kind") == "listing":
            self._listing_done(site)  # held articles go out when the spider is idle
        chain = meta.get("redirect_urls") or []
        if request.url in chain:
            self._bad(chain[0], "redirect_loop",
                      f"redirects back to {request.url} after {len(chain)} hop(s)", site,
                      request=request)

    def _listing_done(self, site: str) -> bool:
        """One listing page of `site` read or failed; whether none is pending any more."""
        pending = self._listings_pending
        pending[site] = max(0, pending[site] - 1)
        return pending[site] == 0

    _PERSISTED = ("_articles", "_in_flight", "_depth", "_unfollowed", "_listing_seen",
                  "_listing_depths", "_listing_pages_seen", "_listing_requests", "_held",
                  "_date_hints")
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

    # --- requests ---------------------------------------------------------------------------------

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
        if self.survey:
            self.surveyed.setdefault(via, set()).add(target)
        known = self._depth.get(target)
        if known is not None and hint is not None and hint.date is not None and (
                via != "listing" and target in self._archived and (
                    target not in self._redecided or (
                        hint.lastmod is not None and not self._redecided[target]))):
            # skipped as archived when a listing showed it without a date (or a feed with only
            # its publication date); a sitemap or a feed gives one now, or its last
            # modification: the incremental middleware decides again with it (changed?)
            self._redecided[target] = hint.lastmod is not None
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
        if via == "related" and self._listings_pending[key] > 0:
            # a listing still to be read may print its time beside it: ask for it after them
            self._held.setdefault(key, []).append(target)
            return
        yield self._article_request(profile, target, depth=depth, via=via, hint=hint,
                                    redecide=redecide)

    def _article_request(self, profile: SiteProfile, target: str, *, depth: int, via: str,
                         hint: discovery.Entry | None = None,
                         redecide: bool = False) -> Request:
        # `verbatim_url`: the target is already canonical (w3lib's `canonicalize_url` output,
        # which it leaves unchanged), so Scrapy need not make it safe again at each `Request`
        # (here and off the JOBDIR queue) nor canonicalize it for the duplicate filter; the
        # fingerprint is the same.
        meta = self._meta(profile, "article", warta_depth=depth, warta_via=via,
                          warta_target=target, verbatim_url=True)
        if redecide:
            meta["warta_redecide"] = True  # counted as skipped once, the first time
        if hint is not None and via == "listing":
            # the time printed beside the link: a date hint for extraction only, not a sign
            # of change for the incremental middleware (a listing's clock is the page's)
            meta["warta_listed"] = hint.published.isoformat() if hint.published else None
        elif hint is not None:
            meta["warta_lastmod"] = hint.lastmod.isoformat() if hint.lastmod else None
            meta["warta_published"] = hint.published.isoformat() if hint.published else None
        # A 304 reaches the callback: the answer to a conditional re-check, or an outlet's
        # mistake (`NewsSpider.not_modified`).
        meta["handle_httpstatus_list"] = [304]
        return Request(target, callback=self.read_article, errback=self.on_error,
                       priority=ARTICLE_PRIORITY, meta=meta)

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
        released: list[Request] = []
        if meta.get("warta_kind") == "article" and site:
            self._in_flight[site] -= 1
        elif meta.get("warta_kind") == "listing" and site and self._listing_done(site):
            released = list(self._release_held(site))
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
        return released

