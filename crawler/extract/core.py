"""One saved page in, every field out: `extract_article` and `merge_parts`.

This module only orchestrates: the page is parsed once (`context.parse_html`), its structured
data read with a few XPath calls (`structured.py`) and its body walked once (`page.walk`); then
the field chains run in the order written in `extract_article`, each in a module of its own
with its stages in its docstring and its thresholds beside it: `layout.py` (body root, article
footer, masthead), `title.py`, `published.py` (dates), `people.py`, `body.py`, `captions.py`,
`section.py` (section, tags, language), `related.py`, `address.py` (canonical URL, next
parts). The stage that gave a value is recorded in `provenance` (`jsonld`, `opengraph`,
`meta`, `microdata`, `time`, `profile`, `generic`, `text`, `url`, `fetched`).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from archive import signoff_codes
from crawler.extract import date_fallback, second_opinion
from crawler.extract import dates as D
from crawler.extract.address import declared_url, next_pages, single_page
from crawler.extract.body import DUPLICATE_MIN_CHARS, extract_body, jsonld_body, with_standfirst
from crawler.extract.captions import extract_captions
from crawler.extract.context import (
    Context,
    apply_profile,
    comparable,
    homepage_netloc,
    outlet_words_of,
    parse_html,
)
from crawler.extract.encoding import decode_html
from crawler.extract.layout import choose_body_root, find_article_footer, unflag_title_boxes
from crawler.extract.page import strip_invisible, walk
from crawler.extract.people import byline_block, extract_people, staff_outside
from crawler.extract.published import extract_modified, extract_published, later, read_dates
from crawler.extract.related import RelatedFinder, collapse_related
from crawler.extract.section import extract_language, extract_section, extract_tags
from crawler.extract.structured import read_structured
from crawler.extract.title import extract_title, without_kicker
from crawler.extract.words import word_count
from crawler.sites import SiteProfile, validate_selectors
from crawler.urls import canonical_url

__all__ = ["RESULT_KEYS", "extract_article", "merge_parts", "validate_selectors"]

RESULT_KEYS = (
    "url", "fetched_url", "title", "published_at", "published_raw", "published_precision",
    "modified_at", "dateline", "dateline_raw", "authors", "editor", "reporter", "signoff",
    "signoff_raw", "signoff_codes", "section", "tags", "language", "body", "captions", "related",
    "next_pages", "single_page", "word_count", "provenance",
)  # fmt: skip
"""Keys of `extract_article`'s result, in output order (the item's field names)."""


def _empty_result(url: str, canonical: str) -> dict[str, Any]:
    result: dict[str, Any] = dict.fromkeys(RESULT_KEYS)
    result.update(
        url=canonical,
        fetched_url=url,
        authors=[],
        tags=[],
        captions=[],
        related=[],
        next_pages=[],
        single_page=None,
        word_count=0,
        provenance={},
    )
    return result


def extract_article(
    html: bytes | str,
    url: str,
    *,
    profile: SiteProfile | None = None,
    fetched_at: datetime | None = None,
    encoding: str | None = None,
    date_hint: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Read one article page into the item's fields (keys: `RESULT_KEYS`).

    `html` is the page as fetched (bytes: decoded by `encoding.decode_html`, honouring a BOM,
    `encoding` (the HTTP charset) and the page's own declaration, checked against the bytes);
    `url` the URL it was fetched from; `profile` the outlet's profile (timezone, selectors,
    domains); `fetched_at` anchors relative dates and missing years (default: now). Without a
    profile the zone is WIB (Asia/Jakarta) unless the page shows one, and "same outlet" means
    the same host as `url`. `date_hint` is `(ISO 8601 time, where)`: the publication time
    discovery saw beside the page's link (`listing`, `feed`, `sitemap`), which completes a
    page date shown without a year or a time of day (`published.complete_from_hint`).
    """
    fetched = fetched_at or datetime.now(UTC)
    if fetched.tzinfo is None:
        fetched = fetched.replace(tzinfo=UTC)
    text, used = (html, None) if isinstance(html, str) else decode_html(html, encoding)
    owns = profile.owns if profile is not None else None
    home = homepage_netloc(profile)
    visible = strip_invisible(text)
    doc = parse_html(visible, _utf8_bytes(html, used, text, visible))
    if doc is None:
        return _empty_result(url, canonical_url(url, owns=owns, home_host=home))

    structured = read_structured(doc)
    selected = apply_profile(doc, profile)
    track = frozenset(el for els in selected.values() for el in els)
    page = walk(doc, track)
    site_name = structured.first("og:site_name")
    ctx = Context(
        url=url,
        structured=structured,
        page=page,
        profile=profile,
        tz=D.zone(profile.timezone if profile is not None else None),
        fetched_at=fetched,
        outlet_words=outlet_words_of(url, profile, site_name[1] if site_name else None),
        selected=selected,
        doc_body=doc.find("body"),
        date_hint=_date_hint(date_hint),
    )

    if structured.too_deep:  # a JSON-LD block skipped, the rest of the page read
        ctx.provenance["jsonld"] = "skipped_too_deep"
    declared, url_stage = declared_url(ctx)
    canonical = canonical_url(url, declared, owns=owns, home_host=home)
    if declared is None or canonical != canonical_url(declared, owns=owns, home_host=home):
        url_stage = "fetched"
    ctx.provenance["url"] = url_stage

    choose_body_root(ctx)  # first: it decides which wrappers' flags are layout words
    title = ctx.title_text = without_kicker(ctx, extract_title(ctx))
    unflag_title_boxes(ctx)
    find_article_footer(ctx)
    # lines read as fields before the body is cut, so they are left out of it
    modified_at = extract_modified(ctx)
    readings = read_dates(ctx)
    staff_around = staff_outside(ctx)
    byline = byline_block(ctx)
    if byline is not None:
        ctx.consumed.add(byline[0].index)
    body = extract_body(ctx, title)
    if not body.text:
        body = jsonld_body(ctx, body)
    # >>> second opinion (crawler/extract/second_opinion.py): last stage of the body chain
    body = second_opinion.review(ctx, body, title, text, extract_body)
    body = with_standfirst(ctx, body)
    # <<< second opinion
    authors, editor, reporter = extract_people(ctx, body.staff + staff_around, byline)
    published_at, published_raw, published_precision = extract_published(
        ctx, readings, body.text.split("\n\n") if body.text else []
    )
    # >>> date fallback (crawler/extract/date_fallback.py): last stages of the date chain
    published_at, published_raw, published_precision = date_fallback.review(
        ctx, (published_at, published_raw, published_precision), text, body.text, readings
    )
    # <<< date fallback
    if modified_at and published_at and (
        not later(modified_at, published_at)
        or (readings.strong is not None and not later(modified_at, readings.strong.parsed.iso()))
    ):
        # `dateModified` = `datePublished` (also when the shown date corrected the markup's
        # zone: the copy carries the same wrong zone): never modified
        modified_at = None
        ctx.provenance.pop("modified_at", None)

    if body.dateline is not None and body.dateline.place:
        ctx.provenance["dateline"] = "text"
    if body.signoff is not None:
        ctx.provenance["signoff"] = "text"
    if not body.text:
        ctx.provenance.pop("body", None)
    language = extract_language(ctx, body.text)

    page_host = (urlsplit(url).hostname or "").lower()

    def same_outlet(link: str) -> bool:
        if profile is not None:
            return profile.owns(link)
        return (urlsplit(link).hostname or "").lower() == page_host

    def canon(link: str) -> str:
        # remembered between pages by `canonical_url` (headline boxes repeat their links)
        return canonical_url(link, home_host=home)

    finder = RelatedFinder(
        page,
        base_url=url,
        same_outlet=same_outlet,
        canonical=canon,
        self_urls={canonical, canon(url)},
    )
    finder.labelled_boxes()
    finder.inline_lines()
    finder.above_title(ctx.title_index)
    finder.related_regions()
    if "related" in selected:
        finder.from_elements(selected["related"])
    related = finder.result()
    if related:
        ctx.provenance["related"] = "profile" if "related" in selected else "generic"

    result = _empty_result(url, canonical)
    result.update(
        title=title,
        published_at=published_at,
        published_raw=published_raw,
        published_precision=published_precision,
        modified_at=modified_at,
        dateline=body.dateline.place.upper() if body.dateline and body.dateline.place else None,
        dateline_raw=body.dateline.raw if body.dateline else None,
        authors=authors,
        editor=editor,
        reporter=reporter,
        signoff=body.signoff.code if body.signoff else None,
        signoff_raw=body.signoff.raw if body.signoff else None,
        signoff_codes=signoff_codes(body.signoff.code if body.signoff else None),
        section=extract_section(ctx),
        tags=extract_tags(ctx),
        language=language,
        body=body.text,
        captions=extract_captions(ctx, body.captions),
        related=related,
        next_pages=next_pages(ctx, canonical, same_outlet),
        single_page=single_page(ctx, canonical, same_outlet),
        word_count=word_count(body.text),
        provenance=dict(sorted(ctx.provenance.items())),
    )
    return result


def _utf8_bytes(html: bytes | str, used: str | None, text: str, visible: str) -> bytes | None:
    """The fetched bytes when they are the visible page in UTF-8, so the parser can take them
    as they are (else None): decoded as UTF-8 without a BOM and with no byte replaced (a
    lenient decode leaves U+FFFD; a page's own U+FFFD only costs the encoding again),
    nothing stripped since (`strip_invisible` returns the same string)."""
    if (
        visible is text
        and used == "utf-8"
        and isinstance(html, bytes)
        and not html.startswith(codecs.BOM_UTF8)
        and "\ufffd" not in text
    ):
        return html
    return None


def _date_hint(hint: tuple[str, str] | None) -> tuple[datetime, str] | None:
    """`(aware datetime, where)` from the `(ISO 8601, where)` a crawl passes; None when unusable."""
    if not hint:
        return None
    try:
        value = datetime.fromisoformat(hint[0])
    except (TypeError, ValueError):
        return None
    if value.tzinfo is None:
        return None
    return value, str(hint[1])


def _stage_from(merged: dict[str, Any], part: Mapping[str, Any], key: str) -> None:
    """The provenance of a field a later part gave (a sign-off on the last page)."""
    stage = (part.get("provenance") or {}).get(key)
    if stage is not None:
        merged["provenance"] = {**(merged.get("provenance") or {}), key: stage}


def merge_parts(first: dict[str, Any], parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Stitch a multi-page article: the first part's fields, every part's body in order
    (paragraphs a later part repeats from an earlier one dropped), related links from all
    parts (page order, collapsed by URL, positions renumbered), captions and tags joined."""
    merged = dict(first)
    paragraphs: list[str] = (first.get("body") or "").split("\n\n") if first.get("body") else []
    seen = {comparable(p) for p in paragraphs if len(p) >= DUPLICATE_MIN_CHARS}
    related = list(first.get("related") or [])
    captions = list(first.get("captions") or [])
    tags = list(first.get("tags") or [])
    count = 1
    for part in parts:
        count += 1
        for paragraph in (part.get("body") or "").split("\n\n"):
            key = comparable(paragraph)
            if not paragraph or (len(paragraph) >= DUPLICATE_MIN_CHARS and key in seen):
                continue
            seen.add(key)
            paragraphs.append(paragraph)
        related.extend(part.get("related") or [])
        captions.extend(c for c in part.get("captions") or [] if c not in captions)
        tags.extend(t for t in part.get("tags") or [] if t not in tags)
        if not merged.get("signoff") and part.get("signoff"):
            merged["signoff"], merged["signoff_raw"] = part.get("signoff"), part.get("signoff_raw")
            merged["signoff_codes"] = part.get("signoff_codes") or []
            _stage_from(merged, part, "signoff")
        for key in ("editor", "reporter"):
            if not merged.get(key) and part.get(key):
                merged[key] = part[key]
                _stage_from(merged, part, key)
    body = "\n\n".join(paragraphs) or None
    merged.update(
        body=body,
        related=collapse_related(related)[0],
        captions=captions,
        tags=tags,
        next_pages=[],
        single_page=None,
        word_count=word_count(body),
    )
    return merged
