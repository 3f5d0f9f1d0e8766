"""The article text: which element holds it (density rules), and which of its lines are
article paragraphs.

Choosing the element (`choose_root`), readability-style but on the walk's blocks:

1. every block of prose (at least `MIN_SCORED_CHARS`, link density at most
   `MAX_SCORED_LINK_DENSITY`, not a heading) scores its characters outside links, halved when it
   does not end like a sentence and cut to `BOILER_WEIGHT` inside boilerplate regions
   (comments, share bars, navigation);
2. the score goes to the paragraph's holder (the `<p>`'s parent, or the element holding loose
   text between `<br>`s) in full and to the holder's parent by `PARENT_SHARE`, so an article
   split over sibling `<div>`s (multi-part templates) lifts their common parent;
3. the highest-scoring element is the body root, widened to its parent while the parent's other
   children hold a real share of prose (`SIBLING_MIN_SHARE`): an article split over sibling
   elements.

Keeping lines (`body_lines`): blocks inside the root, in order, minus those inside a
boilerplate, navigation, caption or related region *below* the root, link lists (link density
above `MAX_BODY_LINK_DENSITY`), and headings that repeat the title.
"""

from __future__ import annotations

from collections import defaultdict

from lxml import etree

from crawler.extract.page import BOILER, CAPTION, NAV, RELATED, Block, Page

MIN_SCORED_CHARS = 25
"""Shorter blocks (labels, dates, button text) say nothing about where the prose is."""

MAX_SCORED_LINK_DENSITY = 0.5
"""Blocks that are mostly link text are menus and headline lists, not prose."""

MAX_BODY_LINK_DENSITY = 0.6
"""Inside the chosen root, a line with more link text than this is a link list or a `Baca
juga` teaser; article paragraphs with a linked name or tag stay well under it."""

BOILER_WEIGHT = 0.2
"""Prose inside comment sections, share bars and navigation counts a fifth: reader comments
can outweigh a short article, but should never win over one."""

PARENT_SHARE = 0.5
"""Share of a holder's score passed to its parent (readability's classic weighting)."""

NON_SENTENCE_WEIGHT = 0.5
"""Blocks not ending with sentence punctuation (teasers, labels) count half."""

SIBLING_MIN_SHARE = 0.25
"""The root widens to its parent when the parent's other prose is at least a quarter of the
root's: a lede or a few paragraphs in sibling elements, not a stray caption."""

MIN_SIBLING_PARAGRAPH_CHARS = 80
"""...and when that other prose includes a real paragraph (a sentence or more)."""

MAX_EXPAND_LEVELS = 3

_PARAGRAPH_TAGS = frozenset(
    {
        "p",
        "blockquote",
        "pre",
        "li",
        "dd",
        "dt",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "span",
        "font",
        "center",
    }
)
_SENTENCE_END = (".", "!", "?", '"', "”", "’", "'", ")", "…")


def _holder(el: etree._Element) -> etree._Element:
    if el.tag in _PARAGRAPH_TAGS:
        parent = el.getparent()
        if parent is not None:
            if el.tag == "li" and parent.tag in ("ul", "ol") and parent.getparent() is not None:
                return parent.getparent()
            return parent
    return el


def block_score(block: Block) -> float:
    """How much a block says "article prose is here" (0 for non-prose; see module doc)."""
    n = len(block.text)
    if n < MIN_SCORED_CHARS or block.heading:
        return 0.0
    density = block.link_chars / n
    if density > MAX_SCORED_LINK_DENSITY:
        return 0.0
    score = n * (1.0 - density)
    if not block.text.endswith(_SENTENCE_END):
        score *= NON_SENTENCE_WEIGHT
    for flag in block.flags:
        if flag.kind in (CAPTION, RELATED):
            return 0.0
        if flag.kind in (BOILER, NAV):
            score *= BOILER_WEIGHT
            break
    return score


def choose_root(page: Page) -> etree._Element | None:
    """The element holding the article's prose (see module doc), or None for a page without
    any prose block."""
    scores: dict[etree._Element, float] = defaultdict(float)
    block_scores: list[float] = []
    for block in page.blocks:
        score = block_score(block)
        block_scores.append(score)
        if not score:
            continue
        holder = _holder(block.container)
        scores[holder] += score
        parent = holder.getparent()
        if parent is not None:
            scores[parent] += score * PARENT_SHARE
    if not scores:
        return None
    root = max(scores.items(), key=lambda item: item[1])[0]
    return _expand(page, root, block_scores)


def _expand(page: Page, root: etree._Element, block_scores: list[float]) -> etree._Element:
    """Widen the root to its parent while the parent's other children hold real prose: a
    paragraph right before or after the root's own (a lede as the parent's loose text), or
    at least `SIBLING_MIN_SHARE` of the root's prose (one `<div>` per paragraph next to a
    `<div>` of `<br>`-separated paragraphs)."""
    for _ in range(MAX_EXPAND_LEVELS):
        parent = root.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        outer, inner = page.span(parent), page.span(root)
        if outer is None or inner is None:
            break
        own = extra = 0.0
        first = last = None
        for block in page.blocks:
            if not outer.start <= block.pos < outer.end:
                continue
            if inner.start <= block.pos < inner.end:
                own += block_scores[block.index]
                first = block.index if first is None else first
                last = block.index
            else:
                extra += block_scores[block.index]
        if first is None or last is None:
            break
        adjacent = [
            i
            for i in (first - 1, last + 1)
            if 0 <= i < len(page.blocks)
            and outer.start <= page.blocks[i].pos < outer.end
            and _is_paragraph(page.blocks[i], block_scores)
        ]
        if not adjacent and extra < SIBLING_MIN_SHARE * own:
            break
        if not adjacent and not any(
            _is_paragraph(b, block_scores)
            for b in page.blocks
            if outer.start <= b.pos < outer.end and not inner.start <= b.pos < inner.end
        ):
            break
        root = parent
    return root


def _is_paragraph(block: Block, block_scores: list[float]) -> bool:
    return (
        block_scores[block.index] > 0
        and len(block.text) >= MIN_SIBLING_PARAGRAPH_CHARS
        and block.text.endswith(_SENTENCE_END)
    )


def root_blocks(page: Page, root: etree._Element) -> list[Block]:
    """Blocks inside `root`, in reading order."""
    return page.blocks_in(root)


def is_excluded(block: Block, root_depth: int) -> str | None:
    """Why a block inside the root is not article text (`caption`, `related`, `boiler`,
    `nav`, `links`), or None when it may be."""
    for flag in block.flags:
        if flag.depth > root_depth and flag.kind in (CAPTION, RELATED, BOILER, NAV):
            return flag.kind
    if block.link_density > MAX_BODY_LINK_DENSITY:
        return "links"
    return None
