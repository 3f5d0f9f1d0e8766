"""WARC files of a crawl: written record by record, rolled over by size, checked after a kill.

A crawl writes, per outlet, files named `<outlet>-<UTC start>-<n>.warc.gz` into the archive's
capture folder (`archive.capture_dir`: `kaltim.db` -> `kaltim.warc/`). Each file starts with a
`warcinfo` record; each fetched page is a `response` record followed by its `request` record
(`WARC-Concurrent-To`), or, when its payload is the same as the last capture of that URL
(`WARC-Payload-Digest`), a `revisit` record (profile identical-payload-digest, as Heritrix and
warcprox write) with its request: HTTP headers only, a few hundred bytes. Every record is its
own gzip member (what `warcio`, pywb and every WARC tool expect), so a reader can start at any
record's offset.

The body is kept as received: before Scrapy's HttpCompressionMiddleware decodes it, so a
`Content-Encoding: gzip` page is stored gzipped with its header, as the server sent it. The one
header that no longer matches the bytes is `Transfer-Encoding: chunked` (Twisted joins the
chunks): it is dropped, and named in the record's `WARC-Warta-Dropped-Header` field.

Crash safety: a file being written has a marker beside it (`NAME.open`), removed when it is
closed. Each record is written whole to the operating system before the page is used (so a
SIGKILL loses at most the record being written); the archive flushes the files to disk
(fsync) before it records a row pointing at one. The next crawl that opens the folder checks
every file still marked open, cuts it after its last whole record (`recover`) and counts what
it cut. A full disk or an I/O error while writing cuts the partial record the same way and
stops the crawl with one line (`CaptureError`).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import io
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any

from archive import CaptureRef, WartaError, __version__

#: Bytes after which a file is closed and the next one begun. Heritrix and warcprox roll at
#: 1 GB; an hourly crawl of one outlet writes a few MB, so files stay few either way, and a
#: smaller bound keeps the check of a file left open by a killed crawl short (~0.2 s).
DEFAULT_MAX_BYTES = 100 * 1024 * 1024

#: zlib level of each record's gzip member. warcio's own writer uses 9, which costs the crawl
#: process ~2 ms per 60 KB page; 6 (gzip's default) is within 2% of its size at a third of the
#: time (measured on the demo outlets' pages, bench/capture.py).
GZIP_LEVEL = 6

OPEN_SUFFIX = ".open"
"""A file with this marker beside it was being written when its crawl ended."""

WARC_SUFFIX = ".warc.gz"

REVISIT_PROFILE = "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"


class CaptureError(WartaError):
    """The capture folder cannot be written (missing, read-only, full): one line."""


def payload_digest(body: bytes) -> str:
    """`WARC-Payload-Digest` of a body as sent: `sha1:` and the base32 of its SHA-1."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_folder(folder: Path) -> None:
    """Make the capture folder if needed and check it can be written; raise CaptureError
    with one line saying what to do otherwise."""
    if folder.exists() and not folder.is_dir():
        raise CaptureError(f"the capture folder {folder} is not a folder; move that file "
                           "away, or crawl with --no-capture")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CaptureError(f"cannot make the capture folder {folder} ({exc.strerror}); make "
                           "it writable, or crawl with --no-capture") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CaptureError(f"the capture folder {folder} is read-only; make it writable, "
                           "or crawl with --no-capture")


def whole_length(path: Path) -> tuple[int, int]:
    """(bytes of whole gzip members at the start of `path`, records in them). A member cut
    short, or bytes that are not gzip, end the count."""
    good = records = 0
    with path.open("rb") as handle:
        data = b""
        inflater = zlib.decompressobj(zlib.MAX_WBITS + 16)
        start = 0  # file offset of the current member's first byte
        consumed = 0  # bytes of the file fed to the current member
        while True:
            chunk = handle.read(1 << 20)
            if not chunk:
                return good, records
            data = chunk
            while data:
                try:
                    inflater.decompress(data)
                except zlib.error:
                    return good, records
                used = len(data) - len(inflater.unused_data)
                consumed += used
                if not inflater.eof:
                    break
                good = start + consumed
                records += 1
                start, consumed = good, 0
                data = inflater.unused_data
                inflater = zlib.decompressobj(zlib.MAX_WBITS + 16)


def recover(folder: Path) -> tuple[int, int]:
    """Check every file of `folder` left open by a crawl that did not close it (killed, power
    cut): cut it after its last whole record, remove its marker. Returns (files cut, bytes
    cut)."""
    files = cut = 0
    for marker in sorted(folder.glob(f"*{WARC_SUFFIX}{OPEN_SUFFIX}")):
        path = marker.with_name(marker.name[:-len(OPEN_SUFFIX)])
        if path.exists():
            size = path.stat().st_size
            good, _ = whole_length(path)
            if good < size:
                with path.open("r+b") as handle:
                    handle.truncate(good)
                    handle.flush()
                    os.fsync(handle.fileno())
                files += 1
                cut += size - good
        marker.unlink()
    return files, cut


class _GzipMember:
    """One record's gzip member: what warcio's writer writes goes through it to the file."""

    def __init__(self, out: IO[bytes], level: int) -> None:
        self.out = out
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())
        self.out.flush()


@dataclass
class Page:
    """A fetched page as the capture writes it: the request as sent, the response as
    received (body before any Content-Encoding is undone)."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    protocol: str
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: dt.datetime
    ip: str | None = None


class _File:
    def __init__(self, folder: Path, name: str) -> None:
        self.name = name
        self.path = folder / name
        self.marker = folder / (name + OPEN_SUFFIX)
        self.marker.touch()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        self.handle = os.fdopen(fd, "wb", buffering=256 * 1024)
        self.size = 0

    def close(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        self.marker.unlink(missing_ok=True)


class WarcFiles:
    """The WARC files of one crawl in one capture folder, one open file per outlet."""

    def __init__(self, folder: Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 level: int = GZIP_LEVEL, started: dt.datetime | None = None,
                 last_capture: Callable[[str], CaptureRef | None] | None = None,
                 extractor: str | None = None) -> None:
        from warcio.warcwriter import WARCWriter

        self.folder = folder
        self.max_bytes = max_bytes
        self.level = level
        self.stamp = (started or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
        self.last_capture = last_capture
        """The newest capture of a URL in the archive (None: the archive has none)."""
        self.extractor = extractor
        self.files: dict[str, _File] = {}
        self.sequence: dict[str, int] = {}
        self.seen: dict[str, CaptureRef] = {}
        """This crawl's newest capture of each URL (not all in the archive yet)."""
        self.writer = WARCWriter(None, gzip=False)
        self.bytes_written = 0
        self.records = {"response": 0, "revisit": 0}

    # -- files ---------------------------------------------------------------------------------

    def _file(self, source: str) -> _File:
        current = self.files.get(source)
        if current is not None and current.size < self.max_bytes:
            return current
        if current is not None:
            current.close()
        while True:
            number = self.sequence.get(source, 0)
            self.sequence[source] = number + 1
            name = f"{source}-{self.stamp}-{number:05d}{WARC_SUFFIX}"
            if not (self.folder / name).exists():
                break
        opened = self.files[source] = _File(self.folder, name)
        info = self.writer.create_warcinfo_record(name, {
            "software": f"warta/{__version__} (warcio)",
            "format": "WARC File Format 1.0",
            "isPartOf": f"{source}-{self.stamp}",
            "description": "pages fetched by a warta crawl; bodies as received",
        })
        self._write(opened, [info])
        return opened

    def _write(self, file: _File, records: list[Any]) -> tuple[int, int]:
        """Write records at the end of `file`; (offset, length) of the first. On an error
        of the file (disk full, I/O), what was written of them is cut off again."""
        start = file.size
        first_end = start
        try:
            for index, record in enumerate(records):
                self.writer.out = _GzipMember(file.handle, self.level)
                self.writer.write_record(record)
                if index == 0:
                    first_end = file.handle.tell()
            end = file.handle.tell()
        except OSError as exc:
            self._cut(file, start)
            raise CaptureError(f"cannot write to the capture file {file.path} "
                               f"({exc.strerror}); what was captured before is kept") from None
        file.size = end
        self.bytes_written += end - start
        return start, first_end - start

    @staticmethod
    def _cut(file: _File, size: int) -> None:
        with contextlib.suppress(OSError):  # its buffer could not be written either
            file.handle.close()
        with contextlib.suppress(OSError):  # else left to `recover`: the marker stays
            os.truncate(file.path, size)

    def close(self) -> None:
        """Close every file (flushed to disk, markers removed)."""
        files, self.files = self.files, {}
        for file in files.values():
            with contextlib.suppress(OSError):  # its marker stays: the next run checks it
                file.close()

    def sync(self) -> None:
        """Flush what was written to the operating system (it survives a kill of the
        process)."""
        for file in self.files.values():
            file.handle.flush()

    # -- pages ---------------------------------------------------------------------------------

    def capture(self, source: str, page: Page) -> CaptureRef:
        """Write one fetched page (a revisit when its payload is the last capture's) and
        return where its payload is kept."""
        from warcio.statusandheaders import StatusAndHeaders

        digest = payload_digest(page.body)
        last = self.seen.get(page.url)
        if last is None and self.last_capture is not None:
            last = self.last_capture(page.url)
        date = warc_date(page.fetched_at)
        try:
            reason = HTTPStatus(page.status).phrase
        except ValueError:
            reason = "Unknown"
        dropped = [f"{k}: {v}" for k, v in page.headers if k.lower() == "transfer-encoding"]
        headers = [(k, v) for k, v in page.headers if k.lower() != "transfer-encoding"]
        http = StatusAndHeaders(f"{page.status} {reason}", headers, protocol=page.protocol)
        warc_headers = {"WARC-Date": date, "WARC-Payload-Digest": digest}
        if page.ip:
            warc_headers["WARC-IP-Address"] = page.ip
        if dropped:
            warc_headers["WARC-Warta-Dropped-Header"] = "; ".join(dropped)
        revisit = last is not None and last.payload_digest == digest
        if revisit:
            assert last is not None
            record = self.writer.create_revisit_record(
                page.url, digest, last.url, last.captured_at, http_headers=http,
                warc_headers_dict={k: v for k, v in warc_headers.items()
                                   if k != "WARC-Payload-Digest"})
        else:
            record = self.writer.create_warc_record(
                page.url, "response", payload=io.BytesIO(page.body), length=len(page.body),
                http_headers=http, warc_headers_dict=warc_headers)
        request = self._request(page, date, record.rec_headers.get_header("WARC-Record-ID"))
        file = self._file(source)
        offset, length = self._write(file, [record, request])
        self.records["revisit" if revisit else "response"] += 1
        if revisit:
            assert last is not None
            ref = CaptureRef(last.url, last.warc_file, last.warc_offset, last.warc_length,
                             digest, last.captured_at, revisit=True, extractor=self.extractor)
        else:
            ref = CaptureRef(page.url, file.name, offset, length, digest, date,
                             extractor=self.extractor)
        self.seen[page.url] = ref
        return ref

    def _request(self, page: Page, date: str, concurrent_to: str) -> Any:
        from urllib.parse import urlsplit

        from warcio.statusandheaders import StatusAndHeaders

        parts = urlsplit(page.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = list(page.request_headers)
        if not any(k.lower() == "host" for k, _ in headers):
            headers.insert(0, ("Host", parts.netloc))
        http = StatusAndHeaders(f"{page.method} {target} HTTP/1.1", headers,
                                is_http_request=True)
        return self.writer.create_warc_record(
            page.url, "request", payload=io.BytesIO(page.request_body),
            length=len(page.request_body), http_headers=http,
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": concurrent_to})
