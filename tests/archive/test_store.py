"""Writing: new / updated / unchanged, versions, related links, crawls, sources; atomicity
under SIGKILL and reading while another process writes."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from archive import Archive, WartaError, WriteResult
from archive.instants import now_utc

#: Seconds a child process may take to reach its mid-write pause (Python start + imports).
CHILD_START_TIMEOUT = 30


def rows(archive: Archive, sql: str, *params: object) -> list[tuple]:
    return archive.connection.execute(sql, params).fetchall()


def test_first_write_counts_new_and_stores_every_field(archive: Archive, record) -> None:
    result = archive.write([record(1, dateline="SAMARINDA", signoff="(*/han)", editor="han",
                                   tags=["stunting"], section="Kesehatan", language="id",
                                   published_raw="Selasa (23/5)", http_status=200)])
    assert result == WriteResult(new=1)
    got = archive.get("https://kaltimpost.example/berita/1")
    assert got is not None
    assert (got["title"], got["dateline"], got["signoff"], got["tags"], got["published_raw"]) == \
        ("Judul berita nomor 1", "SAMARINDA", "(*/han)", ["stunting"], "Selasa (23/5)")
    assert got["first_seen_at"] == got["last_seen_at"] == got["changed_at"]


def test_unchanged_article_only_moves_last_seen(archive: Archive, record) -> None:
    archive.write([record(1)])
    rows(archive, "UPDATE articles SET last_seen_at = '2000-01-01T00:00:00+00:00'")
    before = archive.get(1)
    written_from = now_utc()
    assert archive.write([record(1)]) == WriteResult(unchanged=1)
    after = archive.get(1)
    assert written_from <= after["last_seen_at"] <= now_utc()  # the write's own time
    assert {k: v for k, v in after.items() if k != "last_seen_at"} == \
        {k: v for k, v in before.items() if k != "last_seen_at"}


def test_changed_article_keeps_its_old_text_as_a_version(archive: Archive, record) -> None:
    archive.write([record(1)])
    result = archive.write([record(1, title="Judul diralat", body="Isi baru.")])
    assert result == WriteResult(updated=1)
    got = archive.get(1)
    assert (got["title"], got["body"]) == ("Judul diralat", "Isi baru.")
    assert [(v["title"], v["body"]) for v in got["versions"]] == [
        ("Judul berita nomor 1", "SAMARINDA - Isi berita nomor 1.\n\nParagraf kedua berita 1.")]
    assert archive.search("diralat")[0]["id"] == 1
    assert archive.search("kedua") == []  # the index follows the new text


def test_same_url_twice_in_one_batch(archive: Archive, record) -> None:
    result = archive.write([record(1), record(1), record(1, body="edited")])
    assert result == WriteResult(new=1, unchanged=1, updated=1)
    assert archive.count() == 1


def test_bad_record_in_a_batch_writes_nothing(archive: Archive, record) -> None:
    archive.write([record(1)])
    with pytest.raises(WartaError, match="berita/3': field 'published_at'"):
        archive.write([record(2), record(3, published_at="kemarin"), record(4)])
    assert archive.count() == 1
    assert rows(archive, "SELECT key FROM sources") == [("kaltimpost",)]


def test_unknown_source_is_added_and_can_be_described(archive: Archive, record) -> None:
    archive.write([record(1, source="newsite")])
    archive.set_source("newsite", name="News Site", timezone="Asia/Makassar")
    archive.set_source("newsite", region="Kalimantan Timur, Bontang")
    (source,) = archive.sources()
    assert (source["key"], source["name"], source["timezone"], source["region"],
            source["articles"]) == ("newsite", "News Site", "Asia/Makassar",
                                    "Kalimantan Timur, Bontang", 1)


def test_related_links_stored_once_per_url(archive: Archive, record) -> None:
    shared = {"url": "https://kaltimpost.example/berita/9", "title": "Sembilan", "block": "top"}
    archive.write([record(1, related=[shared, {"url": "https://k.example/x", "title": "X"}]),
                   record(2, related=[dict(shared, title="Sembilan (ralat)")])])
    link = rows(archive, "SELECT first_title, last_title, times_seen FROM links WHERE url = ?",
                shared["url"])
    assert link == [("Sembilan", "Sembilan (ralat)", 2)]
    # Seeing the same page again does not count the link again.
    result = archive.write([record(1, related=[shared])])
    assert (result.links_new, result.links_seen) == (0, 1)
    assert rows(archive, "SELECT times_seen FROM links WHERE url = ?", shared["url"]) == [(2,)]
    # The article's list is the one last seen, in page order.
    assert [r["url"] for r in archive.get(1)["related"]] == [shared["url"]]


def test_related_links_know_which_targets_are_archived(archive: Archive, record) -> None:
    archive.write([record(1, related=[{"url": "https://kaltimpost.example/berita/2"},
                                      {"url": "https://elsewhere.example/"}]), record(2)])
    related = archive.get(1)["related"]
    assert [(r["url"], r["archived_id"]) for r in related] == [
        ("https://kaltimpost.example/berita/2", 2), ("https://elsewhere.example/", None)]


def test_write_result_adds_up() -> None:
    assert WriteResult(1, 2, 3, 4, 5) + WriteResult(1, 1, 1, 1, 1) == WriteResult(2, 3, 4, 5, 6)


def test_crawl_records(archive: Archive, record) -> None:
    crawl = archive.begin_crawl(["kaltimpost"], {"since": dt.date(2023, 1, 1), "max": 5})
    archive.write([record(1)], crawl_id=crawl)
    archive.finish_crawl(crawl, finish_reason="finished", counts={"new": 1, "updated": 0},
                         stats={"start_time": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
                                "item_scraped_count": 1})
    (got,) = archive.crawls()
    assert (got["id"], got["sites"], got["args"], got["finish_reason"], got["new"]) == \
        (crawl, ["kaltimpost"], {"since": "2023-01-01", "max": 5}, "finished", 1)
    assert got["stats"]["start_time"] == "2024-01-02T03:04:05+00:00"
    assert archive.get(1)["crawl_id"] == crawl


def test_unknown_crawl_id_is_refused(archive: Archive, record) -> None:
    with pytest.raises(WartaError, match=r"no crawl 42 in .*get an id from begin_crawl"):
        archive.write([record(1)], crawl_id=42)
    assert archive.count() == 0
    with pytest.raises(WartaError, match="no crawl 42"):
        archive.finish_crawl(42, finish_reason="finished", counts={}, stats={})


def test_known_urls_for_incremental_crawls(archive: Archive, record) -> None:
    archive.write([record(1), record(2, published_at=None)])
    assert archive.has_url("https://kaltimpost.example/berita/1")
    assert not archive.has_url("https://kaltimpost.example/berita/3")
    assert archive.article_dates([f"https://kaltimpost.example/berita/{n}" for n in (1, 2, 3)]) \
        == {"https://kaltimpost.example/berita/1": "2023-05-23T10:15:00+08:00",
            "https://kaltimpost.example/berita/2": None}


def test_reader_keeps_its_snapshot_while_another_connection_writes(db_path: Path,
                                                                   record) -> None:
    with Archive(db_path) as writer:
        writer.write([record(n) for n in range(1, 4)])
        with Archive(db_path, readonly=True) as reader:
            stream = reader.iter_articles()
            first = next(stream)
            writer.write([record(n) for n in range(4, 7)])  # not blocked by the open read
            assert [first["id"], *(a["id"] for a in stream)] == [1, 2, 3]
            assert reader.count() == 6


_CHILD = textwrap.dedent("""
    import sys, time
    from archive import Archive

    def record(n):
        return {"url": f"https://k.example/{n}", "source": "k", "title": f"Judul {n}",
                "body": "kata " * 2000, "related": [{"url": f"https://k.example/r{n}"}]}

    archive = Archive(sys.argv[1])
    mode = sys.argv[2]
    if mode == "kill":
        archive.write([record(n) for n in range(10)])
        archive.connection.execute("PRAGMA cache_size = 10")  # spill into the WAL early
        inserted = 0
        def pause_mid_batch(sql):
            global inserted
            if sql.startswith("INSERT INTO articles"):
                inserted += 1
                if inserted == 150:
                    print("mid-write", flush=True)
                    time.sleep(120)
        archive.connection.set_trace_callback(pause_mid_batch)
        archive.write([record(n) for n in range(10, 300)])
    else:  # N batches of 25, each paused part written until the test sends a line
        def pause_mid_batch(sql):
            global inserted
            if sql.startswith("INSERT INTO articles ("):  # traced with its triggers' too
                inserted += 1
                if inserted == 12:  # some rows of the batch in, not all
                    print("mid-write", flush=True)
                    sys.stdin.readline()
        archive.connection.set_trace_callback(pause_mid_batch)
        for batch in range(int(mode)):
            inserted = 0
            archive.write([record(batch * 25 + n) for n in range(25)])
            print("committed", flush=True)
            sys.stdin.readline()
        print("done", flush=True)
""")


def _child(db_path: Path, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", _CHILD, str(db_path), mode],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def test_sigkill_mid_batch_leaves_the_archive_as_before(db_path: Path) -> None:
    child = _child(db_path, "kill")
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "mid-write"
        wal = Path(f"{db_path}-wal")
        assert wal.stat().st_size > 1_000_000  # the batch really is half on disk
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=CHILD_START_TIMEOUT)
    assert child.returncode == -signal.SIGKILL

    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    counts = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("articles", "links", "article_links", "articles_fts")]
    assert counts == [10, 10, 10, 10]
    conn.close()
    with Archive(db_path) as archive:  # and the archive takes the same batch again
        result = archive.write([{"url": f"https://k.example/{n}", "source": "k",
                                 "title": f"Judul {n}", "body": "kata " * 2000}
                                for n in range(10, 300)])
        assert result.new == 290


def assert_write_locked(db_path: Path) -> None:
    probe = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            probe.execute("BEGIN IMMEDIATE")
    finally:
        probe.close()


def test_readers_never_see_half_a_batch(db_path: Path) -> None:
    """A reader between the writer's statements, with each batch half written (the writer
    paused inside its transaction), sees the batches before it whole and nothing of it; once
    the batch is committed, all of it."""
    Archive(db_path).close()
    batches = 4
    child = _child(db_path, str(batches))
    assert child.stdin is not None and child.stdout is not None
    seen: list[tuple[str, int]] = []
    try:
        with Archive(db_path, readonly=True) as reader:
            for _ in range(batches):
                for expect in ("mid-write", "committed"):
                    assert child.stdout.readline() == expect + "\n"
                    if expect == "mid-write":  # the writer really is inside its transaction
                        assert_write_locked(db_path)
                    seen.append((expect, reader.count()))
                    assert len(reader.search("judul", limit=100)) == min(reader.count(), 100)
                    assert reader.stats()["total"]["articles"] == reader.count()
                    child.stdin.write("go\n")
                    child.stdin.flush()
            assert child.stdout.readline() == "done\n"
    finally:
        child.stdin.close()
        child.wait(timeout=CHILD_START_TIMEOUT)
    assert child.returncode == 0
    assert seen == [(step, 25 * (n + (step == "committed")))
                    for n in range(batches) for step in ("mid-write", "committed")]
    with Archive(db_path, readonly=True) as reader:
        assert reader.count() == batches * 25


OPENER = """
import sys
from archive import Archive

for line in sys.stdin:  # one archive path a line: open it at once, then say so
    Archive(line.strip()).close()
    print("opened", flush=True)
"""


def test_processes_creating_one_archive_at_once_all_open_it(tmp_path: Path) -> None:
    """Processes opening a new archive at the same moment (two crawls through different paths,
    a crawl's writer thread) all get it: none may call the half-made file "not a warta
    archive" or fail the switch to WAL with "database is locked". 150 new archives, each
    opened by three processes told at once."""
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root))
    openers = [subprocess.Popen([sys.executable, "-c", OPENER], env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(3)]
    try:
        for round_ in range(150):
            db = tmp_path / f"new-{round_}.db"
            for opener in openers:
                assert opener.stdin is not None
                opener.stdin.write(f"{db}\n")
                opener.stdin.flush()
            for opener in openers:
                assert opener.stdout is not None
                assert opener.stdout.readline() == "opened\n", f"round {round_}"
    finally:
        outcomes = [opener.communicate(timeout=60) for opener in openers]
    assert [(o.returncode, err) for o, (_, err) in zip(openers, outcomes, strict=True)] == [
        (0, "")] * 3


def test_new_url_changed_later_in_the_same_batch_is_one_row_with_one_version(
        archive: Archive, record) -> None:
    # New rows are inserted together: a URL first seen in a batch and then changed in it must
    # still be one row whose first text is its version.
    result = archive.write([record(1), record(2), record(1, title="Judul diralat"), record(3)])
    assert result == WriteResult(new=3, updated=1)
    assert rows(archive, "SELECT id, url FROM articles ORDER BY id") == [
        (1, "https://kaltimpost.example/berita/1"), (2, "https://kaltimpost.example/berita/2"),
        (3, "https://kaltimpost.example/berita/3")]
    got = archive.get(1)
    assert got["title"] == "Judul diralat"
    assert [v["title"] for v in got["versions"]] == ["Judul berita nomor 1"]
    assert [r["id"] for r in archive.search("diralat")] == [1]


def test_a_url_changed_twice_in_a_batch_keeps_both_replaced_texts_in_order(
        archive: Archive, record) -> None:
    archive.write([record(1), record(2)])
    result = archive.write([record(1, title="Ralat pertama"), record(2, title="Ralat lain"),
                            record(1, title="Ralat kedua")])
    assert result == WriteResult(updated=3)
    got = archive.get(1)
    assert got["title"] == "Ralat kedua"
    assert [v["title"] for v in got["versions"]] == ["Judul berita nomor 1", "Ralat pertama"]
    assert archive.get(2)["title"] == "Ralat lain"


def test_the_full_text_index_holds_exactly_the_archived_text(archive: Archive, record) -> None:
    # New articles reach the index by one statement a batch (archive/store.py, `_write_new`);
    # changes, repeats and another program's plain INSERT still leave it exact.
    archive.write([record(1), record(2), record(1, title="Judul diralat"), record(3)])
    archive.write([record(4), record(2, body="Isi baru sama sekali."), record(5)])
    rows(archive, "INSERT INTO articles (uid, url, source, title, body, content_hash, "
                  "first_seen_at, last_seen_at, changed_at) SELECT 'u6', 'https://x.example/6', "
                  "source, 'Ditulis program lain', 'Banjir rob', 'h6', first_seen_at, "
                  "last_seen_at, changed_at FROM articles WHERE id = 1")
    rows(archive, "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    assert [r["id"] for r in archive.search("diralat")] == [1]
    assert [r["id"] for r in archive.search("baru")] == [2]
    assert [r["id"] for r in archive.search("rob")] == [6]


def test_new_ids_continue_after_the_highest_as_sqlite_gives_them(archive: Archive,
                                                                 record) -> None:
    archive.write([record(1), record(2), record(3)])
    rows(archive, "DELETE FROM articles WHERE id = 3")  # another program removed the newest
    archive.write([record(4), record(1, title="Judul diralat"), record(5)])
    assert rows(archive, "SELECT id, url FROM articles WHERE id > 1 ORDER BY id") == [
        (2, "https://kaltimpost.example/berita/2"), (3, "https://kaltimpost.example/berita/4"),
        (4, "https://kaltimpost.example/berita/5")]
    assert [r["id"] for r in archive.search("nomor 5")] == [4]  # the index has the new ids
    assert rows(archive, "SELECT first_id, last_id FROM article_months") == [(1, 4)]


def test_lists_and_provenance_are_stored_as_json_whatever_they_hold(archive: Archive,
                                                                   record) -> None:
    hostile = ['Ani "Ucok" Lubis', "C:\\berita", "baris\nbaru", "tab\there", "Café Ñ", "",
               "\u2028", "😀"]
    provenance = {"body": 'json"ld', "title": "jsonld\\x", "published_at": "meta\x01"}
    archive.write([record(1, authors=hostile, tags=["a", "b"], provenance=provenance),
                   record(2, authors=[], provenance={})])
    stored = rows(archive, "SELECT authors, tags, provenance FROM articles ORDER BY id")
    assert stored == [
        (json.dumps(hostile, ensure_ascii=False), '["a", "b"]',
         json.dumps(provenance, ensure_ascii=False, sort_keys=True)),
        ("[]", "[]", "{}")]
    got = archive.get(1)
    assert (got["authors"], got["provenance"]) == (hostile, provenance)


def test_links_of_one_batch_new_and_known_are_counted_once_each(archive: Archive,
                                                                record) -> None:
    old = {"url": "https://k.example/lama", "title": "Lama"}
    archive.write([record(1, related=[old])])
    new = {"url": "https://k.example/baru", "title": "Baru"}
    result = archive.write([record(2, related=[old, new]), record(2, related=[new, old]),
                            record(3, related=[dict(old, title=None), new])])
    assert (result.links_new, result.links_seen) == (1, 6)
    assert rows(archive, "SELECT url, first_title, last_title, times_seen FROM links "
                "ORDER BY id") == [("https://k.example/lama", "Lama", "Lama", 3),
                                   ("https://k.example/baru", "Baru", "Baru", 2)]
    assert archive.related_urls("https://kaltimpost.example/berita/2") == [
        new["url"], old["url"]]


def test_an_archive_whose_ids_ran_out_refuses_new_articles_in_one_line(archive: Archive,
                                                                        record) -> None:
    archive.write([record(1)])
    rows(archive, "INSERT INTO articles (id, uid, url, source, title, body, content_hash, "
                  "first_seen_at, last_seen_at, changed_at) SELECT 9223372036854775806, 'u9', "
                  "'https://x.example/9', source, title, body, 'h9', first_seen_at, "
                  "last_seen_at, changed_at FROM articles WHERE id = 1")  # another program
    with pytest.raises(WartaError, match="no article id left"):
        archive.write([record(2), record(3)])  # the first fits, the second does not
    assert rows(archive, "SELECT count(*) FROM articles") == [(2,)]
    assert archive.write([record(1, title="Judul diralat")]) == WriteResult(updated=1)
