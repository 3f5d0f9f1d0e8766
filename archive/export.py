"""Exports: matching articles streamed to JSONL, CSV or Parquet, with a manifest beside.

The shape, so that new formats and options slot in:

    export_rows(archive, filters, sort)   the row stream of full exports (EXPORT_FIELDS order)
    url_rows(archive, filters, sort)      the row stream of `urls_only` exports (URL_FIELDS)
        -> a Writer per format            JsonlWriter, CsvWriter, ParquetWriter: write(row), close()
        -> export()                       temp file, progress, sha256, atomic rename, manifest,
                                          Parquet partitions, the dataset card (archive.card)

Rows come from a SQLite cursor one at a time and go straight to the file (Parquet buffers one
row group), so memory stays flat whatever the archive's size. An export reads one snapshot of
the archive (a crawl writing meanwhile changes nothing in it), so the file, the manifest and
the card agree. Files are reproducible: rows in a defined order (ties broken by id), no
export time inside the data or the manifest, gzip without a timestamp or a file name, Parquet
with only the writer's version in its metadata.

Options:

- `urls_only`: uid, url, source, published_at, published_precision, title only, read without
  the body (for sharing where the text may not be shared; `warta rehydrate` rebuilds the
  articles from it).
- `partition` (Parquet): a folder of hive-style partitions by outlet and year of the local
  publication date, `source=KEY/year=YYYY/part-0.parquet`. Undated articles are under
  `year=0` (UNDATED_YEAR): hive's null value `__HIVE_DEFAULT_PARTITION__` is read as null by
  pyarrow and DuckDB, but pandas refuses the whole folder ("Cannot yet unify dictionaries
  with nulls"), and a missing `year=` level breaks DuckDB. As in hive and pyarrow's own
  datasets, `source` and `year` live in the path, not in the files. Each partition is read
  by its own query, so one writer is open at a time.
- `card`: a Markdown dataset card beside the data (`archive.card`).
- `include_incomplete`: also export the articles whose body could not be read whole
  (`body_status` `short` or `missing`, issue 12; `incomplete`, a multi-page article with a
  part missing, issue 13). Left out by default, so a dataset holds only articles with their
  whole text; the manifest (`body_status`) and the card say how many matching
  articles were left out.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import errno
import gzip
import hashlib
import io
import json
import os
import re
import secrets
import shlex
import shutil
import sqlite3
import stat
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import quote

from archive.counts import query_rows, selection
from archive.errors import UsageError, WartaError
from archive.query import Filters, count, iter_articles, order_by
from archive.records import BODY_STATUSES
from archive.version import __version__

if TYPE_CHECKING:
    from archive.store import Archive

FORMATS = ("jsonl", "csv", "parquet")
#: `--out -`: the rows go to standard output (JSON lines unless --format says otherwise),
#: with no manifest or card beside them.
STDOUT = "-"
#: Files SQLite keeps beside an archive: an export never writes over them either.
ARCHIVE_SIDECARS = ("", "-wal", "-shm", "-journal")

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
CARD_SUFFIX = ".card.md"

#: The `year=` partition of undated articles (no news article is from year 0; see the module
#: docstring for why not hive's null value).
UNDATED_YEAR = 0
#: The one file of each partition (pyarrow's `write_dataset` names them the same way).
PARTITION_FILE = "part-0.parquet"


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
    ExportField("published_precision", "string", "what published_at is worth: time (the page "
                "gave a time of day), day (only the date; the time is a midnight placeholder), "
                "relative (from e.g. '2 jam lalu' and the fetch time, approximate); empty when "
                "not known (no date, or archived before warta recorded it)"),
    ExportField("modified_at", "instant", "last modification time given by the page"),
    ExportField("dateline", "string", "dateline place, e.g. SAMARINDA"),
    ExportField("authors", "strings", "authors / writers"),
    ExportField("editor", "string", "editor (name or code)"),
    ExportField("reporter", "string", "reporter (name or code)"),
    ExportField("signoff", "string", "sign-off code as printed, without its brackets, e.g. "
                "*/han (*/: material from other sources or a press release), adv/rz or Adv "
                "(advertorial); rows archived before warta kept it may lack the */ (han)"),
    ExportField("signoff_raw", "string", "the sign-off as shown, e.g. (*/han) or (Adv)."),
    ExportField("signoff_codes", "strings", "editors' codes in the sign-off, e.g. han from "
                "*/han, rz from adv/rz; none from Adv"),
    ExportField("section", "string", "section / rubric"),
    ExportField("tags", "strings", "tags"),
    ExportField("language", "string", "language code"),
    ExportField("word_count", "integer", "words in the body"),
    ExportField("body", "string", "article text; paragraphs separated by a blank line"),
    ExportField("body_status", "string", "how whole the body is: ok; short (under the "
                "crawler's bound of 30 words); missing (the page's body could not be read: "
                "empty body); incomplete (a multi-page article with a part that could not "
                "be read: the parts read, in order). Exports keep ok bodies unless "
                "--include-incomplete is given"),
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
    ExportField("cluster_id", "integer", "the cluster of near-duplicates across outlets the "
                "article is in (the same story run by several outlets: `warta clusters`); "
                "empty when no other archived article runs it"),
    ExportField("is_original", "integer", "1 when the article copies no earlier archived "
                "article (alone, or the earliest publication of its cluster), 0 for a copy"),
    ExportField("press_release", "integer", "1 when its cluster is a likely press release "
                "(3 outlets within 3 days, a */ or adv sign-off, press-release wording)"),
    ExportField("region", "string", "the regency or city the article is about (dateline, then "
                "places in title and body; East Kalimantan first)"),
    ExportField("province", "string", "the province of region, or the province named alone"),
)
#: Fields read beside the article row (issue 17: archive/clusters.py, archive/regions.py).
_CLUSTER_SQL = (
    "SELECT ac.cluster_id, ac.is_original, c.press_release FROM article_clusters ac "
    "JOIN clusters c ON c.id = ac.cluster_id WHERE ac.article_id = ?")
_REGION_SQL = "SELECT region, province FROM article_regions WHERE article_id = ?"
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

#: What `urls_only` exports keep: enough to cite an article (with what its date is worth)
#: and to fetch it again.
URL_FIELD_NAMES = ("uid", "url", "source", "published_at", "published_precision", "title")
_BY_NAME = {f.name: f for f in EXPORT_FIELDS}
URL_FIELDS: tuple[ExportField, ...] = tuple(_BY_NAME[name] for name in URL_FIELD_NAMES)

_OFFSET = re.compile(r"[+-]\d\d:\d\d(?::\d\d)?$")


def export_rows(archive: Archive, filters: Filters, sort: str = "oldest"
                ) -> Iterator[dict[str, Any]]:
    """The one row stream every format writes: dicts with EXPORT_FIELDS keys, in order."""
    conn = archive.connection
    for article in iter_articles(conn, filters, sort=sort):
        cluster = conn.execute(_CLUSTER_SQL, (article["id"],)).fetchone()
        article["cluster_id"], article["is_original"], article["press_release"] = (
            cluster if cluster else (None, 1, 0))
        region = conn.execute(_REGION_SQL, (article["id"],)).fetchone()
        article["region"], article["province"] = region if region else (None, None)
        published = article["published_at"]
        offset = _OFFSET.search(published) if published else None
        article["published_offset"] = offset.group(0) if offset else None
        yield {name: article[name] for name in FIELD_NAMES}


def url_rows(archive: Archive, filters: Filters, sort: str = "oldest"
             ) -> Iterator[dict[str, Any]]:
    """The rows of a `urls_only` export (URL_FIELDS keys), in the same order as a full export
    with the same `sort`; streamed from sqlite-utils without reading any body."""
    order = order_by(sort, ranked=filters.match is not None)
    if filters.empty:
        return iter(())
    from_where, params = selection(filters)
    rank = ", articles_fts.rank AS rank" if filters.match is not None else ""
    columns = ", ".join(f"a.{name}" for name in URL_FIELD_NAMES)
    rows = query_rows(archive.connection, filters,
                      f"SELECT {columns}{rank} {from_where} ORDER BY {order}", params)
    if not rank:
        return rows
    return ({name: row[name] for name in URL_FIELD_NAMES} for row in rows)


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

    def __init__(self, stream: IO[bytes], fields: Sequence[ExportField] = EXPORT_FIELDS
                 ) -> None:
        self._text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
        self._csv = csv.writer(self._text)
        self._csv.writerow([f.name for f in fields])
        self._json = {f.name for f in fields if f.kind in ("strings", "related", "object")}

    def write(self, row: dict[str, Any]) -> None:
        self._csv.writerow(
            json.dumps(v, ensure_ascii=False) if k in self._json and v is not None else v
            for k, v in row.items())

    def close(self) -> None:
        self._text.flush()
        self._text.detach()


class ParquetWriter:
    """Parquet with real types, one row group per ROW_GROUP_ROWS rows (zstd)."""

    def __init__(self, stream: IO[bytes], metadata: dict[str, str] | None = None,
                 fields: Sequence[ExportField] = EXPORT_FIELDS) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._pa = pa
        self.schema = parquet_schema(fields).with_metadata(metadata or {})
        self._writer = pq.ParquetWriter(stream, self.schema, compression="zstd")
        self._columns: dict[str, list[Any]] = {f.name: [] for f in fields}
        self._instants = {f.name for f in fields if f.kind == "instant"}
        self._objects = {f.name for f in fields if f.kind == "object"}
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
        self._text_bytes += len(row.get("body") or "") + len(row["title"])
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


def parquet_schema(fields: Sequence[ExportField] = EXPORT_FIELDS) -> Any:
    """The Arrow schema of Parquet exports (pyarrow imported only when needed)."""
    import pyarrow as pa

    related = pa.struct([("url", pa.string()), ("title", pa.string()), ("block", pa.string()),
                         ("position", pa.int64())])
    types = {"string": pa.string(), "integer": pa.int64(),
             "instant": pa.timestamp("us", tz="UTC"), "strings": pa.list_(pa.string()),
             "related": pa.list_(related), "object": pa.string()}
    return pa.schema([pa.field(f.name, types[f.kind]) for f in fields])


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


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()



def _open_writer(fmt: str, stream: IO[bytes], metadata: dict[str, str],
                 fields: Sequence[ExportField]) -> Writer:
    if fmt == "jsonl":
        return JsonlWriter(stream)
    if fmt == "csv":
        return CsvWriter(stream, fields)
    return ParquetWriter(stream, metadata, fields)


@contextlib.contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """One read transaction around the block (unless one is open): every query in it sees the
    archive as it was at its first read, whatever a crawl writes meanwhile (WAL)."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


@dataclass
class _Tally:
    """What the rows written held: per outlet, first and last publication instant, undated."""

    rows: int = 0
    per_source: Counter[str] = dataclasses.field(default_factory=Counter)
    first: tuple[str, str] | None = None
    last: tuple[str, str] | None = None
    undated: int = 0

    def add(self, source: str, published: str | None) -> None:
        self.rows += 1
        self.per_source[source] += 1
        if published is None:
            self.undated += 1
            return
        key = (_utc(published), published)
        if self.first is None or key < self.first:
            self.first = key
        if self.last is None or key > self.last:
            self.last = key


def export(archive: Archive, out: str | os.PathLike[str], *, fmt: str | None = None,
           query: str | None = None, raw: bool = False, sort: str = "oldest",
           progress: bool = False, urls_only: bool = False, partition: bool = False,
           card: bool = False, force: bool = False, include_incomplete: bool = False,
           **filters: Any) -> dict[str, Any]:
    """Write the articles matching `query` and `filters` (as for `Archive.search`) to `out`
    and `out.manifest.json`; return the manifest.

    The format comes from `fmt` or the file name; a `.gz` name compresses JSONL and CSV.
    `urls_only` keeps URL_FIELDS; `partition` writes a folder of Parquet partitions by outlet
    and year; `card` writes `out.card.md` too; `include_incomplete` keeps the articles whose
    body is `short` or `missing` (see the module docstring). The data appears
    only when complete (written beside it, then renamed), so an interrupted export never
    leaves a truncated file under the requested name.

    `out` is refused when it is the archive (or its -wal, -shm, -journal), a symbolic link,
    or anything but a regular file (a FIFO, a device); an existing file is replaced only
    with `force`. `-` writes the data to standard output (JSON lines unless `fmt` says
    otherwise) and no manifest or card. A `fmt` that contradicts the file name is refused.
    """
    if filters.get("body_status") is None:
        filters["body_status"] = None if include_incomplete else ("ok",)
    if os.fspath(out) == STDOUT:
        return _export_to_stdout(archive, fmt=fmt, query=query, raw=raw, sort=sort,
                                 urls_only=urls_only, partition=partition, card=card,
                                 **filters)
    out = Path(out).expanduser()
    if not partition:  # before anything else: what is at `out` decides whether to go on
        check_destination(out, archive.path, force=force)
    if fmt is not None and not partition:
        named = _name_format(out)
        if named is not None and named != fmt:
            raise UsageError(f"--format {fmt} does not match the file name {out.name} "
                             f"({named}); drop --format to write {named}, or name the file "
                             f".{fmt}")
    if partition:
        fmt = fmt or _name_format(out) or "parquet"
        if fmt != "parquet":
            raise UsageError(f"--partition: only Parquet is partitioned, not {fmt}; drop "
                             "--format or give --format parquet")
    fmt = fmt or infer_format(out)
    if fmt not in FORMATS:
        raise UsageError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    compressed = out.name.lower().endswith(".gz")
    if compressed and fmt == "parquet":
        raise UsageError("--out: Parquet compresses itself; drop the .gz from the file name")
    if partition:
        _refuse_link(out)
        _check_partition_folder(out)
    elif out.is_dir() and not out.is_symlink():
        raise UsageError(f"--out: {out} is a folder; give a file name such as {out / 'export'}"
                         f".{fmt}")
    if not out.parent.is_dir():
        if out.parent.exists():
            raise UsageError(f"--out: {out.parent} is not a folder; give a path in a folder")
        raise UsageError(f"--out: the folder {out.parent} does not exist; create it first")
    for beside in (manifest_path_for(out), *([card_path_for(out)] if card else [])):
        check_destination(beside, archive.path, force=True)
    conn = archive.connection
    built = Filters.build(conn, query=query, raw=raw, **filters)
    order_by(sort, ranked=built.match is not None)  # check --sort before creating any file
    fields = URL_FIELDS if urls_only else EXPORT_FIELDS

    cache_kib = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{EXPORT_CACHE_KIB}")
    card_text = None
    try:
        with snapshot(conn):
            total = count(conn, built)
            if partition:
                with _writing(out):
                    tally, files = _write_partitions(archive, built, sort, out, fields,
                                                     urls_only, total, progress)
            else:
                tally = _write_file(archive, built, sort, fmt, out, compressed, fields,
                                    urls_only, total, progress)
                files = [{"path": out.name, "rows": tally.rows, "bytes": out.stat().st_size,
                          "sha256": sha256_file(out)}]
            manifest = _manifest(archive, out, fmt, compressed, sort, built, fields, tally,
                                 files, urls_only, partition, card,
                                 _body_statuses(conn, built, query, raw, filters))
            if card:
                from archive.card import card_markdown

                card_text = card_markdown(archive, built, manifest)
    finally:
        conn.execute(f"PRAGMA cache_size = {cache_kib}")
    if card_text is not None:
        _write_text(card_path_for(out), card_text)
    _write_text(manifest_path_for(out), json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def _sidecars(path: Path) -> list[Path]:
    """The archive file and the files SQLite keeps beside it, as absolute paths."""
    real = path.resolve()
    return [real.with_name(real.name + suffix) for suffix in ARCHIVE_SIDECARS]


def _refuse_link(out: Path) -> None:
    if out.is_symlink():
        raise UsageError(f"--out: {out} is a symbolic link; warta does not write through "
                         f"links: give the path it points to ({os.readlink(out)}) or another "
                         "name")


def check_destination(out: Path, archive_path: Path, *, force: bool) -> None:
    """Refuse to write `out` when it is the archive or one of its SQLite files, a symbolic
    link, or anything but a regular file or nothing; an existing file only with `force`."""
    _refuse_link(out)
    try:
        info = out.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise WartaError(f"--out: cannot use {out}: {exc.strerror or exc}") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        kind = ("a folder" if stat.S_ISDIR(info.st_mode) else "a FIFO (named pipe)"
                if stat.S_ISFIFO(info.st_mode) else "a device" if stat.S_ISCHR(info.st_mode)
                or stat.S_ISBLK(info.st_mode) else "a socket" if stat.S_ISSOCK(info.st_mode)
                else "not a regular file")
        raise UsageError(f"--out: {out} is {kind}; warta writes only regular files: give a "
                         "file name (or - for standard output)")
    if str(archive_path) != ":memory:":
        target = out.parent.resolve() / out.name
        archive_file, *others = _sidecars(archive_path)
        for sidecar in (archive_file, *others):
            if target == sidecar or (info is not None and sidecar.exists()
                                     and os.path.samefile(out, sidecar)):
                what = ("the archive being exported (--db)" if sidecar == archive_file else
                        f"a file SQLite keeps beside the archive {archive_path}")
                raise UsageError(f"--out: {out} is {what}; give another file name")
    if info is not None and not force:
        raise UsageError(f"--out: {out} already exists; give --force to replace it, or "
                         "another file name")


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """An OSError while writing `path` (a read-only folder, a full disk) as one line."""
    try:
        yield
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise
        raise WartaError(f"cannot write {path}: {exc.strerror or exc}") from None


def _create_part(path: Path) -> tuple[Path, IO[bytes]]:
    """A new hidden file beside `path` to write it in, then rename: created exclusively
    (never an existing file, never through a link), with the mode a new file gets."""
    while True:
        part = path.with_name(f".{path.name}.part-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                         | getattr(os, "O_CLOEXEC", 0), 0o666)
        except FileExistsError:
            continue
        return part, os.fdopen(fd, "wb")


def _finish_part(part: Path, handle: IO[bytes], path: Path) -> None:
    """Flush `handle` to disk and rename `part` over `path` (atomic within a folder)."""
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(part, path)


class _CountingStream(io.RawIOBase):
    """Bytes written to standard output, counted and hashed for the summary line."""

    def __init__(self, target: IO[bytes]) -> None:
        self._target = target
        self.bytes = 0
        self.sha256 = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._target.write(view)
        self.sha256.update(view)
        self.bytes += len(view)
        return len(view)

    def tell(self) -> int:
        return self.bytes

    def flush(self) -> None:
        self._target.flush()


def _export_to_stdout(archive: Archive, *, fmt: str | None, query: str | None, raw: bool,
                      sort: str, urls_only: bool, partition: bool, card: bool,
                      **filters: Any) -> dict[str, Any]:
    """`--out -`: the rows to standard output; return a manifest that is not written."""
    if partition:
        raise UsageError("--partition writes a folder of files; give a folder name, not -")
    if card:
        raise UsageError("--card writes a file beside the data; give a file name, not -")
    fmt = fmt or "jsonl"
    conn = archive.connection
    built = Filters.build(conn, query=query, raw=raw, **filters)
    order_by(sort, ranked=built.match is not None)
    fields = URL_FIELDS if urls_only else EXPORT_FIELDS
    metadata = {"warta_version": __version__, "filters": json.dumps(built.describe())}
    sys.stdout.flush()
    stream = _CountingStream(sys.stdout.buffer)
    tally = _Tally()
    with snapshot(conn):
        writer = _open_writer(fmt, cast(IO[bytes], stream), metadata, fields)
        _pump(_rows(archive, built, sort, urls_only), writer, tally, lambda: None)
        statuses = _body_statuses(conn, built, query, raw, filters)
    stream.flush()
    files = [{"path": STDOUT, "rows": tally.rows, "bytes": stream.bytes,
              "sha256": stream.sha256.hexdigest()}]
    return _manifest(archive, Path(STDOUT), fmt, False, sort, built, fields, tally, files,
                     urls_only, False, False, statuses)


def _body_statuses(conn: sqlite3.Connection, built: Filters, query: str | None, raw: bool,
                   filters: dict[str, Any]) -> dict[str, Any]:
    """The manifest's `body_status`: the statuses exported (`included`), how many articles
    matching the other filters have a `short`, `missing` or `incomplete` body (`incomplete`),
    and how many of them the export left out (`left_out`)."""
    included = [v for v in BODY_STATUSES if not built.body_status or v in built.body_status]
    everything = built if len(included) == len(BODY_STATUSES) else Filters.build(
        conn, query=query, raw=raw, **{**filters, "body_status": None})
    incomplete = dict.fromkeys(("short", "missing", "incomplete"), 0)
    if not everything.empty:
        from_where, params = selection(everything)
        for row in query_rows(conn, everything, (
                f"SELECT a.body_status AS status, count(*) AS n {from_where} AND a.id IN "
                "(SELECT id FROM articles WHERE body_status <> 'ok') GROUP BY 1"), params):
            incomplete[row["status"]] = row["n"]
    return {"included": included, "incomplete": incomplete,
            "left_out": sum(n for k, n in incomplete.items() if k not in included)}


def _manifest(archive: Archive, out: Path, fmt: str, compressed: bool, sort: str,
              built: Filters, fields: Sequence[ExportField], tally: _Tally,
              files: list[dict[str, Any]], urls_only: bool, partition: bool,
              card: bool, body_status: dict[str, Any]) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "file": out.name,
        "format": fmt,
        "compression": "gzip" if compressed else None,
        "rows": tally.rows,
    }
    if partition:
        manifest["partitioning"] = {"style": "hive", "keys": ["source", "year"],
                                    "undated_year": UNDATED_YEAR, "file": PARTITION_FILE}
        manifest["bytes"] = sum(f["bytes"] for f in files)
        manifest["files"] = files
    else:
        manifest["bytes"] = files[0]["bytes"]
        manifest["sha256"] = files[0]["sha256"]
    manifest.update({
        "urls_only": urls_only,
        "sort": sort,
        "filters": built.describe(),
        "body_status": body_status,
        "command": command_line(out, fmt, sort, built, urls_only=urls_only,
                                partition=partition, card=card, db=archive.path.name),
        "date_range": {"first": tally.first[1] if tally.first else None,
                       "last": tally.last[1] if tally.last else None,
                       "undated_rows": tally.undated},
        "counts_per_source": dict(sorted(tally.per_source.items())),
        "fields": [{"name": f.name, "type": KIND_TYPES[f.kind][fmt], "description":
                    f.description} for f in fields if not (partition and f.name == "source")],
        "warta_version": __version__,
        "archive": {"file": archive.path.name, "schema_version": archive.schema_version},
    })
    if partition:
        manifest["fields"] += [
            {"name": "source", "type": "partition key (string, in the path)",
             "description": "outlet key"},
            {"name": "year", "type": "partition key (integer, in the path)",
             "description": "year of the local publication date; "
                            f"{UNDATED_YEAR} for undated articles"}]
    if card:
        manifest["card"] = card_path_for(out).name
    return manifest


def command_line(out: Path, fmt: str, sort: str, built: Filters, *, urls_only: bool,
                 partition: bool, card: bool, db: str) -> str:
    """The `warta export` command that makes this export again, options in a fixed order."""
    described = built.describe()
    args = ["warta", "export", "--out", out.name]
    if fmt != _name_format(out):
        args += ["--format", fmt]
    if described["query"] is not None:
        args += ["--query", described["query"]]
    if built.raw:
        args.append("--raw")
    if built.exact:
        args.append("--exact")
    if described["source"]:
        args += ["--source", ",".join(described["source"])]
    for name in ("since", "until", "region", "author", "section", "language"):
        if described[name] is not None:
            args += [f"--{name}", str(described[name])]
    for name in ("body_stage", "date_stage", "date_precision"):
        if described[name]:
            args += [f"--{name.replace('_', '-')}", ",".join(described[name])]
    if sort != "oldest":
        args += ["--sort", sort]
    if not built.body_status or set(built.body_status) == set(BODY_STATUSES):
        args.append("--include-incomplete")
    args += [flag for flag, on in (("--urls-only", urls_only), ("--partition", partition),
                                   ("--card", card)) if on]
    args += ["--db", db]
    return shlex.join(args)


def _name_format(out: Path) -> str | None:
    try:
        return infer_format(out)
    except UsageError:
        return None


def _rows(archive: Archive, built: Filters, sort: str, urls_only: bool
          ) -> Iterator[dict[str, Any]]:
    return (url_rows if urls_only else export_rows)(archive, built, sort)


def _write_file(archive: Archive, built: Filters, sort: str, fmt: str, out: Path,
                compressed: bool, fields: Sequence[ExportField], urls_only: bool, total: int,
                progress: bool) -> _Tally:
    """Stream the rows into a part file, then rename it to `out`."""
    tally = _Tally()
    metadata = {"warta_version": __version__, "filters": json.dumps(built.describe())}
    with _writing(out):
        tmp, raw_file = _create_part(out)
        try:
            with raw_file:
                stream: IO[bytes] = raw_file
                if compressed:
                    stream = cast(IO[bytes], gzip.GzipFile(
                        filename="", mode="wb", fileobj=raw_file, compresslevel=GZIP_LEVEL,
                        mtime=0))
                writer = _open_writer(fmt, stream, metadata, fields)
                with _progress(total, progress) as tick:
                    _pump(_rows(archive, built, sort, urls_only), writer, tally, tick)
                if stream is not raw_file:
                    stream.close()
                _finish_part(tmp, raw_file, out)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return tally


def _pump(rows: Iterator[dict[str, Any]], writer: Writer, tally: _Tally,
          tick: Callable[[], None], *, drop_source: bool = False) -> None:
    """Write every row, counting it; close the writer (also on an error, so that pyarrow does
    not try to close it again later, on a closed file) and the rows' cursor (also on an
    error, such as a reader of standard output gone away, so that it is not closed later by
    the garbage collector, after the archive)."""
    try:
        for row in rows:
            tally.add(row["source"], row["published_at"])
            if drop_source:
                del row["source"]
            writer.write(row)
            tick()
    except BaseException:
        with contextlib.suppress(Exception):
            writer.close()
        raise
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    writer.close()


def _check_partition_folder(out: Path) -> None:
    """A partitioned export replaces an earlier one at `out`, never anything else."""
    if out.is_file() or (out.exists() and not out.is_dir()):
        raise UsageError(f"--out: {out} is a file; --partition writes a folder, give a new name")
    if out.is_dir():
        foreign = [p.name for p in out.iterdir() if not p.name.startswith("source=")]
        if foreign:
            raise UsageError(f"--out: the folder {out} holds other files ({foreign[0]}, ...); "
                             "--partition replaces only an earlier partitioned export, so "
                             "give a new folder name")


def _narrowed(built: Filters, source: str, year: str | None) -> Filters:
    """`built` restricted to one outlet and one year of local publication dates."""
    clauses = [*built.clauses, "a.source = ?"]
    params = [*built.params, source]
    if year is None:
        clauses.append("a.published_date IS NULL")
    else:
        clauses.append("a.published_date >= ? AND a.published_date < ?")
        params += [f"{year}-01-01", f"{int(year) + 1:04d}-01-01"]
    return dataclasses.replace(built, clauses=clauses, params=params)


def _partitions(archive: Archive, built: Filters) -> list[tuple[str, str | None, int]]:
    """(source, year or None, rows) of every non-empty partition, by outlet and year (the
    undated first, as their year 0 sorts)."""
    if built.empty:
        return []
    from_where, params = selection(built)
    found = [(row["source"], row["year"], row["n"]) for row in query_rows(
        archive.connection, built, "SELECT a.source AS source, substr(a.published_date, 1, 4) "
        f"AS year, count(*) AS n {from_where} GROUP BY 1, 2", params)]
    return sorted(found, key=lambda p: (p[0], int(p[1] or UNDATED_YEAR)))


def _write_partitions(archive: Archive, built: Filters, sort: str, out: Path,
                      fields: Sequence[ExportField], urls_only: bool, total: int,
                      progress: bool) -> tuple[_Tally, list[dict[str, Any]]]:
    """Write one Parquet file per (outlet, year) into a part folder, then swap it in."""
    tmp = out.with_name(f".{out.name}.part-{os.getpid()}")
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tally = _Tally()
    files: list[dict[str, Any]] = []
    data_fields = [f for f in fields if f.name != "source"]
    metadata = {"warta_version": __version__, "filters": json.dumps(built.describe())}
    try:
        tmp.mkdir()
        with _progress(total, progress) as tick:
            for source, year, _ in _partitions(archive, built):
                relative = Path(f"source={quote(source, safe='')}",
                                f"year={int(year) if year else UNDATED_YEAR}", PARTITION_FILE)
                path = tmp / relative
                path.parent.mkdir(parents=True)
                before = tally.rows
                with path.open("wb") as handle:
                    writer = ParquetWriter(handle, metadata, data_fields)
                    _pump(_rows(archive, _narrowed(built, source, year), sort, urls_only),
                          writer, tally, tick, drop_source=True)
                files.append({"path": relative.as_posix(), "source": source,
                              "year": int(year) if year else UNDATED_YEAR,
                              "rows": tally.rows - before,
                              "bytes": path.stat().st_size, "sha256": sha256_file(path)})
        if out.exists():
            out.rename(old)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not out.exists():
            old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return tally, files


def _write_text(path: Path, text: str) -> None:
    with _writing(path):
        part, handle = _create_part(path)
        try:
            with handle:
                handle.write(text.encode("utf-8"))
                _finish_part(part, handle, path)
        except BaseException:
            part.unlink(missing_ok=True)
            raise


def _utc(instant: str) -> str:
    return dt.datetime.fromisoformat(instant).astimezone(dt.UTC).isoformat()


def manifest_path_for(out: Path) -> Path:
    return out.with_name(out.name + MANIFEST_SUFFIX)


def card_path_for(out: Path) -> Path:
    return out.with_name(out.name + CARD_SUFFIX)


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
