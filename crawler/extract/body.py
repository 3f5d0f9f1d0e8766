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

Other parts (`root_parts`): boxes of the root's own tag and class a few levels up (an article
split by ads and photos into text widgets), read with the root in page order.

Cutting the text (`extract_body`, the body chain's stages are in `layout.choose_body_root`):
the root's lines without captions, related lines, staff lines, junk and repeats, with the
dateline and the sign-off taken out as fields; `jsonld_body` when the markup holds no text;
last, after the second opinion, the standfirst above the root (`with_standfirst`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field

from lxml import etree

from crawler.extract.captions import CAPTION_MAX_CHARS, captions_under_images, is_photo_caption
from crawler.extract.context import Context, comparable
from crawler.extract.indonesian import (
    Dateline,
    Signoff,
    inline_related_prefix,
    is_body_junk,
    is_related_label,
    parse_dateline,
    parse_signoff,
    parse_staff,
)
from crawler.extract.page import (
    BOILER,
    BYLINE,
    CAPTION,
    DATE,
    NAV,
    RELATED,
    Block,
    Page,
    class_flag,
    tag_flag,
)
from crawler.extract.structured import one_line

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
_SENTENCE_END = (".", "!", "?", '"', "”", "’", "'", ")", "…",
                  "。", "！", "？", "」")  # CJK full stops close sentences too


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


def _is_paragraph(block: Block, block_scores: list[float] | None) -> bool:
    return (
        (block_scores[block.index] if block_scores is not None else block_score(block)) > 0
        and len(block.text) >= MIN_SIBLING_PARAGRAPH_CHARS
        and block.text.endswith(_SENTENCE_END)
    )


PART_MAX_LEVELS = 4
"""How far up from the root the article's other parts are looked for: an article split by
ads or photos into boxes of one kind (`<div class="text">` in each of a row of widgets,
a column per part) has them as siblings or cousins a few levels up; further away, a box of
the same kind is another story."""


def _region_kinds(el: etree._Element, top: etree._Element) -> set[str]:
    """The region flags that `el` and its ancestors below `top` set (tag and class names),
    and `article` when one of them is an `<article>`."""
    kinds: set[str] = set()
    node: etree._Element | None = el
    while node is not None and node is not top:
        if node.tag == "article":
            kinds.add("article")  # a composition of its own: another story, a comment
        kind = tag_flag(node) or (class_flag(node) if node.tag not in ("html", "body") else None)
        if kind is not None:
            kinds.add(kind)
        node = node.getparent()
    return kinds


MAX_PARTS = 40
"""More boxes of the root's kind than this are a list (of teasers, of comments), not one
article in parts; it also bounds the work on a hostile page of thousands of such boxes."""


def _blocks_of(page: Page, el: etree._Element) -> list[Block]:
    """`page.blocks_in(el)` by bisection (blocks are in walk order): one element's lines
    without a scan of the whole page."""
    span = page.span(el)
    if span is None:
        return []
    blocks = page.blocks
    lo = bisect_left(blocks, span.start, key=lambda b: b.pos)
    hi = bisect_left(blocks, span.end, lo=lo, key=lambda b: b.pos)
    return blocks[lo:hi]


def root_parts(page: Page, root: etree._Element) -> list[etree._Element]:
    """Other parts of the article the root is one part of: elements of the root's tag and
    class (`PART_MAX_LEVELS` up at most, the nearest level holding any, `MAX_PARTS` at most)
    that hold a real paragraph and sit in no region the root's own box does not (a comment
    or a teaser box reusing the class stays out) nor in an `<article>` of their own (the next
    story of an endless-scroll page). A root without a class has no parts."""
    names = root.get("class")
    if not names or not names.strip() or not isinstance(root.tag, str):
        return []
    top = root
    for _ in range(PART_MAX_LEVELS):
        parent = top.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        top = parent
        # descendants of the root's tag and exact class (a loop: a fifth of the time of the
        # XPath `descendant::*[name() = $tag and @class = $names]`)
        twins = [el for el in top.iterdescendants(root.tag)
                 if el.get("class") == names and el is not root]
        if not twins:
            continue
        if len(twins) > MAX_PARTS:
            return []
        allowed = _region_kinds(root, top) - {"article"}
        ancestors = set(root.iterancestors())
        out = []
        for el in twins:
            if el in ancestors or any(a is root for a in el.iterancestors()):
                continue
            if not _region_kinds(el, top) <= allowed:
                continue
            if any(_is_paragraph(b, None) for b in _blocks_of(page, el)):
                out.append(el)
        return out
    return []


def root_blocks(page: Page, root: etree._Element) -> list[Block]:
    """Blocks inside `root`, in reading order."""
    return page.blocks_in(root)


def is_excluded(block: Block, root_depth: int) -> str | None:
    """Why a block inside the root is not article text (`caption`, `related`, `boiler`,
    `nav`, `links`), or None when it may be."""
    for flag in block.flags:
        if flag.depth > root_depth and flag.kind in (CAPTION, RELATED, BOILER, NAV):
            if flag.kind == BOILER and block.heading and flag.element is block.container:
                continue  # `<h2 class="widget-title">`: a subhead styled as a widget's
            return flag.kind
    if block.link_density > MAX_BODY_LINK_DENSITY:
        return "links"
    return None


# -- the body chain: cutting the root's lines into paragraphs ----------------------------------

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

_LINE_END = (".", "!", "?", '"', "”", "’", "'", ")", "…", "]",
             "。", "！", "？", "」")  # CJK full stops close sentences too


@dataclass
class BodyParts:
    """What the body chain gives: the text, and the fields cut from it or found in it."""

    text: str | None = None
    dateline: Dateline | None = None
    signoff: Signoff | None = None
    staff: list[tuple[str, str]] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)


def extract_body(ctx: Context, title: str | None) -> BodyParts:
    """The body's paragraphs, with the Indonesian parts taken out as fields.

    Lines of the body root, in order, minus: lines in caption / related / boilerplate regions
    below the root and link lists (`body.is_excluded`); the title line and the date and byline
    lines already read; `Baca Juga:` lines and related-box labels; staff lines (`Editor:`,
    `Penulis:`, ...); junk lines (copyright, follow-us, syndication notes); a pull quote that
    repeats a paragraph. Then the dateline is cut from the first line, the sign-off from the
    last, and short non-sentence lines (labels, buttons) trimmed from both ends.
    """
    result = BodyParts()
    if ctx.root is None:
        return result
    page = ctx.page
    span = page.span(ctx.root)
    assert span is not None
    title_norm = comparable(title) if title else None
    # the whole page's set when a date line already asked for it (it holds the root's)
    image_captions = (
        ctx.image_captions if ctx.image_captions is not None else captions_under_images(ctx.root)
    )
    lines: list[Block] = []
    blocks = page.blocks_in(ctx.root)
    depth = dict.fromkeys((b.index for b in blocks), span.depth)
    for part in ctx.root_parts:  # the article's other parts, in page order with the root's
        part_span = page.span(part)
        if part_span is not None:
            for b in _blocks_of(page, part):
                depth.setdefault(b.index, part_span.depth)
    if len(depth) > len(blocks):
        blocks = [page.blocks[i] for i in sorted(depth)]
    for block in blocks:
        if block.index in ctx.consumed:
            continue
        text = block.text
        if block.heading and (
            block.index == ctx.title_index or (title_norm and comparable(text) == title_norm)
        ):
            continue
        why = is_excluded(block, depth[block.index])
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
            is_photo_caption(text) or (image_captions and text in image_captions)
        ):
            result.captions.append(text)  # `<img><br><em>Warga antre ... (Foto: Istimewa)</em>`
            continue
        if is_body_junk(text):
            continue
        lines.append(block)

    standfirst: list[str] = []  # set aside while the dateline is read, then put back
    while len(lines) > 1 and _is_standfirst(ctx, lines[0], lines[1]):
        standfirst.append(lines.pop(0).text)
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
    if texts:
        texts[:0] = [t for t in standfirst if not restates(t, texts[0])]
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
    line = comparable(text)
    if line == description:
        return True
    cut = _TRUNCATED.sub("", description)
    return cut != description and len(cut) >= DESCRIPTION_MIN_CHARS and line.startswith(cut)


def _is_standfirst(ctx: Context, line: Block, following: Block) -> bool:
    """Whether the body's first line is the article's standfirst (Ghost's
    `article-excerpt` / `post-full-custom-excerpt`, a theme's subtitle): it repeats the page's
    description, and header lines (byline, date, reading time) stand between it and the next
    line of the body, or it sits in another box than the body's next line. A first paragraph
    that a CMS copied into the description is followed by the next paragraph in the same box.
    A standfirst stays in the body, first (publishers and readers read it as the article's
    opening; 100 of the devset's 201 tune pages hold it in their truth), unless it restates
    the first paragraph (`restates`); the dateline is read from the paragraph after it."""
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
    return _repeats_description(line.text, comparable(found[1]))


RESTATE_SHARE = 0.85
"""A standfirst that shares this much of its words (of four letters or more) with the body's
first paragraph restates it (Ghost's custom excerpt written from the lead): the body would
say the same twice, so it stays out. Standfirsts that add to the article share 0 to 0.5 of
their words on the devset's tune pages (a few up to 0.8); the restating excerpts 0.89 and
more."""
_LONG_WORD = re.compile(r"\w{4,}")


def restates(standfirst: str, paragraph: str) -> bool:
    """Whether `standfirst` restates `paragraph` (`RESTATE_SHARE`)."""
    mine = set(_LONG_WORD.findall(standfirst.casefold()))
    if not mine:
        return False
    theirs = set(_LONG_WORD.findall(paragraph.casefold()))
    return len(mine & theirs) >= RESTATE_SHARE * len(mine)


LEDE_MAX_GAP = 15
"""The standfirst sits under the headline: at most this many lines below the title (a kicker,
the byline, the date, a share bar, a photo and its caption between them)."""
LEDE_CHECK_LINES = 3
"""A standfirst already among the body's first lines is not added again."""


def _copies_description(text: str, description: str) -> bool:
    """Whether a line is the page's description (as `_repeats_description`), with the cheap
    tests first: it opens like the description and is about as long."""
    if description[:8].casefold() != text[:8].casefold():
        return False
    gap = len(description) - len(text)
    if gap > DESCRIPTION_SLACK or (gap < -DESCRIPTION_SLACK and not _TRUNCATED.search(description)):
        return False
    return _repeats_description(text, comparable(description))


def standfirst_above(ctx: Context) -> Block | None:
    """The article's standfirst when it sits between the title and the body root: the first
    line (not the title, not a date or byline line already read, in no navigation, related,
    caption or boilerplate region, not a link list) at most `LEDE_MAX_GAP` lines below the
    title that repeats the page's description. Publishers write it as the article's first
    paragraph (`<p class="lead">`, `article-summary`, a teaser box in the header), and
    readers read it so; the description metas say which line it is."""
    if ctx.title_index is None or ctx.root_first is None or ctx.root_first <= ctx.title_index:
        return None
    found = ctx.structured.first(*_DESCRIPTION_METAS)
    if found is None or len(found[1]) < DESCRIPTION_MIN_CHARS:
        return None
    hi = min(ctx.root_first, ctx.title_index + 1 + LEDE_MAX_GAP)
    for block in ctx.page.blocks[ctx.title_index + 1 : hi]:
        if (block.index in ctx.consumed or block.heading == 1
                or len(block.text) < DESCRIPTION_MIN_CHARS
                or block.link_density > MAX_BODY_LINK_DENSITY
                or any(f.kind in (NAV, RELATED, CAPTION, BOILER) for f in block.flags)):
            continue
        if _copies_description(block.text, found[1]):
            return block
    return None


def with_standfirst(ctx: Context, found: BodyParts) -> BodyParts:
    """Last body stage: the standfirst above the body root (`standfirst_above`) opens the
    body, unless the body already opens with it or with a paragraph it restates
    (`restates`), or came from the profile's selector or JSON-LD. It runs after the second
    opinion, which compares the two readings of the root without it."""
    if not found.text or ctx.provenance.get("body") in ("profile", "jsonld"):
        return found
    lede = standfirst_above(ctx)
    if lede is None:
        return found
    want = comparable(lede.text)
    paragraphs = found.text.split("\n\n")
    if any(comparable(p) == want for p in paragraphs[:LEDE_CHECK_LINES]):
        return found
    if restates(lede.text, paragraphs[0]):
        return found
    found.text = f"{lede.text}\n\n{found.text}"
    return found


def jsonld_body(ctx: Context, found: BodyParts) -> BodyParts:
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
    texts = [one_line(line) for line in value.splitlines()]
    texts = [t for t in texts if t and not is_body_junk(t)]
    if len(" ".join(texts).split()) < JSONLD_BODY_MIN_WORDS:
        return found
    result = BodyParts(staff=found.staff, captions=found.captions)
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
    return len(text.split()) <= max_words and not text.endswith(_LINE_END)


def _drop_repeats(texts: list[str]) -> list[str]:
    """Drop exact repeats and lines contained in another line (pull quotes, teaser copies).
    The containment check compares every pair, so it runs only up to `REPEAT_CHECK_LINES`."""
    normed = [comparable(t) for t in texts]
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


