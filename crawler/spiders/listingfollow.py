"""`ListingFollow`, the `news` spider's following of listings (`crawler/spiders/news.py`,
`parse_listing`): the request for a listing page, its next page within the listing's bounds,
and the other listings a page links to, breadth-first within `MAX_LISTING_DEPTH` links from the
homepage and `LISTING_BUDGET_PAGES` listing pages per outlet. What a bound cuts is counted as
`discovery/listing_cut/<reason>`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from scrapy.http import Request, Response

from crawler.sites import SiteProfile
from crawler.spiders import listings
from crawler.spiders.datehints import DateHints
from crawler.spiders.outletspider import LISTING_PRIORITY

MAX_LISTING_DEPTH = 2
"""Listings are followed this many links away from the homepage (a section, then its tag or
author pages); the profile's own `listings` are one link away. A page's pagination keeps its
listing's depth."""

LISTING_BUDGET_PAGES = 20
"""Listing pages read per outlet and crawl, in units of its `max_listing_pages` (default 5:
100 pages): a calendar, a tag cloud or a maze of filters cannot make discovery endless
(`discovery/listing_cut/outlet_budget`)."""


SURVEY_LISTING_PAGES = 12
"""Listing pages a survey (`warta sites --check`) reads per outlet: the homepage and a few
listings of each kind, enough to tell which exist and how they paginate."""


class ListingFollow(DateHints):
    """Listing requests and the bounds on following listings (a mixin of the `news` spider)."""

    def _inc_cut(self, site: str, reason: str, count: int = 1) -> None:
        """Count what a bound on listings cut: `discovery/listing_cut/<reason>`, and per
        outlet `site/<key>/listing_cut/<reason>` (shown by `warta health`)."""
        self._inc(f"discovery/listing_cut/{reason}", count)
        self._inc(f"site/{site}/listing_cut/{reason}", count)

    def _listing_request(self, profile: SiteProfile, url: str, *, page: int, listing: str,
                         homepage: bool = False, depth: int = 0) -> Request:
        # breadth-first: nearer listings before deeper ones
        self._listings_pending[profile.key] += 1
        return Request(url, callback=self.parse_listing, errback=self.on_error,
                       priority=LISTING_PRIORITY - depth,
                       meta=self._meta(profile, "listing", warta_page=page,
                                       warta_listing=listing, warta_homepage=homepage,
                                       warta_listing_depth=depth))

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
            self._inc_cut(profile.key, "max_pages")
            return None
        pages = self._listing_pages_seen.setdefault(listing_url, [])
        if next_url in pages or next_url == listing_url or next_url == response.url:
            self._inc_cut(profile.key, "loop")
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
        if not listing.listings or (self._full(profile.key) and not self.survey):
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
                self._inc_cut(profile.key, "depth", len(beyond))
            return
        for url in fresh:
            if not self._listing_budget(profile):
                return
            known[url] = depth + 1
            self._listing_kinds[url] = listing.listings[url]
            self._inc(f"discovery/listings_found/{listing.listings[url]}")
            yield self._listing_request(profile, url, page=1, listing=url, depth=depth + 1)

    def _listing_budget(self, profile: SiteProfile) -> bool:
        """Whether one more listing page may be read for this outlet (counted when not)."""
        budget = (SURVEY_LISTING_PAGES if self.survey
                  else LISTING_BUDGET_PAGES * max(1, profile.discovery.max_listing_pages))
        if self._listing_requests[profile.key] >= budget:
            self._inc_cut(profile.key, "outlet_budget")
            return False
        self._listing_requests[profile.key] += 1
        return True

    def _declared(self, profile: SiteProfile) -> set[str]:
        return {profile.homepage, *profile.discovery.listings}


def pattern_paginates(profile: SiteProfile, meta: Mapping[str, Any]) -> bool:
    """Whether a listing's pages are numbered by the profile's `pagination` pattern."""
    return bool(profile.discovery.pagination) and not meta.get("warta_homepage")
