"""Search latency: p50 and p95 of `Archive.search`, against a naive FTS5 query in the same run.

    python bench/search.py --n 100000                      # the Zipf workload (issue 19)
    python bench/search.py --n 100000 --workload classic   # the bench/ingest.py archive

Zipf workload (`bench/_zipf.py`): articles of 3 KB with a realistic Indonesian news
vocabulary, where everyday words are in tens of thousands of articles, written through
`Archive.write` into bench/out/zipf-N.db (built when missing); 20 everyday queries in four
classes (broad, narrow, phrase, with a date filter) through `Archive.search(q, limit=20)`,
`--rounds` rounds (default 3). The naive baseline: FTS5 `MATCH ... ORDER BY rank LIMIT 20`
with snippets over every match. Prints p50/p95 per class and which ranking each query used;
`--rank all` times the exact ranking over every match instead. `--sizes` prints where the
archive's bytes go (each table and index against the raw text of titles and bodies, from
SQLite's `dbstat`); `--floor-size` the smallest file the same text could be searched in with
the same index: a bare table of title and body with the same FTS5 index, merged and vacuumed,
at 4 KB and 64 KB pages (a 3 KB row fills a 4 KB page alone); `--maintain` (`--vacuum`) runs
`warta maintain` on it first, timed;
`--orders` prints the first results of the five broad queries newest first and ranked. The
archive is built once per N and reused by later runs (delete it to rebuild); `--db PATH` puts
it elsewhere (a copy kept outside the repository). `--fast` builds a missing archive in bulk
(rows made by `prepare` in another process, `executemany` in transactions of 5,000, word
forms once at the end) instead of through `Archive.write`: the same articles, for
`--n 1000000`; a `--fast` build stopped part way is resumed by the next run.

Last line (zipf): n=… workload=zipf rank=… timings=… p50_ms=… p95_ms=… naive_p50_ms=…
naive_p95_ms=… cpu_p95_ms=… naive_cpu_p95_ms=… ratio_p95=… (naive p95 / warta p95). The
`cpu_` figures are the process's CPU time (the queries run in it, from a warm page cache):
on a machine other work keeps busy they tell the cost without the waiting.

Classic workload: 20 different queries of 1-3 words, each with a source filter, a date range
and snippets (the first page of 20 results, ranked), run `--rounds` times each. The baseline,
in the same run on the same archive: a bare FTS5 `MATCH ... ORDER BY rank LIMIT 20` with
snippets and no filters. The archive bench/out/ingest-N.db is built first when missing.
Target: p95 < 50 ms.

Last line: n=… queries=20 timings=… p50_ms=… p95_ms=… baseline_p50_ms=… baseline_p95_ms=…
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _synth
import _zipf
from ingest import OUT, archive_path, build_archive, remove

from archive import Archive
from archive.maintain import maintain
from archive.query import escape_query
from archive.records import ARTICLE_COLUMNS, prepare
from archive.schema import TOKENIZER

#: Query words are drawn log-uniformly from these vocabulary ranks: above 30 are function
#: words nobody searches for; by 5,000 a word is in well under 1% of articles. The mix holds
#: frequent words (half the corpus) and rare ones, as researchers' queries do.
QUERY_RANKS = (30, 5_000)
QUERIES = 20


def queries(seed: int = 7) -> list[tuple[str, str, str, str]]:
    """(text, source, since, until): 1-3 content words, one outlet, a one-to-three-year range."""
    rng = random.Random(seed)
    low, high = QUERY_RANKS
    out = []
    for number in range(QUERIES):
        words = [_synth.WORDS[int(math.exp(rng.uniform(math.log(low), math.log(high))))]
                 for _ in range(1 + number % 3)]
        source = _synth.SOURCES[number % len(_synth.SOURCES)][0]
        first = 2019 + rng.randrange(4)
        last = min(2024, first + rng.randrange(1, 3))
        out.append((" ".join(words), source, f"{first}-01-01", f"{last}-12-31"))
    return out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def zipf_path(n: int) -> Path:
    return OUT / f"zipf-{n}.db"


def build_zipf(path: Path, n: int, batch: int = 500) -> float:
    """Write the Zipf corpus through `Archive.write`, then stem the words left pending (as
    the end of a crawl does); return the seconds spent in warta."""
    remove(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    spent = 0.0
    with Archive(path) as archive:
        for key, tz, region in _zipf.source_rows():
            archive.set_source(key, name=key, timezone=tz, region=region)
        for number, rows in enumerate(_zipf.batches(n, batch)):
            started = time.perf_counter()
            archive.write(rows)
            spent += time.perf_counter() - started
            if number % 40 == 0:
                print(f"  zipf: {min(n, (number + 1) * batch):,}/{n:,}", file=sys.stderr)
        started = time.perf_counter()
        archive.stem_pending()
        spent += time.perf_counter() - started
    return spent


#: Articles per transaction and per worker's chunk in the bulk build (`--fast`).
FAST_CHUNK = 5_000


def _fast_rows(start: int, n: int) -> list[tuple[object, ...]]:
    """Articles start..start+FAST_CHUNK of the corpus as `articles` rows (a worker's part)."""
    now = "2026-01-01T00:00:00+00:00"
    rows = []
    for index in range(start, min(n, start + FAST_CHUNK)):
        row = prepare(_zipf.article(index, n)).row
        rows.append((*row, now, now, now))
    return rows


def building_marker(path: Path) -> Path:
    """Beside an archive `--fast` is still building: removed when the build is complete."""
    return path.with_name(path.name + ".building")


def build_zipf_fast(path: Path, n: int, workers: int = 2) -> float:
    """The same corpus in bulk, for large N (`--fast`): each article checked and made a row
    by `archive.records.prepare` as `Archive.write` does, in `workers` processes, and
    inserted by `executemany` in transactions of FAST_CHUNK, the full-text index built in
    one pass after them (FTS5 `rebuild`, its insert trigger dropped meanwhile); `word_forms`
    filled once at the end from the index's vocabulary and stemmed
    (`Archive.refresh_word_forms`, `stem_pending`). What a write adds per batch (the lookup
    of known URLs, versions, links, the words of each batch) has nothing to do in a new
    archive of distinct URLs. A build stopped part way (its `.building` marker left beside
    it, holding the dropped trigger) is resumed after its last whole transaction. At most
    `workers + 2` chunks are made ahead of the writer (with the trigger, the insert was the
    slower side: waiting chunks held 1 GB after 130,000 articles). Return the seconds
    spent."""
    marker = building_marker(path)
    if not marker.exists():
        remove(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    started = time.perf_counter()
    trigger = marker.read_text()  # the full-text trigger, while it is dropped
    sql = (f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}, first_seen_at, last_seen_at, "
           f"changed_at) VALUES ({', '.join('?' * (len(ARTICLE_COLUMNS) + 3))})")
    with Archive(path) as archive, multiprocessing.Pool(workers) as pool:
        for key, tz, region in _zipf.source_rows():
            archive.set_source(key, name=key, timezone=tz, region=region)
        conn = archive.connection
        if not trigger:
            # the index is filled in one pass at the end ('rebuild'), not row by row: the
            # trigger cost 0.40 of an insert's 0.50 ms, the rebuild 0.18 ms an article
            trigger = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                   "AND name = 'articles_fts_insert'").fetchone()[0]
            marker.write_text(trigger)
            conn.execute("DROP TRIGGER articles_fts_insert")
        done = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        if done:
            print(f"  zipf --fast: resuming after {done:,}", file=sys.stderr)
        starts = list(range(done, n, FAST_CHUNK))
        waiting = [pool.apply_async(_fast_rows, (start, n)) for start in starts[:workers + 2]]
        for number, start in enumerate(starts):
            rows = waiting.pop(0).get()
            if number + workers + 2 < len(starts):
                waiting.append(pool.apply_async(_fast_rows, (starts[number + workers + 2], n)))
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(sql, rows)
            conn.execute("COMMIT")
            if number % 20 == 0:
                print(f"  zipf --fast: {min(n, start + FAST_CHUNK):,}/{n:,}", file=sys.stderr)
        print("  zipf --fast: building the full-text index", file=sys.stderr)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
        conn.execute(trigger)
        conn.execute("COMMIT")
        archive.refresh_word_forms()
        archive.stem_pending()
    marker.unlink()
    return time.perf_counter() - started


def text_and_file_bytes(conn: sqlite3.Connection, path: Path) -> tuple[int, int]:
    """The raw text of the archive's titles and bodies (UTF-8 bytes, at least 1) and the
    bytes of its file with its write-ahead log."""
    raw = conn.execute("SELECT sum(length(CAST(title AS BLOB)) + length(CAST(body AS BLOB))) "
                       "FROM articles").fetchone()[0] or 1
    size = sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal")
               if Path(f"{path}{s}").exists())
    return raw, size


def print_sizes(path: Path) -> None:
    """Where the archive's bytes go: the file against the raw text of titles and bodies
    (UTF-8), and each table and index (SQLite's `dbstat`), largest first."""
    conn = sqlite3.connect(path)
    raw, size = text_and_file_bytes(conn, path)
    free = conn.execute("PRAGMA freelist_count").fetchone()[0] * conn.execute(
        "PRAGMA page_size").fetchone()[0]
    print(f"size: file {size / 1e6:,.1f} MB, raw text {raw / 1e6:,.1f} MB, "
          f"ratio {size / raw:.2f}; free pages {free / 1e6:,.1f} MB", file=sys.stderr)
    for name, used, payload in conn.execute(
            "SELECT name, sum(pgsize), sum(payload) FROM dbstat GROUP BY name "
            "ORDER BY 2 DESC LIMIT 12"):
        print(f"  {name:30} {used / 1e6:9,.1f} MB ({used / raw:.3f}x raw; "
              f"payload {payload / 1e6:,.1f} MB)", file=sys.stderr)
    conn.close()


#: Page sizes of the bare floor (`--floor-size`): SQLite's default, and its largest, with which
#: a 3 KB row no longer leaves most of a page's last kilobyte empty.
FLOOR_PAGE_SIZES = (4096, 65536)


def print_floor_sizes(path: Path) -> None:
    """The smallest file the archive's text could be searched in with the same index: a bare
    table of id, title and body with the same FTS5 index (tokenizer, columns, external
    content), filled from the archive, merged (`optimize`) and vacuumed, at each of
    FLOOR_PAGE_SIZES; each against the raw text and against the archive's file (built in a
    temporary folder beside the archive, deleted after)."""
    source = sqlite3.connect(path)
    raw, size = text_and_file_bytes(source, path)
    top = source.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
    source.close()
    for page_size in FLOOR_PAGE_SIZES:
        with tempfile.TemporaryDirectory(dir=path.parent) as folder:
            floor_path = Path(folder) / "floor.db"
            conn = sqlite3.connect(floor_path, isolation_level=None)
            conn.execute(f"PRAGMA page_size = {page_size}")
            conn.executescript(f"""
                CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT, body TEXT);
                CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, content='articles',
                    content_rowid='id', tokenize='{TOKENIZER}');
                CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
                    INSERT INTO articles_fts(rowid, title, body)
                    VALUES (new.id, new.title, new.body);
                END;""")
            conn.execute("ATTACH ? AS src", (str(path),))
            for low in range(0, top, FAST_CHUNK):
                conn.execute("INSERT INTO articles SELECT id, title, body FROM src.articles "
                             "WHERE id > ? AND id <= ?", (low, low + FAST_CHUNK))
            conn.execute("DETACH src")
            conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
            conn.execute("VACUUM")
            conn.close()
            floor_size = floor_path.stat().st_size
        print(f"floor size, {page_size:,}-byte pages: file {floor_size / 1e6:,.1f} MB, ratio "
              f"{floor_size / raw:.3f} of the raw text; the archive is {size / floor_size:.2f}x "
              "it", file=sys.stderr)


def print_orders(archive: Archive) -> None:
    """The first results of each broad query in both orders: newest first, and bm25 among
    the candidates (what `warta search` gives by default)."""
    for kind, text, _, _ in _zipf.QUERIES:
        if kind != "broad":
            continue
        for sort in ("newest", "rank"):
            found = archive.search(text, sort=sort, limit=5)
            print(f"  {text!r} sort={sort} ({found.ranking}):", file=sys.stderr)
            for row in found:
                print(f"    {row['id']:>7} {(row['published_at'] or '')[:10]} {row['title'][:60]}",
                      file=sys.stderr)


def zipf_main(args: argparse.Namespace) -> None:
    path = args.db or zipf_path(args.n)
    if not path.exists() or building_marker(path).exists():
        print(f"building {path}{' (--fast)' if args.fast else ''} ...", file=sys.stderr)
        spent = (build_zipf_fast if args.fast else build_zipf)(path, args.n)
        print(f"built in {spent:,.0f} s", file=sys.stderr)
    Archive(path).close()  # an archive left by an older warta is upgraded first
    if args.sizes:
        print_sizes(path)
    if args.floor_size:
        print_floor_sizes(path)
    if args.maintain:
        print(f"warta maintain {path} ({'with' if args.vacuum else 'no'} --vacuum):",
              file=sys.stderr)
        for line in maintain(path, vacuum=args.vacuum).lines():
            print(f"  {line}", file=sys.stderr)
        if args.sizes:
            print_sizes(path)
    timings: dict[str, list[float]] = {}
    cpu: list[float] = []
    naive: list[float] = []
    naive_cpu: list[float] = []
    used: dict[str, str] = {}
    per_query: dict[str, list[float]] = {}
    with Archive(path, create=False, readonly=True) as archive:
        conn = archive.connection
        for _ in range(args.rounds):
            for kind, text, since, until in _zipf.QUERIES:
                started, started_cpu = time.perf_counter(), time.process_time()
                results = archive.search(text, since=since, until=until, limit=20,
                                         rank=args.rank)
                timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                label = text + (f" {since}..{until}" if since else "")
                used[label] = results.ranking
                per_query.setdefault(label, []).append(cpu[-1])
                match = escape_query(text)
                started, started_cpu = time.perf_counter(), time.process_time()
                conn.execute(
                    "SELECT rowid, snippet(articles_fts, 1, '[', ']', '…', 24) FROM articles_fts "
                    "WHERE articles_fts MATCH ? ORDER BY rank LIMIT 20", (match,)).fetchall()
                naive.append((time.perf_counter() - started) * 1000)
                naive_cpu.append((time.process_time() - started_cpu) * 1000)
        if args.orders:
            print_orders(archive)
    for query, how in used.items():
        print(f"  {query}: {how}; cpu median {statistics.median(per_query[query]):.1f} ms",
              file=sys.stderr)
    every = [t for values in timings.values() for t in values]
    for kind, values in timings.items():
        print(f"{kind}: p50_ms={statistics.median(values):.1f} "
              f"p95_ms={percentile(values, 0.95):.1f}")
    p95 = percentile(every, 0.95)
    naive_p95 = percentile(naive, 0.95)
    print(f"n={args.n} workload=zipf rank={args.rank} timings={len(every)} "
          f"p50_ms={statistics.median(every):.1f} p95_ms={p95:.1f} "
          f"naive_p50_ms={statistics.median(naive):.1f} naive_p95_ms={naive_p95:.1f} "
          f"cpu_p95_ms={percentile(cpu, 0.95):.1f} "
          f"naive_cpu_p95_ms={percentile(naive_cpu, 0.95):.1f} "
          f"ratio_p95={naive_p95 / p95:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles (default 100000)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="runs of each query (default 3 for zipf, 5 for classic)")
    parser.add_argument("--workload", choices=("zipf", "classic"), default="zipf")
    parser.add_argument("--rank", choices=("auto", "all"), default="auto",
                        help="auto: bounded candidates for broad queries; all: exact bm25")
    parser.add_argument("--sizes", action="store_true",
                        help="zipf: print where the archive's bytes go (against the raw text)")
    parser.add_argument("--floor-size", action="store_true",
                        help="zipf: the size of the bare floor (title, body and the same FTS5 "
                             "index, merged and vacuumed), against the raw text and the archive")
    parser.add_argument("--maintain", action="store_true",
                        help="zipf: run `warta maintain` on the archive first, timed")
    parser.add_argument("--vacuum", action="store_true", help="with --maintain: --vacuum")
    parser.add_argument("--fast", action="store_true",
                        help="zipf: build a missing archive in bulk (for --n 1000000), not "
                             "through Archive.write")
    parser.add_argument("--db", type=Path, default=None,
                        help="zipf: the archive to build or reuse (default bench/out/zipf-N.db)")
    parser.add_argument("--orders", action="store_true",
                        help="zipf: print the first results of the broad queries, newest "
                             "first and ranked")
    args = parser.parse_args()
    if args.workload == "zipf":
        args.rounds = args.rounds or 3
        zipf_main(args)
        return
    args.rounds = args.rounds or 5
    path = archive_path(args.n)
    if not path.exists():
        print(f"building {path} ...", file=sys.stderr)
        build_archive(path, args.n, quiet=True)
    Archive(path).close()  # an archive left by an older warta is upgraded first
    timings: list[float] = []
    baseline: list[float] = []
    hits = 0
    with Archive(path, create=False, readonly=True) as archive:
        conn = archive.connection
        for _ in range(args.rounds):
            for text, source, since, until in queries():
                started = time.perf_counter()
                results = archive.search(text, source=source, since=since, until=until,
                                         limit=20)
                timings.append((time.perf_counter() - started) * 1000)
                hits += len(results)
                match = " ".join(f'"{w}"' for w in text.split())
                started = time.perf_counter()
                conn.execute(
                    "SELECT rowid, snippet(articles_fts, 1, '[', ']', '…', 24) FROM articles_fts "
                    "WHERE articles_fts MATCH ? ORDER BY rank LIMIT 20", (match,)).fetchall()
                baseline.append((time.perf_counter() - started) * 1000)
    print(f"results per query: {hits / len(timings):.1f}", file=sys.stderr)
    print(f"n={args.n} queries={QUERIES} timings={len(timings)} "
          f"p50_ms={statistics.median(timings):.1f} p95_ms={percentile(timings, 0.95):.1f} "
          f"baseline_p50_ms={statistics.median(baseline):.1f} "
          f"baseline_p95_ms={percentile(baseline, 0.95):.1f}")


if __name__ == "__main__":
    main()
