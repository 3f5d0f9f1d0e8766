"""`warta health` and `warta crawls`: each outlet judged against its own recent runs, the crawl
records listed; real archive files, runs recorded through the public crawl API."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from archive.commands import cli, run
from archive.health import (
    DROP_FACTOR,
    MIN_ARTICLES,
    SiteRun,
    crawls_lines,
    judge,
    site_health,
)

GOOD = {"pages": 30, "found": 20, "skipped": 10, "articles": 10, "with_date": 10,
        "with_body": 10, "with_author": 9, "new": 10}

Record = Callable[..., int]


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    return Archive(tmp_path / "warta.db")


@pytest.fixture
def record(archive: Archive) -> Record:
    """Record one finished crawl of `source` with figures GOOD updated by `figures`."""
    def record_run(source: str = "kaltimnews", reason: str = "finished",
                   stats: dict[str, Any] | None = None, **figures: int) -> int:
        crawl_id = archive.begin_crawl([source])
        archive.finish_crawl(crawl_id, finish_reason=reason, counts={"new": 1, "requests": 31},
                             stats=stats or {}, sites=[{"source": source, **GOOD, **figures}])
        return crawl_id
    return record_run


def run_of(**figures: int) -> SiteRun:
    return SiteRun(1, "2024-01-01T00:00:00+00:00", None, "finished", {**GOOD, **figures})


def test_steady_runs_raise_no_warning(archive: Archive, record: Record) -> None:
    for _ in range(3):
        record()
    (site,) = site_health(archive)
    assert (site.source, len(site.runs), site.warnings) == ("kaltimnews", 3, [])
    assert site.usual == {"date": 1.0, "body": 1.0, "author": 0.9}


def test_a_body_rate_that_collapses_is_a_layout_warning(archive: Archive,
                                                       record: Record) -> None:
    record()
    record()
    latest = record(with_body=0, with_date=2)
    (site,) = site_health(archive)
    assert [(w.kind, w.crawl_id) for w in site.warnings] == [("date_rate", latest),
                                                             ("body_rate", latest)]
    assert site.warnings[1].message == (
        f"kaltimnews: crawl {latest} found a body on 0% of 10 articles read (usually 100%): "
        "has the outlet changed its layout?")


def test_the_drop_is_relative_to_the_outlets_own_usual_share() -> None:
    usual = 0.4  # an outlet that rarely shows a date
    earlier = [run_of(with_date=int(usual * 10)) for _ in range(3)]
    just_above = run_of(with_date=int(usual * DROP_FACTOR * 10))  # 2 of 10 = exactly half
    below = run_of(with_date=1)
    assert judge("x", [just_above, *earlier]).warnings == []
    assert [w.kind for w in judge("x", [below, *earlier]).warnings] == ["date_rate"]


def test_too_few_articles_are_not_judged() -> None:
    earlier = [run_of() for _ in range(3)]
    few = run_of(articles=MIN_ARTICLES - 1, with_date=0, with_body=0, skipped=50)
    assert judge("x", [few, *earlier]).warnings == []


def test_an_outlet_that_yields_nothing_is_warned(archive: Archive, record: Record) -> None:
    record()
    latest = record(found=0, skipped=0, articles=0, with_date=0, with_body=0, with_author=0,
                    errors=3)
    (warning,) = site_health(archive)[0].warnings
    assert (warning.kind, warning.message) == ("nothing", (
        f"kaltimnews: crawl {latest} found no article (none new, none archived to skip; 0 "
        "asked for, 3 errors): is the outlet down, blocking warta, or has it moved its "
        "listings, feeds or sitemaps?"))


def test_an_unchanged_outlet_whose_articles_were_all_skipped_is_fine() -> None:
    earlier = [run_of() for _ in range(3)]
    quiet = run_of(articles=0, with_date=0, with_body=0, with_author=0, skipped=64)
    assert judge("x", [quiet, *earlier]).warnings == []


def test_stopped_runs_are_not_the_norm_and_a_crawl_is_judged_on_its_own(
        archive: Archive, record: Record) -> None:
    first = record()
    record(reason="shutdown", with_body=0)
    other = record("mahakampos")
    (site,) = site_health(archive, sources=["kaltimnews"])
    assert [r.crawl_id for r in site.runs] == [first]
    assert [s.source for s in site_health(archive, crawl_id=other)] == ["mahakampos"]


def test_a_run_stopped_by_the_archive_names_the_archive_not_the_outlet(
        archive: Archive, record: Record) -> None:
    """A crawl stopped because the archive file failed (it was repaired since, or the disk was
    full) is not the outlet's fault: the warning names the archive, and the run is no norm."""
    record()
    stopped = record(reason="archive_error", articles=0, with_date=0, with_body=0,
                     with_author=0, skipped=0)
    (site,) = site_health(archive)
    (warning,) = site.warnings
    assert warning.crawl_id == stopped
    assert f"stopped because the archive {archive.path} could not be read or written" in (
        warning.message)
    assert "outlet down" not in warning.message
    assert site.usual["body"] == 1.0  # the stopped run is not counted as usual


def test_warta_health_prints_a_table_and_fails_only_when_asked(
        archive: Archive, record: Record, capsys: pytest.CaptureFixture[str]) -> None:
    record()
    latest = record(with_body=1, with_date=1)
    db = str(archive.path)
    assert run(cli, ["health", "--db", db]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["SITE", "CRAWL", "RUNS", "FOUND", "SKIPPED", "READ", "NEW",
                              "DATED", "BODY", "NO", "BODY", "AUTHOR", "USUAL", "D/B/A",
                              "STATUS"]
    assert out[1].split() == ["kaltimnews", str(latest), "2", "20", "10", "10", "10", "10%",
                              "10%", "0%", "90%", "100%/100%/90%", "WARN"]
    assert out[3].startswith(f"warning: kaltimnews: crawl {latest} found a date on 10% ")
    assert run(cli, ["health", "--db", db, "--fail-on-warning"]) == 3
    capsys.readouterr()
    assert run(cli, ["health", "--db", db, "--format", "jsonl"]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (row["source"], row["share_body"], row["usual_body"], len(row["warnings"])) == (
        "kaltimnews", 0.1, 1.0, 2)


def test_warta_crawls_lists_counts_errors_by_kind_and_killed_runs(
        archive: Archive, record: Record, capsys: pytest.CaptureFixture[str]) -> None:
    done = record(stats={"errors/total": 3, "errors/http_404": 2, "errors/timeout": 1,
                         "downloader/request_count": 31})
    killed = archive.begin_crawl(["kaltimnews"])
    assert archive.abandon_crawl(killed) is True
    running = archive.begin_crawl(["kaltimnews", "mahakampos", "benuaetam", "sapos"])
    lines = list(crawls_lines(archive.crawls()))
    assert lines[0].split() == ["ID", "STARTED", "(UTC)", "TOOK", "REASON", "SITES", "NEW",
                                "UPDATED", "UNCHANGED", "SKIPPED", "REQUESTS", "ERRORS",
                                "ERROR", "KINDS"]
    assert [line.split()[0] for line in lines[1:]] == [str(running), str(killed), str(done)]
    assert lines[1].split()[3:] == ["running", "4", "sites"]  # no end, so no duration
    assert lines[2].split()[3:] == ["killed", "kaltimnews"]
    assert lines[3].split()[3:] == ["0:00", "finished", "kaltimnews", "1", "0", "31", "3",
                                    "http_404:2", "timeout:1"]
    assert run(cli, ["crawls", "--format", "jsonl", "--db", str(archive.path)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[2]["errors_by_kind"] == {"http_404": 2, "timeout": 1}
    assert [r["finish_reason"] for r in rows] == ["running", "killed", "finished"]


def test_warta_crawls_limit_lists_the_newest_n(archive: Archive, record: Record,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    ids = [record() for _ in range(3)]
    db = str(archive.path)
    assert run(cli, ["crawls", "--limit", "2", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:]] == [str(ids[2]), str(ids[1])]
    assert run(cli, ["crawls", "--limit", "1", "--format", "jsonl", "--db", db]) == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == [ids[2]]


def test_warta_health_runs_sets_how_many_earlier_runs_are_usual(
        archive: Archive, record: Record, capsys: pytest.CaptureFixture[str]) -> None:
    """Three good runs, then the outlet's bodies dwindle: against its last 10 runs the latest
    is a collapse; against its last 2 (already low) it is the outlet's new usual."""
    for _ in range(3):
        record()
    record(with_body=2)
    record(with_body=2)
    latest = record(with_body=2)
    db = str(archive.path)
    assert run(cli, ["health", "--db", db, "--format", "jsonl"]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (row["crawl_id"], row["runs"], row["usual_body"], len(row["warnings"])) == (
        latest, 6, 1.0, 1)
    assert "found a body on 20% of 10 articles read (usually 100%)" in row["warnings"][0]
    assert run(cli, ["health", "--db", db, "--runs", "2", "--format", "jsonl"]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (row["crawl_id"], row["runs"], row["usual_body"], row["warnings"]) == (
        latest, 3, 0.2, [])
    assert run(cli, ["health", "--db", db, "--runs", "2", "--fail-on-warning"]) == 0
    assert run(cli, ["health", "--db", db, "--fail-on-warning"]) == 3


# --- listing cuts (issue 13) --------------------------------------------------------------------

def test_listing_cuts_are_the_outlets_own_largest_first() -> None:
    from archive.health import listing_cuts_of

    stats = {"site/a/listing_cut/loop": 1, "site/a/listing_cut/too_many_listings": 4960,
             "site/b/listing_cut/max_pages": 3, "discovery/listing_cut/loop": 1,
             "discovery/listing_cut/max_pages": 3}
    assert listing_cuts_of(stats, "a", ["a", "b"]) == {"too_many_listings": 4960, "loop": 1}
    assert listing_cuts_of(stats, "c", ["a", "b", "c"]) == {}


def test_a_one_outlet_crawl_without_per_outlet_cuts_shows_the_crawls() -> None:
    from archive.health import listing_cuts_of

    stats = {"discovery/listing_cut/depth": 7}
    assert listing_cuts_of(stats, "a", ["a"]) == {"depth": 7}
    assert listing_cuts_of(stats, "a", ["a", "b"]) == {}  # whose, is not known
