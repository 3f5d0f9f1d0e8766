"""The crawl's final stats, written as JSON to `WARTA_STATS_FILE`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.extensions.statscollector import jsonable


class StatsFileExtension:
    """Write the crawl's final Scrapy stats as a JSON object to `WARTA_STATS_FILE`."""

    def __init__(self, stats: Any, path: str) -> None:
        self.stats = stats
        self.path = Path(path)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = crawler.settings.get("WARTA_STATS_FILE")
        if not path:
            raise NotConfigured
        ext = cls(crawler.stats, path)
        # When the engine has stopped: every spider_closed handler has run by then, the core
        # stats' finish_reason and the archive pipeline's health figures included.
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_stopped(self) -> None:
        data = jsonable(self.stats.get_stats())
        self.path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n",
                             encoding="utf-8")
