"""`DateHints`, the `news` spider's date hints (issue 13): the time discovery saw beside an
article's link travels to extraction with the page, which completes a date the page shows
without a year or a time of day (`crawler.extract.published.complete_from_hint`).

A feed's or news sitemap's publication time rides in the request's meta (`warta_published`,
which the incremental middleware also reads), a listing's printed time as `warta_listed`
(for extraction only) and in `_date_hints` (article -> time), for an article asked for before
a listing showed it. Articles found as related links are held back (`_held`) while their
outlet's listing pages are still being read (`_listings_pending`), and asked for when the last
one is read or fails, or when the spider is idle (a listing request dropped as a duplicate, a
resumed job): so a listing's time reaches them whatever order pages arrive in.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any, Self

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request

from crawler.sites import SiteProfile
from crawler.spiders.outletspider import OutletSpider

MAX_DATE_HINTS = 200_000
"""Times printed beside article links on listings that the spider remembers (article URL ->
time), for articles asked for before a listing showed them (a few tens of MB at most)."""


class DateHints(OutletSpider):
    """Date hints for extraction, and related articles held for them (a mixin of the `news`
    spider)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._date_hints: dict[str, str] = {}
        """Article (canonical URL) -> the time a listing printed beside its link (ISO 8601),
        handed to extraction with the page (`date_hint`), however the article was found."""
        self._listings_pending: Counter[str] = Counter()
        """Outlet -> listing pages asked for and not yet read (or failed)."""
        self._held: dict[str, list[str]] = {}
        """Outlet -> related-link articles held back while its listings are still being read:
        a listing may yet print the article's time beside its link (a page date without a
        year or a time is completed from it); asked for when the outlet's listings are done
        (`_release_held`)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider: Self = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        return spider

    def _release_held(self, site: str) -> Iterator[Request]:
        """The requests for the related-link articles held back while `site`'s listings were
        read, each with the time a listing printed beside it, if any did."""
        profile = self.profiles.get(site)
        held = self._held.pop(site, [])
        if profile is None:
            return
        for target in held:
            self._inc("discovery/related_held")
            yield self._article_request(profile, target, depth=self._depth.get(target, 1),
                                        via="related")

    def _idle(self, spider: scrapy.Spider) -> None:
        """Nothing left to crawl: ask for every article still held (their listings ended
        without a callback to release them: a listing request dropped, a resumed job)."""
        from scrapy.exceptions import DontCloseSpider

        released = [r for site in list(self._held) for r in self._release_held(site)]
        if not released:
            return
        for request in released:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def _note_date_hint(self, profile: SiteProfile, url: str, when: dt.datetime) -> None:
        """Remember the time a listing printed beside an article's link (`_date_hints`)."""
        if len(self._date_hints) < MAX_DATE_HINTS:
            self._date_hints.setdefault(self._target(profile, url), when.isoformat())

    def date_hint(self, meta: Mapping[str, Any]) -> tuple[str, str] | None:
        """`(ISO 8601 time, where)` discovery saw for an article request: the feed's or news
        sitemap's publication time it carries, else the time a listing printed beside its
        link; None when neither."""
        published = meta.get("warta_published")
        if isinstance(published, str):
            return published, str(meta.get("warta_via") or "discovery")
        listed = meta.get("warta_listed") or self._date_hints.get(meta.get("warta_target") or "")
        return (listed, "listing") if listed is not None else None
