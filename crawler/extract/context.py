"""The page as every field chain sees it: `Context` (the parsed page's structured data, its
lines and links with their region flags, the profile's selector matches, the body root once
chosen, the lines already read as fields) and the provenance setter `set_field`.

Also what several chains share: the text comparison key (`comparable`), the words naming the
outlet, an element's text, the lines near the title, and the parse itself (`parse_html`,
`apply_profile`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from lxml import etree

from crawler.extract.page import NAV, Block, Page, remove_keep_tail
from crawler.extract.structured import Structured, one_line
from crawler.sites import SiteProfile
from crawler.sites.selectors import compile_selector

if TYPE_CHECKING:
    from crawler.extract.stamps import Stamp


NEAR_TITLE_BEFORE = 6
"""Lines before the title searched for its date (templates that print the date above the
headline: a kicker line, the date, then the title)."""

NEAR_TITLE_AFTER = 14
"""Lines after the title searched for its date and byline: author, date, share bar, photo and
caption usually come before the first paragraph within this many lines."""

STAFF_WINDOW_AFTER = 40
"""Lines after the body's end searched for `Editor:`/`Penulis:` lines (they follow the body,
sometimes after a share bar and a tag list)."""

_QUOTES = (("“", '"'), ("”", '"'), ("„", '"'), ("‘", "'"), ("’", "'"), ("–", "-"), ("—", "-"),
           ("\u00a0", " "))
"""Typographic quotes and dashes, and the no-break space, as their plain forms. Replaced one
after the other (each a scan in C): `str.translate` with a table looked every character up,
30 us for a 280-character line of the devset against ~3."""


@dataclass
class Context:
    """What the field chains share for one page."""

    url: str
    structured: Structured
    page: Page
    profile: SiteProfile | None
    tz: tzinfo
    fetched_at: datetime
    outlet_words: frozenset[str]
    selected: dict[str, list[etree._Element]] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    title_index: int | None = None
    title_text: str | None = None
    root: etree._Element | None = None
    root_first: int | None = None
    root_last: int | None = None
    root_parts: tuple[etree._Element, ...] = ()
    """Further parts of the article beside the root (`body.root_parts`): boxes of the root's
    own kind that the density rules did not join to it."""
    consumed: set[int] = field(default_factory=set)
    stamps: dict[etree._Element, Stamp | None] = field(default_factory=dict)
    """Machine dates (`Stamp`) by the block element of the line showing them, as looked up
    (`stamp_of`)."""
    doc_body: etree._Element | None = None
    image_captions: set[str] | None = None
    """`captions_under_images` of the whole page, computed when a date line needs it."""
    footer: list[Block] = field(default_factory=list)
    """Lines of the article's own footer (`find_article_footer`), read for its byline and date."""
    footer_ids: frozenset[int] = frozenset()
    date_hint: tuple[datetime, str] | None = None
    """The publication time discovery saw beside the link (a listing, a feed, a news
    sitemap) and where (`listing`, `feed`, `sitemap`): completes a page date shown without a
    year or a time (`published.complete_from_hint`)."""


COMPARABLE_MEMO_MAX_CHARS = 2_000
"""Lines longer than this are compared without being remembered (`comparable`), so a page of
huge paragraphs cannot fill memory with them; titles and labels, what repeats, are far
shorter."""


def comparable(text: str) -> str:
    """Text as compared: NFKC, typographic quotes and dashes plain, spaces collapsed, case
    folded. Remembered across calls: the title and body chains compare the same lines again
    (on unseen pages more than half of the calls repeat one)."""
    if len(text) > COMPARABLE_MEMO_MAX_CHARS:
        return _comparable.__wrapped__(text)
    return _comparable(text)


@lru_cache(maxsize=4096)
def _comparable(text: str) -> str:
    if not text.isascii():  # NFKC and `_QUOTES` change only characters outside ASCII
        text = unicodedata.normalize("NFKC", text)
        for typographic, plain in _QUOTES:
            text = text.replace(typographic, plain)
    return " ".join(text.split()).casefold()  # the same runs as `\s+` (str.isspace)


def outlet_words_of(url: str, profile: SiteProfile | None, site_name: str | None) -> frozenset[str]:
    """Lower-case words that name the outlet: host labels and profile/site names."""
    hosts = [urlsplit(url).hostname or ""]
    if profile is not None:
        hosts.append(urlsplit(profile.homepage).hostname or "")
        hosts.extend(d.split(":")[0] for d in profile.domains)
    names = (profile.name if profile else None, site_name)
    if site_name is not None and len(site_name) > SITE_NAME_MEMO_MAX_CHARS:
        return _outlet_words.__wrapped__(tuple(hosts), names)  # a page's own: not kept
    return _outlet_words(tuple(hosts), names)


SITE_NAME_MEMO_MAX_CHARS = 200
"""An `og:site_name` longer than this (a page's own text, not an outlet's name) is read
without being remembered, so such pages cannot fill memory."""


@lru_cache(maxsize=256)
def _outlet_words(hosts: tuple[str, ...], names: tuple[str | None, ...]) -> frozenset[str]:
    """`outlet_words_of` from the hosts and names: the same for every page of an outlet,
    so remembered."""
    words: set[str] = set()
    for host in hosts:
        labels = [
            p
            for p in host.lower().split(".")
            if p not in ("www", "m", "amp", "co", "or", "ac", "go", "web", "my", "sch")
        ]
        words.update(labels[:-1])  # `kaltimpost.jawapos.com`: kaltimpost, jawapos
    for name in names:
        if name:
            compact = re.sub(r"[^a-z0-9]", "", name.lower())
            if len(compact) >= 4:
                words.add(compact.removesuffix("com") if compact.endswith("com") else compact)
    return frozenset(w for w in words if len(w) >= 4)


def apply_profile(
    doc: etree._Element, profile: SiteProfile | None
) -> dict[str, list[etree._Element]]:
    """Drop the profile's `drop` elements and find its selector matches (before the walk)."""
    if profile is None:
        return {}
    sel = profile.selectors
    for selector in sel.drop:
        for el in compile_selector(selector)(doc):
            if el.getparent() is not None:
                remove_keep_tail(el)
    found: dict[str, list[etree._Element]] = {}
    for name in ("title", "body", "date", "author", "section"):
        value = getattr(sel, name)
        if value:
            matches = compile_selector(value)(doc)
            if matches:
                found[name] = list(matches)
    related: list[etree._Element] = []
    for selector in sel.related:
        related.extend(compile_selector(selector)(doc))
    if related:
        found["related"] = related
    return found


def element_text(el: etree._Element) -> str:
    return one_line(etree.tostring(el, method="text", encoding="unicode", with_tail=False))


def set_field(ctx: Context, name: str, value: Any, stage: str) -> Any:
    ctx.provenance[name] = stage
    return value


def near_title_blocks(ctx: Context) -> list[Block]:
    blocks = ctx.page.blocks
    if ctx.title_index is not None:
        lo = max(0, ctx.title_index - NEAR_TITLE_BEFORE)
        hi = ctx.title_index + NEAR_TITLE_AFTER
    elif ctx.root_first is not None:
        lo, hi = max(0, ctx.root_first - NEAR_TITLE_AFTER), ctx.root_first
    else:
        return []
    if (
        ctx.root_first is not None
        and ctx.title_index is not None
        and ctx.root_first > ctx.title_index
    ):
        hi = min(hi, max(ctx.root_first + 2, ctx.title_index + 3))
    return [b for b in blocks[lo : hi + 1] if not b.has_flag(NAV)]


def homepage_netloc(profile: SiteProfile | None) -> str | None:
    return urlsplit(profile.homepage).netloc.lower() if profile is not None else None


def parse_html(text: str, utf8: bytes | None = None) -> etree._Element | None:
    """The page's tree, or None for a blank page. `utf8`: the page's bytes when they are
    exactly `text` in UTF-8 (fetched as valid UTF-8 and unchanged since), parsed as they are
    instead of encoding `text` again (a copy of the whole page)."""
    if not text or text.isspace():  # not `text.strip()`: a copy of the whole page
        return None
    parser = etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True
    )
    try:
        data = utf8 if utf8 is not None else text.encode("utf-8", "surrogatepass")
        doc = etree.fromstring(data, parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return doc

