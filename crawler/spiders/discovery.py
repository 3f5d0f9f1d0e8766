"""Discovery as pure functions: robots.txt, sitemaps and feeds -> article URLs, and their dates.
Discovery in HTML pages (announced feeds, listing pages, `looks_like_article`) is
`crawler/spiders/listings.py`.

The spider (`crawler/spiders/news.py`) fetches; these functions only read bytes they are given,
so each is tested on saved documents without a crawl.

XML is parsed with a parser that resolves no entities, loads no DTD, reaches no network and
refuses huge trees; a document that declares entities (the XML-bomb pattern) is refused outright
(`UnsafeDocument`): sitemaps and feeds never need them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree

__all__ = [
    "DiscoveryError",
    "Entry",
    "FeedIsHtml",
    "NotAFeed",
    "NotASitemap",
    "Sitemap",
    "SitemapIsHtml",
    "UnsafeDocument",
    "parse_date",
    "parse_feed",
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
            # an edit, where the item says (`atom:updated`, `dcterms:modified`)
            lastmod = parse_date(_child_text(elem, "updated", "modified"), tz)
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
