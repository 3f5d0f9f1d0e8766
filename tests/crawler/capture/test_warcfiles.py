"""WARC files as `crawler.capture.warcfiles` writes them, read back by warcio and by reextract:
real files in a temporary folder, no crawl."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive import CaptureRef
from crawler.capture.reextract import UnreadableCapture, _page
from crawler.capture.warcfiles import (
    OPEN_SUFFIX,
    CaptureError,
    Page,
    WarcFiles,
    check_folder,
    recover,
)

HTML = ("<html><head><title>Banjir di Samarinda</title></head><body>"
        + "<p>Hujan deras sejak Senin malam membuat banjir merendam lima kecamatan.</p>" * 40
        + "</body></html>").encode()


def page(url: str = "http://127.0.0.1:1/berita/1", body: bytes = HTML,
         headers: list[tuple[str, str]] | None = None) -> Page:
    return Page(url=url, method="GET", request_headers=[("User-Agent", "warta/test")],
                request_body=b"", status=200, protocol="HTTP/1.1",
                headers=headers or [("Content-Type", "text/html; charset=utf-8")], body=body,
                fetched_at=dt.datetime(2024, 5, 1, 2, 0, tzinfo=dt.UTC))


def warcio(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from warcio.cli import main; main()", *args],
                          capture_output=True, text=True, check=False)


def read_back(folder: Path, ref: CaptureRef) -> bytes:
    data = (folder / ref.warc_file).read_bytes()[ref.warc_offset:ref.warc_offset
                                                  + ref.warc_length]
    return _page(data, ref).body


def test_a_page_is_kept_as_received_and_read_back_decoded(tmp_path: Path) -> None:
    files = WarcFiles(tmp_path)
    sent = gzip.compress(HTML)
    ref = files.capture("kaltimnews", page(body=sent, headers=[
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
        ("Transfer-Encoding", "chunked")]))
    files.close()
    record = (tmp_path / ref.warc_file).read_bytes()[ref.warc_offset:
                                                     ref.warc_offset + ref.warc_length]
    inner = gzip.decompress(record)
    assert sent in inner  # the body as the server sent it, still gzip
    assert b"Content-Encoding: gzip" in inner
    assert b"Transfer-Encoding" not in inner.split(b"\r\n\r\n", 2)[1]  # not in the HTTP headers
    assert b"WARC-Warta-Dropped-Header: Transfer-Encoding: chunked" in inner
    assert read_back(tmp_path, ref) == HTML


def test_every_file_passes_warcio_check_and_index(tmp_path: Path) -> None:
    files = WarcFiles(tmp_path, max_bytes=3000)  # several files
    for n in range(6):
        files.capture("kaltimnews", page(url=f"http://127.0.0.1:1/berita/{n}",
                                         body=HTML + str(n).encode()))
    files.capture("kaltimnews", page(url="http://127.0.0.1:1/berita/0", body=HTML + b"0"))
    files.close()
    names = sorted(str(p) for p in tmp_path.glob("*.warc.gz"))
    assert len(names) > 1
    checked = warcio("check", *names)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    index = warcio("index", "-f", "warc-type,warc-target-uri", *names)
    assert index.returncode == 0
    kinds = [line for line in index.stdout.splitlines()]
    assert sum('"response"' in k for k in kinds) == 6
    assert sum('"revisit"' in k for k in kinds) == 1
    assert sum('"request"' in k for k in kinds) == 7


def test_an_unchanged_page_is_a_revisit_that_points_at_the_first_capture(
        tmp_path: Path) -> None:
    files = WarcFiles(tmp_path)
    first = files.capture("kaltimnews", page())
    size = files.bytes_written
    again = files.capture("kaltimnews", page())
    files.close()
    assert again.revisit and not first.revisit
    assert (again.warc_file, again.warc_offset) == (first.warc_file, first.warc_offset)
    assert files.bytes_written - size < 1200  # headers only, not the 3 KB page again
    assert read_back(tmp_path, again) == HTML


def test_a_file_cut_mid_record_is_cut_back_to_its_last_whole_record(tmp_path: Path) -> None:
    files = WarcFiles(tmp_path)
    ref = files.capture("kaltimnews", page())
    name = ref.warc_file
    whole = (tmp_path / name).stat().st_size
    files.sync()
    # what a kill in the middle of writing the next record leaves: half of it
    other = WarcFiles(tmp_path / "other")
    (tmp_path / "other").mkdir()
    more = other.capture("kaltimnews", page(url="http://127.0.0.1:1/berita/2", body=HTML * 2))
    other.close()
    half = more.warc_length // 2
    record = (tmp_path / "other" / more.warc_file).read_bytes()[more.warc_offset:
                                                                 more.warc_offset + half]
    with (tmp_path / name).open("ab") as handle:
        handle.write(record)
    assert (tmp_path / (name + OPEN_SUFFIX)).exists()  # never closed: as after a SIGKILL
    assert recover(tmp_path) == (1, half)
    assert (tmp_path / name).stat().st_size == whole
    assert not (tmp_path / (name + OPEN_SUFFIX)).exists()
    assert warcio("check", str(tmp_path / name)).returncode == 0


def test_a_corrupt_record_is_named_not_a_traceback(tmp_path: Path) -> None:
    files = WarcFiles(tmp_path)
    ref = files.capture("kaltimnews", page())
    files.close()
    path = tmp_path / ref.warc_file
    data = bytearray(path.read_bytes())
    data[ref.warc_offset + 40:ref.warc_offset + 80] = b"\0" * 40
    with pytest.raises(UnreadableCapture, match="corrupt record"):
        _page(bytes(data[ref.warc_offset:ref.warc_offset + ref.warc_length]), ref)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_capture_folder_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(CaptureError, match="read-only; make it writable, or crawl with "
                                               "--no-capture"):
            check_folder(folder)
    finally:
        folder.chmod(0o700)


def test_the_date_discovery_gave_is_kept_for_reextract(tmp_path: Path) -> None:
    files = WarcFiles(tmp_path)
    hinted = page()
    hinted.date_hint = ("2024-05-01T09:30:00+08:00", "listing")
    ref = files.capture("kaltimnews", hinted)
    plain = files.capture("kaltimnews", page(url="http://127.0.0.1:1/berita/2"))
    files.close()
    data = (tmp_path / ref.warc_file).read_bytes()
    assert _page(data[ref.warc_offset:ref.warc_offset + ref.warc_length], ref).date_hint == (
        "2024-05-01T09:30:00+08:00", "listing")
    assert _page(data[plain.warc_offset:plain.warc_offset + plain.warc_length],
                 plain).date_hint is None


def test_every_record_has_its_own_random_uuid_and_digests_warcio_recomputes(
        tmp_path: Path) -> None:
    import base64
    import hashlib
    import uuid

    from warcio.archiveiterator import ArchiveIterator

    files = WarcFiles(tmp_path)
    bodies = [HTML + str(n).encode() for n in range(300)]  # past one batch of random ids
    for n, body in enumerate(bodies):
        files.capture("kaltimnews", page(url=f"http://127.0.0.1:1/berita/{n}", body=body))
    files.close()
    ids, digests = [], []
    for path in sorted(tmp_path.glob("*.warc.gz")):
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                ids.append(record.rec_headers.get_header("WARC-Record-ID"))
                if record.rec_type == "response":
                    digests.append(record.rec_headers.get_header("WARC-Payload-Digest"))
    assert len(ids) == len(set(ids)) == 1 + 2 * len(bodies)
    for record_id in ids:
        parsed = uuid.UUID(record_id.removeprefix("<urn:uuid:").removesuffix(">"))
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert digests == ["sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()
                       for body in bodies]
