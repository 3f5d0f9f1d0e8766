"""Listing discovery end to end (issue 13): the legacy portal of tests/mockserver/portal.py,
crawled by a real `warta crawl` child from a three-line profile (name, homepage, time zone).

It has no sitemap and a ten-item feed; its older articles are reachable only through a
paginated index, sections, tags and authors. Every article is found with few requests beyond
the articles and listing pages themselves; a second crawl of the unchanged portal reads its
listings only until they reach archived articles; the portal with bad listings (a calendar
without end, a page number that always answers, a pagination loop, a cloud of 5,000 tags)
costs a bounded number of requests, each cut counted."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from crawler.spiders.listings import MAX_LISTINGS_PER_PAGE
from tests.crawler.warta_run import CrawlRun, crawl, run_warta, write_sites
from tests.mockserver.client import MockServer
from tests.mockserver.portal import CLOUD_TAGS, PORTAL_SITE, PORTAL_TRAPS_SITE


@pytest.fixture(scope="module")
def portal(mockserver: MockServer) -> dict[str, Any]:
    described: dict[str, Any] = mockserver.portal()
    return described


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("portal")


@pytest.fixture(scope="module")
def first(mockserver: MockServer, portal: dict[str, Any], folder: Path
          ) -> tuple[CrawlRun, list[dict[str, Any]]]:
    sites = write_sites(folder / "sites", {PORTAL_SITE: portal["plain"]["profile"]})
    mockserver.clear_log()
    run = crawl([PORTAL_SITE], sites, folder / "warta.db")
    return run, mockserver.requests(PORTAL_SITE)


def archived_urls(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT url FROM articles")}


def is_listing(path: str) -> bool:
    return path.split("/")[1].split("?")[0] in {"", "indeks", "kanal", "tag", "penulis"}


def test_a_three_line_profile_finds_every_article(
        first: tuple[CrawlRun, list[dict[str, Any]]], portal: dict[str, Any]) -> None:
    run, _ = first
    assert run.process.returncode == 0, run.process.stderr
    assert len(portal["plain"]["articles"]) == 64
    assert set(portal["plain"]["articles"]) <= archived_urls(run.db)  # recall 1.0
    assert run.stat("discovery/articles/listing") > 10  # beyond the feed and the homepage
    assert run.stat("discovery/listings_found/index") == 1
    assert run.stat("discovery/listings_found/section") == 4
    assert run.stat("discovery/listings_found/tag") == 6
    assert run.stat("discovery/listings_found/author") == 3


def test_requests_stay_within_1_3_times_articles_and_listing_pages(
        first: tuple[CrawlRun, list[dict[str, Any]]], portal: dict[str, Any]) -> None:
    _, requests = first
    paths = [r["path"] for r in requests]
    listings = [p for p in paths if is_listing(p)]
    articles = [p for p in paths if p.startswith("/baca/")]
    assert len(articles) == len(set(articles)) == 64  # each article page once
    assert len(paths) <= 1.3 * (len(articles) + len(listings))
    assert not [p for p in paths if p.startswith(("/redaksi", "/kontak", "/login", "/cari",
                                                  "/img", "/pedoman"))]


def test_a_recrawl_reads_listings_only_until_archived_articles(
        first: tuple[CrawlRun, list[dict[str, Any]]], mockserver: MockServer,
        portal: dict[str, Any], folder: Path) -> None:
    run, requests = first
    mockserver.clear_log()
    again = crawl([PORTAL_SITE], folder / "sites", run.db)
    assert again.process.returncode == 0, again.process.stderr
    second = mockserver.requests(PORTAL_SITE)
    # the portal's newest article is from 2024: nothing is in the refresh window
    assert not [r for r in second if r["path"].startswith("/baca/")]
    # each listing's first page shows archived articles: none is read further
    listings = [r["path"] for r in second if is_listing(r["path"])]
    assert listings and not [p for p in listings if "page" in p or "hal=" in p
                             or p.rstrip("/").split("/")[-1].isdigit()]
    assert again.stat("discovery/listing_stop/archived") >= 10
    assert len(second) <= 0.25 * len(requests)


@pytest.fixture(scope="module")
def traps(mockserver: MockServer, portal: dict[str, Any], folder: Path
          ) -> tuple[CrawlRun, list[str]]:
    sites = write_sites(folder / "trap-sites", {PORTAL_TRAPS_SITE: portal["traps"]["profile"]})
    mockserver.clear_log()
    run = crawl([PORTAL_TRAPS_SITE], sites, folder / "traps.db")
    return run, [r["path"] for r in mockserver.requests(PORTAL_TRAPS_SITE)]


def test_bad_listings_are_cut_counted_and_the_crawl_goes_on(
        traps: tuple[CrawlRun, list[str]], portal: dict[str, Any]) -> None:
    run, paths = traps
    assert run.process.returncode == 0, run.process.stderr
    assert set(portal["traps"]["articles"]) <= archived_urls(run.db)
    calendar = [p for p in paths if p.startswith("/arsip/")]
    popular = [p for p in paths if p.startswith("/terpopuler")]
    chosen = [p for p in paths if p.startswith("/pilihan")]
    cloud = [p for p in paths if p.startswith("/tag/topik-")]
    assert 1 <= len(calendar) <= 2  # the second day shows nothing new: the end
    assert 1 <= len(popular) <= 2
    assert len(chosen) == 2  # /pilihan -> /pilihan/2 -> /pilihan is a loop
    assert len(cloud) <= MAX_LISTINGS_PER_PAGE  # not 5,000
    cut = (run.stat("discovery/listing_cut/too_many_listings")
           + run.stat("discovery/listing_cut/too_many_links"))
    assert cut >= CLOUD_TAGS - MAX_LISTINGS_PER_PAGE
    assert run.stat("discovery/listing_cut/nothing_new") >= 2
    assert run.stat("discovery/listing_cut/loop") == 1
    assert len(paths) < 200


def test_year_less_dates_take_their_listings_year_and_minute(
        first: tuple[CrawlRun, list[dict[str, Any]]], portal: dict[str, Any]) -> None:
    """Article pages print `Jumat (1/3)` only; the index, sections and feed beside each link
    print the full time: every article is archived at that exact minute, said so in its
    provenance."""
    import json

    run, _ = first
    with sqlite3.connect(run.db) as conn:
        rows = {url: (published, raw, precision, json.loads(provenance or "{}"))
                for url, published, raw, precision, provenance in conn.execute(
                    "SELECT url, published_at, published_raw, published_precision, provenance "
                    "FROM articles")}
    expected: dict[str, str] = portal["plain"]["published"]
    assert len(expected) == 64
    for url, published in expected.items():
        at, raw, precision, provenance = rows[url]
        assert at == published, (url, raw, provenance)
        assert "/" in raw and "2024" not in raw  # the page's own words, kept as shown
        assert precision == "time"
        assert provenance["published_hint"].endswith(": year, time")


def test_warta_health_shows_what_the_bounds_cut(traps: tuple[CrawlRun, list[str]]) -> None:
    run, _ = traps
    shown = run_warta("health", "--db", str(run.db))
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    at = lines.index(next(ln for ln in lines if ln.startswith("LISTING CUTS")))
    line = lines[at + 1]
    assert line.startswith(f"  {PORTAL_TRAPS_SITE}: ")
    cuts = dict(part.rsplit(" ", 1) for part in line.split(": ", 1)[1].split(", "))
    assert int(cuts["too_many_listings"].replace(",", "")) == run.stat(
        f"site/{PORTAL_TRAPS_SITE}/listing_cut/too_many_listings") > 0
    assert cuts["loop"] == "1"
    assert "nothing_new" in cuts
    records = run_warta("health", "--db", str(run.db), "--format", "jsonl")
    [record] = [json.loads(line) for line in records.stdout.splitlines()]
    assert record["listing_cuts"]["loop"] == 1
