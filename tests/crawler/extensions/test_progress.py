"""`crawler.extensions.progress`: the live line of a crawl on a terminal."""

from __future__ import annotations

import io
import logging
import re

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.extensions.progress import ProgressAwareHandler, ProgressExtension
from crawler.extensions.statscollector import WartaStatsCollector


def test_off_unless_asked_for() -> None:
    with pytest.raises(NotConfigured):
        ProgressExtension.from_crawler(get_crawler(settings_dict={"WARTA_PROGRESS": False}))


def test_the_line_shows_pages_articles_errors_and_rate() -> None:
    stats = WartaStatsCollector(get_crawler())
    for key, value in (("downloader/response_count", 412), ("item_scraped_count", 230),
                       ("archive/new", 200), ("archive/updated", 3), ("errors/total", 4)):
        stats.set_value(key, value)
    line = ProgressExtension(stats, 1.0, io.StringIO()).line()
    assert re.fullmatch(r"pages 412 \| articles 230 \(new 200, updated 3\) \| errors 4 \| "
                        r"[\d.]+ pages/s \| \d+:\d\d", line), line


def test_a_log_record_clears_the_progress_line_first() -> None:
    stream = io.StringIO()
    handler = ProgressAwareHandler(stream)
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "warned", None, None)
    ProgressAwareHandler.progress_active = True
    try:
        handler.emit(record)
    finally:
        ProgressAwareHandler.progress_active = False
    handler.emit(record)
    assert stream.getvalue() == "\r\033[Kwarned\nwarned\n"
