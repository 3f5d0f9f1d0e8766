"""Where an archive keeps its WARC captures, and what it knows of them (`captures`, migration 9).

The crawler writes every article page it fetches into WARC files (`crawler/capture/`) in a
folder beside the archive: `kaltim.db` -> `kaltim.warc/`. The archive records, for each article
version, the file (relative to that folder, so the two can be moved together) and the offset
and length of the response record it was read from. A record is whole in its file before a row
points at it: `check_records` flushes the files to disk (fsync) and checks their size in the
same call that writes the rows (`Archive.write`), so a crawl killed at any moment leaves no row
pointing at a partial record.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.errors import WartaError
from archive.instants import DateBound, to_utc
from archive.records import ARTICLE_COLUMNS, prepare

#: The suffix of an archive's capture folder, in place of the archive file's own suffix.
CAPTURE_SUFFIX = ".warc"


def capture_dir(db_path: str | os.PathLike[str]) -> Path:
    """The capture folder of the archive at `db_path`: beside it, its name with `.warc` in
    place of its suffix (`kaltim.db` -> `kaltim.warc`; `archive` -> `archive.warc`)."""
    path = Path(db_path).expanduser()
    return path.with_name(path.stem + CAPTURE_SUFFIX) if path.suffix else path.with_name(
        path.name + CAPTURE_SUFFIX)


@dataclass(frozen=True)
class CaptureRef:
    """Where one fetched page is kept: `warc_file` (relative to the capture folder),
    `warc_offset` and `warc_length` of the response record holding its payload."""

    url: str
    warc_file: str
    warc_offset: int
    warc_length: int
    payload_digest: str
    captured_at: str
    revisit: bool = False
    extractor: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "warc_file": self.warc_file, "warc_offset": self.warc_offset,
                "warc_length": self.warc_length, "payload_digest": self.payload_digest,
                "captured_at": self.captured_at, "revisit": self.revisit,
                "extractor": self.extractor}

    @classmethod
    def of(cls, value: Mapping[str, Any]) -> CaptureRef:
        try:
            ref = cls(url=value["url"], warc_file=value["warc_file"],
                      warc_offset=value["warc_offset"], warc_length=value["warc_length"],
                      payload_digest=value["payload_digest"], captured_at=value["captured_at"],
                      revisit=bool(value.get("revisit")), extractor=value.get("extractor"))
        except (KeyError, TypeError) as exc:
            raise WartaError(f"a capture must give url, warc_file, warc_offset, warc_length, "
                             f"payload_digest and captured_at ({exc})") from None
        if (not isinstance(ref.warc_file, str) or Path(ref.warc_file).is_absolute()
                or ".." in Path(ref.warc_file).parts or type(ref.warc_offset) is not int
                or type(ref.warc_length) is not int or ref.warc_offset < 0
                or ref.warc_length <= 0):
            raise WartaError(f"a capture of {ref.url!r} names no record in the capture folder "
                             f"({ref.warc_file!r} at {ref.warc_offset}+{ref.warc_length})")
        return ref


def check_records(folder: Path, refs: Iterable[CaptureRef]) -> None:
    """Make sure every record `refs` point at is whole on disk before a row points at it:
    each file flushed to disk (fsync, once per file) and at least `offset + length` long.
    Raise WartaError naming the file otherwise."""
    ends: dict[str, int] = {}
    for ref in refs:
        ends[ref.warc_file] = max(ends.get(ref.warc_file, 0), ref.warc_offset + ref.warc_length)
    for name, end in ends.items():
        path = folder / name
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as exc:
            raise WartaError(f"capture {path} cannot be read ({exc.strerror})") from None
        try:
            os.fsync(fd)
            size = os.fstat(fd).st_size
        finally:
            os.close(fd)
        if size < end:
            raise WartaError(f"capture {path} holds {size} bytes, short of the record "
                             f"ending at {end}")


def insert_captures(conn: sqlite3.Connection,
                    rows: Sequence[tuple[int, str, int, CaptureRef]], *, crawl_id: int | None,
                    provenance: str = "crawl") -> None:
    """Record captures: (article_id, content_hash, part, ref) each."""
    conn.executemany(
        "INSERT INTO captures (article_id, content_hash, part, url, warc_file, warc_offset, "
        "warc_length, payload_digest, revisit, captured_at, extractor, provenance, crawl_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(article_id, digest, part, ref.url, ref.warc_file, ref.warc_offset, ref.warc_length,
          ref.payload_digest, int(ref.revisit), ref.captured_at, ref.extractor, provenance,
          crawl_id) for article_id, digest, part, ref in rows])


def last_capture(conn: sqlite3.Connection, url: str) -> CaptureRef | None:
    """The newest capture of the page fetched at `url` (the response record holding its
    payload), or None."""
    row = conn.execute(
        "SELECT url, warc_file, warc_offset, warc_length, payload_digest, captured_at, "
        "extractor FROM captures WHERE url = ? ORDER BY id DESC LIMIT 1", (url,)).fetchone()
    if row is None:
        return None
    url_, name, offset, length, digest, captured, extractor = row
    return CaptureRef(url_, name, offset, length, digest, captured, extractor=extractor)


@dataclass
class CapturedArticle:
    """An archived article with the captures of its current version, pages in order."""

    article_id: int
    url: str
    source: str
    content_hash: str
    body_status: str
    extractor: str | None
    pages: list[CaptureRef]


def captured_articles(conn: sqlite3.Connection, *, sources: Sequence[str] = (),
                      since: DateBound | None = None) -> list[CapturedArticle]:
    """Every archived article with a capture (the newest capture of its first page and the
    parts captured with it), optionally of `sources` only and published from `since` (a day:
    the date as printed; an instant: in UTC); sorted by WARC file and offset, so reading them
    back is sequential."""
    where = ["1 = 1"]
    args: list[Any] = []
    if sources:
        where.append(f"a.source IN ({', '.join('?' * len(sources))})")
        args.extend(sources)
    if since is not None and since.day is not None:
        where.append("a.published_date >= ?")
        args.append(since.day.isoformat())
    elif since is not None and since.instant is not None:
        where.append("a.published_utc >= ?")
        args.append(to_utc(since.instant))
    rows = conn.execute(
        "SELECT a.id, a.url, a.source, a.content_hash, a.body_status, c.extractor, c.part, "
        "c.url, c.warc_file, c.warc_offset, c.warc_length, c.payload_digest, c.captured_at, "
        "c.id FROM articles a JOIN captures c ON c.article_id = a.id "
        f"WHERE {' AND '.join(where)} ORDER BY a.id, c.id", args)
    found: dict[int, CapturedArticle] = {}
    for (article_id, url, source, digest, status, extractor, part, page_url, name, offset,
         length, payload, captured, _) in rows:
        article = found.get(article_id)
        if article is None or part == 0:  # a newer fetch of the first page starts over
            article = found[article_id] = CapturedArticle(article_id, url, source, digest,
                                                          status, extractor, [])
        if part == len(article.pages):
            article.pages.append(CaptureRef(page_url, name, offset, length, payload, captured,
                                            extractor=extractor))
        article.extractor = extractor
    return sorted(found.values(), key=lambda a: (a.pages[0].warc_file, a.pages[0].warc_offset))


#: The fields `warta reextract` compares with the archived row, in the order it reports them.
COMPARED_FIELDS = ("title", "body", "published_at", "published_raw", "published_precision",
                   "modified_at", "dateline", "authors", "editor", "reporter", "signoff",
                   "signoff_raw", "signoff_codes", "section", "tags", "language",
                   "body_status")


def changed_fields(conn: sqlite3.Connection, records: Sequence[Mapping[str, Any]]
                   ) -> list[list[str]]:
    """For each record (with the `url` of an archived article), the fields of
    `COMPARED_FIELDS` whose stored form would differ from the archived row's. Raises
    WartaError for a record the archive would refuse."""
    prepared = [prepare(record) for record in records]
    if not prepared:
        return []
    marks = ", ".join("?" * len(prepared))
    stored = {row[0]: row[1:] for row in conn.execute(
        f"SELECT url, {', '.join(COMPARED_FIELDS)} FROM articles WHERE url IN ({marks})",
        [p.url for p in prepared])}
    where = [ARTICLE_COLUMNS.index(name) for name in COMPARED_FIELDS]
    out = []
    for item in prepared:
        row = stored.get(item.url)
        if row is None:
            out.append(list(COMPARED_FIELDS))
            continue
        out.append([name for name, index, old in zip(COMPARED_FIELDS, where, row, strict=True)
                    if item.row[index] != old])
    return out


def note_reads(archive: Any, reads: Sequence[tuple[str, Sequence[CaptureRef]]], *,
               crawl_id: int | None) -> None:
    """Record that `warta reextract` read these articles' captures (canonical url, refs) and
    found nothing to change: capture rows with provenance `reextract` and the refs'
    extractor, for the current version. Nothing else of the article changes."""
    if not reads:
        return
    with archive._write() as conn:
        found = {row[0]: (row[1], row[2]) for row in conn.execute(
            f"SELECT url, id, content_hash FROM articles WHERE url IN "
            f"({', '.join('?' * len(reads))})", [url for url, _ in reads])}
        rows = [(found[url][0], found[url][1], part, ref) for url, refs in reads
                if url in found for part, ref in enumerate(refs)]
        insert_captures(conn, rows, crawl_id=crawl_id, provenance="reextract")
