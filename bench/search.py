"""Search latency on the bench/ingest.py archive: p50 and p95 of `Archive.search`.

    python bench/search.py --n 100000

20 different queries of 1-3 words, each with a source filter, a date range and snippets
(the first page of 20 results, ranked), run `--rounds` times each. The baseline, in the same
run on the same archive: a bare FTS5 `MATCH ... ORDER BY rank LIMIT 20` with snippets and no
filters. The archive bench/out/ingest-N.db is built first when missing. Target: p95 < 50 ms.

Last line: n=… queries=20 timings=… p50_ms=… p95_ms=… baseline_p50_ms=… baseline_p95_ms=…
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time

import _synth
from ingest import archive_path, build_archive

from archive import Archive

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles (default 100000)")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each query")
    args = parser.parse_args()
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
