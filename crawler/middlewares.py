"""Downloader middlewares: refuse requests for addresses an outlet must not reach, keep each
request on its outlet, refuse unusable responses, and look for a meta refresh only where one
can be.

The first three read only the plain metadata the `news` spider puts on its requests (`warta_site`,
`warta_kind`), and the outlet profiles the spider carries (`spider.profiles`).
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping, Sequence
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import (
    MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware,
)
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from scrapy.statscollectors import StatsCollector

from crawler.urls import address_class, ip_class, ip_of, refused_address, url_host

DISCOVERY_KINDS = frozenset({"robots", "sitemap", "feed"})
"""Request kinds that read where articles are, which may come from another host of the
outlet's registrable domain (a CDN), unlike pages, which must be the outlet's own."""


class OffsiteRequest(IgnoreRequest):
    """A request (or a redirect) that leaves the outlet it was made for."""


class RefusedRequest(OffsiteRequest):
    """A request warta refuses for safety, never sent: `reason` is the stats key suffix
    (`offsite/refused/<reason>`): an address class (`link_local`, `private`, `loopback`, ...,
    `crawler.urls.ADDRESS_CLASSES`), `scheme`, `no_host`, `off_domain` (a robots.txt, sitemap
    or feed off the outlet's registrable domain) or `resolved_<class>` (a name whose server
    turned out to be at such an address)."""

    def __init__(self, reason: str, url: str, detail: str) -> None:
        super().__init__(f"refused ({reason}): {url} {detail}")
        self.reason = reason
        self.detail = detail


class BadResponse(IgnoreRequest):
    """A response warta cannot use (an empty body, a binary file where a page was expected).

    `kind` is the stats key suffix (`errors/<kind>`); `reason` says what was wrong.
    """

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"{kind}: {reason}")
        self.kind = kind
        self.reason = reason


class SkipRequest(IgnoreRequest):
    """A request a component chose not to send (an article already archived, a page that has
    not changed): not an error. The spider counts it as `skipped/<reason>` and releases the
    article's place under `max_articles`. Raise it from `process_request`.

    `done`: the article was read earlier in this same job (a resumed crawl): it keeps its place
    under `max_articles`, and its `related` links (canonical URLs, as the archive stored them)
    are followed as if its page had been read again.
    """

    def __init__(self, reason: str, *, done: bool = False,
                 related: Sequence[str] = ()) -> None:
        super().__init__(f"skipped: {reason}")
        self.reason = reason
        self.done = done
        self.related = list(related)


def _profiles(crawler: Crawler) -> Mapping[str, Any]:
    """The outlet profiles of the crawl's spider (`news` sets `profiles`; the spider exists
    before the downloader and its middlewares are built)."""
    return getattr(crawler.spider, "profiles", None) or {}


class AddressGuardMiddleware:
    """Refuse, before anything is sent, a request for an address an outlet must not reach:
    link-local (the cloud metadata service at 169.254.169.254), private, loopback and other
    non-public addresses written as IP literals or `localhost`, and schemes other than http(s)
    (`crawler.urls.refused_address`). An outlet that is itself on such an address class (the
    demo sites on loopback) may use that class. Redirects come back through here as new
    requests, so they are judged the same way.

    Host names are not resolved here: a lookup per request would cost a DNS round trip and
    could answer differently from the one the connection makes (DNS rebinding). Instead, when
    a response arrives, the address the connection reached (`response.ip_address`) is checked
    for hosts the outlet does not own; a private one refuses the response
    (`resolved_<class>`), so nothing found there is followed. The request itself has then
    been sent: that check limits the harm, the literal check prevents it.

    Runs first among the downloader middlewares (before robots.txt is asked for the host, so a
    refused host is not even asked for its robots.txt). Always on: it reads the plain request
    metadata (`warta_site`) and the outlet profiles the spider carries.
    """

    def __init__(self, profiles: Mapping[str, Any]) -> None:
        self.profiles = profiles
        self._homes = [p.homepage for p in profiles.values()]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(_profiles(crawler))

    def _refusal(self, url: str, site: str | None) -> str | None:
        profile = self.profiles.get(site) if site else None
        if profile is not None:
            return refused_address(url, profile.homepage)
        # Scrapy's own requests (robots.txt) carry no outlet: allowed when any outlet of the
        # crawl may go there.
        reasons = [refused_address(url, home) for home in self._homes] or [
            refused_address(url, None)]
        return None if None in reasons else reasons[0]

    def process_request(self, request: Request) -> None:
        reason = self._refusal(request.url, request.meta.get("warta_site"))
        if reason is not None:
            raise RefusedRequest(reason, request.url, "(not a public web address)")
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        peer = getattr(response, "ip_address", None)
        if peer is None:
            return response
        found = ip_class(peer)
        if found is None:
            return response
        site = request.meta.get("warta_site")
        profile = self.profiles.get(site) if site else None
        host = url_host(request.url)
        if ip_of(host) is not None or (profile is not None and profile.owns(request.url)):
            return response  # a literal was judged before sending; the outlet's own hosts pass
        homes = [profile.homepage] if profile is not None else self._homes
        if any(address_class(url_host(home)) == found for home in homes):
            return response
        raise RefusedRequest(f"resolved_{found}", request.url,
                             f"(its server answered from {peer}, a {found} address)")


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
        return cls(_profiles(crawler), crawler.stats)

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


_BINARY_TYPES = (b"image/", b"video/", b"audio/", b"font/", b"application/pdf",
                 b"application/zip", b"application/octet-stream")


class ResponseCheckMiddleware:
    """Refuse a successful response that cannot hold what was asked for: an empty body
    (`errors/empty_body`) or, for an article, a binary file (`errors/not_html`).

    It runs before retries see the response, after redirects are followed.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls()

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("warta_kind") in (None, "robots") or response.status != 200:
            return response
        body = response.body
        if not body or body.isspace():  # `not body.strip()`, without copying the page
            raise BadResponse("empty_body", "HTTP 200 with an empty body")
        if request.meta.get("warta_kind") in ("article", "part"):
            content_type = (response.headers.get("Content-Type") or b"").lower()
            if content_type.startswith(_BINARY_TYPES):
                raise BadResponse("not_html", f"content type {content_type.decode('latin-1')}")
        return response


META_REFRESH_SCAN_BYTES = 4 * 4096
"""Scrapy looks for a meta refresh in a page's first 4,096 characters: at most 16 KB of an
ASCII-compatible encoding (UTF-8 spends up to 4 bytes a character)."""

_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # UTF-32's start with these too


def may_refresh(body: bytes) -> bool:
    """Whether a page's start could hold a meta refresh: a tag with `http-equiv` and then
    `refresh` (any case, as Scrapy's pattern wants them), in an ASCII-compatible encoding; a
    page in UTF-16 or UTF-32 (BOM or NUL bytes) always may. Lower-case bytes and `find`: a
    case-insensitive regular expression over the same 16 KB cost six times as much."""
    head = body[:META_REFRESH_SCAN_BYTES]
    if head.startswith(_WIDE_BOMS) or b"\x00" in head[:1024]:
        return True
    head = head.lower()
    start = head.find(b"http-equiv")
    while start >= 0:
        end = head.find(b">", start)
        if head.find(b"refresh", start, None if end < 0 else end) >= 0:
            return True
        start = head.find(b"http-equiv", start + len(b"http-equiv"))
    return False


class MetaRefreshMiddleware(ScrapyMetaRefreshMiddleware):
    """Scrapy's meta refresh handling, asked only of pages whose start has an `http-equiv`
    tag saying `refresh` (`may_refresh`). Scrapy's decodes every HTML page and scans its start
    with several regular expressions (~50 us a page, 4% of the crawl process on
    bench/crawl.py) for the `<meta http-equiv="refresh">` that few pages have; a byte search
    (~7 us on real pages) rules out the others first."""

    def process_response(  # type: ignore[override]  # Scrapy's `spider` argument is deprecated
            self, request: Request, response: Response) -> Request | Response:
        if isinstance(response, HtmlResponse) and not may_refresh(response.body):
            return response
        result: Request | Response = super().process_response(request, response)
        return result
