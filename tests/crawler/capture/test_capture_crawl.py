"""Captures by real `warta crawl` child processes against the mock server: what the archive
points at is whole and readable, a re-crawl of unchanged pages writes revisits, the switch,
a capture folder that cannot be used, and a crawl killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import CaptureRef, capture_dir
from crawler.capture.reextract import _page
from crawler.capture.warcfiles import OPEN_SUFFIX
from tests.crawler.warta_run import FAST_SETTINGS, ROOT, CrawlRun, crawl, run_warta, write_sites
from tests.mockserver.client import MockServer, start_mockserver

SITE = "kaltimnews"
WAIT = 60.0
POLL = 0.05


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    # the slow trap page answers at once: its timeout is test_bad_input's subject, and here it
    # would only add two DOWNLOAD_TIMEOUTs to each crawl
    with start_mockserver(["--sites", SITE, "mahakampos", "--slow-seconds", "0"]) as mock:
        yield mock


@pytest.fixture(scope="module")
def sites(server: MockServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sites(tmp_path_factory.mktemp("sites"), server.profiles)


def captures(db: Path) -> list[tuple[str, CaptureRef, int]]:
    with sqlite3.connect(db) as conn:
        return [(row[0], CaptureRef(*row[1:7], revisit=bool(row[7])), row[8])
                for row in conn.execute(
                    "SELECT a.fetched_url, c.url, c.warc_file, c.warc_offset, c.warc_length, "
                    "c.payload_digest, c.captured_at, c.revisit, c.part FROM captures c "
                    "JOIN articles a ON a.id = c.article_id ORDER BY c.id")]


def warcio(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from warcio.cli import main; main()", *args],
                          capture_output=True, text=True, check=False)


def assert_whole(db: Path) -> int:
    """Every capture row points at a whole response record of the page it names; returns
    how many rows there are."""
    folder = capture_dir(db)
    rows = captures(db)
    for _, ref, _ in rows:
        data = (folder / ref.warc_file).read_bytes()[ref.warc_offset:
                                                     ref.warc_offset + ref.warc_length]
        assert len(data) == ref.warc_length
        assert _page(data, ref).body.lstrip().lower().startswith((b"<!doctype", b"<html"))
    return len(rows)


@pytest.fixture(scope="module")
def first(server: MockServer, sites: Path, tmp_path_factory: pytest.TempPathFactory
          ) -> CrawlRun:
    return crawl([SITE], sites, tmp_path_factory.mktemp("first") / "warta.db")


def test_every_archived_article_points_at_its_page_as_fetched(first: CrawlRun) -> None:
    assert first.process.returncode == 0, first.process.stderr
    with sqlite3.connect(first.db) as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        captured = conn.execute("SELECT count(DISTINCT article_id) FROM captures "
                                "WHERE part = 0").fetchone()[0]
    assert articles > 10 and captured == articles
    for fetched_url, ref, part in captures(first.db):
        if part == 0:
            assert ref.url == fetched_url
    assert assert_whole(first.db) >= articles


def test_warcio_check_and_index_accept_every_file(first: CrawlRun) -> None:
    names = sorted(str(p) for p in capture_dir(first.db).glob("*.warc.gz"))
    assert names
    checked = warcio("check", *names)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert warcio("index", *names).returncode == 0


def test_a_recrawl_of_unchanged_pages_stores_revisits_not_pages(
        server: MockServer, sites: Path, tmp_path: Path) -> None:
    db = tmp_path / "warta.db"
    one = crawl([SITE], sites, db)
    size = sum(p.stat().st_size for p in capture_dir(db).glob("*.warc.gz"))
    again = crawl([SITE], sites, db, "-s", "WARTA_INCREMENTAL=0")  # every article again
    assert again.process.returncode == 0, again.process.stderr
    articles = one.stat("capture/responses")
    assert articles > 10
    assert again.stat("capture/revisits") == articles
    assert again.stat("capture/responses") == 0
    grown = sum(p.stat().st_size for p in capture_dir(db).glob("*.warc.gz")) - size
    assert grown / articles < 1500  # bytes per unchanged page: headers, not the page
    assert assert_whole(db) == 2 * len([r for r in captures(db) if not r[1].revisit])


def test_no_capture_writes_no_warc(server: MockServer, sites: Path, tmp_path: Path) -> None:
    db = tmp_path / "warta.db"
    run = crawl([SITE], sites, db, "--no-capture")
    assert run.process.returncode == 0, run.process.stderr
    assert run.stat("archive/new") > 10
    assert not capture_dir(db).exists()


def test_a_capture_folder_that_is_a_file_stops_the_crawl_at_start_in_one_line(
        server: MockServer, sites: Path, tmp_path: Path) -> None:
    db = tmp_path / "warta.db"
    capture_dir(db).write_text("not a folder")
    run = run_warta("crawl", SITE, "--sites-dir", str(sites), "--db", str(db))
    assert run.returncode != 0
    assert run.stderr.strip().splitlines() == [
        f"Error: the capture folder {capture_dir(db)} is not a folder; move that file away, "
        "or crawl with --no-capture"]
    assert run.stdout == ""


def test_a_crawl_killed_with_sigkill_leaves_only_whole_records_pointed_at(
        server: MockServer, sites: Path, tmp_path: Path) -> None:
    db = tmp_path / "warta.db"
    args = ["crawl", SITE, "mahakampos", "--sites-dir", str(sites), "--db", str(db),
            "--no-progress", "-s", "WARTA_BATCH_SIZE=2", "-s", "WARTA_FLUSH_SECONDS=60"]
    for setting in FAST_SETTINGS:
        args += ["-s", setting]
    server.set_delay(0.05)
    try:
        process = subprocess.Popen([sys.executable, "-m", "crawler.cli", *args], cwd=ROOT,
                                   env=dict(os.environ, PYTHONPATH=str(ROOT)),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + WAIT
        try:
            while True:  # until the archive points at a few captures
                try:
                    if len(captures(db)) >= 4:
                        break
                except sqlite3.Error:
                    pass  # not created yet
                assert process.poll() is None, "the crawl ended before it could be killed"
                assert time.monotonic() < deadline, "the crawl made no progress"
                time.sleep(POLL)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=WAIT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    finally:
        server.set_delay(0)
    folder = capture_dir(db)
    assert list(folder.glob(f"*{OPEN_SUFFIX}"))  # its files were left open
    assert_whole(db)  # nothing the archive points at is cut
    again = crawl([SITE, "mahakampos"], sites, db)
    assert again.process.returncode == 0, again.process.stderr
    assert not list(folder.glob(f"*{OPEN_SUFFIX}"))
    checked = warcio("check", *sorted(str(p) for p in folder.glob("*.warc.gz")))
    assert checked.returncode == 0, checked.stdout
    assert assert_whole(db) >= len(captures(db))


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 48 KB file system (tmpfs): a capture folder that fills during the crawl."""
    mountpoint = tmp_path / "tiny"
    mountpoint.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs",
                              str(mountpoint)], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", str(mountpoint)], check=False)


def test_a_capture_folder_that_fills_stops_the_crawl_cleanly_with_what_it_wrote(
        server: MockServer, sites: Path, tmp_path: Path, tiny_disk: Path) -> None:
    db = tmp_path / "warta.db"
    capture_dir(db).symlink_to(tiny_disk)  # the capture folder on another (small) disk
    run = crawl([SITE, "mahakampos"], sites, db)
    assert run.process.returncode == 1
    assert run.stat("finish_reason") == "capture_error"
    errors = [line for line in run.process.stderr.splitlines() if "ERROR" in line
              or line.startswith("Error")]
    assert len(errors) == 1 and "No space left on device" in errors[0]
    assert "what was captured before is kept" in errors[0]
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT warc_file, warc_offset, warc_length FROM captures"
                            ).fetchall()
    assert rows  # what was captured before the disk filled is archived and pointed at
    for name, offset, length in rows:
        assert (tiny_disk / name).stat().st_size >= offset + length
    checked = warcio("check", *sorted(str(p) for p in tiny_disk.glob("*.warc.gz")))
    assert checked.returncode == 0, checked.stdout
