"""`warta merge`: shards crawled by real `warta crawl` processes from the demo server, merged
into one archive and compared with a single-machine crawl of the same outlets."""

from __future__ import annotations

import hashlib
import http.server
import shutil
import signal
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.demo import profiles
from crawler.demo.server import serve
from crawler.demo.state import DemoState
from tests.crawler.warta_run import crawl, read_until, run_warta, start_warta, write_sites

SITES = ["kaltimnews", "mahakampos", "benuaetam"]
EDITS = [("kaltimnews", "kn05"), ("mahakampos", "mp03")]


@dataclass
class Crawled:
    single: Path           # one machine crawled every outlet, before and after the edits
    shards: list[Path]     # node1: kaltimnews before the edits; node2: the rest, all after


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    """node1 crawled kaltimnews, node2 the two others; then two articles were corrected,
    kaltimnews moved to node2 (a re-plan) and node2 crawled every outlet again. The single
    machine crawled all before and after the corrections."""
    folder = tmp_path_factory.mktemp("merge")
    demo = serve(SITES, state=DemoState(SITES))
    try:
        sites = write_sites(folder / "sites", {k: v for k, v in profiles(demo.urls).items()
                                               if k in SITES})
        single, node1, node2 = folder / "single.db", folder / "node1.db", folder / "node2.db"
        for run in (crawl(SITES, sites, single), crawl(["kaltimnews"], sites, node1),
                    crawl(["mahakampos", "benuaetam"], sites, node2)):
            assert run.process.returncode == 0, run.process.stderr
        for key, article in EDITS:
            demo.state.edit_article(key, article)
        for run in (crawl(SITES, sites, single, "--refresh", "all"),
                    crawl(SITES, sites, node2, "--refresh", "all")):
            assert run.process.returncode == 0, run.process.stderr
        yield Crawled(single=single, shards=[node1, node2])
    finally:
        demo.stop()


def articles(db: Path) -> dict[str, tuple[str, list[str]]]:
    """uid -> (content_hash, the versions' content hashes oldest first)."""
    with sqlite3.connect(db) as conn:
        out = {}
        for article_id, uid, content_hash in conn.execute(
                "SELECT id, uid, content_hash FROM articles"):
            out[uid] = (content_hash, [row[0] for row in conn.execute(
                "SELECT content_hash FROM article_versions WHERE article_id = ? "
                "ORDER BY stored_at, id", (article_id,))])
        return out


def dump(db: Path) -> list[object]:
    """Every row of every table a merge writes."""
    with sqlite3.connect(db) as conn:
        return [conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() for table in
                ("sources", "crawls", "crawl_sites", "articles", "article_versions", "links",
                 "article_links", "article_checks", "word_forms")]


def merge(db: Path, *shards: object, batch: int = 2000) -> str:
    result = run_warta("merge", *map(str, shards), "--db", str(db), "--batch", str(batch))
    assert result.returncode == 0, result.stderr
    return result.stdout


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_merged_shards_hold_each_article_once_as_a_single_machine_crawl(
        crawled: Crawled, tmp_path: Path) -> None:
    main = tmp_path / "main.db"
    merge(main, *crawled.shards)
    merged, single = articles(main), articles(crawled.single)
    assert merged == single  # same uids, same content, same versions in order
    assert sum(len(v) for _, v in merged.values()) == len(EDITS)  # the corrections' originals


def test_the_merge_order_does_not_change_the_archive(crawled: Crawled, tmp_path: Path) -> None:
    forward, backward = tmp_path / "forward.db", tmp_path / "backward.db"
    merge(forward, *crawled.shards)
    merge(backward, *reversed(crawled.shards))
    assert articles(forward) == articles(backward)


def test_merging_a_shard_again_changes_nothing(crawled: Crawled, tmp_path: Path) -> None:
    main = tmp_path / "main.db"
    merge(main, *crawled.shards)
    before = dump(main)
    out = merge(main, *crawled.shards)
    assert dump(main) == before
    assert " 0 new, 0 updated" in out


def test_a_merge_killed_half_way_is_finished_by_running_it_again(
        crawled: Crawled, tmp_path: Path) -> None:
    clean, killed = tmp_path / "clean.db", tmp_path / "killed.db"
    merge(clean, *crawled.shards, batch=5)
    process = start_warta("merge", *map(str, crawled.shards), "--db", str(killed),
                          "--batch", "5")
    read_until(process, r"node1\.db: 10/")  # two batches committed, more to come
    process.send_signal(signal.SIGKILL)
    process.wait()
    merge(killed, *crawled.shards, batch=5)
    assert articles(killed) == articles(clean)
    with sqlite3.connect(killed) as conn:
        assert conn.execute("SELECT count(*) FROM crawls").fetchone() == \
            sqlite3.connect(clean).execute("SELECT count(*) FROM crawls").fetchone()


def test_the_full_text_index_finds_merged_articles_and_stays_consistent(
        crawled: Crawled, tmp_path: Path) -> None:
    main = tmp_path / "main.db"
    merge(main, *crawled.shards)
    with sqlite3.connect(main) as conn:
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        word = conn.execute("SELECT title FROM articles ORDER BY id DESC").fetchone()[0].split()[0]
        found = conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?",
                             (f'"{word}"',)).fetchone()[0]
    assert total == len(articles(crawled.single)) and found >= 1


def test_a_shard_is_never_changed(crawled: Crawled, tmp_path: Path) -> None:
    shards = [tmp_path / p.name for p in crawled.shards]
    for source, copy in zip(crawled.shards, shards, strict=True):
        shutil.copy(source, copy)
    before = [digest(p) for p in shards]
    merge(tmp_path / "main.db", *shards)
    assert [digest(p) for p in shards] == before


def test_a_shard_fetched_over_http_is_merged(crawled: Crawled, tmp_path: Path) -> None:
    folder = crawled.shards[0].parent
    handler = type("Quiet", (http.server.SimpleHTTPRequestHandler,),
                   {"log_message": lambda *a: None})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a: handler(*a, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{crawled.shards[0].name}"
        by_url, by_path = tmp_path / "url.db", tmp_path / "path.db"
        merge(by_url, url)
        merge(by_path, crawled.shards[0])
        assert articles(by_url) == articles(by_path) != {}
        missing = run_warta("merge", url + ".nope", "--db", str(by_url))
        assert missing.returncode == 1
        assert "cannot fetch the shard" in missing.stderr and "Traceback" not in missing.stderr
    finally:
        server.shutdown()


@pytest.mark.parametrize("make, says", [
    (lambda p: sqlite3.connect(p).execute("CREATE TABLE t (x)").connection.commit(),
     "not a warta archive"),
    (lambda p: p.write_bytes(b"not a database at all" * 100), "not a SQLite database"),
    (None, "no shard at"),
])
def test_a_shard_that_is_not_an_archive_is_refused_in_one_line(
        tmp_path: Path, make: object, says: str) -> None:
    shard = tmp_path / "shard.db"
    if callable(make):
        make(shard)
    result = run_warta("merge", str(shard), "--db", str(tmp_path / "main.db"))
    assert result.returncode == 1
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "main.db").exists()  # nothing made for a merge that cannot run


def test_a_shard_from_a_newer_warta_is_refused(crawled: Crawled, tmp_path: Path) -> None:
    shard = tmp_path / "newer.db"
    shutil.copy(crawled.shards[0], shard)
    with sqlite3.connect(shard) as conn:
        conn.execute("PRAGMA user_version = 999")
    result = run_warta("merge", str(shard), "--db", str(tmp_path / "main.db"))
    assert result.returncode == 1
    assert "newer warta" in result.stderr and "Traceback" not in result.stderr


def test_a_shard_from_an_older_warta_is_merged_with_its_words(
        crawled: Crawled, tmp_path: Path) -> None:
    shard = tmp_path / "older.db"
    shutil.copy(crawled.shards[0], shard)
    with sqlite3.connect(shard) as conn:  # as migration 7 left it: no stemmed index yet
        conn.execute("DROP TABLE word_forms")
        conn.execute("PRAGMA user_version = 7")
    main, current = tmp_path / "main.db", tmp_path / "current.db"
    merge(main, shard)
    merge(current, crawled.shards[0])
    assert articles(main) == articles(current)
    with sqlite3.connect(main) as conn, sqlite3.connect(current) as other:
        words = {row[0] for row in conn.execute("SELECT term FROM word_forms")}
        assert words == {row[0] for row in other.execute("SELECT term FROM word_forms")}


def captures(db: Path) -> list[tuple[object, ...]]:
    """Each capture as (uid, content_hash, url, captured_at, the record's bytes)."""
    folder = db.with_name(db.stem + ".warc")
    out = []
    with sqlite3.connect(db) as conn:
        for uid, content_hash, url, captured, name, offset, length in conn.execute(
                "SELECT a.uid, c.content_hash, c.url, c.captured_at, c.warc_file, "
                "c.warc_offset, c.warc_length FROM captures c "
                "JOIN articles a ON a.id = c.article_id"):
            with open(folder / name, "rb") as handle:
                handle.seek(offset)
                out.append((uid, content_hash, url, captured, handle.read(length)))
    return sorted(out)


def test_the_shards_warc_captures_come_along_readable_and_once(
        crawled: Crawled, tmp_path: Path) -> None:
    main = tmp_path / "main.db"
    merge(main, *crawled.shards)
    expected = sorted(c for shard in crawled.shards for c in captures(shard))
    assert expected  # the crawls captured their pages
    assert captures(main) == expected
    merge(main, *crawled.shards)
    assert captures(main) == expected


def test_a_shard_row_whose_url_is_archived_under_another_uid_is_left_out_and_said(
        crawled: Crawled, tmp_path: Path) -> None:
    main, shard = tmp_path / "main.db", tmp_path / "odd.db"
    merge(main, crawled.shards[0])
    shutil.copy(crawled.shards[0], shard)
    with sqlite3.connect(shard) as conn:  # a row another program wrote: uid not of its URL
        conn.execute("UPDATE articles SET uid = 'ffffffffffffffff' "
                     "WHERE id = (SELECT min(id) FROM articles)")
    before = articles(main)
    out = merge(main, shard)
    assert "1 left out" in out
    assert articles(main) == before
