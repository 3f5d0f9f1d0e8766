"""Keep each request on its outlet, and count pages per outlet (`OutletScopeMiddleware`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.statscollectors import StatsCollector

from crawler.exceptions import OffsiteRequest, RefusedRequest
from crawler.sites import spider_profiles

DISCOVERY_KINDS = frozenset({"robots", "sitemap", "feed"})
"""Request kinds that read where articles are, which may come from another host of the
outlet's registrable domain (a CDN), unlike pages, which must be the outlet's own."""


class OutletScopeMiddleware:
    """Drop requests that leave their outlet (links, redirects), and count pages per outlet.

    Scrapy's offsite filter works on host names only, so it cannot tell apart two outlets on
    one host (loopback test sites, regional sections of a national portal). This one asks the
    outlet's profile (`SiteProfile.owns`). Robots.txt, sitemaps and feeds may also be on
    another host of the outlet's registrable domain or on a host the profile's own sitemaps
    and feeds name (`SiteProfile.may_discover_from`); one elsewhere, wherever a robots.txt or
    sitemap index points, is refused (`RefusedRequest`, `off_domain`). Counts
    `site/<key>/pages` for every response. Off with `WARTA_SCOPE_ENABLED = False`.
    """

    def __init__(self, profiles: Mapping[str, Any], stats: StatsCollector) -> None:
        self.profiles = profiles
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("WARTA_SCOPE_ENABLED"):
            raise NotConfigured
        assert crawler.stats is not None
        return cls(spider_profiles(crawler), crawler.stats)

    def process_request(self, request: Request) -> None:
        site = request.meta.get("warta_site")
        if not site:
            return None
        profile = self.profiles.get(site)
        if profile is None:
            return None
        if request.meta.get("warta_kind") in DISCOVERY_KINDS:
            if not profile.may_discover_from(request.url):
                raise RefusedRequest("off_domain", request.url,
                                     f"(not on the registrable domain of outlet {site!r})")
        elif not profile.owns(request.url):
            raise OffsiteRequest(f"{request.url} is not on outlet {site!r}")
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        site = request.meta.get("warta_site")
        if site:
            self.stats.inc_value(f"site/{site}/pages")
        return response
