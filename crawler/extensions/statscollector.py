"""The crawl's stats collector (`STATS_CLASS`), and the stats in a form JSON can hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

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
    Scrapy's."""

    __getattribute__ = object.__getattribute__


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
