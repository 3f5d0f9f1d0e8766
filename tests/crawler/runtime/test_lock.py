"""One crawl at a time per archive: the lock itself (held and released by real child
processes), and `warta crawl` runs that overlap or find a lock left by a dead process.

No sleep decides an outcome here: a lock is held by the test (in its own process or in a child
that waits for the test's word) until the test releases it, and each step waits for the event
it needs (a line on a pipe, a record in the lock file)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.instants import now_utc
from crawler.demo.model import load_articles
from crawler.runtime.lock import (
    EXIT_LOCKED,
    CrawlLock,
    CrawlLocked,
    LockHolder,
    crawl_lock,
)
from tests.crawler.warta_run import (
    FAST_SETTINGS,
    ROOT,
    read_until,
    run_warta,
    start_warta,
    write_sites,
)
from tests.mockserver.client import MockServer, start_mockserver

WAIT = 60.0
#: The articles a crawl of the demo outlet `mahakampos` archives: all it bundles.
MAHAKAMPOS = len(load_articles("mahakampos"))

HOLD = """
import sys
from pathlib import Path
from crawler.runtime.lock import CrawlLock
lock = CrawlLock(Path(sys.argv[1]), command="holder")
lock.acquire()
print("held", flush=True)
sys.stdin.readline()  # until the test says so (or closes the pipe)
lock.release()
print("released", flush=True)
"""


def archive_lock(db: Path, command: str = "holder") -> CrawlLock:
    """The crawl lock of the archive at `db`, made as `warta crawl` makes it
    (`crawler.runtime.lock.crawl_lock`), so that these tests follow any change to where it lives."""
    return crawl_lock(db, command=command)


def hold(path: Path) -> subprocess.Popen[str]:
    """A child process that takes the lock at `path`, says so, and holds it until `release`
    (or until it is killed)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline() == "held\n"
    return child


def release(child: subprocess.Popen[str]) -> None:
    """Tell a `hold` child to release its lock and return at once (it does so and exits)."""
    assert child.stdin is not None
    child.stdin.write("release\n")
    child.stdin.flush()


def test_a_held_lock_names_its_holder(tmp_path: Path) -> None:
    path = tmp_path / "crawl.lock"
    child = hold(path)
    try:
        with pytest.raises(CrawlLocked) as raised:
            CrawlLock(path).acquire()
    finally:
        child.kill()
        child.wait()
    assert raised.value.exit_code == EXIT_LOCKED == 75
    assert f"(PID {child.pid}, since " in str(raised.value)
    assert "`holder`; lock file" in str(raised.value)


def test_waiting_for_a_lock_takes_it_when_released(tmp_path: Path) -> None:
    path = tmp_path / "crawl.lock"
    child = hold(path)
    seen: list[LockHolder | None] = []

    def waiting(holder: LockHolder | None) -> None:
        seen.append(holder)
        release(child)  # only now: the lock was really found held, and is waited for

    lock = CrawlLock(path)
    try:
        lock.acquire(wait=True, on_wait=waiting)
    finally:
        if child.poll() is None and not seen:
            child.kill()
        child.communicate(timeout=WAIT)
    assert [h.pid if h else None for h in seen] == [child.pid]
    assert lock.taken_over is None  # released cleanly, nothing to take over
    assert json.loads(path.read_text())["pid"] == os.getpid()
    lock.release()
    assert path.read_text() == ""


def test_the_lock_of_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "crawl.lock"
    child = hold(path)
    child.send_signal(signal.SIGKILL)
    child.wait()
    lock = CrawlLock(path)
    lock.acquire()
    try:
        assert lock.taken_over is not None
        assert (lock.taken_over.pid, lock.taken_over.command) == (child.pid, "holder")
    finally:
        lock.release()


# --- warta crawl ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def slow() -> Iterator[MockServer]:
    """A mock server whose every response waits 0.15 s: a crawl lasts long enough to overlap."""
    with start_mockserver(["--sites", "mahakampos", "--delay", "0.15"]) as mock:
        yield mock


def wait_until_held_by(process: subprocess.Popen[str], lock_file: Path) -> None:
    """Return once `process` has written itself into the lock file (it holds the lock)."""
    deadline = time.monotonic() + WAIT
    while not (lock_file.exists() and f'"pid": {process.pid},' in lock_file.read_text()):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)


@contextlib.contextmanager
def holding_the_lock(process: subprocess.Popen[str], lock_file: Path) -> Iterator[None]:
    """Run the block once `process` holds the lock, with the process stopped (SIGSTOP) so that
    it cannot finish and release the lock meanwhile, however slow the block; then let it go on
    and finish (killed if the block failed and it still runs)."""
    try:
        wait_until_held_by(process, lock_file)
        process.send_signal(signal.SIGSTOP)
        try:
            # A release empties the record before it unlocks: a record still there once the
            # process is stopped is a lock still held.
            assert f'"pid": {process.pid},' in lock_file.read_text()
            yield
        finally:
            process.send_signal(signal.SIGCONT)
        process.communicate(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def crawl_args(sites: Path, db: Path, *extra: str) -> list[str]:
    args = ["crawl", "mahakampos", "--sites-dir", str(sites), "--db", str(db), *extra]
    for setting in FAST_SETTINGS:
        args += ["-s", setting]
    return args


def test_overlapping_crawls_exit_75_or_wait(mockserver: MockServer, tmp_path: Path) -> None:
    """While the test holds the archive's lock, `warta crawl` exits 75 at once, and `warta
    crawl --wait` says it waits, crawls nothing, and crawls once the test releases the lock."""
    sites = write_sites(tmp_path / "sites", mockserver.profiles)
    db = tmp_path / "warta.db"
    lock = archive_lock(db)
    lock_file = lock.path
    lock.acquire()
    waiting: subprocess.Popen[str] | None = None
    try:
        since = json.loads(lock_file.read_text())["started_at"]
        refused = run_warta(*crawl_args(sites, db))
        waiting = start_warta(*crawl_args(sites, db, "--wait"))
        # Events, not time: the waiting run says it waits (it has found the lock held), and
        # ends once it has crawled after the release, however slow a loaded machine is.
        said = read_until(waiting, r"Waiting for the crawl lock[^\n]*\n", timeout=None)
        with sqlite3.connect(db) as conn:  # the waiting run has opened the archive, no more
            assert conn.execute("SELECT count(*) FROM crawls").fetchone() == (0,)
        released_at = now_utc()
        lock.release()
        out, err = waiting.communicate()
    finally:
        lock.release()
        if waiting is not None and waiting.poll() is None:
            waiting.kill()
            waiting.communicate()
    assert refused.returncode == 75
    assert refused.stdout == ""
    assert refused.stderr == (
        f"Error: another crawl holds the lock on this archive (PID {os.getpid()}, since "
        f"{since}, `holder`; lock file {lock_file}); it ends by itself, or run again with "
        "--wait to wait for it\n")
    assert waiting.returncode == 0, said + err
    assert said == (f"Waiting for the crawl lock on {db} (PID {os.getpid()}, since {since}, "
                    "`holder`)...\n")
    assert out.splitlines()[-1].startswith("finished in ")
    with sqlite3.connect(db) as conn:
        crawls = conn.execute("SELECT started_at, finish_reason FROM crawls").fetchall()
        (articles,) = conn.execute("SELECT count(*) FROM articles").fetchone()
    assert len(crawls) == 1  # the refused run recorded nothing
    assert crawls[0][0] >= released_at  # the waiting run began once the lock was released
    assert (crawls[0][1], articles) == ("finished", MAHAKAMPOS)
    assert lock_file.read_text() == ""  # and it released the lock in turn


def test_a_stale_lock_is_taken_over_and_said(mockserver: MockServer, tmp_path: Path) -> None:
    sites = write_sites(tmp_path / "sites", mockserver.profiles)
    db = tmp_path / "warta.db"
    lock_file = archive_lock(db).path
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(gone.stdout)
    lock_file.parent.mkdir(parents=True)
    lock_file.write_text(json.dumps({"pid": pid, "started_at": "2024-05-01T02:00:00+00:00",
                                     "command": "warta crawl --all", "host": os.uname()[1]}))
    result = run_warta(*crawl_args(sites, db, "--max-articles", "1"))
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(
        f"Note: took over the crawl lock left by PID {pid}, since 2024-05-01T02:00:00+00:00, "
        "`warta crawl --all`: that crawl ended without releasing it\n")
    assert lock_file.read_text() == ""  # released at the end


# --- the Scrapy way (scrapy crawl, scrapyd) ---------------------------------------------------

def scrapy_crawl(sites: Path, db: Path) -> subprocess.Popen[str]:
    """`scrapy crawl news -a site=mahakampos` into `db`, started in a child process."""
    settings = [arg for s in FAST_SETTINGS for arg in ("-s", s)]
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "news", "-a", "site=mahakampos",
         "-s", f"WARTA_DB={db}", "-s", f"WARTA_SITES_DIR={sites}", "-s", "LOG_LEVEL=WARNING",
         *settings], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_scrapy_crawl_of_a_locked_archive_fetches_nothing_and_says_who_holds_it(
        slow: MockServer, tmp_path: Path) -> None:
    """`scrapy crawl news` (and so a scrapyd job) takes the archive's lock as `warta crawl`
    does: while another process holds it, one error line, no request, the archive untouched."""
    sites = write_sites(tmp_path / "sites", slow.profiles)
    db = tmp_path / "warta.db"
    lock_file = archive_lock(db).path
    child = hold(lock_file)
    slow.clear_log()
    try:
        _, stderr = scrapy_crawl(sites, db).communicate(timeout=WAIT)
    finally:
        child.kill()
        child.wait()
    assert "Traceback" not in stderr
    (line,) = [li for li in stderr.splitlines() if "ERROR" in li]
    assert line.endswith(f"ERROR: another crawl holds the lock on {db} (PID {child.pid}, since "
                         f"{json.loads(lock_file.read_text())['started_at']}, `holder`; lock "
                         f"file {lock_file}); this crawl fetches nothing: schedule it again "
                         "once that one has ended")
    assert slow.requests("mahakampos") == []
    assert not db.exists()


def test_a_scrapy_crawl_holds_the_lock_while_it_runs_and_releases_it(
        slow: MockServer, tmp_path: Path) -> None:
    sites = write_sites(tmp_path / "sites", slow.profiles)
    db = tmp_path / "warta.db"
    lock_file = archive_lock(db).path
    first = scrapy_crawl(sites, db)
    with holding_the_lock(first, lock_file), pytest.raises(CrawlLocked):
        CrawlLock(lock_file).acquire()
    assert first.returncode == 0
    assert lock_file.read_text() == ""  # released cleanly
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT finish_reason FROM crawls").fetchall() == [("finished",)]
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (MAHAKAMPOS,)
