"""The archive's record of captures (`archive.captures`, migration 9): a row never points at
a record that is not whole in its file, and the capture folder sits beside the archive."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import Archive, WartaError, capture_dir


def record(name: str, offset: int, length: int) -> dict[str, object]:
    return {"url": "https://kaltim.example/berita/1", "source": "kaltimnews",
            "title": "Banjir", "body": "Air naik.",
            "captures": [{"url": "https://kaltim.example/berita/1", "warc_file": name,
                          "warc_offset": offset, "warc_length": length,
                          "payload_digest": "sha1:AAAA", "captured_at": "2024-05-01T02:00:00Z"}]}


def test_the_capture_folder_is_beside_the_archive(tmp_path: Path) -> None:
    assert capture_dir(tmp_path / "kaltim.db") == tmp_path / "kaltim.warc"
    assert capture_dir(tmp_path / "arsip") == tmp_path / "arsip.warc"


def test_a_row_pointing_past_the_end_of_its_file_is_refused_and_nothing_written(
        tmp_path: Path) -> None:
    db = tmp_path / "kaltim.db"
    capture_dir(db).mkdir()
    (capture_dir(db) / "a.warc.gz").write_bytes(b"x" * 100)
    with Archive(db) as archive:
        with pytest.raises(WartaError, match=r"a\.warc\.gz holds 100 bytes, short of the "
                                             r"record ending at 150"):
            archive.write([record("a.warc.gz", 50, 100)])
        assert archive.count() == 0
        archive.write([record("a.warc.gz", 0, 100)])
        rows = archive.connection.execute(
            "SELECT warc_file, warc_offset, warc_length FROM captures").fetchall()
    assert rows == [("a.warc.gz", 0, 100)]


@pytest.mark.parametrize("name", ["../elsewhere.warc.gz", "/etc/passwd"])
def test_a_capture_outside_the_folder_is_refused(tmp_path: Path, name: str) -> None:
    with Archive(tmp_path / "kaltim.db") as archive, pytest.raises(
            WartaError, match="names no record in the capture folder"):
        archive.write([record(name, 0, 10)])


def captured(url: str, *pages: tuple[str, int, bool]) -> dict[str, object]:
    """An article record read from `pages` (fetched URL, offset, single-page view?)."""
    return {"url": url, "source": "kaltimnews", "title": "Banjir", "body": f"Isi {url}.",
            "captures": [{"url": page, "warc_file": "a.warc.gz", "warc_offset": offset,
                          "warc_length": 10, "payload_digest": "sha1:AAAA",
                          "captured_at": "2024-05-01T02:00:00Z", "single_view": view}
                         for page, offset, view in pages]}


def test_captured_articles_stream_in_chunks_with_their_pages_and_views(tmp_path: Path) -> None:
    from archive import iter_captured_articles

    db = tmp_path / "kaltim.db"
    capture_dir(db).mkdir()
    (capture_dir(db) / "a.warc.gz").write_bytes(b"x" * 1000)
    base = "https://kaltim.example/berita/"
    with Archive(db) as archive:
        archive.write([captured(f"{base}{n}", (f"{base}{n}", 10 * n, False)) for n in range(5)])
        archive.write([  # three pages; the first page and its single-page view
            captured(f"{base}2", (f"{base}2", 100, False), (f"{base}2?page=2", 110, False),
                     (f"{base}2?page=3", 120, False)),
            captured(f"{base}3", (f"{base}3", 200, False), (f"{base}3?page=all", 210, True))])
        parts = archive.connection.execute(
            "SELECT part FROM captures WHERE url LIKE ? ORDER BY id", (f"{base}3%",)).fetchall()
        assert parts == [(0,), (0,), (-1,)]
        whole = list(iter_captured_articles(archive.connection))
        for chunk in (1, 2, 3):  # every chunk boundary gives the same articles
            assert list(iter_captured_articles(archive.connection, chunk=chunk)) == whole
    assert [a.url for a in whole] == [f"{base}{n}" for n in range(5)]
    pages = {a.url: ([p.warc_offset for p in a.pages],
                     a.single.warc_offset if a.single else None) for a in whole}
    assert pages[f"{base}1"] == ([10], None)
    assert pages[f"{base}2"] == ([100, 110, 120], None)  # the newest fetch, every part
    assert pages[f"{base}3"] == ([200], 210)
