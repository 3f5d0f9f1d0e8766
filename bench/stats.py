"""What counting `published_precision` costs `warta stats`, against the stats scan without it.

    python bench/stats.py --n 100000

The column was added by migration 4 with ALTER TABLE, so it sits after the body: a scan that
reads it walks the overflow pages of every row too long for one page. This bench copies the
synthetic archive of bench/ingest.py (built when missing) to a temporary folder, gives its rows
a precision (80% time, 15% day, 5% relative) and doubles the body of `--long-share` of them
(the synthetic bodies, ~3 KB, all fit a 4 KB page; real ones often do not), then times, median
of `--rounds` warm runs:

- `scan`: the per-outlet coverage scan of `warta stats` without the precision (the baseline);
- `warta`: that scan plus the count of `time` rows that `archive/stats.py` reads from the
  partial index `articles_timed` (what `warta stats` does now);
- `inline`: the scan with `sum(published_precision = 'time')` in it (the index's alternative).

Last line: n=… long_share=… scan_ms=… warta_ms=… inline_ms=… ratio=… inline_ratio=…
(ratio = warta / scan; inline_ratio = inline / scan).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ingest import archive_path, build_archive

from archive import Archive
from archive.stats import COVERAGE_COLUMNS, TIMED_COUNTS

SCAN = (f"SELECT s.key AS source, {COVERAGE_COLUMNS} FROM sources s "
        "LEFT JOIN articles a ON a.source = s.key GROUP BY s.key")
INLINE = (f"SELECT s.key AS source, {COVERAGE_COLUMNS}, sum(a.published_precision = 'time') "
          "FROM sources s LEFT JOIN articles a ON a.source = s.key GROUP BY s.key")


def prepare(source: Path, copy: Path, long_share: float) -> None:
    """A copy of the bench archive with precisions and `long_share` of bodies doubled."""
    src, dst = sqlite3.connect(f"file:{source}?mode=ro", uri=True), sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    Archive(copy).close()  # migrated to the current schema
    conn = sqlite3.connect(copy, isolation_level=None)
    conn.execute("DROP TRIGGER articles_fts_update")  # search is not timed here
    conn.execute("BEGIN")
    conn.execute("UPDATE articles SET published_precision = CASE WHEN id % 20 = 0 THEN "
                 "'relative' WHEN id % 20 < 4 THEN 'day' ELSE 'time' END")
    conn.execute("UPDATE articles SET body = body || char(10) || char(10) || body "
                 "WHERE (id * 7919) % 1000 < ?", (round(long_share * 1000),))
    conn.execute("COMMIT")
    conn.close()


def median_ms(run: Callable[[], object], rounds: int) -> float:
    run()  # warm the page cache, as a second `warta stats` would find it
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles (default 100000)")
    parser.add_argument("--long-share", type=float, default=0.4,
                        help="share of bodies made longer than a page (default 0.4)")
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each (default 5)")
    args = parser.parse_args()
    source = archive_path(args.n)
    if not source.exists():
        print(f"building {source} ...", file=sys.stderr)
        build_archive(source, args.n, quiet=True)
    with tempfile.TemporaryDirectory(prefix="warta-bench-stats-") as folder:
        copy = Path(folder) / "stats.db"
        print(f"copying {source.name} and setting precisions ...", file=sys.stderr)
        prepare(source, copy, args.long_share)
        with Archive(copy, create=False, readonly=True) as archive:
            conn = archive.connection
            timed = dict(conn.execute(TIMED_COUNTS).fetchall())
            inline = {row[0]: row[-1] for row in conn.execute(INLINE)}
            assert timed == {k: v for k, v in inline.items() if v}, (timed, inline)
            scan = median_ms(lambda: conn.execute(SCAN).fetchall(), args.rounds)
            warta = median_ms(lambda: (conn.execute(SCAN).fetchall(),
                                       conn.execute(TIMED_COUNTS).fetchall()), args.rounds)
            inline_ms = median_ms(lambda: conn.execute(INLINE).fetchall(), args.rounds)
    print(f"n={args.n} long_share={args.long_share} scan_ms={scan:.0f} warta_ms={warta:.0f} "
          f"inline_ms={inline_ms:.0f} ratio={warta / scan:.2f} "
          f"inline_ratio={inline_ms / scan:.2f}")


if __name__ == "__main__":
    main()
