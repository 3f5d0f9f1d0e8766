"""Whether an item is an article, and how whole its body is (`ValidatePipeline`)."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler.extract.body import JSONLD_BODY_MIN_WORDS
from crawler.pipelines.itemfields import crawl_stats, has_field, item_fields
from crawler.pipelines.textclean import count_words

SHORT_BODY_WORDS = JSONLD_BODY_MIN_WORDS
"""A body of fewer words than this is archived as `short` (`body_status`): the bound under
which extraction itself takes a JSON-LD `articleBody` for a teaser, not the article (30
words; regional news runs 80-150). A short body is often a body chain that caught only a
lead or a caption: the article is kept, marked, and read again by a later crawl."""

INCOMPLETE_PARTS = "incomplete:"
"""How `provenance` `parts` begins for a multi-page article stitched with a part missing
(`crawler/spiders/articleparts.py`): its `body_status` is `incomplete`."""

class ValidatePipeline:
    """Judge whether an item is an article, and how whole its body is.

    No title: not an article, dropped (`validate/dropped/no_title`). A title but no body:
    archived as `body_status = 'missing'` when the page gave a publication date (an article
    page whose body the rules could not read: its title, date and author are worth keeping,
    and a later crawl reads it again), dropped as `no_body` when it gave none either (most
    likely not an article). A multi-page article with a part that could not be read
    (`provenance` `parts`: `incomplete: ...`, `crawler/spiders/articleparts.py`): `incomplete`.
    A body of fewer than `SHORT_BODY_WORDS` words: `short`. Else `ok`.
    The reason of a `missing` or `short` body goes in `provenance` (`body`: `missing: why`;
    `body_status`: `short: N words`). Counted: `validate/dropped/<reason>` and
    `site/<key>/dropped`; `validate/ok` for every item passed on, `validate/body_missing`,
    `validate/body_short`, `validate/body_incomplete` and
    `site/<key>/body_missing|body_short|body_incomplete` among them.

    Before judging, it counts per site how many articles read had a date, a body and an author
    (`site/<key>/with_date|with_body|with_author`): the figures `warta health` watches."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawl_stats(crawler))

    def process_item(self, item: Any) -> Any:
        adapter = item_fields(item)
        site = adapter.get("source")
        body = adapter.get("body")
        dated = adapter.get("published_at")
        for name, present in (("with_date", dated),
                              ("with_body", body),
                              ("with_author", adapter.get("authors"))):
            if present:
                self.stats.inc_value(f"site/{site}/{name}")
        reason = None
        if not adapter.get("title"):
            reason = "no_title"
        elif not body and not dated:
            reason = "no_body"
        if reason is None:
            status = body_status(adapter)
            if has_field(adapter, "body_status"):
                adapter["body_status"] = status
            if status != "ok":
                self.stats.inc_value(f"validate/body_{status}")
                self.stats.inc_value(f"site/{site}/body_{status}")
            self.stats.inc_value("validate/ok")
            return item
        self.stats.inc_value(f"validate/dropped/{reason}")
        self.stats.inc_value(f"site/{site}/dropped")
        where = adapter.get("fetched_url") or adapter.get("url")
        raise DropItem(f"{reason.replace('_', ' ')}: {where}", log_level="WARNING")


def body_status(fields: MutableMapping[str, Any]) -> str:
    """`ok`, `short`, `incomplete` or `missing` for an article's body, writing the reason of a
    body that is not `ok` into its `provenance` and an empty body as `""` (the archive's form
    of "no body"). An empty body is `missing` whatever else; a multi-page article stitched
    with a part missing is `incomplete` (its `provenance` `parts` says which: the reason is
    there already), however many words it has; else under `SHORT_BODY_WORDS` words,
    `short`."""
    body = fields.get("body") or ""
    provenance = fields.get("provenance")
    if not isinstance(provenance, dict):
        provenance = {}
        if has_field(fields, "provenance"):
            fields["provenance"] = provenance
    if not body:
        fields["body"] = ""
        stage = provenance.get("body")
        provenance["body"] = (
            f"missing: the {stage} body was empty once cleaned" if stage
            else "missing: no stage of the body chain (profile selector, density rules, "
                 "JSON-LD articleBody) found article text")
        return "missing"
    parts = provenance.get("parts")
    if isinstance(parts, str) and parts.startswith(INCOMPLETE_PARTS):
        return "incomplete"
    words = fields.get("word_count")
    if not isinstance(words, int):
        words = count_words(body)
    if words < SHORT_BODY_WORDS:
        provenance["body_status"] = f"short: {words} words (under {SHORT_BODY_WORDS})"
        return "short"
    return "ok"
