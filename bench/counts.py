"""Time of `warta counts QUERY --by month` over all outlets, against a bare SQL GROUP BY.

    python bench/counts.py --n 200000

On the synthetic archive of bench/ingest.py (N articles over six years and eight outlets,
built when missing, reusing bench/_synth.py), each of QUERIES query words (from common to
rare) is counted per month and outlet through `archive.counts.counts`, the path `warta counts`
takes: the filters checked, a GROUP BY over every article ("all") and one over the full-text
matches ("matching"), periods filled and shares computed. The baseline, same run, same
archive, same words: the one bare SQL statement a researcher would write for the matching
counts alone (FTS5 MATCH joined to articles, GROUP BY outlet and month). Each is run
`--rounds` times; the figure is the median over all queries and rounds. warta counts each
word with its word forms, as `warta counts` does by default (more matches than the baseline's
word as written); the `--exact` counts are checked against the baseline's. Target: under 1 s
per query at 200,000 articles. The whole command (`python -m crawler.cli counts ...`, a fresh
process each time) is timed too, to show what a user waits for.

Last line: n=… queries=… p50_ms=… p95_ms=… baseline_p50_ms=… ratio=… cli_p50_ms=… target_ms=1000
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import _synth
from ingest import archive_path, build_archive

from archive import Archive
from archive.counts import counts

#: The issue's target for a month-level count over all outlets at 200,000 articles.
TARGET_MS = 1000
#: Vocabulary ranks of the query words, from a word in most articles to one in well under 1%
#: (see _synth: Zipf over 30,000 types); the common ones are the slow case (more matches).
QUERY_RANKS = (40, 80, 150, 300, 600, 1200, 2500, 5000)
ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def baseline(conn, word: str) -> int:  # type: ignore[no-untyped-def]
    rows = conn.execute(
        "SELECT a.source, substr(a.published_date, 1, 7) AS month, count(*) FROM articles_fts "
        "JOIN articles a ON a.id = articles_fts.rowid WHERE articles_fts MATCH ? "
        "GROUP BY 1, 2", (f'"{word}"',)).fetchall()
    return sum(r[2] for r in rows)


def cli_once(db: Path, word: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "crawler.cli", "counts", word, "--by", "month",
                    "--format", "csv", "--db", str(db)], check=True, cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200_000, help="articles (default 200000)")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each query (default 5)")
    args = parser.parse_args()
    db = archive_path(args.n)
    if not db.exists():
        print(f"building {db} ...", file=sys.stderr)
        build_archive(db, args.n, quiet=True)
    Archive(db).close()  # an archive left by an older warta is upgraded first
    words = [_synth.WORDS[rank] for rank in QUERY_RANKS]
    warta_ms: list[float] = []
    base_ms: list[float] = []
    with Archive(db, create=False, readonly=True) as archive:
        conn = archive.connection
        for word in words:  # warm the page cache once, as a second query by a user would
            counts(archive, word, by="month")
        for _ in range(args.rounds):
            for word in words:
                started = time.perf_counter()
                counts(archive, word, by="month")  # as `warta counts` runs: word forms too
                warta_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                matched = baseline(conn, word)
                base_ms.append((time.perf_counter() - started) * 1000)
                # the baseline counts the word as written: so must --exact
                result = counts(archive, word, by="month", exact=True)
                found = sum(r["matching"] for r in result.rows) + sum(
                    m for m, _ in result.undated.values())
                assert found == matched, (word, found, matched)
        print("  matches per word: " + ", ".join(
            f"{w} {sum(r['matching'] for r in counts(archive, w, by='month').rows):,}"
            for w in words), file=sys.stderr)
    cli = [cli_once(db, word) * 1000 for word in words[:3]]
    p50 = statistics.median(warta_ms)
    base = statistics.median(base_ms)
    print(f"n={args.n} queries={len(words)} timings={len(warta_ms)} p50_ms={p50:.0f} "
          f"p95_ms={percentile(warta_ms, 0.95):.0f} max_ms={max(warta_ms):.0f} "
          f"baseline_p50_ms={base:.0f} ratio={p50 / base:.2f} "
          f"cli_p50_ms={statistics.median(cli):.0f} target_ms={TARGET_MS}")


if __name__ == "__main__":
    main()
