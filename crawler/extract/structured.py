"""Structured data a page declares about itself: JSON-LD, OpenGraph / `article:*` / common meta
names, and microdata `itemprop`s. Read with a few XPath calls on the parsed tree (C speed).

The JSON-LD reader is lenient the way real pages need: several scripts, lists, `@graph`,
`mainEntity`, types given as lists, trailing commas and raw control characters in strings.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

ARTICLE_TYPES = frozenset(
    {
        "newsarticle",
        "article",
        "reportagenewsarticle",
        "blogposting",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "askpublicnewsarticle",
        "livenblogposting",
        "liveblogposting",
        "report",
        "scholarlyarticle",
        "techarticle",
        "socialmediaposting",
        "discussionforumposting",
        "satiricalarticle",
    }
)
"""schema.org types that describe one article; the first such object on a page is used."""

PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage", "mediagallery", "imagegallery"})
"""Weaker types: used for a headline or date only when no article object exists."""

MAX_JSONLD_DEPTH = 64
"""Nesting (objects and lists) a JSON-LD block may have. Real blocks nest under 10 deep (a
`@graph` of objects holding an author, an image, a publisher's logo); a hostile one nested
200,000 deep made the JSON decoder raise RecursionError and lost the whole page. A deeper
block is skipped (`Structured.too_deep`) and the rest of the page is read."""

_LENIENT_JSON = json.JSONDecoder(strict=False)
"""Raw control characters allowed in strings; made once (`json.loads(..., strict=False)`
builds a decoder on every call)."""
_TRAILING_COMMA = re.compile(r",\s*([\]}])")
_COMMENT = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$")


@dataclass
class Structured:
    """What the page declares: the article's JSON-LD object, meta values and microdata."""

    article: dict[str, Any] = field(default_factory=dict)
    """The first JSON-LD object whose `@type` is an article type."""
    page: dict[str, Any] = field(default_factory=dict)
    """The first JSON-LD `WebPage`-like object (weaker fallback)."""
    meta: dict[str, list[str]] = field(default_factory=dict)
    """Meta values by lower-cased `property` / `name` / `itemprop` / `http-equiv`."""
    links: dict[str, str] = field(default_factory=dict)
    """First `<link rel=...>` href by rel (`canonical`, `amphtml`, `next`, `prev`)."""
    itemprops: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Microdata on non-meta elements: itemprop -> [(tag, value)], value from
    `datetime` / `content` / an `<abbr>`'s `title` (the microformats habit kept by Blogger
    templates) / text."""
    breadcrumbs: list[tuple[str, str]] = field(default_factory=list)
    """The first JSON-LD `BreadcrumbList` as `(name, url)` in position order (url may be
    empty)."""
    too_deep: int = 0
    """JSON-LD blocks skipped because they nest deeper than `MAX_JSONLD_DEPTH`."""
    html_lang: str | None = None
    title: str | None = None
    """The document `<title>`."""

    def first(self, *names: str) -> tuple[str, str] | None:
        """The first non-empty meta value among `names`, as `(name, value)`."""
        for name in names:
            for value in self.meta.get(name, ()):
                value = one_line(value)
                if value:
                    return name, value
        return None


def one_line(value: Any) -> str:
    """A JSON-LD or attribute value as one line of text (entities decoded, spaces collapsed).
    Not `crawler.pipelines.textclean.clean_text`, which also composes Unicode (NFC) and drops
    invisible characters: extraction keeps the text as the page wrote it, the pipeline cleans
    it for storage."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    if "&" in value:
        value = html.unescape(value)
    return " ".join(value.split())


class _TooDeep(Exception):
    """A JSON-LD block nested deeper than `MAX_JSONLD_DEPTH`."""


def _check_depth(data: Any) -> None:
    """Raise `_TooDeep` when `data` nests deeper than `MAX_JSONLD_DEPTH` (iteratively: a
    recursive walk would fail on the very blocks it is looking for)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children = (value.values() if isinstance(value, dict)
                    else value if isinstance(value, list) else None)
        if children is None:
            continue
        if depth > MAX_JSONLD_DEPTH:
            raise _TooDeep
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, dict | list))


def _load_json(text: str) -> Any:
    """A JSON-LD block's value (None when it does not parse); `_TooDeep` when it nests deeper
    than `MAX_JSONLD_DEPTH`."""
    try:
        data = _parse_json(text)
    except RecursionError:
        raise _TooDeep from None
    if text.count("{") + text.count("[") > MAX_JSONLD_DEPTH:
        # each level opens with a bracket of the text: fewer cannot nest too deep, and the
        # walk took longer than the parse on bench/crawl.py's pages
        _check_depth(data)
    return data


def _parse_json(text: str) -> Any:
    text = text.strip()
    text = (
        _COMMENT.sub("", text).strip()
        if ("<!" in text[:20] or "-->" in text[-10:] or "CDATA" in text)
        else text
    )
    if not text:
        return None
    try:
        return _LENIENT_JSON.decode(text)
    except ValueError:
        pass
    try:
        return _LENIENT_JSON.decode(_TRAILING_COMMA.sub(r"\1", text))
    except ValueError:
        return None


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    if isinstance(value, str):
        return {value.rsplit("/", 1)[-1].lower()}
    if isinstance(value, list):
        return {v.rsplit("/", 1)[-1].lower() for v in value if isinstance(v, str)}
    return set()


def _walk_nodes(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object in reading order: top-level lists, `@graph`, `mainEntity`."""
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk_nodes(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart"):
            child = data.get(key)
            if isinstance(child, (list, dict)):
                yield from _walk_nodes(child, depth + 1)


_MICRODATA = etree.XPath("//body//*[@itemprop][not(self::meta)]")
# compiled once: `doc.xpath(text)` compiles its expression on every call


def read_structured(doc: etree._Element) -> Structured:
    """Collect JSON-LD, meta, link rels, microdata, `<html lang>` and `<title>` from a tree."""
    result = Structured()
    root = doc if doc.tag == "html" else doc.getroottree().getroot()
    for script in root.iter("script"):
        # `type` holding `ld+json` in any case: a loop over the scripts took a third of the
        # time of the XPath `contains(translate(@type, ...))` on bench/crawl.py's pages
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        try:
            data = _load_json(script.text or "")
        except _TooDeep:
            result.too_deep += 1
            continue
        for node in _walk_nodes(data):
            kinds = _types(node)
            if not result.article and kinds & ARTICLE_TYPES:
                result.article = node
            elif not result.page and kinds & PAGE_TYPES:
                result.page = node
            elif not result.breadcrumbs and "breadcrumblist" in kinds:
                result.breadcrumbs = _crumbs(node)
    meta = result.meta
    for el in doc.iter("meta"):
        content = el.get("content")
        if content is None:
            charset = el.get("charset")
            if charset:
                meta.setdefault("charset", []).append(charset)
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                meta.setdefault(key.strip().lower(), []).append(content)
    for el in doc.iter("link"):
        rels = (el.get("rel") or "").lower().split()
        href = el.get("href")
        if href:
            for rel in rels:
                result.links.setdefault(rel, href.strip())
    for el in _MICRODATA(doc):
        prop = (el.get("itemprop") or "").strip().lower()
        if not prop:
            continue
        value = el.get("datetime") or el.get("content")
        if value is None and el.tag == "abbr":
            value = el.get("title")  # `<abbr itemprop=datePublished title=ISO>10.15</abbr>`
        if value is None:
            value = _text(el) if el.tag != "link" else el.get("href", "")
        result.itemprops.setdefault(prop, []).append((str(el.tag), one_line(value)))
    result.html_lang = (root.get("lang") or root.get("xml:lang") or "").strip() or None
    title = doc.find(".//title")
    if title is not None:
        result.title = one_line(_text(title)) or None
    return result


def _crumbs(node: dict[str, Any]) -> list[tuple[str, str]]:
    """`(name, url)` of a `BreadcrumbList`'s items, by `position` (the name and URL may sit on
    the `ListItem` or on its `item` object; `item` may be the URL itself)."""
    items = node.get("itemListElement")
    if not isinstance(items, list):
        return []
    found: list[tuple[float, str, str]] = []
    for i, entry in enumerate(items):
        if not isinstance(entry, dict):
            continue
        item = entry.get("item")
        name = entry.get("name")
        url: Any = item if isinstance(item, str) else None
        if isinstance(item, dict):
            name = name or item.get("name")
            url = item.get("@id") or item.get("url")
        try:
            position = float(entry.get("position", i))
        except (TypeError, ValueError):
            position = float(i)
        if name:
            found.append((position, one_line(name), one_line(url or "")))
    return [(name, url) for _, name, url in sorted(found, key=lambda f: f[0])]


def _text(el: etree._Element) -> str:
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


ORGANIZATION_TYPES = frozenset({"organization", "newsmediaorganization", "corporation"})
"""JSON-LD types of a credit that is a body, not a person."""


def jsonld_names(value: Any, organizations: bool = False) -> list[str]:
    """Names from a JSON-LD `author`/`editor`-like value: strings, Person objects or lists.
    A Person without `name` is `givenName familyName`. Organization objects are left out
    unless `organizations`."""
    names: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, str):
            name = one_line(item)
        elif isinstance(item, dict):
            if not organizations and _types(item) & ORGANIZATION_TYPES:
                continue
            raw = item.get("name")
            if not isinstance(raw, str) or not raw.strip():
                parts = (item.get("givenName"), item.get("familyName"))
                raw = " ".join(p for p in parts if isinstance(p, str) and p.strip())
            name = one_line(raw)
        else:
            continue
        if name and not name.startswith(("http://", "https://")):
            names.append(name)
    return names


def jsonld_text(node: dict[str, Any], key: str) -> str | None:
    """A scalar JSON-LD value as text (first item of a list; `@id`/`url` of an object)."""
    value = node.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url") or value.get("name")
    text = one_line(value) if value is not None else ""
    return text or None


def jsonld_list(node: dict[str, Any], key: str) -> list[str]:
    """A JSON-LD list-or-comma-string value (`keywords`) as a list of texts."""
    value = node.get(key)
    if isinstance(value, str):
        return [v for v in (one_line(p) for p in value.split(",")) if v]
    if isinstance(value, list):
        return [v for v in (one_line(p) for p in value if isinstance(p, str)) if v]
    return []
