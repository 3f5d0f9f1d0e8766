"""`warta reextract`: the archive's captures read again through the current extractor.

Every archived article with a capture (`archive.iter_captured_articles`, streamed from the
archive a chunk at a time: the newest capture of its pages, or of its first page and the
single-page view its text came from) is read back from its WARC record(s), through the
extraction the crawl uses (the same function, in the same worker processes:
`crawler.runtime.workers`), and put together as the crawl did (a part the crawl could not read
stays missing: the article stays `incomplete`), then the crawl's normalize and validate
pipelines, and compared field by field with the archived row
(`archive.changed_fields`). What changed is stored as a new version (the old title and body
kept in `article_versions`) by a crawl record of its own (`args.reextract`), with the
extractor version in the article's `provenance` (`reextract`) and a capture row with
provenance `reextract` pointing at the same WARC record. `dry_run` only reports.

The article keeps its archived URL (a changed canonical-URL rule does not move it), and its
fetch time is the capture's (relative dates read as on the day). A page the current rules drop
(no title) is counted and left as archived. A WARC file that is missing, truncated or corrupt
is reported by name once and its articles skipped; the others are read.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import itertools
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from archive import (
    COMPARED_FIELDS,
    Archive,
    CapturedArticle,
    CaptureRef,
    DateBound,
    UsageError,
    WartaError,
    capture_dir,
    captured_sources,
    changed_fields,
    iter_captured_articles,
    note_reads,
)
from crawler.capture import extractor_version
from crawler.capture.warcfiles import DATE_HINT_HEADER
from crawler.sites import SiteProfile

#: Articles read, compared and written together (one archive transaction when storing).
BATCH = 200

#: Articles being read by the workers at once: enough to keep every worker's pipe full.
IN_FLIGHT = 64

#: The largest page body taken back from a capture once its Content-Encoding is undone, as
#: the crawl's DOWNLOAD_MAXSIZE (a gzip bomb stays refused).
MAX_BODY = 8 * 1024 * 1024


class UnreadableCapture(Exception):
    """A WARC record that cannot be read back (the file's name and why, one line)."""


@dataclass
class CapturedPage:
    url: str
    body: bytes
    encoding: str | None
    fetched_at: dt.datetime
    date_hint: tuple[str, str] | None = None


@dataclass
class ReextractReport:
    """What `warta reextract` did."""

    articles: int = 0
    """Articles read back."""
    changed: int = 0
    fields: Counter[str] = field(default_factory=Counter)
    stored: bool = False
    skipped_current: int = 0
    """With --changed-only: articles already read by this extractor."""
    dropped: int = 0
    """Pages the current rules do not take for an article (left as archived)."""
    failed: int = 0
    bad_files: dict[str, str] = field(default_factory=dict)
    """WARC files that could not be read: name -> why (their articles are skipped)."""
    bad_records: dict[str, list[str]] = field(default_factory=dict)
    """Records that could not be read, by WARC file: name -> why, each (that article is
    skipped; the file's other records are read)."""
    elapsed: float = 0.0
    extractor: str = ""
    changes: list[tuple[str, list[str]]] = field(default_factory=list)
    """(url, changed fields) of each changed article."""
    notes: list[str] = field(default_factory=list)

    def format(self) -> str:
        """The closing lines: what changed by field, and the totals."""
        by_field = ", ".join(f"{name} {self.fields[name]:,}" for name in COMPARED_FIELDS
                             if self.fields[name]) or "nothing"
        rate = self.articles / self.elapsed if self.elapsed > 0 else 0.0
        action = "stored as new versions" if self.stored else "not stored (--dry-run)"
        lines = [f"changed: {by_field}",
                 f"{self.articles:,} captured articles read with extractor {self.extractor} in "
                 f"{self.elapsed:.1f} s ({rate:.0f} pages/s); {self.changed:,} changed, "
                 f"{action}"]
        extra = []
        if self.skipped_current:
            extra.append(f"{self.skipped_current:,} already read by this extractor")
        if self.dropped:
            extra.append(f"{self.dropped:,} no longer read as articles (left as archived)")
        if self.failed:
            extra.append(f"{self.failed:,} could not be read")
        if extra:
            lines.append("; ".join(extra))
        return "\n".join(lines)


class _Counts:
    """The stats the pipelines count into (a reextract has no Scrapy crawl)."""

    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] += count

    def set_value(self, key: str, value: Any) -> None:
        self.values[key] = value

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


class _Files:
    """Open WARC files of the capture folder, each once; a bad one named once."""

    def __init__(self, folder: Path, report: ReextractReport) -> None:
        self.folder = folder
        self.report = report
        self.handles: dict[str, IO[bytes]] = {}

    def read(self, ref: CaptureRef) -> CapturedPage:
        name = ref.warc_file
        if name in self.report.bad_files:
            raise UnreadableCapture(self.report.bad_files[name])
        try:
            handle = self.handles.get(name)
            if handle is None:
                handle = self.handles[name] = (self.folder / name).open("rb")
            handle.seek(ref.warc_offset)
            data = handle.read(ref.warc_length)
        except OSError as exc:
            return self._bad(name, exc.strerror or str(exc))
        if len(data) < ref.warc_length:
            return self._bad(name, f"truncated: the record at {ref.warc_offset} ends past "
                                   "the end of the file")
        try:
            return _page(data, ref)
        except UnreadableCapture as exc:  # this record only: the file's others are read
            self.report.bad_records.setdefault(name, []).append(str(exc))
            raise

    def _bad(self, name: str, why: str) -> CapturedPage:
        self.report.bad_files[name] = why
        raise UnreadableCapture(why)

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()
        self.handles.clear()


def _page(data: bytes, ref: CaptureRef) -> CapturedPage:
    """The page a response record holds, its body decoded as the crawl decoded it."""
    from w3lib.encoding import http_content_type_encoding
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    try:
        record = next(iter(ArchiveIterator(io.BytesIO(data))))
        if record.rec_type != "response":
            raise UnreadableCapture(f"the record at {ref.warc_offset} is a "
                                    f"{record.rec_type}, not a response")
        if record.http_headers is None:  # its HTTP head did not parse
            raise UnreadableCapture(f"corrupt record at {ref.warc_offset} (a response "
                                    "without a readable HTTP head)")
        raw = record.raw_stream.read()
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, StopIteration) as exc:
        raise UnreadableCapture(f"corrupt record at {ref.warc_offset} "
                                f"({type(exc).__name__}: {exc})") from None
    headers = record.http_headers
    encodings = [e.strip().lower() for e in (headers.get_header("Content-Encoding") or "")
                 .split(",") if e.strip()]
    body = _decode(raw, encodings, ref)
    content_type = headers.get_header("Content-Type")
    try:
        fetched_at = dt.datetime.strptime(ref.captured_at, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=dt.UTC)
    except ValueError:
        fetched_at = dt.datetime.fromisoformat(ref.captured_at)
    hint_text = record.rec_headers.get_header(DATE_HINT_HEADER)
    hint = None
    if hint_text and "; " in hint_text:
        when, where = hint_text.split("; ", 1)
        hint = (when, where)
    return CapturedPage(url=ref.url, body=body,
                        encoding=http_content_type_encoding(content_type) if content_type
                        else None, fetched_at=fetched_at, date_hint=hint)


def _decode(body: bytes, encodings: Sequence[str], ref: CaptureRef) -> bytes:
    """Undo the page's Content-Encoding(s), last applied first, as Scrapy's
    HttpCompressionMiddleware does."""
    from scrapy.utils._compression import _DecompressionMaxSizeExceeded, _inflate, _unbrotli
    from scrapy.utils.gz import gunzip

    for encoding in reversed(encodings):
        try:
            if encoding in ("gzip", "x-gzip"):
                body = gunzip(body, max_size=MAX_BODY)
            elif encoding == "deflate":
                body = _inflate(body, max_size=MAX_BODY)
            elif encoding == "br":
                body = _unbrotli(body, max_size=MAX_BODY)
            elif encoding == "zstd":
                from scrapy.utils._compression import _unzstd

                body = _unzstd(body, max_size=MAX_BODY)
            elif encoding != "identity":
                raise UnreadableCapture(f"unknown Content-Encoding {encoding!r} at "
                                        f"{ref.warc_offset}")
        except _DecompressionMaxSizeExceeded:
            raise UnreadableCapture(f"the page at {ref.warc_offset} is over {MAX_BODY} bytes "
                                    "decoded") from None
        except (OSError, ValueError, EOFError) as exc:
            raise UnreadableCapture(f"the {encoding} body at {ref.warc_offset} cannot be "
                                    f"decoded ({exc})") from None
    return body


def reextract(db: str | Path, profiles: Mapping[str, SiteProfile], *,
              sources: Sequence[str] = (), since: DateBound | None = None,
              changed_only: bool = False, dry_run: bool = False,
              processes: int | None = None) -> ReextractReport:
    """Read the captures of the archive at `db` again (see the module docstring)."""
    from crawler.runtime.workers import MAX_AUTO_PROCESSES, auto_processes

    started = time.monotonic()
    version = extractor_version()
    report = ReextractReport(extractor=version, stored=not dry_run)
    archive = Archive(db, create=False, readonly=dry_run)
    try:
        known = set(profiles) | {row["key"] for row in archive.sources()}
        unknown = [key for key in sources if key not in known]
        if unknown:
            raise UsageError(f"unknown source {unknown[0]!r}; known: "
                             f"{', '.join(sorted(known))}")
        # The articles are streamed from the archive (`iter_captured_articles`: a chunk of
        # rows at a time), never all held at once; only their outlets are known beforehand.
        outlets = captured_sources(archive.connection, sources=sources, since=since)
        if not outlets:
            report.notes.append(f"no captured article in {archive.path} matches: articles "
                                "are captured by crawls with capture on (the default since "
                                "warta kept WARC files), in its capture folder "
                                f"{capture_dir(archive.path)}")
        profiles = _with_fallbacks(archive, profiles, outlets, report)
        candidates = _candidates(archive, sources, since, version if changed_only else None,
                                 report)
        first = next(candidates, None)  # none left to read (--changed-only): no run recorded
        if first is not None:
            candidates = itertools.chain([first], candidates)
        crawl_id = None
        if not dry_run and first is not None:
            crawl_id = archive.begin_crawl(
                outlets,
                {"reextract": True, "extractor": version, "sources": list(sources) or None,
                 "since": str(since) if since else None, "changed_only": changed_only})
        # One worker per CPU (the crawl's auto mode keeps one CPU for the crawl process): this
        # process only reads records and compares, and waited on the workers half its time
        # with one worker on two CPUs (1,500 pages: 320 pages/s with one worker, 340-400 with
        # two).
        auto = auto_processes()
        count = (min(auto + 1, MAX_AUTO_PROCESSES) if auto else 0) if processes is None \
            else processes
        try:
            asyncio.run(_run(archive, capture_dir(archive.path), profiles, candidates, report,
                             version, crawl_id, count))
        finally:
            if crawl_id is not None:
                archive.finish_crawl(crawl_id, finish_reason="finished", counts={
                    "new": 0, "updated": report.changed, "unchanged":
                        report.articles - report.changed - report.dropped,
                    "reextract": dict(report.fields), "dropped": report.dropped,
                    "errors": report.failed}, stats={"extractor": version})
    finally:
        archive.close()
    report.elapsed = time.monotonic() - started
    return report


def _candidates(archive: Archive, sources: Sequence[str], since: DateBound | None,
                skip_version: str | None, report: ReextractReport
                ) -> Iterator[CapturedArticle]:
    """The captured articles to read, streamed; with `skip_version` (--changed-only) those
    already read by that extractor are counted and left out."""
    for article in iter_captured_articles(archive.connection, sources=sources, since=since):
        if skip_version is not None and article.extractor == skip_version:
            report.skipped_current += 1
            continue
        yield article


def _with_fallbacks(archive: Archive, profiles: Mapping[str, SiteProfile],
                    outlets: Sequence[str], report: ReextractReport
                    ) -> dict[str, SiteProfile]:
    """`profiles`, plus one derived from the archive's `sources` row (as `warta rehydrate`
    does) for each of `outlets` that has none (noted in the report)."""
    from crawler.runtime.rehydrate import fallback_profile

    out = dict(profiles)
    missing = [key for key in outlets if key not in out]
    if missing:
        known = {row["key"]: row for row in archive.sources()}
        for key in missing:
            (url,) = archive.connection.execute(  # one of its articles says where it is
                "SELECT url FROM articles WHERE source = ? LIMIT 1", (key,)).fetchone()
            out[key] = fallback_profile(key, url, known.get(key))
        report.notes.append(f"no profile for {', '.join(sorted(missing))}: read with a "
                            "profile derived from the archive's record of the outlet (give "
                            "--sites-dir with its profile for the crawl's reading)")
    return out


async def _run(archive: Archive, folder: Path, profiles: Mapping[str, SiteProfile],
               candidates: Iterator[CapturedArticle], report: ReextractReport, version: str,
               crawl_id: int | None, processes: int) -> None:
    from crawler.runtime.workers import ExtractionWorkers

    workers = ExtractionWorkers(profiles, processes)
    files = _Files(folder, report)
    stats = _Counts()
    from crawler.pipelines.normalize import NormalizePipeline
    from crawler.pipelines.validate import ValidatePipeline

    normalize = NormalizePipeline(stats, profiles)  # type: ignore[arg-type]
    validate = ValidatePipeline(stats)  # type: ignore[arg-type]
    limit = asyncio.Semaphore(IN_FLIGHT)

    async def one(article: CapturedArticle) -> dict[str, Any] | None:
        async with limit:
            return await _read(article, files, workers, normalize, validate, report, version)

    try:
        while True:
            batch = list(itertools.islice(candidates, BATCH))
            if not batch:
                break
            read = await asyncio.gather(*(one(article) for article in batch))
            records = [record for record in read if record is not None]
            _compare_and_store(archive, records, report, crawl_id)
    finally:
        workers.close()
        files.close()


async def _read(article: CapturedArticle, files: _Files, workers: Any, normalize: Any,
                validate: Any, report: ReextractReport, version: str) -> dict[str, Any] | None:
    from scrapy.exceptions import DropItem

    from crawler.extract import merge_parts
    from crawler.items import item_from_extraction
    from crawler.pipelines.itemfields import item_fields
    from crawler.runtime.workers import ExtractionError

    refs = [*article.pages, *([article.single] if article.single is not None else [])]
    try:
        pages = [files.read(ref) for ref in refs]
    except UnreadableCapture:
        report.failed += 1
        return None
    report.articles += 1
    try:
        read = [await workers.read_async(page.body, page.url, article.source,
                                         page.fetched_at, page.encoding, page.date_hint)
                for page in pages]
    except ExtractionError:
        report.failed += 1
        return None
    # As the crawl put them together (crawler/spiders/articleparts.py `_stitched`).
    data = read[0]
    note = None
    if article.single is not None:  # the first page's fields, the single-page view's text
        data = merge_parts({**read[0], "body": None, "captions": []}, [read[-1]])
        note = f"single page view: {article.single.url}"
    elif len(read) > 1:
        data = merge_parts(read[0], read[1:])
        note = f"whole: {len(read)} parts"
    if article.parts_note:  # a part the crawl could not read is still missing: marked
        note = article.parts_note
    if note is not None:
        data["provenance"] = {**(data.get("provenance") or {}), "parts": note}
    item = item_from_extraction(data, source=article.source, http_status=200,
                                fetched_at=pages[0].fetched_at.isoformat(),
                                parts=len(article.pages))
    try:
        validate.process_item(normalize.process_item(item))
    except DropItem:
        report.dropped += 1
        return None
    record = {k: v for k, v in item_fields(item).items() if v is not None}
    record.setdefault("related", [])
    record["url"] = article.url  # the article stays where it is archived
    record["provenance"] = {**(record.get("provenance") or {}), "reextract": version}
    record["captures"] = [{**ref.as_dict(), "revisit": False, "extractor": version}
                          for ref in refs]
    return record


def _compare_and_store(archive: Archive, records: list[dict[str, Any]],
                       report: ReextractReport, crawl_id: int | None) -> None:
    try:
        found = changed_fields(archive.connection, records)
    except WartaError:  # one record the archive refuses: find it, keep the others
        found = []
        kept = []
        for record in records:
            try:
                found.append(changed_fields(archive.connection, [record])[0])
                kept.append(record)
            except WartaError:
                report.failed += 1
        records = kept
    changed, same = [], []
    for record, fields in zip(records, found, strict=True):
        if not fields:
            same.append((record["url"], [CaptureRef.of(ref) for ref in record["captures"]]))
            continue
        report.changed += 1
        report.fields.update(fields)
        report.changes.append((record["url"], fields))
        changed.append(record)
    if crawl_id is not None:
        if changed:
            archive.write(changed, crawl_id=crawl_id, force=True, provenance="reextract")
        note_reads(archive, same, crawl_id=crawl_id)
