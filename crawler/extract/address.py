"""The page's own address: the URL it declares (`declared_url`) and the further parts of a
multi-page article (`next_pages`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin

from crawler.extract.context import Context, homepage_netloc
from crawler.extract.related import repair_href
from crawler.extract.structured import jsonld_text
from crawler.urls import fold_variants, normalize_url, page_number


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

