"""`article_checks` (migration 7, issue 14): each article's validators and next scheduled
check, written with the article, moved by a 304's `touch` without touching the article, and
absent (not invented) for rows archived before the migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive import Archive, WartaError
from archive.schema import MIGRATIONS, SCHEMA_VERSION
from tests.archive.conftest import make_record

CHECKS = {"etag": 'W/"abc"', "last_modified": "Tue, 23 May 2023 02:15:00 GMT",
          "next_check_at": "2023-05-23T11:15:00+08:00"}
URL = make_record(1)["url"]


def checks_of(archive: Archive) -> list[tuple[object, ...]]:
    return archive.connection.execute(
        "SELECT a.url, c.etag, c.last_modified, c.next_check_at, c.checked_at FROM "
        "article_checks c JOIN articles a ON a.id = c.article_id ORDER BY a.url").fetchall()


def test_the_checks_are_stored_beside_the_article_not_in_it(archive: Archive) -> None:
    archive.write([make_record(1, checks=CHECKS)], now="2023-05-23T10:20:00+08:00")
    assert checks_of(archive) == [(URL, 'W/"abc"', "Tue, 23 May 2023 02:15:00 GMT",
                                   "2023-05-23T03:15:00+00:00", "2023-05-23T02:20:00+00:00")]
    article = archive.get(URL)
    assert article is not None and article["extra"] is None  # not an unknown field
    (seen,) = archive.seen_articles("kaltimpost")
    assert seen[8:] == ('W/"abc"', "Tue, 23 May 2023 02:15:00 GMT",
                        "2023-05-23T03:15:00+00:00", 1)


def test_a_304_moves_only_last_seen_and_the_next_check(archive: Archive) -> None:
    archive.write([make_record(1, checks=CHECKS)], now="2023-05-23T10:20:00+08:00")
    before = archive.connection.execute(
        "SELECT title, body, content_hash, changed_at, first_seen_at FROM articles").fetchall()
    touched = archive.touch([(URL, {**CHECKS, "next_check_at": None}),
                             ("https://kaltimpost.example/not-archived", None)],
                            now="2023-05-23T11:20:00+08:00")
    assert touched == 1
    after = archive.connection.execute(
        "SELECT title, body, content_hash, changed_at, first_seen_at FROM articles").fetchall()
    assert after == before
    assert archive.connection.execute("SELECT last_seen_at FROM articles").fetchone() == (
        "2023-05-23T03:20:00+00:00",)
    assert checks_of(archive)[0][3:] == (None, "2023-05-23T03:20:00+00:00")  # none left
    assert archive.connection.execute("SELECT count(*) FROM article_versions").fetchone() == (0,)


def test_a_bad_next_check_is_one_line_and_nothing_is_written(archive: Archive) -> None:
    with pytest.raises(WartaError, match=r"checks.next_check_at' 'soon' does not parse"):
        archive.write([make_record(1), make_record(2, checks={"next_check_at": "soon"})])
    assert archive.count() == 0


def test_a_validator_too_long_to_send_back_is_not_kept(archive: Archive) -> None:
    archive.write([make_record(1, checks={"etag": '"' + "x" * 5000 + '"'})])
    assert checks_of(archive)[0][1] is None


def test_an_archive_of_schema_6_gains_the_table_and_keeps_its_rows(db_path: Path) -> None:
    assert SCHEMA_VERSION >= 7
    conn = sqlite3.connect(db_path, isolation_level=None)
    for migration in MIGRATIONS[:6]:  # the archive as warta wrote it before this migration
        conn.execute("BEGIN")
        migration.apply(conn)
        conn.execute(f"PRAGMA user_version = {migration.version}")
        conn.execute("COMMIT")
    conn.execute("INSERT INTO sources (key, added_at) VALUES ('kaltimpost', 'x')")
    conn.execute("INSERT INTO articles (uid, url, source, content_hash, first_seen_at, "
                 "last_seen_at, changed_at, title, body, word_count) VALUES ('0000000000000001', "
                 "?, 'kaltimpost', 'h', 'x', 'x', 'x', 'Judul', 'Isi.', 1)", (URL,))
    conn.close()
    with Archive(db_path) as archive:
        assert archive.schema_version == SCHEMA_VERSION
    conn = sqlite3.connect(db_path, isolation_level=None)
    MIGRATIONS[6].apply(conn)  # safe to run twice
    conn.close()
    with Archive(db_path) as archive:
        assert archive.schema_version == SCHEMA_VERSION
        (seen,) = archive.seen_articles("kaltimpost")
        assert seen[8:] == (None, None, None, 0)  # not scheduled: the crawler decides
