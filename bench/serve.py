"""The search page of `warta serve` on the bench/ingest.py archive: p50 and p95 of everything
the page reads (results, total, six facets, the chart's counts per month), against
`Archive.search` alone (the first page of `warta search`) for the same queries in the same run.

    python bench/serve.py --n 100000

The 20 queries of bench/search.py, without filters (as a page is first opened), plus the page
with no query at all (facets over the whole archive). Measured in-process on
`archive.serve.pages.search_page`, which the plugin runs for each request: HTTP and the
template add a few milliseconds.

Last line: n=… page_p50_ms=… page_p95_ms=… empty_page_ms=… search_p50_ms=… search_p95_ms=…
ratio_p95=…
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from ingest import archive_path, build_archive
from search import percentile, queries

from archive import Archive
from archive.serve.pages import search_page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles (default 100000)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each query")
    args = parser.parse_args()
    path = archive_path(args.n)
    if not path.exists():
        print(f"building {path} ...", file=sys.stderr)
        build_archive(path, args.n, quiet=True)
    Archive(path).close()  # an archive left by an older warta is upgraded first
    page: list[float] = []
    baseline: list[float] = []
    empty: list[float] = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        result = search_page(path, {})
        empty.append((time.perf_counter() - started) * 1000)
        assert not result.problems, result.problems
        for text, _source, _since, _until in queries():
            started = time.perf_counter()
            result = search_page(path, {"q": [text]})
            page.append((time.perf_counter() - started) * 1000)
            assert not result.problems, result.problems
            started = time.perf_counter()
            with Archive(path, create=False, readonly=True) as archive:
                archive.search(text, limit=20)
            baseline.append((time.perf_counter() - started) * 1000)
    p95, base95 = percentile(page, 0.95), percentile(baseline, 0.95)
    print(f"n={args.n} page_p50_ms={statistics.median(page):.1f} page_p95_ms={p95:.1f} "
          f"empty_page_ms={statistics.median(empty):.1f} "
          f"search_p50_ms={statistics.median(baseline):.1f} search_p95_ms={base95:.1f} "
          f"ratio_p95={p95 / base95:.1f}")


if __name__ == "__main__":
    main()
