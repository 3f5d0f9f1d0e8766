"""`crawler.middlewares.metarefresh.MetaRefreshMiddleware`: Scrapy's meta refresh handling,
asked only of pages that can hold one, so a page that redirects by `<meta http-equiv="refresh">`
is still followed, in any encoding, and every other page passes untouched."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.middlewares.metarefresh import MetaRefreshMiddleware, may_refresh
from crawler.spiders.news import NewsSpider

URL = "https://kaltimpost.jawapos.com/berita/2024/05/23/lama"
REFRESH = ('<html><head><meta http-equiv="{word}" content="0; url=/berita/2024/05/23/baru">'
           "</head><body><p>Halaman dipindahkan.</p></body></html>")
PLAIN = ("<html><head><title>Banjir</title></head><body><p>Banjir merendam Samarinda, "
         "warga diminta menyegarkan informasi dari BPBD.</p></body></html>")


def middleware() -> MetaRefreshMiddleware:
    crawler = get_crawler(NewsSpider, {"METAREFRESH_ENABLED": True})
    return MetaRefreshMiddleware.from_crawler(crawler)


def respond(body: bytes, encoding: str = "utf-8") -> tuple[Request, HtmlResponse]:
    request = Request(URL)
    return request, HtmlResponse(URL, body=body, request=request, encoding=encoding)


@pytest.mark.parametrize("word", ["refresh", "Refresh", "REFRESH"])
def test_a_meta_refresh_is_followed(word: str) -> None:
    request, response = respond(REFRESH.format(word=word).encode())
    out = middleware().process_response(request, response)
    assert isinstance(out, Request)
    assert out.url == "https://kaltimpost.jawapos.com/berita/2024/05/23/baru"


def test_a_meta_refresh_in_utf16_is_followed() -> None:
    request, response = respond(REFRESH.format(word="refresh").encode("utf-16"), "utf-16")
    out = middleware().process_response(request, response)
    # followed as Scrapy's own middleware does (which also appends the BOM's bytes as a query)
    assert isinstance(out, Request) and "/berita/2024/05/23/baru" in out.url


def test_a_page_without_refresh_passes_untouched() -> None:
    request, response = respond(PLAIN.encode())
    assert middleware().process_response(request, response) is response
    assert not may_refresh(response.body)


def test_the_word_refresh_elsewhere_does_not_count_as_a_meta_refresh() -> None:
    """Ad scripts call `googletag.pubads().refresh()` on many news pages: only an
    `http-equiv` tag can redirect."""
    page = PLAIN.replace("</head>", '<meta http-equiv="Content-Type" content="text/html">'
                         "<script>googletag.pubads().refresh();</script></head>")
    assert not may_refresh(page.encode())
    assert may_refresh(REFRESH.format(word="REFRESH").encode())
