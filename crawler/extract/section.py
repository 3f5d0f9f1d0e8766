"""The small fields: section (`extract_section`), tags (`extract_tags`) and language
(`extract_language`), each a chain with its stages in its docstring."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.extract.context import (
    NEAR_TITLE_AFTER,
    NEAR_TITLE_BEFORE,
    Context,
    comparable,
    element_text,
    set_field,
)
from crawler.extract.indonesian import guess_language
from crawler.extract.page import NAV, Block
from crawler.extract.structured import jsonld_list, jsonld_text, one_line
from crawler.urls import fold_variants

MAX_TAGS = 30


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


def _crumb_name(ctx: Context, name: str, url: str = "") -> str | None:
    """A crumb usable as the section: not the home page, not the article itself, short."""
    norm = comparable(name)
    if not norm or norm in _HOME_CRUMBS or len(name.split()) > SECTION_MAX_WORDS:
        return None
    if ctx.title_text and norm == comparable(ctx.title_text):
        return None
    if url:
        path = urlsplit(urljoin(ctx.url, url)).path
        if path in ("", "/") or path.rstrip("/") == urlsplit(ctx.url).path.rstrip("/"):
            return None
    return name


def _before_title(ctx: Context, lines: int) -> list[Block]:
    """The lines right above the title (above the body when no title line is known), nearest
    first."""
    anchor = ctx.title_index if ctx.title_index is not None else ctx.root_first
    if anchor is None:
        return []
    return list(reversed(ctx.page.blocks[max(0, anchor - lines) : anchor]))


def _trail_section(ctx: Context) -> str | None:
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


def _kicker_section(ctx: Context) -> str | None:
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


def _category_link_section(ctx: Context) -> str | None:
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


def extract_section(ctx: Context) -> str | None:
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
            return set_field(ctx, "section", value, "jsonld")
    for name in (
        "article:section",
        "section",
        "articlesection",
        "og:article:section",
        "parsely-section",
    ):
        found = s.first(name)
        if found and not _host_like(found[1]):
            return set_field(ctx, "section", found[1], "opengraph" if ":" in name else "meta")
    if "section" in ctx.selected:
        text = element_text(ctx.selected["section"][0])
        if text:
            return set_field(ctx, "section", text, "profile")
    crumbs = [c for c in (_crumb_name(ctx, n, u) for n, u in s.breadcrumbs) if c]
    if crumbs:
        return set_field(ctx, "section", crumbs[-1], "jsonld")
    title = (
        comparable(ctx.page.blocks[ctx.title_index].text) if ctx.title_index is not None else None
    )
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
        crumbs = [c for c in crumbs if comparable(c) not in ("home", "beranda", "index", title)]
        if crumbs:
            return set_field(ctx, "section", crumbs[-1], "generic")
        break
    shown = _trail_section(ctx) or _kicker_section(ctx) or _category_link_section(ctx)
    if shown:
        return set_field(ctx, "section", shown, "generic")
    for name, values in s.meta.items():
        if _CUSTOM_SECTION_META.search(name):
            value = values[0].split(",")[0].strip() if values else ""
            if value and not _host_like(value) and len(value.split()) <= SECTION_MAX_WORDS:
                return set_field(ctx, "section", value, "meta")
    return None


def extract_tags(ctx: Context) -> list[str]:
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
        tags = [one_line(v) for v in s.meta.get("article:tag", ()) if one_line(v)]
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


def extract_language(ctx: Context, body: str | None) -> str:
    """Language: the body's own words when they clearly are Indonesian or English (`text`),
    else `<html lang>` / `og:locale` / JSON-LD `inLanguage` / `content-language` (`meta`),
    else the profile's language (`profile`), else `id`. The text wins because templates
    declare a default (`lang="en"` on Indonesian pages)."""
    if body:
        guessed = guess_language(body)
        if guessed:
            return set_field(ctx, "language", guessed, "text")
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
            return set_field(ctx, "language", "id" if code == "in" else code, "meta")
    if ctx.profile is not None:
        return set_field(ctx, "language", ctx.profile.language, "profile")
    return set_field(ctx, "language", "id", "default")

