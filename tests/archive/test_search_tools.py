"""The archive's full-text search as sqlite-utils and Datasette see it (migration 8), on an
archive crawled by `warta demo`, and the upgrade of an archive made before it."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import sqlite_utils

from archive import Archive
from archive.schema import MIGRATIONS, migrate


def titles_with(db: Path, word: str) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute(
            "SELECT title FROM articles WHERE lower(title || ' ' || body) LIKE ?",
            (f"%{word}%",))}


def test_sqlite_utils_search_finds_the_articles(demo_db: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sqlite_utils", "search", str(demo_db), "articles", "banjir",
         "-c", "title"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    found = {row["title"] for row in json.loads(result.stdout)}
    assert found and found == titles_with(demo_db, "banjir")


def test_datasette_search_box_and_search_parameter(demo_db: Path) -> None:
    from datasette.app import Datasette

    async def fetch() -> tuple[list[str], str]:
        ds = Datasette([str(demo_db)])
        rows = await ds.client.get(
            "/warta-demo/articles.json?_search=banjir&_shape=array&_col=title")
        page = await ds.client.get("/warta-demo/articles")
        return [row["title"] for row in rows.json()], page.text

    titles, page = asyncio.run(fetch())
    assert set(titles) == titles_with(demo_db, "banjir")
    with sqlite3.connect(demo_db) as conn:
        (everything,) = conn.execute("SELECT count(*) FROM articles").fetchone()
    assert len(titles) < everything  # not every article, as before
    assert 'name="_search"' in page


def archive_before_v8(path: Path) -> sqlite3.Connection:
    """An archive left at schema 7 (before the index declared its content table), open."""
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS:
        if migration.version < 8:
            migration.apply(conn)
            conn.execute(f"PRAGMA user_version = {migration.version}")
    return conn


def test_an_archive_of_schema_6_is_upgraded_with_its_index_whole(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = archive_before_v8(path)
    conn.execute("INSERT INTO sources (key, added_at) VALUES ('x', '2023-01-01')")
    conn.execute(
        "INSERT INTO articles (uid, url, source, title, body, content_hash, first_seen_at, "
        "last_seen_at, changed_at) VALUES ('u', 'https://x.example/1', 'x', 'Warga kebanjiran', "
        "'Pemerintah kabupaten membantu.', 'h', 'n', 'n', 'n')")
    assert sqlite_utils.Database(conn)["articles"].detect_fts() is None
    conn.close()
    with Archive(path) as archive:
        assert archive.schema_version == MIGRATIONS[-1].version
        assert [r["id"] for r in archive.search("perintah")] == [1]  # through the word forms
        assert [r["id"] for r in archive.search("kebanjiran", exact=True)] == [1]
    db = sqlite_utils.Database(path)
    assert db["articles"].detect_fts() == "articles_fts"
    assert [r["title"] for r in db["articles"].search("pemerintah")] == ["Warga kebanjiran"]
    db.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_migration_8_runs_twice_without_harm(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        archive.write([{"url": "https://x.example/1", "source": "x", "title": "Kebanjiran",
                        "body": "Pemerintah membantu warga."}])
        conn = archive.connection
        (v8,) = [m for m in MIGRATIONS if m.version == 8]
        conn.execute("BEGIN")
        v8.apply(conn)
        conn.execute("COMMIT")
        assert migrate(conn) == []
        assert [r["id"] for r in archive.search("banjir")] == [1]
        assert conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH "
                            "'kebanjiran'").fetchone() == (1,)


def test_triggers_keep_the_index_in_step_with_other_writers(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with Archive(path) as archive:
        archive.write([{"url": "https://x.example/1", "source": "x", "title": "Banjir",
                        "body": "Air naik."}])
    db = sqlite_utils.Database(path)
    db["articles"].update(1, {"title": "Longsor"})
    assert list(db["articles"].search("banjir")) == []
    assert [r["id"] for r in db["articles"].search("longsor")] == [1]
    db["articles"].update(1, {"title": "Tanah bergerak", "body": "Longsornya parah."})
    with Archive(path) as archive:  # the stemmed index learns the new words on request
        assert archive.search("longsor") == []
        assert archive.refresh_word_forms() == 4  # tanah, bergerak, longsornya, parah
        archive.stem_pending()
        assert [r["id"] for r in archive.search("longsor")] == [1]
    db.execute("DELETE FROM articles WHERE id = 1")
    db.conn.commit()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")


def test_datasette_raw_search_with_the_word_forms_warta_adds(demo_db: Path) -> None:
    """`Archive.match_query` gives the expression `warta search` runs: Datasette's raw search
    mode then finds the word forms too (what `warta serve` builds on)."""
    from urllib.parse import quote

    from datasette.app import Datasette

    with Archive(demo_db, create=False, readonly=True) as archive:
        match = archive.match_query("kebanjiran")
        assert match is not None
        expected = {r["title"] for r in archive.search("kebanjiran", limit=100)}

    async def fetch() -> list[str]:
        ds = Datasette([str(demo_db)])
        rows = await ds.client.get("/warta-demo/articles.json?_searchmode=raw&_shape=array"
                                   f"&_col=title&_search={quote(match)}")
        return [row["title"] for row in rows.json()]

    titles = asyncio.run(fetch())
    assert expected and set(titles) == expected


_KILLED_MID_MIGRATION = """
import sys
import archive.stems as stems
from archive import Archive

def stop_here(conn, stemmer):  # the declaration rewritten, the word forms not yet filled
    print("migrating", flush=True)
    sys.stdin.read()  # until killed

stems.fill_from_index = stop_here
Archive(sys.argv[1]).close()
"""


def test_a_migration_killed_half_way_leaves_the_archive_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = archive_before_v8(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("INSERT INTO sources (key, added_at) VALUES ('x', '2023-01-01')")
    conn.execute(
        "INSERT INTO articles (uid, url, source, title, body, content_hash, first_seen_at, "
        "last_seen_at, changed_at) VALUES ('u', 'https://x.example/1', 'x', 'Warga kebanjiran', "
        "'Air naik.', 'h', 'n', 'n', 'n')")
    conn.close()
    child = subprocess.Popen([sys.executable, "-c", _KILLED_MID_MIGRATION, str(path)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "migrating\n"  # inside the migration's transaction
    finally:
        child.kill()
        child.wait()
    with sqlite3.connect(path) as conn:
        before = max(m.version for m in MIGRATIONS if m.version < 8)
        assert conn.execute("PRAGMA user_version").fetchone() == (before,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert "content='articles'" in conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[0]
    with Archive(path) as archive:  # the next opening migrates it whole
        assert archive.schema_version == MIGRATIONS[-1].version
        assert [r["id"] for r in archive.search("banjir")] == [1]
    assert sqlite_utils.Database(path)["articles"].detect_fts() == "articles_fts"
