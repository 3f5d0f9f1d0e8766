"""Discovery functions on saved documents: robots.txt, sitemaps, feeds, listing pages.

The real feeds and listing pages in ../shared/realpages (or $WARTA_REALPAGES) are used when
present (skipped with the reason otherwise); the small documents below were written for these
tests.
"""

from __future__ import annotations

import gzip
import html
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawler.extract.scoring import REALPAGES_ENV, realpages_path
from crawler.spiders.discovery import (
    NotAFeed,
    NotASitemap,
    UnsafeDocument,
    is_gzip,
    is_older,
    parse_date,
    parse_feed,
    parse_sitemap,
    since_instant,
    sitemaps_from_robots,
)
from crawler.spiders.listings import (
    find_feed_links,
    listing_page_url,
    looks_like_article,
    parse_listing,
)

WITA = ZoneInfo("Asia/Makassar")
REALPAGES = realpages_path()
needs_realpages = pytest.mark.skipif(
    not REALPAGES.is_dir(),
    reason=f"real pages not present at {REALPAGES} (put them in ../shared/realpages next to "
           f"the repository, or set {REALPAGES_ENV})")


def real(name: str) -> bytes:
    return (REALPAGES / name).read_bytes()


# --- dates ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("2023-05-23", datetime(2023, 5, 23, tzinfo=WITA)),
    ("2023-05-23T10:15:00+08:00",
     datetime(2023, 5, 23, 10, 15, tzinfo=timezone(timedelta(hours=8)))),
    ("2020-05-19T21:57:45Z", datetime(2020, 5, 19, 21, 57, 45, tzinfo=UTC)),
    ("2023-05-23T10:15+0700", datetime(2023, 5, 23, 10, 15, tzinfo=timezone(timedelta(hours=7)))),
    ("2023-05-23 10:15:00", datetime(2023, 5, 23, 10, 15, tzinfo=WITA)),
    ("Thu, 05 Nov 2015 14:56:43 +0700",
     datetime(2015, 11, 5, 14, 56, 43, tzinfo=timezone(timedelta(hours=7)))),
    ("Thu, 05 Nov 15 12:58:01 +0700",
     datetime(2015, 11, 5, 12, 58, 1, tzinfo=timezone(timedelta(hours=7)))),
    ("Thu, 05 Nov 2015 03:12:42 GMT", datetime(2015, 11, 5, 3, 12, 42, tzinfo=UTC)),
])
def test_sitemap_and_feed_dates_parse_with_their_offset(text: str, expected: datetime) -> None:
    parsed = parse_date(text, WITA)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("text", ["", "   ", "kemarin", "2023-13-45", None])
def test_unreadable_dates_are_none(text: str | None) -> None:
    assert parse_date(text, WITA) is None


def test_since_as_a_day_starts_at_midnight_in_the_outlet_zone() -> None:
    since = since_instant(date(2024, 1, 1), WITA)
    assert since == datetime(2024, 1, 1, tzinfo=WITA)
    assert is_older(datetime(2023, 12, 31, 23, 59, tzinfo=WITA), since)
    assert not is_older(datetime(2023, 12, 31, 16, 30, tzinfo=UTC), since)  # 00:30 WITA
    assert not is_older(None, since)


# --- robots.txt -----------------------------------------------------------------------------

def test_robots_sitemap_lines_are_read_once_each_in_order() -> None:
    robots = ("User-agent: *\nDisallow: /cari\n\nSitemap: https://a.example/sitemap_index.xml\n"
              "sitemap:/news-sitemap.xml\nSITEMAP: https://a.example/sitemap_index.xml\n"
              "Sitemap: ftp://a.example/x.xml\n# Sitemap: https://a.example/commented.xml\n")
    assert sitemaps_from_robots(robots, "https://a.example/robots.txt") == [
        "https://a.example/sitemap_index.xml", "https://a.example/news-sitemap.xml"]


# --- sitemaps -------------------------------------------------------------------------------

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://a.example/post-sitemap.xml</loc><lastmod>2024-01-20T08:00:00+08:00</lastmod></sitemap>
  <sitemap><loc>https://a.example/post-sitemap2.xml</loc><lastmod>2019-03-01</lastmod></sitemap>
  <sitemap><loc> https://a.example/news-sitemap.xml </loc></sitemap>
</sitemapindex>"""


def test_sitemap_index_lists_sitemaps_with_lastmod() -> None:
    sitemap = parse_sitemap(INDEX, WITA)
    assert sitemap.kind == "index"
    assert [e.url for e in sitemap.entries] == ["https://a.example/post-sitemap.xml",
                                                "https://a.example/post-sitemap2.xml",
                                                "https://a.example/news-sitemap.xml"]
    assert sitemap.entries[1].lastmod == datetime(2019, 3, 1, tzinfo=WITA)
    assert sitemap.entries[2].lastmod is None


@needs_realpages
def test_news_sitemap_gives_publication_date_and_title() -> None:
    sitemap = parse_sitemap(real("feeds/nytimes-news-sitemap-excerpt-20200519.xml"))
    assert sitemap.kind == "urlset"
    first = sitemap.entries[0]
    assert first.url == "https://www.nytimes.com/interactive/2020/05/11/magazine/quarantine-insanity.html"
    assert first.published == datetime(2020, 5, 11, 9, 0, 1, tzinfo=UTC)
    assert first.lastmod == datetime(2020, 5, 19, 21, 57, 45, tzinfo=UTC)
    assert first.title is not None and first.title.startswith("Quarantine Was Driving Me Crazy")
    assert first.date == first.published


@needs_realpages
def test_plain_sitemap_reads_every_url_once() -> None:
    sitemap = parse_sitemap(real("feeds/sitemaps-org-sitemap.xml"))
    urls = [e.url for e in sitemap.entries]
    assert len(urls) == len(set(urls)) == 84
    assert urls[0] == "https://www.sitemaps.org/"
    assert all(e.lastmod is not None and e.published is None for e in sitemap.entries)


def test_gzipped_sitemap_is_recognized() -> None:
    assert is_gzip(gzip.compress(INDEX))
    assert not is_gzip(INDEX)


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://a.example/&lol2;</loc></url></urlset>"""


def test_xml_bomb_is_refused_before_parsing() -> None:
    with pytest.raises(UnsafeDocument, match="declares XML entities"):
        parse_sitemap(BOMB)
    with pytest.raises(UnsafeDocument):
        parse_feed(BOMB.replace(b"urlset", b"rss"), "http://a.example/")


def test_external_entities_are_never_fetched_or_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("rahasia")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file://{secret}">]>'
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
           "<loc>http://a.example/&x;</loc></url></urlset>").encode()
    with pytest.raises(UnsafeDocument):
        parse_sitemap(xxe)


@pytest.mark.parametrize(("body", "message"), [
    (b"<!DOCTYPE html><html><body>Not found</body></html>", "is an HTML page, not a sitemap"),
    (b"<rss><channel></channel></rss>", "has root <rss>, not <urlset> or <sitemapindex>"),
    (b"", "is empty"),
    (b"\x00\x01 binary", "is not XML"),
])
def test_not_a_sitemap(body: bytes, message: str) -> None:
    with pytest.raises(NotASitemap) as err:
        parse_sitemap(body)
    assert str(err.value).startswith(message)


# --- feeds ----------------------------------------------------------------------------------

@needs_realpages
@pytest.mark.parametrize(("name", "count", "first_url", "first_published"), [
    ("feeds/antaranews-rss-20151105.xml", 20,
     "http://www.antaranews.com/berita/527615/29-penerbangan-bandara-internasional-lombok-dibatalkan",
     "2015-11-05T14:56:43+07:00"),
    ("feeds/kapanlagi-rss-20151105.xml", 3,
     "http://www.kapanlagi.com/showbiz/asian-star/drama-adaptasi-webtoon-cheese-in-trap-rilis-teaser-perdana-eeddf5.html",
     "2015-11-05T12:45:00+07:00"),
    ("feeds/republika-rss-20151105.xml", 10,
     "http://nasional.republika.co.id/berita/nasional/hukum/15/11/05/nxc181330-sejak-jadi-tersangka-ketua-dprd-sumut-tak-masuk-kerja",
     "2015-11-05T15:07:13+07:00"),
    ("feeds/npr-technology-jsonfeed.json", 25,
     "https://www.npr.org/2021/10/29/1050315385/keller-rinaudo-how-can-delivery-drones-save-lives?utm_medium=JSONFeed&utm_campaign=technology",
     "2021-10-29T10:26:00-04:00"),
])
def test_real_feeds_give_item_urls_and_dates(name: str, count: int, first_url: str,
                                             first_published: str) -> None:
    entries = parse_feed(real(name), "http://base.example/")
    assert len(entries) == count
    assert entries[0].url == first_url
    assert entries[0].published == datetime.fromisoformat(first_published)
    assert all(e.title for e in entries)


@needs_realpages
def test_feed_with_a_blank_line_before_the_xml_declaration_still_reads() -> None:
    body = real("feeds/antaranews-rss-20151105.xml")
    assert body.startswith(b"\n")
    assert parse_feed(body, "http://www.antaranews.com/")[0].title == (
        "29 penerbangan Bandara Internasional Lombok dibatalkan")


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Kaltim Contoh</title>
  <entry>
    <title>Banjir Rendam Tiga Kelurahan di Samarinda</title>
    <link rel="alternate" type="text/html"
          href="/samarinda/2024/01/20/banjir-rendam-tiga-kelurahan"/>
    <link rel="edit" href="https://a.example/edit/1"/>
    <published>2024-01-20T08:15:00+08:00</published>
    <updated>2024-01-20T09:00:00+08:00</updated>
  </entry>
</feed>"""


def test_atom_entry_gives_its_alternate_link_resolved_and_both_dates() -> None:
    [entry] = parse_feed(ATOM, "https://a.example/feed/atom")
    assert entry.url == "https://a.example/samarinda/2024/01/20/banjir-rendam-tiga-kelurahan"
    assert entry.published == datetime(2024, 1, 20, 8, 15, tzinfo=timezone(timedelta(hours=8)))
    assert entry.lastmod == datetime(2024, 1, 20, 9, tzinfo=timezone(timedelta(hours=8)))
    assert entry.title == "Banjir Rendam Tiga Kelurahan di Samarinda"


RSS_ORIGLINK = b"""<rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">
<channel><item><title>Satu</title><link>http://feeds.example/~r/x/~3/abc/</link>
<feedburner:origLink>https://a.example/berita/satu-dua-tiga-empat</feedburner:origLink>
<dc:date xmlns:dc="http://purl.org/dc/elements/1.1/">2024-01-02T03:04:05+08:00</dc:date>
</item></channel></rss>"""


def test_rss_prefers_the_publisher_link_over_a_proxy_and_reads_dc_date() -> None:
    [entry] = parse_feed(RSS_ORIGLINK, "https://a.example/feed")
    assert entry.url == "https://a.example/berita/satu-dua-tiga-empat"
    assert entry.published == datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=8)))


@pytest.mark.parametrize(("body", "message"), [
    (b"<!DOCTYPE html>\n<html><head><title>Video</title></head><body></body></html>",
     "is an HTML page, not a feed"),
    (b"  <html><body>feed</body></html>", "is an HTML page, not a feed"),
    (b"<urlset></urlset>", "has root <urlset>, not <rss>, <rdf:RDF> or <feed>"),
    (b'{"version": "x"}', "is JSON without an 'items' list (not a JSON Feed)"),
    (b"{broken json", "is not valid JSON (JSONDecodeError)"),
])
def test_not_a_feed(body: bytes, message: str) -> None:
    with pytest.raises(NotAFeed) as err:
        parse_feed(body, "https://a.example/feed")
    assert str(err.value) == message


# --- HTML pages -----------------------------------------------------------------------------

HOME = """<!DOCTYPE html><html><head>
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed/">
<link rel="alternate" type="application/atom+xml" href="https://a.example/feed/atom/">
<link rel="alternate" hreflang="en" href="https://a.example/en/">
<link rel="next" href="/page/2/">
</head><body>
<a href="/samarinda/2024/01/20/banjir-rendam-tiga-kelurahan/">Banjir</a>
<a href="/samarinda/2024/01/20/banjir-rendam-tiga-kelurahan/#komentar">Komentar</a>
<a href="https://a.example/read/123456/dprd-sahkan-apbd?utm_source=home">APBD</a>
<a href="/kategori/politik/">Politik</a>
<a href="/tag/pemilu-2024-kaltim/">Pemilu</a>
<a href="/ekonomi/">Ekonomi</a>
<a href="https://other.example/berita/satu-dua-tiga-empat">Luar</a>
<a href="javascript:void(0)">Menu</a>
<a href="/wp-content/uploads/2024/01/foto-banjir-besar.jpg">Foto</a>
<a href="/indeks?page=2">Selanjutnya</a>
</body></html>"""


def test_feed_links_announced_in_the_head_are_found() -> None:
    assert find_feed_links(HOME, "https://a.example/") == ["https://a.example/feed/",
                                                          "https://a.example/feed/atom/"]


def test_listing_gives_article_links_on_the_outlet_and_next_pages() -> None:
    listing = parse_listing(HOME, "https://a.example/",
                            owns=lambda u: u.startswith("https://a.example/"))
    assert listing.articles == [
        "https://a.example/samarinda/2024/01/20/banjir-rendam-tiga-kelurahan/",
        "https://a.example/read/123456/dprd-sahkan-apbd?utm_source=home",
    ]
    assert listing.next_pages == ["https://a.example/page/2/", "https://a.example/indeks?page=2"]


def test_listing_uses_the_profile_article_pattern_when_given() -> None:
    listing = parse_listing(HOME, "https://a.example/", owns=lambda u: True,
                            is_article=lambda u: "/read/" in u)
    assert listing.articles == ["https://a.example/read/123456/dprd-sahkan-apbd?utm_source=home"]


@pytest.mark.parametrize(("url", "verdict"), [
    ("https://a.example/samarinda/2024/01/20/banjir-rendam-tiga-kelurahan/", True),
    ("https://a.example/berita/dprd-kaltim-sahkan-apbd", True),
    ("http://regional.kompas.com/read/xml/2016/02/23/14505601/Pilkada.Kalteng.Diundur", True),
    ("http://news.okezone.com/read/2015/11/05/340/1244191/bandara-ngurah-rai-dibuka-kembali", True),
    ("https://a.example/2024/01/20/erau/", True),
    ("https://a.example/read/527615/lombok", True),
    ("https://a.example/", False),
    ("https://a.example/ekonomi/", False),
    ("https://a.example/liga-inggris", False),
    ("https://a.example/tag/pemilu-2024-kaltim/", False),
    ("http://www.liputan6.com/indeks/2016/02/11", False),
    ("https://a.example/penulis/dedi-kurniawan-saputra/", False),
    ("https://a.example/wp-content/uploads/2024/01/foto-banjir-besar.jpg", False),
    ("mailto:redaksi@a.example", False),
    ("https://a.example/index.php?berita=5521", True),
    ("https://a.example/?p=123", True),
    ("https://a.example/index.php/kesehatan/1873-posyandu-balita-ditimbang", True),
    ("https://a.example/index.php?page=2", False),
    ("https://a.example/?s=banjir", False),
    ("https://a.example/index.php/kesehatan", False),
])
def test_article_urls_are_told_from_sections_tags_and_files(url: str, verdict: bool) -> None:
    assert looks_like_article(url) is verdict


@needs_realpages
@pytest.mark.parametrize(("name", "host", "min_articles"), [
    ("listing/kompas-indeks-20160223.html", "kompas.com", 10),
    ("listing/liputan6-home-20160216.html", "liputan6.com", 80),
    ("listing/okezone-home-20151105.html", "okezone.com", 20),
])
def test_real_listing_pages_yield_every_article_link_and_no_section_page(
        name: str, host: str, min_articles: int) -> None:
    body = real(name)
    listing = parse_listing(body, f"http://www.{host}/",
                            owns=lambda u: (u.split("/")[2]).endswith(host))
    assert len(listing.articles) >= min_articles
    read_links = set(re.findall(rb'href="(http://[a-z0-9.-]*' + host.encode() + rb'/read/[^"#]+)"',
                                body))
    assert {html.unescape(u.decode()) for u in read_links} <= set(listing.articles)
    sections = [u for u in listing.articles
                if re.search(r"/(tag|kategori|indeks|rubrik|topik)(/|\?|$)", u)]
    assert sections == []


@pytest.mark.parametrize(("pattern", "expected"), [
    ("?page={n}", "https://a.example/kategori/daerah?page=3"),
    ("page/{n}/", "https://a.example/kategori/daerah/page/3/"),
    ("/indeks/{n}", "https://a.example/indeks/3"),
    ("https://a.example/arsip?hal={n}", "https://a.example/arsip?hal=3"),
])
def test_listing_page_urls_from_the_profile_pattern(pattern: str, expected: str) -> None:
    assert listing_page_url("https://a.example/kategori/daerah", pattern, 3) == expected


def test_listing_page_pattern_joins_an_existing_query() -> None:
    assert listing_page_url("https://a.example/indeks?kanal=daerah", "?page={n}", 2) == (
        "https://a.example/indeks?kanal=daerah&page=2")
