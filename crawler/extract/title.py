"""The title chain (`extract_title`, its stages in its docstring) and the kicker label cut
from the headline (`without_kicker`)."""

from __future__ import annotations

import re

from crawler.extract.context import Context, comparable, element_text, set_field
from crawler.extract.indonesian import TITLE_KICKERS, split_kicker
from crawler.extract.page import NAV, Block
from crawler.extract.structured import jsonld_text, one_line

_TITLE_SPLIT = re.compile(r"\s+(?:[-|–—:»·•]|::)\s+|\s*\|\s*")


def _title_candidates(ctx: Context) -> list[tuple[str, str]]:
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


def _names_site(text: str, ctx: Context) -> bool:
    """Whether a title piece or a heading is the outlet's name (`og:site_name`, a word of the
    host or profile name, a domain) rather than a headline."""
    if len(text.split()) > SITE_NAME_MAX_WORDS:
        return False
    site_name = ctx.structured.first("og:site_name")
    if site_name and comparable(text) == comparable(site_name[1]):
        return True
    compact = re.sub(r"[^a-z0-9]", "", text.lower())
    return any(w in compact for w in ctx.outlet_words) or bool(
        re.search(r"\.(?:com|co\.id|id|net)\b", text, re.IGNORECASE)
    )


def _strip_site(text: str, ctx: Context) -> str:
    """`text` without the pieces naming the site at its end or start; the rest as written,
    its own separators kept (`Banjir Samarinda : Ratusan Warga ...` stays whole)."""
    spans: list[tuple[int, int]] = []  # (start, end) of each non-empty piece
    at = 0
    for sep in _TITLE_SPLIT.finditer(text):
        if text[at : sep.start()].strip():
            spans.append((at, sep.start()))
        at = sep.end()
    if text[at:].strip():
        spans.append((at, len(text)))
    if not spans:
        return text
    lo, hi = 0, len(spans)
    while hi - lo > 1 and _names_site(text[slice(*spans[hi - 1])].strip(), ctx):
        hi -= 1
    while hi - lo > 1 and _names_site(text[slice(*spans[lo])].strip(), ctx):
        lo += 1  # `Diskominfo Kaltim | Judul`: the site name first
    return text[spans[lo][0] : spans[hi - 1][1]].strip()


def extract_title(ctx: Context) -> str | None:
    """Title chain.

    1. the profile's `title` selector;
    2. the declared title where the page's own declarations outvote the heading
       (`_declared_over_heading`): JSON-LD `headline` and `og:title` agreeing with each other
       and no heading showing them, or a heading that is the declared title behind a kicker
       (`Kicker: Title`, `Kicker - Title`, `Kicker-Title` with `og:title` = `Title`); then a
       heading (h1, h2) set as a kicker element and a headline element whose headline is
       declared, whole or after a kicker of its own (`_headline_after_kicker_element`): the
       headline element's text;
    3. a page heading (h1-h3, outside navigation) equal to a declared title (JSON-LD
       `headline`, `og:title`/`twitter:title`, microdata `headline`, meta title, `<title>`),
       or to one with its site suffix or prefix cut (`Judul - Kompas.com`, `Diskominfo Kaltim
       | Judul`; a piece naming the outlet is never the title): the heading's text, with the
       declaring stage as provenance;
    4. JSON-LD `headline`;
    5. `og:title` with the site suffix cut; when another declaration (a meta `headline`,
       `dc.title`, ...) is its start and the rest names the site behind a separator of any
       kind (`...커졌다-정치ㅣ한국일보` beside `...커졌다`), that declaration
       (`_declared_start`);
    6. the first `<h1>` of two words or more outside navigation that is not the site's name
       (`generic`);
    7. `<title>` with the site suffix or prefix cut (`meta`).
    """
    blocks = ctx.page.blocks
    if "title" in ctx.selected:
        text = element_text(ctx.selected["title"][0])
        if text:
            ctx.title_index = _find_heading(ctx, text)
            return set_field(ctx, "title", text, "profile")
    headings = [b for b in blocks if 1 <= b.heading <= 3 and not b.has_flag(NAV)]
    by_norm: dict[str, Block] = {}
    for b in headings:
        by_norm.setdefault(comparable(b.text), b)
    candidates = _title_candidates(ctx)
    declared = _declared_over_heading(ctx, headings, candidates)
    if declared is not None:
        ctx.title_index = _find_heading(ctx, declared[1])
        return set_field(ctx, "title", declared[1], declared[0])
    kicked = _headline_after_kicker_element(ctx, headings, candidates)
    if kicked is not None:
        ctx.title_index = kicked[0].index
        return set_field(ctx, "title", kicked[2], kicked[1])
    for stage, text in candidates:
        found = by_norm.get(comparable(text))
        if found is not None:
            ctx.title_index = found.index
            return set_field(ctx, "title", found.text, stage)
    for stage, text in candidates:
        for part in _title_parts(text)[1:]:
            found = by_norm.get(comparable(part))
            if found is not None and len(part.split()) >= 2 and not _names_site(part, ctx):
                ctx.title_index = found.index
                return set_field(ctx, "title", found.text, stage)
    found_cut = _heading_of_cut_title(ctx, headings, candidates)
    if found_cut is not None:
        ctx.title_index = found_cut[0].index
        return set_field(ctx, "title", found_cut[0].text, found_cut[1])
    for stage, text in candidates:
        if stage == "jsonld":
            ctx.title_index = _find_heading(ctx, text)
            return set_field(ctx, "title", text, stage)
    for stage, text in candidates:
        if stage == "opengraph":
            start = _declared_start(text, candidates, ctx)
            if start is not None:
                stage, title = start
            else:
                title = _strip_site(text, ctx)
            ctx.title_index = _find_heading(ctx, title)
            return set_field(ctx, "title", title, stage)
    for b in blocks:
        if (
            b.heading == 1
            and len(b.text.split()) >= 2
            and not b.has_flag(NAV)
            and not _names_site(b.text, ctx)  # the logo's `<h1>Kabar Kukar</h1>`
        ):
            ctx.title_index = b.index
            return set_field(ctx, "title", b.text, "generic")
    if ctx.structured.title:
        title = _strip_site(ctx.structured.title, ctx)
        ctx.title_index = _find_heading(ctx, title)
        return set_field(ctx, "title", title, "meta")
    return None


def without_kicker(ctx: Context, title: str | None) -> str | None:
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
    shown = " ".join(element_text(first).split()).strip(" :|")
    if shown.lower() in TITLE_KICKERS and comparable(title).startswith(comparable(shown)):
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
    ctx: Context, headings: list[Block], candidates: list[tuple[str, str]]
) -> tuple[Block, str] | None:
    """The page heading that a declared title is the cut start of (`Judul panjang yang...`
    in JSON-LD or `og:title`, the whole headline in the `<h1>`), with the declaring stage."""
    for stage, text in candidates:
        for piece in _title_parts(text):
            stem = _ELLIPSIS.sub("", piece)
            least = ELLIPSIS_TITLE_MIN_CHARS if stem != piece else CUT_TITLE_MIN_CHARS
            if len(stem) < least or _names_site(stem, ctx):
                continue
            want = comparable(stem)
            for b in sorted(headings, key=lambda h: h.heading):
                if len(b.text) > len(stem) and comparable(b.text).startswith(want):
                    return b, stage
    return None


def _find_heading(ctx: Context, title: str) -> int | None:
    """The line showing the title: a heading equal to, or starting with, the title, else one
    showing its letters with the separators lost, else any line equal to it."""
    want = comparable(title)
    fallback = None
    for b in ctx.page.blocks:
        if b.heading:
            got = comparable(b.text)
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
    letters = _letters(title)
    for b in ctx.page.blocks:
        if b.heading and len(letters) >= FIND_BY_LETTERS_MIN_CHARS and _letters(b.text) == letters:
            return b.index  # `Kicker Title` set in two spans without the declared colon
    for b in ctx.page.blocks:
        if comparable(b.text) == want:
            return b.index
    return None


FIND_BY_LETTERS_MIN_CHARS = 20
"""A heading shows the title with its separators lost (`<span>Vanlife in Schweden</span>
Skandinavien im Wohnmobil` for `Vanlife in Schweden: Skandinavien im Wohnmobil`) only when the
letters run this long: a short title's letters could be any heading's."""


KICKER_MAX_WORDS = 6
"""A kicker set before the headline in the heading (`Banjir Samarinda:`, `Pilkada 2024 -`)
is short; a longer lead is a headline of its own."""
_KICKER_END = re.compile(r"[:\-–—|/»]$")
"""How a kicker ends: a colon, dash, bar or slash (`Kicker: Title`, `Kicker - Title`,
`PSSI-Pelatih` glued to the headline's first word)."""


def _declared_over_heading(
    ctx: Context, headings: list[Block], candidates: list[tuple[str, str]]
) -> tuple[str, str] | None:
    """`(stage, title)` when the page's declarations outvote its heading:

    - JSON-LD `headline` and `og:title` (site suffix cut) agree with each other and no
      heading shows that text, nor starts with it (a cut SEO title, see
      `_heading_of_cut_title`): two declarations against a heading that a third (`<title>`)
      may copy; the heading is then a display variant;
    - a heading (h1, h2) shows the declared title (`og:title`, else `headline`) behind a
      kicker of at most `KICKER_MAX_WORDS` words that ends in `:`, a dash, a bar or a slash
      in the heading or in another declaration (`Kicker: Title` in JSON-LD, `<span>Kicker
      </span> Title` in the `<h1>`): the publisher declares the headline without it;
    - a heading shows the declared title's letters with its spaces or separators lost
      (`<span>Banjir Samarinda</span>Ratusan Warga ...`): the declared text is the clean one.
    """
    ld = next((t for st, t in candidates if st == "jsonld"), None)
    og = next((t for st, t in candidates if st == "opengraph"), None)
    og = _strip_site(og, ctx) if og else None
    shown = [comparable(b.text) for b in headings]
    if ld and og and comparable(ld) == comparable(og):
        want = comparable(ld)
        if len(ld.split()) >= 2 and not any(h == want or h.startswith(want) for h in shown):
            return "jsonld", ld
    top = [(comparable(b.text), _letters(b.text)) for b in headings if b.heading <= 2]
    top_letters = {letters for _, letters in top}
    texts = {comparable(t) for _, t in candidates} | set(shown)  # each text compared once
    for stage, text in (("opengraph", og), ("jsonld", ld)):
        if not text or len(text.split()) < 2:
            continue
        want = comparable(text)
        letters = _letters(text)
        if any(c != want and lt == letters for c, lt in top):
            return stage, text  # `Banjir SamarindaRatusan Warga`: spans glued
        for got in texts:
            if not got.endswith(want) or len(got) <= len(want):
                continue
            lead = got[: len(got) - len(want)].rstrip()
            if not (lead and len(lead.split()) <= KICKER_MAX_WORDS and _KICKER_END.search(lead)):
                continue
            # the heading shows the kicked version, its separator set or left to styling
            if _letters(got) in top_letters or _letters(lead) + letters in top_letters:
                return stage, text
    return None


def _letters(text: str) -> str:
    """Only the letters and digits of a text, case folded: a heading that sets its kicker's
    colon in CSS (`<span>Kicker</span> Title`) still shows `Kicker: Title`."""
    return "".join(ch for ch in comparable(text) if ch.isalnum())


_KICKER_SPLIT = re.compile(r"\s*:\s+|\s+[-–—|]\s+")
"""Where a declared title's own kicker ends (`Iranischer Angriff auf Israel: «...»`,
`Nach erneuter Kritik - Trump postet ...`)."""


def _after_kicker(text: str) -> str | None:
    """A declared title's text after a kicker of at most `KICKER_MAX_WORDS` words, or None."""
    parts = _KICKER_SPLIT.split(text, maxsplit=1)
    if len(parts) == 2 and len(parts[0].split()) <= KICKER_MAX_WORDS and parts[1].strip():
        return parts[1].strip()
    return None


def _headline_after_kicker_element(
    ctx: Context, headings: list[Block], candidates: list[tuple[str, str]]
) -> tuple[Block, str, str] | None:
    """`(heading, stage, headline)` for a heading (h1, h2) set as two elements, a kicker of at
    most `KICKER_MAX_WORDS` words and the headline (`<h2><span class="kicker">Meinung</span>
    <span class="headline">Warum ...</span></h2>`), with only separators between them, whose
    headline element's text a declaration carries whole (`og:title`), or after a kicker of its
    own that is not the heading's (`Iranischer Angriff auf Israel: «...»` beside
    `<span>Eskalation im Nahen Osten</span> - <span>«...»</span>`): the template marks the
    kicker as an element of its own, and the declaration says which part is the headline. A
    declaration behind the heading's own kicker (`LTE-Patent: Samsung ...` beside
    `<span>LTE-Patent</span><span>Samsung ...</span>`) says the kicker is part of the title:
    the chain's later stages decide."""
    whole: dict[str, str] = {}
    tails: dict[str, tuple[str, str]] = {}
    for stage, text in candidates:
        text = _strip_site(text, ctx)
        whole.setdefault(comparable(text), stage)
        tail = _after_kicker(text)
        if tail is not None:
            lead = text[: len(text) - len(tail)]
            tails.setdefault(comparable(tail), (stage, _letters(lead)))
    for b in headings:
        if b.heading > 2:
            continue
        kids = [el for el in b.container if isinstance(el.tag, str)]
        if len(kids) < 2 or (b.container.text or "").strip():
            continue
        kicker, rest = element_text(kids[0]), element_text(kids[-1])
        if not kicker or len(kicker.split()) > KICKER_MAX_WORDS or len(rest.split()) < 2:
            continue
        if _letters(b.text) != _letters(kicker) + _letters(rest):
            continue  # more than a kicker, separators and the headline
        want = comparable(rest)
        if want in whole:
            return b, whole[want], rest
        if want in tails and tails[want][1] != _letters(kicker):
            return b, tails[want][0], rest
    return None


def _declared_start(
    og: str, candidates: list[tuple[str, str]], ctx: Context
) -> tuple[str, str] | None:
    """`(stage, title)` for a declared title of two words or more that `og:title` starts with,
    the rest a site suffix: at most `SITE_NAME_MAX_WORDS` words, opening with no letter or
    digit (a separator, whatever its kind), ending with the site's name (`og:site_name`)."""
    site = ctx.structured.first("og:site_name")
    if site is None:
        return None
    want_site = comparable(site[1])
    got = comparable(og)
    headlines = [("meta", one_line(v)) for v in ctx.structured.meta.get("headline", ())]
    for stage, text in [*candidates, *headlines]:
        if stage == "opengraph" or len(text.split()) < 2:
            continue
        start = comparable(text)
        if not got.startswith(start) or len(got) == len(start):
            continue
        rest = got[len(start) :]
        if (
            not rest[0].isalnum()
            and rest.endswith(want_site)
            and len(rest.split()) <= SITE_NAME_MAX_WORDS
        ):
            return stage, text
    return None
