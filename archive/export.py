"""Exports: matching articles streamed to JSONL, CSV or Parquet, with a manifest beside.

The shape, so that new formats and options (dataset cards, URL-only lists, partitions) slot in:

    export_rows(archive, filters, sort)   one generator of export rows (EXPORT_FIELDS order)
        -> a Writer per format            JsonlWriter, CsvWriter, ParquetWriter: write(row), close()
        -> export()                       temp file, progress, sha256, atomic rename, manifest

Rows come from a SQLite cursor one at a time and go straight to the file (Parquet buffers one
row group), so memory stays flat whatever the archive's size. Files are reproducible: rows in a
defined order (ties broken by id), no export time inside the data, gzip without a timestamp.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, cast

from archive.errors import UsageError
from archive.query import Filters, _order, count, iter_articles
from archive.version import __version__

if TYPE_CHECKING:
    from archive.store import Archive

FORMATS = ("jsonl", "csv", "parquet")

#: A Parquet row group ends at this many rows or this much title+body text, whichever comes
#: first. Rows wait in Python lists until their group is written, and converting them to
#: Arrow roughly triples their size for a moment: measured on bench/export.py at 100k
#: articles, groups of 5,000 (~15 MB of text) peaked at 290 MB RSS, groups of ~2,000 (6 MB)
#: at 200 MB, of which ~110 MB is Python, pyarrow and SQLite before the first row. Groups of
#: 6 MB still compress well and scan fast (pyarrow's default of 1M rows would hold the whole
#: export in memory).
ROW_GROUP_ROWS = 5_000
ROW_GROUP_TEXT_BYTES = 6_000_000

#: SQLite page cache while exporting (KiB). An export reads every row once, so a cache only
#: adds to memory: the archive's 64 MiB default cost 60 MB of peak RSS on 100k rows.
EXPORT_CACHE_KIB = 4 * 1024

#: gzip level for `.jsonl.gz` / `.csv.gz`: 6 is gzip's own default, within a few percent of
#: level 9's size at about a third of its time on news text.
GZIP_LEVEL = 6

#: Bytes read at a time when hashing the finished file.
HASH_CHUNK = 1 << 20

MANIFEST_SUFFIX = ".manifest.json"


@dataclass(frozen=True)
class ExportField:
    name: str
    kind: str  # string | integer | instant | strings | related | object
    description: str


EXPORT_FIELDS: tuple[ExportField, ...] = (
    ExportField("uid", "string", "stable id: sha256 of the canonical URL, first 16 hex digits"),
    ExportField("url", "string", "canonical URL"),
    ExportField("source", "string", "outlet key"),
    ExportField("title", "string", "headline"),
    ExportField("published_at", "instant", "publication time with the outlet's UTC offset"),
    ExportField("published_offset", "string", "UTC offset of published_at as published, e.g. "
                "+08:00 (WITA); Parquet stores published_at in UTC"),
    ExportField("published_raw", "string", "the date text as shown on the page"),
    ExportField("modified_at", "instant", "last modification time given by the page"),
    ExportField("dateline", "string", "dateline place, e.g. SAMARINDA"),
    ExportField("authors", "strings", "authors / writers"),
    ExportField("editor", "string", "editor (name or code)"),
    ExportField("reporter", "string", "reporter (name or code)"),
    ExportField("signoff", "string", "sign-off as shown, e.g. (*/han)"),
    ExportField("section", "string", "section / rubric"),
    ExportField("tags", "strings", "tags"),
    ExportField("language", "string", "language code"),
    ExportField("word_count", "integer", "words in the body"),
    ExportField("body", "string", "article text; paragraphs separated by a blank line"),
    ExportField("related", "related", "related headlines in page order: url, title, block, "
                "position"),
    ExportField("body_stage", "string", "extraction stage that gave the body"),
    ExportField("date_stage", "string", "extraction stage that gave published_at"),
    ExportField("provenance", "object", "extraction stage of each field"),
    ExportField("fetched_at", "instant", "when the page was fetched"),
    ExportField("fetched_url", "string", "URL actually fetched"),
    ExportField("http_status", "integer", "HTTP status of the fetch"),
    ExportField("content_hash", "string", "sha256 of title and body"),
    ExportField("first_seen_at", "instant", "first stored in the archive (UTC)"),
    ExportField("last_seen_at", "instant", "last seen by a crawl (UTC)"),
    ExportField("changed_at", "instant", "title/body last changed in the archive (UTC)"),
    ExportField("versions", "integer", "earlier versions kept in the archive"),
)
FIELD_NAMES = tuple(f.name for f in EXPORT_FIELDS)

#: How each kind is written, for the manifest.
KIND_TYPES: dict[str, dict[str, str]] = {
    "string": {"jsonl": "string", "csv": "text", "parquet": "string"},
    "integer": {"jsonl": "integer", "csv": "integer", "parquet": "int64"},
    "instant": {"jsonl": "ISO 8601 string with offset", "csv": "ISO 8601 with offset",
                "parquet": "timestamp[us, tz=UTC]"},
    "strings": {"jsonl": "array of strings", "csv": "JSON array", "parquet": "list<string>"},
    "related": {"jsonl": "array of objects", "csv": "JSON array",
                "parquet": "list<struct<url, title, block: string, position: int64>>"},
    "object": {"jsonl": "object", "csv": "JSON object", "parquet": "string (JSON object)"},
}

_OFFSET = re.compile(r"[+-]\d\d:\d\d(?::\d\d)?$")


def export_rows(archive: Archive, filters: Filters, sort: str = "oldest"
                ) -> Iterator[dict[str, Any]]:
    """The one row stream every format writes: dicts with EXPORT_FIELDS keys, in order."""
    for article in iter_articles(archive.connection, filters, sort=sort):
        published = article["published_at"]
        offset = _OFFSET.search(published) if published else None
        article["published_offset"] = offset.group(0) if offset else None
        yield {name: article[name] for name in FIELD_NAMES}


class Writer(Protocol):
    def write(self, row: dict[str, Any]) -> None: ...
    def close(self) -> None: ...


class JsonlWriter:
    """One JSON object per line, UTF-8, keys in field order."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def write(self, row: dict[str, Any]) -> None:
        self._stream.write(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")

    def close(self) -> None:
        self._stream.flush()


class CsvWriter:
    """RFC 4180 CSV with a header; lists and objects as JSON text, missing values empty."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
        self._csv = csv.writer(self._text)
        self._csv.writerow(FIELD_NAMES)
        self._json = {f.name for f in EXPORT_FIELDS if f.kind in ("strings", "related", "object")}

    def write(self, row: dict[str, Any]) -> None:
        self._csv.writerow(
            json.dumps(v, ensure_ascii=False) if k in self._json and v is not None else v
            for k, v in row.items())

    def close(self) -> None:
        self._text.flush()
        self._text.detach()


class ParquetWriter:
    """Parquet with real types, one row group per ROW_GROUP_ROWS rows (zstd)."""

    def __init__(self, stream: IO[bytes], metadata: dict[str, str] | None = None) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._pa = pa
        self.schema = parquet_schema().with_metadata(metadata or {})
        self._writer = pq.ParquetWriter(stream, self.schema, compression="zstd")
        self._columns: dict[str, list[Any]] = {name: [] for name in FIELD_NAMES}
        self._instants = {f.name for f in EXPORT_FIELDS if f.kind == "instant"}
        self._objects = {f.name for f in EXPORT_FIELDS if f.kind == "object"}
        self._rows = 0
        self._text_bytes = 0

    def write(self, row: dict[str, Any]) -> None:
        for name, value in row.items():
            if value is not None and name in self._instants:
                value = dt.datetime.fromisoformat(value)
            elif value is not None and name in self._objects:
                value = json.dumps(value, ensure_ascii=False, sort_keys=True)
            self._columns[name].append(value)
        self._rows += 1
        self._text_bytes += len(row["body"]) + len(row["title"])
        if self._rows >= ROW_GROUP_ROWS or self._text_bytes >= ROW_GROUP_TEXT_BYTES:
            self._flush()

    def _flush(self) -> None:
        if not self._rows:
            return
        arrays = []
        for field in self.schema:
            arrays.append(self._pa.array(self._columns[field.name], type=field.type))
            self._columns[field.name] = []  # free each column's Python objects as we go
        self._writer.write_table(self._pa.Table.from_arrays(arrays, schema=self.schema))
        self._rows = self._text_bytes = 0

    def close(self) -> None:
        self._flush()
        self._writer.close()


def parquet_schema() -> Any:
    """The Arrow schema of Parquet exports (pyarrow imported only when needed)."""
    import pyarrow as pa

    related = pa.struct([("url", pa.string()), ("title", pa.string()), ("block", pa.string()),
                         ("position", pa.int64())])
    types = {"string": pa.string(), "integer": pa.int64(),
             "instant": pa.timestamp("us", tz="UTC"), "strings": pa.list_(pa.string()),
             "related": pa.list_(related), "object": pa.string()}
    return pa.schema([pa.field(f.name, types[f.kind]) for f in EXPORT_FIELDS])


def infer_format(out: Path) -> str:
    """The format named by a file's extension (`.jsonl`, `.csv`, `.parquet`, with `.gz`)."""
    suffixes = [s.lower() for s in out.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    ext = suffixes[-1].lstrip(".") if suffixes else ""
    aliases = {"jsonl": "jsonl", "ndjson": "jsonl", "json": "jsonl", "csv": "csv",
               "parquet": "parquet", "pq": "parquet"}
    if ext not in aliases:
        raise UsageError(f"--format: cannot tell the format from {out.name!r}; give --format "
                         f"{'|'.join(FORMATS)} or end the file name in .jsonl, .csv or .parquet")
    return aliases[ext]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _open_writer(fmt: str, stream: IO[bytes], metadata: dict[str, str]) -> Writer:
    if fmt == "jsonl":
        return JsonlWriter(stream)
    if fmt == "csv":
        return CsvWriter(stream)
    return ParquetWriter(stream, metadata)


def export(archive: Archive, out: str | os.PathLike[str], *, fmt: str | None = None,
           query: str | None = None, raw: bool = False, sort: str = "oldest",
           progress: bool = False, **filters: Any) -> dict[str, Any]:
    """Write the articles matching `query` and `filters` (as for `Archive.search`) to `out`
    and `out.manifest.json`; return the manifest.

    The format comes from `fmt` or the file name; a `.gz` name compresses JSONL and CSV.
    The file appears only when complete (written beside it, then renamed), so an
    interrupted export never leaves a truncated file under the requested name.
    """
    out = Path(out).expanduser()
    fmt = fmt or infer_format(out)
    if fmt not in FORMATS:
        raise UsageError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    compressed = out.name.lower().endswith(".gz")
    if compressed and fmt == "parquet":
        raise UsageError("--out: Parquet compresses itself; drop the .gz from the file name")
    if out.is_dir():
        raise UsageError(f"--out: {out} is a folder; give a file name such as {out / 'export'}"
                         f".{fmt}")
    if not out.parent.is_dir():
        raise UsageError(f"--out: the folder {out.parent} does not exist; create it first")
    built = Filters.build(archive.connection, query=query, raw=raw, **filters)
    _order(sort, ranked=built.match is not None)  # check --sort before creating any file
    total = count(archive.connection, built)

    conn = archive.connection
    cache_kib = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{EXPORT_CACHE_KIB}")
    try:
        rows, per_source, first, last, undated = _write_file(
            archive, built, sort, fmt, out, compressed, total, progress)
    finally:
        conn.execute(f"PRAGMA cache_size = {cache_kib}")
    manifest = {
        "file": out.name,
        "format": fmt,
        "compression": "gzip" if compressed else None,
        "rows": rows,
        "bytes": out.stat().st_size,
        "sha256": _sha256(out),
        "sort": sort,
        "filters": built.describe(),
        "date_range": {"first": first, "last": last, "undated_rows": undated},
        "counts_per_source": dict(sorted(per_source.items())),
        "fields": [{"name": f.name, "type": KIND_TYPES[f.kind][fmt], "description":
                    f.description} for f in EXPORT_FIELDS],
        "warta_version": __version__,
        "archive": {"file": archive.path.name, "schema_version": archive.schema_version},
    }
    manifest_path = manifest_path_for(out)
    part = manifest_path.with_name(f".{manifest_path.name}.part-{os.getpid()}")
    part.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(part, manifest_path)
    return manifest


def _write_file(archive: Archive, built: Filters, sort: str, fmt: str, out: Path,
                compressed: bool, total: int, progress: bool
                ) -> tuple[int, Counter[str], str | None, str | None, int]:
    """Stream the rows into a part file, then rename it to `out`. Returns the row count,
    rows per source, the first and last publication time, and the undated rows."""
    tmp = out.with_name(f".{out.name}.part-{os.getpid()}")
    per_source: Counter[str] = Counter()
    first: tuple[str, str] | None = None
    last: tuple[str, str] | None = None
    undated = rows = 0
    metadata = {"warta_version": __version__, "filters": json.dumps(built.describe())}
    try:
        with tmp.open("wb") as raw_file:
            stream: IO[bytes] = raw_file
            if compressed:
                stream = cast(IO[bytes], gzip.GzipFile(
                    filename="", mode="wb", fileobj=raw_file, compresslevel=GZIP_LEVEL, mtime=0))
            writer = _open_writer(fmt, stream, metadata)
            try:
                with _progress(total, progress) as tick:
                    for row in export_rows(archive, built, sort):
                        writer.write(row)
                        rows += 1
                        per_source[row["source"]] += 1
                        if row["published_at"] is None:
                            undated += 1
                        else:
                            key = (_utc(row["published_at"]), row["published_at"])
                            first = key if first is None or key < first else first
                            last = key if last is None or key > last else last
                        tick()
            except BaseException:
                # Close while the file is still open (pyarrow would try again later, on a
                # closed file); the part file is deleted below anyway.
                with contextlib.suppress(Exception):
                    writer.close()
                raise
            writer.close()
            if stream is not raw_file:
                stream.close()
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return (rows, per_source, first[1] if first else None, last[1] if last else None,
            undated)


def _utc(instant: str) -> str:
    return dt.datetime.fromisoformat(instant).astimezone(dt.UTC).isoformat()


def manifest_path_for(out: Path) -> Path:
    return out.with_name(out.name + MANIFEST_SUFFIX)


class _progress:
    """A tqdm bar on stderr when `enabled` (the CLI enables it on a terminal only)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self._bar: Any = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit=" rows", unit_scale=True, leave=False)

    def __enter__(self) -> Callable[[], None]:
        bar = self._bar
        return (lambda: bar.update(1)) if bar is not None else (lambda: None)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()
