"""Where an archive keeps its WARC captures, and what it knows of them (`captures`, migration 9).

The crawler writes every article page it fetches into WARC files (`crawler/capture/`) in a
folder beside the archive: `kaltim.db` -> `kaltim.warc/`. The archive records, for each article
version, the file (relative to that folder, so the two can be moved together) and the offset
and length of the response record it was read from. A record is whole in its file before a row
points at it: `check_records` flushes the files to disk (fsync) and checks their size in the
same call that writes the rows (`Archive.write`), so a crawl killed at any moment leaves no row
pointing at a partial record.

Every stored version points at the record(s) it was read from, `part` saying which page each
is: a single page is part 0; a multi-page article stitched from its parts has one row per
part read, 0, 1, 2, ... in page order; one stitched with a part that could not be read
(`body_status` `incomplete`) has rows for the parts read only, numbered in order among them
(the missing ones, which have no record, are named in its provenance `parts`); one read from
its single-page view (`Tampilkan semua`) has its first page as part 0 (its title, date and
authors) and the view as part `SINGLE_VIEW_PART` (-1: its text).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.errors import WartaError
from archive.instants import DateBound, to_utc
from archive.records import ARTICLE_COLUMNS, prepare

#: The suffix of an archive's capture folder, in place of the archive file's own suffix.
CAPTURE_SUFFIX = ".warc"

#: `captures.part` of the single-page view an article's text was read from (its first page
#: is part 0 beside it).
SINGLE_VIEW_PART = -1


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
    single_view: bool = False
    """The page is the single-page view the article's text was read from (`SINGLE_VIEW_PART`),
    not one of its pages in order."""

    def as_dict(self) -> dict[str, Any]:
        out = {"url": self.url, "warc_file": self.warc_file, "warc_offset": self.warc_offset,
               "warc_length": self.warc_length, "payload_digest": self.payload_digest,
               "captured_at": self.captured_at, "revisit": self.revisit,
               "extractor": self.extractor}
        if self.single_view:
            out["single_view"] = True
        return out

    @classmethod
    def of(cls, value: Mapping[str, Any]) -> CaptureRef:
        try:
            ref = cls(url=value["url"], warc_file=value["warc_file"],
                      warc_offset=value["warc_offset"], warc_length=value["warc_length"],
                      payload_digest=value["payload_digest"], captured_at=value["captured_at"],
                      revisit=bool(value.get("revisit")), extractor=value.get("extractor"),
                      single_view=bool(value.get("single_view")))
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


def numbered(refs: Sequence[CaptureRef]) -> list[tuple[int, CaptureRef]]:
    """(part, ref) of an article version's captures in the order read: its pages 0, 1, ...;
    a single-page view `SINGLE_VIEW_PART`."""
    out = []
    page = 0
    for ref in refs:
        if ref.single_view:
            out.append((SINGLE_VIEW_PART, ref))
        else:
            out.append((page, ref))
            page += 1
    return out


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
    single: CaptureRef | None = None
    """The single-page view its text was read from (`SINGLE_VIEW_PART`), if it was."""
    parts_note: str | None = None
    """Its provenance `parts` as archived (`incomplete: 2 of 3 parts; missing ...`)."""


def _captured_where(sources: Sequence[str], since: DateBound | None
                    ) -> tuple[str, list[Any]]:
    """The filters of `iter_captured_articles` on `articles a`, as SQL and its arguments."""
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
    return " AND ".join(where), args


#: Articles read from the archive at a time by `iter_captured_articles`: a few hundred rows
#: per query, whatever the archive holds.
CAPTURED_CHUNK = 500


def iter_captured_articles(conn: sqlite3.Connection, *, sources: Sequence[str] = (),
                           since: DateBound | None = None, chunk: int = CAPTURED_CHUNK
                           ) -> Iterator[CapturedArticle]:
    """Every archived article with a capture (the newest capture of its first page and the
    parts captured with it, or the single-page view read with it), optionally of `sources`
    only and published from `since` (a day: the date as printed; an instant: in UTC), in the
    order of the archive's ids (the order the crawls wrote them, near the order of their
    records in the WARC files).

    Read `chunk` articles at a time, each chunk by a query of its own that is done before the
    articles are yielded: memory stays that of one chunk whatever the archive holds, and the
    caller may write to the archive between two articles (`warta reextract` stores each
    batch as it goes)."""
    where, args = _captured_where(sources, since)
    last = 0
    while True:
        ids = [row[0] for row in conn.execute(
            f"SELECT a.id FROM articles a WHERE a.id > ? AND {where} AND EXISTS (SELECT 1 "
            "FROM captures c WHERE c.article_id = a.id) ORDER BY a.id LIMIT ?",
            [last, *args, chunk])]
        if not ids:
            return
        last = ids[-1]
        rows = conn.execute(
            "SELECT a.id, a.url, a.source, a.content_hash, a.body_status, c.extractor, c.part, "
            "c.url, c.warc_file, c.warc_offset, c.warc_length, c.payload_digest, "
            "c.captured_at, CASE WHEN a.body_status = 'incomplete' THEN "
            "json_extract(a.provenance, '$.parts') END FROM articles a JOIN captures c ON "
            f"c.article_id = a.id WHERE a.id IN ({', '.join('?' * len(ids))}) "
            "ORDER BY a.id, c.id", ids).fetchall()
        yield from _assembled(rows)


def _assembled(rows: Iterable[tuple[Any, ...]]) -> Iterator[CapturedArticle]:
    """Capture rows, ordered by article and capture id, as articles."""
    article: CapturedArticle | None = None
    for (article_id, url, source, digest, status, extractor, part, page_url, name, offset,
         length, payload, captured, note) in rows:
        if article is not None and article.article_id != article_id:
            if article.pages:
                yield article
            article = None
        if article is None or part == 0:  # a newer fetch of the first page starts over
            article = CapturedArticle(article_id, url, source, digest, status, extractor, [],
                                      parts_note=note if isinstance(note, str) else None)
        if part == SINGLE_VIEW_PART and article.pages:
            article.single = CaptureRef(page_url, name, offset, length, payload, captured,
                                        extractor=extractor, single_view=True)
        elif part == len(article.pages):
            article.pages.append(CaptureRef(page_url, name, offset, length, payload, captured,
                                            extractor=extractor))
        article.extractor = extractor
    if article is not None and article.pages:
        yield article


def captured_articles(conn: sqlite3.Connection, *, sources: Sequence[str] = (),
                      since: DateBound | None = None) -> list[CapturedArticle]:
    """`iter_captured_articles` as a list sorted by WARC file and offset (for a caller that
    wants them all at once; `warta reextract` streams them)."""
    return sorted(iter_captured_articles(conn, sources=sources, since=since),
                  key=lambda a: (a.pages[0].warc_file, a.pages[0].warc_offset))


def captured_sources(conn: sqlite3.Connection, *, sources: Sequence[str] = (),
                     since: DateBound | None = None) -> list[str]:
    """The outlets of `iter_captured_articles(...)`, sorted."""
    where, args = _captured_where(sources, since)
    return [row[0] for row in conn.execute(
        f"SELECT DISTINCT a.source FROM articles a WHERE {where} AND EXISTS (SELECT 1 FROM "
        "captures c WHERE c.article_id = a.id) ORDER BY 1", args)]


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
                if url in found for part, ref in numbered(refs)]
        insert_captures(conn, rows, crawl_id=crawl_id, provenance="reextract")
