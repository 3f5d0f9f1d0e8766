"""A second opinion on the body, from trafilatura, when warta's own candidate is in doubt.

warta's density rules (`body.choose_root`) read the templates they were written for almost
perfectly, but on a template they have never seen they can pick the wrong box: a teaser, one
part of an article split over several boxes, a comment thread. Then a proven, maintained
extractor is asked too, and the page's own evidence decides between the two candidates. No
rule here names an outlet.

The chain, after warta's body chain (`core.extract_body`, `core._jsonld_body`):

1. `in_doubt`: is warta's candidate worth a second look? (Never when the outlet's profile
   names the body's element: that selector was written by someone who read the pages.)
   Only then is trafilatura imported and run (it costs about twice warta's whole
   extraction), so the crawl stays fast on the templates warta knows.
   A body far shorter than the JSON-LD `articleBody` the page declares is in doubt too.
2. `trafilatura_lines`: trafilatura's own chain (`bare_extraction`, no comments), one line
   per paragraph: its fast chain, then, when the doubt says the article is elsewhere
   (`UNSEEN_TEXT_REASONS`), its full chain (readability and jusText fallbacks) if the fast
   one is too short to be an article (`needs_full_chain`).
3. `matched_blocks`: trafilatura's lines are found again among warta's own lines of the page,
   and warta's body cleaning (`core.extract_body`) runs over those lines only: datelines,
   sign-offs, `Baca Juga` lines, staff lines, captions and related headlines still leave the
   body, whichever candidate wins. When warta's walk cannot see most of trafilatura's text
   and the doubt says the article is elsewhere (`UNSEEN_TEXT_REASONS`), trafilatura's lines
   cleaned by warta's line rules (`clean_lines`) are the candidate.
4. `prefer_second`: the decision, by agreement of the two texts and their size (see its
   docstring and the thresholds below).

The winning stage is recorded in `provenance["body"]`: `trafilatura` when the second opinion
won, warta's own stage (`profile`, `generic`, `jsonld`) otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from lxml import etree

from crawler.extract.body import block_score
from crawler.extract.indonesian import (
    inline_related_prefix,
    is_body_junk,
    is_related_label,
    parse_dateline,
    parse_signoff,
    parse_staff,
)
from crawler.extract.words import word_count

if TYPE_CHECKING:
    from crawler.extract.page import Block, Page

STAGE = "trafilatura"
"""The provenance stage of a body the second opinion gave."""

# -- when to ask --------------------------------------------------------------------------------

DOUBT_MIN_WORDS = 50
"""A body shorter than this is in doubt: a caption, a teaser or a paywall stub, not an article.
(Short regional news of 80-150 words is common, so a longer body is judged by where it sits and
how much of the page's prose it holds, not by its length: at 150 every page of a short-news
outlet asked for the second opinion.)"""

DOUBT_MIN_PROSE_SHARE = 0.6
"""A body root holding less than this share of the page's prose (`body.block_score`, which
already discounts links, comments and navigation) is in doubt: prose the root left out is
another part of the article or the root is the wrong box."""

DOUBT_MAX_TITLE_GAP = 30
"""A body root whose first line is more than this many lines below the title (or that ends
above it) is in doubt: an article follows its headline, with at most a byline, a date, a
share bar and a photo between them; a root that far away is often another story, a teaser
list or a comment thread."""

DOUBT_DECLARED_FACTOR = 2.0
"""A body with less than 1/this of the words of the JSON-LD `articleBody` the page declares
is in doubt: the publisher says the article is much longer than the box warta read (a first
paragraph set apart, the rest in another box)."""

FULL_RETRY_WORDS = 150
"""trafilatura's fast chain (its own extraction, no fallback extractors) is asked first; when
it returns fewer words than this (and the doubt is one of `UNSEEN_TEXT_REASONS`), its full
chain (with its readability and jusText fallbacks, about twice the cost) is asked again."""

FULL_CHAIN_MAX_CHARS = 3_000_000
"""The full chain is never asked on a page larger than this (article pages weigh 50 KB to
2 MB): on a huge page of markup it would double the time trafilatura already takes."""

MATCHED_MIN_SHARE = 0.5
"""When warta's lines found again in the second opinion (`matched_blocks`) hold less than
this share of its words, warta's walk could not read most of what trafilatura read (text
in markup the walk leaves out): the second opinion's own lines, cleaned by warta's line
rules (`clean_lines`), are the candidate instead, when they hold warta's own body (the same
article, read further) and the doubt is one of `UNSEEN_TEXT_REASONS`."""
UNSEEN_TEXT_REASONS = frozenset({"empty", "declared", "far"})
"""Doubts that say the article's text is elsewhere (no body, a declared `articleBody` much
longer, a root far from the title). A `short` body next to the title (a photo page, a brief)
is read whole: text trafilatura finds that warta's walk cannot see there is page furniture
(`Redaksi: ...`, `Informasi pemasangan iklan`)."""

# -- how to decide ------------------------------------------------------------------------------

SHINGLE = 4
"""Words per shingle when the two candidates are compared (the benchmark's own unit)."""

AGREE_SHARE = 0.8
"""When warta's body holds this share of the second opinion's shingles, the two agree and
warta's (cleaner, Indonesian-aware) reading is kept."""

CONTAINED_SHARE = 0.8
"""When at least this share of warta's shingles is also in the second opinion, warta's body is
a part of it..."""

LONGER_FACTOR = 1.3
"""...and when the second opinion is this much longer, warta stopped short of the article:
the second opinion wins."""

DISJOINT_LONGER_FACTOR = 2.0
"""When the two hardly overlap (below `CONTAINED_SHARE`), they read different boxes; the
second opinion wins only when it is this much longer (a teaser or caption box against an
article) ..."""

MIN_WORDS = 40
"""...and never with fewer words than this (a second opinion this short is a fragment)."""

MIN_MATCHED_CHARS = 20
"""warta lines this short match a second-opinion line only when equal to a whole line (a
`Foto` or a date would otherwise be found inside any paragraph)."""

_WORD = re.compile(r"\w+")
_LIST_MARK = re.compile(r"^[-*•]\s+")


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def words(text: str | None) -> int:
    """Words in `text` (`words.word_count`: Chinese and Japanese by their characters)."""
    return word_count(text)


def shingles(text: str | None, size: int = SHINGLE) -> set[tuple[str, ...]]:
    tokens = _WORD.findall(_norm(text or ""))
    if len(tokens) < size:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def prose_share(page: Page, root: etree._Element | None) -> float:
    """The share of the page's prose score (`body.block_score`) inside `root`."""
    span = page.span(root) if root is not None else None
    total = inside = 0.0
    for block in page.blocks:
        score = block_score(block)
        total += score
        if span is not None and span.start <= block.pos < span.end:
            inside += score
    return inside / total if total else 1.0


def in_doubt(
    page: Page,
    root: etree._Element | None,
    body: str | None,
    title_index: int | None = None,
    root_lines: tuple[int, int] | None = None,
    declared_words: int = 0,
) -> str | None:
    """Why warta's body deserves a second opinion (`empty`, `short`, `declared`, `far`,
    `share`), or None. `root_lines`: the first and last line index inside the root;
    `declared_words`: words of the JSON-LD `articleBody` (0 when none)."""
    if not body:
        return "empty"
    n = words(body)
    if n < DOUBT_MIN_WORDS:
        return "short"
    if declared_words and n * DOUBT_DECLARED_FACTOR < declared_words:
        return "declared"
    if title_index is not None and root_lines is not None and (
        root_lines[1] <= title_index or root_lines[0] - title_index > DOUBT_MAX_TITLE_GAP
    ):
        return "far"
    if prose_share(page, root) < DOUBT_MIN_PROSE_SHARE:
        return "share"
    return None


# -- the second opinion -------------------------------------------------------------------------


def needs_full_chain(fast_text: str | None, html_chars: int = 0) -> bool:
    """Whether trafilatura's fast result is too short to be an article (`FULL_RETRY_WORDS`),
    so its full chain is asked too; never on a page over `FULL_CHAIN_MAX_CHARS`."""
    return html_chars <= FULL_CHAIN_MAX_CHARS and words(fast_text) < FULL_RETRY_WORDS


def trafilatura_lines(html: str, url: str, full: bool = False) -> list[str]:
    """trafilatura's body as lines (without comments): its fast chain, and its full chain
    when `full` and the fast one is too short (`needs_full_chain`); [] when it finds none.
    Imported here, on first need, so a crawl that never doubts never loads it."""
    import trafilatura

    def run(fast: bool) -> str:
        try:
            doc = trafilatura.bare_extraction(
                html, url=url, with_metadata=False, include_comments=False,
                include_tables=True, fast=fast,
            )
        except Exception:  # a second opinion that fails is no opinion
            return ""
        return str(getattr(doc, "text", None) or "") if doc is not None else ""

    text = run(fast=True)
    if full and needs_full_chain(text, len(html)):
        text = run(fast=False) or text
    return [_LIST_MARK.sub("", line).strip() for line in text.splitlines() if line.strip()]


def matched_blocks(page: Page, lines: Sequence[str]) -> list[Block]:
    """warta's lines of the page that the second opinion's lines hold, in page order: a line
    equal to one of theirs, or (at least `MIN_MATCHED_CHARS` long) found inside one."""
    theirs = [_norm(line) for line in lines]
    exact = set(theirs)
    joined = "\n".join(theirs)
    by_pair: dict[tuple[str, str], list[int]] = {}  # inner word pair -> their lines holding it
    for i, line in enumerate(theirs):
        tokens = line.split(" ")
        for pair in set(pairwise(tokens)):
            by_pair.setdefault(pair, []).append(i)
    out = []
    for block in page.blocks:
        mine = _norm(block.text)
        if not mine:
            continue
        if mine in exact or (len(mine) >= MIN_MATCHED_CHARS and _inside(mine, theirs, joined,
                                                                          by_pair)):
            out.append(block)
    return out


MATCH_CANDIDATES = 64
"""A warta line is looked for inside at most this many of the second opinion's lines (those
holding its second and third words); a line whose words are in more is not distinctive. This
keeps `matched_blocks` linear on a hostile page of 100,000 near-identical lines (it searched
the whole joined text for every line: minutes)."""


def _inside(mine: str, theirs: list[str], joined: str, by_pair: dict[tuple[str, str], list[int]]
            ) -> bool:
    """Whether `mine` is found inside one of `theirs`: only in the lines holding its second and
    third words (whole words wherever `mine` sits in a line), or in the joined text when it
    has fewer than three words."""
    tokens = mine.split(" ")
    if len(tokens) < 3:
        return mine in joined
    candidates = by_pair.get((tokens[1], tokens[2]), [])
    if len(candidates) > MATCH_CANDIDATES:
        return False
    return any(mine in theirs[i] for i in candidates)


def common_root(page: Page, blocks: Sequence[Block]) -> etree._Element | None:
    """The innermost element (with a span) holding all `blocks`."""
    if not blocks:
        return None
    lo, hi = blocks[0].pos, blocks[-1].pos
    el: etree._Element | None = blocks[0].container
    while el is not None:
        span = page.span(el)
        if span is not None and span.start <= lo and hi < span.end:
            return el
        el = el.getparent()
    return None


def title_gap(title_index: int | None, indexes: Sequence[int]) -> int | None:
    """Lines from the title to a candidate's first line below it; None when the title is not
    known or the candidate has no line below it."""
    if title_index is None:
        return None
    below = [i for i in indexes if i > title_index]
    return min(below) - title_index if below else None


def prefer_second(
    mine: str | None,
    theirs: str | None,
    mine_gap: int | None = None,
    theirs_gap: int | None = None,
) -> bool:
    """Whether the second opinion's body beats warta's (`*_gap`: `title_gap` of each).

    - none of theirs, or fewer than `MIN_WORDS` words: warta's;
    - warta has none: theirs;
    - warta's holds `AGREE_SHARE` of their shingles: the two agree, warta's;
    - `CONTAINED_SHARE` of warta's shingles are in theirs and theirs is `LONGER_FACTOR` longer:
      warta's is a part of the article, theirs;
    - they hardly overlap (two different boxes): the one that starts nearer below the title
      when that is known for theirs (an article follows its headline; a teaser list, a
      sidebar story or a comment thread comes later or above), else theirs when
      `DISJOINT_LONGER_FACTOR` longer.
    """
    n_theirs = words(theirs)
    if n_theirs < MIN_WORDS:
        return False
    if not mine:
        return True
    a, b = shingles(mine), shingles(theirs)
    both = len(a & b)
    if b and both / len(b) >= AGREE_SHARE:
        return False
    n_mine = words(mine)
    if a and both / len(a) >= CONTAINED_SHARE:
        return n_theirs >= LONGER_FACTOR * n_mine
    if theirs_gap is not None:
        return mine_gap is None or theirs_gap < mine_gap
    return n_theirs >= DISJOINT_LONGER_FACTOR * n_mine


def clean_lines(lines: Sequence[str], outlet_words: frozenset[str] = frozenset()) -> str | None:
    """warta's line rules over bare lines, for a second opinion none of whose lines were found
    among warta's (a page warta's walk could not read): junk, `Baca Juga` and related labels
    and staff lines leave; the dateline is cut from the first line, the sign-off from the
    last."""
    texts = [
        t for t in lines
        if not (is_body_junk(t) or inline_related_prefix(t) or is_related_label(t)
                or parse_staff(t))
    ]
    if texts:
        dateline = parse_dateline(texts[0], outlet_words=outlet_words)
        if dateline is not None:
            texts[0:1] = [dateline.rest] if dateline.rest else []
    if texts:
        signoff = parse_signoff(texts[-1])
        if signoff is not None:
            texts[-1:] = [signoff.rest] if signoff.rest else []
    return "\n\n".join(texts) or None


def _extends(mine: str | None, theirs: str) -> bool:
    """Whether the second opinion holds warta's body (`CONTAINED_SHARE` of its shingles), or
    warta has none: it reads the same article, further."""
    a = shingles(mine)
    return not a or len(a & shingles(theirs)) / len(a) >= CONTAINED_SHARE


@dataclass
class Opinion:
    """What the second opinion found (for the decision and for tests)."""

    reason: str | None
    lines: list[str]
    blocks: list[Block]


def review(
    ctx: Any,
    body: Any,
    title: str | None,
    html: str,
    extract_body: Callable[[Any, str | None], Any],
) -> Any:
    """Hook at the end of the body chain: `body` (a `core._Body`) stays when a profile's `body`
    selector gave it, or when it is not in doubt, or when the second opinion loses;
    otherwise warta's own body cleaning (`extract_body`) is run over
    the lines trafilatura kept and its result returned, `provenance["body"]` set to `STAGE`."""
    if ctx.provenance.get("body") == "profile":
        return body  # the outlet's own `body` selector, written by someone who read its pages
    lines_of_root = (ctx.root_first, ctx.root_last) if ctx.root_first is not None else None
    declared = ctx.structured.article.get("articleBody") if ctx.structured.article else None
    reason = in_doubt(ctx.page, ctx.root, body.text, ctx.title_index, lines_of_root,
                      words(declared) if isinstance(declared, str) else 0)
    if reason is None:
        return body
    lines = trafilatura_lines(html, ctx.url, full=reason in UNSEEN_TEXT_REASONS)
    if not lines:
        return body
    blocks = matched_blocks(ctx.page, lines)
    root = common_root(ctx.page, blocks)
    if root is None:
        if body.text:
            return body
        second = type(body)(text=clean_lines(lines, ctx.outlet_words), staff=body.staff,
                            captions=body.captions)
        theirs_gap = mine_gap = None
    else:
        keep = {b.index for b in blocks}
        saved = ctx.root, ctx.root_first, ctx.root_last, ctx.consumed, ctx.root_parts
        ctx.root, ctx.root_first, ctx.root_last = root, blocks[0].index, blocks[-1].index
        ctx.root_parts = ()
        ctx.consumed = saved[3] | {b.index for b in ctx.page.blocks_in(root)
                                   if b.index not in keep}
        try:
            second = extract_body(ctx, title)
        finally:
            ctx.root, ctx.root_first, ctx.root_last, ctx.consumed, ctx.root_parts = saved
        joined = "\n".join(lines)
        if (reason in UNSEEN_TEXT_REASONS and words(second.text) < MATCHED_MIN_SHARE * words(joined)
                and _extends(body.text, joined)):
            second = type(body)(text=clean_lines(lines, ctx.outlet_words), staff=body.staff,
                                captions=body.captions)
        mine_blocks = ctx.page.blocks_in(ctx.root) if ctx.root is not None else []
        mine_gap = title_gap(ctx.title_index, [b.index for b in mine_blocks
                                               if b.index not in ctx.consumed])
        theirs_gap = title_gap(ctx.title_index, sorted(keep - ctx.consumed))
    if not prefer_second(body.text, second.text, mine_gap, theirs_gap):
        return body
    ctx.provenance["body"] = STAGE
    return second
