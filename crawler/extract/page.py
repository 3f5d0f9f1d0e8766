"""One parse, one walk: a page becomes a list of text blocks, links and region flags.

Everything after this module works on these lists instead of walking the tree again:

- `Block`: a run of text between block boundaries (block-level tags and `<br>`), in reading
  order, with its characters inside links, the innermost block element holding it, the
  region flags of its ancestors (navigation, boilerplate, related box, caption, media, byline,
  date) and whether it sits in a heading;
- `Link`: every `<a href>` with its anchor text and position;
- `Span`: for each block-level element, its `[start, end]` positions in the walk, so "is this
  block inside that element" is two comparisons.

Region flags come from tag names (`nav`, `aside`, `footer`, `figcaption`, ...) and from class
and id names (`share`, `komentar`, `terkait`, `baca-juga`, `caption`, `author`, `tanggal`, ...).
They are hints, not verdicts: the body chooser (`body.py`) only honours a flag set *below* the
element it picked, so one mislabelled wrapper cannot hide an article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
        "caption",
    }
)
"""Tags whose start and end break the text into separate blocks (as a browser would)."""

CELL_TAGS = frozenset({"td", "th"})
"""Table cells: a space, not a block break, so `Penulis | : Nama` reads as one line."""

STRIP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "object",
    "embed",
    "select",
    "textarea",
    "button",
    "input",
    "canvas",
    "video",
    "audio",
    "map",
    "head",
    "title",
    "option",
    "datalist",
    "math",
)
"""Removed (with their content, keeping tails) before the walk: never visible article text."""

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BOLD_TAGS = frozenset({"b", "strong"})

NAV = "nav"
BOILER = "boiler"
RELATED = "related"
CAPTION = "caption"
MEDIA = "media"
BYLINE = "byline"
DATE = "date"

_TAG_FLAGS = {
    "nav": NAV,
    "aside": NAV,
    "footer": NAV,
    "form": NAV,
    "menu": NAV,
    "figcaption": CAPTION,
    "figure": MEDIA,
    "time": DATE,
}

_B = r"(?:^|[\s_-])"
_E = r"(?:$|[\s_-])"
_CLASS_FLAGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (CAPTION, re.compile(r"caption|keterangan|ket[-_]?foto|figcaption")),
    (
        RELATED,
        re.compile(
            r"related|terkait|baca[-_]?juga|bacajuga|rekomendasi|recommend|read[-_]?also|"
            r"readmore|read[-_]?more|artikel[-_]?lain|berita[-_]?lain|more[-_]?news|lainnya|"
            r"recirculation"
        ),
    ),
    (
        NAV,
        re.compile(
            _B + r"(?:nav|navbar|navigation|menu|menubar|breadcrumbs?|topbar|top-bar|footer|"
            r"sidebar|side-bar)" + _E
        ),
    ),
    (
        BOILER,
        re.compile(
            _B + r"(?:share|sharing|sharebox|social|sosmed|socmed|komentar|comments?|disqus|"
            r"advert\w*|iklan|banners?|ads?|adsense|adsbygoogle|gpt|dfp|sponsor\w*|promo|"
            r"newsletter|subscribe|popular|populer|terpopuler|trending|terkini|rating|vote|"
            r"tags?|tagcloud\w*|topik|topics?|cookie|popup|modal|pagination|paging|pager|login|"
            r"signup|widget|print|copylink|whatsapp|facebook|twitter|"
            r"consent|o?embed|placeholder)" + _E
        ),
    ),
    (BYLINE, re.compile(
        r"author|byline|penulis|reporter|writer|wartawan|jurnalis|kontributor|editor|redaktur")),
    # `status-publish` is WordPress's post_class() on every article, not a date
    (DATE, re.compile(r"date|time|tanggal|tgl|waktu|(?<!status-)publish|posted|jam" + _E)),
    (MEDIA, re.compile(_B + r"(?:photos?|foto|pic|picture|image|img|gambar|media|thumb\w*)" + _E)),
)
"""Class/id hints, first match wins. Chosen from the class names of Indonesian news templates
(WordPress themes, detik/kompas/tribun-style layouts) and the generic names of English ones."""

_FLAGGABLE_INLINE = frozenset({"span", "time", "small", "font", "label", "strong", "em", "b"})
"""Inline tags whose class names are read for flags (a date or byline often sits in a
`<span class="date">`); other inline tags (links, images, italics) only inherit flags."""



class Flag(NamedTuple):
    """A region flag an ancestor sets (a named tuple: the walk makes thousands a page)."""

    depth: int
    kind: str
    element: etree._Element


@dataclass(slots=True)
class Block:
    """A run of visible text between block boundaries."""

    index: int
    text: str
    link_chars: int
    container: etree._Element
    """Innermost block-level element holding the text."""
    pos: int
    """Walk position: inside element E iff `span(E).start <= pos < span(E).end`."""
    flags: tuple[Flag, ...]
    heading: int = 0
    """Heading level (1-6) when inside `<h1>`..`<h6>`, else 0."""
    lead_bold: str = ""
    """Text of a `<b>`/`<strong>` that opens the block (datelines are often set in bold)."""
    link_ids: list[int] = field(default_factory=list)
    """Indexes into `Page.links` of the links inside this block."""

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0

    def has_flag(self, kind: str, below_depth: int = -1) -> bool:
        """Whether an ancestor deeper than `below_depth` carries `kind`."""
        # a loop, not any(<generator>): a third of the cost, asked ~100 times a page
        for f in self.flags:  # noqa: SIM110
            if f.kind == kind and f.depth > below_depth:
                return True
        return False

    def flag_element(self, kind: str) -> etree._Element | None:
        """The innermost ancestor carrying `kind`."""
        for f in reversed(self.flags):
            if f.kind == kind:
                return f.element
        return None


@dataclass(slots=True)
class Link:
    href: str
    text: str
    pos: int
    block: int
    """Index of the block the anchor's text ended in."""
    flags: tuple[Flag, ...]
    title_attr: str = ""
    element: etree._Element | None = None


class Span(NamedTuple):
    """An element's walk positions (a named tuple: one per block element of the page)."""

    start: int
    end: int
    depth: int

    def contains(self, pos: int) -> bool:
        return self.start <= pos < self.end


@dataclass
class Page:
    blocks: list[Block]
    links: list[Link]
    spans: dict[etree._Element, Span]

    def span(self, el: etree._Element) -> Span | None:
        return self.spans.get(el)

    def unflag(self, elements: set[etree._Element]) -> None:
        """Forget the region flags these elements set on blocks and links (see
        `core._choose_body_root`: the article's own wrappers are not regions)."""
        # The lines of one region share one tuple of flags (the walk's): each tuple is
        # filtered once. The originals are held in `done`, so their ids stay theirs.
        done: dict[int, tuple[tuple[Flag, ...], tuple[Flag, ...]]] = {}
        items: list[Block | Link] = [*self.blocks, *self.links]
        for item in items:
            flags = item.flags
            if not flags:
                continue
            seen = done.get(id(flags))
            if seen is None:
                kept = tuple(f for f in flags if f.element not in elements)
                seen = done[id(flags)] = (flags, kept if len(kept) < len(flags) else flags)
            item.flags = seen[1]

    def blocks_in(self, el: etree._Element) -> list[Block]:
        span = self.spans.get(el)
        if span is None:
            return []
        return [b for b in self.blocks if span.start <= b.pos < span.end]


CLASS_MEMO_MAX_CHARS = 1_000
"""A `class` and `id` string (or one word of it) longer than this is read without being
remembered (`flag_for_names`, `_word_kinds`), so a page cannot fill memory with made-up
class names; a template's run to a few dozen characters."""


@lru_cache(maxsize=8192)
def flag_for_names(names: str) -> str | None:
    """The region flag a `class`/`id` string carries (first matching kind), or None. A pure
    function of the string, so memoized across pages: templates repeat their class names.

    Each pattern is searched in the string's words (`_word_kinds`, memoized too), not in the
    whole string: no pattern can match across whitespace (`_B` and `_E` take a space as a
    boundary, the lookbehind holds none), so a word matches where the string does, and a
    template's words recur even where the whole string is new (`post-41234 post type-post`:
    on the devset's unseen templates a third of the strings were new, and reading them by
    words took their cost from 3.7 to 2.0 ms a page)."""
    words = names.split()
    found = 0
    for word in words:
        found |= (_word_kinds(word) if len(word) <= CLASS_MEMO_MAX_CHARS
                  else _word_kinds.__wrapped__(word))
    if found:
        for bit, (kind, _) in enumerate(_CLASS_FLAGS):
            if found >> bit & 1:
                return kind
    if _HIDDEN_CLASS in words and ":" not in names:
        return BOILER
    if "teaser" in names:
        return _TEASER_KIND  # `_class_flag` decides by the element (`_is_teaser_card`)
    return None


@lru_cache(maxsize=16384)
def _word_kinds(word: str) -> int:
    """Bit `i` set when `_CLASS_FLAGS[i]`'s pattern is in `word`."""
    found = 0
    for bit, (_, pattern) in enumerate(_CLASS_FLAGS):
        if pattern.search(word):
            found |= 1 << bit
    return found


_HIDDEN_CLASS = "hidden"
"""The class that hides an element in CSS frameworks (Bootstrap, Tailwind): a subscription
box or a modal the reader does not see. A word of its own: not `overflow-hidden` or
`hidden-xs`, and not with a breakpoint class that shows it again (`hidden md:block`)."""

_TEASER_KIND = "teaser?"
TEASER_MAX_CHARS = 600
"""A `teaser` box is a card promoting another article (a headline, a sentence, a link) when it
holds a link and at most this much text; the word also names an article's own lede (no
link) or its whole text (`article__teaser`, thousands of characters), which stay."""


def tag_flag(element: etree._Element) -> str | None:
    """The region flag an element's tag sets (`nav`, `aside`, `figcaption`, ...), or None."""
    tag = element.tag
    return _TAG_FLAGS.get(tag) if isinstance(tag, str) else None


def class_flag(element: etree._Element) -> str | None:
    """The region flag an element's class and id set (as the walk reads them), or None."""
    return _class_flag(element)


def _class_flag(element: etree._Element) -> str | None:
    names = element.get("class")
    ident = element.get("id")
    if not names and not ident:
        return None
    joined = f"{names or ''} {ident or ''}".lower()
    kind = (flag_for_names(joined) if len(joined) <= CLASS_MEMO_MAX_CHARS
            else flag_for_names.__wrapped__(joined))
    if kind == _TEASER_KIND:
        return RELATED if _is_teaser_card(element) else None
    return kind


def _is_teaser_card(element: etree._Element) -> bool:
    """Whether a `teaser` element is a card for another article (`TEASER_MAX_CHARS`)."""
    if element.find(".//a[@href]") is None and not (element.tag == "a" and element.get("href")):
        return False
    chars = 0
    for text in element.itertext():
        chars += len(text.strip())
        if chars > TEASER_MAX_CHARS:
            return False
    return True


_STYLED = etree.XPath(".//*[@hidden or @style]")
_LOWER_NO_SPACE = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz", " ")
"""A style lower-cased (ASCII) and without spaces, so `display: none` and `DISPLAY:NONE`
match too."""


def hidden_elements(body: etree._Element) -> list[etree._Element]:
    """Elements a reader never sees (`hidden`, `style="display: none"`, `visibility:hidden`),
    in document order: tracking codes, SEO text (`<i style="display:none">read-1244264</i>`
    inside headline links). The style is read in Python: XPath's `translate` on every styled
    element took half as long again on the devset's pages."""
    found = []
    for el in _STYLED(body):
        if el.get("hidden") is not None:
            found.append(el)
            continue
        style = (el.get("style") or "").translate(_LOWER_NO_SPACE)
        if "display:none" in style or "visibility:hidden" in style:
            found.append(el)
    return found


def remove_keep_tail(el: etree._Element) -> None:
    """Remove an element and its content, keeping the text that follows it in place."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


_PAGE_TAGS = frozenset({"html", "body"})
"""Their classes describe the page template, not a region (WordPress `body_class()`:
`single-post right-sidebar`; Blogger `loading variant-simple`), so they carry no flag."""

_PROMOTING_FLAGS = frozenset({BYLINE, DATE, CAPTION, RELATED})
"""Inline elements with these flags are read as lines of their own: a byline and a date set in
adjacent `<span>`s are two lines on screen (styled as blocks), not one run of text; so is a
`<span class="berita-rekomendasi-title">` label before its links."""

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ZERO_WIDTH_RE = re.compile(f"[{_ZERO_WIDTH}]")


def strip_invisible(text: str) -> str:
    """Drop zero-width characters and soft hyphens from a whole page before parsing (one C
    scan, instead of one per text piece). Most pages hold none: six substring searches
    (~2 us on a 100 KB page) say so before the regex scan (~300 us)."""
    if not any(char in text for char in _ZERO_WIDTH):
        return text
    return _ZERO_WIDTH_RE.sub("", text)


def clean_inline(text: str) -> str:
    """Collapse whitespace (NBSP included); the page was run through `strip_invisible`."""
    return " ".join(text.split())


def walk(doc: etree._Element, track: frozenset[etree._Element] = frozenset()) -> Page:
    """Walk the `<body>` once and return its blocks, links and block-element spans.

    `track`: further elements to record spans for (a profile's selector matches, which may be
    inline elements)."""
    body = doc.find("body")
    if body is None:
        body = doc
    etree.strip_elements(body, *STRIP_TAGS, with_tail=False)
    for hidden in hidden_elements(body):
        remove_keep_tail(hidden)

    blocks: list[Block] = []
    links: list[Link] = []
    spans: dict[etree._Element, Span] = {}
    starts: dict[etree._Element, int] = {}

    pieces: list[str] = []
    link_chars = 0
    block_links: list[int] = []
    lead_bold = ""
    bold_start: int | None = None  # len(pieces) when a leading bold element opened
    anchor_stack: list[tuple[etree._Element, int, list[str]]] = []
    # a frame is pushed only for elements that change the walk's state (block elements,
    # flagged or heading elements): (element, flags, block element, heading level)
    frames: list[tuple[etree._Element, tuple[Flag, ...], etree._Element, int]] = []
    promoted: set[etree._Element] = set()
    flags: tuple[Flag, ...] = ()
    container: etree._Element = body
    heading = 0
    pos = 0
    depth = 0

    def flush() -> None:
        nonlocal pieces, link_chars, block_links, lead_bold, bold_start
        if pieces:
            joined = "".join(pieces)
            if not joined.isspace():
                text = clean_inline(joined)
                if text:
                    index = len(blocks)
                    blocks.append(
                        Block(
                            index,
                            text,
                            min(link_chars, len(text)),
                            container,
                            pos,
                            flags,
                            heading,
                            clean_inline(lead_bold) if lead_bold else "",
                            block_links,
                        )
                    )
                    for link_id in block_links:
                        links[link_id].block = index
                    block_links = []
            pieces = []
        link_chars = 0
        if block_links:
            block_links = []
        lead_bold = ""
        bold_start = None

    for event, el in etree.iterwalk(body, events=("start", "end")):
        tag = el.tag
        if event == "start":
            if not isinstance(tag, str):
                continue
            kind = _TAG_FLAGS.get(tag)
            is_block = tag in BLOCK_TAGS
            if kind is None and (is_block or tag in _FLAGGABLE_INLINE) and tag not in _PAGE_TAGS:
                kind = _class_flag(el)
            if not is_block and kind in _PROMOTING_FLAGS:
                # `<span class="author">...</span><span class="date">...</span>`: separate lines
                is_block = True
                promoted.add(el)
            if is_block or tag == "br":
                if pieces:
                    flush()
                else:
                    bold_start = None
                    if block_links:
                        block_links = []
            elif tag in CELL_TAGS:
                pieces.append(" ")
            pos += 1
            level = depth
            depth += 1
            if is_block or kind is not None or tag in HEADING_TAGS:
                if kind is not None:
                    flags = (*flags, Flag(level, kind, el))
                if is_block:
                    container = el
                if tag in HEADING_TAGS:
                    heading = int(tag[1])
                frames.append((el, flags, container, heading))
            if is_block or (track and el in track):
                starts[el] = pos
            if tag == "a":
                anchor_stack.append((el, pos, []))
            elif (
                tag in BOLD_TAGS
                and bold_start is None
                and (not pieces or "".join(pieces).isspace())
            ):
                bold_start = len(pieces)
            text = el.text
            if text:
                pieces.append(text)
                if anchor_stack:
                    link_chars += len(text.strip())
                    anchor_stack[-1][2].append(text)
        else:
            if not isinstance(tag, str):
                continue
            is_block = tag in BLOCK_TAGS or (bool(promoted) and el in promoted)
            if is_block:
                if pieces:
                    flush()
                else:
                    bold_start = None
                    if block_links:
                        block_links = []
            pos += 1
            depth -= 1
            if is_block or (track and el in track):
                spans[el] = Span(starts.pop(el, pos), pos, depth)
            if tag == "a" and anchor_stack:
                anchor, start, texts = anchor_stack.pop()
                href = anchor.get("href")
                if href:
                    if blocks and "".join(texts).strip() and not "".join(pieces).strip():
                        # `<a><h4>Headline</h4></a>`: the text went out with the heading's
                        # block, so the link belongs to that block, not to the next one
                        blocks[-1].link_ids.append(len(links))
                        block_index = len(blocks) - 1
                    else:
                        block_links.append(len(links))
                        block_index = -1
                    links.append(
                        Link(
                            href.strip(),
                            clean_inline("".join(texts)),
                            start,
                            block_index,
                            flags,
                            anchor.get("title") or "",
                            anchor,
                        )
                    )
            elif tag in BOLD_TAGS and bold_start is not None and not lead_bold:
                lead_bold = "".join(pieces[bold_start:]) or " "
            if frames and frames[-1][0] is el:
                frames.pop()
                if frames:
                    _, flags, container, heading = frames[-1]
                else:
                    flags, container, heading = (), body, 0
            tail = el.tail
            if tail:
                pieces.append(tail)
                if anchor_stack:
                    link_chars += len(tail.strip())
                    anchor_stack[-1][2].append(tail)
    flush()
    return Page(blocks, links, spans)
