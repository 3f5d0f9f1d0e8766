"""The `news` spider's discovery callbacks, fed real Scrapy responses built from small
documents: which requests each page leads to, what is skipped, and what is counted."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler import settings as settings_module
from crawler.exceptions import BadResponse, classify_download_error
from crawler.runtime.runner import crawl_settings
from crawler.sites import SiteProfile, parse_profile
from crawler.spiders.news import NewsSpider

HOME = "https://kaltimcontoh.example/"
PROFILE = parse_profile("contoh", {
    "name": "Kaltim Contoh", "homepage": HOME, "timezone": "Asia/Makassar",
    "discovery": {"sitemaps": [f"{HOME}sitemap_index.xml"], "feeds": [f"{HOME}feed/"],
                  "listings": [f"{HOME}indeks"], "pagination": "?page={n}",
                  "max_listing_pages": 2},
})


def make_spider(profiles: list[SiteProfile] | None = None, **kwargs: Any) -> NewsSpider:
    project = crawl_settings()
    values = {name: project[name] for name in dir(settings_module) if name.isupper()}
    crawler: Crawler = get_crawler(NewsSpider, values)
    spider = NewsSpider.from_crawler(crawler, profiles=profiles or [PROFILE], **kwargs)
    crawler.spider = spider
    return spider


def stat(spider: NewsSpider, key: str) -> Any:
    assert spider.crawler.stats is not None
    return spider.crawler.stats.get_value(key)


def response(cls: type[Response], url: str, body: bytes | str, *, kind: str,
             status: int = 200, **meta: Any) -> Any:
    request = Request(url, meta={"warta_site": "contoh", "warta_kind": kind, **meta})
    data = body.encode() if isinstance(body, str) else body
    if not issubclass(cls, TextResponse):
        return cls(url, body=data, status=status, request=request)
    return cls(url, body=data, status=status, request=request, encoding="utf-8")


def requests_of(results: Any) -> list[Request]:
    return [r for r in results if isinstance(r, Request)]


def test_start_asks_for_robots_declared_sitemaps_feeds_homepage_and_listings() -> None:
    spider = make_spider()

    async def collect() -> list[Request]:
        return [r async for r in spider.start()]

    started = asyncio.run(collect())
    assert [(r.url, r.meta["warta_kind"]) for r in started] == [
        (f"{HOME}robots.txt", "robots"),
        (f"{HOME}sitemap_index.xml", "sitemap"),
        (f"{HOME}feed/", "feed"),
        (HOME, "listing"),
        (f"{HOME}indeks", "listing"),
    ]
    assert all(r.meta["warta_site"] == "contoh" for r in started)


def test_robots_sitemap_lines_become_sitemap_requests() -> None:
    spider = make_spider()
    robots = response(TextResponse, f"{HOME}robots.txt",
                      "User-agent: *\nDisallow: /cari\nSitemap: https://cdn.example/sitemap.xml\n",
                      kind="robots")
    [request] = requests_of(spider.parse_robots(robots))
    assert request.url == "https://cdn.example/sitemap.xml"
    # whether it may be fetched is the scope middleware's decision, not robots.txt's
    assert request.meta["warta_kind"] == "sitemap"
    assert "warta_offsite_ok" not in request.meta


def test_a_missing_robots_txt_leads_nowhere_and_is_no_error() -> None:
    spider = make_spider()
    robots = response(TextResponse, f"{HOME}robots.txt", "Not found", kind="robots", status=404)
    assert requests_of(spider.parse_robots(robots)) == []
    assert stat(spider, "errors/total") is None


INDEX = f"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{HOME}post-sitemap.xml</loc><lastmod>2024-03-01T00:00:00+08:00</lastmod></sitemap>
<sitemap><loc>{HOME}post-sitemap-2019.xml</loc><lastmod>2019-12-31T00:00:00+08:00</lastmod></sitemap>
</sitemapindex>"""


def test_sitemap_index_skips_sitemaps_unchanged_since_the_since_date() -> None:
    spider = make_spider(since="2024-01-01")
    index = response(XmlResponse, f"{HOME}sitemap_index.xml", INDEX, kind="sitemap")
    assert [r.url for r in requests_of(spider.parse_sitemap(index))] == [f"{HOME}post-sitemap.xml"]
    assert stat(spider, "discovery/sitemaps_skipped_old") == 1


URLSET = f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{HOME}daerah/2024/03/02/banjir-rendam-tiga-kelurahan/?utm_source=sitemap</loc>
 <news:news><news:publication_date>2024-03-02T08:00:00+08:00</news:publication_date></news:news></url>
<url><loc>{HOME}daerah/2023/11/02/jembatan-mahakam-diperbaiki-lagi/</loc>
 <lastmod>2023-11-02T08:00:00+08:00</lastmod></url>
<url><loc>{HOME}kategori/daerah/</loc></url>
<url><loc>https://lain.example/daerah/2024/03/02/berita-outlet-lain-di-sini/</loc></url>
<url><loc>{HOME}amp/daerah/2024/03/03/harga-cabai-naik-jelang-ramadan/</loc></url>
</urlset>"""


def test_sitemap_urls_become_canonical_article_requests_on_the_outlet_since_the_date() -> None:
    spider = make_spider(since="2024-01-01")
    urlset = response(XmlResponse, f"{HOME}post-sitemap.xml", URLSET, kind="sitemap")
    requests = requests_of(spider.parse_sitemap(urlset))
    assert [r.url for r in requests] == [
        f"{HOME}daerah/2024/03/02/banjir-rendam-tiga-kelurahan/",
        f"{HOME}daerah/2024/03/03/harga-cabai-naik-jelang-ramadan/",
    ]
    assert requests[0].meta["warta_published"] == "2024-03-02T08:00:00+08:00"
    assert all(r.meta["warta_kind"] == "article" for r in requests)
    assert stat(spider, "discovery/skipped_old") == 1
    assert stat(spider, "discovery/offsite") == 1
    assert stat(spider, "discovery/articles/sitemap") == 2


def test_max_articles_caps_the_requests_per_site() -> None:
    spider = make_spider(max_articles=1)
    urlset = response(XmlResponse, f"{HOME}post-sitemap.xml", URLSET, kind="sitemap")
    assert len(requests_of(spider.parse_sitemap(urlset))) == 1
    assert stat(spider, "discovery/skipped_max_articles") == 2


def test_an_article_url_is_requested_once_whichever_channel_finds_it() -> None:
    spider = make_spider()
    urlset = response(XmlResponse, f"{HOME}post-sitemap.xml", URLSET, kind="sitemap")
    first = requests_of(spider.parse_sitemap(urlset))
    again = requests_of(spider.parse_sitemap(urlset))
    assert len(first) == 3 and again == []


BOMB = """<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x/&b;</loc></url></urlset>"""


def test_xml_bomb_sitemap_is_refused_counted_and_logged_once(
        caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider()
    bomb = response(XmlResponse, f"{HOME}sitemap-bomb.xml", BOMB, kind="sitemap")
    assert requests_of(spider.parse_sitemap(bomb)) == []
    assert requests_of(spider.parse_sitemap(bomb)) == []
    assert stat(spider, "errors/xml_unsafe") == 2
    assert [r.getMessage() for r in caplog.records if "sitemap-bomb" in r.getMessage()] == [
        f"xml_unsafe: {HOME}sitemap-bomb.xml (sitemap declares XML entities "
        "(refused: sitemaps and feeds never need them))"]


def test_feed_that_is_html_is_counted() -> None:
    spider = make_spider()
    page = response(HtmlResponse, f"{HOME}feed/video/",
                    "<!DOCTYPE html><html><body><h1>Video</h1></body></html>", kind="feed")
    assert requests_of(spider.parse_feed(page)) == []
    assert stat(spider, "errors/feed_is_html") == 1
    assert stat(spider, "site/contoh/errors") == 1


RSS = f"""<rss version="2.0"><channel>
<item><title>Satu</title><link>{HOME}daerah/2024/03/04/pasar-pagi-ramai-pembeli/</link>
<pubDate>Mon, 04 Mar 2024 07:00:00 +0800</pubDate></item>
<item><title>Lama</title><link>{HOME}daerah/2020/03/04/berita-lama-sekali/</link>
<pubDate>Wed, 04 Mar 2020 07:00:00 +0800</pubDate></item>
</channel></rss>"""


def test_feed_items_become_article_requests_bounded_by_since() -> None:
    spider = make_spider(since=date(2024, 1, 1))
    feed = response(XmlResponse, f"{HOME}feed/", RSS, kind="feed")
    assert [r.url for r in requests_of(spider.parse_feed(feed))] == [
        f"{HOME}daerah/2024/03/04/pasar-pagi-ramai-pembeli/"]
    assert stat(spider, "discovery/feeds") == 1


def listing_page(*slugs: str, feed: bool = False) -> str:
    head = '<link rel="alternate" type="application/rss+xml" href="/feed/atom/">' if feed else ""
    links = "".join(f'<a href="/daerah/2024/03/05/{s}/">{s}</a>' for s in slugs)
    section = "<a href='/kategori/daerah/'>Daerah</a>"
    return f"<html><head>{head}</head><body>{links}{section}</body></html>"


def test_homepage_leads_to_articles_the_feeds_it_announces_and_its_sections() -> None:
    spider = make_spider()
    home = response(HtmlResponse, HOME, listing_page("satu-dua-tiga", feed=True), kind="listing",
                    warta_page=1, warta_listing=HOME, warta_homepage=True)
    requests = requests_of(spider.parse_listing(home))
    assert [(r.url, r.meta["warta_kind"]) for r in requests] == [
        (f"{HOME}feed/atom/", "feed"),
        (f"{HOME}daerah/2024/03/05/satu-dua-tiga/", "article"),
        (f"{HOME}kategori/daerah/", "listing"),
    ]
    assert requests[-1].meta["warta_listing_depth"] == 1


def test_listing_follows_the_profile_pagination_up_to_its_page_limit() -> None:
    spider = make_spider()
    first = response(HtmlResponse, f"{HOME}indeks", listing_page("satu-dua-tiga"), kind="listing",
                     warta_page=1, warta_listing=f"{HOME}indeks")
    [_, section, next_page] = requests_of(spider.parse_listing(first))
    assert section.url == f"{HOME}kategori/daerah/"
    assert next_page.url == f"{HOME}indeks?page=2"
    assert next_page.meta["warta_page"] == 2
    second = response(HtmlResponse, next_page.url, listing_page("empat-lima-enam"),
                      kind="listing", warta_page=2, warta_listing=f"{HOME}indeks")
    assert [r.meta["warta_kind"] for r in requests_of(spider.parse_listing(second))] == ["article"]


def test_listing_stops_at_a_page_with_no_new_article() -> None:
    spider = make_spider()
    page = listing_page("satu-dua-tiga")
    first = response(HtmlResponse, f"{HOME}indeks", page, kind="listing", warta_page=1,
                     warta_listing=f"{HOME}indeks")
    requests_of(spider.parse_listing(first))
    again = response(HtmlResponse, f"{HOME}indeks?page=2", page, kind="listing", warta_page=1,
                     warta_listing=f"{HOME}indeks")
    assert requests_of(spider.parse_listing(again)) == []


# --- failures -----------------------------------------------------------------------------------

def fail(spider: NewsSpider, exc: Exception, url: str = f"{HOME}a/b/c-d-e/",
         kind: str = "article") -> None:
    request = Request(url, meta={"warta_site": "contoh", "warta_kind": kind})
    failure = Failure(exc)
    failure.request = request  # type: ignore[attr-defined]
    spider.on_error(failure)


def test_http_errors_are_counted_by_status(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider()
    url = f"{HOME}politik/2024/01/10/berita-yang-sudah-dihapus/"
    fail(spider, HttpError(Response(url, status=404)), url)
    assert stat(spider, "errors/http_404") == 1
    assert stat(spider, "errors/total") == 1
    assert [r.getMessage() for r in caplog.records] == [f"http_404: {url} (HTTP 404)"]


@pytest.mark.parametrize(("exc", "kind"), [
    (IgnoreRequest("max redirections reached"), "redirect_loop"),
    (BadResponse("empty_body", "HTTP 200 with an empty body"), "empty_body"),
])
def test_ignored_requests_are_counted_by_kind(exc: Exception, kind: str) -> None:
    spider = make_spider()
    fail(spider, exc)
    assert stat(spider, f"errors/{kind}") == 1


def test_robots_forbidden_requests_are_not_errors() -> None:
    spider = make_spider()
    fail(spider, IgnoreRequest("Forbidden by robots.txt"))
    assert stat(spider, "errors/total") is None


@pytest.mark.parametrize(("name", "message", "kind", "logged_by_scrapy"), [
    ("DownloadTimeoutError", "Getting x took longer than 3 seconds.", "timeout", False),
    ("TCPTimedOutError", "", "timeout", False),
    ("DownloadCancelledError", "Expected to receive 20971520 bytes which is larger than "
     "download max size (8388608)", "too_large", True),
    ("CannotResolveHostError", "no such host", "dns", False),
    ("ConnectionRefusedError", "refused", "connection_refused", False),
    ("ResponseDataLossError", "", "data_loss", False),
])
def test_download_failures_are_classified(name: str, message: str, kind: str,
                                          logged_by_scrapy: bool) -> None:
    exc = type(name, (Exception,), {})(message)
    assert classify_download_error(exc)[0::2] == (kind, logged_by_scrapy)


def test_a_failed_article_frees_its_place_under_max_articles() -> None:
    spider = make_spider(max_articles=1)
    urlset = response(XmlResponse, f"{HOME}post-sitemap.xml", URLSET, kind="sitemap")
    [request] = requests_of(spider.parse_sitemap(urlset))
    fail(spider, HttpError(Response(request.url, status=500)), request.url)
    again = response(XmlResponse, f"{HOME}post-sitemap-2.xml", URLSET, kind="sitemap")
    assert [r.url for r in requests_of(spider.parse_sitemap(again))] == [
        f"{HOME}daerah/2023/11/02/jembatan-mahakam-diperbaiki-lagi/"]


def test_spider_without_a_site_says_how_to_name_one() -> None:
    project = crawl_settings()
    values = {name: project[name] for name in dir(settings_module) if name.isupper()}
    spider = NewsSpider.from_crawler(get_crawler(NewsSpider, values))
    assert spider.argument_error == ("the news spider needs a site: scrapy crawl news -a "
                                     "site=KEY (see `warta sites` for the keys)")


def test_spider_site_argument_takes_comma_separated_keys() -> None:
    project = crawl_settings()
    values = {name: project[name] for name in dir(settings_module) if name.isupper()}
    spider = NewsSpider.from_crawler(get_crawler(NewsSpider, values), site="sapos,kaltimpost")
    assert list(spider.profiles) == ["sapos", "kaltimpost"]


def test_a_sitemap_of_articles_is_taken_whole_even_short_urls() -> None:
    spider = make_spider()
    slugs = [f"daerah/2024/03/0{i}/berita-nomor-{i}-hari-ini/" for i in range(1, 6)]
    locs = "".join(f"<url><loc>{HOME}{s}</loc></url>" for s in [*slugs, "putar/a/"])
    urlset = response(XmlResponse, f"{HOME}post-sitemap.xml",
                      f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}'
                      "</urlset>", kind="sitemap")
    assert len(requests_of(spider.parse_sitemap(urlset))) == 6


def test_a_listing_paginates_even_when_the_homepage_showed_the_same_articles() -> None:
    spider = make_spider()
    page = listing_page("satu-dua-tiga", "empat-lima-enam")
    home = response(HtmlResponse, HOME, page, kind="listing", warta_page=1, warta_listing=HOME,
                    warta_homepage=True)
    requests_of(spider.parse_listing(home))
    index = response(HtmlResponse, f"{HOME}indeks", page, kind="listing", warta_page=1,
                     warta_listing=f"{HOME}indeks")
    assert [r.url for r in requests_of(spider.parse_listing(index))] == [f"{HOME}indeks?page=2"]


def test_requests_and_redirects_off_the_outlet_are_dropped_and_pages_counted() -> None:
    from crawler.exceptions import OffsiteRequest, RefusedRequest
    from crawler.middlewares.outletscope import OutletScopeMiddleware

    spider = make_spider()
    scope = OutletScopeMiddleware.from_crawler(spider.crawler)
    meta = {"warta_site": "contoh", "warta_kind": "article"}
    with pytest.raises(OffsiteRequest):
        scope.process_request(Request("https://lain.example/a/b/c-d-e/", meta=meta))
    # a sitemap on another host of the outlet's registrable domain passes; one elsewhere,
    # though a robots.txt or a sitemap index names it, does not
    same_domain = Request(f"https://cdn.{urlsplit(HOME).hostname}/sitemap.xml",
                          meta={**meta, "warta_kind": "sitemap"})
    assert scope.process_request(same_domain) is None
    with pytest.raises(RefusedRequest) as refused:
        scope.process_request(Request("https://cdn.example/sitemap.xml",
                                      meta={**meta, "warta_kind": "sitemap"}))
    assert refused.value.reason == "off_domain"
    own = Request(f"{HOME}a/b/c-d-e/", meta=meta)
    assert scope.process_request(own) is None
    scope.process_response(own, Response(own.url, request=own))
    assert stat(spider, "site/contoh/pages") == 1
