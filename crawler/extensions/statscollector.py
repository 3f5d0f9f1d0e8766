"""The crawl's stats collector (`STATS_CLASS`), and the stats in a form JSON can hold."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import MemoryStatsCollector


class WartaStatsCollector(MemoryStatsCollector):
    """Scrapy's default stats collector, with plain attribute access.

    Since Scrapy 2.13 `StatsCollector.__getattribute__` runs on every attribute access (the
    collector's own `self._stats` included): it tries a `_cached_<name>` attribute (an
    AttributeError raised and caught for most names) and wraps each stats method in a check
    that warns when a `spider` argument is passed. A crawl makes about 25 stats calls a page
    (Scrapy's downloader, scheduler and scraper, and warta's counts), and that machinery cost
    about 2% of the crawl process's time on bench/crawl.py. The methods, their arguments
    (`spider` still accepted, now without the deprecation warning) and the stats are
    Scrapy's.

    It also records `cpu_time_seconds` beside Scrapy's `elapsed_time_seconds`: the CPU time
    (user and system, every thread) of the crawl process between the spider's opening and its
    closing, start-up and the archive's work after the crawl left out, so a crawl's cost
    per page can be told apart from the machine's load (`bench/crawl.py`). Extraction workers
    are other processes and count apart (`extract/worker_cpu_seconds`)."""

    __getattribute__ = object.__getattribute__

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._cpu_started: float | None = None
        # connected before the extensions and pipelines (Scrapy builds the collector first),
        # so the window closes before their own closing work
        crawler.signals.connect(self._cpu_open, signal=signals.spider_opened)
        crawler.signals.connect(self._cpu_close, signal=signals.spider_closed)

    def _cpu_open(self, spider: Spider) -> None:
        self._cpu_started = time.process_time()

    def _cpu_close(self, spider: Spider, reason: str) -> None:
        if self._cpu_started is not None:
            self.set_value("cpu_time_seconds",
                           round(time.process_time() - self._cpu_started, 3))


def jsonable(stats: Mapping[str, Any]) -> dict[str, Any]:
    """Scrapy stats with datetimes as ISO text, sorted by key, ready for JSON."""
    out: dict[str, Any] = {}
    for key in sorted(stats):
        value = stats[key]
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        elif not isinstance(value, int | float | str | bool | type(None) | list | dict):
            value = str(value)
        out[key] = value
    return out
