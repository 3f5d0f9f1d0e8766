"""One saved page in, every field out: `extract_article` and `merge_parts`.

The page is parsed once (lxml), its structured data read with a few XPath calls, and its body
walked once (`page.walk`); every field is then a fallback chain over those results. Each
chain's stages are written in the docstring of the function that runs it, and the stage that
gave a value is recorded in `provenance` (`jsonld`, `opengraph`, `meta`, `microdata`, `time`,
`profile`, `generic`, `text`, `url`, `fetched`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from archive.errors import UsageError
from crawler.extract import dates as D
from crawler.extract.body import choose_root, is_excluded
from crawler.extract.encoding import decode_html
from crawler.extract.indonesian import (
    TITLE_KICKERS,
    Dateline,
    Signoff,
    guess_language,
    inline_related_prefix,
    is_body_junk,
    is_related_label,
    parse_dateline,
    parse_signoff,
    parse_staff,
    parse_unmarked_staff,
    person_names,
    split_kicker,
    staff_label,
)
from crawler.extract.page import (
    BYLINE,
    CAPTION,
    DATE,
    MEDIA,
    NAV,
    Block,
    Page,
    remove_keep_tail,
    strip_invisible,
    walk,
)
from crawler.extract.related import RelatedFinder, repair_href
from crawler.extract.structured import (
    Structured,
    clean_text,
    jsonld_list,
    jsonld_names,
    jsonld_text,
    read_structured,
)
from crawler.sites import SiteProfile
from crawler.urls import canonical_url, fold_variants, normalize_url, page_number

RESULT_KEYS = (
    "url", "fetched_url", "title", "published_at", "published_raw", "published_precision",
    "modified_at", "dateline", "dateline_raw", "authors", "editor", "reporter", "signoff",
    "signoff_raw", "section", "tags", "language", "body", "captions", "related", "next_pages",
    "word_count", "provenance",
)  # fmt: skip
"""Keys of `extract_article`'s result, in output order (the item's field names)."""

NEAR_TITLE_BEFORE = 6
"""Lines before the title searched for its date (templates that print the date above the
headline: a kicker line, the date, then the title)."""

NEAR_TITLE_AFTER = 14
"""Lines after the title searched for its date and byline: author, date, share bar, photo and
caption usually come before the first paragraph within this many lines."""

VISIBLE_DATE_MAX_CHARS = 120
"""A date line is short (`Kamis, 5 November 2015 14:56 WIB | 1.229 Views`); longer lines are
paragraphs that mention a date."""

BYLINE_MAX_CHARS = 100
"""A byline line is short (`Fino Yurio Kristo - detikinet`)."""

STAFF_WINDOW_AFTER = 40
"""Lines after the body's end searched for `Editor:`/`Penulis:` lines (they follow the body,
sometimes after a share bar and a tag list)."""

TRAILING_MAX_WORDS = 8
"""A last line this short that does not end like a sentence is a label or a button
(`Ikuti perkembangan berita ini dalam topik:`), not the article's last paragraph."""

LEADING_MAX_WORDS = 4
"""Same for the first lines (`Advertisement`, a kicker), datelines excepted."""

DUPLICATE_MIN_CHARS = 40
"""A line this long that repeats another line's text (a pull quote) is dropped."""

JSONLD_BODY_MIN_WORDS = 30
"""A JSON-LD `articleBody` shorter than this is a teaser (some sites put the description
there), not the article."""

REPEAT_CHECK_LINES = 300
"""Pull quotes are looked for in bodies up to this many paragraphs (long articles have about a
hundred); beyond it only exact repeats are dropped, so a huge page stays linear."""

MAX_TAGS = 30

DAY_MENTION_PARAGRAPHS = 3
"""Paragraphs searched for `Selasa (23/5)` when nothing else dates the page: Indonesian reports
name the day of the event in the lede or the next two paragraphs."""

SAME_INSTANT_SECONDS = 60
"""Two readings of a publication time agree when within a minute (pages show minutes)."""

_QUOTES = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "\u00a0": " "}
)
_TITLE_SPLIT = re.compile(r"\s+(?:[-|–—:»·•]|::)\s+|\s*\|\s*")
_MODIFIED_PREFIX = re.compile(
    r"^(?:diperbarui|diperbaharui|update[d]?|pembaruan|terakhir diubah)\b", re.IGNORECASE
)
_SENTENCE_END = (".", "!", "?", '"', "”", "’", "'", ")", "…", "]")

STRONG_DATE_METAS = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "article:published",
    "published_time",
    "datepublished",
)
"""Meta names whose value is the publication instant by standard (OpenGraph, schema.org)."""

WEAK_DATE_METAS = (
    "pubdate",
    "publishdate",
    "publish_date",
    "publish-date",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.issued",
    "dcterms.date",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "datecreated",
    "originalpublicationdate",
    "content_create_date",
    "tanggal",
)
"""Site conventions, often wrong about the zone (`2015-11-05 T10:08:58Z` for 10:08 WIB):
below the date the page itself shows."""

_CUSTOM_PUBLISH_META = re.compile(r"publish(?:ed)?[\s_.:-]*(?:date|time)|pubdate$")
"""Meta names of a CMS's own (`content_PublishedDate`, `dtk:publishdate`,
`cXenseParse:recs:publishtime`, `article_publish_date`): read after `WEAK_DATE_METAS`, in page
order, so an outlet whose convention is not listed still gets its declared time."""
_NOT_PUBLISH_META = re.compile(r"modif|updat|expir|edit|revis")


MODIFIED_METAS = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
    "article:modified",
)


@dataclass(slots=True)
class _Stamp:
    """A machine-readable date element shown on the page (`<time datetime=ISO>`, an hAtom
    `<abbr class="published" title=ISO>`)."""

    value: str
    modified: bool
    """Classed as the modification date (`updated`, `modified`, `dateModified`) and not as
    the publication date: WordPress themes print `<time class="entry-date published">` and
    `<time class="updated">` side by side."""
    text: str | None = None
    """For an `<abbr>`: its text, which must be in the line (an abbr is read inside the line
    of its block element; a `<time>` is a line of its own)."""


_STAMP_MODIFIED = re.compile(r"updated|modified|diperbarui|datemodified")
_STAMP_PUBLISHED = re.compile(r"published|datepublished|dt-published")
_HATOM_ABBR = re.compile(r"published|updated|modified|dt-|date")


STAMP_SCAN_MAX_ELEMENTS = 40
"""A line's block element is searched for an hAtom `<abbr>` only when it holds at most this
many elements (a meta line's box); a line of text set straight in a big box (a whole page in
one `<div>` with `<br>`s) is not worth the scan."""


def _make_stamp(el: etree._Element) -> _Stamp | None:
    """The stamp of a `<time datetime>` or an hAtom `<abbr class="published|updated" title>`,
    or None when it holds no machine date."""
    text = None
    if el.tag == "time":
        value = el.get("datetime")
    else:
        value = el.get("title")
        if not value or not _HATOM_ABBR.search((el.get("class") or "").lower()):
            return None
        text = _element_text(el)
    if not value or not value.strip()[:1].isdigit():
        return None
    modified = False
    if el.get("class") or el.get("itemprop"):
        names = _stamp_names(el)
        modified = (
            _STAMP_PUBLISHED.search(names) is None
            and _STAMP_MODIFIED.search(names) is not None
            # `updated` alone is no modification date: tagDiv's Newspaper and Liputan6 class
            # their only (publication) date `entry-date updated`; it means one only beside
            # a `published` one (`<time class="published">...<time class="updated">`)
            and ("modified" in names or _beside_published(el))
        )
    return _Stamp(value.strip(), modified, text)


def _stamp_names(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('itemprop') or ''}".lower()


def _beside_published(el: etree._Element) -> bool:
    """Whether a `published`-classed stamp shares the element's parent or grandparent."""
    parent = el.getparent()
    if parent is None:
        return False
    box = parent.getparent()
    for other in (box if box is not None else parent).iter("time", "abbr"):
        if other is not el and _STAMP_PUBLISHED.search(_stamp_names(other)):
            return True
    return False


def _stamp_of(ctx: _Context, block: Block) -> _Stamp | None:
    """The machine date shown in a line, if any: the line's own `<time datetime>` (the walk
    makes every `<time>` a line of its own, see `page.walk`) or an hAtom `<abbr>` in the
    line's small block element. Looked up only for the lines the date chains ask about (a
    whole-page scan cost more than all the lookups), remembered per element."""
    el = block.container
    if el in ctx.stamps:
        stamp = ctx.stamps[el]
    else:
        stamp = None
        if el.tag == "time":
            stamp = _make_stamp(el)
        else:
            span = ctx.page.span(el)
            if span is not None and span.end - span.start <= 2 * STAMP_SCAN_MAX_ELEMENTS:
                for abbr in el.iter("abbr"):
                    stamp = _make_stamp(abbr)
                    if stamp is not None:
                        break
        ctx.stamps[el] = stamp
    if stamp is not None and stamp.text is not None and stamp.text not in block.text:
        return None
    return stamp


@dataclass
class _Context:
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
    consumed: set[int] = field(default_factory=set)
    stamps: dict[etree._Element, _Stamp | None] = field(default_factory=dict)
    """Machine dates (`_Stamp`) by the block element of the line showing them, as looked up
    (`_stamp_of`)."""
    doc_body: etree._Element | None = None
    image_captions: set[str] | None = None
    """`_image_captions` of the whole page, computed when a date line needs it."""
    footer: list[Block] = field(default_factory=list)
    """Lines of the article's own footer (`_article_footer`), read for its byline and date."""
    footer_ids: frozenset[int] = frozenset()


def _norm(text: str) -> str:
    """Text as compared: NFKC, typographic quotes and dashes plain, spaces collapsed, case
    folded."""
    if not text.isascii():  # NFKC and `_QUOTES` change only characters outside ASCII
        text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return " ".join(text.split()).casefold()  # the same runs as `\s+` (str.isspace)


def _outlet_words(url: str, profile: SiteProfile | None, site_name: str | None) -> frozenset[str]:
    """Lower-case words that name the outlet: host labels and profile/site names."""
    words: set[str] = set()
    hosts = [urlsplit(url).hostname or ""]
    if profile is not None:
        hosts.append(urlsplit(profile.homepage).hostname or "")
        hosts.extend(d.split(":")[0] for d in profile.domains)
    for host in hosts:
        labels = [
            p
            for p in host.lower().split(".")
            if p not in ("www", "m", "amp", "co", "or", "ac", "go", "web", "my", "sch")
        ]
        words.update(labels[:-1])  # `kaltimpost.jawapos.com`: kaltimpost, jawapos
    for name in ((profile.name if profile else None), site_name):
        if name:
            compact = re.sub(r"[^a-z0-9]", "", name.lower())
            if len(compact) >= 4:
                words.add(compact.removesuffix("com") if compact.endswith("com") else compact)
    return frozenset(w for w in words if len(w) >= 4)


# -- CSS selectors from profiles --------------------------------------------------------------


@lru_cache(maxsize=512)
def _css(selector: str) -> etree.XPath:
    """A profile's CSS selector compiled once (a pure function of the string: no state)."""
    from lxml.cssselect import CSSSelector

    return CSSSelector(selector, translator="html")


def validate_selectors(profile: SiteProfile) -> None:
    """Raise `UsageError` naming the profile, field and selector when one is not valid CSS."""
    sel = profile.selectors
    for name in ("title", "body", "date", "author", "section"):
        value = getattr(sel, name)
        if value:
            _compile(profile, name, value)
    for name in ("related", "drop"):
        for value in getattr(sel, name):
            _compile(profile, name, value)


def _compile(profile: SiteProfile, name: str, selector: str) -> etree.XPath:
    try:
        return _css(selector)
    except Exception as exc:  # cssselect raises several error types
        where = profile.path or profile.key
        raise UsageError(
            f"{where}: field 'selectors.{name}': not a valid CSS selector {selector!r} ({exc})"
        ) from None


def _apply_profile(
    doc: etree._Element, profile: SiteProfile | None
) -> dict[str, list[etree._Element]]:
    """Drop the profile's `drop` elements and find its selector matches (before the walk)."""
    if profile is None:
        return {}
    sel = profile.selectors
    for selector in sel.drop:
        for el in _compile(profile, "drop", selector)(doc):
            if el.getparent() is not None:
                remove_keep_tail(el)
    found: dict[str, list[etree._Element]] = {}
    for name in ("title", "body", "date", "author", "section"):
        value = getattr(sel, name)
        if value:
            matches = _compile(profile, name, value)(doc)
            if matches:
                found[name] = list(matches)
    related: list[etree._Element] = []
    for selector in sel.related:
        related.extend(_compile(profile, "related", selector)(doc))
    if related:
        found["related"] = related
    return found


def _element_text(el: etree._Element) -> str:
    return clean_text(etree.tostring(el, method="text", encoding="unicode", with_tail=False))


# -- title --------------------------------------------------------------------------------------


def _title_candidates(ctx: _Context) -> list[tuple[str, str]]:
    s = ctx.structured
    out: list[tuple[str, str]] = []
    for node in (s.article, s.page):
        headline = jsonld_text(node, "headline") or jsonld_text(node, "name") if node else None
        if headline:
            out.append(("jsonld", headline))
            break
    for name in ("og:title", "twitter:title"):
        found = s.first(name)
        if found:
            out.append(("opengraph", found[1]))
    for _, value in s.itemprops.get("headline", ()):
        if value:
            out.append(("microdata", value))
            break
    found = s.first("title", "dc.title", "sailthru.title", "parsely-title")
    if found:
        out.append(("meta", found[1]))
    if s.title:
        out.append(("meta", s.title))
    return out


def _title_parts(text: str) -> list[str]:
    """A meta title and its pieces without site suffixes (`Judul - Kompas.com` -> `Judul`)."""
    parts = [p.strip() for p in _TITLE_SPLIT.split(text) if p.strip()]
    out = [text]
    for i in range(len(parts) - 1, 0, -1):
        out.append(" - ".join(parts[:i]))
    out.extend(parts)
    return out


SITE_NAME_MAX_WORDS = 5
"""A piece of a title that names the outlet is a site name when this short (`Kaltim Post`,
`Diskominfo Kaltim`, `ANTARA News Kalimantan Timur`); a longer one is a headline that
mentions the outlet."""


def _names_site(text: str, ctx: _Context) -> bool:
    """Whether a title piece or a heading is the outlet's name (`og:site_name`, a word of the
    host or profile name, a domain) rather than a headline."""
    if len(text.split()) > SITE_NAME_MAX_WORDS:
        return False
    site_name = ctx.structured.first("og:site_name")
    if site_name and _norm(text) == _norm(site_name[1]):
        return True
    compact = re.sub(r"[^a-z0-9]", "", text.lower())
    return any(w in compact for w in ctx.outlet_words) or bool(
        re.search(r"\.(?:com|co\.id|id|net)\b", text, re.IGNORECASE)
    )


def _strip_site(text: str, ctx: _Context) -> str:
    parts = [p.strip() for p in _TITLE_SPLIT.split(text) if p.strip()]
    while len(parts) > 1 and _names_site(parts[-1], ctx):
        parts.pop()
    while len(parts) > 1 and _names_site(parts[0], ctx):
        parts.pop(0)  # `Diskominfo Kaltim | Judul`: the site name first
    return " - ".join(parts) if len(parts) > 1 else parts[0] if parts else text


def extract_title(ctx: _Context) -> str | None:
    """Title chain.

    1. the profile's `title` selector;
    2. a page heading (h1-h3, outside navigation) equal to a declared title (JSON-LD
       `headline`, `og:title`/`twitter:title`, microdata `headline`, meta title, `<title>`),
       or to one with its site suffix or prefix cut (`Judul - Kompas.com`, `Diskominfo Kaltim
       | Judul`; a piece naming the outlet is never the title): the heading's text, with the
       declaring stage as provenance;
    3. JSON-LD `headline`;
    4. `og:title` with the site suffix cut;
    5. the first `<h1>` of two words or more outside navigation that is not the site's name
       (`generic`);
    6. `<title>` with the site suffix or prefix cut (`meta`).
    """
    blocks = ctx.page.blocks
    if "title" in ctx.selected:
        text = _element_text(ctx.selected["title"][0])
        if text:
            ctx.title_index = _find_heading(ctx, text)
            return _set(ctx, "title", text, "profile")
    headings = [b for b in blocks if 1 <= b.heading <= 3 and not b.has_flag(NAV)]
    by_norm: dict[str, Block] = {}
    for b in headings:
        by_norm.setdefault(_norm(b.text), b)
    candidates = _title_candidates(ctx)
    for stage, text in candidates:
        found = by_norm.get(_norm(text))
        if found is not None:
            ctx.title_index = found.index
            return _set(ctx, "title", found.text, stage)
    for stage, text in candidates:
        for part in _title_parts(text)[1:]:
            found = by_norm.get(_norm(part))
            if found is not None and len(part.split()) >= 2 and not _names_site(part, ctx):
                ctx.title_index = found.index
                return _set(ctx, "title", found.text, stage)
    found_cut = _heading_of_cut_title(ctx, headings, candidates)
    if found_cut is not None:
        ctx.title_index = found_cut[0].index
        return _set(ctx, "title", found_cut[0].text, found_cut[1])
    for stage, text in candidates:
        if stage == "jsonld":
            ctx.title_index = _find_heading(ctx, text)
            return _set(ctx, "title", text, stage)
    for stage, text in candidates:
        if stage == "opengraph":
            title = _strip_site(text, ctx)
            ctx.title_index = _find_heading(ctx, title)
            return _set(ctx, "title", title, stage)
    for b in blocks:
        if (
            b.heading == 1
            and len(b.text.split()) >= 2
            and not b.has_flag(NAV)
            and not _names_site(b.text, ctx)  # the logo's `<h1>Kabar Kukar</h1>`
        ):
            ctx.title_index = b.index
            return _set(ctx, "title", b.text, "generic")
    if ctx.structured.title:
        title = _strip_site(ctx.structured.title, ctx)
        ctx.title_index = _find_heading(ctx, title)
        return _set(ctx, "title", title, "meta")
    return None


def _without_kicker(ctx: _Context, title: str | None) -> str | None:
    """The headline without a kicker label set before it (`VIDEO: Banjir ...`, `[FOTO]
    ...`, `<h1><span class="badge">INFOGRAFIS</span> Harga ...</h1>`): the label says what
    kind of item the page is, not what happened. Only labels of `TITLE_KICKERS` go, in the
    text or as the heading's own first element; `KPU: Pemilu Tetap Digelar` stays whole."""
    if not title:
        return title
    label, rest = split_kicker(title)
    if label is not None:
        return rest
    if ctx.title_index is None:
        return title
    heading = ctx.page.blocks[ctx.title_index].container
    first = heading[0] if len(heading) else None
    if (
        first is None
        or (heading.text or "").strip()
        or not isinstance(first.tag, str)
        or first.tag not in _KICKER_TAGS
    ):
        return title
    shown = " ".join(_element_text(first).split()).strip(" :|")
    if shown.lower() in TITLE_KICKERS and _norm(title).startswith(_norm(shown)):
        rest = title[len(shown) :].lstrip(" :|-–—")
        return rest or title
    return title


_KICKER_TAGS = frozenset({"span", "small", "em", "b", "strong", "i", "label", "mark", "sup"})
"""Inline elements a template sets a kicker label in, inside the `<h1>`."""


ELLIPSIS_TITLE_MIN_CHARS = 20
"""A declared title ending in `...`/`…` is a cut one when at least this long; shorter ones
(`Banjir...`) could start many headings."""
CUT_TITLE_MIN_CHARS = 60
"""A declared title without an ellipsis is read as cut (SEO plugins and CMSs cut headlines at
60 to 110 characters) only from this length on."""
_ELLIPSIS = re.compile(r"\s*(?:\.{3,}|…)\s*$")


def _heading_of_cut_title(
    ctx: _Context, headings: list[Block], candidates: list[tuple[str, str]]
) -> tuple[Block, str] | None:
    """The page heading that a declared title is the cut start of (`Judul panjang yang...`
    in JSON-LD or `og:title`, the whole headline in the `<h1>`), with the declaring stage."""
    for stage, text in candidates:
        for piece in _title_parts(text):
            stem = _ELLIPSIS.sub("", piece)
            least = ELLIPSIS_TITLE_MIN_CHARS if stem != piece else CUT_TITLE_MIN_CHARS
            if len(stem) < least or _names_site(stem, ctx):
                continue
            want = _norm(stem)
            for b in sorted(headings, key=lambda h: h.heading):
                if len(b.text) > len(stem) and _norm(b.text).startswith(want):
                    return b, stage
    return None


def _find_heading(ctx: _Context, title: str) -> int | None:
    """The line showing the title: a heading equal to, or starting with, the title."""
    want = _norm(title)
    fallback = None
    for b in ctx.page.blocks:
        if b.heading:
            got = _norm(b.text)
            if got == want:
                return b.index
            if (
                fallback is None
                and want
                and (got.startswith(want[:40]) or want.startswith(got[:40]))
                and len(got) >= 10
            ):
                fallback = b.index
    if fallback is not None:
        return fallback
    for b in ctx.page.blocks:
        if _norm(b.text) == want:
            return b.index
    return None


def _unflag_title_boxes(ctx: _Context) -> None:
    """A photo or caption region that holds the headline is a hero box, not a photo
    (Twenty Nineteen's `site-featured-image` wraps the featured image, the title and the
    entry meta): its flag would hide the date and byline under the title from every chain."""
    if ctx.title_index is None:
        return
    block = ctx.page.blocks[ctx.title_index]
    boxes = {f.element for f in block.flags if f.kind in (MEDIA, CAPTION)}
    if boxes:
        ctx.page.unflag(boxes)


_SECTIONING = frozenset({"article", "section", "aside", "nav", "body", "main"})
_ENTRY_NAMES = re.compile(
    r"(?:^|\s)(?:hentry|h-entry|type-post|single-post|post|entry|article)(?:$|\s)"
)
"""Class words of a div that stands for an `<article>` (hAtom `hentry`, WordPress
`post_class()`, generic `post` / `entry` / `article` boxes)."""
_FOOTER_NAMES = re.compile(r"footer")
ARTICLE_FOOTER_MAX_BLOCKS = 12
"""An article's own footer holds a byline, a date, categories and tags: a few lines. A longer
`<footer>` is a site footer or a staff box, not this article's credits."""
_STAFF_BOX = re.compile(r"^(?:susunan\s+|tim\s+|dewan\s+|pemimpin\s+)?redaksi\b", re.IGNORECASE)


def _is_article(el: etree._Element) -> bool:
    names = el.get("class")
    return el.tag == "article" or bool(names and _ENTRY_NAMES.search(names.lower()))


def _article_of(el: etree._Element) -> etree._Element | None:
    """The article a footer belongs to (HTML's rule: its nearest sectioning ancestor), when
    that is an `<article>` or an entry-classed box; None for a page's or a sidebar's footer."""
    for anc in el.iterancestors():
        tag = anc.tag
        if tag == "article":
            return anc
        if tag in _SECTIONING:
            return None
        names = anc.get("class")
        if names and _ENTRY_NAMES.search(names.lower()):
            return anc
    return None


def _article_footer(ctx: _Context) -> None:
    """Find the article's own footer: a `<footer>` or footer-classed element after the body
    text whose nearest sectioning ancestor is the article holding the body (Twenty Sixteen's
    `<footer class="entry-footer">` with the byline and the date; a `post-footer` with
    `Penulis: ... | Editor: ...`). A page's footer (sectioned by `<body>`), a sidebar's, or a
    long footer (a staff box listing the whole newsroom) gives nothing."""
    root = ctx.root
    if root is None or ctx.root_first is None or ctx.root_last is None:
        return
    blocks = ctx.page.blocks
    start = blocks[ctx.root_first].pos
    # the footer closes the article: the root's last lines (a root that holds it) or the
    # lines after the root
    lo = max(ctx.root_first, ctx.root_last - ARTICLE_FOOTER_MAX_BLOCKS)
    hi = min(len(blocks), ctx.root_last + 1 + STAFF_WINDOW_AFTER)
    article = root if _is_article(root) else _article_of(root)
    span = ctx.page.span(article) if article is not None else None
    end = span.end if span is not None else blocks[ctx.root_last].pos + 1
    verdicts: dict[etree._Element, bool] = {}
    found: list[Block] = []
    boxes: dict[etree._Element, int] = {}
    for b in blocks[lo:hi]:
        if b.pos >= end:
            break  # past the article
        if not b.flags or not b.has_flag(NAV):
            continue
        ok = True
        box = None
        for f in b.flags:
            if f.kind != NAV:
                continue
            el = f.element
            verdict = verdicts.get(el)
            if verdict is None:
                verdict = False
                if el.tag == "footer" or _FOOTER_NAMES.search(
                    f"{el.get('class') or ''} {el.get('id') or ''}".lower()
                ):
                    span = ctx.page.span(el)
                    article = _article_of(el)
                    verdict = (
                        article is not None
                        and span is not None
                        and span.start > start
                        and (article is root or any(a is article for a in root.iterancestors())
                             or any(a is root for a in article.iterancestors()))
                    )
                verdicts[el] = verdict
            if not verdict:
                ok = False
                break
            box = box if box is not None else el
        if ok and box is not None:
            if _STAFF_BOX.match(b.text):
                boxes[box] = ARTICLE_FOOTER_MAX_BLOCKS + 1
            boxes[box] = boxes.get(box, 0) + 1
            found.append(b)
    if not found:
        return
    too_long = {el for el, n in boxes.items() if n > ARTICLE_FOOTER_MAX_BLOCKS}
    if too_long:
        found = [b for b in found if not any(f.element in too_long for f in b.flags)]
    ctx.footer = found
    ctx.footer_ids = frozenset(b.index for b in found)


def _set(ctx: _Context, name: str, value: Any, stage: str) -> Any:
    ctx.provenance[name] = stage
    return value


# -- body ---------------------------------------------------------------------------------------


CAPTION_MAX_CHARS = 300
"""A photo caption set as a plain paragraph is one or two sentences."""
_PHOTO_CREDIT = re.compile(
    r"\((?:[^()]{0,40}\b)?(?:(?:foto|photo|dokumentasi|istimewa|repro)\b|dok\.|dok\s+[a-z]|ist\.)"
    r"[^()]{0,60}\)\s*$",
    re.IGNORECASE,
)
"""A photo credit closing a line (`(Foto: Istimewa)`, `(ANTARA FOTO/Nama)`, `(Dok. Humas)`,
`(ISTIMEWA)`): the line is a caption set as a paragraph, not article text. Bare `(ist)` and
`(dok)` are left out: they are also writers' sign-off initials."""


_CREDIT_WORD = re.compile(r"foto|photo|dokumentasi|istimewa|repro", re.IGNORECASE)


def _is_photo_caption(text: str) -> bool:
    """A line closed by a photo credit, not by a writer's initials (`(ist)`, `(dok/rh)`)."""
    if not _PHOTO_CREDIT.search(text):
        return False
    signoff = parse_signoff(text)
    return signoff is None or _CREDIT_WORD.search(signoff.code) is not None


SMALL_FONT_MAX_PX = 13.0
"""A caption is set smaller than the text: body text runs 14-18px on news templates, captions
11-13px (`font-size:11px`, `10pt`, `0.8em`, `80%`, `small`)."""
_FONT_SIZE = re.compile(
    r"font-size\s*:\s*(?:(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>px|pt|em|rem|%)|(?P<kw>[a-z-]+))",
    re.IGNORECASE,
)
_CAPTION_TAGS = frozenset({"em", "i", "small", "span", "font"})
"""Inline elements an editor wraps a caption line in under an image."""
_IMAGE_WRAPPERS = frozenset({"a", "picture", "span"})


def _small_or_italic(el: etree._Element) -> bool:
    """Whether an inline element sets its text apart as a caption: italics, `<small>`, a
    `<font size="1|2">`, or a style with a smaller font size or italics."""
    tag = el.tag
    if tag in ("em", "i", "small"):
        return True
    if tag == "font" and (el.get("size") or "").strip() in ("1", "2", "-1", "-2"):
        return True
    style = (el.get("style") or "").lower()
    if not style:
        return False
    if "italic" in style:
        return True
    match = _FONT_SIZE.search(style)
    if match is None:
        return False
    if match["kw"]:
        return match["kw"] in ("x-small", "xx-small", "small", "smaller")
    size = float(match["n"])
    unit = match["unit"].lower()
    px = size * {"px": 1.0, "pt": 4 / 3, "em": 16.0, "rem": 16.0, "%": 0.16}[unit]
    return px <= SMALL_FONT_MAX_PX


def _blank(text: str | None) -> bool:
    return not text or text.isspace()


def _image_captions(root: etree._Element) -> set[str]:
    """Captions set without a caption class or credit right under an image: a small or
    italic line in the image's own block after a `<br>` (`<p><img><br><span
    style="font-size:11px">...</span></p>`), or the only content of the block that follows
    a block holding nothing but the image (`<p><img></p><p><em>...</em></p>`). The line
    must be the whole of its block: a paragraph that goes on after it is text."""
    out: set[str] = set()
    for img in root.iter("img"):
        node = img
        parent = node.getparent()
        while (
            parent is not None and parent.tag in _IMAGE_WRAPPERS and len(parent) == 1
            and _blank(parent.text) and _blank(node.tail)
        ):
            node, parent = parent, parent.getparent()
        if parent is None:
            continue
        candidate = node.getnext()
        gap_ok = _blank(node.tail)
        while candidate is not None and candidate.tag == "br" and _blank(candidate.tail):
            candidate = candidate.getnext()
        if candidate is None and gap_ok and _blank(parent.text) and len(parent) == 1:
            # the image alone in its block: the caption is the next block, alone in it
            block = parent.getnext()
            if block is None or block.tag not in ("p", "div") or len(block) != 1:
                continue
            if not _blank(block.text):
                continue
            candidate = block[0]
        elif not gap_ok:
            continue
        if (
            candidate is None
            or not isinstance(candidate.tag, str)
            or candidate.tag not in _CAPTION_TAGS
            or not _blank(candidate.tail)
            or candidate.getnext() is not None
            or not _small_or_italic(candidate)
        ):
            continue
        text = _element_text(candidate)
        if text and len(text) <= CAPTION_MAX_CHARS:
            out.add(text)
    return out


@dataclass
class _Body:
    text: str | None = None
    dateline: Dateline | None = None
    signoff: Signoff | None = None
    staff: list[tuple[str, str]] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)


def _choose_body_root(ctx: _Context) -> None:
    """Body chain: 1. the profile's `body` selector (first match holding text, `profile`);
    2. the density rules of `body.choose_root` (`generic`); 3. when neither gives text, the
    JSON-LD `articleBody` (`jsonld`, see `_jsonld_body` for why it comes last).

    Runs before the other chains: once the root is known, region flags set by the root and
    its ancestors are dropped (`Page.unflag`)."""
    page = ctx.page
    root = None
    stage = "generic"
    for el in ctx.selected.get("body", ()):
        if page.span(el) is not None and page.blocks_in(el):
            root, stage = el, "profile"
            break
    if root is None:
        root = choose_root(page)
    if root is None:
        return
    inside = page.blocks_in(root)
    if not inside:
        return
    ctx.root = root
    ctx.root_first, ctx.root_last = inside[0].index, inside[-1].index
    ctx.provenance["body"] = stage
    # The article's own wrappers are not navigation, sidebars or date boxes whatever their
    # class says (`main right-sidebar`, `post status-publish`): their flags would otherwise
    # hide the title, the date line and the byline from every field chain.
    page.unflag({root, *root.iterancestors()})


def extract_body(ctx: _Context, title: str | None) -> _Body:
    """The body's paragraphs, with the Indonesian parts taken out as fields.

    Lines of the body root, in order, minus: lines in caption / related / boilerplate regions
    below the root and link lists (`body.is_excluded`); the title line and the date and byline
    lines already read; `Baca Juga:` lines and related-box labels; staff lines (`Editor:`,
    `Penulis:`, ...); junk lines (copyright, follow-us, syndication notes); a pull quote that
    repeats a paragraph. Then the dateline is cut from the first line, the sign-off from the
    last, and short non-sentence lines (labels, buttons) trimmed from both ends.
    """
    result = _Body()
    if ctx.root is None:
        return result
    page = ctx.page
    span = page.span(ctx.root)
    assert span is not None
    title_norm = _norm(title) if title else None
    # the whole page's set when a date line already asked for it (it holds the root's)
    image_captions = (
        ctx.image_captions if ctx.image_captions is not None else _image_captions(ctx.root)
    )
    lines: list[Block] = []
    for block in page.blocks_in(ctx.root):
        if block.index in ctx.consumed:
            continue
        text = block.text
        if block.heading and (
            block.index == ctx.title_index or (title_norm and _norm(text) == title_norm)
        ):
            continue
        why = is_excluded(block, span.depth)
        if why == CAPTION:
            result.captions.append(text)
            continue
        if why is not None:
            continue
        if inline_related_prefix(text) or is_related_label(text):
            continue
        staff = parse_staff(text)
        if staff:
            result.staff.extend(staff)
            continue
        if len(text) <= CAPTION_MAX_CHARS and (
            _is_photo_caption(text) or (image_captions and text in image_captions)
        ):
            result.captions.append(text)  # `<img><br><em>Warga antre ... (Foto: Istimewa)</em>`
            continue
        if is_body_junk(text):
            continue
        lines.append(block)

    while len(lines) > 1 and _is_standfirst(ctx, lines[0], lines[1]):
        lines.pop(0)
    texts = [b.text for b in lines]
    texts = _drop_repeats(texts)
    if texts:
        first = lines[0] if lines and lines[0].text == texts[0] else None
        dateline = parse_dateline(
            texts[0], lead_bold=first.lead_bold if first else "", outlet_words=ctx.outlet_words
        )
        if dateline is not None:
            result.dateline = dateline
            if dateline.rest:
                texts[0] = dateline.rest
            else:
                texts.pop(0)
    while texts and _is_label_line(texts[-1]) and parse_signoff(texts[-1]) is None:
        texts.pop()
    if texts:
        signoff = parse_signoff(texts[-1])
        if signoff is not None:
            result.signoff = signoff
            if signoff.rest:
                texts[-1] = signoff.rest
            else:
                texts.pop()
    while texts and _is_label_line(texts[-1], TRAILING_MAX_WORDS):
        texts.pop()
    while texts and _is_label_line(texts[0], LEADING_MAX_WORDS):
        texts.pop(0)
    result.text = "\n\n".join(texts) or None
    return result


DESCRIPTION_MIN_CHARS = 40
"""A description this long is a sentence, not a label: a shorter one (`Berita Samarinda`)
says too little to mark a line as its copy."""
DESCRIPTION_SLACK = 8
"""Characters a description may differ in length from the line that copies it (entities,
quotes and spaces written differently) before the texts are compared."""
_DESCRIPTION_METAS = ("og:description", "description", "twitter:description")
_TRUNCATED = re.compile(r"\s*(?:\.{3,}|…)\s*$")


def _repeats_description(text: str, description: str) -> bool:
    line = _norm(text)
    if line == description:
        return True
    cut = _TRUNCATED.sub("", description)
    return cut != description and len(cut) >= DESCRIPTION_MIN_CHARS and line.startswith(cut)


def _is_standfirst(ctx: _Context, line: Block, following: Block) -> bool:
    """Whether the body's first line is the article's standfirst (Ghost's
    `article-excerpt` / `post-full-custom-excerpt`, a theme's subtitle): it repeats the page's
    description, and header lines (byline, date, reading time) stand between it and the next
    line of the body, or it sits in another box than the body's next line. A first paragraph
    that a CMS copied into the description is followed by the next paragraph in the same box,
    so it stays."""
    if len(line.text) < DESCRIPTION_MIN_CHARS:
        return False
    if line.container.getparent() is following.container.getparent() and not any(
        b.index in ctx.consumed or b.has_flag(BYLINE) or b.has_flag(DATE)
        for b in ctx.page.blocks[line.index + 1 : following.index]
    ):
        return False  # the next paragraph follows in the same box: body text
    # a copy opens like the description and is about as long (longer when the description
    # is cut short with an ellipsis): cheap tests before the texts are compared
    found = ctx.structured.first(*_DESCRIPTION_METAS)
    if found is None or len(found[1]) < DESCRIPTION_MIN_CHARS:
        return False
    if found[1][:8].casefold() != line.text[:8].casefold():
        return False
    gap = len(found[1]) - len(line.text)
    if gap > DESCRIPTION_SLACK or (gap < -DESCRIPTION_SLACK and not _TRUNCATED.search(found[1])):
        return False
    return _repeats_description(line.text, _norm(found[1]))


def _jsonld_body(ctx: _Context, found: _Body) -> _Body:
    """Last body stage: JSON-LD `articleBody` when the markup holds no article text (pages
    rendered by scripts that still describe themselves). Paragraphs are its lines; dateline and
    sign-off are cut as from markup. Not used when the markup has text, because `articleBody`
    is often truncated, unparagraphed or escaped HTML."""
    node = ctx.structured.article
    value = node.get("articleBody") if node else None
    if not isinstance(value, str):
        return found
    if "<" in value and ">" in value:
        value = etree.tostring(etree.fromstring(f"<div>{value}</div>", etree.HTMLParser()),
                               method="text", encoding="unicode")
    texts = [clean_text(line) for line in value.splitlines()]
    texts = [t for t in texts if t and not is_body_junk(t)]
    if len(" ".join(texts).split()) < JSONLD_BODY_MIN_WORDS:
        return found
    result = _Body(staff=found.staff, captions=found.captions)
    dateline = parse_dateline(texts[0], outlet_words=ctx.outlet_words)
    if dateline is not None:
        result.dateline = dateline
        texts[0:1] = [dateline.rest] if dateline.rest else []
    signoff = parse_signoff(texts[-1]) if texts else None
    if signoff is not None:
        result.signoff = signoff
        texts[-1:] = [signoff.rest] if signoff.rest else []
    result.text = "\n\n".join(texts) or None
    if result.text:
        ctx.provenance["body"] = "jsonld"
    return result


def _is_label_line(text: str, max_words: int = TRAILING_MAX_WORDS) -> bool:
    return len(text.split()) <= max_words and not text.endswith(_SENTENCE_END)


def _drop_repeats(texts: list[str]) -> list[str]:
    """Drop exact repeats and lines contained in another line (pull quotes, teaser copies).
    The containment check compares every pair, so it runs only up to `REPEAT_CHECK_LINES`."""
    normed = [_norm(t) for t in texts]
    check = len(texts) <= REPEAT_CHECK_LINES
    keep: list[str] = []
    seen: set[str] = set()
    for i, (text, n) in enumerate(zip(texts, normed, strict=True)):
        if n in seen:
            continue
        if check and len(n) >= DUPLICATE_MIN_CHARS and any(
            j != i and len(other) > len(n) and n in other for j, other in enumerate(normed)
        ):
            continue
        seen.add(n)
        keep.append(text)
    return keep


# -- dates --------------------------------------------------------------------------------------


@dataclass
class _DateReading:
    parsed: D.ParsedDate
    stage: str
    block: int | None = None


def _machine(ctx: _Context, value: str | None, stage: str) -> _DateReading | None:
    parsed = D.parse_machine(value, ctx.tz)
    if parsed is None and value:
        parsed = D.parse_date(value, tz=ctx.tz, fetched_at=ctx.fetched_at)
    return _DateReading(parsed, stage) if parsed else None


def _strong_published(ctx: _Context) -> _DateReading | None:
    s = ctx.structured
    for node in (s.article, s.page):
        if node:
            reading = _machine(
                ctx,
                jsonld_text(node, "datePublished") or jsonld_text(node, "dateCreated")
                if node is s.article
                else jsonld_text(node, "datePublished"),
                "jsonld",
            )
            if reading:
                return reading
    for name in STRONG_DATE_METAS:
        found = s.first(name)
        if found:
            reading = _machine(ctx, found[1], "opengraph" if ":" in name else "meta")
            if reading:
                return reading
    for tag, value in s.itemprops.get("datepublished", ()):
        reading = _machine(ctx, value, "time" if tag == "time" else "microdata")
        if reading:
            return reading
    return None


def _weak_published(ctx: _Context) -> _DateReading | None:
    for name in WEAK_DATE_METAS:
        found = ctx.structured.first(name)
        if found:
            reading = _machine(ctx, found[1], "meta")
            if reading:
                return reading
    for name, values in ctx.structured.meta.items():
        if _CUSTOM_PUBLISH_META.search(name) and not _NOT_PUBLISH_META.search(name):
            for value in values:
                reading = _machine(ctx, value, "meta")
                if reading:
                    return reading
    return None


MASTHEAD_NAMES = re.compile(
    r"(?:^|\s)(?:(?:site|top|page|main|global)[_-]?)?(?:header|masthead|topbar|top-bar)(?:$|[\s_-])"
)
"""Class or id words of a page's masthead (`site-header`, `top-header`, `header-nn`,
`masthead`); a masthead that does not hold the title is the site's chrome, not the
article's. Words naming a part first (`date-header`, Blogger's post date above the title;
`entry-header`) are not mastheads."""


TODAY_NAMES = re.compile(r"today|hari[-_]?ini|current[-_]?date|date[-_]?now|sekarang")
"""Class or id words of a 'today's date' widget (`tgl-hari-ini`, `topbar-today-date`)."""


def _in_masthead(ctx: _Context, block: Block) -> bool:
    """Whether a line above the title sits in the site's masthead (a `<header>` or a
    header-classed box that does not contain the title) or in a box named for today's date:
    regional portals print today's date there (`Jumat, 13 Jan 2023`), which is not the
    article's date."""
    if ctx.title_index is None or block.index >= ctx.title_index:
        return False
    title_pos = ctx.page.blocks[ctx.title_index].pos
    el: etree._Element | None = block.container
    while el is not None:
        names = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
        if el.tag == "header" or MASTHEAD_NAMES.search(names) or TODAY_NAMES.search(names):
            span = ctx.page.span(el)
            if span is not None and not span.contains(title_pos):
                return True
        el = el.getparent()
    return False


def _near_title_blocks(ctx: _Context) -> list[Block]:
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


def _visible_published(
    ctx: _Context, hints: list[int], machine_dated: bool = False
) -> _DateReading | None:
    """The date shown by the title: the nearest date line, one with a time preferred; a
    line that is a `<time datetime>` gives its instant (stage `time`) unless the page's
    structured data already dates it (`machine_dated`: the shown text is then what is
    compared with it, see `extract_published`)."""
    if "date" in ctx.selected:
        el = ctx.selected["date"][0]
        value = el.get("datetime") or el.get("content")
        reading = _machine(ctx, value, "profile") if value else None
        if reading is None:
            parsed = D.parse_date(
                _element_text(el), tz=ctx.tz, fetched_at=ctx.fetched_at, year_hints=hints
            )
            reading = _DateReading(parsed, "profile") if parsed else None
        if reading:
            return reading
    best: tuple[tuple[int, int, int], _DateReading] | None = None
    best_text: tuple[tuple[int, int, int], D.ParsedDate] | None = None
    title = ctx.title_index
    candidates = list(_near_title_blocks(ctx))
    seen = {b.index for b in candidates}
    lo = title if title is not None else 0
    hi = ctx.root_last if ctx.root_last is not None else lo + NEAR_TITLE_AFTER
    for b in ctx.page.blocks[lo : hi + 1]:
        if b.index not in seen and b.has_flag(DATE) and not b.has_flag(NAV):
            candidates.append(b)
    candidates.extend(b for b in ctx.footer if b.index not in seen)  # the entry footer's date
    for b in candidates:
        if len(b.text) > VISIBLE_DATE_MAX_CHARS or b.index == title:
            continue
        if b.has_flag(CAPTION) or b.has_flag(MEDIA):
            continue  # `Senin (15/1/2024)` in a photo caption dates the photo, not the page
        if _in_masthead(ctx, b):
            continue  # today's date in the site's header
        if b.link_density > 0.5 and not b.has_flag(DATE):
            continue  # a dated headline link; a date linked to the permalink is fine
        if _MODIFIED_PREFIX.match(b.text):
            continue
        stamp = _stamp_of(ctx, b)
        if stamp is not None and stamp.modified:
            continue  # `<time class="updated">` beside the publication date
        parsed = D.parse_date(b.text, tz=ctx.tz, fetched_at=ctx.fetched_at, year_hints=hints)
        stage = "text"
        if stamp is not None and not machine_dated:
            machine = _stamp_reading(ctx, stamp, parsed)
            if machine is not None:
                parsed, stage = machine, "time"
        if parsed is None:
            continue
        if not (parsed.has_year or parsed.relative or b.has_flag(DATE) or parsed.has_time):
            continue  # `23/5` alone in a line by the title may be anything; with a time or in
            # a date element it is the date (`Selasa (23/5) 10:15 WITA`)
        distance = abs(b.index - title) if title is not None else 0
        key = (0 if parsed.has_time else 1, 0 if b.has_flag(DATE) else 1, distance)
        better = best is None or key < best[0]
        if stage == "text":
            if not (better or best_text is None or key < best_text[0]):
                continue
            if _caption_line(ctx, b):
                continue  # `Warga mengungsi, Kamis (16/11/2023). (Foto: Istimewa)`: the photo's
            if best_text is None or key < best_text[0]:
                best_text = (key, parsed)
        if better:
            best = (key, _DateReading(parsed, stage, b.index))
    if best is None:
        return None
    reading = best[1]
    if reading.stage == "time" and best_text is not None and _ISO_DAY.match(reading.parsed.raw):
        # the stamp shows no date of its own (Blogger's `<abbr title=ISO>10.15</abbr>`):
        # the raw value is the date line readers see, when it names the same day
        shown = best_text[1]
        if reading.parsed.value.astimezone(shown.value.tzinfo).date() == shown.value.date():
            p = reading.parsed
            reading = _DateReading(D.ParsedDate(p.value, shown.raw, p.has_time, p.has_zone),
                                   reading.stage, reading.block)
    return reading


_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")


def _stamp_reading(
    ctx: _Context, stamp: _Stamp, shown: D.ParsedDate | None
) -> D.ParsedDate | None:
    """The instant of a `<time datetime>` shown as a date line, with the shown text as its
    raw value when it names the same day (`16 November 2023`, `3 jam lalu`)."""
    machine = D.parse_machine(stamp.value, ctx.tz)
    if machine is None:
        return None
    raw = machine.raw
    if shown is not None and (
        shown.relative
        or machine.value.astimezone(shown.value.tzinfo).date() == shown.value.date()
    ):
        raw = shown.raw
    return D.ParsedDate(machine.value, raw, machine.has_time, machine.has_zone)


def _caption_line(ctx: _Context, block: Block) -> bool:
    """Whether a short line is a photo caption the walk did not flag: closed by a photo
    credit, or set small or italic under an image (`_image_captions`, over the whole page:
    a lead photo sits between the title and the body, outside the body root)."""
    text = block.text
    if len(text) > CAPTION_MAX_CHARS:
        return False
    if text.endswith(")") and _is_photo_caption(text):
        return True
    if ctx.image_captions is None:
        body = ctx.doc_body
        ctx.image_captions = _image_captions(body) if body is not None else set()
    return text in ctx.image_captions


def _mislabelled_zone(machine: D.ParsedDate, shown: D.ParsedDate) -> bool:
    """A machine date whose wall clock equals the shown one but whose zone differs: the page's
    markup put a `Z` (or another zone) on local time."""
    if not (machine.has_time and shown.has_time and shown.has_zone):
        return False
    a, b = machine.value, shown.value
    same_clock = (a.replace(tzinfo=None) - b.replace(tzinfo=None)).total_seconds()
    return abs(same_clock) < SAME_INSTANT_SECONDS and a.utcoffset() != b.utcoffset()


def _in_outlet_zone(parsed: D.ParsedDate, tz: tzinfo) -> D.ParsedDate:
    """A UTC instant (`...Z`, `+00:00`, common in CMS metadata) written in the outlet's zone:
    the same instant, read the way the outlet's readers see it. Other offsets stay as shown
    (a WIB story on a WITA outlet keeps +07:00)."""
    if parsed.value.utcoffset() != timedelta(0):
        return parsed
    return D.ParsedDate(parsed.value.astimezone(tz), parsed.raw, parsed.has_time, parsed.has_zone,
                        parsed.has_year, parsed.relative)


def _in_shown_zone(parsed: D.ParsedDate, shown: D.ParsedDate) -> D.ParsedDate:
    """A machine instant written in the zone the page shows for the same instant (readers of
    a WITA outlet's page that says `10:15 WIB` see +07:00); unchanged otherwise."""
    if not (shown.has_time and shown.has_zone and not shown.relative):
        return parsed
    if abs((parsed.value - shown.value).total_seconds()) >= SAME_INSTANT_SECONDS:
        return parsed
    if parsed.value.utcoffset() == shown.value.utcoffset():
        return parsed
    return D.ParsedDate(parsed.value.astimezone(shown.value.tzinfo), parsed.raw,
                        parsed.has_time, parsed.has_zone, parsed.has_year, parsed.relative)


def _shown_disagrees(machine: D.ParsedDate, shown: D.ParsedDate) -> bool:
    """The page shows a time with its zone that differs from the machine date by a minute or
    more: the shown one is what readers (and citations) see, so it wins."""
    if not (shown.has_time and shown.has_zone and not shown.relative):
        return False
    return abs((machine.value - shown.value).total_seconds()) >= SAME_INSTANT_SECONDS


def _midnight_placeholder(machine: D.ParsedDate, shown: D.ParsedDate) -> bool:
    """A machine date that holds only a day (`2023-05-23`, or local midnight) while the page
    shows that day with a time of day (`Selasa, 23 Mei 2023 10:15`, no zone): the CMS stored
    a date, the page shows when; the shown time is the reading with more in it."""
    if not shown.has_time or shown.relative:
        return False
    value = machine.value
    if machine.has_time and value.time() != time(0):
        return False
    return value.date() == shown.value.date()


def _relabel(machine: D.ParsedDate, shown: D.ParsedDate) -> D.ParsedDate:
    return D.ParsedDate(
        machine.value.replace(tzinfo=shown.value.tzinfo), machine.raw, True, True, machine.has_year
    )


@dataclass
class _DateReadings:
    strong: _DateReading | None
    weak: _DateReading | None
    visible: _DateReading | None
    url_date: tuple[int, int, int | None] | None
    hints: list[int]


def read_dates(ctx: _Context) -> _DateReadings:
    """Every publication-date reading the page offers (before the body is cut, so the visible
    date line can be left out of it)."""
    url_date = D.date_from_url(ctx.url)
    strong = _strong_published(ctx)
    weak = _weak_published(ctx)
    hints = [r.parsed.value.year for r in (strong, weak) if r is not None]
    if url_date:
        hints.insert(0, url_date[0])
    visible = _visible_published(ctx, hints, machine_dated=strong is not None)
    if visible is not None and visible.block is not None:
        ctx.consumed.add(visible.block)
    return _DateReadings(strong, weak, visible, url_date, hints)


def _day_mention(ctx: _Context, readings: _DateReadings, body_lines: list[str]
                 ) -> D.ParsedDate | None:
    """The first `Selasa (23/5)`-style mention in the opening paragraphs."""
    for line in body_lines[:DAY_MENTION_PARAGRAPHS]:
        parsed = D.parse_day_mention(
            line, tz=ctx.tz, fetched_at=ctx.fetched_at, year_hints=readings.hints
        )
        if parsed is not None:
            return parsed
    return None


def _published_precision(chosen: D.ParsedDate, visible: _DateReading | None) -> str:
    """How much of `published_at` the page gave (see `extract_published`)."""
    if chosen.relative:
        return "relative"
    if not chosen.has_time:
        return "day"
    if visible is not None and not visible.parsed.has_time and not visible.parsed.relative:
        # Metadata at exactly local midnight beside a page that shows only that day: the
        # CMS stores a date, not a time (`2023-05-30T00:00:00+08:00` under `Selasa, 30 Mei
        # 2023`), so the midnight is a placeholder.
        local = chosen.value.astimezone(visible.parsed.value.tzinfo)
        if local.date() == visible.parsed.value.date() and local.time() == time(0):
            return "day"
    return "time"


def extract_published(
    ctx: _Context, readings: _DateReadings, body_lines: list[str]
) -> tuple[str | None, str | None, str | None]:
    """Publication date chain; returns `(published_at, published_raw, published_precision)`.

    1. structured: JSON-LD `datePublished` (article, else page object), OpenGraph
       `article:published_time` and kin, microdata `datePublished` (`<time>`, `<meta>`);
    2. the profile's `date` selector;
    3. the date shown by the title (`text`) when it has a time: the nearest short line that
       parses as a full date; a line that is a `<time datetime>` or an hAtom `<abbr
       class="published" title>` gives its instant (`time`; not one classed `updated` beside
       a `published` one; a line of the article's own footer counts too); a line that is a
       photo caption (credit, small or italic under an image) is never the date;
    4. weak meta names (`pubdate`, `date`, `dateCreated`, ...);
    5. the date shown by the title without a time;
    6. the URL's date path (`url`, day precision);
    7. `Selasa (23/5)` in the first `DAY_MENTION_PARAGRAPHS` paragraphs (`text`, year from the
       URL, other dates on the page, the weekday and the fetch time).

    Checks between stages: when a structured or meta date shows the same wall clock as the
    visible date but another zone (local time labelled `Z`), the visible zone is used; when
    the page shows a time with its zone that differs from the structured date by a minute or
    more, the shown date wins (templates put creation times or mislabelled zones in markup;
    the shown date is what readers cite); a weak meta date on another day than the visible
    date loses to it. A time with no zone takes the outlet's zone. An instant from markup is
    written in the zone the page shows beside it when both name the same instant (metadata in
    UTC under `10:15 WIB` on a WITA outlet's regional edition: +07:00), else a UTC instant is
    written in the outlet's zone. `published_raw` is the visible text when it shows the same
    day, else the chosen value as written.

    `published_precision` says what the instant is worth: `time` when the page gave a time of
    day; `day` when it gave only the date (`published_at` is then midnight in the outlet's zone,
    a placeholder: stage 6, 7, a date-only value, or a machine midnight beside a visible date
    without a time); `relative` when it was computed from `2 jam lalu`, `kemarin` and kin
    against the fetch time (approximate); None with no date.
    """
    strong, weak, visible, url_date = (
        readings.strong,
        readings.weak,
        readings.visible,
        readings.url_date,
    )
    chosen: _DateReading | None = None
    if strong is not None:
        chosen = strong
        if visible is not None and _mislabelled_zone(strong.parsed, visible.parsed):
            chosen = _DateReading(_relabel(strong.parsed, visible.parsed), strong.stage)
        elif visible is not None and (
            _shown_disagrees(strong.parsed, visible.parsed)
            or _midnight_placeholder(strong.parsed, visible.parsed)
        ):
            chosen = visible
    elif visible is not None and (visible.stage == "profile" or visible.parsed.has_time):
        chosen = visible
    elif weak is not None:
        chosen = weak
        if visible is not None:
            if _mislabelled_zone(weak.parsed, visible.parsed):
                chosen = _DateReading(_relabel(weak.parsed, visible.parsed), weak.stage)
            elif (
                weak.parsed.value.astimezone(visible.parsed.value.tzinfo).date()
                != visible.parsed.value.date()
            ):
                chosen = visible
    elif visible is not None:
        chosen = visible
    elif url_date and url_date[2]:
        value = datetime(url_date[0], url_date[1], url_date[2], tzinfo=ctx.tz)
        # The raw value is what a reader sees: the body's `Selasa (30/5)` when it names the
        # same day as the URL, else the URL itself.
        mention = _day_mention(ctx, readings, body_lines)
        raw = mention.raw if mention and mention.value.date() == value.date() else ctx.url
        chosen = _DateReading(D.ParsedDate(value, raw, has_time=False), "url")
    else:
        mention = _day_mention(ctx, readings, body_lines)
        if mention is not None:
            chosen = _DateReading(mention, "text")
    if chosen is None:
        return None, None, None
    ctx.provenance["published_at"] = chosen.stage
    chosen = _DateReading(_in_outlet_zone(chosen.parsed, ctx.tz), chosen.stage, chosen.block)
    if visible is not None and visible is not chosen:
        chosen = _DateReading(_in_shown_zone(chosen.parsed, visible.parsed), chosen.stage,
                              chosen.block)
    raw = chosen.parsed.raw
    if visible is not None and visible is not chosen:
        local = chosen.parsed.value.astimezone(visible.parsed.value.tzinfo)
        if visible.parsed.value.date() == local.date():
            raw = visible.parsed.raw
    return chosen.parsed.iso(), raw, _published_precision(chosen.parsed, visible)


def extract_modified(ctx: _Context) -> str | None:
    """Modification date chain: JSON-LD `dateModified` -> meta `article:modified_time`,
    `og:updated_time`, `dateModified` -> microdata `dateModified` -> a `Diperbarui ...` /
    `Updated ...` line near the title (`text`). A modification time not after the publication
    time (templates copy `datePublished` into `dateModified`) is dropped: it says nothing."""
    s = ctx.structured
    if s.article:
        reading = _machine(ctx, jsonld_text(s.article, "dateModified"), "jsonld")
        if reading:
            return _set(ctx, "modified_at", _in_outlet_zone(reading.parsed, ctx.tz).iso(),
                        reading.stage)
    for name in MODIFIED_METAS:
        found = s.first(name)
        if found:
            reading = _machine(ctx, found[1], "opengraph" if ":" in name else "meta")
            if reading:
                return _set(ctx, "modified_at", _in_outlet_zone(reading.parsed, ctx.tz).iso(),
                        reading.stage)
    for tag, value in s.itemprops.get("datemodified", ()):
        reading = _machine(ctx, value, "time" if tag == "time" else "microdata")
        if reading:
            return _set(ctx, "modified_at", _in_outlet_zone(reading.parsed, ctx.tz).iso(),
                        reading.stage)
    for b in (*_near_title_blocks(ctx), *ctx.footer):
        stamp = _stamp_of(ctx, b) if b.has_flag(DATE) else None  # `<time>` lines have it
        if stamp is not None and stamp.modified and not b.has_flag(CAPTION):
            reading = _machine(ctx, stamp.value, "time")
            if reading:
                ctx.consumed.add(b.index)
                return _set(ctx, "modified_at", _in_outlet_zone(reading.parsed, ctx.tz).iso(),
                            reading.stage)
        if len(b.text) <= VISIBLE_DATE_MAX_CHARS and _MODIFIED_PREFIX.match(b.text):
            parsed = D.parse_date(b.text, tz=ctx.tz, fetched_at=ctx.fetched_at)
            if parsed:
                ctx.consumed.add(b.index)
                return _set(ctx, "modified_at", parsed.iso(), "text")
    return None


# -- people -------------------------------------------------------------------------------------


def _staff_outside(ctx: _Context) -> list[tuple[str, str]]:
    """Staff lines near the article but outside the body root (bylines above, credits below):
    `Label: value` lines and pieces of meta lines, credits without a colon (`Editor Nama`),
    and a bare label line (`Penulis`) with the name on the next line."""
    blocks = ctx.page.blocks
    if ctx.title_index is None and ctx.root_first is None:
        return []
    lo = min(i for i in (ctx.title_index, ctx.root_first) if i is not None)
    lo = max(0, lo - NEAR_TITLE_BEFORE)
    hi = (
        ctx.root_last if ctx.root_last is not None else lo + NEAR_TITLE_AFTER
    ) + STAFF_WINDOW_AFTER
    found: list[tuple[str, str]] = []
    window = blocks[lo : hi + 1]
    for i, b in enumerate(window):
        if (
            ctx.root_first is not None
            and ctx.root_last is not None
            and ctx.root_first <= b.index <= ctx.root_last
        ):
            continue
        if (b.has_flag(NAV) and b.index not in ctx.footer_ids) or len(b.text) > 200:
            continue
        staff = parse_staff(b.text) or parse_unmarked_staff(b.text, ctx.outlet_words)
        role = staff_label(b.text) if not staff else None
        if role is not None and i + 1 < len(window):
            # `<h6>Penulis</h6><a>Nama</a>`: the label's value is the next line
            value = window[i + 1]
            if len(value.text) <= BYLINE_MAX_CHARS and person_names(value.text, ctx.outlet_words):
                staff = [(role, value.text)]
                ctx.consumed.add(value.index)
        if staff:
            found.extend(staff)
            ctx.consumed.add(b.index)
    return found


_BYLINE_BULLET = re.compile(r"\s*[·•]\s*")


def _byline_without_date(ctx: _Context, text: str) -> str | None:
    """A byline that also shows the date (`Nama, Jurnalis · Jum'at, 06 Januari 2023 - 08:30
    WIB`, `Nama Senin, 02 Januari 2023 - 08:30 WIB`): the text with the date cut out and the
    pieces kept apart, None when no date can be read from it."""
    parsed = D.parse_date(text, tz=ctx.tz, fetched_at=ctx.fetched_at)
    if parsed is None or not parsed.raw or parsed.raw not in text:
        return None
    rest = _BYLINE_BULLET.sub(" | ", text.replace(parsed.raw, " | ", 1))
    return None if D.has_date_words(rest) else rest


def _byline_block(ctx: _Context) -> tuple[Block, list[str]] | None:
    """A byline-classed line by the title, else in the article's own footer."""
    for b in (*_near_title_blocks(ctx), *ctx.footer):
        if not b.has_flag(BYLINE) or b.has_flag(MEDIA) or b.has_flag(CAPTION):
            continue
        if len(b.text) > BYLINE_MAX_CHARS or b.index == ctx.title_index:
            continue
        if parse_staff(b.text):
            continue
        text: str | None = b.text
        if D.has_date_words(b.text):
            text = _byline_without_date(ctx, b.text)
            if text is None:
                continue
        names = person_names(text, ctx.outlet_words)
        if names:
            return b, names
    return None


def extract_people(
    ctx: _Context, staff: list[tuple[str, str]], byline: tuple[Block, list[str]] | None
) -> tuple[list[str], str | None, str | None]:
    """Authors, editor and reporter.

    Authors: 1. JSON-LD `author` (people, not organizations); 2. meta `author`, `article:author`
    (not a URL), `dc.creator`, `parsely-author` unless it names the outlet; 3. microdata
    `author`; 4. the profile's `author` selector; 5. staff lines (`Penulis:`, `Pewarta:`,
    `Reporter:`, `Oleh:`, `Fotografer:`; `text`); 6. a byline-classed line by the title
    (`generic`). Names are cleaned (`Kontributor Kota, Nama`, `Nama - detikinet`, `A dan B`).

    Editor: JSON-LD `editor` -> `Editor:`/`Redaktur:` lines -> an `Editor:Nama` keyword.
    Reporter: `Pewarta:`/`Reporter:`/`Wartawan:` lines, `Laporan Wartawan Outlet, Nama`.
    """
    s = ctx.structured
    words = ctx.outlet_words
    roles: dict[str, list[str]] = {}
    for role, value in staff:
        roles.setdefault(role, []).append(value)

    authors: list[str] = []
    stage = None
    if s.article:
        authors = [
            n for raw in jsonld_names(s.article.get("author")) for n in person_names(raw, words)
        ]
        stage = "jsonld"
    if not authors:
        for name in (
            "author",
            "article:author",
            "dc.creator",
            "parsely-author",
            "sailthru.author",
            "byl",
        ):
            found = s.first(name)
            if found and not found[1].startswith(("http://", "https://")):
                authors = person_names(found[1], words)
                if authors:
                    stage = "opengraph" if ":" in name else "meta"
                    break
    if not authors:
        for _, value in s.itemprops.get("author", ()):
            authors = person_names(value, words)
            if authors:
                stage = "microdata"
                break
    if not authors and "author" in ctx.selected:
        for el in ctx.selected["author"]:
            for name in person_names(_element_text(el), words):
                if name not in authors:
                    authors.append(name)
        stage = "profile"
    if not authors:
        for role in ("author", "reporter", "photographer"):
            for value in roles.get(role, ()):
                for name in person_names(value, words):
                    if name not in authors:
                        authors.append(name)
            if authors:
                stage = "text"
                break
    if not authors and byline is not None:
        authors, stage = byline[1], "generic"
    if authors and stage:
        ctx.provenance["authors"] = stage

    editor = None
    if s.article:
        names = [
            n for raw in jsonld_names(s.article.get("editor")) for n in person_names(raw, words)
        ]
        if names:  # an editor `Person` named after the outlet (`Liputan6.com`) is not one
            editor = _set(ctx, "editor", names[0], "jsonld")
    if editor is None and roles.get("editor"):
        editor = _set(ctx, "editor", roles["editor"][0], "text")
    if editor is None and s.article:
        for keyword in jsonld_list(s.article, "keywords"):
            label, _, value = keyword.partition(":")
            if value.strip() and label.strip().lower() in ("editor", "redaktur"):
                editor = _set(ctx, "editor", value.strip(), "jsonld")
                break
    reporter = None
    if roles.get("reporter"):
        reporter = _set(ctx, "reporter", roles["reporter"][0], "text")
    return authors, editor, reporter


# -- small fields -------------------------------------------------------------------------------


def _host_like(value: str) -> bool:
    return " " not in value and "." in value


SECTION_MAX_WORDS = 4
"""A section is named in a word or a few (`Ekonomi`, `Kalimantan Timur`, `Hukum & Kriminal`);
a longer crumb is the headline itself."""

TRAIL_MAX_CHARS = 120
"""A breadcrumb trail is one short line (`Home » Pendidikan`); menus and headline rows are
longer or separated by `|`."""

_HOME_CRUMBS = frozenset({"home", "beranda", "index", "indeks", "halaman utama", "depan"})
_TRAIL_GLUE = re.compile(r"^[\s»›>/→▸:.-]*$")
"""What may stand between the links of a breadcrumb trail (`»`, `>`, `/`, `›`)."""


def _crumb_name(ctx: _Context, name: str, url: str = "") -> str | None:
    """A crumb usable as the section: not the home page, not the article itself, short."""
    norm = _norm(name)
    if not norm or norm in _HOME_CRUMBS or len(name.split()) > SECTION_MAX_WORDS:
        return None
    if ctx.title_text and norm == _norm(ctx.title_text):
        return None
    if url:
        path = urlsplit(urljoin(ctx.url, url)).path
        if path in ("", "/") or path.rstrip("/") == urlsplit(ctx.url).path.rstrip("/"):
            return None
    return name


def _before_title(ctx: _Context, lines: int) -> list[Block]:
    """The lines right above the title (above the body when no title line is known), nearest
    first."""
    anchor = ctx.title_index if ctx.title_index is not None else ctx.root_first
    if anchor is None:
        return []
    return list(reversed(ctx.page.blocks[max(0, anchor - lines) : anchor]))


def _trail_section(ctx: _Context) -> str | None:
    """The last crumb of a breadcrumb trail above the title that no class names: one short
    line of links starting at the home page, joined by `»`, `>` or `/` (`Home » Pendidikan`)."""
    for b in _before_title(ctx, NEAR_TITLE_BEFORE + 2):
        if len(b.link_ids) < 2 or len(b.text) > TRAIL_MAX_CHARS:
            continue
        links = [ctx.page.links[i] for i in b.link_ids]
        if urlsplit(urljoin(ctx.url, links[0].href)).path not in ("", "/"):
            continue
        glue = b.text
        for text in [lk.text for lk in links] + ([ctx.title_text] if ctx.title_text else []):
            glue = glue.replace(text, " ", 1) if text else glue
        if not _TRAIL_GLUE.match(glue):
            continue
        names = [_crumb_name(ctx, lk.text, lk.href) for lk in links[1:]]
        names = [n for n in names if n]
        if names:
            return names[-1]
    return None


def _kicker_section(ctx: _Context) -> str | None:
    """A lone link above the title to the article URL's first path segment (`Peristiwa` ->
    `/peristiwa` over `/peristiwa/speedboat-...`; AMP and mobile variants folded first): the
    section kicker of many templates."""
    segments = [p for p in urlsplit(fold_variants(ctx.url)).path.split("/") if p]
    if len(segments) < 2:
        return None
    host = (urlsplit(ctx.url).hostname or "").lower()
    for b in _before_title(ctx, NEAR_TITLE_BEFORE):
        if len(b.link_ids) != 1 or b.link_density < 0.9 or b.has_flag(NAV):
            continue
        link = ctx.page.links[b.link_ids[0]]
        target = urlsplit(urljoin(ctx.url, link.href))
        if (target.hostname or "").lower() == host and target.path.strip("/") == segments[0]:
            return _crumb_name(ctx, link.text)
    return None


_CUSTOM_SECTION_META = re.compile(r"(?:^|[:_.-])(?:category|kanal|rubrik|channel)$")
"""A CMS's own section metas (`content_Category`, `dtk:kanal`, `category`), read after the
standard ones, in page order."""
_CATEGORY_PATH = re.compile(r"/(?:category|categories|kategori|kanal|rubrik|rubrics?)/[^/?#]+/?$",
                            re.IGNORECASE)
"""Paths of category archive pages (WordPress `/category/ekonomi/`, `/kategori/`, `/kanal/`)."""


def _category_link_section(ctx: _Context) -> str | None:
    """A category link by the title, outside navigation: WordPress themes print the post's
    category as `<a rel="category tag">` above or below the headline whatever the URL looks
    like, and other CMSs link a kicker to a `/kategori/...` archive."""
    if ctx.title_index is None:
        return None
    lo = max(0, ctx.title_index - NEAR_TITLE_BEFORE)
    hi = ctx.title_index + 2
    if ctx.root_first is not None and ctx.root_first > ctx.title_index:
        hi = max(hi, min(ctx.root_first, ctx.title_index + NEAR_TITLE_AFTER))
    for b in (*ctx.page.blocks[lo : hi + 1], *ctx.footer):
        if (b.has_flag(NAV) and b.index not in ctx.footer_ids) or b.index == ctx.title_index:
            continue
        for i in b.link_ids:
            link = ctx.page.links[i]
            anchor = link.element
            rel = (anchor.get("rel") or "").lower().split() if anchor is not None else []
            path = urlsplit(urljoin(ctx.url, link.href)).path
            if "category" in rel or _CATEGORY_PATH.search(path):
                name = _crumb_name(ctx, link.text, link.href)
                if name:
                    return name
    return None


def extract_section(ctx: _Context) -> str | None:
    """Section chain: JSON-LD `articleSection` -> meta `article:section`, `section`,
    `articleSection` -> the profile's `section` selector -> JSON-LD `BreadcrumbList`'s last
    crumb that is neither home nor the article (`jsonld`) -> the breadcrumb's last entry
    before the title (`generic`) -> an unclassed trail above the title (`Home » Pendidikan`,
    `generic`) -> a lone link above the title to the URL's first path segment (`generic`) ->
    a category link by the title (`rel="category"`, `/category/...`; `generic`) -> a CMS's
    own section meta (`content_Category`, `dtk:kanal`, `category`; `meta`: often the channel,
    coarser than what the page shows).
    Host names given as a section are skipped."""
    s = ctx.structured
    if s.article:
        value = jsonld_text(s.article, "articleSection")
        if value and "," in value:
            # Rank Math joins the post's categories: `Ekonomi, Kutai Barat` -> the first
            pieces = [p.strip() for p in value.split(",") if p.strip()]
            if pieces and all(len(p.split()) <= SECTION_MAX_WORDS for p in pieces):
                value = pieces[0]
        if value and not _host_like(value):
            return _set(ctx, "section", value, "jsonld")
    for name in (
        "article:section",
        "section",
        "articlesection",
        "og:article:section",
        "parsely-section",
    ):
        found = s.first(name)
        if found and not _host_like(found[1]):
            return _set(ctx, "section", found[1], "opengraph" if ":" in name else "meta")
    if "section" in ctx.selected:
        text = _element_text(ctx.selected["section"][0])
        if text:
            return _set(ctx, "section", text, "profile")
    crumbs = [c for c in (_crumb_name(ctx, n, u) for n, u in s.breadcrumbs) if c]
    if crumbs:
        return _set(ctx, "section", crumbs[-1], "jsonld")
    title = _norm(ctx.page.blocks[ctx.title_index].text) if ctx.title_index is not None else None
    for link in ctx.page.links:
        flag_el = next(
            (
                f.element
                for f in link.flags
                if f.kind == NAV and "breadcrumb" in (f.element.get("class") or "").lower()
            ),
            None,
        )
        if flag_el is None:
            continue
        crumbs = [
            lk.text
            for lk in ctx.page.links
            if lk.text and any(f.element is flag_el for f in lk.flags)
        ]
        crumbs = [c for c in crumbs if _norm(c) not in ("home", "beranda", "index", title)]
        if crumbs:
            return _set(ctx, "section", crumbs[-1], "generic")
        break
    shown = _trail_section(ctx) or _kicker_section(ctx) or _category_link_section(ctx)
    if shown:
        return _set(ctx, "section", shown, "generic")
    for name, values in s.meta.items():
        if _CUSTOM_SECTION_META.search(name):
            value = values[0].split(",")[0].strip() if values else ""
            if value and not _host_like(value) and len(value.split()) <= SECTION_MAX_WORDS:
                return _set(ctx, "section", value, "meta")
    return None


def extract_tags(ctx: _Context) -> list[str]:
    """Tags chain: JSON-LD `keywords` (`Topic:X` read as X, other `Label:value` entries
    skipped) -> `article:tag` metas -> `news_keywords` -> `keywords` -> tag links on the page
    (`/tag/`, `/topik/` paths after the title; `generic`)."""
    s = ctx.structured
    tags: list[str] = []
    stage = None
    if s.article:
        for keyword in jsonld_list(s.article, "keywords"):
            label, sep, value = keyword.partition(":")
            if sep:
                if label.strip().lower() in ("topic", "topik", "tag", "tags"):
                    tags.append(value.strip())
                continue
            tags.append(keyword)
        stage = "jsonld" if tags else None
    if not tags:
        tags = [clean_text(v) for v in s.meta.get("article:tag", ()) if clean_text(v)]
        stage = "opengraph" if tags else None
    if not tags:
        for name in ("news_keywords", "keywords"):
            found = s.first(name)
            if found:
                tags = [t.strip() for t in re.split(r"[,;]", found[1]) if t.strip()]
                if tags:
                    stage = "meta"
                    break
    if not tags:
        start = ctx.title_index or 0
        for link in ctx.page.links:
            if link.pos < (ctx.page.blocks[start].pos if ctx.page.blocks else 0):
                continue
            if re.search(r"/(?:tag|tags|topik|topic)/", link.href) and link.text:
                tags.append(link.text)
        stage = "generic" if tags else None
    seen: set[str] = set()
    unique = []
    for tag in tags:
        key = tag.casefold()
        if tag and key not in seen:
            seen.add(key)
            unique.append(tag)
    if unique and stage:
        ctx.provenance["tags"] = stage
    return unique[:MAX_TAGS]


def extract_language(ctx: _Context, body: str | None) -> str:
    """Language: the body's own words when they clearly are Indonesian or English (`text`),
    else `<html lang>` / `og:locale` / JSON-LD `inLanguage` / `content-language` (`meta`),
    else the profile's language (`profile`), else `id`. The text wins because templates
    declare a default (`lang="en"` on Indonesian pages)."""
    if body:
        guessed = guess_language(body)
        if guessed:
            return _set(ctx, "language", guessed, "text")
    s = ctx.structured
    declared = s.html_lang
    if not declared and s.article:
        declared = jsonld_text(s.article, "inLanguage")
    if not declared:
        found = s.first("og:locale", "content-language", "language", "dc.language")
        declared = found[1] if found else None
    if declared:
        code = declared.replace("_", "-").split("-")[0].lower()
        if re.fullmatch(r"[a-z]{2,3}", code):
            return _set(ctx, "language", "id" if code == "in" else code, "meta")
    if ctx.profile is not None:
        return _set(ctx, "language", ctx.profile.language, "profile")
    return _set(ctx, "language", "id", "default")


def _declared_url(ctx: _Context) -> tuple[str | None, str]:
    s = ctx.structured
    if s.links.get("canonical"):
        return urljoin(ctx.url, s.links["canonical"]), "canonical"
    found = s.first("og:url")
    if found:
        return urljoin(ctx.url, found[1]), "opengraph"
    if s.article:
        value = jsonld_text(s.article, "url") or jsonld_text(s.article, "mainEntityOfPage")
        if value and value.startswith(("http://", "https://", "/")):
            return urljoin(ctx.url, value), "jsonld"
    return None, "fetched"


_PAGE_HINT = re.compile(r"[?&](?:page|halaman|hal|pg|paging)=\d|/\d{1,2}/?(?:[?#]|$)", re.I)
"""Cheap pre-check on a raw href before it is resolved and read by `urls.page_number`."""


def _next_pages(ctx: _Context, canonical: str, same_outlet: Callable[[str], bool]) -> list[str]:
    """URLs of further parts of a multi-page article: links (and `<link rel=next>`) whose URL
    folds into this article's canonical URL with a higher page number, in page order."""
    found: dict[int, str] = {}
    hrefs = [link.href for link in ctx.page.links if _PAGE_HINT.search(link.href)]
    if ctx.structured.links.get("next"):
        hrefs.append(ctx.structured.links["next"])
    if not hrefs:
        return []  # most pages: no link that could number a part
    current = page_number(ctx.url) or 1
    home = _home_host(ctx.profile)
    targets: set[str] | None = None  # found once a link passes the cheaper tests
    for href in hrefs:
        url = urljoin(ctx.url, repair_href(href))
        number = page_number(url)
        if number is None or number <= current or number in found:
            continue
        if not url.startswith(("http://", "https://")) or not same_outlet(url):
            continue
        if targets is None:
            targets = {canonical, normalize_url(fold_variants(ctx.url, home))}
        if normalize_url(fold_variants(url, home)) in targets:
            found[number] = url.split("#", 1)[0]
    return [found[n] for n in sorted(found)]


def _home_host(profile: SiteProfile | None) -> str | None:
    return urlsplit(profile.homepage).netloc.lower() if profile is not None else None


def _captions(ctx: _Context, from_body: list[str]) -> list[str]:
    """Captions: caption-flagged lines in the body root plus those between the title and the
    body's end (figure captions, `caption`/`keterangan` classes, short text in a photo box)."""
    out = list(from_body)
    if ctx.root_last is None:
        return out
    lo = ctx.title_index if ctx.title_index is not None else (ctx.root_first or 0)
    for b in ctx.page.blocks[lo : ctx.root_last + 1]:
        if b.index == ctx.title_index or b.link_density > 0.5 or len(b.text) > 400:
            continue
        if b.has_flag(CAPTION):
            out.append(b.text)
        elif ctx.root_first is not None and b.index < ctx.root_first and _caption_line(ctx, b):
            out.append(b.text)  # a lead photo's credit line between the title and the body
        elif b.has_flag(MEDIA):
            media = b.flag_element(MEDIA)
            if media is not None and media.find(".//img") is not None and len(b.text.split()) >= 3:
                out.append(b.text)
    seen: set[str] = set()
    unique = []
    for text in out:
        if text not in seen:
            seen.add(text)
            unique.append(text)
    return unique


# -- the entry points ---------------------------------------------------------------------------


def _parse(text: str) -> etree._Element | None:
    if not text.strip():
        return None
    parser = etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True
    )
    try:
        doc = etree.fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return doc


def _empty_result(url: str, canonical: str) -> dict[str, Any]:
    result: dict[str, Any] = dict.fromkeys(RESULT_KEYS)
    result.update(
        url=canonical,
        fetched_url=url,
        authors=[],
        tags=[],
        captions=[],
        related=[],
        next_pages=[],
        word_count=0,
        provenance={},
    )
    return result


def extract_article(
    html: bytes | str,
    url: str,
    *,
    profile: SiteProfile | None = None,
    fetched_at: datetime | None = None,
    encoding: str | None = None,
) -> dict[str, Any]:
    """Read one article page into the item's fields (keys: `RESULT_KEYS`).

    `html` is the page as fetched (bytes: decoded by `encoding.decode_html`, honouring a BOM,
    `encoding` (the HTTP charset) and the page's own declaration, checked against the bytes);
    `url` the URL it was fetched from; `profile` the outlet's profile (timezone, selectors,
    domains); `fetched_at` anchors relative dates and missing years (default: now). Without a
    profile the zone is WIB (Asia/Jakarta) unless the page shows one, and "same outlet" means
    the same host as `url`.
    """
    fetched = fetched_at or datetime.now(UTC)
    if fetched.tzinfo is None:
        fetched = fetched.replace(tzinfo=UTC)
    text = html if isinstance(html, str) else decode_html(html, encoding)[0]
    owns = profile.owns if profile is not None else None
    home = _home_host(profile)
    doc = _parse(strip_invisible(text))
    if doc is None:
        return _empty_result(url, canonical_url(url, owns=owns, home_host=home))

    structured = read_structured(doc)
    selected = _apply_profile(doc, profile)
    track = frozenset(el for els in selected.values() for el in els)
    page = walk(doc, track)
    site_name = structured.first("og:site_name")
    ctx = _Context(
        url=url,
        structured=structured,
        page=page,
        profile=profile,
        tz=D.zone(profile.timezone if profile is not None else None),
        fetched_at=fetched,
        outlet_words=_outlet_words(url, profile, site_name[1] if site_name else None),
        selected=selected,
        doc_body=doc.find("body"),
    )

    if structured.too_deep:  # a JSON-LD block skipped, the rest of the page read
        ctx.provenance["jsonld"] = "skipped_too_deep"
    declared, url_stage = _declared_url(ctx)
    canonical = canonical_url(url, declared, owns=owns, home_host=home)
    if declared is None or canonical != canonical_url(declared, owns=owns, home_host=home):
        url_stage = "fetched"
    ctx.provenance["url"] = url_stage

    _choose_body_root(ctx)  # first: it decides which wrappers' flags are layout words
    title = ctx.title_text = _without_kicker(ctx, extract_title(ctx))
    _unflag_title_boxes(ctx)
    _article_footer(ctx)
    # lines read as fields before the body is cut, so they are left out of it
    modified_at = extract_modified(ctx)
    readings = read_dates(ctx)
    staff_outside = _staff_outside(ctx)
    byline = _byline_block(ctx)
    if byline is not None:
        ctx.consumed.add(byline[0].index)
    body = extract_body(ctx, title)
    if not body.text:
        body = _jsonld_body(ctx, body)
    authors, editor, reporter = extract_people(ctx, body.staff + staff_outside, byline)
    published_at, published_raw, published_precision = extract_published(
        ctx, readings, body.text.split("\n\n") if body.text else []
    )
    if modified_at and published_at and (
        not _later(modified_at, published_at)
        or (readings.strong is not None and not _later(modified_at, readings.strong.parsed.iso()))
    ):
        # `dateModified` = `datePublished` (also when the shown date corrected the markup's
        # zone: the copy carries the same wrong zone): never modified
        modified_at = None
        ctx.provenance.pop("modified_at", None)

    if body.dateline is not None and body.dateline.place:
        ctx.provenance["dateline"] = "text"
    if body.signoff is not None:
        ctx.provenance["signoff"] = "text"
    if not body.text:
        ctx.provenance.pop("body", None)
    language = extract_language(ctx, body.text)

    page_host = (urlsplit(url).hostname or "").lower()

    def same_outlet(link: str) -> bool:
        if profile is not None:
            return profile.owns(link)
        return (urlsplit(link).hostname or "").lower() == page_host

    def canon(link: str) -> str:
        # remembered between pages by `canonical_url` (headline boxes repeat their links)
        return canonical_url(link, home_host=home)

    finder = RelatedFinder(
        page,
        base_url=url,
        same_outlet=same_outlet,
        canonical=canon,
        self_urls={canonical, canon(url)},
    )
    finder.labelled_boxes()
    finder.inline_lines()
    finder.above_title(ctx.title_index)
    finder.related_regions()
    if "related" in selected:
        finder.from_elements(selected["related"])
    related = finder.result()
    if related:
        ctx.provenance["related"] = "profile" if "related" in selected else "generic"

    result = _empty_result(url, canonical)
    result.update(
        title=title,
        published_at=published_at,
        published_raw=published_raw,
        published_precision=published_precision,
        modified_at=modified_at,
        dateline=body.dateline.place.upper() if body.dateline and body.dateline.place else None,
        dateline_raw=body.dateline.raw if body.dateline else None,
        authors=authors,
        editor=editor,
        reporter=reporter,
        signoff=body.signoff.code if body.signoff else None,
        signoff_raw=body.signoff.raw if body.signoff else None,
        section=extract_section(ctx),
        tags=extract_tags(ctx),
        language=language,
        body=body.text,
        captions=_captions(ctx, body.captions),
        related=related,
        next_pages=_next_pages(ctx, canonical, same_outlet),
        word_count=len(body.text.split()) if body.text else 0,
        provenance=dict(sorted(ctx.provenance.items())),
    )
    return result


def _later(a: str, b: str) -> bool:
    """Whether instant `a` is after instant `b` by at least `SAME_INSTANT_SECONDS`."""
    delta = datetime.fromisoformat(a) - datetime.fromisoformat(b)
    return delta.total_seconds() >= SAME_INSTANT_SECONDS


def merge_parts(first: dict[str, Any], parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Stitch a multi-page article: the first part's fields, every part's body in order
    (paragraphs a later part repeats from an earlier one dropped), related links from all
    parts (page order, collapsed by URL, positions renumbered), captions and tags joined."""
    merged = dict(first)
    paragraphs: list[str] = (first.get("body") or "").split("\n\n") if first.get("body") else []
    seen = {_norm(p) for p in paragraphs if len(p) >= DUPLICATE_MIN_CHARS}
    related = list(first.get("related") or [])
    captions = list(first.get("captions") or [])
    tags = list(first.get("tags") or [])
    count = 1
    for part in parts:
        count += 1
        for paragraph in (part.get("body") or "").split("\n\n"):
            key = _norm(paragraph)
            if not paragraph or (len(paragraph) >= DUPLICATE_MIN_CHARS and key in seen):
                continue
            seen.add(key)
            paragraphs.append(paragraph)
        related.extend(part.get("related") or [])
        captions.extend(c for c in part.get("captions") or [] if c not in captions)
        tags.extend(t for t in part.get("tags") or [] if t not in tags)
        if not merged.get("signoff") and part.get("signoff"):
            merged["signoff"], merged["signoff_raw"] = part.get("signoff"), part.get("signoff_raw")
        for key in ("editor", "reporter"):
            if not merged.get(key) and part.get(key):
                merged[key] = part[key]
    urls: set[str] = set()
    collapsed: list[dict[str, Any]] = []
    for link in related:
        if link.get("url") in urls:
            continue
        urls.add(link.get("url"))
        collapsed.append({**link, "position": len(collapsed)})
    body = "\n\n".join(paragraphs) or None
    merged.update(
        body=body,
        related=collapsed,
        captions=captions,
        tags=tags,
        next_pages=[],
        word_count=len(body.split()) if body else 0,
    )
    return merged
