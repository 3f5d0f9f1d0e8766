"""What a scheduled crawl keeps between runs: the archive's crawl lock and the resumable jobs.

Every archive has a state folder beside it, `<archive>.state/` (`WARTA_STATE_DIR` to put it
elsewhere):

    warta.db.state/
      crawl.lock           the archive's lock: one crawl at a time
      jobs/<sites>/        one job per set of sites crawled together: Scrapy's JOBDIR
        warta-job.json     and warta's record of the job (status, start, options)

**The lock** is an exclusive `flock` on `crawl.lock`, held for the whole crawl. The kernel
releases it when its process ends, however it ends, so a lock left by a dead process is never
obeyed: the next crawl takes it over (and says so, because the holder's record is still in the
file). A second crawl while the first runs gets `CrawlLocked`: which process holds the lock,
since when, running what; exit status `EXIT_LOCKED` (75, EX_TEMPFAIL: "try again later").
With `wait=True` it waits instead.

**One lock per archive file, whatever path names it.** The state folder is found from the
`--db` path as given, so two paths naming one file (a symlink, a symlinked folder, another
`WARTA_STATE_DIR`) would have two state folders, and two crawls would write one archive at
once (issue 10). So a crawl also locks the state folder of the archive's *real* path
(`os.path.realpath`): `<real archive>.state/crawl.lock` (`archive_lock_path`). When the two
are the same file (the usual case: no symlink, no `WARTA_STATE_DIR`) it is one lock, as
before; otherwise both are taken, always in the order of their real paths, so two crawls
waiting for each other (`--wait`) cannot deadlock, and both carry the holder's record. A
`WARTA_STATE_DIR` therefore still leaves a small `<archive>.state/` folder, holding only
`crawl.lock`, beside the archive (whose folder must be writable anyway: SQLite writes its
`-wal` file there). Hard links are not covered (their real paths differ; SQLite itself does
not support an archive reached through two hard links).

**Jobs.** A crawl of the same sites with the same options resumes the previous one when that
one did not finish:

- after a clean stop (Ctrl-C, SIGTERM: Scrapy's finish reason `shutdown`) the job is
  `paused`: Scrapy wrote its frontier to the JOBDIR (pending requests, seen fingerprints)
  and the resumed run continues from it; nothing is fetched twice;
- after a death (SIGKILL, out of memory, power loss) the job is still marked `running`.
  Scrapy's frontier on disk cannot be trusted then: the queue's positions are written only on
  a clean close, and the seen-fingerprint file holds requests that were scheduled but never
  done, including articles whose items were still waiting in the archive pipeline's batch.
  So the frontier is thrown away and the run is **recovered** from the archive, which is the
  one record of what is done (written in transactions): discovery (robots.txt, sitemaps,
  feeds, listings: a few requests per site) runs again, and every article the archive got
  during this job is skipped without a request (`skipped/done`), its stored related links
  followed as if it had been read. Articles fetched but not yet written when the process died
  are simply fetched again. The archive ends with every article once.

A finished job's folder is removed. `fresh=True` (`warta crawl --fresh`) throws away any job
of those sites and starts over. The crawl records of a died attempt are marked `killed`.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import shutil
import socket
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive import ARCHIVE_ERROR, WartaError, now_utc

#: Exit status of a crawl that found the archive locked by another crawl: EX_TEMPFAIL of
#: sysexits.h, which cron wrappers and systemd read as "temporary failure, try again later".
EXIT_LOCKED = 75

STATE_SUFFIX = ".state"
LOCK_NAME = "crawl.lock"
JOB_FILE = "warta-job.json"

#: A job folder is named after its sites while the name stays short enough to read; past this
#: many characters it is `<first site>-and-<n>-more-<hash>`.
MAX_JOB_NAME = 60

#: Job statuses in `warta-job.json`.
RUNNING, PAUSED = "running", "paused"
#: What a starting crawl does with its job: start one, continue a paused one from Scrapy's
#: frontier, or recover one whose process died (frontier discarded, the archive decides).
NEW, RESUMED, RECOVERED = "new", "resumed", "recovered"
#: Finish reasons after which the job is complete and its folder removed.
COMPLETE_REASONS = frozenset({"finished", "closespider_itemcount"})
#: Finish reasons after which Scrapy's frontier is wrong and the job is removed too: the
#: archive could not be written, so articles the frontier counts as done are not in it (the
#: next crawl starts a new job; the incremental crawl skips what the archive does hold).
DISCARD_REASONS = frozenset({ARCHIVE_ERROR})


class CrawlLocked(WartaError):
    """Another process holds the archive's crawl lock."""

    exit_code = EXIT_LOCKED

    def __init__(self, message: str, *, holder: LockHolder | None = None,
                 lock_file: Path | None = None) -> None:
        super().__init__(message)
        self.holder = holder
        """What the holder wrote in the lock file (None: nothing readable)."""
        self.lock_file = lock_file
        """The lock file that was found held."""


def state_dir_for(db: str | os.PathLike[str], configured: str | None = None) -> Path:
    """The state folder of the archive at `db`: `configured` when given, else beside it."""
    if configured:
        return Path(configured).expanduser()
    path = Path(db).expanduser()
    return path.with_name(path.name + STATE_SUFFIX)


def archive_lock_path(db: str | os.PathLike[str]) -> Path:
    """The crawl lock tied to the archive file itself, whatever path names it: `crawl.lock`
    in the default state folder of the archive's real path (see the module docstring)."""
    real = Path(os.path.realpath(Path(db).expanduser()))
    return state_dir_for(real) / LOCK_NAME


def crawl_lock(db: str | os.PathLike[str], configured: str | None = None, *,
               command: str | None = None) -> CrawlLock:
    """The crawl lock of the archive at `db`: `crawl.lock` in its state folder (`configured`,
    i.e. `WARTA_STATE_DIR`, or beside `db`), and the one of its real path."""
    return CrawlLock(state_dir_for(db, configured) / LOCK_NAME, command=command,
                     archive=archive_lock_path(db))


def _ensure_dir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WartaError(f"cannot create the crawl state folder {path} ({exc.strerror}); set "
                         "WARTA_STATE_DIR to a writable folder, and make the archive's folder "
                         "writable") from None
    return path


@dataclass(frozen=True)
class LockHolder:
    """What a lock holder wrote in the lock file."""

    pid: int | None
    started_at: str | None
    command: str | None
    host: str | None

    @classmethod
    def parse(cls, text: str) -> LockHolder | None:
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        pid = data.get("pid")
        return cls(pid=pid if isinstance(pid, int) else None, started_at=data.get("started_at"),
                   command=data.get("command"), host=data.get("host"))

    def describe(self) -> str:
        who = f"PID {self.pid}" if self.pid is not None else "an unknown process"
        if self.host and self.host != socket.gethostname():
            who += f" on {self.host}"
        parts = [who]
        if self.started_at:
            parts.append(f"since {self.started_at}")
        if self.command:
            parts.append(f"`{self.command}`")
        return ", ".join(parts)


_HELD_HERE: set[str] = set()
"""The real paths of the lock files this process holds: a Scrapy component of a crawl that
`warta crawl` started (which took the lock first) must not try to take it again (a second
`flock` of the same file from the same process would be refused)."""


def held_here(path: Path) -> bool:
    """Whether this process holds the crawl lock at `path`."""
    return os.path.realpath(path) in _HELD_HERE


def _is_busy(exc: OSError) -> bool:
    return exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK)


class CrawlLock:
    """The exclusive crawl lock of one archive (see the module docstring): `path`, the lock
    in the state folder, and `archive`, the lock of the archive's real path, when it is
    another file."""

    def __init__(self, path: Path, *, command: str | None = None,
                 archive: Path | None = None) -> None:
        self.path = path
        self.archive = archive
        self.command = command if command is not None else " ".join(
            [Path(sys.argv[0]).name, *sys.argv[1:]])
        self._fds: dict[Path, int] = {}
        """Lock file -> its open descriptor, while held."""
        self.taken_over: LockHolder | None = None
        """The record of a holder that died without releasing, when this lock replaced it."""

    @staticmethod
    def _read(path: Path) -> LockHolder | None:
        try:
            return LockHolder.parse(path.read_text(encoding="utf-8"))
        except OSError:
            return None

    def holder(self) -> LockHolder | None:
        return self._read(self.path)

    def _open(self, path: Path) -> int:
        _ensure_dir(path.parent)
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise WartaError(f"cannot open the crawl lock {path} ({exc.strerror}); set "
                             "WARTA_STATE_DIR to a writable folder") from None

    def _files(self) -> list[tuple[Path, int]]:
        """Each lock file opened once (two paths of one file: once), in the order of their
        real paths."""
        opened: dict[tuple[int, int], tuple[str, Path, int]] = {}
        try:
            for path in (self.path, self.archive):
                if path is None:
                    continue
                fd = self._open(path)
                stat = os.fstat(fd)
                if (stat.st_dev, stat.st_ino) in opened:
                    os.close(fd)  # flock locks are per open file: closing this one is harmless
                    continue
                opened[(stat.st_dev, stat.st_ino)] = (os.path.realpath(path), path, fd)
        except BaseException:
            for _, _, fd in opened.values():
                os.close(fd)
            raise
        return [(path, fd) for _, path, fd in sorted(opened.values())]

    def acquire(self, *, wait: bool = False,
                on_wait: Callable[[LockHolder | None], None] | None = None) -> None:
        """Take the lock. Held by another process: raise `CrawlLocked`, or with `wait` call
        `on_wait(holder)` once and block until it is free."""
        files = self._files()
        locked: list[tuple[Path, int]] = []
        waited = False
        try:
            for path, fd in files:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    if not _is_busy(exc):
                        raise
                    holder = self._read(path)
                    if not wait:
                        shown = holder.describe() if holder else "another process"
                        raise CrawlLocked(
                            f"another crawl holds the lock on this archive ({shown}; lock file "
                            f"{path}); it ends by itself, or run again with --wait to wait "
                            "for it", holder=holder, lock_file=path) from None
                    if on_wait is not None and not waited:
                        on_wait(holder)
                    waited = True
                    fcntl.flock(fd, fcntl.LOCK_EX)
                locked.append((path, fd))
            record = {"pid": os.getpid(), "started_at": now_utc(), "command": self.command,
                      "host": socket.gethostname()}
            data = (json.dumps(record) + "\n").encode("utf-8")
            for path, fd in files:
                previous = self._read(path)
                if (self.taken_over is None and previous is not None
                        and previous.pid != os.getpid()):
                    # A clean release empties the file: a record still there means its writer
                    # died holding the lock, and the kernel released the flock with it.
                    self.taken_over = previous
                os.ftruncate(fd, 0)
                os.pwrite(fd, data, 0)
        except BaseException:
            for _, fd in locked:
                fcntl.flock(fd, fcntl.LOCK_UN)
            for _, fd in files:
                os.close(fd)
            raise
        self._fds = dict(files)
        _HELD_HERE.update(os.path.realpath(path) for path, _ in files)

    def release(self) -> None:
        """Empty the records and release the lock (idempotent)."""
        fds, self._fds = self._fds, {}
        for path, fd in fds.items():
            _HELD_HERE.discard(os.path.realpath(path))
            try:
                os.ftruncate(fd, 0)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    @property
    def held(self) -> bool:
        return bool(self._fds)

    @property
    def files(self) -> list[Path]:
        """The lock files held (one, or two when the archive's real path has its own)."""
        return list(self._fds)

    def __enter__(self) -> CrawlLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


# --- jobs -------------------------------------------------------------------------------------

def job_name(sites: Sequence[str]) -> str:
    """The folder name of the job for these sites (order does not matter)."""
    keys = sorted(set(sites))
    name = "+".join(keys)
    if len(name) <= MAX_JOB_NAME:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    return f"{keys[0]}-and-{len(keys) - 1}-more-{digest}"


@dataclass(frozen=True)
class JobStart:
    """How a crawl starts its job."""

    name: str
    jobdir: Path
    mode: str
    """`new`, `resumed` (from Scrapy's frontier) or `recovered` (from the archive)."""
    started_at: str
    """When the job's first attempt started (UTC): articles the archive got since then are
    done."""
    attempts: int
    """Attempts before this one."""
    note: str | None = None
    """Why an existing job was not continued, when it was not."""


class Job:
    """The resumable job of one set of sites on one archive."""

    def __init__(self, state_dir: Path, sites: Sequence[str]) -> None:
        self.name = job_name(sites)
        self.sites = sorted(set(sites))
        self.dir = state_dir / "jobs" / self.name
        self.file = self.dir / JOB_FILE

    def _read(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _write(self, data: Mapping[str, Any]) -> None:
        tmp = self.file.with_name(self.file.name + ".tmp")
        tmp.write_text(json.dumps(dict(data), indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, self.file)

    def _clear_frontier(self) -> None:
        """Remove everything Scrapy wrote (queue, seen fingerprints, spider state)."""
        for entry in self.dir.iterdir():
            if entry.name == JOB_FILE:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    def start(self, options: Mapping[str, Any], *, fresh: bool = False) -> JobStart:
        """Begin a crawl of this job: continue the one there, or start a new one. `options`
        (since, max_articles, ...) must match the job's for it to be continued. Call with the
        archive's crawl lock held."""
        existing = None if fresh else self._read()
        wanted = {k: options[k] for k in sorted(options)}
        note = None
        if existing is not None and existing.get("options") != wanted:
            note = (f"the unfinished crawl of {self.name} had other options "
                    f"({existing.get('options')}); starting over")
            existing = None
        if existing is None:
            if self.dir.exists():
                shutil.rmtree(self.dir)
            _ensure_dir(self.dir)
            # To the microsecond, though the archive's times are whole seconds: an article
            # written in the second this job began counts as the job's own (`incremental.decide`).
            started = dt.datetime.now(dt.UTC).isoformat()
            data = {"sites": self.sites, "options": wanted, "status": RUNNING,
                    "started_at": started, "attempts": 0, "pid": os.getpid()}
            self._write(data)
            return JobStart(self.name, self.dir, NEW, started, 0, note)
        mode = RESUMED if existing.get("status") == PAUSED else RECOVERED
        if mode == RECOVERED:
            self._clear_frontier()
        attempts = int(existing.get("attempts", 0)) + 1
        self._write({**existing, "status": RUNNING, "attempts": attempts, "pid": os.getpid(),
                     "resumed_at": now_utc()})
        return JobStart(self.name, self.dir, mode, str(existing["started_at"]), attempts - 1)

    def finish(self, finish_reason: str) -> bool:
        """Record how the attempt ended: complete (the folder is removed, True) or paused
        (kept for the next run to resume, False); after `DISCARD_REASONS` the folder is
        removed too (False)."""
        if finish_reason in COMPLETE_REASONS or finish_reason in DISCARD_REASONS:
            shutil.rmtree(self.dir, ignore_errors=True)
            return finish_reason in COMPLETE_REASONS
        data = self._read()
        if data is not None:
            self._write({**data, "status": PAUSED, "paused_at": now_utc(),
                         "finish_reason": finish_reason})
        return False
