"""Lose nothing (issue 12): an article page whose body cannot be read is archived as
`missing`, counted, and read again by the next crawl, which fills it in.

Two real `warta crawl` processes over the trap outlet, whose late-body article
(`tests/mockserver/traps.py`, `BODILESS_PATH`) first shows its title, date and byline with no
text, then gains its paragraphs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from tests.crawler.warta_run import FAST_SETTINGS, CrawlRun, crawl, run_warta, write_sites
from tests.mockserver import traps
from tests.mockserver.client import MockServer

SITE = traps.TRAP_SITE
SETTINGS = (*FAST_SETTINGS, "RETRY_TIMES=0")  # the slow trap times out once, not twice


@dataclass
class Runs:
    first: CrawlRun
    second: CrawlRun
    url: str
    after_first: dict[str, Any]
    second_requested: bool


def row(db: Path, url: str) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        found = conn.execute("SELECT * FROM articles WHERE url = ?", (url,)).fetchone()
    assert found is not None, f"{url} not archived"
    return dict(found)


@pytest.fixture(scope="module")
def runs(mockserver: MockServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    folder = tmp_path_factory.mktemp("body")
    sites = write_sites(folder / "sites", {SITE: mockserver.profiles[SITE]})
    db = folder / "warta.db"
    url = mockserver.url(SITE, traps.BODILESS_PATH)
    try:
        mockserver.control("set_bodiless", state="missing")
        first = crawl([SITE], sites, db, settings=SETTINGS)
        after_first = row(db, url)
        with sqlite3.connect(db) as source, sqlite3.connect(folder / "first.db") as copy:
            source.backup(copy)  # the archive as the first crawl left it
        mockserver.control("set_bodiless", state="gained")
        mockserver.clear_log()
        second = crawl([SITE], sites, db, settings=SETTINGS)
        requested = traps.BODILESS_PATH in mockserver.requested_paths(SITE)
    finally:
        mockserver.reset()
    yield Runs(first, second, url, after_first, requested)


def test_a_dated_page_without_a_body_is_archived_as_missing(runs: Runs) -> None:
    assert runs.first.process.returncode == 0, runs.first.process.stderr
    got = runs.after_first
    assert (got["title"], got["published_at"], got["body"], got["body_status"]) == (
        traps.BODILESS_TITLE, traps.BODILESS_PUBLISHED, "", "missing")
    assert json.loads(got["authors"]) == ["Rina Wulandari"]
    assert json.loads(got["provenance"])["body"].startswith("missing: ")
    assert got["body_stage"] is None


def test_the_missing_body_is_counted_in_the_stats_and_per_outlet(runs: Runs) -> None:
    first = runs.first
    assert first.stat("validate/body_missing") == 1
    assert first.stat(f"site/{SITE}/body_missing") == 1
    assert first.stat("validate/dropped/no_body") == 0
    assert "; 1 archived without a body (see warta health); " in first.process.stdout
    with sqlite3.connect(first.db) as conn:
        (missing,), = conn.execute(
            "SELECT body_missing FROM crawl_sites WHERE source = ? ORDER BY crawl_id LIMIT 1",
            (SITE,)).fetchall()
    assert missing == 1


def test_the_next_crawl_reads_it_again_and_keeps_the_empty_version(runs: Runs) -> None:
    second = runs.second
    assert second.process.returncode == 0, second.process.stderr
    assert runs.second_requested
    assert second.stat("incremental/incomplete") >= 1
    assert second.stat("validate/body_missing") == 0
    with Archive(second.db) as archive:
        got = archive.get(runs.url)
    assert got is not None
    assert got["body_status"] == "ok"
    assert got["body"] == "\n\n".join(traps.BODILESS_PARAGRAPHS)
    assert got["body_stage"] == "generic"
    assert [v["body"] for v in got["versions"]] == [""]


def test_health_stats_show_and_export_see_the_missing_body(runs: Runs, tmp_path: Path) -> None:
    db = str(runs.first.db.parent / "first.db")  # as the first crawl left it
    health = run_warta("health", "--db", db, real=True)  # the real `warta` executable
    assert health.returncode == 0, health.stderr
    lines = health.stdout.splitlines()
    header, row_ = lines[0].split(), lines[1].split()
    assert header[8:11] == ["BODY", "NO", "BODY"]
    read, no_body = int(row_[5]), row_[9]
    assert no_body == f"{100 / read:.0f}%"
    assert f"  {SITE}: 1 without a body (" in health.stdout

    stats = run_warta("stats", "--db", db, real=True)  # the real executable
    assert "NO BODY" in stats.stdout.splitlines()[0]
    assert stats.stdout.splitlines()[1].split()[8:10] == ["1", "0"]

    show = run_warta("show", runs.url, "--db", db, real=True)  # the real executable
    assert show.returncode == 0, show.stderr
    assert "body       missing: no stage of the body chain" in show.stdout

    out = tmp_path / "all.jsonl"
    export = run_warta("export", "--out", str(out), "--db", db, real=True)  # the real executable
    assert export.returncode == 0, export.stderr
    assert ("; 1 with a short, missing or incomplete body left out (--include-incomplete"
            in export.stdout)
    assert runs.url not in out.read_text()
    every = tmp_path / "every.jsonl"
    export = run_warta("export", "--out", str(every), "--include-incomplete", "--db", db)
    assert export.returncode == 0, export.stderr
    rows = [json.loads(line) for line in every.read_text().splitlines()]
    assert [r["body_status"] for r in rows if r["url"] == runs.url] == ["missing"]
    assert len(rows) == len(out.read_text().splitlines()) + 1
