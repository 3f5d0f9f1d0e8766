"""Related headlines: the links an article page offers to other articles of the same outlet.

Where they are found, in this order (a link found by an earlier rule keeps that rule's block
name):

1. labelled boxes: a line that is only a label (`Baca Juga`, `Berita Terkait`, `Terkait`,
   `Berita Lainnya`, `Related News`, ...) followed by a run of link lines in the same container
   (`block` = the label, `berita-terkait`);
2. inline `Baca Juga: <headline>` lines, in or beside the body (`block` = `baca-juga`);
3. the headline list right above the title, as on legacy regional templates: a run of at least
   `MIN_ABOVE_TITLE_LINKS` headline links (several words each, same outlet) ending just before
   the title, not under a site-wide label (`block` = `above-title`);
4. regions whose class names say related (`related`, `terkait`, `berita-lain`) without a label
   (`block` = `related`), unless the region's own label names a site-wide list (`Terkini`,
   `Terpopuler`: `indonesian.SITEWIDE_LABEL`);
5. the profile's `related` selectors (`block` = `profile`).

Only links to the same outlet are kept (the profile's domains, else the page's own host), never
the page itself, never tag/section/author listings, and never bare icons; an article may be
addressed by query (`index.php?berita=5521`). Links are then put in
page order and collapsed by canonical URL (first occurrence wins); `position` is 0-based.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.extract.indonesian import (
    block_label,
    inline_related_prefix,
    is_related_label,
    is_sitewide_label,
)
from crawler.extract.page import BOILER, NAV, RELATED, Block, Link, Page
from crawler.urls import addresses_article_by_query, strip_front_controller

MAX_SCOPE_UP = 4
"""How many ancestors above a label's own element are tried to find the box it titles (a
label usually sits one or two levels inside the box: `div > h4 > span`)."""

LIST_LINK_DENSITY = 0.5
"""A line of a related box is mostly link text (a headline, maybe with a date or a count)."""

BOX_SKIP_CHARS = 40
"""Short non-link lines inside a box (dates, `4 komentar`) do not end it; longer ones do."""

MIN_ANCHOR_WORDS = 2
"""A headline has words; one-word anchors are menus, icons and `Selengkapnya` buttons."""

MIN_ABOVE_TITLE_LINKS = 3
"""An unlabelled list above the title counts as related headlines from three links on (the
seed template shows ten); one or two links there are usually breadcrumbs or a kicker."""

MIN_ABOVE_TITLE_WORDS = 3
"""Words in each headline of an unlabelled list: menus above a title have one- or two-word
entries (`Nasional`, `Kaltim Post`), headlines have more."""

ABOVE_TITLE_GAP = 3
"""Short non-link lines allowed between that list and the title (a date, a section name)."""

ABOVE_TITLE_GAP_WORDS = 6

_LISTING_PATH = re.compile(
    r"/(?:tags?|topik|topics?|kategori|category|categories|label|labels|author|authors|penulis|"
    r"reporter|editor|indeks|index|search|cari|rss|feed|login|register|profile|user)(?:/|$|\.)",
    re.IGNORECASE,
)


_DOUBLED = re.compile(r".(https?://)", re.IGNORECASE)
_SLUG_WORDS = re.compile(r"[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+){2,}")


def repair_href(href: str) -> str:
    """`http://x.comhttp://x.com/read/1` (a template pasting its base twice) -> the last URL."""
    starts = [m.start(1) for m in _DOUBLED.finditer(href)]
    return href[starts[-1]:] if starts else href


ARTICLE_LINK_MEMO_SIZE = 20_000
"""Resolved links `_article_link` remembers (emptied when full, so memory stays bounded on a
crawl of any size): headline boxes repeat the same links from page to page, and resolving and
testing one took ~10 us (`urljoin`, `urlsplit`, the path tests), ~3% of reading a page of
bench/crawl.py's outlet."""

ARTICLE_LINK_MEMO_MAX_CHARS = 2083
"""Longer hrefs are resolved each time rather than kept, so a page of megabyte-long links
cannot fill memory (the length is Scrapy's `URLLENGTH_LIMIT`: no request goes further)."""

_article_links: dict[tuple[str, ...], str | None] = {}


def _article_link(base: tuple[str, str, str], href: str) -> str | None:
    """`href` resolved against the page's URL (`base`: its scheme, host and whole URL) when
    the result is an http(s) address whose path looks like an article's, else None; a pure
    function of the two, remembered. An absolute or root-relative href resolves the same
    against every page of a site (`urljoin` then reads only the base's scheme and host), so
    those are remembered by the site, and only other hrefs by the page."""
    key = ((base[0], base[1], href) if href.startswith(("/", "http://", "https://"))
           else (base[2], href))
    if key in _article_links:
        return _article_links[key]
    url: str | None = urljoin(base[2], repair_href(href))
    parts = urlsplit(url)
    if (parts.scheme not in ("http", "https") or not parts.netloc
            or not looks_like_article(parts.path or "/", parts.query)):
        url = None
    if max(len(href), len(base[2])) <= ARTICLE_LINK_MEMO_MAX_CHARS:  # else not kept
        if len(_article_links) >= ARTICLE_LINK_MEMO_SIZE:
            _article_links.clear()
        _article_links[key] = url
    return url


def looks_like_article(path: str, query: str = "") -> bool:
    """An article path: not the front page, not a tag/section/author listing, and with an id
    or a headline slug (`/berita/527612/...`, `/2023/05/23/...`, `/judul-berita-ini`), so a
    `More Stories` link to `/hotgossip` is not a headline. Legacy and default-permalink sites
    address articles by query (`index.php?berita=5521`, `/?p=123`): a script or the root with
    an id-or-slug parameter is an article too."""
    if addresses_article_by_query(path, query):
        return True
    path = strip_front_controller(path)
    if path in ("", "/") or _LISTING_PATH.search(path):
        return False
    segments = [s for s in path.split("/") if s]
    return any(ch.isdigit() for ch in path) or any(_SLUG_WORDS.search(s) for s in segments) \
        or len(segments) >= 3


@dataclass
class Candidate:
    url: str
    title: str
    block: str
    pos: int


_BARE_INLINE_LABEL = re.compile(r"^\s*(?i:baca|lihat|simak)\s+(?i:juga|pula)(?![a-z])\s*")
"""The label, case-insensitive; a capital right after it is the headline (`<b>Baca Juga</b>
<a>Judul` reads `Baca JugaJudul`)."""


def _bare_label_prefix(block: Block) -> int:
    """Length of a `BACA JUGA` label with no colon before a link (`<b>BACA JUGA</b> <a>Judul
    </a>`), 0 when the line is not just that label and links: without the colon only the
    links' covering the rest tells the label from a sentence (`Baca juga buku panduannya`)."""
    match = _BARE_INLINE_LABEL.match(block.text)
    if not match:
        return 0
    rest = len(block.text) - match.end()
    return match.end() if rest > 0 and block.link_chars >= rest else 0


def _anchor_text(link: Link) -> str:
    """The headline a link shows, without a `Baca Juga:` label set inside the anchor
    (`<a><span>Baca Juga: </span>Judul</a>`, JawaPos-group templates)."""
    text = link.text or " ".join(link.title_attr.split())
    cut = inline_related_prefix(text)
    return text[cut:].strip() if cut and text[cut:].strip() else text


class RelatedFinder:
    """Collects related-headline candidates from a walked page (see module doc)."""

    def __init__(
        self,
        page: Page,
        *,
        base_url: str,
        same_outlet: Callable[[str], bool],
        canonical: Callable[[str], str],
        self_urls: Iterable[str],
    ) -> None:
        self.page = page
        parts = urlsplit(base_url)
        self._base = (parts.scheme, parts.netloc, base_url)
        self.same_outlet = same_outlet
        self.canonical = canonical
        self.self_urls = set(self_urls)
        self.candidates: list[Candidate] = []
        self.taken_links: set[int] = set()
        self.taken_blocks: set[int] = set()

    # -- filters ---------------------------------------------------------------------------

    def _accept(self, link: Link, min_words: int = MIN_ANCHOR_WORDS) -> str | None:
        text = _anchor_text(link)
        if len(text.split()) < min_words:
            return None
        url = _article_link(self._base, link.href)
        if url is None or not self.same_outlet(url):
            return None
        if self.canonical(url) in self.self_urls:
            return None
        return url

    def _take(self, link_id: int, block: str, min_words: int = MIN_ANCHOR_WORDS) -> bool:
        if link_id in self.taken_links:
            return False
        link = self.page.links[link_id]
        url = self._accept(link, min_words)
        if url is None:
            return False
        self.taken_links.add(link_id)
        self.candidates.append(Candidate(url, _anchor_text(link), block, link.pos))
        return True

    def _take_block(self, block: Block, name: str) -> int:
        taken = sum(self._take(i, name) for i in block.link_ids)
        self.taken_blocks.add(block.index)
        return taken

    # -- rules -----------------------------------------------------------------------------

    def labelled_boxes(self) -> None:
        blocks = self.page.blocks
        for label in blocks:
            if label.heading == 1 or label.link_density > 0.5 or not is_related_label(label.text):
                continue
            end = self._scope_end(label)
            if end is None:
                continue
            name = block_label(label.text)
            self.taken_blocks.add(label.index)
            for block in blocks[label.index + 1 :]:
                if block.pos >= end or is_related_label(block.text):
                    break
                if block.link_density >= LIST_LINK_DENSITY:
                    self._take_block(block, name)
                elif len(block.text) > BOX_SKIP_CHARS:
                    break

    def _scope_end(self, label: Block) -> int | None:
        """End position of the box a label titles: its nearest container holding links."""
        el: etree._Element | None = label.container
        for _ in range(MAX_SCOPE_UP + 1):
            if el is None:
                return None
            span = self.page.span(el)
            if span is not None and any(
                label.pos < link.pos < span.end and link.text
                for link in self._links_after(label.pos, span.end)
            ):
                return span.end
            el = el.getparent()
        return None

    def _links_after(self, start: int, end: int) -> Iterable[Link]:
        for link in self.page.links:
            if link.pos > start:
                if link.pos >= end:
                    return
                yield link

    def inline_lines(self) -> None:
        for block in self.page.blocks:
            if block.link_ids and block.index not in self.taken_blocks:
                prefix = inline_related_prefix(block.text) or _bare_label_prefix(block)
                if prefix:
                    self._take_block(block, "baca-juga")

    def related_regions(self) -> None:
        sitewide: dict[etree._Element, bool] = {}
        for block in self.page.blocks:
            if (
                block.link_ids
                and block.index not in self.taken_blocks
                and block.link_density >= LIST_LINK_DENSITY
                and any(f.kind == RELATED for f in block.flags)
            ):
                region = block.flag_element(RELATED)
                if region is not None and region not in sitewide:
                    inside = self.page.blocks_in(region)
                    sitewide[region] = bool(inside) and is_sitewide_label(inside[0].text)
                if region is not None and sitewide[region]:
                    continue  # `<section class="recommend"><h3>Berita Terkini Lainnya</h3>`
                self._take_block(block, "related")

    def above_title(self, title_index: int | None) -> None:
        if title_index is None:
            return
        blocks = self.page.blocks
        run: list[Block] = []
        gap = 0
        i = title_index - 1
        while i >= 0:
            block = blocks[i]
            i -= 1
            if block.index in self.taken_blocks:
                break
            if block.link_ids and block.link_density >= 0.8:
                if any(f.kind in (NAV, BOILER) for f in block.flags):
                    break
                links = [self.page.links[j] for j in block.link_ids]
                if not all(self._accept(link, MIN_ABOVE_TITLE_WORDS) for link in links):
                    break
                run.append(block)
                continue
            if run and is_sitewide_label(block.text):
                run = []  # a `Terpopuler` list that happens to end right above the title
            if run or gap >= ABOVE_TITLE_GAP or len(block.text.split()) > ABOVE_TITLE_GAP_WORDS:
                break
            gap += 1
        if len(run) >= MIN_ABOVE_TITLE_LINKS:
            for block in reversed(run):
                self._take_block(block, "above-title")

    def from_elements(self, elements: Iterable[etree._Element]) -> None:
        wanted: set[etree._Element] = set()
        for el in elements:
            wanted.update(el.iter("a"))
        if not wanted:
            return
        for i, link in enumerate(self.page.links):
            if i not in self.taken_links and self._element_of(link) in wanted:
                self._take(i, "profile")

    def _element_of(self, link: Link) -> etree._Element | None:
        return link.element

    def result(self) -> list[dict[str, Any]]:
        """Page order, collapsed by canonical URL, 0-based positions (`collapse_related`)."""
        found = [
            {"url": self.canonical(cand.url), "title": cand.title, "block": cand.block}
            for cand in sorted(self.candidates, key=lambda c: c.pos)
        ]
        return collapse_related(found)[0]


def collapse_related(
    related: Iterable[Any], page_url: str | None = None
) -> tuple[list[dict[str, Any]], int, int]:
    """Related links with each target URL kept once (first occurrence), the page's own URL
    (`page_url`) left out, positions renumbered 0..n-1 in the order given. Returns `(links,
    collapsed, self_links)`: the links, how many repeats and how many links to the page itself
    were dropped. The one collapse of related links: a page's (`RelatedFinder.result`), a
    multi-page article's (`core.merge_parts`) and an item's (`crawler.pipelines`)."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    collapsed = self_links = 0
    for link in related:
        url = link.get("url") if isinstance(link, Mapping) else None
        if not isinstance(url, str) or not url:
            continue
        if url == page_url:
            self_links += 1
            continue
        if url in seen:
            collapsed += 1
            continue
        seen.add(url)
        out.append({"url": url, "title": link.get("title"), "block": link.get("block"),
                    "position": len(out)})
    return out, collapsed, self_links
