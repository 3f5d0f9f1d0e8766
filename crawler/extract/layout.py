"""Where the article sits on the page, decided before the field chains read it: the body
root (`choose_body_root`), a hero photo box holding the title (`unflag_title_boxes`), the
article's own footer (`find_article_footer`) and the site's masthead (`in_masthead`)."""

from __future__ import annotations

import re

from lxml import etree

from crawler.extract.body import choose_root, root_parts
from crawler.extract.context import STAFF_WINDOW_AFTER, Context
from crawler.extract.page import CAPTION, MEDIA, NAV, Block


def unflag_title_boxes(ctx: Context) -> None:
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


def find_article_footer(ctx: Context) -> None:
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


def choose_body_root(ctx: Context) -> None:
    """Body chain: 1. the profile's `body` selector (first match holding text, `profile`);
    2. the density rules of `body.choose_root` (`generic`); 3. when neither gives text, the
    JSON-LD `articleBody` (`jsonld`, see `jsonld_body` for why it comes last).

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
    if stage == "generic":
        ctx.root_parts = tuple(root_parts(page, root))
    # The article's own wrappers are not navigation, sidebars or date boxes whatever their
    # class says (`main right-sidebar`, `post status-publish`): their flags would otherwise
    # hide the title, the date line and the byline from every field chain.
    page.unflag({root, *root.iterancestors()})

MASTHEAD_NAMES = re.compile(
    r"(?:^|\s)(?:(?:site|top|page|main|global)[_-]?)?(?:header|masthead|topbar|top-bar)(?:$|[\s_-])"
)
"""Class or id words of a page's masthead (`site-header`, `top-header`, `header-nn`,
`masthead`); a masthead that does not hold the title is the site's chrome, not the
article's. Words naming a part first (`date-header`, Blogger's post date above the title;
`entry-header`) are not mastheads."""


TODAY_NAMES = re.compile(r"today|hari[-_]?ini|current[-_]?date|date[-_]?now|sekarang")
"""Class or id words of a 'today's date' widget (`tgl-hari-ini`, `topbar-today-date`)."""


def in_masthead(ctx: Context, block: Block) -> bool:
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

