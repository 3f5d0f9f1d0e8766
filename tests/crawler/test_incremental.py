"""Incremental crawls, as cron runs them: real `warta crawl` processes against the mock server,
one archive crawled four times while the sites change in between.

1. a first crawl of three outlets (sitemaps with lastmod, an Atom feed, listings only);
2. the same again, nothing changed: no article page is requested;
3. after an edit on two outlets (sitemap lastmod and feed date move) and two new articles on
   the third: exactly those pages are fetched, each edit becomes a version;
4. unchanged again: no article page is fetched (the new ones are not due before an hour);
5. the same, on a clock 5.5 hours later (`WARTA_NOW`): the two new articles (published an hour
   apart) are due, for their 1 h and 6 h checks, asked for conditionally, and answer `304 Not
   Modified`.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from archive import Archive
from tests.crawler.warta_run import FAST_SETTINGS, CrawlRun, crawl, run_warta, write_sites
from tests.mockserver.client import MockServer

SITES = ["kaltimnews", "benuaetam", "mahakampos"]
#: Edited between crawls 2 and 3: an old kaltimnews article seen only in the full sitemap
#: (its lastmod moves) and a three-part benuaetam article (its Atom entry's <updated> moves).
EDITED = {"kaltimnews": "kn02", "benuaetam": "be02"}
ADDED_SITE = "mahakampos"  # no sitemap and no feed: new articles are found on its listing
SETTINGS = (*FAST_SETTINGS, "RETRY_TIMES=0")  # the slow trap times out once, not twice


def article_pages(mockserver: MockServer, site: str) -> dict[str, str]:
    """Path of each article of `site` (its canonical page, its parts and AMP variant share it)
    -> the article's fixture id, for the current state of the server."""
    return {urlsplit(a["url"]).path: a["id"] for a in mockserver.expected() if a["site"] == site}


def requested_articles(mockserver: MockServer, sites: list[str] = SITES) -> dict[str, set[str]]:
    """Per site, the fixture ids of the articles whose pages (any part or variant) the log
    shows requested."""
    found: dict[str, set[str]] = {}
    for site in sites:
        pages = article_pages(mockserver, site)
        ids = set()
        for path in mockserver.requested_paths(site):
            bare = urlsplit(path).path
            bare = bare.removeprefix("/amp")
            if bare in pages:
                ids.add(pages[bare])
        found[site] = ids
    return found


def snapshot(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT url, content_hash, changed_at FROM articles "
                            "ORDER BY url").fetchall()


class Runs:
    """The five crawls and what the server logged during each."""

    def __init__(self) -> None:
        self.crawls: list[CrawlRun] = []
        self.requested: list[dict[str, set[str]]] = []
        self.before: list[list[tuple[Any, ...]]] = []


@pytest.fixture(scope="module")
def runs(mockserver: MockServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    folder = tmp_path_factory.mktemp("incremental")
    sites = write_sites(folder / "sites", {k: mockserver.profiles[k] for k in SITES})
    db = folder / "warta.db"
    result = Runs()

    def run(*settings: str) -> None:
        result.before.append(snapshot(db) if db.exists() else [])
        mockserver.clear_log()
        result.crawls.append(crawl(SITES, sites, db, settings=(*SETTINGS, *settings)))
        result.requested.append(requested_articles(mockserver))

    try:
        run()
        run()
        for site, art_id in EDITED.items():
            mockserver.edit_article(site, art_id)
        mockserver.add_articles(ADDED_SITE, 2)
        result.added = [a["id"] for a in mockserver.expected()  # type: ignore[attr-defined]
                        if a["site"] == ADDED_SITE and a["generated"]]
        result.added_urls = [a["url"] for a in mockserver.expected()  # type: ignore[attr-defined]
                             if a["site"] == ADDED_SITE and a["generated"]]
        run()
        run()
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=5.5)
        run(f"WARTA_NOW={later.isoformat(timespec='seconds')}")
        yield result
    finally:
        mockserver.reset()


def test_every_crawl_finishes(runs: Runs) -> None:
    for run in runs.crawls:
        assert run.process.returncode == 0, run.process.stderr


def test_a_second_crawl_of_unchanged_sites_fetches_no_article_page(
        runs: Runs, mockserver: MockServer) -> None:
    first, second = runs.crawls[:2]
    assert runs.requested[1] == {site: set() for site in SITES}
    assert runs.before[2] == runs.before[1]  # nothing rewritten either
    assert second.stat("archive/new") == second.stat("archive/updated") == 0
    # Every archived article found again was skipped. Two mahakampos articles of 2022 are
    # linked only from other articles' related headlines: pages an incremental crawl skips.
    only_related = {a["url"] for a in mockserver.articles_of("mahakampos")
                    if a["published_date"] < "2023"}
    assert len(only_related) == 2
    # One more: the redirect trap of kaltimnews leads to an archived article, skipped once the
    # redirect shows where it points.
    assert second.stat("skipped/archived") == first.stat("archive/new") - len(only_related) + 1


def test_the_skips_are_shown_and_recorded(runs: Runs) -> None:
    second = runs.crawls[1]
    skipped = second.stat("skipped/archived")
    assert f"; {skipped} archived articles not fetched again; " in second.process.stdout
    with Archive(second.db) as archive:
        record = archive.crawls(limit=5)[3]  # newest first: the second of five
    assert (record["finish_reason"], record["counts"]["skipped"]) == ("finished", skipped)


def test_after_an_edit_and_new_articles_exactly_those_pages_are_fetched(runs: Runs) -> None:
    third = runs.crawls[2]
    assert runs.requested[2] == {"kaltimnews": {"kn02"}, "benuaetam": {"be02"},
                                 ADDED_SITE: set(runs.added)}  # type: ignore[attr-defined]
    assert (third.stat("archive/updated"), third.stat("archive/new")) == (2, 2)
    assert third.stat("incremental/changed") == 2


def test_an_edited_article_keeps_its_earlier_text_as_a_version(
        runs: Runs, mockserver: MockServer) -> None:
    db = runs.crawls[2].db
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT a.url, v.body, a.body FROM article_versions v "
            "JOIN articles a ON a.id = v.article_id ORDER BY a.url").fetchall()
    assert len(rows) == 2
    for _, old, new in rows:
        assert new.startswith(old.rsplit("\n\n", 1)[0])  # the same text before the edit
        assert "Pembaruan: berita ini dilengkapi keterangan tambahan" in new
        assert "Pembaruan" not in old


def test_warta_show_and_diff_tell_what_the_edit_changed(runs: Runs) -> None:
    db = runs.crawls[2].db
    with sqlite3.connect(db) as conn:
        (article_id,) = conn.execute("SELECT article_id FROM article_versions "
                                     "ORDER BY article_id LIMIT 1").fetchone()
    shown = run_warta("show", str(article_id), "--versions", "--db", str(db))
    assert "Earlier versions (1, oldest first)" in shown.stdout
    diff = run_warta("diff", str(article_id), "--db", str(db), real=True)  # the executable
    assert diff.returncode == 0, diff.stderr
    lines = diff.stdout.splitlines()
    assert lines[3].startswith("edit 1: v1 -> current (")
    assert lines[4].startswith("¶") and "(added)  {+Pembaruan: berita ini dilengkapi" in lines[4]
    assert lines[-1].startswith("paragraphs: 1 added; ")


def test_unchanged_again_nothing_is_fetched_before_it_is_due(runs: Runs) -> None:
    fourth = runs.crawls[3]
    assert runs.requested[3] == {site: set() for site in SITES}
    assert fourth.stat("incremental/due") == fourth.stat("archive/unchanged") == 0


def test_when_due_the_new_articles_are_checked_and_answer_not_modified(runs: Runs) -> None:
    fifth = runs.crawls[4]
    assert runs.requested[4] == {"kaltimnews": set(), "benuaetam": set(),
                                 ADDED_SITE: set(runs.added)}  # type: ignore[attr-defined]
    assert fifth.stat("incremental/due") == 2
    assert fifth.stat("conditional/sent") == 2
    assert fifth.stat("incremental/not_modified") == 2
    assert fifth.stat("archive/unchanged") == 2
    assert snapshot(fifth.db) == runs.before[4]  # no text, hash or change time rewritten
    with sqlite3.connect(fifth.db) as conn:
        checks = conn.execute(
            "SELECT c.next_check_at, c.checked_at FROM article_checks c JOIN articles a "
            "ON a.id = c.article_id WHERE a.url IN (?, ?)",
            runs.added_urls).fetchall()  # type: ignore[attr-defined]
    assert len(checks) == 2
    for next_check, checked in checks:
        assert next_check > checked  # the next check is still ahead
