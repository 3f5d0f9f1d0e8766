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

The response, revisit and request records are assembled here, one `bytes` each, compressed
in one call (by ISA-L, `_gzip`): warcio's writer built them in ~0.5 ms of Python per page, a
sixth of what the crawl process spends on a page, against a budget of a tenth
(`bench/capture.py`). warcio writes each file's `warcinfo` record, reads the records back
(`warta reextract`) and checks them (`warcio check`, `warcio index` in the tests).

Crash safety: a file being written has a marker beside it (`NAME.open`), removed when it is
closed. Each record is written whole to the operating system before the page is used (so a
SIGKILL loses at most the record being written); the archive flushes the files to disk
(fsync) before it records a row pointing at one. The next crawl that opens the folder checks
every file still marked open, cuts it after its last whole record (`recover`) and counts what
it cut. A full disk or an I/O error while writing cuts the partial record the same way and
stops the crawl with one line (`CaptureError`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from isal import isal_zlib

from archive import CaptureRef, WartaError, __version__

#: Bytes after which a file is closed and the next one begun. Heritrix and warcprox roll at
#: 1 GB; an hourly crawl of one outlet writes a few MB, so files stay few either way, and a
#: smaller bound keeps the check of a file left open by a killed crawl short (~0.2 s).
DEFAULT_MAX_BYTES = 100 * 1024 * 1024

#: ISA-L level (0-3) of each record's gzip member (`_gzip`). warcio's own writer uses zlib's
#: 9 (~2 ms per 60 KB page in the crawl process); ISA-L's 1 is 4x faster than zlib's 1 and
#: ~3% smaller on the saved real pages (its 0 is faster again but ~8% larger than its 1;
#: bench/capture.py gives the figures of the saved real pages).
GZIP_LEVEL = 1

OPEN_SUFFIX = ".open"
"""A file with this marker beside it was being written when its crawl ended."""

WARC_SUFFIX = ".warc.gz"

DATE_HINT_HEADER = "WARC-Warta-Date-Hint"

REVISIT_PROFILE = "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"


class CaptureError(WartaError):
    """The capture folder cannot be written (missing, read-only, full): one line."""


_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B32_PAIRS = [a + b for a in _B32 for b in _B32]
"""Every 10-bit value as its two base32 letters: a SHA-1 (160 bits) is 16 of them."""


def _sha1_b32(digest: bytes) -> str:
    """The base32 of a 20-byte SHA-1 digest, as `base64.b32encode` gives it (32 letters, no
    padding) in a tenth of its time (pure Python there: ~10 us a call, three a page)."""
    value = int.from_bytes(digest, "big")
    pairs = _B32_PAIRS
    return "".join([pairs[(value >> shift) & 1023] for shift in range(150, -1, -10)])


def payload_digest(body: bytes) -> str:
    """`WARC-Payload-Digest` of a body as sent: `sha1:` and the base32 of its SHA-1."""
    return "sha1:" + _sha1_b32(hashlib.sha1(body).digest())


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


@dataclass
class Page:
    """A fetched page as the capture writes it: the request as sent, the response as
    received (body before any Content-Encoding is undone)."""

    url: str
    method: str
    request_headers: list[tuple[str | bytes, str | bytes]]
    request_body: bytes
    status: int
    protocol: str
    headers: list[tuple[str | bytes, str | bytes]]
    body: bytes
    fetched_at: dt.datetime
    ip: str | None = None
    date_hint: tuple[str, str] | None = None
    """The time discovery saw for the page and where (`NewsSpider.date_hint`), kept in the
    record (`WARC-Warta-Date-Hint`) so that `warta reextract` reads the page as the crawl did."""


class _File:
    def __init__(self, folder: Path, name: str) -> None:
        self.name = name
        self.path = folder / name
        self.marker = folder / (name + OPEN_SUFFIX)
        self.marker.touch()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        # Unbuffered: each page's records go to the operating system in one write as they
        # are made (a buffer would copy them once more and flush them anyway).
        self.handle = os.fdopen(fd, "wb", buffering=0)
        self.size = 0

    def close(self) -> None:
        if self.handle.closed:  # cut after a failed write: its marker goes with the cut
            return
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
        from warcio.warcwriter import BufferWARCWriter

        info = BufferWARCWriter(gzip=False)
        info.write_record(info.create_warcinfo_record(name, {
            "software": f"warta/{__version__} (warcio)",
            "format": "WARC File Format 1.0",
            "isPartOf": f"{source}-{self.stamp}",
            "description": "pages fetched by a warta crawl; bodies as received",
        }))
        self._write_members(opened, [info.get_contents()])
        return opened

    @staticmethod
    def _cut(file: _File, size: int) -> None:
        with contextlib.suppress(OSError):  # its buffer could not be written either
            file.handle.close()
        try:
            os.truncate(file.path, size)
        except OSError:
            return  # left to `recover` on the next run: the marker stays
        with contextlib.suppress(OSError):
            file.marker.unlink()

    def close(self) -> None:
        """Close every file (flushed to disk, markers removed)."""
        files, self.files = self.files, {}
        for file in files.values():
            with contextlib.suppress(OSError):  # its marker stays: the next run checks it
                file.close()

    def sync(self) -> None:
        """Flush what was written to the operating system (it survives a kill of the
        process); the files are unbuffered, so this is already so."""
        for file in self.files.values():
            file.handle.flush()

    # -- pages ---------------------------------------------------------------------------------

    def capture(self, source: str, page: Page) -> CaptureRef:
        """Write one fetched page (a revisit when its payload is the last capture's) and
        return where its payload is kept."""
        digest = payload_digest(page.body)
        last = self.seen.get(page.url)
        if last is None and self.last_capture is not None:
            last = self.last_capture(page.url)
        date = warc_date(page.fetched_at)
        revisit = last is not None and last.payload_digest == digest
        http, dropped = _response_head(page)
        url = _header_value(page.url)
        fields = [(b"WARC-Target-URI", url), (b"WARC-Date", date.encode())]
        if page.ip:
            fields.append((b"WARC-IP-Address", _header_value(page.ip)))
        if dropped:
            fields.append((b"WARC-Warta-Dropped-Header", b"; ".join(dropped)))
        if page.date_hint:
            fields.append((DATE_HINT_HEADER.encode(),
                           _header_value(f"{page.date_hint[0]}; {page.date_hint[1]}")))
        if revisit:
            assert last is not None
            fields += [(b"WARC-Profile", REVISIT_PROFILE.encode()),
                       (b"WARC-Refers-To-Target-URI", _header_value(last.url)),
                       (b"WARC-Refers-To-Date", last.captured_at.encode()),
                       (b"WARC-Payload-Digest", digest.encode())]
            response_id, response = _record(b"revisit", fields, http, b"", _HTTP_RESPONSE)
        else:
            fields.append((b"WARC-Payload-Digest", digest.encode()))
            response_id, response = _record(b"response", fields, http, page.body,
                                            _HTTP_RESPONSE)
        _, request = _record(b"request", [(b"WARC-Target-URI", url),
                                          (b"WARC-Date", date.encode()),
                                          (b"WARC-Concurrent-To", response_id)],
                             _request_head(page), page.request_body, _HTTP_REQUEST)
        file = self._file(source)
        offset, length = self._write_members(file, [response, request])
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

    def _write_members(self, file: _File, records: list[bytes]) -> tuple[int, int]:
        """Write each record as its own gzip member at the end of `file`; (offset, length)
        of the first. On an error of the file (disk full, I/O) what was written is cut off
        again."""
        start = file.size
        members = [_gzip(record, self.level) for record in records]
        data = memoryview(b"".join(members))
        try:
            # whole in the operating system once written: a kill cannot cut it now
            while data:
                done = file.handle.write(data)
                if not done:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                data = data[done:]
        except OSError as exc:
            self._cut(file, start)
            self.files = {k: v for k, v in self.files.items() if v is not file}
            raise CaptureError(f"cannot write to the capture file {file.path} "
                               f"({exc.strerror}); what was captured before is kept") from None
        written = sum(len(m) for m in members)
        file.size = start + written
        self.bytes_written += written
        return start, len(members[0])


def _gzip(record: bytes, level: int) -> bytes:
    """One gzip member holding `record`, compressed by ISA-L (`isal`, Intel's optimized
    deflate): the same gzip format every reader takes, at a quarter of zlib's cost for the
    same size (level 1 on the saved real pages, ~100 KB each: 210 us against zlib's 880 us at
    its level 1, and 3% smaller; 31 against 90-110 us for a 7 KB demo page). zlib also
    allocated ~256 KB of state for every member, which cost more than compressing a 400-byte
    request record."""
    return isal_zlib.compress(record, level, wbits=16 + zlib.MAX_WBITS)


_REASONS = {status.value: status.phrase for status in HTTPStatus}

_HTTP_RESPONSE = b"application/http; msgtype=response"
_HTTP_REQUEST = b"application/http; msgtype=request"


def _header_value(text: str) -> bytes:
    """A WARC header value: UTF-8 (WARC allows it), line breaks taken out (a header is one
    line)."""
    return text.replace("\r", " ").replace("\n", " ").encode("utf-8", "replace")


def _block_digest(http: bytes, body: bytes) -> bytes:
    sha = hashlib.sha1(http)
    if body:
        sha.update(body)
    return b"sha1:" + _sha1_b32(sha.digest()).encode("ascii")


class _RecordIds:
    """Random (version 4) UUIDs for WARC-Record-ID, cut from one read of the operating
    system's random source per 256 records instead of one `uuid.uuid4()` (a system call and
    a `UUID` object) per record."""

    BATCH = 256

    def __init__(self) -> None:
        self.pool = b""
        self.used = 0

    def next(self) -> bytes:
        if self.used >= len(self.pool):
            self.pool = os.urandom(16 * self.BATCH)
            self.used = 0
        raw = bytearray(self.pool[self.used:self.used + 16])
        self.used += 16
        raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
        raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
        h = raw.hex().encode("ascii")
        return (b"<urn:uuid:" + h[:8] + b"-" + h[8:12] + b"-" + h[12:16] + b"-" + h[16:20]
                + b"-" + h[20:] + b">")


_record_ids = _RecordIds()


def _record(kind: bytes, fields: list[tuple[bytes, bytes]], http: bytes, body: bytes,
            content_type: bytes) -> tuple[bytes, bytes]:
    """(its WARC-Record-ID, one WARC/1.0 record) with its block: `http` (the HTTP head,
    ending in an empty line) and `body`. The block digest covers both."""
    record_id = _record_ids.next()
    head = [b"WARC/1.0", b"WARC-Type: " + kind, b"WARC-Record-ID: " + record_id]
    head += [name + b": " + value for name, value in fields]
    head += [b"WARC-Block-Digest: " + _block_digest(http, body),
             b"Content-Type: " + content_type,
             b"Content-Length: " + str(len(http) + len(body)).encode()]
    return record_id, b"\r\n".join(head) + b"\r\n\r\n" + http + body + b"\r\n\r\n"


def _line(name: str | bytes, value: str | bytes) -> bytes:
    if type(name) is bytes and type(value) is bytes and b"\r" not in value \
            and b"\n" not in value:  # as Scrapy gives them: the common case, fast
        return name + b": " + value
    name_bytes = name if isinstance(name, bytes) else name.encode("latin-1", "replace")
    value_bytes = value if isinstance(value, bytes) else value.encode("latin-1", "replace")
    return name_bytes + b": " + value_bytes.replace(b"\r", b" ").replace(b"\n", b" ")


def _response_head(page: Page) -> tuple[bytes, list[bytes]]:
    """The response's status line and headers as received, but `Transfer-Encoding` (the
    chunks are joined: the header no longer says what the bytes are), which is returned
    apart to be named in the record."""
    reason = _REASONS.get(page.status, "Unknown")
    lines = [f"{page.protocol} {page.status} {reason}".encode("latin-1", "replace")]
    dropped = []
    for name, value in page.headers:
        line = _line(name, value)
        if line[:18].lower() == b"transfer-encoding:":
            dropped.append(line)
        else:
            lines.append(line)
    return b"\r\n".join(lines) + b"\r\n\r\n", dropped


def _request_head(page: Page) -> bytes:
    parts = urlsplit(page.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"{page.method} {target} HTTP/1.1".encode("latin-1", "replace")]
    if not any(name.lower() in (b"host", "host") for name, _ in page.request_headers):
        lines.append(_line("Host", parts.netloc))
    lines += [_line(name, value) for name, value in page.request_headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"
