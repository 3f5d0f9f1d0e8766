"""`warta reextract` on an archive crawled from the mock server by a real `warta crawl`: rows
read wrong by an older extractor (made so here by editing the archive) are read again from
their captures; a damaged WARC file is named and skipped."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from archive import capture_dir
from crawler.capture import extractor_version
from tests.crawler.warta_run import crawl, run_warta, write_sites
from tests.mockserver.client import start_mockserver

SITES = ["kaltimnews", "mahakampos"]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(a crawled archive, its sites folder); each test works on its own copy."""
    folder = tmp_path_factory.mktemp("crawled")
    # the slow trap page answers at once: its timeout is test_bad_input's subject
    with start_mockserver(["--sites", *SITES, "--slow-seconds", "0"]) as server:
        sites = write_sites(folder / "sites", server.profiles)
        run = crawl(SITES, sites, folder / "warta.db")
    assert run.process.returncode == 0, run.process.stderr
    return run.db, sites


@pytest.fixture
def archive(crawled: tuple[Path, Path], tmp_path: Path) -> Path:
    db, _ = crawled
    copy = tmp_path / "warta.db"
    shutil.copy(db, copy)
    shutil.copytree(capture_dir(db), capture_dir(copy))
    return copy


def reextract(db: Path, sites: Path, *args: str, real: bool = False,
              workers: bool = False) -> tuple[int, str, str]:
    """`warta reextract ARGS` (`real`: the real executable); pages read in the command's own
    process unless `workers` (the default worker processes, which read them the same way:
    tests/crawler/runtime/test_workers.py; starting them cost each command seconds)."""
    extra = () if workers else ("--processes", "0")
    run = run_warta("reextract", "--db", str(db), "--sites-dir", str(sites), *args, *extra,
                    real=real)
    return run.returncode, run.stdout, run.stderr


def spoil(db: Path, source: str = "kaltimnews") -> tuple[int, str, str]:
    """Make one article look read by a worse extractor: its title wrong, its body missing.
    Returns its id, right title and right body."""
    with sqlite3.connect(db) as conn:
        article_id, title, body = conn.execute(
            "SELECT id, title, body FROM articles WHERE source = ? ORDER BY id LIMIT 1",
            (source,)).fetchone()
        conn.execute("UPDATE articles SET title = 'judul yang salah', body = '', "
                     "body_status = 'missing' WHERE id = ?", (article_id,))
    return article_id, title, body


def row(db: Path, article_id: int) -> dict[str, object]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        found = conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        versions = conn.execute("SELECT title FROM article_versions WHERE article_id = ?",
                                (article_id,)).fetchall()
        return {**dict(found), "versions": [v[0] for v in versions]}


def test_dry_run_reports_by_field_and_changes_nothing(crawled: tuple[Path, Path],
                                                      archive: Path) -> None:
    article_id, _, _ = spoil(archive)
    before = row(archive, article_id)
    status, out, err = reextract(archive, crawled[1], "--dry-run", real=True, workers=True)
    assert status == 0, err
    assert out.splitlines()[0] == "changed: title 1, body 1, body_status 1"
    assert "1 changed, not stored (--dry-run)" in out
    assert row(archive, article_id) == before


def test_a_changed_article_is_stored_as_a_new_version_marked_reextract(
        crawled: tuple[Path, Path], archive: Path) -> None:
    article_id, title, body = spoil(archive)
    status, out, err = reextract(archive, crawled[1])
    assert status == 0, err
    assert out.splitlines()[0] == "changed: title 1, body 1, body_status 1"
    after = row(archive, article_id)
    assert (after["title"], after["body"], after["body_status"]) == (title, body, "ok")
    assert after["versions"] == ["judul yang salah"]  # the old reading kept as a version
    assert json.loads(str(after["provenance"]))["reextract"] == extractor_version()
    with sqlite3.connect(archive) as conn:
        args = json.loads(conn.execute("SELECT args FROM crawls ORDER BY id DESC LIMIT 1")
                          .fetchone()[0])
        provenance = conn.execute("SELECT provenance FROM captures WHERE article_id = ? "
                                  "ORDER BY id DESC LIMIT 1", (article_id,)).fetchone()[0]
    assert args["reextract"] is True and args["extractor"] == extractor_version()
    assert provenance == "reextract"
    again = reextract(archive, crawled[1])
    assert again[1].splitlines()[0] == "changed: nothing"


def test_changed_only_skips_what_this_extractor_has_read(crawled: tuple[Path, Path],
                                                         archive: Path) -> None:
    spoil(archive)  # read by this extractor at the crawl: --changed-only leaves it
    status, out, _ = reextract(archive, crawled[1], "--changed-only")
    assert status == 0
    assert out.splitlines()[0] == "changed: nothing"
    with sqlite3.connect(archive) as conn:
        older = conn.execute("SELECT count(*) FROM articles WHERE source = 'kaltimnews'"
                             ).fetchone()[0]
        conn.execute("UPDATE captures SET extractor = '0.0.1+older' WHERE article_id IN "
                     "(SELECT id FROM articles WHERE source = 'kaltimnews')")
    status, out, _ = reextract(archive, crawled[1], "--changed-only", "--dry-run")
    assert out.splitlines()[0] == "changed: title 1, body 1, body_status 1"
    assert out.splitlines()[1].startswith(f"{older} captured articles read")


def test_a_truncated_warc_file_is_named_and_the_rest_is_read(crawled: tuple[Path, Path],
                                                             archive: Path) -> None:
    spoil(archive, "mahakampos")
    damaged = sorted(capture_dir(archive).glob("kaltimnews-*.warc.gz"))[0]
    with damaged.open("r+b") as handle:
        handle.truncate(damaged.stat().st_size // 2)
    status, out, err = reextract(archive, crawled[1], "--dry-run")
    assert status == 0
    assert f"Warning: capture {damaged.name} skipped: truncated" in err
    assert "Traceback" not in err
    assert out.splitlines()[0] == "changed: title 1, body 1, body_status 1"  # mahakampos's


def test_an_unknown_source_is_one_line(crawled: tuple[Path, Path], archive: Path) -> None:
    status, out, err = reextract(archive, crawled[1], "--source", "nosuch")
    assert out == ""
    assert status == 2
    assert err.startswith("Error: unknown source 'nosuch'; known: ")
    assert len(err.strip().splitlines()) == 1


def test_a_corrupt_record_skips_its_article_only(crawled: tuple[Path, Path],
                                                 archive: Path) -> None:
    article_id, _, _ = spoil(archive)  # the first kaltimnews article
    with sqlite3.connect(archive) as conn:
        name, offset = conn.execute(
            "SELECT warc_file, warc_offset FROM captures WHERE article_id = "
            "(SELECT min(id) FROM articles WHERE source = 'kaltimnews' AND id > ?) "
            "AND part = 0", (article_id,)).fetchone()
        same_file = conn.execute("SELECT warc_file FROM captures WHERE article_id = ?",
                                 (article_id,)).fetchone()[0]
    assert name == same_file
    path = capture_dir(archive) / name
    data = bytearray(path.read_bytes())
    data[offset + 30:offset + 90] = b"\xff" * 60
    path.write_bytes(bytes(data))
    status, out, err = reextract(archive, crawled[1], "--dry-run")
    assert status == 0
    assert f"Warning: capture {name}: 1 record(s) unreadable, skipped (first: " in err
    assert out.splitlines()[0] == "changed: title 1, body 1, body_status 1"
    assert "1 could not be read" in out
