"""`published_precision` in the archive: checked on write, stored, shown by `warta show`,
carried by every export format, and NULL in rows of an archive made before it existed."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from archive import Archive, WartaError
from archive import schema as schema_module
from archive.commands import cli, run
from archive.export import FIELD_NAMES, export
from archive.schema import MIGRATIONS, SCHEMA_VERSION, migrate

URL = "https://kaltimpost.example/berita/1"
DAY_ONLY = {"published_at": "2023-05-30T00:00:00+08:00", "published_raw": "Selasa (30/5)",
            "published_precision": "day"}


def show(db: Path, key: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert run(cli, ["show", key, "--db", str(db)]) == 0
    return capsys.readouterr().out.splitlines()


def published_line(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("published "))


def test_each_precision_is_stored_and_read_back(archive: Archive, record) -> None:
    archive.write([record(1, **DAY_ONLY), record(2, published_precision="time"),
                   record(3, published_precision="relative"), record(4, published_at=None)])
    assert [archive.get(n)["published_precision"] for n in (1, 2, 3, 4)] == [
        "day", "time", "relative", None]


@pytest.mark.parametrize(("fields", "message"), [
    ({"published_precision": "minute"},
     "field 'published_precision' must be one of time, day, relative, or absent when not "
     "known; got 'minute'"),
    ({"published_precision": 1}, "field 'published_precision' must be text, not int"),
    ({"published_precision": "day", "published_at": None},
     "field 'published_precision' is 'day' but the record has no published_at"),
])
def test_a_bad_precision_names_the_article_and_the_field(archive: Archive, record,
                                                         fields: dict[str, Any],
                                                         message: str) -> None:
    with pytest.raises(WartaError) as caught:
        archive.write([record(1, **fields)])
    assert str(caught.value).startswith(f"article {URL!r}: {message}")
    assert archive.count() == 0


def test_an_empty_precision_from_a_csv_cell_is_not_known(archive: Archive, record) -> None:
    archive.write([record(1, published_precision="")])
    assert archive.get(1)["published_precision"] is None


def test_the_database_refuses_a_bad_precision_written_around_warta(archive: Archive,
                                                                   record) -> None:
    archive.write([record(1, published_precision="time")])
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        archive.connection.execute("UPDATE articles SET published_precision = 'hour'")


@pytest.mark.parametrize(("fields", "line"), [
    (DAY_ONLY, "published  2023-05-30 (day only; shown as: Selasa (30/5))"),
    ({"published_at": "2023-05-30T14:05:00+08:00", "published_precision": "time",
      "published_raw": "Selasa, 30 Mei 2023 | 14:05 WITA"},
     "published  2023-05-30T14:05:00+08:00 (shown as: Selasa, 30 Mei 2023 | 14:05 WITA)"),
    ({"published_at": "2023-05-31T08:00:00+08:00", "published_precision": "relative",
      "published_raw": "2 jam lalu"},
     "published  2023-05-31T08:00:00+08:00 (approximate: relative to the fetch time; shown as: "
     "2 jam lalu)"),
    ({"published_at": "2023-05-30T00:00:00+08:00"}, "published  2023-05-30T00:00:00+08:00"),
])
def test_warta_show_says_what_the_date_is_worth(archive: Archive, db_path: Path, record,
                                                capsys: pytest.CaptureFixture[str],
                                                fields: dict[str, Any], line: str) -> None:
    archive.write([record(1, **fields)])
    assert published_line(show(db_path, "1", capsys)) == line


@pytest.fixture
def dated(archive: Archive, record) -> Archive:
    archive.write([record(1, **DAY_ONLY), record(2, published_at=None)])
    return archive


def test_jsonl_export_carries_the_precision_after_the_raw_date(dated: Archive,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    manifest = export(dated, out)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["published_precision"] for r in rows] == ["day", None]
    assert FIELD_NAMES.index("published_precision") == FIELD_NAMES.index("published_raw") + 1
    field = next(f for f in manifest["fields"] if f["name"] == "published_precision")
    assert field["type"] == "string" and "midnight placeholder" in field["description"]


def test_csv_export_carries_the_precision_as_text(dated: Archive, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    manifest = export(dated, out)
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["published_precision"] for r in rows] == ["day", ""]
    types = {f["name"]: f["type"] for f in manifest["fields"]}
    assert types["published_precision"] == "text"


def test_parquet_export_carries_the_precision_as_a_string_column(dated: Archive,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "all.parquet"
    manifest = export(dated, out)
    table = pq.read_table(out)
    assert table.schema.field("published_precision").type == pa.string()
    assert table.column("published_precision").to_pylist() == ["day", None]
    types = {f["name"]: f["type"] for f in manifest["fields"]}
    assert types["published_precision"] == "string"


def test_a_csv_export_can_be_written_back(dated: Archive, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    export(dated, out)
    with out.open(newline="", encoding="utf-8") as handle:
        rows = [{k: v for k, v in row.items() if k in ("url", "source", "title", "body",
                                                       "published_at", "published_precision")}
                for row in csv.DictReader(handle)]
    with Archive(tmp_path / "copy.db") as copy:
        assert copy.write(rows).new == 2
        assert [copy.get(n)["published_precision"] for n in (1, 2)] == ["day", None]


def test_stats_share_of_articles_with_a_time_of_day(archive: Archive, record) -> None:
    archive.write([record(1, published_precision="time"), record(2, **DAY_ONLY),
                   record(3, published_precision="relative"), record(4)])
    stats = archive.stats()
    assert stats["total"]["share_time"] == 0.25
    assert [(s["source"], s["share_time"]) for s in stats["sources"]] == [("kaltimpost", 0.25)]
    plan = archive.connection.execute(
        "EXPLAIN QUERY PLAN SELECT source, count(*) FROM articles "
        "WHERE published_precision = 'time' GROUP BY source").fetchall()
    assert "articles_timed" in str(plan)  # never reads the column, which follows the body


# -- an archive made by the warta before migration 4 ------------------------------------------


@pytest.fixture
def version3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An archive exactly as warta made it at schema 3, holding one dated article."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    with monkeypatch.context() as patch:
        patch.setattr(schema_module, "MIGRATIONS", schema_module.MIGRATIONS[:3])
        assert migrate(conn) == [1, 2, 3]
    now = "2023-06-01T00:00:00+00:00"
    conn.execute("INSERT INTO sources (key, name, timezone, added_at) VALUES "
                 "('kaltimpost', 'Kaltim Post', 'Asia/Makassar', ?)", (now,))
    conn.execute(
        "INSERT INTO articles (uid, url, source, published_at, published_utc, published_date, "
        "published_raw, content_hash, first_seen_at, last_seen_at, changed_at, title, body) "
        "VALUES ('0123456789abcdef', ?, 'kaltimpost', '2023-05-30T00:00:00+08:00', "
        "'2023-05-29T16:00:00Z', '2023-05-30', 'Selasa (30/5)', 'h', ?, ?, ?, "
        "'Banjir rendam Samarinda', 'SAMARINDA - Banjir merendam lima kecamatan.')",
        (URL, now, now, now))
    assert "published_precision" not in {r[1] for r in conn.execute(
        "PRAGMA table_info(articles)")}
    conn.close()
    return path


def test_an_older_archive_gets_the_column_with_null_for_its_rows(version3: Path,
                                                                 record) -> None:
    with Archive(version3) as archive:
        assert archive.schema_version == SCHEMA_VERSION
        old = archive.get(1)
        assert (old["published_at"], old["published_precision"]) == (
            "2023-05-30T00:00:00+08:00", None)
        archive.write([record(2, **DAY_ONLY)])
        assert archive.get(2)["published_precision"] == "day"
        assert archive.stats()["total"]["share_time"] == 0.0
        applied = archive.connection.execute(
            "SELECT version, description FROM migrations ORDER BY version").fetchall()
    assert [version for version, _ in applied] == [m.version for m in MIGRATIONS]
    assert applied[3] == (4, "articles.published_precision: time, day or relative")


def test_an_older_archive_reads_and_exports_after_the_upgrade(
        version3: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(cli, ["show", "1", "--db", str(version3)]) == 0
    captured = capsys.readouterr()
    assert captured.err == f"Upgraded {version3} to archive schema {SCHEMA_VERSION}.\n"
    # the precision was not recorded: the instant is printed as stored, with no claim
    assert published_line(captured.out.splitlines()) == (
        "published  2023-05-30T00:00:00+08:00 (shown as: Selasa (30/5))")
    out = tmp_path / "old.jsonl"
    with Archive(version3, readonly=True) as archive:
        export(archive, out)
    (row,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (row["published_at"], row["published_precision"]) == (
        "2023-05-30T00:00:00+08:00", None)
