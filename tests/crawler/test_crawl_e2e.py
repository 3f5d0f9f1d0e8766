"""End to end: `warta crawl` of every mock-server outlet into a fresh archive, in a child
process, then every archived article compared with the fixture's own expected values.

One crawl per module (a few seconds); each test reads what it needs from its result. Articles
are parametrized by their fixture id, so one wrong article does not hide the others.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

import pytest

from archive import Archive
from crawler import demo
from crawler.demo.outlets import OUTLETS
from crawler.settings import PROJECT_URL
from tests.crawler.warta_run import CrawlRun, crawl, write_sites
from tests.mockserver.client import MockServer

FIXTURE_IDS = [a["id"] for a in demo.expected_articles({k: f"http://{k}.test" for k in OUTLETS})]

#: The fixture's `published_precision` in warta's words: its pages show times to the minute.
FIXTURE_PRECISION = {"minute": "time", "day": "day"}


@pytest.fixture(scope="module")
def run(mockserver: MockServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    folder = tmp_path_factory.mktemp("e2e")
    sites = write_sites(folder / "sites", mockserver.profiles)
    mockserver.clear_log()
    return crawl(list(mockserver.profiles), sites, folder / "warta.db")


@pytest.fixture(scope="module")
def archived(run: CrawlRun) -> dict[str, dict[str, Any]]:
    with Archive(run.db) as archive:
        return {row["url"]: row for row in archive.iter_articles()}


@pytest.fixture(scope="module")
def expected(mockserver: MockServer, run: CrawlRun) -> dict[str, dict[str, Any]]:
    return {a["id"]: a for a in mockserver.expected()}


@pytest.fixture(scope="module")
def requested(mockserver: MockServer, run: CrawlRun) -> list[dict[str, Any]]:
    return mockserver.requests()


def test_crawl_finishes_and_prints_a_row_per_outlet(run: CrawlRun,
                                                    mockserver: MockServer) -> None:
    assert run.process.returncode == 0, run.process.stderr
    lines = run.process.stdout.splitlines()
    assert lines[0].split() == ["site", "pages", "articles", "new", "updated", "unchanged",
                                "dropped", "errors"]
    assert sorted(line.split()[0] for line in lines[1:1 + len(mockserver.profiles)]) == sorted(
        mockserver.profiles)
    assert lines[-1].startswith("finished in ")


def test_fixture_ids_cover_the_served_articles(expected: dict[str, dict[str, Any]]) -> None:
    assert sorted(expected) == sorted(FIXTURE_IDS)
    assert len(FIXTURE_IDS) >= 60


def test_every_article_is_archived_once_and_nothing_else(
        archived: dict[str, dict[str, Any]], expected: dict[str, dict[str, Any]],
        mockserver: MockServer) -> None:
    trap_articles = {t["url"] for t in mockserver.traps if t["expect"] == "article"}
    assert set(archived) == {a["url"] for a in expected.values()} | trap_articles


def test_no_article_is_stored_twice(run: CrawlRun) -> None:
    with sqlite3.connect(run.db) as conn:
        (rows, urls, texts), = conn.execute(
            "SELECT count(*), count(DISTINCT url), count(DISTINCT source || title || body) "
            "FROM articles").fetchall()
    assert rows == urls == texts


def _fields(article: dict[str, Any]) -> dict[str, Any]:
    """The fields compared, in the shape the fixture writes them."""
    published = article.get("published_at")
    instant = datetime.fromisoformat(published) if published else None
    return {
        "title": article["title"],
        "published": instant,
        "precision": FIXTURE_PRECISION.get(article["published_precision"],
                                           article["published_precision"]),
        "dateline": article["dateline"],
        "authors": article["authors"],
        "editor": article["editor"],
        "signoff": article["signoff"],
        "section": article["section"],
        "tags": article["tags"],
        "language": article["language"],
        "body": article["body"],
    }


@pytest.mark.parametrize("article_id", FIXTURE_IDS)
def test_article_fields_match_the_fixture(article_id: str, expected: dict[str, dict[str, Any]],
                                          archived: dict[str, dict[str, Any]]) -> None:
    want = expected[article_id]
    got = archived.get(want["url"])
    assert got is not None, f"{want['url']} not archived"
    wanted, found = _fields(want), _fields(got)
    if want["published_precision"] == "day":
        # Only the day is shown on the page: compare the local date, not the instant.
        wanted["published"] = want["published_date"]
        found["published"] = got["published_date"]
    assert found == wanted


@pytest.mark.parametrize("article_id", FIXTURE_IDS)
def test_related_headlines_match_the_fixture(article_id: str,
                                             expected: dict[str, dict[str, Any]],
                                             archived: dict[str, dict[str, Any]]) -> None:
    want = expected[article_id]
    got = archived.get(want["url"])
    assert got is not None, f"{want['url']} not archived"
    found = [{"url": r["url"], "title": r["title"]} for r in got["related"]]
    assert len(found) == want["related_count"]
    assert found == [{"url": r["url"], "title": r["title"]} for r in want["related"]]


def test_related_block_labels_match_the_fixture(expected: dict[str, dict[str, Any]],
                                                archived: dict[str, dict[str, Any]]) -> None:
    wrong = {}
    for want in expected.values():
        got = archived.get(want["url"])
        labels = [r["block"] for r in got["related"]] if got else None
        if labels != [r["block"] for r in want["related"]]:
            wrong[want["id"]] = labels
    assert wrong == {}


def test_robots_disallowed_pages_are_never_requested(
        mockserver: MockServer, requested: list[dict[str, Any]]) -> None:
    forbidden = [t for t in mockserver.traps if t["expect"] == "not_requested"]
    assert forbidden
    paths = {entry["path"] for entry in requested}
    for trap in forbidden:
        path = trap["url"].split("/", 3)[3]
        assert "/" + path not in paths, trap


def test_every_request_names_warta_and_its_homepage(requested: list[dict[str, Any]]) -> None:
    agents = {entry["user_agent"] for entry in requested}
    assert len(agents) == 1
    [agent] = agents
    assert agent.startswith("warta/") and PROJECT_URL in agent


def test_multipage_articles_are_stitched_from_all_their_parts(
        expected: dict[str, dict[str, Any]], archived: dict[str, dict[str, Any]]) -> None:
    multipage = [a for a in expected.values() if a["pages"] > 1]
    assert multipage
    for want in multipage:
        got = archived[want["url"]]
        assert got["body"].endswith(want["body_last_sentence"]), want["url"]


def test_the_crawl_is_recorded_in_the_archive(run: CrawlRun,
                                              archived: dict[str, dict[str, Any]]) -> None:
    with Archive(run.db) as archive:
        [record] = archive.crawls()
        sources = {s["key"] for s in archive.sources()}
    assert record["finish_reason"] == "finished"
    assert record["new"] == len(archived)
    assert record["stats"]["archive/new"] == len(archived)
    assert sorted(record["sites"]) == sorted(sources)


def test_each_article_page_is_fetched_once(mockserver: MockServer,
                                           requested: list[dict[str, Any]],
                                           expected: dict[str, dict[str, Any]]) -> None:
    counts: dict[str, int] = {}
    for entry in requested:
        url = mockserver.urls[entry["site"]] + entry["path"]
        counts[url] = counts.get(url, 0) + 1
    article_urls = {a["url"] for a in expected.values()}
    assert {url: n for url, n in counts.items() if url in article_urls and n > 1} == {}
    assert article_urls <= set(counts)
