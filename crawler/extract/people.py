"""The people chain: authors, editor and reporter (`extract_people`), from staff lines
outside the body (`staff_outside`) and a byline line (`byline_block`) besides the body's own."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.extract import dates as D
from crawler.extract.context import (
    NEAR_TITLE_AFTER,
    NEAR_TITLE_BEFORE,
    STAFF_WINDOW_AFTER,
    Context,
    element_text,
    near_title_blocks,
    set_field,
)
from crawler.extract.indonesian import parse_staff, parse_unmarked_staff, person_names, staff_label
from crawler.extract.page import BYLINE, CAPTION, MEDIA, NAV, Block
from crawler.extract.structured import jsonld_list, jsonld_names

BYLINE_MAX_CHARS = 100
"""A byline line is short (`Fino Yurio Kristo - detikinet`)."""

OUTLET_ABBREVIATION_MIN_CHARS = 3
"""A one-word credit (`LBCI`) is the outlet's name cut short when the outlet's name starts
with it and it has at least this many letters; `AP`, `Ali` at `alinews` are too short to
tell."""
_TLD = re.compile(r"\.[a-z]{2,6}(?:\.[a-z]{2})?$", re.IGNORECASE)
_HOST_SKIP = frozenset({"www", "m", "amp", "co", "or", "ac", "go", "web", "com", "net", "org"})


def _compact(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def outlet_names(ctx: Context) -> list[str]:
    """The outlet's own names: `og:site_name`, the JSON-LD publisher's name and the labels of
    the page's host (`n-tv.de` -> `n-tv`)."""
    names = []
    site = ctx.structured.first("og:site_name", "application-name")
    if site:
        names.append(site[1])
    for node in (ctx.structured.article, ctx.structured.page):
        publisher = node.get("publisher") if node else None
        for item in publisher if isinstance(publisher, list) else [publisher]:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                names.append(item["name"])
    host = (urlsplit(ctx.url).hostname or "").lower().split(".")
    names.extend(label for label in host[:-1] if label not in _HOST_SKIP)
    return [n for n in names if _compact(n)]


def names_outlet(name: str, outlets: list[str]) -> bool:
    """Whether an author credit is the outlet itself: its name or domain (`Stuttgarter
    Zeitung`, `mdr.de`, `한국일보`), its host label and a word (`n-tv NACHRICHTEN`), its
    name cut short (`LBCI` for `LBCI Lebanon`) or its initials (`LTO` for `Legal Tribune
    Online`). A person whose name holds a word of the outlet's (`Rina Kaltim` at `Berita
    Kaltim`) stays."""
    bare = _TLD.sub("", name.strip())
    compact = _compact(bare)
    words = bare.split()
    if not compact or not words:
        return False
    first = _compact(words[0])
    for outlet in outlets:
        whole = _compact(outlet)
        if compact == whole:
            return True
        if len(words) <= 3 and len(first) >= OUTLET_ABBREVIATION_MIN_CHARS and first == whole:
            return True
        if len(words) == 1 and len(compact) >= OUTLET_ABBREVIATION_MIN_CHARS:
            initials = "".join(_compact(w)[:1] for w in outlet.split())
            if whole.startswith(compact) or (bare.isupper() and compact == initials):
                return True
    return False


def staff_outside(ctx: Context) -> list[tuple[str, str]]:
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


def _byline_without_date(ctx: Context, text: str) -> str | None:
    """A byline that also shows the date (`Nama, Jurnalis · Jum'at, 06 Januari 2023 - 08:30
    WIB`, `Nama Senin, 02 Januari 2023 - 08:30 WIB`): the text with the date cut out and the
    pieces kept apart, None when no date can be read from it."""
    parsed = D.parse_date(text, tz=ctx.tz, fetched_at=ctx.fetched_at)
    if parsed is None or not parsed.raw or parsed.raw not in text:
        return None
    rest = _BYLINE_BULLET.sub(" | ", text.replace(parsed.raw, " | ", 1))
    return None if D.has_date_words(rest) else rest


def byline_block(ctx: Context) -> tuple[Block, list[str]] | None:
    """A byline-classed line by the title, else in the article's own footer."""
    for b in (*near_title_blocks(ctx), *ctx.footer):
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


_BY_LINE = re.compile(r"^(?:by|von|oleh)\s+(?=\S)", re.IGNORECASE)
"""A byline set as a plain line: `By Jane Doe and John Roe`, `von Dr. Max Kolter`, `Oleh
Rina Wulandari`."""
_LOWER_NAME_WORDS = frozenset({"van", "von", "der", "de", "da", "bin", "binti", "al", "el"})


def by_line(ctx: Context, outlets: list[str]) -> list[str]:
    """Names from a `By ...` line by the title that holds nothing but names (every word
    capitalized, particles aside): `By the river, a town waits` is a sentence."""
    for b in near_title_blocks(ctx):
        if len(b.text) > BYLINE_MAX_CHARS or b.has_flag(CAPTION) or b.has_flag(MEDIA):
            continue
        opener = _BY_LINE.match(b.text)
        if opener is None or D.has_date_words(b.text):
            continue
        names = [
            n
            for n in person_names(b.text, ctx.outlet_words)
            if not names_outlet(n, outlets)
        ]
        if names and all(
            w[:1].isupper() or w.lower() in _LOWER_NAME_WORDS for n in names for w in n.split()
        ):
            return names
    return []


_TRAILING_ROLE = re.compile(r"\s*(?:기자|記者)$")
"""The reporter's title written after the name in Korean and Japanese/Chinese bylines
(`신현주 기자`): a role, not part of the name."""
CMS_ACCOUNTS = frozenset({"admin", "administrator", "webmaster", "operator", "user"})
"""Declared credits that are a CMS login, not a byline (`admin`): never kept by
`declared_credit`."""
_CREDIT_METAS = ("author", "article:author", "og:article:author")


def declared_credit(ctx: Context) -> tuple[list[str], str | None]:
    """The credit the page declares as its author, kept as written, when no stage of
    `extract_people` named a person: JSON-LD `author` names, organizations included (`AFP`,
    `Associated Press`, the outlet's newsroom), else the first meta `author`/`article:author`
    that is not a URL. A CMS account (`admin`) or a value without a letter (an account id,
    `105092`) is no credit."""

    def kept(names: list[str]) -> list[str]:
        out: list[str] = []
        for name in names:
            name = name.strip()
            first = name.split()[0].casefold() if name.split() else ""
            if name and first not in CMS_ACCOUNTS and not name.startswith(("http:", "https:")) \
                    and any(ch.isalpha() for ch in name) and name not in out:
                out.append(name)
        return out

    if ctx.structured.article:
        names = kept(jsonld_names(ctx.structured.article.get("author"), organizations=True))
        if names:
            return names, "jsonld"
    for meta in _CREDIT_METAS:
        for value in ctx.structured.meta.get(meta, ()):
            names = kept([" ".join(value.split())])
            if names:
                return names, "opengraph" if ":" in meta else "meta"
    return [], None


def extract_people(
    ctx: Context, staff: list[tuple[str, str]], byline: tuple[Block, list[str]] | None
) -> tuple[list[str], str | None, str | None]:
    """Authors, editor and reporter.

    Authors: 1. JSON-LD `author` (people, not organizations); 2. meta `author`, `article:author`
    (not a URL), `dc.creator`, `parsely-author` unless it names the outlet; 3. microdata
    `author`; 4. the profile's `author` selector; 5. staff lines (`Penulis:`, `Pewarta:`,
    `Reporter:`, `Oleh:`, `Fotografer:`; `text`); 6. a byline-classed line by the title
    (`generic`); 7. a plain `By A and B`/`von A`/`Oleh A` line by the title holding only
    names (`text`). The outlet itself (`og:site_name`, the JSON-LD publisher, the host:
    `names_outlet`) is never an author at these stages: a person named anywhere wins over
    it. 8. When no stage names a person, the credit the page declares as the article's
    author is kept as written (`declared_credit`): the JSON-LD `author` (a wire agency, a
    desk, or the outlet itself, `Organization` or not), else meta `author`/`article:author`.
    Names are cleaned (`Kontributor Kota, Nama`, `Nama - detikinet`, `A dan B`, `By A and B`,
    `von A und B`, `신현주 기자`); a picture credit (`Bild: APA/Name`) is never a name.

    Editor: JSON-LD `editor` -> `Editor:`/`Redaktur:` lines -> an `Editor:Nama` keyword.
    Reporter: `Pewarta:`/`Reporter:`/`Wartawan:` lines, `Laporan Wartawan Outlet, Nama`.
    """
    s = ctx.structured
    words = ctx.outlet_words
    outlets = outlet_names(ctx)

    def names_of(raw: str, words: frozenset[str]) -> list[str]:
        return [
            n
            for n in (_TRAILING_ROLE.sub("", name) for name in person_names(raw, words))
            if n and not names_outlet(n, outlets)
        ]

    roles: dict[str, list[str]] = {}
    for role, value in staff:
        roles.setdefault(role, []).append(value)

    authors: list[str] = []
    stage = None
    if s.article:
        authors = [
            n for raw in jsonld_names(s.article.get("author")) for n in names_of(raw, words)
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
            for value in s.meta.get(name, ()):  # the outlet first, then the writer
                if value and not value.startswith(("http://", "https://")):
                    authors = names_of(value, words)
                    if authors:
                        stage = "opengraph" if ":" in name else "meta"
                        break
            if authors:
                break
    if not authors:
        for _, value in s.itemprops.get("author", ()):
            authors = names_of(value, words)
            if authors:
                stage = "microdata"
                break
    if not authors and "author" in ctx.selected:
        for el in ctx.selected["author"]:
            for name in names_of(element_text(el), words):
                if name not in authors:
                    authors.append(name)
        stage = "profile"
    if not authors:
        for role in ("author", "reporter", "photographer"):
            for value in roles.get(role, ()):
                for name in names_of(value, words):
                    if name not in authors:
                        authors.append(name)
            if authors:
                stage = "text"
                break
    if not authors and byline is not None:
        authors = [n for n in byline[1] if not names_outlet(n, outlets)]
        stage = "generic"
    if not authors:
        authors = by_line(ctx, outlets)
        stage = "text"
    if not authors:
        authors, stage = declared_credit(ctx)
    if authors and stage:
        ctx.provenance["authors"] = stage

    editor = None
    if s.article:
        names = [
            n for raw in jsonld_names(s.article.get("editor")) for n in names_of(raw, words)
        ]
        if names:  # an editor `Person` named after the outlet (`Liputan6.com`) is not one
            editor = set_field(ctx, "editor", names[0], "jsonld")
    if editor is None and roles.get("editor"):
        editor = set_field(ctx, "editor", roles["editor"][0], "text")
    if editor is None and s.article:
        for keyword in jsonld_list(s.article, "keywords"):
            label, _, value = keyword.partition(":")
            if value.strip() and label.strip().lower() in ("editor", "redaktur"):
                editor = set_field(ctx, "editor", value.strip(), "jsonld")
                break
    reporter = None
    if roles.get("reporter"):
        reporter = set_field(ctx, "reporter", roles["reporter"][0], "text")
    return authors, editor, reporter
