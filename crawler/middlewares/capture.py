"""Keep what was fetched: every article page written into WARC files (`CaptureMiddleware`)."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import time
from pathlib import Path
from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro

from archive import Archive, CaptureRef, WartaError, last_capture
from crawler.capture import capture_folder, extractor_version
from crawler.capture.warcfiles import CaptureError, Page, WarcFiles, check_folder, recover
from crawler.settings import archive_path

logger = logging.getLogger(__name__)

#: Kinds of request (`warta_kind`) captured by default: article pages and their further
#: parts. `WARTA_CAPTURE_ALL` adds listing pages, feeds, sitemaps and robots.txt.
ARTICLE_KINDS = frozenset({"article", "part"})

#: The finish reason of a crawl stopped because its capture folder could not be written.
CAPTURE_ERROR = "capture_error"

#: Where the capture of a page is put for the spider: `response.meta[META_KEY]`, a
#: `CaptureRef` (the spider's item carries it to the archive as `captures`).
META_KEY = "warta_capture"


class CaptureMiddleware:
    """Write each article page as fetched (status 200) into the capture folder's WARC files
    (`crawler.capture.warcfiles`), and tell the spider where (`response.meta[META_KEY]`).

    It sits next to the downloader (after HttpCompressionMiddleware in the response's way),
    so it sees the body as received, Content-Encoding and all. Redirects, errors and a 304
    Not Modified (a conditional request: there is no body, and the archive keeps pointing at
    the capture the stored version was read from) are not captured. Off with
    `WARTA_CAPTURE = False` (`warta crawl --no-capture`), and with the archive
    (`WARTA_ARCHIVE_ENABLED = False`: nothing would point at the captures).

    When the crawl starts, files left open by a crawl that was killed are cut after their last
    whole record (counted: `capture/recovered_files`, `capture/recovered_bytes`). A capture
    folder that cannot be made or written stops the crawl before it fetches anything, one
    line; a write that fails later (disk full) stops it cleanly, with what was captured and
    archived kept (finish reason `capture_error`).
    """

    def __init__(self, folder: Path, *, kinds: frozenset[str], max_bytes: int,
                 db_path: str | None) -> None:
        self.folder = folder
        self.kinds = kinds
        self.max_bytes = max_bytes
        self.db_path = db_path
        self.files: WarcFiles | None = None
        self.crawler: Crawler | None = None
        self.reader: Archive | None = None
        self.failed = False
        self.seconds = 0.0
        """CPU time spent writing captures (stat `capture/cpu_seconds`, beside the crawl
        process's own, `capture/process_cpu_seconds`): what capture costs the crawl process,
        measured in it, whatever the machine's load (`bench/capture.py`)."""
        self.process_started = time.process_time()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        folder = capture_folder(settings)
        if folder is None:
            raise NotConfigured
        kinds = ARTICLE_KINDS | ({"listing", "feed", "sitemap", "robots"}
                                 if settings.getbool("WARTA_CAPTURE_ALL") else frozenset())
        db_path = archive_path(settings)
        middleware = cls(folder, kinds=kinds,
                         max_bytes=int(settings.getfloat("WARTA_CAPTURE_MAX_MB") * 1024 * 1024),
                         db_path=db_path)
        middleware.crawler = crawler
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self) -> None:
        assert self.crawler is not None and self.crawler.stats is not None
        stats = self.crawler.stats
        try:
            check_folder(self.folder)
            files, cut = recover(self.folder)
        except (CaptureError, OSError) as exc:
            message = str(exc) if isinstance(exc, CaptureError) else (
                f"cannot read the capture folder {self.folder} ({exc}); make it readable and "
                "writable, or crawl with --no-capture")
            self._stop(message)
            return
        if files:
            stats.set_value("capture/recovered_files", files)
            stats.set_value("capture/recovered_bytes", cut)
            logger.warning("capture: %d file(s) in %s ended with an incomplete record (a "
                           "crawl was killed); cut %d byte(s) after the last whole record",
                           files, self.folder, cut)
        self.files = WarcFiles(self.folder, max_bytes=self.max_bytes,
                               last_capture=self._last_capture if self._has_captures() else None,
                               extractor=extractor_version())

    def _has_captures(self) -> bool:
        """Whether the archive records any capture: an archive without one (a first crawl)
        has no earlier capture of any page to make a revisit of, so the lookup of each page's
        last capture (an SQLite query on the crawl's thread) is skipped; this crawl's own
        captures are known to `WarcFiles` itself."""
        if not self.db_path:
            return False
        if self.reader is None:
            try:
                self.reader = Archive(self.db_path, readonly=True)
            except WartaError:  # no archive yet, or one that cannot be read: no revisits
                return False
        try:
            return self.reader.connection.execute(
                "SELECT 1 FROM captures LIMIT 1").fetchone() is not None
        except sqlite3.Error:  # an archive without the table (older schema): none known
            return False

    def _last_capture(self, url: str) -> CaptureRef | None:
        """The newest capture of `url` the archive records (a revisit needs its digest)."""
        if self.reader is None:
            try:
                self.reader = Archive(self.db_path or "", readonly=True)
            except WartaError:  # no archive yet, or one that cannot be read: no revisits
                self.db_path = None
                return None
        try:
            return last_capture(self.reader.connection, url)
        except sqlite3.Error:  # an archive without the table (older schema): none known
            return None

    def process_response(self, request: Request, response: Response) -> Response:
        files = self.files
        if (files is None or response.status != 200
                or request.meta.get("warta_kind") not in self.kinds or not response.body):
            return response
        source = str(request.meta.get("warta_site") or "unknown")
        ip = response.ip_address
        hint_of = getattr(self.crawler.spider if self.crawler else None, "date_hint", None)
        hint = hint_of(request.meta) if hint_of is not None else None
        page = Page(
            url=response.url, method=request.method,
            request_headers=_headers(request.headers), request_body=request.body,
            status=response.status, protocol=response.protocol or "HTTP/1.1",
            headers=_headers(response.headers), body=response.body,
            fetched_at=dt.datetime.now(dt.UTC), ip=str(ip) if ip is not None else None,
            date_hint=hint if request.meta.get("warta_kind") == "article" else None)
        started = time.thread_time()
        try:
            ref = files.capture(source, page)
        except CaptureError as exc:
            self._stop(str(exc))
            return response
        self.seconds += time.thread_time() - started
        request.meta[META_KEY] = ref
        assert self.crawler is not None and self.crawler.stats is not None
        self.crawler.stats.inc_value("capture/revisits" if ref.revisit else "capture/responses")
        return response

    def _stop(self, message: str) -> None:
        """Capture cannot go on: one error line, and the crawl closes (`capture_error`)."""
        if self.failed:
            return
        self.failed = True
        if self.files is not None:
            self.files.close()
            self.files = None
        crawler = self.crawler
        assert crawler is not None and crawler.stats is not None
        crawler.stats.set_value("capture/error", message)
        logger.error("%s", message)
        engine = crawler.engine
        if engine is not None and engine.spider is not None:
            closed = deferred_from_coro(engine.close_spider_async(reason=CAPTURE_ERROR))
            closed.addErrback(lambda failure: logger.debug("closing: %s", failure.value))

    def spider_closed(self) -> None:
        files, self.files = self.files, None
        if files is not None:
            files.close()
            if self.crawler is not None and self.crawler.stats is not None:
                self.crawler.stats.set_value("capture/bytes", files.bytes_written)
                self.crawler.stats.set_value("capture/cpu_seconds", round(self.seconds, 3))
                self.crawler.stats.set_value(
                    "capture/process_cpu_seconds",
                    round(time.process_time() - self.process_started, 3))
        if self.reader is not None:
            self.reader.close()
            self.reader = None


def _headers(headers: object) -> list[tuple[str | bytes, str | bytes]]:
    """Scrapy headers as (name, value) pairs of bytes as received, each value of a repeated
    header apart."""
    out: list[tuple[str | bytes, str | bytes]] = []
    for name, values in headers.items():  # type: ignore[attr-defined]
        for value in values:
            out.append((name, value))
    return out
