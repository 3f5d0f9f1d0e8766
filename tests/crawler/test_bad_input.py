"""Bad input through the mock server's traps: each is counted in the crawl stats and logged
once with its URL, the crawl goes on, and a second crawl changes nothing already archived.

Two real `warta crawl` processes over the trap outlet (`tests/mockserver/traps.py`)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.crawler.warta_run import CrawlRun, crawl, write_sites
from tests.mockserver.client import MockServer
from tests.mockserver.traps import TRAP_SITE

# What each trap's `expect` must leave in the stats (`errors/<kind>`).
ERROR_KIND = {
    "redirect_loop": "redirect_loop",
    "timeout": "timeout",
    "too_large": "too_large",
    "empty": "empty_body",
    "bad_sitemap": "xml_unsafe",
    "bad_feed": "feed_is_html",
}


def snapshot(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT url, title, body, content_hash, published_at, changed_at "
                            "FROM articles ORDER BY url").fetchall()


@pytest.fixture(scope="module")
def runs(mockserver: MockServer,
         tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlRun, list[Any], CrawlRun]:
    folder = tmp_path_factory.mktemp("traps")
    sites = write_sites(folder / "sites", {TRAP_SITE: mockserver.profiles[TRAP_SITE]})
    db = folder / "warta.db"
    first = crawl([TRAP_SITE], sites, db)
    before = snapshot(db)
    # A full re-read (an incremental crawl would skip the archived pages; see
    # tests/crawler/test_incremental.py): bad input on the way must change nothing stored.
    second = crawl([TRAP_SITE], sites, db, "-s", "WARTA_INCREMENTAL=0")
    return first, before, second


@pytest.fixture(scope="module")
def first(runs: tuple[CrawlRun, list[Any], CrawlRun]) -> CrawlRun:
    return runs[0]


def trap(mockserver: MockServer, expect: str) -> dict[str, Any]:
    [found] = [t for t in mockserver.traps if t["expect"] == expect]
    return found


def test_the_crawl_goes_on_past_every_trap(first: CrawlRun, mockserver: MockServer) -> None:
    assert first.process.returncode == 0, first.process.stderr
    assert first.stat("finish_reason") == "finished"
    articles = [a for a in mockserver.expected() if a["site"] == TRAP_SITE]
    assert first.stat("archive/new") >= len(articles)


@pytest.mark.parametrize("expect", sorted(ERROR_KIND))
def test_each_trap_is_counted_once_by_kind(first: CrawlRun, expect: str) -> None:
    assert first.stat(f"errors/{ERROR_KIND[expect]}") == 1


def test_http_errors_are_counted_by_status(first: CrawlRun, mockserver: MockServer) -> None:
    statuses = sorted(t["status"] for t in mockserver.traps if t["expect"] == "http_error")
    assert statuses == [404, 500]
    assert (first.stat("errors/http_404"), first.stat("errors/http_500")) == (1, 1)


def test_errors_total_is_the_sum_of_the_kinds(first: CrawlRun) -> None:
    kinds = {k: v for k, v in first.stats.items()
             if k.startswith("errors/") and k != "errors/total"}
    assert first.stat("errors/total") == sum(kinds.values())
    assert first.stat(f"site/{TRAP_SITE}/errors") == first.stat("errors/total")


@pytest.mark.parametrize("expect", [*sorted(ERROR_KIND), "http_error"])
def test_each_bad_url_is_logged_once_with_its_url(first: CrawlRun, mockserver: MockServer,
                                                  expect: str) -> None:
    for item in (t for t in mockserver.traps if t["expect"] == expect):
        lines = [line for line in first.process.stderr.splitlines() if item["url"] in line]
        assert len(lines) == 1, (item["url"], lines)


def test_no_traceback_reaches_the_log(first: CrawlRun) -> None:
    assert "Traceback" not in first.process.stderr


def test_the_redirected_article_is_archived_under_its_target(first: CrawlRun,
                                                             mockserver: MockServer) -> None:
    redirect = trap(mockserver, "redirect")
    with sqlite3.connect(first.db) as conn:
        urls = {row[0] for row in conn.execute("SELECT url FROM articles")}
    assert redirect["target"] in urls
    assert redirect["url"] not in urls


@pytest.mark.parametrize("kind", ["broken_html", "wrong_charset"])
def test_broken_markup_and_wrong_charset_pages_are_still_read(
        first: CrawlRun, mockserver: MockServer, kind: str) -> None:
    [item] = [t for t in mockserver.traps if t["kind"] == kind]
    with sqlite3.connect(first.db) as conn:
        row = conn.execute("SELECT title, body, published_at FROM articles WHERE url = ?",
                           (item["url"],)).fetchone()
    assert row is not None, item["url"]
    title, body, published = row
    assert title == item["title"]
    assert published == item["published_at"]
    assert body.startswith(item["body_first_sentence"])
    assert body.endswith(item["body_last_sentence"])


def test_a_second_crawl_changes_nothing_already_archived(
        runs: tuple[CrawlRun, list[Any], CrawlRun]) -> None:
    first, before, second = runs
    assert second.process.returncode == 0, second.process.stderr
    assert snapshot(second.db) == before
    assert second.stat("archive/unchanged") == first.stat("archive/new")
    assert second.stat("archive/new") == second.stat("archive/updated") == 0


def test_a_full_re_read_of_unchanged_pages_stores_no_version(
        runs: tuple[CrawlRun, list[Any], CrawlRun]) -> None:
    _, _, second = runs
    with sqlite3.connect(second.db) as conn:
        assert conn.execute("SELECT count(*) FROM article_versions").fetchone() == (0,)
        stored = conn.execute("SELECT title, body, content_hash FROM articles").fetchall()
    assert second.stat("archive/unchanged") == len(stored) > 0
    # The hash a crawl stores is the archive's pinned one (tests/archive/test_records.py) of
    # what it stores: sha256 of title, a blank line, body. Hashing anything else (the raw
    # page, a fetch time) would make every re-crawl of an archive store versions.
    assert [h for _, _, h in stored] == [
        hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest() for title, body, _ in stored]
