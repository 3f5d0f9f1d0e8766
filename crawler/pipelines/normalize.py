"""The first pipeline: every text field cleaned and capped, dates with an offset, canonical
URLs, word count and content hash (`NormalizePipeline`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Self
from zoneinfo import ZoneInfo

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from archive import PUBLISHED_PRECISIONS, content_hash, signoff_codes
from crawler.pipelines.itemfields import crawl_stats, has_field, item_fields
from crawler.pipelines.textclean import (
    FIELD_LIMITS,
    SHORT_MAX_CHARS,
    TITLE_MAX_CHARS,
    cap,
    clean_body,
    clean_list,
    clean_text,
    count_words,
    with_offset,
)
from crawler.sites import SiteProfile, spider_profiles
from crawler.urls import canonical_url

_UTC = ZoneInfo("UTC")

RELATED_TEXT_MEMO = 4096
"""Related headlines and block labels whose cleaned form is kept (`NormalizePipeline`): a
box of the outlet's latest or most-read headlines recurs on every page of a crawl, ten or so
titles an article, each cleaned once instead of on every page."""


class NormalizePipeline:
    """Unicode NFC, whitespace, entities, invisible and control characters in every text
    field, short fields cut to their limit (`FIELD_LIMITS`, counted as
    `normalize/truncated/<field>`); dates
    given their outlet's offset when they have none; canonical URLs for the article and its
    related links; word count and content hash."""

    def __init__(self, stats: StatsCollector, profiles: Mapping[str, SiteProfile]) -> None:
        self.stats = stats
        self.profiles = profiles
        self._related_text: dict[str, str] = {}
        """Raw related title or block label -> `clean_text` of it (`RELATED_TEXT_MEMO`)."""

    def _clean_related(self, value: str) -> str:
        found = self._related_text.get(value)
        if found is None:
            if len(self._related_text) >= RELATED_TEXT_MEMO:
                self._related_text.clear()
            found = self._related_text[value] = clean_text(value)
        return found

    @staticmethod
    def _canonical_link(url: str, profile: SiteProfile | None) -> str:
        """A related link's canonical URL (the same headlines recur on many pages:
        `canonical_url` remembers them, `CANONICAL_MEMO_SIZE`)."""
        owns = profile.owns if profile else None
        home = profile.home_host if profile and profile.owns(url) else None
        return canonical_url(url, owns=owns, home_host=home)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawl_stats(crawler), spider_profiles(crawler))

    def _inc(self, key: str) -> None:
        self.stats.inc_value(key)

    def _capped(self, name: str, value: str, limit: int | None = None) -> str:
        """`value` within its field's limit (`FIELD_LIMITS`), counted when cut."""
        value, cut = cap(value, limit if limit is not None else FIELD_LIMITS[name])
        if cut:
            self._inc(f"normalize/truncated/{name}")
        return value

    def process_item(self, item: Any) -> Any:
        adapter = item_fields(item)
        profile = self.profiles.get(adapter.get("source") or "")
        owns: Callable[[str], bool] | None = profile.owns if profile else None
        home_host = profile.home_host if profile else None
        tz = profile.tz if profile else _UTC

        adapter["url"] = canonical_url(adapter["url"], owns=owns, home_host=home_host)
        for name in ("title", "published_raw", "dateline", "editor", "reporter", "signoff",
                     "signoff_raw", "section"):
            value = adapter.get(name)
            if isinstance(value, str):
                adapter[name] = self._capped(name, clean_text(value)) or None
        if has_field(adapter, "signoff_codes"):  # of the sign-off as cleaned
            adapter["signoff_codes"] = signoff_codes(adapter.get("signoff"))
        body = adapter.get("body")
        adapter["body"] = clean_body(body) if isinstance(body, str) else None
        for name in ("authors", "tags", "captions"):
            if has_field(adapter, name):
                values = clean_list(adapter.get(name) or [])
                limit = FIELD_LIMITS[name]
                if any(len(v) > limit for v in values):
                    self._inc(f"normalize/truncated/{name}")
                    values = list(dict.fromkeys(cap(v, limit)[0] for v in values))
                adapter[name] = values
        language = adapter.get("language")
        language = clean_text(language).lower() if isinstance(language, str) else ""
        adapter["language"] = (self._capped("language", language) if language
                               else (profile.language if profile else None))
        for name in ("published_at", "modified_at"):
            raw = adapter.get(name)
            fixed = with_offset(raw, tz)
            if raw and fixed is None:
                self._inc(f"normalize/{name}_unparsed")
            adapter[name] = fixed
        if not adapter.get("published_at"):
            self._inc("normalize/no_date")
        if has_field(adapter, "published_precision"):
            precision = adapter.get("published_precision")
            if precision is not None and precision not in PUBLISHED_PRECISIONS:
                self._inc("normalize/published_precision_unknown")
                precision = None
            # a precision says what the date is worth: none without a date
            adapter["published_precision"] = precision if adapter.get("published_at") else None
        adapter["fetched_at"] = with_offset(adapter.get("fetched_at"), _UTC)

        related = []
        for link in adapter.get("related") or []:
            if not isinstance(link, Mapping) or not isinstance(link.get("url"), str):
                continue
            related.append({
                "url": self._canonical_link(link["url"], profile),
                "title": (self._capped("related_title", self._clean_related(link["title"]),
                                       TITLE_MAX_CHARS)
                          if isinstance(link.get("title"), str) else None),
                "block": (self._capped("related_block", self._clean_related(link["block"]),
                                       SHORT_MAX_CHARS) or None
                          if isinstance(link.get("block"), str) else link.get("block")),
                "position": link.get("position"),
            })
        adapter["related"] = related

        body_text = adapter.get("body") or ""
        adapter["word_count"] = count_words(body_text)
        adapter["content_hash"] = content_hash(adapter.get("title") or "", body_text)
        return item
