"""warta's Scrapy extensions and the crawl's other Scrapy-wide components, one per module, as
Scrapy lays out its own (`scrapy/extensions/closespider.py`):

- `progress`: `ProgressExtension`, the live line on a terminal (`WARTA_PROGRESS`), and the log
  handler that clears it before a record;
- `statsfile`: `StatsFileExtension`, the final stats as JSON (`WARTA_STATS_FILE`);
- `statscollector`: `WartaStatsCollector` (`STATS_CLASS`) and `jsonable`, the stats as JSON;
- `logformatter`: `WartaLogFormatter` (`LOG_FORMATTER`).

`crawler/settings.py` registers them by these dotted paths.
"""
