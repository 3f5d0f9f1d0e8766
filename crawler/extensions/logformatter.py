"""How Scrapy's per-response and per-item log lines are written (`LOG_FORMATTER`)."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure

_ENGINE_LOG = logging.getLogger("scrapy.core.engine")
_SCRAPER_LOG = logging.getLogger("scrapy.core.scraper")
"""Where Scrapy writes the `Crawled` and `Scraped` lines (the loggers of its engine and
scraper modules)."""


class WartaLogFormatter(LogFormatter):
    """Scrapy's log lines, with dropped and scraped items named by URL instead of printed whole
    (an article body would fill the log). The DEBUG lines for each response and item are not
    even built when their logger would drop them (Scrapy calls the formatter first)."""

    # Scrapy skips the line when a formatter returns None (its docs say so; its types do not)
    def crawled(self, request: Any, response: Response,  # type: ignore[override]
                spider: Spider | None = None) -> LogFormatterResult | None:
        if not _ENGINE_LOG.isEnabledFor(logging.DEBUG):
            return None
        return super().crawled(request, response, spider)  # type: ignore[arg-type]

    def dropped(self, item: Any, exception: BaseException, response: Response | Failure | None,
                spider: Spider | None = None) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)  # type: ignore[arg-type]
        result["msg"] = "Dropped (%(exception)s)"
        result["args"] = {"exception": exception}
        return result

    def scraped(self, item: Any,  # type: ignore[override]
                response: Response | Failure | None,
                spider: Spider | None = None) -> LogFormatterResult | None:
        if not _SCRAPER_LOG.isEnabledFor(logging.DEBUG):
            return None
        result = super().scraped(item, response, spider)  # type: ignore[arg-type]
        url = ItemAdapter(item).get("url") if ItemAdapter.is_item(item) else None
        result["msg"] = "Scraped %(url)s"
        result["args"] = {"url": url}
        return result
