"""The demo outlets' content as data: articles parsed from `content/<key>.txt`.

Each outlet's articles live in a plain text file (one paragraph per line, so the Indonesian
text reads as text, not as Python). Format:

```
# comment
=== kn01                      <- article id (unique within the outlet)
slug: kpu-kaltim-tetapkan-dpt
title: KPU Kaltim Tetapkan ...
section: Politik
published: 2024-01-08 09:30 +08:00   <- the instant, with the offset the page shows
authors: Rina Wulandari; Dedi Kurniawan
editor: Hendra Saputra
dateline: SAMARINDA
signoff: rw/hs               <- shown as `(rw/hs)`; `*/han` is shown as `(*/han)`
tags: Pemilu 2024; KPU
related: kn02 kn05 kn07       <- the related-headline box, in order
inline: 2=kn05                <- a `Baca Juga:` line after body paragraph 2 (1-based)
caption: Suasana rapat pleno ...
option: jsonld=graph          <- template switches (key=value), see each template
region: Samarinda             <- the regency or city the article is about (truth for tests)
story: pesut                  <- a story several outlets ran (truth for the clusters tests)

First paragraph (without the dateline: the template adds it).
Second paragraph.
[page]                        <- a page break in a multi-page article
Third paragraph.
```

Everything a test expects about an article is derived from these fields (see `expected.py`);
the templates only decide how they look on a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from pathlib import Path

CONTENT_DIR = Path(__file__).parent / "content"

PAGE_BREAK = "[page]"

_HEADER_RE = re.compile(r"^([a-z_]+):\s*(.*)$")
_PUBLISHED_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) ([+-]\d{2}:\d{2})$")


class ContentError(ValueError):
    """A content file that does not follow the format above (a bug in the demo data)."""


@dataclass(frozen=True)
class Article:
    """One invented article of a demo outlet, independent of how a template shows it."""

    site: str
    id: str
    slug: str
    title: str
    section: str
    published: datetime
    authors: tuple[str, ...]
    editor: str | None
    dateline: str | None
    signoff: str | None
    tags: tuple[str, ...]
    related: tuple[str, ...]
    inline: tuple[tuple[int, str], ...]
    caption: str | None
    pages: tuple[tuple[str, ...], ...]
    options: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    modified: datetime | None = None
    generated: bool = False
    region: str | None = None
    """The regency or city the article is about, as a reader names it (not shown on pages)."""
    story: str | None = None
    """The shared story this article is a copy of, when several outlets ran it (not shown)."""

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The body paragraphs of all pages, in order."""
        return tuple(p for page in self.pages for p in page)

    @property
    def updated(self) -> datetime:
        """The last change: the edit time, else the publication time."""
        return self.modified or self.published

    def option(self, name: str, default: str = "") -> str:
        return self.options.get(name, default)

    def edited(self, title: str | None, extra_paragraph: str | None, when: datetime) -> Article:
        """A copy with a new title and/or one more closing paragraph, modified at `when`."""
        pages = self.pages
        if extra_paragraph:
            pages = (*pages[:-1], (*pages[-1], extra_paragraph))
        return replace(self, title=title or self.title, pages=pages, modified=when)


def _parse_published(value: str, where: str) -> datetime:
    match = _PUBLISHED_RE.match(value)
    if not match:
        raise ContentError(
            f"{where}: published must look like 2024-01-08 09:30 +08:00, got {value!r}")
    day, clock, offset = match.groups()
    return datetime.fromisoformat(f"{day}T{clock}:00{offset}")


def _split_list(value: str, sep: str = ";") -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(sep) if v.strip())


def parse_articles(site: str, text: str, source: str = "<content>") -> list[Article]:
    """Parse one outlet's content file into articles (in file order)."""
    blocks = re.split(r"^=== ", text, flags=re.MULTILINE)
    articles: list[Article] = []
    for block in blocks[1:]:
        lines = block.rstrip("\n").split("\n")
        art_id = lines[0].strip()
        where = f"{source}: article {art_id}"
        headers: dict[str, str] = {}
        i = 1
        while i < len(lines) and lines[i].strip():
            match = _HEADER_RE.match(lines[i].strip())
            if not match:
                raise ContentError(f"{where}: bad header line {lines[i]!r}")
            name, value = match.groups()
            if name == "option":
                headers.setdefault("option", "")
                headers["option"] += value + ","
            else:
                headers[name] = value
            i += 1
        pages: list[list[str]] = [[]]
        for line in lines[i:]:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line == PAGE_BREAK:
                pages.append([])
            else:
                pages[-1].append(line)
        if not all(pages):
            raise ContentError(f"{where}: an empty page or an article without a body")
        for required in ("slug", "title", "section", "published", "authors"):
            if not headers.get(required):
                raise ContentError(f"{where}: header {required!r} is required")
        inline: list[tuple[int, str]] = []
        for item in headers.get("inline", "").split():
            pos, _, target = item.partition("=")
            inline.append((int(pos), target))
        options = dict(
            opt.split("=", 1) for opt in headers.get("option", "").split(",") if "=" in opt
        )
        articles.append(Article(
            site=site,
            id=art_id,
            slug=headers["slug"],
            title=headers["title"],
            section=headers["section"],
            published=_parse_published(headers["published"], where),
            authors=_split_list(headers["authors"]),
            editor=headers.get("editor") or None,
            dateline=headers.get("dateline") or None,
            signoff=headers.get("signoff") or None,
            tags=_split_list(headers.get("tags", "")),
            related=tuple(headers.get("related", "").split()),
            inline=tuple(inline),
            caption=headers.get("caption") or None,
            pages=tuple(tuple(p) for p in pages),
            options=options,
            region=headers.get("region") or None,
            story=headers.get("story") or None,
        ))
    _check(site, articles, source)
    return articles


def _check(site: str, articles: list[Article], source: str) -> None:
    ids = [a.id for a in articles]
    if len(set(ids)) != len(ids):
        raise ContentError(f"{source}: duplicate article ids")
    slugs = [a.slug for a in articles]
    if len(set(slugs)) != len(slugs):
        raise ContentError(f"{source}: duplicate slugs")
    known = set(ids)
    for art in articles:
        for target in (*art.related, *(t for _, t in art.inline)):
            if target not in known:
                raise ContentError(f"{source}: article {art.id} links to unknown {target!r}")
            if target == art.id:
                raise ContentError(f"{source}: article {art.id} links to itself")
        for pos, _ in art.inline:
            if not 1 <= pos < len(art.paragraphs):
                raise ContentError(
                    f"{source}: article {art.id}: inline position {pos} out of range")


@cache
def load_articles(site: str) -> tuple[Article, ...]:
    """The bundled articles of one outlet (parsed once per process; they never change)."""
    path = CONTENT_DIR / f"{site}.txt"
    return tuple(parse_articles(site, path.read_text(encoding="utf-8"), str(path)))
