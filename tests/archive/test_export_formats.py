"""Exports as their readers see them: every format read back by its own reader (json, csv,
pyarrow, pandas, DuckDB) and compared with the archive; URL-only lists; Parquet partitioned
by outlet and year; stable ids across archives; byte-identical files for the same command."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from archive import Archive, UsageError, article_uid
from archive.export import (
    FIELD_NAMES,
    PARTITION_FILE,
    UNDATED_YEAR,
    URL_FIELD_NAMES,
    export,
)
from tests.archive.conftest import CORPUS, SOURCES

RELATED = [{"url": "https://kaltimpost.example/berita/4", "title": "Sanitasi", "block": "top",
            "position": 0},
           {"url": "https://other.example/x", "title": "Lain", "block": "baca-juga",
            "position": 1}]


@pytest.fixture
def linked(corpus: Archive, corpus_records: list[dict]) -> Archive:
    """The corpus with related links on article 1."""
    corpus.write([dict(corpus_records[0], related=RELATED)])
    return corpus


def archived(archive: Archive) -> list[dict[str, Any]]:
    """What every reader must give back: the archive's own rows, in export order."""
    return [{"uid": a["uid"], "url": a["url"], "source": a["source"], "title": a["title"],
             "published": _instant(a["published_at"]), "authors": a["authors"],
             "tags": a["tags"], "body": a["body"], "related": a["related"]}
            for a in archive.iter_articles()]


def _instant(value: Any) -> dt.datetime | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _shape(row: dict[str, Any]) -> dict[str, Any]:
    """A read-back row in the comparison's shape (lists as lists, instants aware)."""
    def as_list(value: Any) -> list[Any]:
        if isinstance(value, str):
            return json.loads(value)
        return [dict(v) if isinstance(v, dict) else v for v in list(value)]

    return {"uid": row["uid"], "url": row["url"], "source": row["source"],
            "title": row["title"], "published": _instant(row["published_at"]),
            "authors": as_list(row["authors"]), "tags": as_list(row["tags"]),
            "body": row["body"], "related": as_list(row["related"])}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def read_csv(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [{k: (v if v != "" else None) for k, v in row.items()} for row in rows]


def read_duckdb(path: Path) -> list[dict[str, Any]]:
    with duckdb.connect() as con:
        cursor = con.execute(f"SELECT * FROM read_parquet('{path}')")
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


READERS = {
    "jsonl": ("all.jsonl.gz", read_jsonl),
    "csv": ("all.csv", read_csv),
    "pyarrow": ("all.parquet", lambda p: pq.read_table(p).to_pylist()),
    "pandas": ("all.parquet", lambda p: pd.read_parquet(p).to_dict("records")),
    "duckdb": ("all.parquet", read_duckdb),
}


@pytest.mark.parametrize("reader", list(READERS))
def test_each_format_reads_back_as_the_archive_holds_it(linked: Archive, tmp_path: Path,
                                                         reader: str) -> None:
    name, read = READERS[reader]
    export(linked, tmp_path / name)
    assert [_shape(row) for row in read(tmp_path / name)] == archived(linked)


def test_parquet_types_seen_by_duckdb(linked: Archive, tmp_path: Path) -> None:
    export(linked, tmp_path / "all.parquet")
    with duckdb.connect() as con:
        types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "
                                 f"read_parquet('{tmp_path / 'all.parquet'}'))").fetchall())
    assert types["published_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["authors"] == "VARCHAR[]"
    assert types["related"] == ("STRUCT(url VARCHAR, title VARCHAR, block VARCHAR, "
                                "\"position\" BIGINT)[]")
    assert types["word_count"] == "BIGINT"


# --- URL-only lists -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["urls.jsonl", "urls.csv", "urls.parquet"])
def test_urls_only_holds_ids_urls_outlets_dates_titles(linked: Archive, tmp_path: Path,
                                                       name: str) -> None:
    out = tmp_path / name
    manifest = export(linked, out, urls_only=True)
    if name.endswith(".jsonl"):
        rows = read_jsonl(out)
    elif name.endswith(".csv"):
        rows = read_csv(out)
    else:
        table = pq.read_table(out)
        assert table.schema.names == list(URL_FIELD_NAMES)
        assert table.schema.field("published_at").type == pa.timestamp("us", tz="UTC")
        rows = table.to_pylist()
    assert [list(row) for row in rows] == [list(URL_FIELD_NAMES)] * 5
    want = [(a["uid"], a["url"], a["source"], _instant(a["published_at"]),
             a["published_precision"] or "", a["title"]) for a in linked.iter_articles()]
    assert [(r["uid"], r["url"], r["source"], _instant(r["published_at"]),
             r["published_precision"] or "", r["title"]) for r in rows] == want
    assert any(r["published_precision"] for r in rows)  # what each date is worth, kept
    assert [f["name"] for f in manifest["fields"]] == list(URL_FIELD_NAMES)
    assert manifest["urls_only"] is True


@pytest.mark.parametrize("options", [{"query": "stunting"}, {"query": "stunting",
                                                             "sort": "rank"},
                                     {"source": "tribunkaltim", "sort": "newest"}])
def test_urls_only_lists_the_rows_of_the_full_export_in_its_order(
        linked: Archive, tmp_path: Path, options: dict[str, Any]) -> None:
    export(linked, tmp_path / "full.jsonl", **options)
    export(linked, tmp_path / "urls.jsonl", urls_only=True, **options)
    full = read_jsonl(tmp_path / "full.jsonl")
    assert read_jsonl(tmp_path / "urls.jsonl") == [
        {name: row[name] for name in URL_FIELD_NAMES} for row in full]
    assert full  # the options match something


# --- partitions ---------------------------------------------------------------------------------

@pytest.fixture
def partitioned(linked: Archive, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    out = tmp_path / "kaltim.parquet"
    return out, export(linked, out, partition=True)


def test_partitions_are_hive_folders_by_outlet_and_year(
        partitioned: tuple[Path, dict[str, Any]]) -> None:
    out, manifest = partitioned
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.parquet"))
    assert files == sorted([f"source=jakartanews/year=2022/{PARTITION_FILE}",
                            f"source=kaltimpost/year=2023/{PARTITION_FILE}",
                            f"source=kaltimpost/year={UNDATED_YEAR}/{PARTITION_FILE}",
                            f"source=tribunkaltim/year=2023/{PARTITION_FILE}",
                            f"source=tribunkaltim/year=2024/{PARTITION_FILE}"])
    assert [f["path"] for f in manifest["files"]] == files
    for entry in manifest["files"]:
        data = (out / entry["path"]).read_bytes()
        assert (entry["sha256"], entry["bytes"]) == (hashlib.sha256(data).hexdigest(), len(data))
        # As in hive: the partition keys are in the path, not in the file.
        assert "source" not in pq.read_schema(out / entry["path"]).names


def test_partitions_read_back_by_pyarrow(partitioned: tuple[Path, dict[str, Any]],
                                         linked: Archive) -> None:
    out, _ = partitioned
    table = ds.dataset(out, format="parquet", partitioning="hive").to_table()
    assert table.schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("authors").type == pa.list_(pa.string())
    assert table.schema.field("year").type == pa.int32()
    rows = sorted(table.to_pylist(), key=lambda r: r["uid"])
    want = sorted(archived(linked), key=lambda r: r["uid"])
    assert [_shape(r) for r in rows] == want
    years = {r["url"]: r["year"] for r in rows}
    assert years["https://kaltimpost.example/berita/4"] == UNDATED_YEAR  # the undated one
    assert years["https://jakartanews.example/berita/3"] == 2022  # 23:30 WIB on 31 December


def test_partitions_read_back_by_pandas(partitioned: tuple[Path, dict[str, Any]],
                                        linked: Archive) -> None:
    out, _ = partitioned
    frame = pd.read_parquet(out)
    assert str(frame["published_at"].dtype) == "datetime64[us, UTC]"
    rows = sorted(frame.to_dict("records"), key=lambda r: r["uid"])
    assert [_shape(r) for r in rows] == sorted(archived(linked), key=lambda r: r["uid"])
    assert sorted(frame["year"].astype(int).tolist()) == [UNDATED_YEAR, 2022, 2023, 2023, 2024]


def test_partitions_read_back_by_duckdb(partitioned: tuple[Path, dict[str, Any]],
                                        linked: Archive) -> None:
    out, _ = partitioned
    with duckdb.connect() as con:
        query = f"FROM read_parquet('{out}/**/*.parquet', hive_partitioning = true)"
        types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * "
                                 f"{query})").fetchall())
        counts = con.execute(f"SELECT source, year, count(*) {query} GROUP BY ALL "
                             "ORDER BY ALL").fetchall()
        cursor = con.execute(f"SELECT * {query}")
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    assert (types["published_at"], types["authors"], types["year"], types["source"]) == (
        "TIMESTAMP WITH TIME ZONE", "VARCHAR[]", "BIGINT", "VARCHAR")
    assert counts == [("jakartanews", 2022, 1), ("kaltimpost", UNDATED_YEAR, 1),
                      ("kaltimpost", 2023, 1), ("tribunkaltim", 2023, 1),
                      ("tribunkaltim", 2024, 1)]
    assert sorted((_shape(r) for r in rows), key=lambda r: r["uid"]) == sorted(
        archived(linked), key=lambda r: r["uid"])


def test_partitioned_url_list(linked: Archive, tmp_path: Path) -> None:
    out = tmp_path / "urls"
    manifest = export(linked, out, partition=True, urls_only=True)
    assert manifest["format"] == "parquet"
    table = ds.dataset(out, format="parquet", partitioning="hive").to_table()
    assert sorted(table.schema.names) == sorted([*URL_FIELD_NAMES, "year"])
    assert table.num_rows == 5


def test_a_partitioned_export_replaces_an_earlier_one(linked: Archive, tmp_path: Path) -> None:
    out = tmp_path / "kaltim"
    export(linked, out, partition=True)
    manifest = export(linked, out, partition=True, source="jakartanews")
    assert [p.relative_to(out).as_posix() for p in out.rglob("*.parquet")] == [
        f"source=jakartanews/year=2022/{PARTITION_FILE}"]
    assert manifest["rows"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kaltim", "kaltim.manifest.json",
                                                           "warta.db", "warta.db-shm",
                                                           "warta.db-wal"]


@pytest.mark.parametrize(("make", "options", "message"), [
    (None, {"fmt": "csv"}, "--partition: only Parquet is partitioned, not csv"),
    ("csv-name", {}, "--partition: only Parquet is partitioned, not csv"),
    ("file", {}, "--out: .* is a file; --partition writes a folder"),
    ("foreign", {}, "--out: the folder .* holds other files \\(notes.txt, ...\\)"),
])
def test_partition_refuses_what_it_would_clobber(linked: Archive, tmp_path: Path,
                                                 make: str | None, options: dict[str, Any],
                                                 message: str) -> None:
    out = tmp_path / ("out.csv" if make == "csv-name" else "out")
    if make == "file":
        out.write_text("keep me")
    elif make == "foreign":
        out.mkdir()
        (out / "notes.txt").write_text("keep me")
    with pytest.raises(UsageError, match=message):
        export(linked, out, partition=True, **options)
    assert not list(tmp_path.glob("out*.manifest.json"))


# --- stable ids, reproducible files -------------------------------------------------------------

def test_uids_are_the_same_in_archives_built_independently(tmp_path: Path) -> None:
    """Two archives written from the same records, in opposite orders and batches, give each
    article the same uid: the hash of its canonical URL, whatever its row id."""
    exported = []
    for name, records in (("a", CORPUS), ("b", list(reversed(CORPUS)))):
        with Archive(tmp_path / f"{name}.db") as archive:
            for key, fields in SOURCES.items():
                archive.set_source(key, **fields)
            for record in records:
                archive.write([record])
            export(archive, tmp_path / f"{name}.jsonl", urls_only=True)
        exported.append({r["url"]: r["uid"] for r in read_jsonl(tmp_path / f"{name}.jsonl")})
    assert exported[0] == exported[1] == {r["url"]: article_uid(r["url"]) for r in CORPUS}


EXPORTS = [("a.jsonl", {}), ("a.csv.gz", {}), ("a.parquet", {}),
           ("u.jsonl.gz", {"urls_only": True}), ("u.csv", {"urls_only": True}),
           ("u.parquet", {"urls_only": True}), ("p", {"partition": True}),
           ("c.parquet", {"card": True, "query": "stunting"})]


@pytest.mark.parametrize(("name", "options"), EXPORTS)
def test_the_same_command_gives_byte_identical_files(linked: Archive, tmp_path: Path,
                                                     name: str, options: dict[str, Any]) -> None:
    made = []
    for run in ("one", "two"):
        folder = tmp_path / run
        folder.mkdir()
        export(linked, folder / name, **options)
        made.append({p.relative_to(folder).as_posix(): p.read_bytes()
                     for p in sorted(folder.rglob("*")) if p.is_file()})
    assert made[0] == made[1]
    assert len(made[0]) >= 2  # the data and its manifest (and card) are all compared


def test_no_time_or_name_inside_the_data(linked: Archive, tmp_path: Path) -> None:
    export(linked, tmp_path / "a.jsonl.gz")
    header = (tmp_path / "a.jsonl.gz").read_bytes()[:10]
    assert header[4:8] == b"\0\0\0\0"  # gzip MTIME
    assert not header[3] & 0x08  # no FNAME
    export(linked, tmp_path / "a.parquet")
    metadata = pq.ParquetFile(tmp_path / "a.parquet").metadata
    assert metadata.created_by.startswith("parquet-cpp-arrow version ")
    assert sorted(metadata.metadata) == [b"ARROW:schema", b"filters", b"warta_version"]


def test_full_export_fields_unchanged(linked: Archive, tmp_path: Path) -> None:
    export(linked, tmp_path / "a.jsonl")
    assert list(read_jsonl(tmp_path / "a.jsonl")[0]) == list(FIELD_NAMES)
