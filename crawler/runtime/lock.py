"""The archive's crawl lock, and the state folder a scheduled crawl keeps between runs.

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

The resumable jobs kept in the same folder are `crawler.runtime.jobs`.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archive import WartaError, now_utc

#: Exit status of a crawl that found the archive locked by another crawl: EX_TEMPFAIL of
#: sysexits.h, which cron wrappers and systemd read as "temporary failure, try again later".
EXIT_LOCKED = 75

STATE_SUFFIX = ".state"
LOCK_NAME = "crawl.lock"


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


def ensure_dir(path: Path) -> Path:
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
        ensure_dir(path.parent)
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
