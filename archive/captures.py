"""Where an archive keeps its WARC captures, and what it knows of them (`captures`, migration 10).

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
                      since: str | None = None) -> list[CapturedArticle]:
    """Every archived article with a capture of its current version (the newest capture of
    its newest version), optionally of `sources` only and published on or after the UTC
    instant `since`; sorted by WARC file and offset, so reading them back is sequential."""
    where = ["1 = 1"]
    args: list[Any] = []
    if sources:
        where.append(f"a.source IN ({', '.join('?' * len(sources))})")
        args.extend(sources)
    if since:
        where.append("a.published_utc >= ?")
        args.append(since)
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
