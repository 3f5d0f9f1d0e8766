"""Where an outlet may send warta: the URL filter's decisions, asserted without opening a socket.

`crawler.urls.refused_address` judges a URL by its literal host (no DNS); the downloader
middlewares apply it (`AddressGuardMiddleware`) and keep robots.txt, sitemaps and feeds on the
outlet's registrable domain (`OutletScopeMiddleware`, `SiteProfile.may_discover_from`). No URL
here is ever requested: the middlewares are called directly, on Scrapy's own Request and
Response objects."""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

import pytest
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.exceptions import OffsiteRequest, RefusedRequest
from crawler.middlewares.addressguard import AddressGuardMiddleware
from crawler.middlewares.outletscope import OutletScopeMiddleware
from crawler.settings import WARTA_SETTINGS
from crawler.sites import SiteProfile, parse_profile
from crawler.spiders.news import NewsSpider
from crawler.urls import address_class, refused_address, registrable_domain

PUBLIC_OUTLET = "https://kaltimpost.jawapos.com/"
LOOPBACK_OUTLET = "http://127.0.0.1:8101/"

# (URL, refusal for an outlet on a public name, refusal for an outlet on loopback)
DECISIONS = [
    ("http://169.254.169.254/latest/meta-data/", "link_local", "link_local"),
    ("http://10.0.0.1/sitemap.xml", "private", "private"),
    ("http://192.168.1.1/sitemap.xml", "private", "private"),
    ("http://172.16.0.1/sitemap.xml", "private", "private"),
    ("http://127.0.0.1/sitemap.xml", "loopback", None),
    ("http://127.0.0.2:8080/sitemap.xml", "loopback", None),
    ("http://[::1]/sitemap.xml", "loopback", None),
    ("http://[fe80::1]/sitemap.xml", "link_local", "link_local"),
    ("http://localhost:8080/sitemap.xml", "loopback", None),
    ("https://kaltimpost.jawapos.com/sitemap.xml", None, None),
    ("https://www.example.org/sitemap.xml", None, None),  # off the domain: the scope's call
    # other spellings of the metadata address that an HTTP client's resolver reads as it
    ("http://2852039166/latest/", "link_local", "link_local"),
    ("http://0xa9fea9fe/latest/", "link_local", "link_local"),
    ("http://[::ffff:169.254.169.254]/latest/", "link_local", "link_local"),
    ("http://0.0.0.0/", "unspecified", "unspecified"),
    ("http://100.64.0.1/", "reserved", "reserved"),
    ("file:///etc/passwd", "scheme", "scheme"),
    ("ftp://kaltimpost.jawapos.com/sitemap.xml", "scheme", "scheme"),
]


@pytest.mark.parametrize(("url", "public", "loopback"), DECISIONS)
def test_the_address_filter_decides_by_the_literal_host(url: str, public: str | None,
                                                        loopback: str | None) -> None:
    assert refused_address(url, PUBLIC_OUTLET) == public
    assert refused_address(url, LOOPBACK_OUTLET) == loopback


def test_a_name_is_not_an_address_class() -> None:
    assert address_class("kaltimpost.jawapos.com") is None
    assert address_class("10.0.0.1.nip.io") is None  # a name; its server is checked on arrival
    assert address_class("deadbeef") is None


@pytest.mark.parametrize(("host", "domain"), [
    ("kaltimpost.jawapos.com", "jawapos.com"),
    ("www.tribunnews.com", "tribunnews.com"),
    ("a.b.co.id", "b.co.id"),
    ("outlet-a.blogspot.com", "outlet-a.blogspot.com"),  # a private suffix: one owner each
    ("127.0.0.1", "127.0.0.1"),
    ("contoh.example", "contoh.example"),
])
def test_registrable_domain(host: str, domain: str) -> None:
    assert registrable_domain(host) == domain


def profile(homepage: str = PUBLIC_OUTLET, **extra: Any) -> SiteProfile:
    return parse_profile("outlet", {"name": "Outlet", "homepage": homepage,
                                    "timezone": "Asia/Makassar", **extra})


def test_discovery_stays_on_the_registrable_domain_and_the_hosts_the_profile_names() -> None:
    outlet = profile(discovery={"sitemaps": ["https://sitemaps.cdn-kabar.net/kp.xml"]})
    assert outlet.may_discover_from("https://kaltimpost.jawapos.com/sitemap.xml")
    assert outlet.may_discover_from("https://cdn.jawapos.com/sitemap-kaltimpost.xml")
    assert outlet.may_discover_from("https://sitemaps.cdn-kabar.net/other.xml")
    assert not outlet.may_discover_from("https://www.example.org/sitemap.xml")
    assert not outlet.may_discover_from("http://169.254.169.254/latest/meta-data/sitemap.xml")
    loopback = profile(LOOPBACK_OUTLET)
    assert loopback.may_discover_from("http://127.0.0.1:9999/sitemap.xml")
    assert not loopback.may_discover_from("http://127.0.0.2:8101/sitemap.xml")


def crawler_for(*profiles: SiteProfile) -> Any:
    settings = {name: s.default for name, s in WARTA_SETTINGS.items()}
    crawler = get_crawler(NewsSpider, settings)
    crawler.spider = NewsSpider.from_crawler(crawler, profiles=list(profiles))
    return crawler


def request(url: str, kind: str = "sitemap", site: str = "outlet") -> Request:
    return Request(url, meta={"warta_site": site, "warta_kind": kind})


@pytest.mark.parametrize("homepage", [PUBLIC_OUTLET, LOOPBACK_OUTLET])
@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/sitemap.xml",
                                 "http://10.0.0.1/", "http://[fe80::1]/", "file:///etc/hosts"])
def test_the_guard_refuses_before_sending(homepage: str, url: str) -> None:
    guard = AddressGuardMiddleware.from_crawler(crawler_for(profile(homepage)))
    for kind in ("robots", "sitemap", "feed", "article", "listing"):
        with pytest.raises(RefusedRequest):
            guard.process_request(request(url, kind))
    # Scrapy's own requests (robots.txt of a new host) carry no outlet: judged for all
    with pytest.raises(RefusedRequest):
        guard.process_request(Request(url))


def test_the_guard_lets_a_loopback_outlet_use_loopback_only() -> None:
    guard = AddressGuardMiddleware.from_crawler(crawler_for(profile(LOOPBACK_OUTLET)))
    assert guard.process_request(request("http://127.0.0.1:8101/sitemap.xml")) is None
    assert guard.process_request(Request("http://127.0.0.1:8101/robots.txt")) is None
    public = AddressGuardMiddleware.from_crawler(crawler_for(profile()))
    with pytest.raises(RefusedRequest) as refused:
        public.process_request(request("http://127.0.0.1:8101/sitemap.xml"))
    assert refused.value.reason == "loopback"
    assert public.process_request(request("https://kaltimpost.jawapos.com/x.xml")) is None


def test_a_name_whose_server_answers_from_a_private_address_is_refused_on_arrival() -> None:
    guard = AddressGuardMiddleware.from_crawler(crawler_for(profile()))
    sent = request("https://sitemaps.jawapos.com/sitemap.xml")
    private = Response(sent.url, request=sent, ip_address=ipaddress.ip_address("10.1.2.3"))
    with pytest.raises(RefusedRequest) as refused:
        guard.process_response(sent, private)
    assert refused.value.reason == "resolved_private"
    public = Response(sent.url, request=sent, ip_address=ipaddress.ip_address("36.86.63.182"))
    assert guard.process_response(sent, public) is public
    # the outlet's own host is the outlet's business (an intranet mirror on a private address)
    own = request("https://kaltimpost.jawapos.com/sitemap.xml")
    mirror = Response(own.url, request=own, ip_address=ipaddress.ip_address("10.1.2.3"))
    assert guard.process_response(own, mirror) is mirror


def test_the_scope_keeps_sitemaps_and_feeds_on_the_outlets_domain() -> None:
    scope = OutletScopeMiddleware.from_crawler(crawler_for(profile()))
    for kind in ("robots", "sitemap", "feed"):
        assert scope.process_request(request("https://cdn.jawapos.com/s.xml", kind)) is None
        with pytest.raises(RefusedRequest) as refused:
            scope.process_request(request("https://www.example.org/s.xml", kind))
        assert refused.value.reason == "off_domain"
    with pytest.raises(OffsiteRequest):  # a page must be the outlet's own, not only its domain
        scope.process_request(request("https://cdn.jawapos.com/a/2024/01/01/b-c-d/", "article"))


def test_a_refusal_is_counted_by_reason_and_logged_once(caplog: pytest.LogCaptureFixture
                                                        ) -> None:
    crawler = crawler_for(profile())
    spider = crawler.spider
    crawler.stats.open_spider()
    url = "http://169.254.169.254/latest/meta-data/sitemap.xml"
    guard = AddressGuardMiddleware.from_crawler(crawler)
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            sent = request(url)
            try:
                guard.process_request(sent)
            except RefusedRequest as exc:
                failure = Failure(exc)
                failure.request = sent  # type: ignore[attr-defined]
                spider.on_error(failure)
    assert crawler.stats.get_value("offsite/refused/link_local") == 2
    assert crawler.stats.get_value("errors/total") is None
    assert len([r for r in caplog.records if url in r.getMessage()]) == 1
