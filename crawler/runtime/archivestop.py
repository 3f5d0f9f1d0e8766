"""A crawl stopped by its archive file (damaged, disk full, read-only): said once, as one line,
whichever component meets the failure (the archive pipeline, its writer, the incremental
middleware reading the archive)."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from archive import ARCHIVE_ERROR, WartaError

logger = logging.getLogger(__name__)


def stop_for_archive(crawler: Crawler, exc: WartaError, *, closing: bool = False) -> None:
    """The archive file failed (`ArchiveFileError`: damaged, disk full, read-only): every
    component that meets it calls this, which says so once, as one line (also the stat
    `archive/error`), and closes the spider with the finish reason `archive_error` (unless
    it is `closing` already)."""
    stats = crawler.stats
    assert stats is not None
    if stats.get_value("archive/error"):
        return
    message = archive_failure(exc)
    logger.error("%s", message)
    stats.set_value("archive/error", message)
    engine = crawler.engine
    if not closing and engine is not None and engine.spider is not None:
        closed = deferred_from_coro(engine.close_spider_async(reason=ARCHIVE_ERROR))
        closed.addErrback(lambda failure: logger.debug("closing: %s", failure.value))


REPORTED_BY_CLI: set[str] = set()
"""Log messages that `warta crawl` prints itself as its one `Error:` line at the end, so its
stderr handler leaves their records out (a `LOG_FILE` and `scrapy crawl`'s log keep them)."""


def archive_failure(exc: WartaError) -> str:
    """The one line of a crawl stopped by its archive (`REPORTED_BY_CLI`)."""
    message = f"the crawl stopped: {exc}; then crawl again"
    REPORTED_BY_CLI.add(message)
    return message
