"""Reading article pages beside the crawl: worker processes for `crawler.extract`.

Scrapy runs every callback in one thread of one process. On a fast crawl (a loopback mirror,
`bench/crawl.py`, many outlets at once) reading the article pages takes close to half of that
process's time (about 2.3 ms a page of lxml and Python for a generated page, more for real
ones), while a second core sits idle. `ExtractionWorkers` moves that reading to worker
processes: the crawl process sends a page's bytes and gets the same dictionary back, and keeps
downloading, scheduling and archiving meanwhile.

When (`WARTA_EXTRACT_PROCESSES`):

- unset (the default): on a machine with two CPUs or more, workers start only once reading
  pages keeps the crawl process busy: over the latest `BUSY_PAGES` pages or more, spanning
  `BUSY_WINDOW` seconds or more, extraction took at least `BUSY_SHARE` of the time, and at least
  `MIN_BACKLOG` article pages are still to be read. A polite crawl (a few pages a second), a
  small one and a re-crawl of an unchanged outlet never start a process. Then one worker per
  CPU but one, at most `MAX_AUTO_PROCESSES`.
  Once they run, a page whose worker still has `SPILL_QUEUE` pages to read is read in the
  crawl process, so that neither process waits on the other (counted:
  `extract/spilled_pages`).
- a number N > 0: N workers from the first article page, which wait for them to start, and
  read every page.
- 0: pages are always read in the crawl process.

In auto mode, until the workers are up (a fraction of a second, on another core), pages are
read in the crawl process; pages read by workers are counted (`extract/worker_pages`). A page
gives the same fields either way: the same function with the same arguments, in a fresh
interpreter (`python -c`, started with the crawl process's `sys.path`:
no copy of its sockets, threads or reactor, and, unlike `multiprocessing`, no import of its
`__main__`, so a script without a main guard does not start a second crawl). An error that
extraction raises comes back as the same one-line reason.

Pages and results travel as length-prefixed pickles over the worker's stdin and stdout, which
the crawl's asyncio loop writes and reads without blocking (its pipe transports), so a large
page never blocks the event loop. A
worker that dies (killed, out of memory) ends the workers for the rest of the crawl: its pages
and all later ones are read in the crawl process, once logged and counted
(`extract/workers_lost`). Workers ignore Ctrl-C (the crawl stops them when it has shut down
cleanly) and exit at the end of their stdin, so they never outlive the crawl process, even
after a SIGKILL.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import itertools
import logging
import os
import pickle
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import IO, Any

from crawler.runtime.gctuning import tune_gc
from crawler.sites import SiteProfile

logger = logging.getLogger(__name__)

BUSY_WINDOW = 0.05
"""Seconds over which the share of time spent reading pages is measured (auto mode): the
latest pages read in the crawl process that span this long, and `BUSY_PAGES` of them at
least (a window slides over the pages as they are read). Short, so that a fast crawl hands its
pages to workers early: every page read here before they are up costs the crawl process a
page's reading plus, for the first, the import of the extraction code, and the crawl process
is the busier of the two. On bench/crawl.py (2,000 pages, about 3 s) the crawl process read
~150 pages with 0.5 s, ~80 with 0.1 s and 16 pages, ~64 with 0.05 s and 8 pages (the worker
started at ~0.16 s into the crawl instead of ~0.21 s); two sets of ten alternating runs gave
650 and 647 pages a second against 632 and 616 with 0.1 s and 16. `BUSY_PAGES` keeps a short
window from judging on one or two slow pages."""

BUSY_PAGES = 8
"""Pages a window must hold to be judged (auto mode): a window of `BUSY_WINDOW` with fewer
grows until it holds them. A polite crawl (a few pages a second, 5-20 ms each) then shows a
busy share of a few percent over its 8 pages (spanning a second or more) and starts nothing; a
loopback crawl (300-800 pages a second) is judged within its first 0.05 s of reading. When
windows were 0.1 s whatever they held, a crawl process slowed by the machine's other work
(30-50 pages a second on bench/crawl.py with a load of 8 on two cores, extraction a third of
its time) never held 16 pages in one and read every page itself."""

BUSY_SHARE = 0.25
"""Share of the window spent reading pages that starts the workers (auto mode). A loopback
crawl reading pages back to back spends 40-50% of its time there; a polite crawl of real
outlets (a few pages a second at 5-20 ms each) under 10%, and gains nothing from a process."""

MIN_BACKLOG = 300
"""Article pages still to be read (asked for, not yet done) for auto mode to start workers:
about what the crawl process reads in the ~0.3 s a worker takes to start (~1 ms a generated
page). With fewer, the crawl ends before the worker is of use: a re-crawl reading its ~100 new
and refreshed pages in a burst started one that never got a page, at ~0.1 s of its 0.35 s
(bench/recrawl.py)."""

WORKER_EXIT_SECONDS = 5.0
"""How long the crawl's close waits for its workers to exit once their input has ended (they
finish the page they read, in milliseconds), to count their CPU time; a worker still running
after it exits by itself in the background."""

MAX_AUTO_PROCESSES = 4
"""Workers at most in auto mode: one crawl process saturates well before four workers do (it
handles about 350 pages a second on loopback, one worker about 400 generated pages)."""

SPILL_QUEUE = 64
"""Auto mode, workers running: a page whose worker (the least busy one) still has this many
pages to read is read in the crawl process instead, so that the crawl process does not wait
idle on a worker that fell behind (pages slower to read than to fetch, or a worker starved by
the machine's other work): on bench/crawl.py under a load of 7 on two cores, without it the
worker's queue was 42 to 263 pages on average (`extract/worker_queue_mean`; 116 to 511 at
most). Not lower: responses come in bursts (16 requests are in flight), so even a worker that
keeps up has 16 pages queued now and then, and at 16 the crawl process, the busier of the two,
read 61 to 178 of bench/crawl.py's 2,025 pages itself (`extract/spilled_pages`) where at 64 it
read 0 to 19, with 1.81-1.94 ms of its CPU a page against 1.89-2.06 and a median of 538 pages a
second against 521 (six alternating runs of each). At 64, four such bursts, a worker starved
by other work is still caught within about 0.1 s of its pages, and the pages it holds stay
few: Scrapy stops downloading while more than `SCRAPER_SLOT_MAX_ACTIVE_SIZE` (5 MB) of
responses wait to be read. A set number of workers (`WARTA_EXTRACT_PROCESSES=N`) reads every
page in them."""

_HEADER = struct.Struct("!Q")
_BOOTSTRAP = ("import pickle, sys; sys.path[:] = pickle.load(sys.stdin.buffer); "
              "from crawler.runtime.workers import serve; serve()")
"""The worker's command: the crawl process's `sys.path` first (a Scrapyd egg, a test's root),
then the loop."""


class ExtractionError(Exception):
    """Extraction raised on a page; `reason` is `"<ExceptionType>: <message>"`, the same text
    whether the page was read in the crawl process or in a worker."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WorkerLost(Exception):
    """A worker process ended (or could not start) with pages still to read."""


def auto_processes() -> int:
    """Workers for auto mode: one per CPU this process may use, but one, at most
    `MAX_AUTO_PROCESSES` (0 on a single CPU)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cpus = os.cpu_count() or 1
    return max(0, min(cpus - 1, MAX_AUTO_PROCESSES))


def extract_page(body: bytes, url: str, profile: SiteProfile | None, fetched_at: dt.datetime,
                 encoding: str | None, date_hint: tuple[str, str] | None = None
                 ) -> dict[str, Any]:
    """`crawler.extract.extract_article` with its error as an `ExtractionError`."""
    from crawler.extract import extract_article

    try:
        return extract_article(body, url, profile=profile, fetched_at=fetched_at,
                               encoding=encoding, date_hint=date_hint)
    except Exception as exc:  # a page extraction cannot read must not stop the crawl
        raise ExtractionError(f"{type(exc).__name__}: {exc}") from None


# --- framing ------------------------------------------------------------------------------------

def _send(stream: IO[bytes], obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """The next object, or raise EOFError at the end of the stream."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    size = _HEADER.unpack(header)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


# --- in the worker process ----------------------------------------------------------------------

def serve() -> None:
    """The worker's loop: profiles, then `(task, body, url, site, fetched_at, encoding,
    date_hint)` frames
    in, `(task, ok, fields or reason)` frames out, until stdin ends."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl process's to handle
    requests = sys.stdin.buffer
    results = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # a stray print must not corrupt the result stream
    os.close(devnull)
    try:
        profiles: dict[str, SiteProfile] = _receive(requests)
        import crawler.extract  # noqa: F401  (before saying ready: the first page pays nothing)
        tune_gc()

        _send(results, None)  # ready
        while True:
            task, body, url, site, fetched_at, encoding, hint = _receive(requests)
            try:
                fields = extract_page(body, url, profiles.get(site or ""), fetched_at, encoding,
                                      hint)
            except ExtractionError as exc:
                _send(results, (task, False, exc.reason))
            else:
                _send(results, (task, True, fields))
    except (EOFError, BrokenPipeError, ConnectionResetError):
        # The crawl closed its end (done, or gone before this worker was even ready): leave
        # without a word, and without flushing into the closed pipe on the way out.
        os._exit(0)


# --- in the crawl process -----------------------------------------------------------------------

def _frame(obj: Any) -> bytes:
    """`_send`'s bytes for one object: its length, then its pickle."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


class _Results(asyncio.Protocol):
    """The worker's stdout, read by the crawl's loop: frames cut and unpickled as they come."""

    def __init__(self, worker: _Worker) -> None:
        self.worker = worker
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        offset, size = 0, len(buffer)
        try:
            while size - offset >= _HEADER.size:
                end = offset + _HEADER.size + _HEADER.unpack_from(buffer, offset)[0]
                if end > size:
                    break
                obj = pickle.loads(buffer[offset + _HEADER.size:end])
                offset = end
                self.worker.received(obj)
        except Exception as exc:  # a frame that does not unpickle: the stream is lost
            self.worker.fail(exc)
            return
        finally:
            del buffer[:offset]

    def connection_lost(self, exc: Exception | None) -> None:
        self.worker.fail(exc or EOFError())


class _Pages(asyncio.BaseProtocol):
    """The worker's stdin, written by the crawl's loop."""

    def __init__(self, worker: _Worker) -> None:
        self.worker = worker

    def connection_lost(self, exc: Exception | None) -> None:
        self.worker.fail(exc or WorkerLost(f"the input of worker process "
                                           f"{self.worker.process.pid} was closed"))


class _Worker:
    """One worker process, whose pipes the crawl's asyncio loop writes and reads.

    A page goes out as a frame written to the worker's stdin (non-blocking: the loop's
    transport keeps what the pipe cannot take yet); its result comes back as an asyncio future
    that the loop itself resolves when the frame is read. No thread, so no hand-over of
    Python's lock per page: with threads writing and reading, those hand-overs cost ~180 us
    of the crawl process per page on bench/crawl.py (pages of 6 KB).

    Without a running asyncio loop (another Twisted reactor) the worker is started but never
    connected; it is not used then (`ExtractionWorkers.read_async` needs the loop)."""

    def __init__(self, profiles: Mapping[str, SiteProfile]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _BOOTSTRAP], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            close_fds=True)
        self.ready: Future[None] = Future()
        self.up = False
        """Set on the loop once `ready` has been seen to succeed: then no page asks `ready`
        (each question takes its lock) again."""
        self.pending: dict[int, asyncio.Future[tuple[bool, Any]]] = {}
        self.lost: BaseException | None = None
        self._pages: asyncio.WriteTransport | None = None
        self._closed = False
        assert self.process.stdin is not None
        # sys.path as the plain pickle the bootstrap reads (small: the pipe takes it at once)
        self.process.stdin.write(pickle.dumps(list(sys.path)))
        self.process.stdin.flush()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._connecting: asyncio.Task[None] | None = None
        else:
            self._connecting = loop.create_task(self._connect(loop, dict(profiles)))

    async def _connect(self, loop: asyncio.AbstractEventLoop,
                       profiles: dict[str, SiteProfile]) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            pages, _ = await loop.connect_write_pipe(lambda: _Pages(self), self.process.stdin)
            self._pages = pages
            pages.write(_frame(profiles))
            await loop.connect_read_pipe(lambda: _Results(self), self.process.stdout)
        except Exception as exc:  # an OSError: the worker cannot be used
            self.fail(exc)
        if self._closed:
            self.close()

    def submit(self, task: int, args: tuple[Any, ...]) -> asyncio.Future[tuple[bool, Any]]:
        """Send one page; its `(ok, fields or reason)` comes back on the running loop."""
        if self.lost is not None or self._pages is None:
            raise WorkerLost(str(self.lost or "worker not connected"))
        future: asyncio.Future[tuple[bool, Any]] = asyncio.get_running_loop().create_future()
        self.pending[task] = future
        self._pages.write(_frame((task, *args)))
        return future

    def received(self, obj: Any) -> None:
        """(On the loop) one frame from the worker: ready, or a page's result."""
        if obj is None:
            if not self.ready.done():
                self.ready.set_result(None)
            return
        task, ok, value = obj
        future = self.pending.pop(task, None)
        if future is not None and not future.done():  # else its reader was cancelled
            future.set_result((ok, value))

    def fail(self, exc: BaseException) -> None:
        """(On the loop) the worker is gone: every page waiting for it fails."""
        if self.lost is None:
            self.lost = exc if not isinstance(exc, EOFError) else WorkerLost(
                f"worker process {self.process.pid} ended")
        pending, self.pending = self.pending, {}
        if not self.ready.done():
            self.ready.set_exception(WorkerLost(str(self.lost)))
        for future in pending.values():
            if not future.done():
                future.set_exception(WorkerLost(str(self.lost)))

    def close(self) -> None:
        """End the worker's input (it exits once done with the page it is reading)."""
        self._closed = True
        if self._connecting is not None and not self._connecting.done():
            return  # `_connect` closes it once connected
        pages = self._pages
        if pages is not None and not pages.is_closing():
            try:
                pages.close()  # what is still buffered is written first
                return
            except RuntimeError:  # its loop is closed
                pass
        with contextlib.suppress(OSError, ValueError):
            assert self.process.stdin is not None
            self.process.stdin.close()


class ExtractionWorkers:
    """Read article pages in worker processes when that pays (see the module docstring), else
    in place. One per crawl; `close()` when the spider closes."""

    def __init__(self, profiles: Mapping[str, SiteProfile], processes: int | None,
                 stats: Callable[[], Any] | None = None,
                 backlog: Callable[[], int] | None = None) -> None:
        self.profiles = dict(profiles)
        self.auto = processes is None
        self.processes = auto_processes() if processes is None else max(0, processes)
        self.stats = stats
        """Returns the crawl's stats collector (it exists only once the crawl has begun)."""
        self.backlog = backlog
        """Returns the article pages still to be read (auto mode; None: not known, no limit)."""
        self.workers: list[_Worker] = []
        self._tasks = itertools.count()
        self._off = self.processes == 0
        self._window: collections.deque[tuple[float, float]] = collections.deque()
        """Auto mode: (start, end) of the latest pages read here, `BUSY_PAGES` at least,
        spanning `BUSY_WINDOW` at least once there are enough (`_note`)."""
        self._busy = 0.0
        self._all_ready = False
        self._queued = 0
        """Pages waiting in the workers (sent, not yet answered), summed over every page sent:
        over the pages sent, the mean queue a page met (`extract/worker_queue_mean`)."""
        self._queue_max = 0
        self._sent = 0

    @property
    def running(self) -> bool:
        """Whether workers read the pages now (started and ready)."""
        if self._off or not self.workers:
            return False
        if not self._all_ready:  # asked for every page: once true, it stays true
            self._all_ready = all(w.ready.done() for w in self.workers)
        return self._all_ready

    def read(self, body: bytes, url: str, site: str | None, fetched_at: dt.datetime,
             encoding: str | None, date_hint: tuple[str, str] | None = None) -> dict[str, Any]:
        """Read one page in this process (raises `ExtractionError`)."""
        import crawler.extract  # noqa: F401  (once, before the clock: not a page's reading time)

        started = time.monotonic()
        try:
            return extract_page(body, url, self.profiles.get(site or ""), fetched_at, encoding,
                                date_hint)
        finally:
            self._note(started, time.monotonic())

    async def read_async(self, body: bytes, url: str, site: str | None,
                         fetched_at: dt.datetime, encoding: str | None,
                         date_hint: tuple[str, str] | None = None) -> dict[str, Any]:
        """Read one page in a worker when they run, else in this process (raises
        `ExtractionError`). Needs a running asyncio loop (Scrapy's asyncio reactor)."""
        if not self._off and not self.auto and not self.workers:
            self._start()
        # Auto mode reads pages here while its workers start; a set number waits for them.
        if not self._off and self.workers and (not self.auto or self.running):
            workers = self.workers
            worker = (workers[0] if len(workers) == 1
                      else min(workers, key=lambda w: len(w.pending)))
            if self.auto and len(worker.pending) >= SPILL_QUEUE:
                # the workers are behind: this process reads the page rather than wait idle
                if self.stats is not None:
                    self.stats().inc_value("extract/spilled_pages")
                return self.read(body, url, site, fetched_at, encoding, date_hint)
            try:
                if not worker.up:
                    if not worker.ready.done():
                        await asyncio.wrap_future(worker.ready)
                    worker.ready.result()
                    worker.up = True
                waiting = len(worker.pending)
                self._queued += waiting
                self._sent += 1
                if waiting > self._queue_max:
                    self._queue_max = waiting
                ok, value = await worker.submit(next(self._tasks), (body, url, site, fetched_at,
                                                                    encoding, date_hint))
            except WorkerLost as exc:
                self._lost(exc)
            else:
                if self.stats is not None:
                    self.stats().inc_value("extract/worker_pages")
                if ok:
                    return value
                raise ExtractionError(str(value))
        return self.read(body, url, site, fetched_at, encoding, date_hint)

    def _note(self, started: float, ended: float) -> None:
        """Auto mode: add one in-process read to the busy window; start the workers when the
        window was busy enough."""
        if not self.auto or self._off or self.workers:
            return
        window = self._window
        window.append((started, ended))
        self._busy += ended - started
        # the window slides: the oldest pages leave while the rest still make a whole window
        while len(window) > BUSY_PAGES and ended - window[1][0] >= BUSY_WINDOW:
            first, last = window.popleft()
            self._busy -= last - first
        span = ended - window[0][0]
        if len(window) < BUSY_PAGES or span < BUSY_WINDOW:
            return
        if (self._busy >= BUSY_SHARE * span
                and (self.backlog is None or self.backlog() >= MIN_BACKLOG)):
            self._start()

    def _start(self) -> None:
        try:
            for _ in range(self.processes):
                self.workers.append(_Worker(self.profiles))
        except OSError as exc:  # no process could be started: read pages here
            self._lost(exc)
            return
        if self.stats is not None:
            self.stats().set_value("extract/workers", self.processes)
        logger.debug("reading article pages in %d worker process(es)", self.processes)

    def _lost(self, exc: BaseException) -> None:
        if self._off:
            return
        self._off = True
        logger.warning("extraction workers stopped (%s: %s); article pages are read in the "
                       "crawl process from now on", type(exc).__name__, exc)
        if self.stats is not None:
            self.stats().inc_value("extract/workers_lost")
        self.close()

    def close(self) -> None:
        """Stop the workers: each ends its input, and they exit in the background."""
        workers, self.workers = self.workers, []
        for worker in workers:
            worker.close()

    async def stop(self, timeout: float = WORKER_EXIT_SECONDS) -> None:
        """`close()`, then wait on the running loop (not blocking it: the pipes' ends are
        closed by its callbacks) for the workers to exit, at most `timeout` seconds; their CPU
        time, start-up included, is counted as `extract/worker_cpu_seconds`, and none is
        left behind as a zombie."""
        workers = self.workers
        self.close()
        if self._sent and self.stats is not None:
            stats = self.stats()
            stats.set_value("extract/worker_queue_mean", round(self._queued / self._sent, 2))
            stats.set_value("extract/worker_queue_max", self._queue_max)
        cpu = 0.0
        reaped = 0
        deadline = time.monotonic() + timeout
        for worker in workers:
            process = worker.process
            while process.returncode is None:
                try:
                    pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                except ChildProcessError:  # reaped already: its time is not known here
                    break
                if pid:
                    process.returncode = os.waitstatus_to_exitcode(status)
                    cpu += usage.ru_utime + usage.ru_stime
                    reaped += 1
                elif time.monotonic() < deadline:
                    await asyncio.sleep(0.005)
                else:
                    break
        if workers and reaped == len(workers) and self.stats is not None:
            # only a whole figure: a worker still running at the deadline is left to exit
            # by itself, and its time is not counted as none
            self.stats().set_value("extract/worker_cpu_seconds", round(cpu, 3))
        elif workers:
            logger.debug("%d of %d worker(s) had not exited after %.0f s: their CPU time "
                         "is not counted", len(workers) - reaped, len(workers), timeout)
