"""One item per canonical URL in a crawl, each related link once per page (`DedupePipeline`)."""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler.extract.related import collapse_related
from crawler.pipelines.itemfields import crawl_stats, item_fields


class DedupePipeline:
    """One item per canonical URL in a crawl (`dedupe/dropped/duplicate_url`), and each related
    link once per page (`dedupe/related_collapsed`, `dedupe/related_self`). Across crawls the
    archive keeps one row per URL and one `links` row per target."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawl_stats(crawler))

    def open_spider(self) -> None:
        self.seen = set()

    def process_item(self, item: Any) -> Any:
        adapter = item_fields(item)
        stats = self.stats
        url = adapter["url"]
        if url in self.seen:
            stats.inc_value("dedupe/dropped/duplicate_url")
            raise DropItem(f"duplicate of an article already crawled: {url}", log_level="DEBUG")
        self.seen.add(url)
        related, collapsed, self_links = collapse_related(adapter.get("related") or [], url)
        adapter["related"] = related
        if collapsed:
            stats.inc_value("dedupe/related_collapsed", collapsed)
        if self_links:
            stats.inc_value("dedupe/related_self", self_links)
        return item
