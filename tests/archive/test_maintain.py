"""`warta maintain`: after it, every row is as it was and every search finds the same
articles in the same order; it refuses while a crawl or another writer is at the archive."""

from __future__ import annotations

import fcntl
import hashlib
import os
import random
import sqlite3
from pathlib import Path

import pytest

from archive import Archive

WORDS = ["banjir", "pemerintah", "kabupaten", "rumah", "sakit", "desa", "warga", "jalan",
         "pembangunan", "dinas", "kesehatan", "sekolah", "pasar", "harga", "beras", "air",
         "bersih", "listrik", "sungai", "tambang", "batu", "bara", "upah", "minimum", "buruh",
         "stunting", "gizi", "sanitasi"]

QUERIES = [("banjir", {}), ("rumah sakit", {}), ('"air bersih"', {"raw": True}),
           ("pemerintah", {"sort": "newest"}), ("pemerintah kabupaten", {"rank": "all"}),
           ("sungai", {"since": "2023-03-01", "until": "2023-06-30"}),
           ("perintah", {}), ("upah", {"source": ["tribunkaltim"]})]


def _records(start: int, count: int, edition: int = 0) -> list[dict[str, object]]:
    out = []
    for n in range(start, start + count):
        rng = random.Random(n * 31 + edition)
        body = "\n\n".join(" ".join(rng.choices(WORDS, k=40)).capitalize() + "."
                           for _ in range(3))
        out.append({"url": f"https://{'kaltimpost' if n % 2 else 'tribunkaltim'}.example/{n}",
                    "source": "kaltimpost" if n % 2 else "tribunkaltim",
                    "title": " ".join(rng.choices(WORDS, k=6)).title(), "body": body,
                    "published_at": f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00+08:00",
                    "authors": ["Sri Wahyuni"]})
    return out


@pytest.fixture
def big(db_path: Path) -> Path:
    """An archive written in many batches (many index segments), with edits (versions)."""
    with Archive(db_path) as archive:
        for key in ("kaltimpost", "tribunkaltim"):
            archive.set_source(key, name=key, timezone="Asia/Makassar")
        crawl = archive.begin_crawl(["kaltimpost", "tribunkaltim"])
        for start in range(0, 600, 25):
            archive.write(_records(start, 25), crawl_id=crawl)
        archive.write(_records(100, 50, edition=1))  # 50 edits: old texts kept as versions
        archive.finish_crawl(crawl, finish_reason="finished", counts={"new": 600}, stats={},
                             sites=[{"source": "kaltimpost", "new": 300}])
    return db_path


def _snapshot(path: Path) -> dict[str, str]:
    """Every table's rows, in order, as a digest per table (the FTS index's own tables
    excepted: merging rewrites them; and term_docs, the word counts maintain makes), and
    every query's results."""
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'articles_fts%' "
        "AND name NOT LIKE 'sqlite_%' AND name != 'term_docs' ORDER BY name")]
    out = {}
    for table in tables:
        digest = hashlib.sha256()
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
            digest.update(repr(row).encode())
        out[table] = digest.hexdigest()
    conn.close()
    with Archive(path, readonly=True) as archive:
        for text, options in QUERIES:
            found = archive.search(text, limit=50, **options)
            out[f"search {text} {options}"] = repr([(r["id"], r["snippet"]) for r in found])
    return out


def test_maintain_changes_no_row_and_no_search_result(warta, big: Path) -> None:
    before = _snapshot(big)
    assert len(before["articles"]) == 64 and before["search banjir {}"] != "[]"
    conn = sqlite3.connect(big)
    segments_before = conn.execute("SELECT count(*) FROM articles_fts_data").fetchone()[0]
    conn.close()
    status, out, err = warta("maintain", "--vacuum", "--db", str(big))
    assert (status, err) == (0, "")
    assert "merged the full-text index" in out and "VACUUM" in out
    assert f"{big}: " in out.splitlines()[-1] and " before, " in out.splitlines()[-1]
    assert _snapshot(big) == before
    conn = sqlite3.connect(big)
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    assert conn.execute("SELECT count(*) FROM articles_fts_data").fetchone()[0] < segments_before
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 50


def test_maintain_refuses_while_a_crawl_holds_the_lock(warta, big: Path) -> None:
    state = big.with_name(big.name + ".state")
    state.mkdir()
    fd = os.open(state / "crawl.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what a running crawl holds
    try:
        before = big.read_bytes()
        status, out, err = warta("maintain", "--db", str(big))
    finally:
        os.close(fd)
    assert status == 75 and out == ""
    assert err.startswith(f"Error: a crawl is running on {big}") and err.count("\n") == 1
    assert big.read_bytes() == before
    assert warta("maintain", "--db", str(big))[0] == 0  # the crawl ended: it runs


def test_maintain_refuses_while_another_program_writes(warta, big: Path) -> None:
    other = sqlite3.connect(big, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        status, _, err = warta("maintain", "--db", str(big))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert status == 75
    assert err.startswith(f"Error: another program is writing {big}") and err.count("\n") == 1


def test_maintain_without_an_archive_says_so(warta, tmp_path: Path) -> None:
    status, _, err = warta("maintain", "--db", str(tmp_path / "none.db"))
    assert status == 1 and "no archive at" in err and not (tmp_path / "none.db").exists()
