"""The `news` spider's article callbacks on real demo pages (rendered in-process by the demo
outlets, wrapped in Scrapy responses): multi-page stitching, the `since` bound, related links
and their hop limit, and failures that are not errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler import settings as settings_module
from crawler.demo import build_outlets, expected_articles
from crawler.demo.site import Request as DemoRequest
from crawler.exceptions import SkipRequest
from crawler.items import ArticleItem
from crawler.runtime.runner import crawl_settings
from crawler.sites import parse_profile
from crawler.spiders.news import NewsSpider

BASE = "http://benua.test"
SITE = "benuaetam"
OUTLET = build_outlets({SITE: BASE})[SITE]
PROFILE = parse_profile(SITE, OUTLET.profile())
EXPECTED = expected_articles({SITE: BASE})


def make_spider(**kwargs: Any) -> NewsSpider:
    project = crawl_settings()
    values = {name: project[name] for name in dir(settings_module) if name.isupper()}
    values.update(kwargs.pop("settings", {}))
    crawler = get_crawler(NewsSpider, values)
    spider = NewsSpider.from_crawler(crawler, profiles=[PROFILE], **kwargs)
    crawler.spider = spider
    return spider


def stat(spider: NewsSpider, key: str) -> Any:
    assert spider.crawler.stats is not None
    return spider.crawler.stats.get_value(key)


def page(url: str, request: Request | None = None) -> HtmlResponse:
    """The demo outlet's page for `url`, as Scrapy would hand it to the callback."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    served = OUTLET.respond(DemoRequest("GET", target))
    assert served.status == 200, url
    request = request or Request(url, meta={"warta_site": SITE, "warta_kind": "article",
                                            "warta_target": url})
    return HtmlResponse(url, body=served.body, request=request,
                        headers={"Content-Type": served.content_type or "text/html"})


def first_request_for(spider: NewsSpider, url: str) -> Request:
    [request] = list(spider._article_requests(PROFILE, url, via="listing"))
    return request


def run_article(spider: NewsSpider, url: str) -> list[Any]:
    """Feed an article and every part the spider asks for; return everything it yields."""
    request = first_request_for(spider, url)
    out = list(spider.parse_article(page(url, request)))
    results = list(out)
    while parts := [r for r in out if isinstance(r, Request) and r.meta["warta_kind"] == "part"]:
        [part] = parts
        assert part.callback is not None
        out = list(part.callback(page(part.url, part), **part.cb_kwargs))
        results.extend(out)
    return results


def items(results: list[Any]) -> list[ArticleItem]:
    return [r for r in results if isinstance(r, ArticleItem)]


def test_a_multipage_article_is_fetched_part_by_part_and_stitched() -> None:
    want = next(a for a in EXPECTED if a["pages"] == 3)
    spider = make_spider()
    results = run_article(spider, want["url"])
    parts = [r for r in results if isinstance(r, Request) and r.meta["warta_kind"] == "part"]
    assert [urlsplit(r.url).query for r in parts] == ["page=2", "page=3"]
    [item] = items(results)
    assert item.url == want["url"]
    assert item.parts == 3
    assert item.body == want["body"]
    assert stat(spider, "extract/multipage") == 1


def test_a_part_that_fails_still_gives_the_article_with_what_was_read() -> None:
    want = next(a for a in EXPECTED if a["pages"] == 2)
    spider = make_spider()
    request = first_request_for(spider, want["url"])
    [part] = [r for r in spider.parse_article(page(want["url"], request))
              if isinstance(r, Request)]
    failure = Failure(HttpError(HtmlResponse(part.url, status=500, request=part)))
    failure.request = part  # type: ignore[attr-defined]
    [item] = items(list(spider.on_part_error(failure)))
    assert item.parts == 1
    assert want["body"].startswith(item.body or "-")
    assert stat(spider, "extract/parts_missing") == 1
    assert stat(spider, "errors/http_500") == 1


def test_an_article_older_than_since_is_not_kept() -> None:
    old = min(EXPECTED, key=lambda a: a["published_at"])
    spider = make_spider(since="2030-01-01")
    assert items(run_article(spider, old["url"])) == []
    assert stat(spider, "discovery/skipped_old") == 1


def test_related_links_are_followed_one_hop_by_default() -> None:
    want = next(a for a in EXPECTED if a["pages"] == 1 and a["related_count"])
    spider = make_spider()
    results = run_article(spider, want["url"])
    followed = [r for r in results if isinstance(r, Request) and r.meta["warta_kind"] == "article"]
    assert {r.url for r in followed} == set(want["related_urls"])
    assert all(r.meta["warta_depth"] == 1 and r.meta["warta_via"] == "related" for r in followed)
    # an article found through a related link does not lead further
    hop = followed[0]
    onward = list(spider.parse_article(page(hop.url, hop)))
    assert [r for r in onward if isinstance(r, Request)] == []


def test_an_article_found_again_nearer_a_listing_has_its_links_followed_after_all() -> None:
    source = next(a for a in EXPECTED if a["pages"] == 1 and a["related_count"])
    spider = make_spider()
    hop = next(r for r in run_article(spider, source["url"])
               if isinstance(r, Request) and r.meta["warta_kind"] == "article")
    assert [r for r in spider.parse_article(page(hop.url, hop)) if isinstance(r, Request)] == []
    hop_article = next(a for a in EXPECTED if a["url"] == hop.url)
    again = list(spider._article_requests(PROFILE, hop.url, via="listing"))
    new_targets = set(hop_article["related_urls"]) - {source["url"]}
    assert {r.url for r in again} <= new_targets
    assert again, "the hop's own related links should now be requested"
    assert all(r.meta["warta_depth"] == 1 for r in again)


def test_related_following_can_be_switched_off() -> None:
    want = next(a for a in EXPECTED if a["related_count"])
    spider = make_spider(settings={"WARTA_RELATED_DEPTH": 0})
    results = run_article(spider, want["url"])
    assert not any(isinstance(r, Request) and r.meta["warta_kind"] == "article" for r in results)


def test_a_skipped_request_is_counted_as_skipped_not_as_an_error() -> None:
    spider = make_spider(max_articles=1)
    urls = [a["url"] for a in EXPECTED]
    request = first_request_for(spider, urls[0])
    failure = Failure(SkipRequest("archived"))
    failure.request = request  # type: ignore[attr-defined]
    spider.on_error(failure)
    assert stat(spider, "skipped/archived") == 1
    assert stat(spider, "errors/total") is None
    assert [r.url for r in spider._article_requests(PROFILE, urls[1], via="listing")] == [urls[1]]


@pytest.mark.parametrize("content_type", ["image/jpeg", "application/pdf"])
def test_a_binary_article_response_is_not_read(content_type: str) -> None:
    from crawler.exceptions import BadResponse
    from crawler.middlewares.responsecheck import ResponseCheckMiddleware

    spider = make_spider()
    middleware = ResponseCheckMiddleware.from_crawler(spider.crawler)
    url = EXPECTED[0]["url"]
    request = Request(url, meta={"warta_site": SITE, "warta_kind": "article"})
    response = HtmlResponse(url, body=b"\xff\xd8\xff binary", request=request,
                            headers={"Content-Type": content_type})
    with pytest.raises(BadResponse) as err:
        middleware.process_response(request, response)
    assert err.value.kind == "not_html"


@pytest.mark.parametrize("found", [
    "http://benua.test/berita/2024/05/23/banjir-samarinda?utm_source=wa&b=2&a=1#komentar",
    "http://BENUA.test:80/berita/ada spasi/%7Eeditor/é",
])
def test_an_article_request_keeps_the_fingerprint_scrapy_gives_its_url(found: str) -> None:
    """Article requests carry their canonical URL verbatim (Scrapy does not re-encode it):
    the duplicate filter sees the same fingerprint as for Scrapy's own handling of that URL,
    so a JOBDIR written before resumes with the same requests seen."""
    from scrapy.utils.request import fingerprint

    [request] = list(make_spider()._article_requests(PROFILE, found, via="listing"))
    assert request.meta["verbatim_url"] is True
    assert fingerprint(request) == fingerprint(Request(request.url))
    assert Request(request.url).url == request.url  # already what Scrapy would send
