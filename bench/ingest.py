"""Ingest rate of `Archive.write` against the plain-SQLite floor, in the same run.

    python bench/ingest.py --n 100000

N synthetic articles (about 3 KB of Indonesian-like text, ten related links each from a
shared pool) are written through `Archive.write` in batches. The floor writes the same rows
with `sqlite3` `executemany` into a bare table with an FTS5 index (same tokenizer, same
pragmas), doing none of warta's work (checks, dedupe by URL, versions, links). Only the
database calls are timed; generating the articles is not. Target (issue 19): warta at least
0.7x the floor's rate at 300,000 articles. The floor is a plain program's `executemany`, one
statement a row; FTS5 writes a segment at the end of each statement, so a floor that first
staged its rows in a temporary table and moved them with one INSERT ... SELECT, as
`Archive.write` does, would be faster: 0.36 against 0.50 ms of CPU an article at 20,000.
The archive is kept as bench/out/ingest-N.db for bench/search.py.

What grows with the archive is warta's, not the floor's: the pages a batch changes beyond its
own rows. Writing 2,000 more articles into the 300,000-article archive put 30,297 pages into
the write-ahead log (60 KB an article of ~3.5 KB): 9,836 of `links` (each related link's
`times_seen` and `last_seen_at`; this corpus draws its links uniformly from the whole pool,
so a batch touches a third of the table), 9,765 of the full-text index (the floor's too),
2,683 of `articles`, and ~2,200 each of the indexes on `published_utc`, `(source,
published_date)` and `uid` (dates drawn at random over four years, and a hash: random places
in each index). A crawl's related links and dates mostly point at recent articles, so its
batches touch fewer pages than this corpus's.

The rates are wall-clock; on a machine other work keeps busy, the two halves run at different
loads and their ratio says more about the load than about warta (a run at a load of 6 to 10
gave 1.17). The CPU time of the same calls (SQLite runs in the process) is printed beside
them: `cpu_ratio` is the floor's CPU per article over warta's.

Last line: n=… batch=… warta_cpu_ms_article=… floor_cpu_ms_article=… cpu_ratio=…
warta_articles_s=… floor_articles_s=… ratio=…
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from pathlib import Path

import _synth

from archive import Archive, WriteResult
from archive.schema import TOKENIZER
from archive.store import CACHE_KIB

OUT = Path(__file__).resolve().parent / "out"
#: Articles per write: what the crawler's archive pipeline batches (a few seconds of crawling).
BATCH = 500


def archive_path(n: int) -> Path:
    return OUT / f"ingest-{n}.db"


def remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def build_archive(path: Path, n: int, batch: int = BATCH, seed: int = 1,
                  quiet: bool = False, cpu: list[float] | None = None
                  ) -> tuple[float, WriteResult]:
    """Write the n-article corpus into a new archive; return (seconds in write, counts).
    `cpu`, when given, gets the CPU seconds of those writes appended."""
    remove(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    total = WriteResult()
    spent = 0.0
    spent_cpu = 0.0
    with Archive(path) as archive:
        for key, tz, region in _synth.source_rows():
            archive.set_source(key, name=key, timezone=tz, region=region)
        for number, rows in enumerate(_synth.batches(n, batch, seed)):
            started, started_cpu = time.perf_counter(), time.process_time()
            total = total + archive.write(rows)
            spent += time.perf_counter() - started
            spent_cpu += time.process_time() - started_cpu
            if not quiet and number % 20 == 0:
                print(f"  warta: {min(n, (number + 1) * batch):,}/{n:,}", file=sys.stderr)
        # What the end of a crawl does (`finish_crawl`): stem the words the writes left
        # pending. Not in the rate: the synthetic vocabulary is 30,000 pseudo-words that
        # Sastrawi takes 1-2 ms each to give up on (real words: 0.25 ms), once per archive.
        started = time.perf_counter()
        stemmed = archive.stem_pending()
        if not quiet:
            print(f"  warta: stemmed the {stemmed:,} pending words in "
                  f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    if cpu is not None:
        cpu.append(spent_cpu)
    return spent, total


_FLOOR_SCHEMA = f"""
CREATE TABLE articles (id INTEGER PRIMARY KEY, url TEXT, source TEXT, title TEXT, body TEXT,
    published_at TEXT, published_raw TEXT, dateline TEXT, authors TEXT, section TEXT,
    language TEXT, fetched_at TEXT, http_status INTEGER, word_count INTEGER,
    content_hash TEXT, related TEXT, provenance TEXT);
CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, content='articles',
    content_rowid='id', tokenize='{TOKENIZER}');
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
"""
_FLOOR_COLUMNS = ("url", "source", "title", "body", "published_at", "published_raw", "dateline",
                  "authors", "section", "language", "fetched_at", "http_status", "word_count",
                  "content_hash", "related", "provenance")


def floor(path: Path, n: int, batch: int = BATCH, seed: int = 1,
          cpu: list[float] | None = None) -> float:
    """The same rows by plain executemany into a bare table + FTS5; seconds in SQLite.
    `cpu`, when given, gets the CPU seconds of those calls appended."""
    remove(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.executescript(_FLOOR_SCHEMA)
    sql = (f"INSERT INTO articles ({', '.join(_FLOOR_COLUMNS)}) "
           f"VALUES ({', '.join('?' * len(_FLOOR_COLUMNS))})")
    spent = spent_cpu = 0.0
    for rows in _synth.batches(n, batch, seed):
        values = [tuple(json.dumps(r[c], ensure_ascii=False) if isinstance(r[c], list | dict)
                        else r[c] for c in _FLOOR_COLUMNS) for r in rows]
        started, started_cpu = time.perf_counter(), time.process_time()
        conn.execute("BEGIN")
        conn.executemany(sql, values)
        conn.execute("COMMIT")
        spent += time.perf_counter() - started
        spent_cpu += time.process_time() - started_cpu
    conn.close()
    remove(path)
    if cpu is not None:
        cpu.append(spent_cpu)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles (default 100000)")
    parser.add_argument("--batch", type=int, default=BATCH, help="articles per write")
    args = parser.parse_args()
    cpu: list[float] = []
    print(f"floor: {args.n:,} articles by executemany ...", file=sys.stderr)
    floor_seconds = floor(OUT / f"floor-{args.n}.db", args.n, args.batch, cpu=cpu)
    print(f"warta: {args.n:,} articles through Archive.write ...", file=sys.stderr)
    warta_seconds, result = build_archive(archive_path(args.n), args.n, args.batch, cpu=cpu)
    print(f"counts: {result}", file=sys.stderr)
    warta_rate = args.n / warta_seconds
    floor_rate = args.n / floor_seconds
    floor_cpu, warta_cpu = cpu
    print(f"n={args.n} batch={args.batch} warta_cpu_ms_article={warta_cpu / args.n * 1000:.3f} "
          f"floor_cpu_ms_article={floor_cpu / args.n * 1000:.3f} "
          f"cpu_ratio={floor_cpu / warta_cpu:.2f} warta_articles_s={warta_rate:.0f} "
          f"floor_articles_s={floor_rate:.0f} ratio={warta_rate / floor_rate:.2f}")


if __name__ == "__main__":
    main()
