"""The page's own address: the URL it declares (`declared_url`), the further parts of a
multi-page article (`next_pages`) and its single-page view (`single_page`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.extract.context import Context, homepage_netloc
from crawler.extract.related import repair_href
from crawler.extract.structured import jsonld_text
from crawler.urls import PAGE_PARAMS, fold_variants, normalize_url, page_number


def declared_url(ctx: Context) -> tuple[str | None, str]:
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


def next_pages(ctx: Context, canonical: str, same_outlet: Callable[[str], bool]) -> list[str]:
    """URLs of further parts of a multi-page article: links (and `<link rel=next>`) whose URL
    folds into this article's canonical URL with a higher page number, in page order."""
    found: dict[int, str] = {}
    hrefs = [link.href for link in ctx.page.links if _PAGE_HINT.search(link.href)]
    if ctx.structured.links.get("next"):
        hrefs.append(ctx.structured.links["next"])
    if not hrefs:
        return []  # most pages: no link that could number a part
    current = page_number(ctx.url) or 1
    home = homepage_netloc(ctx.profile)
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



SINGLE_PAGE_TEXTS = frozenset({
    "tampilkan semua", "tampilkan semua halaman", "lihat semua", "lihat semua halaman",
    "baca semua", "baca semua halaman", "satu halaman", "tampilkan dalam satu halaman",
    "baca dalam satu halaman", "lihat dalam satu halaman", "show all", "view all",
    "single page", "view as single page", "read all", "all pages",
})
"""Anchor texts (lower-cased, spaces collapsed) of a link to the whole article on one page."""

SINGLE_PAGE_TEXT_CHARS = 60
"""Anchor texts longer than this are headlines, never a `Tampilkan semua` link: not read."""

_SINGLE_VALUES = frozenset({"all", "semua", "full", "single"})
"""Values of a part parameter (`?page=all`) or last path parts (`/all`) that ask for the
whole article on one page."""

_VIEW_PARAMS = frozenset({"view", "show", "single", "showall", "full", "mode"})
"""Other query keys of a single-page view (`?single=1`, `?showall=1`, `?view=all`)."""


def _without_single_marker(url: str) -> str | None:
    """The article URL a single-page view URL stands for (`?page=all`, `/all`, `?showall=1`
    removed), or None when it has no such marker."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs
            if not ((k.lower() in PAGE_PARAMS and v.lower() in _SINGLE_VALUES)
                    or k.lower() in _VIEW_PARAMS)]
    path = parts.path
    last = path.rstrip("/").rsplit("/", 1)
    if len(kept) == len(pairs):
        if len(last) == 2 and last[1].lower() in _SINGLE_VALUES and last[0]:
            path = last[0]
        else:
            return None
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(kept), ""))


def single_page(ctx: Context, canonical: str, same_outlet: Callable[[str], bool]) -> str | None:
    """The URL of the whole article on one page, when the page offers it: a link whose text
    says so (`Tampilkan semua`, `Lihat semua`) or whose URL asks for it (`?page=all`, `/all`),
    that leads to this same article once that request is taken off. A link `Lihat semua` to a
    section (a listing) is not one."""
    targets: set[str] | None = None
    home = homepage_netloc(ctx.profile)
    for link in ctx.page.links:
        href = link.href
        lowered = href.lower()
        marked = "all" in lowered or "semua" in lowered or "single" in lowered \
            or "full" in lowered
        if not marked and (len(link.text) > SINGLE_PAGE_TEXT_CHARS or " ".join(
                link.text.split()).lower() not in SINGLE_PAGE_TEXTS):
            continue
        url = urljoin(ctx.url, repair_href(href)).split("#", 1)[0]
        if not url.startswith(("http://", "https://")) or not same_outlet(url):
            continue
        article = _without_single_marker(url)
        if article is None:
            continue
        if targets is None:
            targets = {canonical, normalize_url(fold_variants(ctx.url, home))}
        if normalize_url(fold_variants(article, home)) in targets:
            return url
    return None
