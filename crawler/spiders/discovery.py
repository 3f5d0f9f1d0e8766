"""Discovery as pure functions: robots.txt, sitemaps, feeds and listing pages -> article URLs.

The spider (`crawler/spiders/news.py`) fetches; these functions only read bytes they are given,
so each is tested on saved documents without a crawl.

XML is parsed with a parser that resolves no entities, loads no DTD, reaches no network and
refuses huge trees; a document that declares entities (the XML-bomb pattern) is refused outright
(`UnsafeDocument`): sitemaps and feeds never need them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.etree
import lxml.html

from crawler.urls import addresses_article_by_query, strip_front_controller

__all__ = [
    "DiscoveryError",
    "Entry",
    "FeedIsHtml",
    "Listing",
    "NotAFeed",
    "NotASitemap",
    "Sitemap",
    "SitemapIsHtml",
    "UnsafeDocument",
    "find_feed_links",
    "listing_kind",
    "listing_page_url",
    "looks_like_article",
    "page_of",
    "parse_date",
    "parse_feed",
    "parse_listing",
    "parse_sitemap",
    "sitemaps_from_robots",
]


class DiscoveryError(ValueError):
    """A discovery document that cannot be used; the message says why, in a few words."""

    kind = "invalid"


class UnsafeDocument(DiscoveryError):
    """An XML document that declares entities (the 'billion laughs' bomb pattern)."""

    kind = "xml_unsafe"


class NotASitemap(DiscoveryError):
    kind = "sitemap_invalid"


class NotAFeed(DiscoveryError):
    kind = "feed_invalid"


class SitemapIsHtml(NotASitemap):
    """A sitemap URL that answers with an HTML page (a soft 404, a login wall)."""

    kind = "sitemap_is_html"


class FeedIsHtml(NotAFeed):
    """A feed URL that answers with an HTML page."""

    kind = "feed_is_html"


@dataclass(frozen=True)
class Entry:
    """One URL found by discovery, with the dates the document gives for it."""

    url: str
    lastmod: datetime | None = None
    published: datetime | None = None
    title: str | None = None

    @property
    def date(self) -> datetime | None:
        """The best date for bounding by `--since`: publication first, then last modification."""
        return self.published or self.lastmod


@dataclass(frozen=True)
class Sitemap:
    kind: str
    """`index` (a list of sitemaps) or `urlset` (a list of pages)."""
    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Listing:
    articles: list[str]
    """Article URLs in page order, each once."""
    next_pages: list[str]
    """Further pages of the same listing (`rel=next`, a `Selanjutnya` link), then the nearest
    following numbered page (`?page=3`, `/page/3/`, `offset=40`), if any."""
    listings: dict[str, str] = field(default_factory=dict)
    """Other listings of the outlet the page links to (their first page) -> their kind
    (`index`, `section`, `tag`, `author`, `date`), in page order."""
    dates: dict[str, datetime] = field(default_factory=dict)
    """Article URL -> the time printed beside its link (`<time datetime>`), when one is."""
    cut: dict[str, int] = field(default_factory=dict)
    """Links left unread by the page's bounds, by reason (`too_many_links`,
    `too_many_listings`)."""


# --- dates ----------------------------------------------------------------------------------

_W3C_DATE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?\s*$"
)


@lru_cache(maxsize=64)
def _offset_zone(zone: str) -> timezone:
    """`+07:00` / `+0700` as a fixed zone, exactly as `strptime("%z")` reads it (minutes up to
    59, less than a day: ValueError otherwise); a sitemap repeats one or two offsets on
    thousands of entries, and `strptime` cost a fifth of reading one."""
    offset = zone.replace(":", "")
    hours, minutes = int(offset[1:3]), int(offset[3:5])
    if minutes > 59:
        raise ValueError(f"time zone offset {zone!r} has {minutes} minutes")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if offset[0] == "-" else delta)


def parse_date(value: str | None, tz: tzinfo = UTC) -> datetime | None:
    """A sitemap or feed date as an aware datetime, or None when it does not parse.

    Accepts W3C datetimes (`2020-05-19`, `2020-05-19T21:57:45Z`, `...+07:00`) and RFC 822 dates
    (`Thu, 05 Nov 2015 14:56:43 +0700`, two-digit years too). A value without a zone takes `tz`
    (the outlet's zone); a date alone is midnight in that zone.
    """
    if not value or not value.strip():
        return None
    text = value.strip()
    match = _W3C_DATE.match(text)
    if match:
        year, month, day, hour, minute, second, zone = match.groups()
        try:
            base = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                            int(second or 0))
        except ValueError:
            return None
        if zone is None:
            return base.replace(tzinfo=tz)
        if zone == "Z":
            return base.replace(tzinfo=UTC)
        return base.replace(tzinfo=_offset_zone(zone))
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def since_instant(since: date | datetime | None, tz: tzinfo) -> datetime | None:
    """`--since` as an instant: a plain date is midnight in the outlet's zone."""
    if since is None:
        return None
    if isinstance(since, datetime):
        return since if since.tzinfo else since.replace(tzinfo=tz)
    return datetime.combine(since, time(0, 0), tzinfo=tz)


def is_older(when: datetime | None, since: datetime | None) -> bool:
    """True when `when` is known and before `since` (an undated entry is never 'older')."""
    return since is not None and when is not None and when < since


# --- robots.txt -----------------------------------------------------------------------------

_SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def sitemaps_from_robots(text: str, base_url: str) -> list[str]:
    """The `Sitemap:` URLs a robots.txt declares, absolute, each once, in file order."""
    seen: dict[str, None] = {}
    for match in _SITEMAP_LINE.finditer(text):
        url = urljoin(base_url, match.group(1).strip())
        if urlsplit(url).scheme in ("http", "https"):
            seen.setdefault(url, None)
    return list(seen)


# --- XML ------------------------------------------------------------------------------------

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html\b|<head\b|<body\b)",
                         re.IGNORECASE | re.DOTALL)
_GZIP_MAGIC = b"\x1f\x8b"


def _safe_parser() -> lxml.etree.XMLParser:
    return lxml.etree.XMLParser(
        resolve_entities=False, huge_tree=False, no_network=True, load_dtd=False,
        recover=True, remove_comments=True, remove_pis=True,
    )


def _xml_root(body: bytes, error: type[DiscoveryError]) -> lxml.etree._Element:
    if _ENTITY_DECL.search(body):
        raise UnsafeDocument("declares XML entities (refused: sitemaps and feeds never need them)")
    body = body.lstrip()
    if not body:
        raise error("is empty")
    try:
        root = lxml.etree.fromstring(body, _safe_parser())
    except lxml.etree.XMLSyntaxError as exc:
        raise error(f"is not XML ({exc})") from None
    if root is None:
        raise error("is not XML")
    return root


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _child_text(elem: lxml.etree._Element, *names: str) -> str | None:
    """Text of the first descendant whose local name is one of `names` (at any depth)."""
    for child in elem.iter():
        if child is not elem and _local(child.tag) in names:
            text = (child.text or "").strip()
            if text:
                return text
    return None


_ENTRY_FIELDS = frozenset({"lastmod", "publication_date", "title"})


def _children_texts(elem: lxml.etree._Element, names: frozenset[str]) -> dict[str, str]:
    """`_child_text` for several names in one walk: name -> text of the first descendant of
    that local name with text (a sitemap has thousands of entries)."""
    found: dict[str, str] = {}
    for child in elem.iter():
        if child is elem:
            continue
        name = _local(child.tag)
        if name in names and name not in found:
            text = (child.text or "").strip()
            if text:
                found[name] = text
    return found


def is_gzip(body: bytes) -> bool:
    return body[:2] == _GZIP_MAGIC


def parse_sitemap(body: bytes, tz: tzinfo = UTC) -> Sitemap:
    """A sitemap index or urlset (news sitemaps included) as entries with their dates.

    Pass gunzipped bytes (`scrapy.utils.gz.gunzip` with a max size for `.xml.gz`).
    """
    if _HTML_START.match(body[:2048]):
        raise SitemapIsHtml("is an HTML page, not a sitemap")
    root = _xml_root(body, NotASitemap)
    kind = _local(root.tag)
    if kind not in ("sitemapindex", "urlset"):
        raise NotASitemap(f"has root <{kind or '?'}>, not <urlset> or <sitemapindex>")
    item_tag = "sitemap" if kind == "sitemapindex" else "url"
    entries: list[Entry] = []
    seen: set[str] = set()
    for elem in root:
        if _local(elem.tag) != item_tag:
            continue
        loc = None
        for child in elem:
            if _local(child.tag) == "loc":
                loc = (child.text or "").strip()
                break
        if not loc or urlsplit(loc).scheme not in ("http", "https") or loc in seen:
            continue
        seen.add(loc)
        texts = _children_texts(elem, _ENTRY_FIELDS)
        entries.append(Entry(
            url=loc,
            lastmod=parse_date(texts.get("lastmod"), tz),
            published=parse_date(texts.get("publication_date"), tz),
            title=texts.get("title"),
        ))
    return Sitemap(kind="index" if kind == "sitemapindex" else "urlset", entries=entries)


# --- feeds ----------------------------------------------------------------------------------

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
              "application/json", "application/rdf+xml", "text/xml", "application/xml")


def parse_feed(body: bytes, base_url: str, tz: tzinfo = UTC) -> list[Entry]:
    """The items of an RSS 2.0, RSS 1.0 (RDF), Atom or JSON Feed document, in feed order."""
    stripped = body.lstrip()
    if _HTML_START.match(stripped[:2048]):
        raise FeedIsHtml("is an HTML page, not a feed")
    if stripped[:1] in (b"{", b"["):
        return _parse_json_feed(stripped, base_url, tz)
    root = _xml_root(body, NotAFeed)
    kind = _local(root.tag)
    if kind == "html":
        raise FeedIsHtml("is an HTML page, not a feed")
    if kind not in ("rss", "rdf", "feed"):
        raise NotAFeed(f"has root <{kind or '?'}>, not <rss>, <rdf:RDF> or <feed>")
    entries: list[Entry] = []
    seen: set[str] = set()
    item_tag = "entry" if kind == "feed" else "item"
    for elem in root.iter():
        if _local(elem.tag) != item_tag:
            continue
        url = _feed_item_url(elem, kind)
        if not url:
            continue
        url = urljoin(base_url, url)
        if urlsplit(url).scheme not in ("http", "https") or url in seen:
            continue
        seen.add(url)
        if kind == "feed":
            published = parse_date(_child_text(elem, "published", "issued"), tz)
            lastmod = parse_date(_child_text(elem, "updated", "modified"), tz)
        else:
            published = parse_date(_child_text(elem, "pubdate", "date"), tz)
            lastmod = None
        entries.append(Entry(url=url, published=published, lastmod=lastmod,
                             title=_direct_text(elem, "title")))
    return entries


def _direct_text(elem: lxml.etree._Element, name: str) -> str | None:
    for child in elem:
        if _local(child.tag) == name:
            return "".join(child.itertext()).strip() or None
    return None


def _feed_item_url(elem: lxml.etree._Element, kind: str) -> str | None:
    # FeedBurner-style proxies keep the publisher's own link in origLink.
    orig = _direct_text(elem, "origlink")
    if orig:
        return orig
    if kind == "feed":
        fallback = None
        for child in elem:
            if _local(child.tag) == "link" and child.get("href"):
                rel = (child.get("rel") or "alternate").lower()
                if rel == "alternate":
                    return child.get("href")
                fallback = fallback or child.get("href")
        return fallback
    link = _direct_text(elem, "link")
    if link:
        return link
    for child in elem:
        if _local(child.tag) == "guid" and (child.get("isPermaLink") or "true").lower() == "true":
            text = (child.text or "").strip()
            if text.startswith(("http://", "https://")):
                return text
    about = elem.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    return about or None


def _parse_json_feed(body: bytes, base_url: str, tz: tzinfo) -> list[Entry]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise NotAFeed(f"is not valid JSON ({exc.__class__.__name__})") from None
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise NotAFeed("is JSON without an 'items' list (not a JSON Feed)")
    entries: list[Entry] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict):
            continue
        url = item.get("url") or item.get("external_url")
        if not isinstance(url, str):
            continue
        url = urljoin(base_url, url)
        if url in seen:
            continue
        seen.add(url)
        entries.append(Entry(
            url=url,
            published=parse_date(_str_or_none(item.get("date_published")), tz),
            lastmod=parse_date(_str_or_none(item.get("date_modified")), tz),
            title=_str_or_none(item.get("title")),
        ))
    return entries


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# --- HTML pages -------------------------------------------------------------------------------

_FEED_LINK_TYPES = frozenset({"application/rss+xml", "application/atom+xml",
                              "application/feed+json", "application/rdf+xml"})


def _html_root(html: str | bytes) -> lxml.html.HtmlElement | None:
    if not html or not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None


def _base_url(root: lxml.html.HtmlElement, url: str) -> str:
    for base in root.iter("base"):
        href = base.get("href")
        if href:
            return urljoin(url, href.strip())
    return url


def find_feed_links(html: str | bytes, base_url: str) -> list[str]:
    """Feeds a page announces with `<link rel="alternate" type="application/rss+xml" href=...>`."""
    root = _html_root(html)
    if root is None:
        return []
    base = _base_url(root, base_url)
    found: dict[str, None] = {}
    for link in root.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rels and kind in _FEED_LINK_TYPES and href:
            found.setdefault(urljoin(base, href), None)
    return list(found)


NEXT_TEXTS = frozenset({"next", "selanjutnya", "berikutnya", "lanjut", "»", "›", ">", ">>",
                        "next »", "selanjutnya »", "berikutnya »", "older posts",
                        "berita sebelumnya", "lebih lama"})
"""Anchor texts (lower-cased, stripped) of a listing's link to its next page."""

_NON_ARTICLE_SEGMENTS = frozenset({
    "tag", "tags", "topik", "topic", "topics", "category", "categories", "kategori", "kanal",
    "rubrik", "author", "authors", "penulis", "editor", "page", "search", "cari", "pencarian",
    "indeks", "index", "login", "logout", "register", "daftar", "masuk", "feed", "rss",
    "wp-content", "wp-admin", "wp-json", "wp-includes", "cdn-cgi", "static", "assets",
    "redaksi", "tentang-kami", "about", "about-us", "kontak", "contact", "pedoman-media-siber",
    "privacy-policy", "kebijakan-privasi", "disclaimer", "karir", "iklan", "sitemap",
})
"""Path parts that mark a page as a list, an account or a static page, not an article."""

_NON_ARTICLE_EXT = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|css|js|json|xml|rss|pdf|zip|gz|mp[34]|avi|mov|woff2?|ttf)$",
    re.IGNORECASE)
_DATE_PATH = re.compile(r"/(19|20)\d{2}/\d{1,2}/(\d{1,2}/)?[^/]*[A-Za-z0-9][^/]*")
_NUMERIC_ID = re.compile(r"(^|[/_-])\d{5,}([/_.-]|$)")
_WORD_SPLIT = re.compile(r"[-_.+]+")
MIN_SLUG_WORDS = 3
"""A last path part with at least this many words (`dprd-kaltim-sahkan-apbd`) reads as a headline
slug; section names (`ekonomi`, `liga-inggris`) have one or two."""


def looks_like_article(url: str) -> bool:
    """Whether a URL reads like one article (not a section, tag, search or static page).

    Used when a profile gives no `article_pattern`: a headline slug of three or more words, a
    date path (`/2023/05/23/...`), a numeric id (`/read/527615/...`) or a query naming one
    item (`index.php?berita=5521`, the same rule extraction uses for related links) say
    'article'; list, account and static paths say 'not'.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    if addresses_article_by_query(parts.path, parts.query):
        return True
    path = strip_front_controller(parts.path)
    segments = [s for s in path.split("/") if s]
    if not segments or _NON_ARTICLE_EXT.search(path.rstrip("/")):
        return False
    if any(s.lower() in _NON_ARTICLE_SEGMENTS for s in segments):
        return False
    last = re.sub(r"\.(s?html?|php|aspx?)$", "", segments[-1], flags=re.IGNORECASE)
    words = [w for w in _WORD_SPLIT.split(last) if w]
    has_slug = len(words) >= MIN_SLUG_WORDS and any(c.isalpha() for c in last)
    if has_slug:
        return True
    if _DATE_PATH.search(path) and len(segments) >= 3:
        return True
    return bool(_NUMERIC_ID.search(path)) and any(c.isalpha() for c in path)


# --- listings ---------------------------------------------------------------------------------

MAX_LINKS_PER_PAGE = 1500
"""Anchors of one listing page that are read: a real index shows tens to a few hundred (a busy
national homepage about 500); a page
of 10,000 links is a trap or a dump, and only its first links are taken
(`discovery/listing_cut/too_many_links`)."""

MAX_LISTINGS_PER_PAGE = 40
"""Other listings taken from one page: a menu has a few dozen sections; a tag cloud of 5,000
tags or a calendar of every day would otherwise each become a listing to read
(`discovery/listing_cut/too_many_listings`)."""

_LISTING_SEGMENTS: dict[str, str] = {
    **dict.fromkeys(("indeks", "index", "arsip", "archive", "archives", "terkini", "terbaru",
                     "latest", "berita-terkini", "semua-berita", "news-index"), "index"),
    **dict.fromkeys(("kanal", "channel", "rubrik", "kategori", "category", "categories",
                     "section", "sections", "seksi", "desk"), "section"),
    **dict.fromkeys(("tag", "tags", "topik", "topic", "topics", "label", "hashtag",
                     "keyword"), "tag"),
    **dict.fromkeys(("author", "authors", "penulis", "reporter", "wartawan", "editor",
                     "kontributor", "contributor", "writer"), "author"),
}
"""Path parts that name a kind of listing (the part itself or the one before the name:
`/indeks`, `/kanal/politik`, `/tag/banjir`, `/penulis/rina-m`)."""

_OTHER_SEGMENTS = frozenset({
    "login", "logout", "register", "daftar", "masuk", "signin", "signup", "search", "cari",
    "pencarian", "feed", "rss", "atom", "wp-content", "wp-admin", "wp-json", "wp-includes",
    "cdn-cgi", "static", "assets", "img", "images", "css", "js", "redaksi", "tentang-kami",
    "tentang", "about", "about-us", "kontak", "contact", "hubungi-kami", "pedoman-media-siber",
    "pedoman", "privacy-policy", "kebijakan-privasi", "disclaimer", "karir", "iklan",
    "sitemap", "amp", "print", "cetak", "share", "bagikan", "komentar", "comment", "ajax",
    "api", "cart", "subscribe", "langganan", "newsletter", "syarat-dan-ketentuan", "terms",
})
"""Path parts of account, search, static and technical pages: never a listing to follow."""

_SEARCH_QUERY = re.compile(r"(^|&)(q|s|query|keyword|search|cari)=", re.IGNORECASE)

INDEX_TEXTS = frozenset({"indeks", "indeks berita", "index", "index berita", "arsip",
                         "arsip berita", "archive", "semua berita", "berita terkini",
                         "berita terbaru", "terkini", "terbaru", "lihat semua",
                         "selengkapnya", "lainnya", "more news", "all news"})
"""Anchor texts (lower-cased, stripped) of a link to an index of the outlet's articles."""

_PAGE_QUERY_KEYS = ("page", "hal", "halaman", "pg", "paged", "pagenum", "p", "offset",
                    "start")
"""Query keys that number a listing's pages (`offset`/`start`: by item, not by page)."""
_PAGE_PATH = re.compile(r"^(.*?)/(?:page|hal|halaman|p)/(\d{1,5})/?$", re.IGNORECASE)
_TRAILING_NUMBER = re.compile(r"^(.*?)/(\d{1,4})/?$")
_DATE_ARCHIVE = re.compile(r"^/(?:.*/)?(19|20)\d{2}(/\d{1,2}){0,2}/?$")
_SHORT_WORD = re.compile(r"^[a-z][a-z-]*[a-z]$")


def _split_query(query: str) -> list[tuple[str, str]]:
    return [(k, v) for k, _, v in (p.partition("=") for p in query.split("&") if p)]


def page_of(url: str, listing: str | None = None) -> tuple[str, int] | None:
    """`(first page URL, number)` when `url` is a numbered page of a listing, else None.

    Forms: a query key (`?page=3`, `?p=3`, `?hal=3`, `?offset=40`, `?start=40`), a path part
    (`/page/3/`, `/hal/3`), and, for the pages of `listing` only, a trailing number
    (`/kanal/politik/3`: elsewhere `/read/3` may be an article). The number is the page's or,
    for `offset`/`start`, its first item's.
    """
    parts = urlsplit(url)
    if parts.query:
        pairs = _split_query(parts.query)
        for key in _PAGE_QUERY_KEYS:
            found = [i for i, (k, v) in enumerate(pairs) if k.lower() == key and v.isdigit()]
            if found and len(parts.query) < 200:
                i = found[0]
                number = int(pairs[i][1])
                if key == "p" and number > 9999:
                    return None  # `?p=52171`: an item id, not a page
                rest = "&".join(f"{k}={v}" for j, (k, v) in enumerate(pairs) if j != i)
                return parts._replace(query=rest, fragment="").geturl(), number
    match = _PAGE_PATH.match(parts.path)
    if match:
        return parts._replace(path=match.group(1) or "/", fragment="").geturl(), int(
            match.group(2))
    if listing is not None:
        match = _TRAILING_NUMBER.match(parts.path)
        if match and not parts.query:
            first = parts._replace(path=match.group(1) or "/", fragment="").geturl()
            if same_listing(first, listing):
                return first, int(match.group(2))
    return None


def same_listing(a: str, b: str) -> bool:
    """Whether two first-page URLs are one listing (a trailing slash aside)."""
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.netloc.lower() == pb.netloc.lower() and pa.query == pb.query
            and (pa.path.rstrip("/") or "/") == (pb.path.rstrip("/") or "/"))


def listing_kind(url: str, text: str = "") -> str | None:
    """The kind of listing a link of the outlet leads to, or None when it is not one.

    By URL shape: a part naming a kind (`/indeks`, `/kanal/x`, `/tag/x`, `/penulis/x`), a date
    archive (`/2024/05/`), a short section path of one or two parts of one or two words each
    (`/politik/`, `/daerah/samarinda/`), or a query naming a section (`?kategori=daerah`); by
    anchor text, an index (`Indeks Berita`, `Lihat semua`). Account, search, static and
    technical pages (`/login`, `/cari`, `/redaksi`, files) are never listings. Call it on
    links that are not articles.
    """
    parts = urlsplit(url)
    path = strip_front_controller(parts.path)
    if _NON_ARTICLE_EXT.search(path.rstrip("/")) or _SEARCH_QUERY.search(parts.query):
        return None
    segments = [s.lower() for s in path.split("/") if s]
    if any(s in _OTHER_SEGMENTS for s in segments):
        return None
    for s in segments[:2]:
        kind = _LISTING_SEGMENTS.get(s)
        if kind is not None:
            return kind
    if parts.query:
        keys = {k.lower() for k, _ in _split_query(parts.query)}
        for key in keys:
            if _LISTING_SEGMENTS.get(key) is not None:
                return _LISTING_SEGMENTS[key]
        if text in INDEX_TEXTS:
            return "index"
        return None  # a query the rules do not know: a filter, a sort, a session
    if _DATE_ARCHIVE.match(path):
        return "date"
    if text in INDEX_TEXTS and segments:
        return "index"
    if 1 <= len(segments) <= 2 and all(
            _SHORT_WORD.match(s) and s.count("-") < MIN_SLUG_WORDS - 1 for s in segments):
        return "section"
    return None


def _link_date(anchor: lxml.html.HtmlElement, url: str, base: str, tz: tzinfo,
               is_article: Callable[[str], bool]) -> datetime | None:
    """The `<time datetime>` printed beside a link: the one time element of its nearest
    ancestor (up to three levels) that has any, unless that ancestor also holds a link to
    another article or several times (then the time is not this link's)."""
    node = anchor
    for _ in range(3):
        node = node.getparent()
        if node is None:
            return None
        for other in node.iter("a"):
            href = other.get("href")
            if other is not anchor and href:
                other_url = _absolute(base, href)
                if other_url and other_url != url and is_article(other_url):
                    return None
        times = list(node.iter("time"))
        if len(times) == 1:
            return parse_date(times[0].get("datetime"), tz)
        if times:
            return None
    return None


def parse_listing(
    html: str | bytes,
    base_url: str,
    *,
    owns: Callable[[str], bool],
    is_article: Callable[[str], bool] = looks_like_article,
    listing: str | None = None,
    tz: tzinfo = UTC,
) -> Listing:
    """Article links, next-page links and links to other listings of a listing page (a
    homepage, a section, an index).

    `owns` keeps links on the outlet; `is_article` picks article URLs (the profile's
    `article_pattern`, else `looks_like_article`); `listing` is the first page of the listing
    this page belongs to (default: the page itself). Every other link of the outlet is a next
    page (`rel=next`, `Selanjutnya`, `Berikutnya`, `Next`, `»`), a numbered page of this listing
    (`page_of`: the nearest following one is the next page when no link says `next`), a
    listing (`listing_kind`; a numbered page of another listing stands for its first page),
    or nothing to follow.
    """
    root = _html_root(html)
    if root is None:
        return Listing(articles=[], next_pages=[])
    base = _base_url(root, base_url)
    own = listing or base_url
    own_first = page_of(own)
    own = own_first[0] if own_first else own
    here = page_of(base_url, own)
    current = here[1] if here and same_listing(here[0], own) else 0
    articles: dict[str, None] = {}
    next_pages: dict[str, None] = {}
    numbered: dict[int, str] = {}
    listings: dict[str, str] = {}
    dates: dict[str, datetime] = {}
    cut: Counter[str] = Counter()
    for link in root.iter("link"):
        if "next" in (link.get("rel") or "").lower().split() and link.get("href"):
            next_pages.setdefault(_absolute(base, link.get("href") or ""), None)
    for count, anchor in enumerate(root.iter("a")):
        if count >= MAX_LINKS_PER_PAGE:
            cut["too_many_links"] += 1
            continue
        href = anchor.get("href")
        if not href:
            continue
        url = _absolute(base, href)
        if not url or not owns(url):
            continue
        rels = (anchor.get("rel") or "").lower().split()
        text = " ".join(anchor.text_content().split()).lower()
        if "next" in rels or text in NEXT_TEXTS:
            next_pages.setdefault(url, None)
            continue
        if is_article(url):
            if url not in articles:
                articles[url] = None
                when = _link_date(anchor, url, base, tz, is_article)
                if when is not None:
                    dates[url] = when
            continue
        paged = page_of(url, own)
        if paged is not None:
            first, number = paged
            if same_listing(first, own):
                if number > current:
                    numbered.setdefault(number, url)
                continue
            url = first  # page N of another listing: that listing, from its first page
        if same_listing(url, own) or url in listings:
            continue
        kind = listing_kind(url, text)
        if kind is None:
            continue
        if len(listings) >= MAX_LISTINGS_PER_PAGE:
            cut["too_many_listings"] += 1
            continue
        listings[url] = kind
    next_pages.pop("", None)
    found = [u for u in next_pages if u != base_url]
    if numbered:
        nearest = numbered[min(numbered)]
        if nearest not in found and nearest != base_url:
            found.append(nearest)
    return Listing(articles=list(articles), next_pages=found, listings=listings, dates=dates,
                   cut=dict(cut))


def _absolute(base: str, href: str) -> str:
    href = href.strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#", "data:")):
        return ""
    url, _ = urldefrag(urljoin(base, href))
    return url if urlsplit(url).scheme in ("http", "https") else ""


def listing_page_url(listing_url: str, pagination: str, n: int) -> str:
    """URL of page `n` of a listing: `pagination` is a full URL pattern with `{n}`, a path or
    query suffix appended to the listing URL (`?page={n}`, `page/{n}/`)."""
    filled = pagination.replace("{n}", str(n))
    if filled.startswith(("http://", "https://")):
        return filled
    if filled.startswith("?") or filled.startswith("&"):
        joiner = "&" if "?" in listing_url else "?"
        return listing_url + joiner + filled[1:]
    if filled.startswith("/"):
        return urljoin(listing_url, filled)
    return listing_url.rstrip("/") + "/" + filled


def unique(urls: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(u for u in urls if u))
