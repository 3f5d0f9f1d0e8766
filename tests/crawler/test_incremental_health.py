"""A site whose layout changes between two scheduled crawls: the crawl that reads it warns in
its log, on stderr and (with `--fail-on-warning`) in its exit status, and `warta health` says
the same afterwards. Real `warta crawl` processes against the mock server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.crawler.warta_run import CrawlRun, crawl, run_warta, write_sites
from tests.mockserver.client import MockServer

SITE = "mahakampos"
NEW_ARTICLES = 6
"""Published after the layout change: enough to be judged (`archive.health.MIN_ARTICLES`)."""


@pytest.fixture(scope="module")
def runs(mockserver: MockServer,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("health")
    sites = write_sites(folder / "sites", {SITE: mockserver.profiles[SITE]})
    db = folder / "warta.db"
    try:
        before = crawl([SITE], sites, db, "--fail-on-warning")
        mockserver.set_layout(SITE)
        mockserver.add_articles(SITE, NEW_ARTICLES)
        after = crawl([SITE], sites, db)
        strict = crawl([SITE], sites, db, "--fail-on-warning")
    finally:
        mockserver.reset()
    yield {"db": db, "before": before, "after": after, "strict": strict}


def body_warning(crawl_id: int, usual: int = 100) -> str:
    return (f"{SITE}: crawl {crawl_id} found a body on 0% of {NEW_ARTICLES} articles read "
            f"(usually {usual}%): has the outlet changed its layout?")


def test_a_healthy_first_crawl_passes_even_when_strict(runs: dict[str, Any]) -> None:
    before: CrawlRun = runs["before"]
    assert before.process.returncode == 0, before.process.stderr
    assert before.stat("health/warnings") == 0


def test_the_crawl_after_the_change_warns_in_its_log_and_on_stderr(
        runs: dict[str, Any]) -> None:
    after: CrawlRun = runs["after"]
    assert after.process.returncode == 0  # a warning fails the run only when asked
    assert after.stat(f"site/{SITE}/articles") == NEW_ARTICLES
    assert after.stat(f"site/{SITE}/with_body") == 0
    assert f"[crawler.pipelines] WARNING: health: {body_warning(2)}" in after.process.stderr
    assert f"\nWarning: {body_warning(2)}\n" in after.process.stderr
    assert after.stat("health/messages")[-1] == body_warning(2)


def test_with_fail_on_warning_the_exit_status_is_3(runs: dict[str, Any]) -> None:
    strict: CrawlRun = runs["strict"]
    assert strict.process.returncode == 3
    assert strict.process.stdout.splitlines()[-1].startswith("finished in ")


def test_warta_health_reports_the_outlet_afterwards(runs: dict[str, Any]) -> None:
    result = run_warta("health", "--db", str(runs["db"]), "--fail-on-warning")
    assert result.returncode == 3
    _header, row, *rest = result.stdout.splitlines()
    assert row.split()[:2] == [SITE, "3"] and row.endswith("WARN")
    # Its usual share is the median of its earlier runs: the healthy one and the changed one.
    assert f"warning: {body_warning(3, usual=50)}" in rest
