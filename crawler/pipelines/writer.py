"""The archive pipeline's writer thread: batches written into the archive, one transaction
each, beside the crawl's event loop (`ArchiveWriter`)."""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Any

from archive import Archive, ArchiveFileError, WartaError, WriteResult
from crawler.refresh import Clock

WRITER_QUEUE_BATCHES = 2
"""Batches that may wait for the archive's writer thread while it writes one. Enough to keep
it busy while the crawl gathers the next; few, so memory stays flat and a crawl killed with
SIGKILL loses little (what it had not written is fetched again when its job is recovered).
When the writer falls behind, handing it a batch waits, as writing one in place did."""


WRITER_CHECK_SECONDS = 1.0
"""How often a wait for the writer thread checks that the thread is still there."""


@dataclass
class Written:
    """What the writer did with one batch, for the crawl's thread to count and log."""

    source: str
    result: WriteResult
    refused: list[tuple[Any, str]] = field(default_factory=list)
    """(url, reason) of each record the archive refused."""
    failed: BaseException | None = None
    """An unexpected error that stopped the whole batch (every record counted as refused)."""
    fatal: bool = False
    """`failed` is the archive file's own (`ArchiveFileError`: damaged, full, read-only):
    the crawl must stop, for no later batch can be written either."""


class ArchiveWriter:
    """A thread with its own connection to the archive that writes the batches handed to it,
    one transaction per batch, in order.

    SQLite does its work (the full-text index above all) without holding Python's lock, so the
    crawl's thread goes on with the next responses meanwhile. Results come back through `done`
    and are counted by the crawl's thread (Scrapy's stats are not for other threads). Whatever
    fails, the thread keeps taking batches, so handing one over never waits forever. Once the
    archive file itself has failed (`ArchiveFileError`, or it could not be opened), the
    batches that follow are refused without touching the file again: the crawl is stopping."""

    def __init__(self, db_path: str, crawl_id: int | None, clock: Clock | None = None) -> None:
        self.db_path = db_path
        self.crawl_id = crawl_id
        self.clock = clock or Clock()
        self.batches: queue.Queue[tuple[str, list[dict[str, Any]], bool] | None] = queue.Queue(
            maxsize=WRITER_QUEUE_BATCHES)
        self.done: queue.SimpleQueue[Written] = queue.SimpleQueue()
        self.broken: BaseException | None = None
        """The archive's own failure, once there was one."""
        self.thread = threading.Thread(target=self._run, name="warta-archive-writer",
                                       daemon=True)
        self.thread.start()

    def _run(self) -> None:
        archive: Archive | None = None
        opening: BaseException | None = None
        try:
            archive = Archive(self.db_path)
        except Exception as exc:  # reported by the crawl's thread, which stops the crawl
            opening = exc
        try:
            while True:
                job = self.batches.get()
                try:
                    if job is None:
                        return
                    source, batch, touch = job
                    if archive is None:
                        assert opening is not None
                        self.done.put(Written(source, WriteResult(), failed=opening,
                                               refused=[(r.get("url"), "") for r in batch],
                                               fatal=True))
                    elif touch:
                        self.done.put(self._touch(archive, source, batch))
                    else:
                        self.done.put(self._write(archive, source, batch))
                finally:
                    self.batches.task_done()
        finally:
            if archive is not None:
                archive.close()

    def _touch(self, archive: Archive, source: str, batch: list[dict[str, Any]]) -> Written:
        """Articles that answered 304: their reads noted (`Archive.touch`), counted as
        unchanged. Nothing of theirs is lost when it fails: the archive keeps them as they
        were, and the next crawl checks them again."""
        refused = [(r.get("url"), "") for r in batch]
        if self.broken is not None:
            return Written(source, WriteResult(), failed=self.broken, fatal=True,
                           refused=refused)
        try:
            touched = archive.touch([(r["url"], r.get("checks")) for r in batch],
                                    now=self.clock.iso())
        except ArchiveFileError as exc:
            self.broken = exc
            return Written(source, WriteResult(), failed=exc, fatal=True, refused=refused)
        except Exception as exc:
            return Written(source, WriteResult(), failed=exc, refused=refused)
        return Written(source, WriteResult(unchanged=touched))

    def _write(self, archive: Archive, source: str, batch: list[dict[str, Any]]) -> Written:
        if self.broken is not None:
            return Written(source, WriteResult(), failed=self.broken, fatal=True,
                            refused=[(r.get("url"), "") for r in batch])
        now = self.clock.iso()
        try:
            return Written(source, archive.write(batch, crawl_id=self.crawl_id, now=now))
        except ArchiveFileError as exc:
            self.broken = exc
            return Written(source, WriteResult(), failed=exc, fatal=True,
                            refused=[(r.get("url"), "") for r in batch])
        except WartaError:
            pass
        except Exception as exc:
            return Written(source, WriteResult(), failed=exc,
                            refused=[(r.get("url"), "") for r in batch])
        # One bad record refuses the whole batch: write the others one by one.
        written = Written(source, WriteResult())
        for index, record in enumerate(batch):
            try:
                written.result = written.result + archive.write([record], crawl_id=self.crawl_id,
                                                                now=now)
            except ArchiveFileError as exc:
                self.broken = written.failed = exc
                written.fatal = True
                written.refused.extend((r.get("url"), "") for r in batch[index:])
                break
            except WartaError as exc:
                written.refused.append((record.get("url"), str(exc)))
            except Exception as exc:
                written.failed = exc
                written.refused.append((record.get("url"), ""))
        return written

    def hand_over(self, source: str, batch: list[dict[str, Any]], touch: bool = False) -> None:
        """Queue one batch (waits while `WRITER_QUEUE_BATCHES` are already waiting); `touch`:
        a batch of articles that answered 304 (`{"url", "checks"}` each)."""
        while True:
            try:
                self.batches.put((source, batch, touch), timeout=WRITER_CHECK_SECONDS)
                return
            except queue.Full:
                self._check_alive()

    def wait(self) -> None:
        """Return once every batch handed over is written."""
        done = self.batches.all_tasks_done
        with done:
            while self.batches.unfinished_tasks:
                self._check_alive()
                done.wait(WRITER_CHECK_SECONDS)

    def _check_alive(self) -> None:
        if not self.thread.is_alive():  # it catches every error: only a bug gets here
            raise WartaError(f"the archive writer thread stopped; articles of this crawl "
                             f"may be missing from {self.db_path}: crawl again to fetch them")

    def stop(self) -> None:
        """Write what was handed over, then end the thread."""
        self.batches.put(None)
        self.thread.join()
