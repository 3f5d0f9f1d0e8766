"""Multi-page articles whole, end to end (issue 13): the network portal of
tests/mockserver/network.py, crawled by a real `warta crawl` child from a three-line profile.

It has no sitemap and no feed: its articles are reachable only through channel, tag and author
pages. Its multi-page articles are stored whole: from the single-page view where one is offered
(`Tampilkan semua`, `Lihat semua`), else from every part in order (`Halaman 1 2 3`, numbered
part links, `rel=next`); the article whose second part answers 404 is archived with the parts
that could be read, and marked so, not silently shortened."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.crawler.warta_run import CrawlRun, crawl, run_warta, write_sites
from tests.mockserver.client import MockServer
from tests.mockserver.network import NETWORK_SITE


@pytest.fixture(scope="module")
def network(mockserver: MockServer) -> dict[str, Any]:
    described: dict[str, Any] = mockserver.network()
    return described


@pytest.fixture(scope="module")
def first(mockserver: MockServer, network: dict[str, Any],
          tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlRun, list[dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("network")
    sites = write_sites(folder / "sites", {NETWORK_SITE: network["profile"]})
    mockserver.clear_log()
    run = crawl([NETWORK_SITE], sites, folder / "warta.db")
    return run, mockserver.requests(NETWORK_SITE)


def rows(db: Path) -> dict[str, dict[str, Any]]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return {row["url"]: dict(row) for row in conn.execute("SELECT * FROM articles")}


def test_a_three_line_profile_finds_every_article(
        first: tuple[CrawlRun, list[dict[str, Any]]], network: dict[str, Any]) -> None:
    run, _ = first
    assert run.process.returncode == 0, run.process.stderr
    assert set(network["articles"]) <= set(rows(run.db))  # recall 1.0
    for kind in ("section", "tag", "author"):
        assert run.stat(f"discovery/listings_found/{kind}") >= 2, kind


def test_every_multipage_article_is_stored_whole_in_order(
        first: tuple[CrawlRun, list[dict[str, Any]]], network: dict[str, Any]) -> None:
    run, _ = first
    archived = rows(run.db)
    for url, article in network["multipage"].items():
        if article["missing"]:
            continue
        body = archived[url]["body"]
        at = [body.find(marker) for marker in article["markers"]]
        assert -1 not in at, (url, article["form"], at)
        assert at == sorted(at), (url, article["form"])  # every part, in order
        assert body.count(article["markers"][0]) == 1  # none twice
        assert archived[url]["signoff"] == "sw/ap"  # from the last part
        assert json.loads(archived[url]["provenance"])["parts"].startswith(
            ("whole", "single page")), url


def test_the_single_page_view_is_preferred_to_the_parts(
        first: tuple[CrawlRun, list[dict[str, Any]]], network: dict[str, Any]) -> None:
    run, requests = first
    paths = [r["path"] for r in requests]
    for url, article in network["multipage"].items():
        if article["form"] not in ("query_all", "path_all"):
            continue
        path = url.split("/", 3)[3]
        read = [p for p in paths if p.startswith("/" + path)]
        assert sorted(read) == sorted({"/" + path, "/" + path + (
            "?page=all" if article["form"] == "query_all" else "/all")}), read
    assert run.stat("extract/single_page") == 2


def test_a_single_page_view_that_fails_leaves_the_parts_to_read(
        first: tuple[CrawlRun, list[dict[str, Any]]], network: dict[str, Any]) -> None:
    run, requests = first
    [url] = [u for u, a in network["multipage"].items() if a["form"] == "broken_all"]
    path = "/" + url.split("/", 3)[3]
    asked = sorted(r["path"] for r in requests if r["path"].startswith(path))
    assert asked == [path, path + "?page=2", path + "?page=all"]
    assert run.stat("extract/single_page_unusable") == 1
    assert json.loads(rows(run.db)[url]["provenance"])["parts"] == "whole: 2 parts"


def test_an_article_with_a_missing_part_is_marked_not_shortened(
        first: tuple[CrawlRun, list[dict[str, Any]]], network: dict[str, Any]) -> None:
    run, _ = first
    archived = rows(run.db)
    [(url, article)] = [(u, a) for u, a in network["multipage"].items() if a["missing"]]
    row = archived[url]
    provenance = json.loads(row["provenance"])
    assert provenance["parts"].startswith("incomplete: 2 of 3 parts"), provenance
    assert "http_404" in provenance["parts"]
    body = row["body"]
    assert article["markers"][0] in body and article["markers"][2] in body
    assert article["markers"][1] not in body
    assert run.stat("extract/parts_missing") == 1
    assert run.stat("extract/articles_incomplete") == 1
    whole = sum(a["parts"] - 1 for a in network["multipage"].values()
                if a["form"] not in ("query_all", "path_all") and not a["missing"])
    assert run.stat("extract/parts_stitched") == whole + 1  # + the missing one's part 3


def test_requests_stay_within_1_3_times_article_and_listing_pages(
        first: tuple[CrawlRun, list[dict[str, Any]]]) -> None:
    _, requests = first
    paths = [r["path"] for r in requests]
    pages = [p for p in paths if p.startswith("/read/")]  # articles, their parts and views
    listings = [p for p in paths if p == "/" or p.startswith(("/channel/", "/tag/", "/author/"))]
    assert len(pages) == len(set(pages))  # each page once
    assert len(paths) <= 1.3 * (len(pages) + len(listings))


def test_warta_show_says_a_part_is_missing(
        first: tuple[CrawlRun, list[dict[str, Any]]], network: dict[str, Any]) -> None:
    run, _ = first
    [url] = [u for u, a in network["multipage"].items() if a["missing"]]
    shown = run_warta("show", url, "--db", str(run.db))
    assert shown.returncode == 0, shown.stderr
    [line] = [ln for ln in shown.stdout.splitlines() if ln.startswith("body")]
    assert "incomplete: 2 of 3 parts" in line and "?page=2 (http_404)" in line


def captures_of(db: Path, url: str) -> list[tuple[int, str]]:
    """(part, fetched URL) of the captures the article's stored version points at."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT c.part, c.url FROM captures c JOIN articles a ON a.id = c.article_id "
            "WHERE a.url = ? AND c.content_hash = a.content_hash ORDER BY c.id",
            (url,)).fetchall()


def test_the_article_with_a_missing_part_is_incomplete_where_researchers_filter(
        first: tuple[CrawlRun, list[dict[str, Any]]], network: dict[str, Any]) -> None:
    run, _ = first
    [url] = [u for u, a in network["multipage"].items() if a["missing"]]
    assert rows(run.db)[url]["body_status"] == "incomplete"
    assert run.stat("validate/body_incomplete") == 1
    assert all(row["body_status"] == "ok" for u, row in rows(run.db).items()
               if u in network["multipage"] and u != url)
    health = run_warta("health", "--db", str(run.db))
    assert "1 with a part missing" in health.stdout, health.stdout
    export = run_warta("export", "--out", "-", "--format", "jsonl", "--db", str(run.db))
    assert url not in export.stdout and "incomplete body left out" in export.stderr


def test_every_stored_multipage_version_points_at_the_pages_it_was_read_from(
        first: tuple[CrawlRun, list[dict[str, Any]]], network: dict[str, Any]) -> None:
    run, _ = first
    for url, article in network["multipage"].items():
        captured = captures_of(run.db, url)
        assert captured, (url, article["form"])
        if article["form"] in ("query_all", "path_all"):
            # the first page (title, date) and the single-page view its text came from
            assert [part for part, _ in captured] == [0, -1], captured
            assert captured[1][1].endswith(("?page=all", "/all")), captured
        elif article["missing"]:  # the parts read, in order; the 404 one has no record
            assert [part for part, _ in captured] == [0, 1], captured
            assert not any(u.endswith("?page=2") for _, u in captured), captured
        else:
            assert [part for part, _ in captured] == list(range(article["parts"])), captured


def test_reextract_reads_single_page_views_and_incomplete_articles_as_the_crawl_did(
        first: tuple[CrawlRun, list[dict[str, Any]]], network: dict[str, Any],
        tmp_path: Path) -> None:
    run, _ = first
    db = tmp_path / "copy.db"
    with sqlite3.connect(run.db) as source, sqlite3.connect(db) as target:
        source.backup(target)
    (tmp_path / "copy.warc").symlink_to(run.db.with_suffix(".warc"))
    done = run_warta("reextract", "--dry-run", "--db", str(db),
                     "--sites-dir", str(run.db.parent / "sites"))
    assert done.returncode == 0, done.stderr
    assert "changed: nothing" in done.stdout, done.stdout
