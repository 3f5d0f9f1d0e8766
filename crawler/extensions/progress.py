"""The live progress line of a crawl on a terminal, and the log handler that clears it."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, Self, TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall


class ProgressAwareHandler(logging.StreamHandler[TextIO]):
    """A log handler that first clears the progress line, so a log record never lands on the
    end of it; the progress line is redrawn at its next tick."""

    progress_active = False

    def emit(self, record: logging.LogRecord) -> None:
        if ProgressAwareHandler.progress_active:
            self.stream.write("\r\033[K")
        super().emit(record)


class ProgressExtension:
    """Redraw one status line on stderr every `WARTA_PROGRESS_INTERVAL` seconds:

        pages 412 | articles 230 (new 200, updated 3) | errors 4 | 18.2 pages/s | 0:22

    On only when `WARTA_PROGRESS` is true (`warta crawl` sets it on a terminal).
    """

    def __init__(self, stats: Any, interval: float, stream: TextIO) -> None:
        self.stats = stats
        self.interval = interval
        self.stream = stream
        self.started = time.monotonic()
        self.task: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("WARTA_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler.stats, crawler.settings.getfloat("WARTA_PROGRESS_INTERVAL"), sys.stderr)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def line(self) -> str:
        get = self.stats.get_value
        elapsed = time.monotonic() - self.started
        pages = int(get("downloader/response_count", 0))
        rate = pages / elapsed if elapsed > 0 else 0.0
        minutes, seconds = divmod(int(elapsed), 60)
        return (f"pages {pages} | articles {int(get('item_scraped_count', 0))} "
                f"(new {int(get('archive/new', 0))}, updated {int(get('archive/updated', 0))}) | "
                f"errors {int(get('errors/total', 0))} | {rate:.1f} pages/s | "
                f"{minutes}:{seconds:02d}")

    def draw(self) -> None:
        self.stream.write("\r\033[K" + self.line())
        self.stream.flush()

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        ProgressAwareHandler.progress_active = True
        self.task = LoopingCall(self.draw)
        self.task.start(self.interval, now=True)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.draw()
        self.stream.write("\n")
        self.stream.flush()
        ProgressAwareHandler.progress_active = False
