"""One crawl at a time per archive: the lock itself (held and released by real child
processes), and `warta crawl` runs that overlap or find a lock left by a dead process."""

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

from crawler.state import EXIT_LOCKED, CrawlLock, CrawlLocked, LockHolder
from tests.crawler.warta_run import FAST_SETTINGS, ROOT, run_warta, write_sites
from tests.mockserver.client import MockServer, start_mockserver

WAIT = 60.0

HOLD = """
import sys, time
from pathlib import Path
from crawler.state import CrawlLock
lock = CrawlLock(Path(sys.argv[1]), command="holder")
lock.acquire()
print("held", flush=True)
time.sleep(float(sys.argv[2]))
lock.release()
"""


def hold(path: Path, seconds: float) -> subprocess.Popen[str]:
    """A child process that takes the lock, says so, holds it `seconds`, releases it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], env=env,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline() == "held\n"
    return child


def test_a_held_lock_names_its_holder(tmp_path: Path) -> None:
    path = tmp_path / "crawl.lock"
    child = hold(path, 30)
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
    child = hold(path, 0.5)
    seen: list[LockHolder | None] = []
    lock = CrawlLock(path)
    lock.acquire(wait=True, on_wait=seen.append)
    child.wait()
    assert [h.pid if h else None for h in seen] == [child.pid]
    assert lock.taken_over is None  # released cleanly, nothing to take over
    assert json.loads(path.read_text())["pid"] == os.getpid()
    lock.release()
    assert path.read_text() == ""


def test_the_lock_of_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "crawl.lock"
    child = hold(path, 30)
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
    """Run the block once `process` holds the lock, then let it finish (killed if the block
    failed and it still runs)."""
    try:
        wait_until_held_by(process, lock_file)
        yield
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


def test_overlapping_crawls_exit_75_or_wait(slow: MockServer, tmp_path: Path) -> None:
    sites = write_sites(tmp_path / "sites", slow.profiles)
    db = tmp_path / "warta.db"
    lock_file = tmp_path / "warta.db.state" / "crawl.lock"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    first = subprocess.Popen([sys.executable, "-m", "crawler.cli", *crawl_args(sites, db)],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    with holding_the_lock(first, lock_file):
        refused = run_warta(*crawl_args(sites, db))
        waited = run_warta(*crawl_args(sites, db, "--wait"))
    assert first.returncode == 0
    assert refused.returncode == 75
    assert refused.stdout == ""
    assert refused.stderr.startswith(f"Error: another crawl holds the lock on this archive "
                                     f"(PID {first.pid}, since ")
    assert refused.stderr.endswith(f"; lock file {lock_file}); it ends by itself, or run "
                                   "again with --wait to wait for it\n")
    assert waited.returncode == 0, waited.stderr
    assert waited.stderr.startswith(f"Waiting for the crawl lock on {db} (PID {first.pid}, ")
    with sqlite3.connect(db) as conn:
        crawls = conn.execute("SELECT started_at, finished_at FROM crawls ORDER BY id").fetchall()
    assert len(crawls) == 2  # the refused run recorded nothing
    assert crawls[1][0] >= crawls[0][1]  # the waiting run began after the first ended


def test_a_stale_lock_is_taken_over_and_said(slow: MockServer, tmp_path: Path) -> None:
    sites = write_sites(tmp_path / "sites", slow.profiles)
    db = tmp_path / "warta.db"
    lock_file = tmp_path / "warta.db.state" / "crawl.lock"
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
    lock_file = tmp_path / "warta.db.state" / "crawl.lock"
    child = hold(lock_file, 60)
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
    lock_file = tmp_path / "warta.db.state" / "crawl.lock"
    first = scrapy_crawl(sites, db)
    with holding_the_lock(first, lock_file), pytest.raises(CrawlLocked):
        CrawlLock(lock_file).acquire()
    assert first.returncode == 0
    assert lock_file.read_text() == ""  # released cleanly
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT finish_reason FROM crawls").fetchall() == [("finished",)]
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (22,)
