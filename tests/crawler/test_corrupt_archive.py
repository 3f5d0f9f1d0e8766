"""Crawling into a damaged archive (issue 10, hole 5): the crawl stops with one line that
names the archive and what to do, exits 74, is not recorded as finished, and blames the
archive, not the outlet. Real `warta crawl` children, real SQLite files damaged on disk."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from crawler.sites import write_profile
from tests.crawler.warta_run import CrawlRun, crawl, run_warta
from tests.mockserver.client import MockServer

SITE = "mahakampos"
FIRST = 8
"""Articles the first, healthy crawl archives."""


def damage(db: Path, name: str) -> None:
    """Overwrite every page of the table or index `name` with garbage, as a disk error or an
    unsafe copy would: the file still opens, and SQLite finds the damage when it gets there."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [row[0] for row in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ?", (name,))]
    assert pages
    with db.open("r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * page_size)
            handle.write(b"\xa5" * page_size)


def archived_urls(db: Path) -> list[str]:
    """The articles' URLs, read from the table itself (its damaged index left aside)."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return sorted(r[0] for r in conn.execute("SELECT url FROM articles NOT INDEXED"))


def crawls(db: Path) -> list[tuple[int, str | None]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT id, finish_reason FROM crawls ORDER BY id").fetchall()


def first_crawl(mockserver: MockServer, tmp_path: Path) -> tuple[Path, Path, list[str]]:
    sites = tmp_path / "sites"
    sites.mkdir()
    write_profile(sites, SITE, mockserver.profiles[SITE])
    db = tmp_path / "kaltim.db"
    first = crawl([SITE], sites, db, "--max-articles", str(FIRST))
    assert first.process.returncode == 0, first.process.stderr
    urls = archived_urls(db)
    assert len(urls) == FIRST
    return sites, db, urls


def second_crawl(sites: Path, db: Path) -> CrawlRun:
    # small batches: the crawl would write several, and must stop at the first that fails
    return crawl([SITE], sites, db, "-s", "WARTA_BATCH_SIZE=3")


def check_said(run: CrawlRun, db: Path, action: str) -> None:
    """Exit 74 with one line naming the archive, and finish reason `archive_error`."""
    process = run.process
    assert process.returncode == 74, process.stderr
    assert "Traceback" not in process.stderr
    assert process.stderr == (
        f"Error: the crawl stopped: the archive {db} could not be {action} (database disk image "
        f"is malformed): check it with `sqlite3 {db} 'PRAGMA integrity_check'`; if it is "
        f"damaged, restore it from a backup (or recover what is readable with `sqlite3 {db} "
        ".recover`); then crawl again\n")
    assert process.stdout.splitlines()[-1].startswith("archive_error in ")
    assert run.stats["finish_reason"] == "archive_error"
    assert run.stats["archive/error"] == process.stderr.removeprefix("Error: ").rstrip("\n")


def check_stopped(run: CrawlRun, db: Path, action: str) -> None:
    check_said(run, db, action)
    assert crawls(db) == [(1, "finished"), (2, "archive_error")]
    # Scrapy's frontier counts as done what the archive never got: the job is not kept
    assert not (db.parent / "kaltim.db.state" / "jobs" / SITE).exists()


def test_a_write_error_stops_the_crawl_with_one_line_naming_the_archive(
        mockserver: MockServer, tmp_path: Path) -> None:
    sites, db, before = first_crawl(mockserver, tmp_path)
    damage(db, "sqlite_autoindex_articles_2")  # the unique index of the URLs: writes fail
    run = second_crawl(sites, db)
    check_stopped(run, db, "written")
    assert run.stat("archive/new") == 0
    # the articles read before the crawl stopped are refused, not half written
    assert run.stat("archive/rejected") == run.stat("item_scraped_count") > 0
    assert archived_urls(db) == before  # nothing archived was lost


def test_a_read_error_stops_the_crawl_and_does_not_blame_the_outlet(
        mockserver: MockServer, tmp_path: Path) -> None:
    """The incremental crawl reads the archive's articles first: damaged there, the crawl used
    to find nothing, exit 0 and ask whether the outlet was down."""
    sites, db, _ = first_crawl(mockserver, tmp_path)
    damage(db, "articles")
    run = second_crawl(sites, db)
    check_stopped(run, db, "read")
    assert "outlet down" not in run.process.stderr
    assert run.stat("health/warnings") == 0
    # `warta health` names the damaged archive, not the outlet (how it words a run stopped by
    # an archive since repaired: tests/archive/test_health.py)
    health = run_warta("health", "--db", str(db))
    assert health.returncode == 74, health.stderr
    assert health.stderr.startswith(f"Error: the archive {db} is damaged (")
    assert "outlet" not in health.stderr


def test_an_archive_that_cannot_be_written_stops_the_crawl_at_its_last_batch(
        mockserver: MockServer, tmp_path: Path) -> None:
    """A crawl whose every item waits for the last batch (written as the spider closes)
    stops just the same: not `finished`, status 74."""
    sites, db, before = first_crawl(mockserver, tmp_path)
    damage(db, "sqlite_autoindex_articles_2")
    run = crawl([SITE], sites, db, "-s", "WARTA_BATCH_SIZE=1000",
                "-s", "WARTA_FLUSH_SECONDS=1000")
    check_stopped(run, db, "written")
    assert archived_urls(db) == before
    assert os.path.exists(db)


def test_an_archive_damaged_where_crawls_are_recorded_stops_the_crawl_before_it_fetches(
        mockserver: MockServer, tmp_path: Path) -> None:
    sites, db, before = first_crawl(mockserver, tmp_path)
    damage(db, "crawls")  # the crawl's own record cannot be begun
    mockserver.clear_log()
    run = second_crawl(sites, db)
    check_said(run, db, "written")
    assert run.stat("archive/crawl_id") is None  # no record of it could be begun
    assert run.stat("downloader/request_count") == 0
    assert mockserver.requests(SITE) == []
    assert archived_urls(db) == before
