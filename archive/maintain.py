"""`warta maintain`: tidy an archive after large crawls (issue 19).

What it does, in order, each step timed:

1. **FTS `optimize`**: merges the full-text index's segments into one. A crawl adds a segment
   per batch and FTS5 merges them only partly as it goes, so a query for a common word reads
   its postings from many segments; after `optimize` it reads one b-tree.
2. **Word counts** (`term_docs`): the articles holding each word in at least
   `archive.search_rank.TERM_DOCS_MIN` of them, from the index's vocabulary: the statistics
   with which a broad query's newest matches are ranked without walking every posting of its
   words (archive/search_rank.py). Until the first maintain, search ranks with FTS5's bm25.
3. **ANALYZE** (bounded by `analysis_limit`, so it stays quick at any size) and
   **`PRAGMA optimize`**: the query planner's statistics, so that it picks the index that
   suits a filter (an outlet's rows, a date range) from what the archive now holds.
4. **WAL checkpoint (TRUNCATE)**: copies the write-ahead log into the file and empties it.
5. With `vacuum=True`, **VACUUM**: rewrites the file without its free pages (what a merge
   or a deleted version left). It needs free disk space about the archive's size.

Nothing it does changes an article: the index holds the same postings, only merged; VACUUM copies
every row as it is.

**Not while a crawl runs.** A crawl holds its lock (`flock` on `crawl.lock` in the state
folder beside the archive's real path, `<archive>.state/crawl.lock`, see the crawler's
`crawler/runtime/lock.py`) for its whole run; maintain tests that lock without taking it
(the archive never imports the crawler, the file is the contract) and refuses if it is held.
It then takes SQLite's write lock for steps 1-3: any other writer (a library caller, a crawl
started meanwhile) waits up to its busy timeout, and maintain itself refuses at once when
another program is writing.
"""

from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from archive.errors import WartaError
from archive.search_rank import count_terms
from archive.store import Archive

#: Rows ANALYZE reads per index (`PRAGMA analysis_limit`): SQLite's recommended bound, which
#: keeps `PRAGMA optimize` to well under a second at any archive size.
ANALYSIS_LIMIT = 400

#: How long maintain waits for another writer's transaction before refusing (ms). Short: a
#: user who ran maintain beside a writer is better told at once than left waiting.
WAIT_MS = 2_000


class ArchiveBusy(WartaError):
    """A crawl or another program is writing the archive."""

    exit_code = 75  # EX_TEMPFAIL, as a crawl that finds the archive locked


@dataclass
class MaintainReport:
    path: Path
    bytes_before: int
    bytes_after: int = 0
    steps: list[tuple[str, float]] = field(default_factory=list)  # (what, seconds)

    @property
    def seconds(self) -> float:
        return sum(s for _, s in self.steps)

    def lines(self) -> list[str]:
        out = [f"{what}: {seconds:.2f} s" for what, seconds in self.steps]
        out.append(f"{self.path}: {_mb(self.bytes_before)} before, {_mb(self.bytes_after)} "
                   f"after, in {self.seconds:.2f} s")
        return out


def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def archive_bytes(path: Path) -> int:
    """The archive's size on disk: the file and its write-ahead log."""
    return sum(Path(f"{path}{suffix}").stat().st_size for suffix in ("", "-wal")
               if Path(f"{path}{suffix}").exists())


def crawl_lock_file(path: Path) -> Path:
    """The crawl lock every crawl of this archive holds (the crawler's `archive_lock_path`)."""
    real = Path(os.path.realpath(path.expanduser()))
    return real.with_name(real.name + ".state") / "crawl.lock"


def crawl_running(path: Path) -> bool:
    """Whether a crawl holds the archive's crawl lock: tested with a shared `flock` that is
    released at once (never created: no lock file, no crawl)."""
    lock = crawl_lock_file(path)
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return True
        raise
    finally:
        os.close(fd)  # closing the descriptor releases the test lock
    return False


def _busy(path: Path) -> ArchiveBusy:
    return ArchiveBusy(f"another program is writing {path}; run `warta maintain` when it "
                       "has finished (after the crawl)")


def maintain(path: str | os.PathLike[str], *, vacuum: bool = False,
             echo: Callable[[str], None] | None = None) -> MaintainReport:
    """Optimize the archive at `path` (see the module docstring); return what was done."""
    path = Path(path).expanduser()
    if path.exists() and crawl_running(path):
        raise ArchiveBusy(f"a crawl is running on {path} (it holds {crawl_lock_file(path)}); "
                          "run `warta maintain` after it ends")
    with Archive(path, create=False) as archive:
        conn = archive.connection
        report = MaintainReport(path, archive_bytes(path))
        conn.execute(f"PRAGMA busy_timeout = {WAIT_MS}")

        def step(what: str, sql: str) -> None:
            started = time.perf_counter()
            conn.execute(sql).fetchall()
            report.steps.append((what, time.perf_counter() - started))
            if echo:
                echo(f"{what}: {report.steps[-1][1]:.2f} s")

        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise _busy(path) from None
            raise
        try:
            step("merged the full-text index (FTS optimize)",
                 "INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
            started = time.perf_counter()
            words = count_terms(conn)
            report.steps.append((f"counted the articles of {words:,} common words (term_docs, "
                                 "for ranking)", time.perf_counter() - started))
            if echo:
                echo(f"{report.steps[-1][0]}: {report.steps[-1][1]:.2f} s")
            conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
            step("updated the query planner's statistics (ANALYZE, PRAGMA optimize)",
                 "ANALYZE")
            conn.execute("PRAGMA optimize")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        step("emptied the write-ahead log (checkpoint)", "PRAGMA wal_checkpoint(TRUNCATE)")
        if vacuum:
            try:
                step("rewrote the file without free pages (VACUUM)", "VACUUM")
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise _busy(path) from None
                raise
            step("emptied the write-ahead log (checkpoint)", "PRAGMA wal_checkpoint(TRUNCATE)")
    report.bytes_after = archive_bytes(path)
    return report
