"""The last pipeline: items written into the archive in batched transactions, by a writer
thread (`ArchivePipeline`); for a crawl started the Scrapy way, the archive's crawl lock."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, NoReturn, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from archive import (
    ARCHIVE_ERROR,
    SITE_FIGURES,
    UNJUDGED_REASONS,
    Archive,
    ArchiveFileError,
    WartaError,
    WriteResult,
    site_health,
    warnings_of,
)
from crawler.extensions.statscollector import jsonable
from crawler.pipelines.itemfields import crawl_stats, item_fields
from crawler.pipelines.writer import ArchiveWriter
from crawler.refresh import Clock, article_not_modified
from crawler.runtime.archivestop import archive_failure, stop_for_archive
from crawler.runtime.lock import CrawlLock, CrawlLocked, crawl_lock, held_here
from crawler.settings import archive_path, check_settings
from crawler.sites import SiteProfile, spider_profiles

#: The package's name, as the crawl's log has always shown the archive pipeline's lines (its
#: health warnings: `[crawler.pipelines] WARNING: health: ...`).
logger = logging.getLogger("crawler.pipelines")


def _take_crawl_lock(crawler: Crawler, db_path: str) -> CrawlLock | None:
    """The archive's crawl lock for a crawl started the Scrapy way (`scrapy crawl news`, a
    scrapyd job), so that it never overlaps another crawl of the same archive: None when this
    process holds it already (`warta crawl` takes it before Scrapy starts). Held by another
    process: the spider is told to crawl nothing (one error line, finish reason `locked`) and
    the pipeline is off, so the archive is not touched."""
    lock = crawl_lock(db_path, crawler.settings.get("WARTA_STATE_DIR"))
    if held_here(lock.path):
        return None
    try:
        lock.acquire()
    except CrawlLocked as exc:
        holder = exc.holder
        message = (f"another crawl holds the lock on {db_path} "
                   f"({holder.describe() if holder else 'another process'}; lock file "
                   f"{exc.lock_file}); this crawl fetches nothing: schedule it again once that "
                   "one has ended")
        reason = "locked"
    except WartaError as exc:  # the state folder cannot be made
        message, reason = str(exc), "bad_settings"
    else:
        return lock
    _refuse(crawler, message, reason)


def _refuse(crawler: Crawler, message: str, reason: str) -> NoReturn:
    """The crawl must fetch nothing: the spider logs `message` as one line and closes with
    `reason`; the archive pipeline is off."""
    refuse = getattr(crawler.spider, "refuse", None)
    if refuse is not None:
        refuse(message, reason)
    else:
        logger.error("%s", message)
    raise NotConfigured


class ArchivePipeline:
    """Write items into the archive in batched transactions, in a writer thread.

    The archive opens when the spider opens (outlets recorded in `sources`, a `crawls` row
    begun) and closes when it closes (last batch written, the crawl row finished with its finish
    reason, counts and Scrapy stats). Items wait in a buffer per outlet and are handed to the
    writer thread (`ArchiveWriter`, one transaction per outlet's batch) when `WARTA_BATCH_SIZE`
    have gathered or the oldest has waited `WARTA_FLUSH_SECONDS`; the crawl goes on while they
    are written. Counts go to `archive/new|updated|unchanged|links_new|links_seen` and
    `site/<key>/new|updated|unchanged`, as each batch is done. A record the archive refuses is
    counted (`archive/rejected`) and logged; the rest of its batch is still written. A clean
    stop writes every item; a killed crawl loses at most the batches not yet written, which
    its recovered job fetches again. Off with `WARTA_ARCHIVE_ENABLED = False`.

    When the archive file itself fails (damaged, disk full, read-only: `ArchiveFileError`),
    nothing more can be written, so the crawl stops: one error line naming the archive and
    what to do (also in the stat `archive/error`), finish reason `archive_error` (recorded
    when the archive still takes it; never judged against the outlet, `archive.health`), and
    `warta crawl` exits with `EXIT_ARCHIVE_ERROR` (74).
    """

    def __init__(self, db_path: str, *, stats: StatsCollector,
                 profiles: Mapping[str, SiteProfile], crawl_args: Mapping[str, Any] | None = None,
                 batch_size: int = 100, flush_seconds: float = 10.0,
                 clock: Clock | None = None) -> None:
        self.db_path = db_path
        self.clock = clock or Clock()
        self.stats = stats
        self.profiles = profiles
        self.crawl_args = dict(crawl_args or {})
        self.batch_size = max(1, batch_size)
        self.flush_seconds = flush_seconds
        self.archive: Archive | None = None
        self.crawl_id: int | None = None
        self.writer: ArchiveWriter | None = None
        self.buffers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.touches: dict[str, list[dict[str, Any]]] = defaultdict(list)
        """Articles that answered 304 (`not_modified`), per outlet, waiting like items."""
        self.waiting = 0
        self.oldest: float | None = None
        self.totals = WriteResult()
        self.lock: CrawlLock | None = None
        """The archive's crawl lock when this pipeline took it (a Scrapy-way crawl: `scrapy
        crawl`, scrapyd), released once the crawl record is finished."""
        self.crawler: Crawler | None = None
        self.closing = False
        self.open_failure: WartaError | None = None
        """Why the archive could not record the crawl's start, when it could not."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("WARTA_ARCHIVE_ENABLED"):
            raise NotConfigured
        spider = crawler.spider
        if getattr(spider, "argument_error", None):
            raise NotConfigured  # the spider will crawl nothing: leave the archive untouched
        try:  # `warta crawl` checked them already; `scrapy crawl news -s ...` did not
            check_settings(settings)
        except WartaError as exc:
            _refuse(crawler, str(exc), "bad_settings")
        db_path = archive_path(settings)
        lock = _take_crawl_lock(crawler, db_path)
        since = getattr(spider, "since", None)
        crawl_args = {
            "since": str(since) if since else None,
            "max_articles": getattr(spider, "max_articles", 0) or None,
            "sites_dir": settings.get("WARTA_SITES_DIR"),
            "incremental": settings.getbool("WARTA_INCREMENTAL"),
            "refresh_days": settings.getfloat("WARTA_REFRESH_DAYS"),
            "refresh": settings.get("WARTA_REFRESH"),
        }
        clock = Clock.from_settings(settings)
        if clock.simulated:
            crawl_args["now"] = settings.get("WARTA_NOW")
        if settings.get("WARTA_JOB"):
            crawl_args["job"] = settings.get("WARTA_JOB")
            crawl_args["job_started"] = settings.get("WARTA_JOB_STARTED")
        pipeline = cls(db_path, stats=crawl_stats(crawler),
                       profiles=spider_profiles(crawler), crawl_args=crawl_args,
                       batch_size=settings.getint("WARTA_BATCH_SIZE"),
                       flush_seconds=settings.getfloat("WARTA_FLUSH_SECONDS"), clock=clock)
        pipeline.lock = lock
        pipeline.crawler = crawler
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.not_modified, signal=article_not_modified)
        return pipeline

    def open_spider(self) -> None:
        self.archive = Archive(self.db_path)
        try:
            for profile in self.profiles.values():
                record = profile.source_record()
                self.archive.set_source(record["key"], name=record["name"],
                                        homepage=record["homepage"],
                                        timezone=record["timezone"], region=record["region"])
            self.crawl_id = self.archive.begin_crawl(list(self.profiles), self.crawl_args,
                                                     now=self.clock.iso())
        except ArchiveFileError as exc:  # damaged where the crawl is recorded: stop now
            self.archive.close()
            self.archive = None
            # The spider has not started: it fetches nothing and closes with `archive_error`
            # (the stat and the line come when it closes: the stats are reset after this).
            self.open_failure = exc
            refuse = getattr(self.crawler.spider if self.crawler else None, "refuse", None)
            if refuse is None:
                raise
            refuse(archive_failure(exc), ARCHIVE_ERROR)
        self.stats.set_value("archive/crawl_id", self.crawl_id)
        self.writer = ArchiveWriter(self.db_path, self.crawl_id, clock=self.clock)

    def process_item(self, item: Any) -> Any:
        if self.writer is None:  # the archive could not be opened: the crawl is stopping
            self._count("archive/rejected")
            return item
        # A shallow copy: the archive only reads the values (ItemAdapter.asdict() would deep-copy
        # every related link of every article).
        record = {k: v for k, v in item_fields(item).items() if v is not None}
        record.setdefault("related", [])
        self.buffers[record["source"]].append(record)
        self._added()
        return item

    def not_modified(self, source: str, url: str, checks: dict[str, Any]) -> None:
        """An archived article answered 304 to a conditional re-check: its read is written
        with the next batch (`Archive.touch`: `last_seen_at`, validators, next check)."""
        if self.writer is None:
            return
        self.touches[source].append({"url": url, "checks": checks})
        self._added()

    def _added(self) -> None:
        self.waiting += 1
        now = time.monotonic()
        if self.oldest is None:
            self.oldest = now
        if self.waiting >= self.batch_size or now - self.oldest >= self.flush_seconds:
            self._hand_over()
        self._count_written()

    def _hand_over(self) -> None:
        """Give every buffered item to the writer thread, one batch per outlet."""
        assert self.writer is not None
        for source, batch in list(self.buffers.items()):
            if batch:
                self.writer.hand_over(source, batch)
        self.buffers.clear()
        for source, batch in list(self.touches.items()):
            if batch:
                self.writer.hand_over(source, batch, touch=True)
        self.touches.clear()
        self.waiting = 0
        self.oldest = None

    def flush(self) -> None:
        """Write every buffered item (one transaction per outlet) and count what was written;
        returns once it is in the archive."""
        if self.writer is None:
            return
        self._hand_over()
        self.wait_written()

    def wait_written(self) -> None:
        """Return once the batches handed to the writer are written and counted (items still
        gathering in the buffer keep waiting for their batch)."""
        if self.writer is not None:
            self.writer.wait()
            self._count_written()

    def _count_written(self) -> None:
        """Count and log the batches the writer has finished since the last call."""
        if self.writer is None:
            return
        done = self.writer.done
        while not done.empty():
            written = done.get()
            result = written.result
            self.totals = self.totals + result
            for name, value in result.as_dict().items():
                self._count(f"archive/{name}", value)
                if name in ("new", "updated", "unchanged"):
                    self._count(f"site/{written.source}/{name}", value)
            if written.fatal:
                assert written.failed is not None
                self._count("archive/rejected", len(written.refused))
                self._stop_crawl(written.failed)
                continue
            if written.failed is not None:
                exc = written.failed
                logger.error("archive could not write %d article(s) of %s: %s: %s",
                             len(written.refused), written.source, type(exc).__name__, exc,
                             exc_info=(type(exc), exc, exc.__traceback__))
                self._count("archive/rejected", len(written.refused))
                continue
            for url, reason in written.refused:
                self._count("archive/rejected")
                logger.error("archive refused %s: %s", url, reason)

    def _count(self, key: str, value: int = 1) -> None:
        if value:
            self.stats.inc_value(key, value)

    def _stop_crawl(self, exc: BaseException) -> None:
        """The archive file failed: say so once, as one line, and close the spider."""
        if not isinstance(exc, WartaError):  # the writer could not even open it
            exc = ArchiveFileError(f"the archive {self.db_path} could not be opened "
                                   f"({type(exc).__name__}: {exc})")
        if self.crawler is not None:
            stop_for_archive(self.crawler, exc, closing=self.closing)

    def close_spider(self) -> None:
        self.closing = True
        self._stop_writer()

    def _stop_writer(self) -> None:
        writer = self.writer
        if writer is None:
            return
        self.flush()
        writer.stop()
        self.writer = None

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Finish the crawl record (the finish reason is known only now), close the archive,
        and release the crawl lock if this pipeline took it."""
        try:
            if self.open_failure is not None and self.crawler is not None:
                stop_for_archive(self.crawler, self.open_failure, closing=True)
            self._finish(reason)
        finally:
            if self.lock is not None:
                self.lock.release()
                self.lock = None

    def _finish(self, reason: str) -> None:
        if self.archive is None:
            return
        self.closing = True
        self._stop_writer()  # already done by close_spider when the engine called it
        failure = self.stats.get_value("archive/error")
        if failure:  # also when only the last batches, at the close, failed
            reason = ARCHIVE_ERROR
            self.stats.set_value("finish_reason", reason)
        stats = self.stats.get_stats()
        counts: dict[str, Any] = dict(self.totals.as_dict())
        counts["dropped"] = sum(v for k, v in stats.items() if k.startswith("validate/dropped/"))
        counts["errors"] = int(stats.get("errors/total", 0))
        counts["errors_by_kind"] = {k.split("/", 1)[1]: v for k, v in sorted(stats.items())
                                    if k.startswith("errors/") and k != "errors/total"}
        counts["skipped"] = sum(int(stats.get(f"site/{key}/skipped", 0))
                                for key in self.profiles)
        counts["requests"] = int(stats.get("downloader/request_count", 0))
        counts["pages"] = int(stats.get("downloader/response_count", 0))
        sites = [{"source": key, **{name: stats.get(f"site/{key}/{name}", 0)
                                    for name in SITE_FIGURES}} for key in self.profiles]
        try:
            if self.crawl_id is not None:
                self.archive.finish_crawl(self.crawl_id, finish_reason=reason, counts=counts,
                                          stats=jsonable(stats), sites=sites,
                                          now=self.clock.iso())
                if reason not in UNJUDGED_REASONS and reason != ARCHIVE_ERROR:
                    self._check_health(self.crawl_id)
        except WartaError as exc:
            if not failure:
                raise
            # the damaged archive may refuse the crawl's record too: already said
            logger.info("the crawl's record could not be finished: %s", exc)
        finally:
            self.archive.close()
            self.archive = None

    def _check_health(self, crawl_id: int) -> None:
        """Judge each outlet's figures against its earlier runs (`archive.health`): warnings
        go to the log and to the stats (`health/warnings`, `health/messages`)."""
        assert self.archive is not None
        warnings = warnings_of(site_health(self.archive, crawl_id=crawl_id))
        for warning in warnings:
            logger.warning("health: %s", warning.message)
        self.stats.set_value("health/warnings", len(warnings))
        if warnings:
            self.stats.set_value("health/messages", [w.message for w in warnings])
