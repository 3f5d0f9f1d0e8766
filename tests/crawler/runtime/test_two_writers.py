"""Two writers of one archive file (issue 10, hole 1): SQLite's own locks must keep working
while a process holds several connections to the archive, and two crawls that name the same
file by different paths (a symlink, another `WARTA_STATE_DIR`) must contend for one lock.

Everything is real: child processes, SQLite files, `warta crawl` against the mock server."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from archive.instants import now_utc
from crawler.demo.model import load_articles
from crawler.runtime.lock import CrawlLock, crawl_lock
from tests.crawler.warta_run import (
    FAST_SETTINGS,
    ROOT,
    read_until,
    run_warta,
    start_warta,
    write_sites,
)
from tests.mockserver.client import MockServer

WAIT = 120.0
#: The articles a crawl of the demo outlet `mahakampos` archives: all it bundles.
MAHAKAMPOS = len(load_articles("mahakampos"))

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
# The first "crawl" is the test holding the lock the way a crawl of its path takes it
# (`crawler.runtime.lock.crawl_lock`), until the test releases it: the second crawl is refused and
# then waits whatever the machine's load, instead of racing a first crawl that ends by itself.

def crawl_args(sites: Path, db: Path | str, *extra: str) -> list[str]:
    args = ["crawl", "mahakampos", "--sites-dir", str(sites), "--db", str(db), *extra]
    for setting in FAST_SETTINGS:
        args += ["-s", setting]
    return args


@dataclass
class Overlap:
    since: str
    """When the test took the lock (its record's `started_at`)."""
    released_at: str
    refused: subprocess.CompletedProcess[str]
    said: str
    """What the waiting crawl said before it got the lock."""
    waited: subprocess.CompletedProcess[str]


def overlap(first: CrawlLock, second_args: list[str], cwd: Path) -> Overlap:
    """Hold `first` (a crawl's lock), run the second crawl (it must not write), and the second
    again with `--wait`; release `first` once that one says it waits, and let it finish."""
    first.acquire()
    waiting: subprocess.Popen[str] | None = None
    try:
        since = json.loads(first.path.read_text())["started_at"]
        refused = run_warta(*second_args, cwd=cwd)
        waiting = start_warta(*second_args, "--wait", cwd=cwd)
        # Events, not time (see test_lock): the line says it found the lock held; its end
        # says it crawled after the release.
        said = read_until(waiting, r"Waiting for the crawl lock[^\n]*\n", timeout=None)
        released_at = now_utc()
        first.release()
        out, err = waiting.communicate()
    finally:
        first.release()
        if waiting is not None and waiting.poll() is None:
            waiting.kill()
            waiting.communicate()
    waited = subprocess.CompletedProcess(waiting.args, waiting.returncode, out, said + err)
    return Overlap(since, released_at, refused, said, waited)


def check_one_crawl_at_a_time(db: Path, run: Overlap, lock_file: Path) -> None:
    refused, waited = run.refused, run.waited
    assert (refused.returncode, refused.stdout) == (75, "")
    assert refused.stderr == (
        f"Error: another crawl holds the lock on this archive (PID {os.getpid()}, since "
        f"{run.since}, `first`; lock file {lock_file}); it ends by itself, or run again with "
        "--wait to wait for it\n")
    assert waited.returncode == 0, waited.stderr
    assert run.said.startswith("Waiting for the crawl lock on ")
    assert integrity(db) == ("ok", MAHAKAMPOS, MAHAKAMPOS)
    with contextlib.closing(sqlite3.connect(db)) as conn:
        crawls = conn.execute("SELECT started_at, finish_reason FROM crawls").fetchall()
    assert [c[1] for c in crawls] == ["finished"]  # the refused run recorded nothing
    assert crawls[0][0] >= run.released_at  # the waiting run began once the lock was free


def test_a_crawl_through_a_symlink_and_one_through_the_real_path_share_one_lock(
        mockserver: MockServer, tmp_path: Path) -> None:
    sites = write_sites(tmp_path / "sites", mockserver.profiles)
    (tmp_path / "data").mkdir()
    db = tmp_path / "data" / "kaltim.db"
    link = tmp_path / "kaltim-link.db"
    link.symlink_to(db)
    lock_file = tmp_path / "data" / "kaltim.db.state" / "crawl.lock"
    # the first crawl names the archive through the symlink, the others by a relative path
    run = overlap(crawl_lock(link, command="first"),
                  crawl_args(sites, Path("data") / "kaltim.db"), cwd=tmp_path)
    check_one_crawl_at_a_time(db, run, Path("data") / "kaltim.db.state" / "crawl.lock")
    assert link.is_symlink()  # left as it was
    assert lock_file.read_text() == ""  # released
    assert (tmp_path / "kaltim-link.db.state" / "crawl.lock").read_text() == ""


def test_two_crawls_with_their_own_state_folders_share_one_lock(
        mockserver: MockServer, tmp_path: Path) -> None:
    sites = write_sites(tmp_path / "sites", mockserver.profiles)
    db = tmp_path / "kaltim.db"
    lock_file = tmp_path / "kaltim.db.state" / "crawl.lock"
    run = overlap(crawl_lock(db, str(tmp_path / "state-a"), command="first"),
                  crawl_args(sites, db, "-s", f"WARTA_STATE_DIR={tmp_path / 'state-b'}"),
                  cwd=tmp_path)
    check_one_crawl_at_a_time(db, run, lock_file)
    # each state folder holds its own crawl's lock; the archive's lock is beside the archive
    assert (tmp_path / "state-a" / "crawl.lock").read_text() == ""
    assert (tmp_path / "state-b" / "crawl.lock").read_text() == ""
    assert lock_file.read_text() == ""
