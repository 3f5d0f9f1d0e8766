"""Generic listing discovery (issue 13): the rules that tell a listing page's links apart
(article, next page, numbered page, listing by kind, nothing) on small documents, and the
spider's bounds on following them (depth, pages per listing, loops, the outlet's budget,
`--since`, archived articles), each with the case it must not fire on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request

from crawler.exceptions import SkipRequest
from crawler.sites import parse_profile
from crawler.spiders import listingfollow
from crawler.spiders.discovery import Entry
from crawler.spiders.listings import (
    MAX_LINKS_PER_PAGE,
    MAX_LISTINGS_PER_PAGE,
    listing_kind,
    page_of,
    parse_listing,
)
from tests.crawler.spiders.test_spider_discovery import make_spider, requests_of, stat

HOME = "https://lawas.example/"
THREE_LINES = parse_profile("lawas", {"name": "Lawas", "homepage": HOME,
                                      "timezone": "Asia/Makassar"})


def owns(url: str) -> bool:
    return url.startswith(HOME)


def page(*anchors: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{''.join(anchors)}</body></html>"


def a(href: str, text: str = "x", **attrs: str) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f'<a href="{href}"{extra}>{text}</a>'


def art(n: int) -> str:
    return a(f"/baca/{70000 + n}/judul-berita-nomor-{n}", f"Judul {n}")


# --- page numbers -------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "listing", "expected"), [
    (f"{HOME}indeks?page=3", None, (f"{HOME}indeks", 3)),
    (f"{HOME}indeks?kanal=x&page=3", None, (f"{HOME}indeks?kanal=x", 3)),
    (f"{HOME}kanal/politik/page/2/", None, (f"{HOME}kanal/politik", 2)),
    (f"{HOME}?p=4", None, (HOME, 4)),
    (f"{HOME}berita?offset=40", None, (f"{HOME}berita", 40)),
    (f"{HOME}penulis/rina?hal=2", None, (f"{HOME}penulis/rina", 2)),
    (f"{HOME}kanal/politik/3", f"{HOME}kanal/politik", (f"{HOME}kanal/politik", 3)),
])
def test_page_numbers_in_their_common_forms(url: str, listing: str | None,
                                            expected: tuple[str, int]) -> None:
    assert page_of(url, listing) == expected


@pytest.mark.parametrize(("url", "listing"), [
    (f"{HOME}kanal/politik/3", None),                 # a trailing number of no known listing
    (f"{HOME}read/3", f"{HOME}kanal/politik"),        # ... of another listing
    (f"{HOME}?p=52171", None),                        # a WordPress item id, not a page
    (f"{HOME}kanal/politik", None),
    (f"{HOME}baca/70001/judul-berita", None),
])
def test_what_is_not_a_page_number(url: str, listing: str | None) -> None:
    assert page_of(url, listing) is None


# --- kinds of listing ---------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "text", "kind"), [
    (f"{HOME}indeks", "", "index"),
    (f"{HOME}arsip/", "", "index"),
    (f"{HOME}semua", "Indeks Berita", "index"),
    (f"{HOME}kanal/politik", "", "section"),
    (f"{HOME}kategori/daerah/", "", "section"),
    (f"{HOME}?kategori=daerah", "", "section"),
    (f"{HOME}politik/", "Politik", "section"),
    (f"{HOME}daerah/samarinda/", "", "section"),
    (f"{HOME}tag/banjir", "", "tag"),
    (f"{HOME}topik/ikn-nusantara", "", "tag"),
    (f"{HOME}penulis/rina-maharani", "", "author"),
    (f"{HOME}author/rina/", "", "author"),
    (f"{HOME}2024/05/", "", "date"),
    (f"{HOME}2024/05/21/", "", "date"),
])
def test_listing_kinds_by_url_shape_and_anchor_text(url: str, text: str, kind: str) -> None:
    assert listing_kind(url, text.lower()) == kind


@pytest.mark.parametrize("url", [
    f"{HOME}redaksi", f"{HOME}pedoman-media-siber", f"{HOME}login", f"{HOME}cari?q=banjir",
    f"{HOME}?s=banjir", f"{HOME}img/logo.png", f"{HOME}feed/", f"{HOME}kontak",
    f"{HOME}dprd-kaltim-sahkan-apbd-perubahan", f"{HOME}?sort=asc",
    f"{HOME}a/b/c/", f"{HOME}wp-admin/",
])
def test_what_is_not_a_listing(url: str) -> None:
    assert listing_kind(url, "") is None


# --- one listing page ---------------------------------------------------------------------------

def test_a_listing_page_tells_articles_listings_and_its_next_page() -> None:
    body = page(art(1), art(2), a("/kanal/politik", "Politik"), a("/tag/banjir", "#banjir"),
                a("/penulis/rina", "Rina"), a("/redaksi", "Redaksi"), a("/cari?q=x", "Cari"),
                a("/indeks?page=2", "2"), a("/indeks?page=3", "3"),
                a("/kanal/ekonomi?page=2", "2"), a("https://lain.example/tag/x", "x"))
    listing = parse_listing(body, f"{HOME}indeks", owns=owns)
    assert listing.articles == [f"{HOME}baca/70001/judul-berita-nomor-1",
                                f"{HOME}baca/70002/judul-berita-nomor-2"]
    assert listing.listings == {f"{HOME}kanal/politik": "section", f"{HOME}tag/banjir": "tag",
                                f"{HOME}penulis/rina": "author",
                                f"{HOME}kanal/ekonomi": "section"}  # page 2 of another one
    assert listing.next_pages == [f"{HOME}indeks?page=2"]  # the nearest following number


@pytest.mark.parametrize("nav", [
    a("/indeks?page=9", "Selanjutnya"), a("/indeks?page=9", "Berikutnya"),
    a("/indeks?page=9", "Next"), a("/indeks?page=9", "»"), a("/indeks?page=9", "go", rel="next"),
])
def test_a_next_link_wins_over_numbers(nav: str) -> None:
    body = page(art(1), a("/indeks?page=2", "2"), nav)
    assert parse_listing(body, f"{HOME}indeks", owns=owns).next_pages[0] == (
        f"{HOME}indeks?page=9")


def test_numbered_pages_lead_to_the_next_one_only() -> None:
    body = page(art(1), a("/kanal/x/2", "2"), a("/kanal/x/3", "3"), a("/kanal/x/4", "4"))
    listing = parse_listing(body, f"{HOME}kanal/x/3", owns=owns, listing=f"{HOME}kanal/x")
    assert listing.next_pages == [f"{HOME}kanal/x/4"]
    last = parse_listing(body, f"{HOME}kanal/x/4", owns=owns, listing=f"{HOME}kanal/x")
    assert last.next_pages == []  # no number after the last: the end
    assert last.listings == {}  # and its own pages are not other listings


def test_offset_pagination_takes_the_nearest_following_offset() -> None:
    body = page(art(1), a("/berita?offset=20", "2"), a("/berita?offset=40", "3"))
    listing = parse_listing(body, f"{HOME}berita?offset=20", owns=owns,
                            listing=f"{HOME}berita")
    assert listing.next_pages == [f"{HOME}berita?offset=40"]


def test_the_time_beside_a_link_travels_with_it() -> None:
    body = page('<ul><li>' + art(1) + '<time datetime="2024-03-01T10:15:00+08:00">1/3</time>'
                '</li><li>' + art(2) + '</li></ul>')
    listing = parse_listing(body, f"{HOME}indeks", owns=owns)
    assert listing.dates == {
        f"{HOME}baca/70001/judul-berita-nomor-1": datetime.fromisoformat(
            "2024-03-01T10:15:00+08:00")}  # the second item has no time of its own


def test_a_tag_cloud_and_a_page_of_links_are_cut_and_counted() -> None:
    cloud = page(*(a(f"/tag/t{i}", f"t{i}") for i in range(500)))
    listing = parse_listing(cloud, HOME, owns=owns)
    assert len(listing.listings) == MAX_LISTINGS_PER_PAGE
    assert listing.cut == {"too_many_listings": 500 - MAX_LISTINGS_PER_PAGE}
    dump = page(*(art(i) for i in range(10_000)))
    listing = parse_listing(dump, HOME, owns=owns)
    assert len(listing.articles) == MAX_LINKS_PER_PAGE
    assert listing.cut == {"too_many_links": 10_000 - MAX_LINKS_PER_PAGE}
    small = parse_listing(page(*(art(i) for i in range(50))), HOME, owns=owns)
    assert small.cut == {}


# --- the spider's bounds ------------------------------------------------------------------------

def respond(url: str, body: str, **meta: Any) -> HtmlResponse:
    request = Request(url, meta={"warta_site": "lawas", "warta_kind": "listing", **meta})
    return HtmlResponse(url, body=body.encode(), request=request, encoding="utf-8")


def kinds(requests: list[Request]) -> list[tuple[str, str]]:
    return [(r.meta["warta_kind"], r.url.removeprefix(HOME)) for r in requests]


def test_listings_are_followed_to_the_depth_limit_only() -> None:
    spider = make_spider([THREE_LINES])
    home = respond(HOME, page(art(1), a("/kanal/politik", "Politik")), warta_page=1,
                   warta_listing=HOME, warta_homepage=True)
    [_, section] = requests_of(spider.parse_listing(home))
    assert section.meta["warta_listing_depth"] == 1
    deeper = respond(section.url, page(art(2), a("/tag/banjir")), **section.meta)
    [_, tag] = requests_of(spider.parse_listing(deeper))
    assert tag.meta["warta_listing_depth"] == 2
    deepest = respond(tag.url, page(art(3), a("/penulis/rina"), a("/penulis/budi")), **tag.meta)
    assert kinds(requests_of(spider.parse_listing(deepest))) == [
        ("article", "baca/70003/judul-berita-nomor-3")]
    assert stat(spider, "discovery/listing_cut/depth") == 2


def test_pagination_stops_at_max_listing_pages_and_counts_it() -> None:
    spider = make_spider([THREE_LINES])
    url = f"{HOME}indeks"
    for n in range(1, 7):
        current = url if n == 1 else f"{url}?page={n}"
        body = page(art(n), a(f"/indeks?page={n + 1}", "Selanjutnya"))
        found = requests_of(spider.parse_listing(
            respond(current, body, warta_page=n, warta_listing=url, warta_listing_depth=1)))
        pages = [r for r in found if r.meta["warta_kind"] == "listing"]
        assert len(pages) == (1 if n < THREE_LINES.discovery.max_listing_pages else 0)
        if not pages:
            break
    assert n == THREE_LINES.discovery.max_listing_pages == 5
    assert stat(spider, "discovery/listing_cut/max_pages") == 1


def test_a_pagination_loop_is_cut() -> None:
    spider = make_spider([THREE_LINES])
    url = f"{HOME}pilihan"
    first = respond(url, page(art(1), a("/pilihan/2", "»")), warta_page=1, warta_listing=url,
                    warta_listing_depth=1)
    [_, second] = requests_of(spider.parse_listing(first))
    again = respond(second.url, page(art(2), a("/pilihan", "»")), **second.meta)
    assert kinds(requests_of(spider.parse_listing(again))) == [
        ("article", "baca/70002/judul-berita-nomor-2")]
    assert stat(spider, "discovery/listing_cut/loop") == 1


def test_a_page_number_that_always_answers_ends_at_nothing_new() -> None:
    spider = make_spider([THREE_LINES])
    url = f"{HOME}terpopuler"
    body = page(art(1), art(2), a("/terpopuler?page=2", "Next"))
    [_, _, second] = requests_of(spider.parse_listing(
        respond(url, body, warta_page=1, warta_listing=url, warta_listing_depth=1)))
    same = page(art(1), art(2), a("/terpopuler?page=3", "Next"))
    assert requests_of(spider.parse_listing(respond(second.url, same, **second.meta))) == []
    assert stat(spider, "discovery/listing_cut/nothing_new") == 1


def test_the_outlet_budget_bounds_every_listing_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listingfollow, "LISTING_BUDGET_PAGES", 1)  # 5 pages for max_listing_pages 5
    spider = make_spider([THREE_LINES])
    requests_of(spider._start_requests(THREE_LINES))  # the homepage: one page of the budget
    home = respond(HOME, page(*(a(f"/kanal/k{chr(97 + i)}", "k") for i in range(10))),
                   warta_page=1, warta_listing=HOME, warta_homepage=True)
    assert len(requests_of(spider.parse_listing(home))) == 4
    assert stat(spider, "discovery/listing_cut/outlet_budget") == 1


def test_since_stops_a_listing_whose_page_shows_only_older_articles() -> None:
    spider = make_spider([THREE_LINES], since="2024-03-01")
    url = f"{HOME}indeks"

    def item(n: int, when: str) -> str:
        return f'<li>{art(n)}<time datetime="{when}">t</time></li>'

    newer = page(item(1, "2024-03-02T08:00:00+08:00"), item(2, "2024-02-20T08:00:00+08:00"),
                 a("/indeks?page=2", "Selanjutnya"))
    found = kinds(requests_of(spider.parse_listing(
        respond(url, newer, warta_page=1, warta_listing=url, warta_listing_depth=1))))
    assert found == [("article", "baca/70001/judul-berita-nomor-1"),
                     ("listing", "indeks?page=2")]
    older = page(item(3, "2024-02-10T08:00:00+08:00"), item(4, "2024-02-09T08:00:00+08:00"),
                 a("/indeks?page=3", "Selanjutnya"))
    assert requests_of(spider.parse_listing(respond(
        f"{url}?page=2", older, warta_page=2, warta_listing=url, warta_listing_depth=1))) == []
    assert stat(spider, "discovery/listing_stop/since") == 1
    assert stat(spider, "discovery/skipped_old") == 3


def test_a_listing_that_reached_archived_articles_is_read_no_further() -> None:
    spider = make_spider([THREE_LINES])
    url = f"{HOME}kanal/politik"
    body = page(art(1), art(2), a("/tag/banjir"), a("/kanal/politik/2", "Berikutnya"))
    response = respond(url, body, warta_page=1, warta_listing=url, warta_listing_depth=1)

    def crawl(archived: set[int]) -> list[tuple[str, str]]:
        # what the incremental middleware does with each request as the spider yields it
        kept = []
        for request in spider.parse_listing(response):
            if request.meta["warta_kind"] == "article" and any(
                    f"/{70000 + n}/" in request.url for n in archived):
                spider.on_skip(request, SkipRequest("archived"))
            else:
                kept.append(request)
        return kinds(kept)

    assert crawl({2}) == [("article", "baca/70001/judul-berita-nomor-1")]
    assert stat(spider, "discovery/listing_stop/archived") == 1
    assert stat(spider, "discovery/listing_stop/archived_links") == 1
    fresh = make_spider([THREE_LINES])
    spider = fresh
    assert [k for k, _ in crawl(set())] == ["article", "article", "listing", "listing"]


def test_an_article_a_listing_showed_undated_is_decided_again_with_a_sitemap_date() -> None:
    spider = make_spider([THREE_LINES])
    url = f"{HOME}kanal/politik"
    response = respond(url, page(art(1)), warta_page=1, warta_listing=url,
                       warta_listing_depth=1)
    [first] = requests_of(spider.parse_listing(response))
    spider.on_skip(first, SkipRequest("archived"))  # the archive holds it; no date said changed
    entry = Entry(url=first.url, lastmod=datetime.fromisoformat("2024-03-05T10:00:00+08:00"))
    [again] = spider._article_requests(THREE_LINES, first.url, via="sitemap", hint=entry)
    assert again.meta["warta_lastmod"] == "2024-03-05T10:00:00+08:00"
    assert again.meta["warta_redecide"] is True
    spider.on_skip(again, SkipRequest("archived"))  # still unchanged: counted once, not twice
    assert stat(spider, "skipped/archived") == 1
    # without a date there is nothing new to decide on, nor a second time
    assert list(spider._article_requests(THREE_LINES, first.url, via="feed")) == []
    assert list(spider._article_requests(THREE_LINES, first.url, via="sitemap", hint=entry)) == []


def test_a_time_printed_as_text_beside_a_link_travels_with_it() -> None:
    body = page('<div class="item">' + art(1) + '<span>Jumat, 01/03/2024 10:15 WITA</span>'
                '</div><div class="item">' + art(2) + '<span>2 jam lalu</span></div>'
                '<div class="item">' + art(3) + '<span>Kamis (29/2)</span></div>')
    from zoneinfo import ZoneInfo

    listing = parse_listing(body, f"{HOME}indeks", owns=owns, tz=ZoneInfo("Asia/Makassar"))
    # only a full date with its time: not a relative one, not a day without its year
    assert listing.dates == {
        f"{HOME}baca/70001/judul-berita-nomor-1": datetime.fromisoformat(
            "2024-03-01T10:15:00+08:00")}


def test_a_listings_page_numbers_tell_its_length() -> None:
    body = page(art(1), *(a(f"/indeks?page={n}", str(n)) for n in (2, 3, 7)))
    assert parse_listing(body, f"{HOME}indeks", owns=owns).last_page == 7
    by_item = page(art(1), a("/berita?offset=20", "2"), a("/berita?offset=40", "3"))
    assert parse_listing(by_item, f"{HOME}berita", owns=owns).last_page == 0  # items, not pages
    assert parse_listing(page(art(1)), f"{HOME}indeks", owns=owns).last_page == 0
