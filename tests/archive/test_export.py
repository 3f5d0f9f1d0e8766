"""Exports: each format read back by its own reader, the manifest, reproducibility, bad input."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import json
import sqlite3
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from archive import Archive, UsageError
from archive import export as export_module
from archive.export import FIELD_NAMES, export
from archive.schema import SCHEMA_VERSION
from archive.version import __version__

RELATED = [{"url": "https://kaltimpost.example/berita/4", "title": "Sanitasi", "block": "top",
            "position": 0},
           {"url": "https://other.example/x", "title": "Lain", "block": "baca-juga",
            "position": 0}]


@pytest.fixture
def linked(corpus: Archive, corpus_records: list[dict]) -> Archive:
    """The corpus with related links on article 1."""
    corpus.write([dict(corpus_records[0], related=RELATED)])
    return corpus


def read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_jsonl_holds_every_article_whole_in_order(linked: Archive, tmp_path: Path,
                                                  corpus_records: list[dict]) -> None:
    out = tmp_path / "all.jsonl"
    manifest = export(linked, out)
    rows = read_jsonl(out)
    assert [r["url"] for r in rows] == [corpus_records[i]["url"] for i in (0, 2, 1, 4, 3)]
    assert list(rows[0]) == list(FIELD_NAMES)
    first = rows[0]
    assert (first["title"], first["body"], first["authors"], first["published_at"],
            first["published_offset"]) == (corpus_records[0]["title"], corpus_records[0]["body"],
                                           ["Sri Wahyuni"], "2023-01-01T00:30:00+08:00", "+08:00")
    assert first["related"] == RELATED
    assert manifest["rows"] == 5


def test_manifest_describes_the_file(linked: Archive, tmp_path: Path) -> None:
    out = tmp_path / "kesehatan.jsonl"
    export(linked, out, query="stunting", section="kesehatan")
    manifest = json.loads((tmp_path / "kesehatan.jsonl.manifest.json").read_text())
    assert manifest["rows"] == 2
    assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest["bytes"] == out.stat().st_size
    assert manifest["filters"]["query"] == "stunting"
    assert manifest["filters"]["section"] == "kesehatan"
    assert manifest["counts_per_source"] == {"kaltimpost": 2}
    assert manifest["date_range"] == {"first": "2023-01-01T00:30:00+08:00",
                                      "last": "2023-01-01T00:30:00+08:00", "undated_rows": 1}
    assert [f["name"] for f in manifest["fields"]] == list(FIELD_NAMES)
    types = {f["name"]: f["type"] for f in manifest["fields"]}
    assert types["authors"] == "array of strings"
    assert manifest["warta_version"] == __version__
    assert manifest["archive"] == {"file": "warta.db", "schema_version": SCHEMA_VERSION}


def test_date_range_orders_by_instant_across_zones(linked: Archive, tmp_path: Path) -> None:
    manifest = export(linked, tmp_path / "all.jsonl")
    # Articles 1 (WITA) and 3 (WIB) were published at the same instant, the earliest.
    assert manifest["date_range"]["first"] in ("2022-12-31T23:30:00+07:00",
                                               "2023-01-01T00:30:00+08:00")
    assert manifest["date_range"]["last"] == "2024-02-10T19:00:00+08:00"
    assert manifest["counts_per_source"] == {"jakartanews": 1, "kaltimpost": 2,
                                             "tribunkaltim": 2}


def test_csv_reads_back_with_lists_as_json(linked: Archive, tmp_path: Path,
                                           corpus_records: list[dict]) -> None:
    out = tmp_path / "all.csv"
    export(linked, out)
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 5
    assert rows[0]["body"] == corpus_records[0]["body"]
    assert json.loads(rows[0]["related"]) == RELATED
    assert json.loads(rows[2]["authors"]) == ["Andi Harun", "Dewi Lestari"]
    assert rows[4]["published_at"] == ""  # the undated article, last


def test_parquet_has_real_types(linked: Archive, tmp_path: Path) -> None:
    out = tmp_path / "all.parquet"
    export(linked, out)
    table = pq.read_table(out)
    schema = table.schema
    assert schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("authors").type == pa.list_(pa.string())
    assert schema.field("related").type == pa.list_(pa.struct([
        ("url", pa.string()), ("title", pa.string()), ("block", pa.string()),
        ("position", pa.int64())]))
    first = table.slice(0, 1).to_pylist()[0]
    assert first["published_at"] == dt.datetime(2022, 12, 31, 16, 30, tzinfo=dt.UTC)
    assert first["published_offset"] == "+08:00"
    assert first["related"] == RELATED
    frame = pd.read_parquet(out)
    assert str(frame["published_at"].dtype) == "datetime64[us, UTC]"
    assert list(frame["authors"][1]) == ["Budi Santoso"]
    assert frame["published_at"].isna().tolist() == [False, False, False, False, True]


def test_parquet_is_written_in_row_groups(linked: Archive, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_module, "ROW_GROUP_ROWS", 2)
    out = tmp_path / "groups.parquet"
    export(linked, out)
    assert pq.ParquetFile(out).metadata.num_row_groups == 3
    assert pq.read_table(out).num_rows == 5


@pytest.mark.parametrize("name", ["a.jsonl", "a.jsonl.gz", "a.csv.gz", "a.parquet"])
def test_exports_are_reproducible(linked: Archive, tmp_path: Path, name: str) -> None:
    first, second = tmp_path / "one" / name, tmp_path / "two" / name
    first.parent.mkdir()
    second.parent.mkdir()
    export(linked, first)
    export(linked, second)
    assert first.read_bytes() == second.read_bytes()


def test_gzip_and_format_by_name(linked: Archive, tmp_path: Path) -> None:
    out = tmp_path / "all.ndjson.gz"
    manifest = export(linked, out)
    assert (manifest["format"], manifest["compression"]) == ("jsonl", "gzip")
    assert len(read_jsonl(out)) == 5
    manifest = export(linked, tmp_path / "data.txt", fmt="csv")
    assert manifest["format"] == "csv"


@pytest.mark.parametrize(("name", "options", "message"), [
    ("a.txt", {}, "--format: cannot tell the format from 'a.txt'"),
    ("a.parquet.gz", {}, "--out: Parquet compresses itself; drop the .gz"),
    ("missing/a.jsonl", {}, "--out: the folder .*missing does not exist"),
    ("a.jsonl", {"source": "nope"}, "--source: unknown source 'nope'"),
    ("a.jsonl", {"since": "2023-02-30"}, "--since: '2023-02-30' is not a date"),
    ("a.jsonl", {"query": "x AND", "raw": True}, "--raw: the FTS5 query 'x AND' is not valid"),
    ("a.jsonl", {"sort": "best"}, "--sort: 'best' is not one of"),
])
def test_bad_input_writes_no_file(linked: Archive, tmp_path: Path, name: str, options: dict,
                                  message: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(UsageError, match=message):
        export(linked, out / name, **options)
    assert list(out.rglob("*")) == []


def test_interrupted_export_leaves_no_file(archive: Archive, record, tmp_path: Path) -> None:
    archive.write([record(n) for n in range(300)])
    out = tmp_path / "out"
    out.mkdir()

    def interrupt_once_writing() -> int:
        return 1 if any(out.iterdir()) else 0

    # A statement stopped half way (what sqlite3_interrupt does), once the file is begun.
    archive.connection.set_progress_handler(interrupt_once_writing, 100)
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        export(archive, out / "cut.parquet")
    archive.connection.set_progress_handler(None, 0)
    assert list(out.iterdir()) == []
