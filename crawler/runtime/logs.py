"""Where a crawl's log records go: Scrapy's format at `LOG_LEVEL`, to `LOG_FILE` or the
terminal (clearing the progress line first), each network failure as one line."""

from __future__ import annotations

import logging
from typing import TextIO

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from scrapy.settings import Settings
from twisted.internet.error import ConnectError, ConnectionLost
from twisted.internet.error import TimeoutError as TwistedTimeoutError

from crawler.extensions.progress import ProgressAwareHandler
from crawler.runtime.archivestop import REPORTED_BY_CLI

NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    DownloadConnectionRefusedError, CannotResolveHostError, DownloadTimeoutError,
    DownloadFailedError, DownloadCancelledError, ResponseDataLossError,
    ConnectError, TwistedTimeoutError, ConnectionLost,
)
"""Failures that are the state of a site or the network, not a fault in warta."""


class OneLineNetworkErrors(logging.Filter):
    """A network failure is logged once, as one line, never with a traceback.

    Scrapy's robots.txt middleware logs a failed robots.txt with a full traceback; the spider
    requests the same robots.txt itself (for its `Sitemap:` lines) and logs and counts that
    failure with its URL, so the middleware's record is dropped. Any other record of a network
    failure keeps its line and loses the traceback; other exceptions keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None or not isinstance(exc, NETWORK_ERRORS):
            return True
        if record.name == "scrapy.downloadermiddlewares.robotstxt":
            return False
        record.exc_info = None
        record.exc_text = None
        return True


def install_logging(settings: Settings, stream: TextIO) -> logging.Handler:
    """Scrapy's log format at `LOG_LEVEL`, to `LOG_FILE` when set, else to `stream`."""
    log_file = settings.get("LOG_FILE")
    handler: logging.Handler
    if log_file:
        handler = logging.FileHandler(log_file, mode="a" if settings.getbool("LOG_FILE_APPEND")
                                      else "w", encoding=settings.get("LOG_ENCODING") or "utf-8")
    else:
        handler = ProgressAwareHandler(stream)
        handler.addFilter(lambda record: record.getMessage() not in REPORTED_BY_CLI)
    handler.setFormatter(logging.Formatter(fmt=settings.get("LOG_FORMAT"),
                                           datefmt=settings.get("LOG_DATEFORMAT")))
    handler.setLevel(settings.get("LOG_LEVEL"))
    handler.addFilter(OneLineNetworkErrors())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(handler.level)  # records below the level are not even built
    return handler
