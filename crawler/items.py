"""The article item: what one news article becomes after extraction, before the archive.

A dataclass, so Scrapy components read and write it through `itemadapter`. It holds data only
(never a Response); every field that comes from the page has its raw form beside the normalized
one where the two differ (`published_raw` beside `published_at`), and `provenance` says which
extraction stage gave each field.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class RelatedLink:
    """One related headline shown on an article page, in page order."""

    url: str
    """Canonical URL of the headline's target."""
    title: str
    """The anchor text as shown."""
    block: str | None = None
    """Label of the block it sits in (`Baca Juga`, `Berita Terkait`, `inline`, ...)."""
    position: int = 0
    """0-based position on the page, in reading order over all blocks."""


@dataclass
class ArticleItem:
    """One news article, ready for the pipelines (normalize -> validate -> dedupe -> archive)."""

    url: str
    """Canonical URL: the dedupe key (same-outlet `rel=canonical`, tracking, AMP and page parts
    folded; see `crawler.urls.canonical_url`)."""
    source: str
    """Key of the outlet profile the article was crawled for (`kaltimpost`)."""
    fetched_url: str | None = None
    """The URL actually fetched (after redirects) for the first part of the article."""
    title: str | None = None
    """Headline as shown on the page."""
    body: str | None = None
    """Article text: paragraphs separated by one blank line; dateline, sign-off, `Baca Juga`
    lines, captions and staff lines taken out into their own fields."""
    body_status: str | None = None
    """How whole the body is (set by the validate pipeline): `ok`; `short` (fewer than
    `crawler.pipelines.validate.SHORT_BODY_WORDS` words); `missing` (an article page with a
    title and a date whose body no extraction stage could read: `body` is then empty). The
    reason of a body that is not `ok` is in `provenance`. Later crawls fetch such an article
    again."""
    published_at: str | None = None
    """Publication instant, ISO 8601 with its UTC offset (`2023-05-23T10:15:00+08:00`)."""
    published_raw: str | None = None
    """The publication date as shown on the page, before parsing."""
    published_precision: str | None = None
    """What `published_at` is worth: `time` when the page gave a time of day; `day` when it
    gave only the date (`published_at` is then midnight in the outlet's zone, a placeholder,
    not a time: count such articles by day only); `relative` when it was computed from a
    relative form (`2 jam lalu`, `kemarin 10:15`) against the fetch time, so approximate.
    None when there is no date (and for articles archived before warta recorded it)."""
    modified_at: str | None = None
    """Last modification instant, ISO 8601 with offset, when the page gives one."""
    dateline: str | None = None
    """Place at the head of the body (`SAMARINDA`, `Balikpapan (ANTARA)`)."""
    authors: list[str] = field(default_factory=list)
    """Author names, in page order."""
    editor: str | None = None
    """`Editor:` line value."""
    reporter: str | None = None
    """`Pewarta:` / `Reporter:` / `Penulis:` line value."""
    signoff: str | None = None
    """Sign-off code from the end of the body as printed, without its brackets (`*/han`,
    `ant/kpl`, `adv/rz`, `Adv`)."""
    signoff_raw: str | None = None
    """The sign-off as shown (`(*/han)`, `(Adv).`)."""
    signoff_codes: list[str] = field(default_factory=list)
    """The editors' codes in the sign-off (`han` from `*/han`, `rz` from `adv/rz`; none from
    `Adv`): `archive.signoff_codes`."""
    section: str | None = None
    """Rubric or section name (`Samarinda`, `Politik`)."""
    tags: list[str] = field(default_factory=list)
    """Tags or keywords the page lists."""
    language: str | None = None
    """BCP 47 language code of the article (`id`)."""
    captions: list[str] = field(default_factory=list)
    """Photo captions taken out of the body."""
    related: list[dict[str, Any]] = field(default_factory=list)
    """Related headlines in page order: dicts with `url`, `title`, `block`, `position`
    (the shape of `RelatedLink`)."""
    provenance: dict[str, str] = field(default_factory=dict)
    """Field name -> extraction stage that gave it (`jsonld`, `meta`, `selector`, `generic`,
    ...)."""
    fetched_at: str | None = None
    """When the first part was fetched, ISO 8601 in UTC."""
    http_status: int | None = None
    """HTTP status of the first part's response."""
    word_count: int | None = None
    """Words in `body` (set by the normalize pipeline)."""
    content_hash: str | None = None
    """SHA-256 of the normalized title and body (set by the normalize pipeline): the archive
    compares it to tell an edited article from an unchanged one."""
    parts: int = 1
    """How many pages the article was stitched from."""
    checks: dict[str, Any] | None = None
    """For the refresh schedule (`crawler.refresh`): the `etag` and `last_modified` the
    outlet sent with the page (as sent; none that cannot be trusted) and `next_check_at`, when
    the article is next checked for edits (ISO 8601 in UTC; None: no check left). Kept in the
    archive's `article_checks`, not in the article."""
    captures: list[dict[str, Any]] | None = None
    """Where each page of the article is kept as fetched, in page order: the WARC file,
    offset and length of its record (`archive.CaptureRef.as_dict`); None when not captured."""


ITEM_FIELDS = tuple(f.name for f in fields(ArticleItem))

def item_from_extraction(data: dict[str, Any], *, source: str, http_status: int | None,
                         fetched_at: str | None, parts: int = 1) -> ArticleItem:
    """Build an item from `crawler.extract.extract_article` output (extra keys are ignored)."""
    known = {k: v for k, v in data.items() if k in ITEM_FIELDS and v is not None}
    known.pop("source", None)
    known["source"] = source
    known["http_status"] = http_status
    known.setdefault("fetched_at", fetched_at)
    known["parts"] = parts
    for list_field in ("authors", "tags", "captions", "related"):
        value = known.get(list_field)
        if isinstance(value, str):
            known[list_field] = [value]
    return ArticleItem(**known)
