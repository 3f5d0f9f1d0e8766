"""Scrapy's meta refresh handling, only for pages that may hold one (`MetaRefreshMiddleware`)."""

from __future__ import annotations

import codecs

from scrapy.downloadermiddlewares.redirect import (
    MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware,
)
from scrapy.http import HtmlResponse, Request, Response

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
