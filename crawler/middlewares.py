"""Downloader middlewares: keep each request on its outlet, refuse unusable responses, and
look for a meta refresh only where one can be.

The first two read only the plain metadata the `news` spider puts on its requests (`warta_site`,
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


class OffsiteRequest(IgnoreRequest):
    """A request (or a redirect) that leaves the outlet it was made for."""


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


class OutletScopeMiddleware:
    """Drop requests that leave their outlet (links, redirects), and count pages per outlet.

    Scrapy's offsite filter works on host names only, so it cannot tell apart two outlets on
    one host (loopback test sites, regional sections of a national portal). This one asks the
    outlet's profile (`SiteProfile.owns`). Requests marked `warta_offsite_ok` (sitemaps a
    robots.txt declares on another host) pass. Counts `site/<key>/pages` for every response.
    Off with `WARTA_SCOPE_ENABLED = False`.
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
        if not site or request.meta.get("warta_offsite_ok"):
            return None
        profile = self.profiles.get(site)
        if profile is not None and not profile.owns(request.url):
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
