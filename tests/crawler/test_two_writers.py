"""Two writers of one archive file (issue 10, hole 1): SQLite's own locks must keep working
while a process holds several connections to the archive, and two crawls that name the same
file by different paths (a symlink, another `WARTA_STATE_DIR`) must contend for one lock.

Everything is real: child processes, SQLite files, `warta crawl` against the mock server."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawler.warta_run import FAST_SETTINGS, ROOT, run_warta, write_sites
from tests.mockserver.client import MockServer, start_mockserver

WAIT = 120.0

WRITER = """
import sys
from archive import Archive

db, tag, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])


def record(n, r):
    return {"url": f"https://kaltimpost.example/berita/{n}", "source": "kaltimpost",
            "title": f"Judul {n} ({tag}, putaran {r})",
            "body": f"SAMARINDA - Isi berita {n}, ditulis {tag} pada putaran {r}.",
            "published_at": "2023-05-23T10:15:00+08:00"}


print("ready", flush=True)
sys.stdin.readline()  # both writers start together
for r in range(rounds):
    # As the crawl's archive pipeline does: one archive for the crawl record, opened when
    # the spider opens, and a second one for the writer thread's batches.
    main = Archive(db)
    main.set_source("kaltimpost", name="Kaltim Post")
    crawl_id = main.begin_crawl(["kaltimpost"], {"writer": tag})
    writer = Archive(db)
    for b in range(5):
        writer.write([record(n, r) for n in range(b * 20, b * 20 + 40)], crawl_id=crawl_id)
    writer.close()
    main.finish_crawl(crawl_id, finish_reason="finished", counts={}, stats={})
    main.close()
print("done", flush=True)
"""


def integrity(db: Path) -> tuple[str, int, int]:
    """`PRAGMA integrity_check`'s first line, the articles and their distinct URLs."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows, urls = conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
    return check, rows, urls


def test_two_processes_each_with_two_archive_connections_keep_the_file_whole(
        tmp_path: Path) -> None:
    """Opening a second `Archive` in a process used to read the file's header with plain file
    I/O; closing that descriptor dropped the process's SQLite locks on the file, and with a
    second writer the archive was `malformed` (every time, on this test before the fix)."""
    db = tmp_path / "warta.db"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), tag, "20"], env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
               for tag in ("A", "B")]
    try:
        for writer in writers:
            assert writer.stdout is not None
            assert writer.stdout.readline() == "ready\n"
        for writer in writers:
            assert writer.stdin is not None
            writer.stdin.write("go\n")
            writer.stdin.flush()
        outcomes = [writer.communicate(timeout=WAIT) for writer in writers]
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait()
    for writer, (out, err) in zip(writers, outcomes, strict=True):
        assert (writer.returncode, out, err) == (0, "done\n", "")
    assert integrity(db) == ("ok", 120, 120)
    with contextlib.closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*) FROM crawls WHERE finish_reason = 'finished'"
                            ).fetchone() == (40,)


# --- two crawls, two paths of one archive -------------------------------------------------

@pytest.fixture(scope="module")
def slow() -> Iterator[MockServer]:
    """A mock server whose every response waits 0.2 s."""
    with start_mockserver(["--sites", "mahakampos", "--delay", "0.2"]) as mock:
        yield mock


def crawl_args(sites: Path, db: Path | str, *extra: str) -> list[str]:
    args = ["crawl", "mahakampos", "--sites-dir", str(sites), "--db", str(db), *extra]
    for setting in FAST_SETTINGS:
        args += ["-s", setting]
    return args


def start_crawl(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("WARTA_DB", None)
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until_held_by(process: subprocess.Popen[str], lock_file: Path) -> None:
    """Return once `process` has written itself into the lock file (it holds the lock)."""
    deadline = time.monotonic() + WAIT
    while not (lock_file.exists() and f'"pid": {process.pid},' in lock_file.read_text()):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)


def overlap(first_args: list[str], second_args: list[str], first_lock: Path,
            cwd: Path) -> tuple[subprocess.Popen[str], subprocess.CompletedProcess[str],
                                subprocess.CompletedProcess[str]]:
    """Start the first crawl; once it holds the lock in its own state folder (`first_lock`),
    run the second (it must not write) and the second again with `--wait`; let the first
    finish."""
    # one request at a time: about 30 pages, so the first crawl lasts some 6 s, long enough
    # for the second to start on a loaded machine
    first = start_crawl([*first_args, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"], cwd)
    try:
        wait_until_held_by(first, first_lock)
        refused = run_warta(*second_args, cwd=cwd)
        waited = run_warta(*second_args, "--wait", cwd=cwd)
        first.communicate(timeout=WAIT)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    return first, refused, waited


def check_one_crawl_at_a_time(db: Path, first: subprocess.Popen[str],
                              refused: subprocess.CompletedProcess[str],
                              waited: subprocess.CompletedProcess[str], lock_file: Path) -> None:
    assert first.returncode == 0
    assert (refused.returncode, refused.stdout) == (75, "")
    assert refused.stderr.startswith(f"Error: another crawl holds the lock on this archive "
                                     f"(PID {first.pid}, since ")
    assert refused.stderr.endswith(f"; lock file {lock_file}); it ends by itself, or run "
                                   "again with --wait to wait for it\n")
    assert waited.returncode == 0, waited.stderr
    assert integrity(db) == ("ok", 22, 22)
    with contextlib.closing(sqlite3.connect(db)) as conn:
        crawls = conn.execute("SELECT started_at, finished_at, finish_reason FROM crawls "
                              "ORDER BY id").fetchall()
    assert [c[2] for c in crawls] == ["finished", "finished"]  # the refused run recorded nothing
    assert crawls[1][0] >= crawls[0][1]  # the waiting run began after the first ended


def test_a_crawl_through_a_symlink_and_one_through_the_real_path_share_one_lock(
        slow: MockServer, tmp_path: Path) -> None:
    sites = write_sites(tmp_path / "sites", slow.profiles)
    (tmp_path / "data").mkdir()
    db = tmp_path / "data" / "kaltim.db"
    link = tmp_path / "kaltim-link.db"
    link.symlink_to(db)
    lock_file = tmp_path / "data" / "kaltim.db.state" / "crawl.lock"
    # the first crawl names the archive through the symlink, the others by a relative path
    first, refused, waited = overlap(crawl_args(sites, link),
                                     crawl_args(sites, Path("data") / "kaltim.db"),
                                     tmp_path / "kaltim-link.db.state" / "crawl.lock",
                                     cwd=tmp_path)
    check_one_crawl_at_a_time(db, first, refused, waited, Path("data") / "kaltim.db.state"
                              / "crawl.lock")
    assert link.is_symlink()  # left as it was
    assert lock_file.read_text() == ""  # released
    assert (tmp_path / "kaltim-link.db.state" / "crawl.lock").read_text() == ""


def test_two_crawls_with_their_own_state_folders_share_one_lock(
        slow: MockServer, tmp_path: Path) -> None:
    sites = write_sites(tmp_path / "sites", slow.profiles)
    db = tmp_path / "kaltim.db"
    lock_file = tmp_path / "kaltim.db.state" / "crawl.lock"
    first, refused, waited = overlap(
        crawl_args(sites, db, "-s", f"WARTA_STATE_DIR={tmp_path / 'state-a'}"),
        crawl_args(sites, db, "-s", f"WARTA_STATE_DIR={tmp_path / 'state-b'}"),
        tmp_path / "state-a" / "crawl.lock", cwd=tmp_path)
    check_one_crawl_at_a_time(db, first, refused, waited, lock_file)
    # each state folder holds its own crawl's job; the archive's lock is beside the archive
    assert (tmp_path / "state-a" / "crawl.lock").read_text() == ""
    assert (tmp_path / "state-b" / "crawl.lock").read_text() == ""
    assert lock_file.read_text() == ""
