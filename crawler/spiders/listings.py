"""Discovery in HTML pages, as pure functions: the feeds a homepage announces, the article
links and next pages of a listing, and whether a URL looks like an article (the rest of
discovery, robots.txt, sitemaps and feeds, is `crawler/spiders/discovery.py`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.etree
import lxml.html

from crawler.spiders.discovery import Listing
from crawler.urls import addresses_article_by_query, strip_front_controller

__all__ = [
    "find_feed_links",
    "listing_page_url",
    "looks_like_article",
    "parse_listing",
    "unique",
]


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


def parse_listing(
    html: str | bytes,
    base_url: str,
    *,
    owns: Callable[[str], bool],
    is_article: Callable[[str], bool] = looks_like_article,
) -> Listing:
    """Article links and next-page links of a listing page (a homepage, a section, an index).

    `owns` keeps links on the outlet; `is_article` picks article URLs (the profile's
    `article_pattern`, else `looks_like_article`).
    """
    root = _html_root(html)
    if root is None:
        return Listing(articles=[], next_pages=[])
    base = _base_url(root, base_url)
    articles: dict[str, None] = {}
    next_pages: dict[str, None] = {}
    for link in root.iter("link"):
        if "next" in (link.get("rel") or "").lower().split() and link.get("href"):
            next_pages.setdefault(_absolute(base, link.get("href") or ""), None)
    for anchor in root.iter("a"):
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
        elif is_article(url):
            articles.setdefault(url, None)
    next_pages.pop("", None)
    return Listing(articles=list(articles), next_pages=[u for u in next_pages if u != base_url])


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
