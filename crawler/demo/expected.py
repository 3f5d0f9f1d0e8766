"""What a correct extraction must give for each demo article, derived from the content data.

Conventions (the same for every outlet):

- `url`: the canonical URL (no tracking parameters, no AMP or page variant).
- `published_at`: ISO 8601 with the offset the page shows (`+08:00` for WITA, `+07:00` for the
  few WIB stories); compare instants, not strings, when a normalizer may convert zones.
  `published_precision` is `"minute"` when the page shows a time, `"day"` when it shows only a
  day (legacy pages with `Selasa (23/5)` in the text and nothing else): then `published_at` is
  midnight of that day in the outlet's zone and only `published_date` is meant to be compared.
- `dateline`: the place in upper case (`SAMARINDA`); `dateline_raw`: as shown.
- `signoff`: the code in the parentheses as printed (`(*/han)` -> `*/han`, `(rw/hs)` ->
  `rw/hs`); `signoff_raw`: as shown.
- `body`: the paragraphs without the dateline, the sign-off, `Baca Juga` lines, captions and
  `Editor:` / `Pewarta:` lines, separated by a blank line; `body_first_sentence` and
  `body_last_sentence` come from it (so they exclude the dateline and the sign-off).
- `related`: the related headlines in page order, each canonical URL once (first occurrence
  wins): `url`, `title`, `label` (the block's label as shown: `Baca Juga`, `Berita Terkait`;
  None for the legacy list above the title, which has none) and `block`, the label as a key
  (`baca-juga`, `berita-terkait`; `above-title` for the unlabelled list above the title).
  `related_count` = its length.
- `pages`: the number of parts of a multi-page article (1 otherwise).
- `region`: the regency or city the article is about, as a reader names it; `story`: the
  shared story it belongs to when several outlets ran it (None: a story of its own).
- `channels`: where the crawl can discover the article (`sitemap`, `news_sitemap`, `feed`,
  `listing`, `related`); an article whose only channel is `related` is reached only by
  following related headlines.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.demo.model import Article
from crawler.demo.site import Outlet, Snapshot
from crawler.demo.templates import iso

_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”]))\s+(?=[\"“]?[A-Z])")


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences at `.`, `!` or `?` followed by a capital letter.

    The demo texts avoid abbreviations with a period before a capital (`dr. Andi`), so this
    simple rule is exact for them (a test in tests/test_mockserver.py keeps it so).
    """
    return [s for s in _SENTENCE_END.split(paragraph.strip()) if s]


ABOVE_TITLE = "above-title"
"""Block key of a related-headline list above the title that shows no label."""


def block_key(label: str | None) -> str:
    """`Berita Terkait` -> `berita-terkait`; no label (list above the title) -> `above-title`."""
    if not label:
        return ABOVE_TITLE
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def expected_article(outlet: Outlet, art: Article, snap: Snapshot) -> dict[str, Any]:
    parts = outlet.expected_parts(art, snap)
    related: list[dict[str, str | None]] = []
    seen: set[str] = set()
    for target_id, label in parts.pop("related_ids"):
        target = snap.get(target_id)
        url = outlet.article_url(target)
        if url in seen:
            continue
        seen.add(url)
        related.append({"url": url, "title": target.title, "label": label,
                        "block": block_key(label)})
    channels = list(parts["channels"])
    if "related" not in channels and art.id in snap.linked:
        channels.append("related")
    paragraphs = art.paragraphs
    precision = parts["published_precision"]
    published = art.published
    if precision == "day":
        published = published.replace(hour=0, minute=0, second=0)
    return {
        "site": art.site,
        "id": art.id,
        "url": outlet.article_url(art),
        "title": art.title,
        "published_at": iso(published),
        "published_date": published.date().isoformat(),
        "published_precision": precision,
        "published_raw": parts["published_raw"],
        "modified_at": iso(art.modified) if art.modified else None,
        "dateline": art.dateline.upper() if art.dateline else None,
        "dateline_raw": parts["dateline_raw"],
        "authors": list(art.authors),
        "editor": art.editor,
        "signoff": art.signoff,
        "signoff_raw": parts["signoff_raw"],
        "section": art.section,
        "tags": list(art.tags),
        "language": "id",
        "caption": art.caption,
        "body": "\n\n".join(paragraphs),
        "body_paragraphs": len(paragraphs),
        "body_first_sentence": sentences(paragraphs[0])[0],
        "body_last_sentence": sentences(paragraphs[-1])[-1],
        "related": related,
        "related_urls": [r["url"] for r in related],
        "related_count": len(related),
        "pages": parts["pages"],
        "channels": channels,
        "encoding": parts["encoding"],
        "generated": art.generated,
        "region": art.region,
        "story": art.story,
    }
