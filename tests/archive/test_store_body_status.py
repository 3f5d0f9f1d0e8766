"""`body_status` in the archive (issue 12): records, the migration from schema 4, and exports
that leave out articles whose body could not be read whole unless asked for."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from archive import Archive, WartaError, content_hash
from archive.export import export
from archive.schema import MIGRATIONS, SCHEMA_VERSION, migrate
from tests.archive.conftest import make_record

MISSING = make_record(2, body="", body_status="missing", title="Hanya judul dan tanggal",
                      provenance={"body": "missing: no stage of the body chain found text"})
SHORT = make_record(3, body="Singkat saja.", body_status="short",
                    provenance={"body": "generic", "body_status": "short: 2 words (under 30)"})


@pytest.fixture
def mixed(archive: Archive) -> Archive:
    archive.write([make_record(1), MISSING, SHORT])
    return archive


def status_of(archive: Archive, n: int) -> Any:
    return archive.connection.execute(
        "SELECT body_status FROM articles WHERE url = ?",
        (make_record(n)["url"],)).fetchone()[0]


# --- records --------------------------------------------------------------------------------

def test_the_status_is_stored_and_a_missing_body_has_no_stage(mixed: Archive) -> None:
    assert [status_of(mixed, n) for n in (1, 2, 3)] == ["ok", "missing", "short"]
    got = mixed.get(MISSING["url"])
    assert got is not None
    assert (got["body"], got["body_stage"]) == ("", None)
    assert got["provenance"]["body"].startswith("missing: ")


@pytest.mark.parametrize(("body", "status"), [("", "missing"), ("  \n ", "missing"),
                                              ("Isi.", "ok")])
def test_without_a_status_the_archive_tells_missing_from_ok(archive: Archive, body: str,
                                                            status: str) -> None:
    archive.write([make_record(1, body=body)])
    assert status_of(archive, 1) == status


def test_an_ok_article_keeps_its_hash(archive: Archive) -> None:
    record = make_record(1)
    archive.write([record])
    (stored,), = archive.connection.execute("SELECT content_hash FROM articles").fetchall()
    assert stored == content_hash(record["title"], record["body"])


@pytest.mark.parametrize(("fields", "message"), [
    ({"body_status": "partial"}, "must be one of ok, short, missing, incomplete"),
    ({"body_status": "missing"}, "is 'missing' but the body is not empty"),
    ({"body": "", "body_status": "ok"}, "is 'ok' but the body is empty"),
])
def test_a_status_that_contradicts_the_body_is_refused(archive: Archive, fields: dict[str, Any],
                                                       message: str) -> None:
    with pytest.raises(WartaError, match=f"field 'body_status' {message}"):
        archive.write([make_record(1, **fields)])
    assert archive.count() == 0


def test_the_database_refuses_a_bad_status_written_around_warta(mixed: Archive) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        mixed.connection.execute("UPDATE articles SET body_status = 'partial'")


def test_a_found_body_replaces_the_missing_one_keeping_it_as_a_version(mixed: Archive) -> None:
    result = mixed.write([make_record(2, title=MISSING["title"], body="Isi lengkap kini ada.",
                                      body_status="ok")])
    assert (result.updated, result.unchanged) == (1, 0)
    assert status_of(mixed, 2) == "ok"
    got = mixed.get(MISSING["url"])
    assert got is not None
    assert [v["body"] for v in got["versions"]] == [""]
    again = mixed.write([MISSING])  # the same empty page read again: a change, back to missing
    assert again.updated == 1 and status_of(mixed, 2) == "missing"


# --- migration from schema 4 ----------------------------------------------------------------

def test_an_archive_of_schema_4_is_migrated_with_every_row_ok(db_path: Path) -> None:
    assert SCHEMA_VERSION >= 5
    conn = sqlite3.connect(db_path, isolation_level=None)
    for migration in MIGRATIONS[:4]:  # the archive as warta wrote it before this migration
        conn.execute("BEGIN")
        migration.apply(conn)
        conn.execute(f"PRAGMA user_version = {migration.version}")
        conn.execute("COMMIT")
    conn.execute("INSERT INTO sources (key, added_at) VALUES ('kaltimpost', 'x')")
    old_hash = content_hash("Judul", "Isi berita.")
    for n, body, words in ((1, "Isi berita.", 2), (2, "", 0)):
        conn.execute(
            "INSERT INTO articles (uid, url, source, content_hash, first_seen_at, last_seen_at, "
            "changed_at, title, body, word_count) VALUES (?, ?, 'kaltimpost', ?, 'x', 'x', 'x', "
            "'Judul', ?, ?)", (f"{n:016x}", f"https://k.example/{n}", old_hash, body, words))
    conn.execute("INSERT INTO crawls (started_at, warta_version) VALUES ('x', '0')")
    conn.execute("INSERT INTO crawl_sites (crawl_id, source, articles) VALUES (1, 'kaltimpost', 3)")
    conn.close()

    with Archive(db_path) as archive:
        assert archive.schema_version == SCHEMA_VERSION
        rows = archive.connection.execute(
            "SELECT url, body_status, content_hash FROM articles ORDER BY id").fetchall()
        assert rows == [("https://k.example/1", "ok", old_hash),
                        ("https://k.example/2", "missing", old_hash)]
        (missing, short), = archive.connection.execute(
            "SELECT body_missing, body_short FROM crawl_sites").fetchall()
        assert (missing, short) == (0, 0)
        indexes = {r[1] for r in archive.connection.execute("PRAGMA index_list(articles)")}
        assert "articles_incomplete" in indexes
    conn = sqlite3.connect(db_path, isolation_level=None)
    assert migrate(conn) == []  # applied once
    conn.close()


def test_incomplete_rows_are_found_through_the_partial_index(mixed: Archive) -> None:
    plan = " ".join(str(r[-1]) for r in mixed.connection.execute(
        "EXPLAIN QUERY PLAN SELECT url FROM articles WHERE body_status <> 'ok' AND source = ?",
        ("kaltimpost",)))
    assert "articles_incomplete" in plan


# --- exports --------------------------------------------------------------------------------

def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_an_export_leaves_incomplete_bodies_out_and_says_so(mixed: Archive,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "data.jsonl"
    manifest = export(mixed, out, card=True)
    rows = read_jsonl(out)
    assert [(r["url"], r["body_status"]) for r in rows] == [(make_record(1)["url"], "ok")]
    assert manifest["rows"] == 1
    assert manifest["body_status"] == {"included": ["ok"],
                                       "incomplete": {"short": 1, "missing": 1, "incomplete": 0},
                                       "left_out": 2}
    assert "--include-incomplete" not in manifest["command"]
    card = (tmp_path / "data.jsonl.card.md").read_text()
    assert ("- Left out: 2 matching articles whose body could not be read whole (1 without a "
            "body, 1 short; `body_status`); `--include-incomplete` exports them.") in card


def test_include_incomplete_exports_every_article_with_its_status(mixed: Archive,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "data.jsonl"
    manifest = export(mixed, out, card=True, include_incomplete=True)
    assert sorted(r["body_status"] for r in read_jsonl(out)) == ["missing", "ok", "short"]
    assert manifest["body_status"]["left_out"] == 0
    assert "--include-incomplete" in manifest["command"]
    card = (tmp_path / "data.jsonl.card.md").read_text()
    assert "- Included: 2 articles whose body could not be read whole" in card


def test_the_left_out_count_follows_the_other_filters(mixed: Archive, tmp_path: Path) -> None:
    manifest = export(mixed, tmp_path / "q.jsonl", query="hanya")  # the missing one's title
    assert manifest["body_status"]["incomplete"] == {"short": 0, "missing": 1, "incomplete": 0}
    assert manifest["rows"] == 0
    urls = export(mixed, tmp_path / "u.csv", urls_only=True)
    assert urls["rows"] == 1 and urls["body_status"]["left_out"] == 2


def test_csv_and_parquet_carry_the_status_column(mixed: Archive, tmp_path: Path) -> None:
    export(mixed, tmp_path / "d.csv", include_incomplete=True)
    with (tmp_path / "d.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["body_status"] for r in rows) == ["missing", "ok", "short"]
    export(mixed, tmp_path / "d.parquet", include_incomplete=True)
    table = pq.read_table(tmp_path / "d.parquet")
    assert sorted(table.column("body_status").to_pylist()) == ["missing", "ok", "short"]


def test_stats_count_the_incomplete_bodies(mixed: Archive) -> None:
    stats = mixed.stats()
    (source,) = stats["sources"]
    assert (source["body_missing"], source["body_short"]) == (1, 1)
    assert (stats["total"]["body_missing"], stats["total"]["body_short"]) == (1, 1)


# --- incomplete multi-page articles (issue 13), migration 12 ----------------------------------

PARTIAL = make_record(4, body="Halaman pertama saja. " * 20, body_status="incomplete",
                      provenance={"body": "generic", "parts": "incomplete: 1 of 2 parts; missing "
                                  "https://k.example/4?page=2 (http_404)"})


def test_an_incomplete_article_is_stored_counted_and_left_out_of_exports(
        archive: Archive, tmp_path: Path) -> None:
    archive.write([make_record(1), PARTIAL])
    assert status_of(archive, 4) == "incomplete"
    stats = archive.stats()
    assert stats["total"]["body_incomplete"] == 1
    out = tmp_path / "out.jsonl"
    manifest = export(archive, out, fmt="jsonl")
    assert [json.loads(line)["url"] for line in out.read_text().splitlines()] == [
        make_record(1)["url"]]
    assert manifest["body_status"]["incomplete"]["incomplete"] == 1
    assert manifest["body_status"]["left_out"] == 1
    every = tmp_path / "every.jsonl"
    export(archive, every, fmt="jsonl", include_incomplete=True)
    rows = [json.loads(line) for line in every.read_text().splitlines()]
    assert sorted(r["body_status"] for r in rows) == ["incomplete", "ok"]


def test_an_archive_of_schema_11_takes_incomplete_and_marks_its_stitched_rows(
        db_path: Path) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    for migration in MIGRATIONS[:11]:  # the archive as warta wrote it before migration 12
        conn.execute("BEGIN")
        migration.apply(conn)
        conn.execute(f"PRAGMA user_version = {migration.version}")
        conn.execute("COMMIT")
    conn.execute("INSERT INTO sources (key, added_at) VALUES ('kaltimpost', 'x')")
    provenance = [json.dumps({"parts": "incomplete: 2 of 3 parts; missing u (http_404)"}),
                  json.dumps({"parts": "whole: 3 parts"}), json.dumps({"body": "missing: x"})]
    for n, (body, prov) in enumerate(zip(("Isi satu.", "Isi dua.", ""), provenance,
                                         strict=True), 1):
        conn.execute(
            "INSERT INTO articles (uid, url, source, content_hash, first_seen_at, last_seen_at, "
            "changed_at, title, body, word_count, provenance, body_status) VALUES (?, ?, "
            "'kaltimpost', 'h', 'x', 'x', 'x', 'Judul', ?, 2, ?, ?)",
            (f"{n:016x}", f"https://k.example/{n}", body, prov, "ok" if body else "missing"))
    with pytest.raises(sqlite3.IntegrityError):  # schema 11 knows three statuses
        conn.execute("UPDATE articles SET body_status = 'incomplete' WHERE id = 2")
    conn.close()

    with Archive(db_path) as archive:
        assert archive.schema_version == SCHEMA_VERSION
        assert [r[0] for r in archive.connection.execute(
            "SELECT body_status FROM articles ORDER BY id")] == ["incomplete", "ok", "missing"]
        assert archive.connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert archive.connection.execute(
            "SELECT body_incomplete FROM crawl_sites").fetchall() == []
        with pytest.raises(sqlite3.IntegrityError):  # still a CHECK, only one value wider
            archive.connection.execute("UPDATE articles SET body_status = 'half' WHERE id = 2")
    conn = sqlite3.connect(db_path, isolation_level=None)
    assert migrate(conn) == []  # applied once
    conn.execute("PRAGMA user_version = 11")  # safe to run again
    assert migrate(conn) == [m.version for m in MIGRATIONS if m.version > 11]  # 12 on
    assert conn.execute("SELECT count(*) FROM articles WHERE body_status = 'incomplete'"
                        ).fetchone() == (1,)
    conn.close()
