"""Opening files: new archives, migrations, and every kind of file that is not ours."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import Archive, WartaError
from archive.schema import APPLICATION_ID, FTS_AUTOMERGE, MIGRATIONS, SCHEMA_VERSION, migrate

TABLES = {"sources", "crawls", "articles", "article_versions", "links", "article_links",
          "articles_fts", "migrations"}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_archive_is_marked_and_has_every_table(db_path: Path) -> None:
    Archive(db_path).close()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert names >= TABLES
    applied = conn.execute("SELECT version FROM migrations ORDER BY version").fetchall()
    assert [v for (v,) in applied] == [m.version for m in MIGRATIONS]


def test_migrations_are_safe_to_run_again(db_path: Path) -> None:
    Archive(db_path).close()
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA user_version = 0")  # as if the version bump had been lost
    for migration in MIGRATIONS:
        conn.execute("BEGIN")
        migration.apply(conn)
        conn.execute("COMMIT")
    assert migrate(conn) == [m.version for m in MIGRATIONS]
    conn.close()
    with Archive(db_path) as archive:
        assert archive.schema_version == SCHEMA_VERSION
        assert archive.write([{"url": "https://x.example/1", "source": "x", "title": "t",
                               "body": "b"}]).new == 1


def test_older_archive_is_upgraded_when_opened_for_writing(db_path: Path, record) -> None:
    Archive(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("DROP INDEX articles_filter")  # as a version-1 archive was
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with pytest.raises(WartaError, match="uses archive schema 1, older than this warta's"):
        Archive(db_path, readonly=True)
    with Archive(db_path) as archive:
        assert archive.schema_version == SCHEMA_VERSION
        archive.write([record(1)])
        assert archive.search("berita", source="kaltimpost")[0]["id"] == 1


def test_full_text_index_merges_eight_segments_at_a_time_old_archives_too(
        db_path: Path) -> None:
    """FTS5's automerge is the index's own setting: new archives get FTS_AUTOMERGE, and an
    archive made before migration 15 gets it when opened for writing."""
    def automerge() -> int | None:
        conn = sqlite3.connect(db_path)
        row = conn.execute("SELECT v FROM articles_fts_config WHERE k = 'automerge'").fetchone()
        conn.close()
        return None if row is None else row[0]

    Archive(db_path).close()
    assert automerge() == FTS_AUTOMERGE == 8
    conn = sqlite3.connect(db_path)
    conn.execute("DELETE FROM articles_fts_config WHERE k = 'automerge'")  # as before 15
    conn.execute("PRAGMA user_version = 14")
    conn.commit()
    conn.close()
    assert automerge() is None
    Archive(db_path).close()
    assert automerge() == 8


def test_reopening_changes_nothing(db_path: Path) -> None:
    Archive(db_path).close()
    before = digest(db_path)
    Archive(db_path).close()
    assert digest(db_path) == before


def test_missing_path_read_only_is_refused_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "nope.db"
    with pytest.raises(WartaError, match=r"no archive at .*nope\.db: make one with `warta crawl`"):
        Archive(path, create=False)
    with pytest.raises(WartaError, match="no archive at"):
        Archive(path, readonly=True)
    assert not path.exists()


def test_newer_schema_is_refused_untouched(db_path: Path) -> None:
    Archive(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = digest(db_path)
    with pytest.raises(WartaError, match=rf"made by a newer warta \(archive schema "
                                         rf"{SCHEMA_VERSION + 1}; .*upgrade warta"):
        Archive(db_path)
    assert digest(db_path) == before


def test_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("just some text, not a database\n")
    for readonly in (False, True):
        with pytest.raises(WartaError, match="is not a SQLite database, so not a warta archive"):
            Archive(path, readonly=readonly)
    assert path.read_text() == "just some text, not a database\n"


def test_other_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(WartaError, match=r"a SQLite database but not a warta archive "
                                         r"\(tables: customers\)"):
        Archive(path)
    assert digest(path) == before


def test_empty_file_becomes_an_archive_only_when_writing(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with pytest.raises(WartaError, match="an empty database, not a warta archive"):
        Archive(path, readonly=True)
    assert path.stat().st_size == 0
    with Archive(path) as archive:
        assert archive.schema_version == SCHEMA_VERSION


def test_folder_given_as_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WartaError, match="is a folder, not an archive file"):
        Archive(tmp_path)


def test_missing_parent_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WartaError, match=r"the folder .*missing does not exist"):
        Archive(tmp_path / "missing" / "warta.db")


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a file or folder unwritable for this process, root included (chattr +i)."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    if shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("running as root where chattr +i is unavailable: cannot make a path "
                    "read-only for root")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_read_only_folder_cannot_get_a_new_archive(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    with read_only(folder), \
            pytest.raises(WartaError, match="is read-only; choose a writable --db path"):
        Archive(folder / "warta.db")


def test_read_only_file_opens_for_reading_but_not_for_writing(db_path: Path, record) -> None:
    with Archive(db_path) as archive:
        archive.write([record(1)])
    with read_only(db_path):
        with pytest.raises(WartaError, match=r"cannot write to .*the file is read-only"):
            Archive(db_path)
        with Archive(db_path, readonly=True) as archive:
            assert archive.count() == 1


def test_archive_in_read_only_folder_is_readable(tmp_path: Path, record) -> None:
    """A published dataset on read-only media: no -wal/-shm can be made, reading still works."""
    folder = tmp_path / "dataset"
    folder.mkdir()
    with Archive(folder / "warta.db") as archive:
        archive.write([record(1), record(2)])
    with read_only(folder), Archive(folder / "warta.db", readonly=True) as archive:
        assert archive.count() == 2
        assert {hit["id"] for hit in archive.search("berita")} == {1, 2}


def test_readonly_archive_refuses_writes(db_path: Path, record) -> None:
    Archive(db_path).close()
    with Archive(db_path, readonly=True) as archive, \
            pytest.raises(WartaError, match="opened read-only"):
        archive.write([record(1)])
