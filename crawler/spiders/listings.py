"""Discovery in HTML pages, as pure functions: the feeds a homepage announces, and the links
of a listing page sorted into articles, next pages and other listings by kind (with the time
printed beside each article link), and whether a URL looks like an article. The rest of
discovery, robots.txt, sitemaps, feeds and dates, is `crawler/spiders/discovery.py`.

The spider (`crawler/spiders/news.py`) fetches; these functions only read the page they are
given, so each is tested on saved documents without a crawl.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.etree
import lxml.html

from crawler.spiders.discovery import parse_date
from crawler.urls import addresses_article_by_query, strip_front_controller

__all__ = [
    "INDEX_TEXTS",
    "MAX_LINKS_PER_PAGE",
    "MAX_LISTINGS_PER_PAGE",
    "NEXT_TEXTS",
    "Listing",
    "find_feed_links",
    "listing_kind",
    "listing_page_url",
    "looks_like_article",
    "page_of",
    "parse_listing",
    "same_listing",
    "unique",
]


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
    last_page: int = 0
    """The highest page number the page links for its own listing (`1 2 3 ... 7`: 7), 0 when
    it shows none (or numbers items, `offset=40`): how long the listing is."""


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
_NUMBERS_ITEMS = re.compile(r"[?&](?:offset|start)=", re.IGNORECASE)
"""A numbered page link that counts items, not pages."""
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
    """The time printed beside a link: the one `<time datetime>` of its nearest ancestor (up
    to three levels) that has any, else a full date with its time of day in that ancestor's
    own text (`01/03/2024 10:15 WITA`, `Jumat, 1 Maret 2024 10:15`: `_text_date`), unless that
    ancestor also holds a link to another article or several times (then the time is not
    this link's)."""
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
        found = _text_date(node, anchor, tz)
        if found is not None:
            return found
    return None


MAX_DATE_TEXT_CHARS = 300
"""A listing item's own text read for its date: a headline, a byline and a date line; more is
a block of several items or a teaser paragraph."""


def _text_date(node: lxml.html.HtmlElement, anchor: lxml.html.HtmlElement,
               tz: tzinfo) -> datetime | None:
    """A date shown as text in a listing item, without the headline's own words (a title
    may hold numbers): only a full date with its year and time of day, never a relative one
    (`2 jam lalu` is read against a clock this function does not have)."""
    from crawler.extract.dates import parse_date as parse_shown

    headline = anchor.text_content()
    text = node.text_content()
    if len(text) > MAX_DATE_TEXT_CHARS + len(headline) or not any(c.isdigit() for c in text):
        return None
    rest = text.replace(headline, " ", 1)
    try:
        shown = parse_shown(rest, tz=tz)
    except (ValueError, OverflowError):
        return None
    if shown is None or shown.relative or not shown.has_year or not shown.has_time:
        return None
    return shown.value


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
    by_page = [n for n, u in numbered.items() if not _NUMBERS_ITEMS.search(u)]
    return Listing(articles=list(articles), next_pages=found, listings=listings, dates=dates,
                   cut=dict(cut), last_page=max(by_page, default=0))


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
