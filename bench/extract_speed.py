"""Time warta's extraction against trafilatura.extract on the same real pages, same run.

For each page of ../shared/realpages (or $WARTA_REALPAGES), both extractors get the same bytes
and URL; each is timed N times (interleaved, so machine noise hits both alike) and the page's
median kept. Printed: the median over pages of those medians, for each, plus both body F1s
against `reference_body` (4-word shingles, `crawler/extract/scoring.py`).

    python bench/extract_speed.py [--n N]

Target: warta at most half of trafilatura's time (ratio <= 0.5) at equal or better body F1.
The last line is `key=value` pairs; `ratio` is warta's median ms over trafilatura's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from crawler.extract import extract_article
from crawler.extract.scoring import body_f1, load_truth, realpages_dir


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return (time.perf_counter() - start) * 1000.0, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=7, help="timed runs per page (default 7)")
    args = parser.parse_args(argv)
    try:
        import trafilatura
    except ImportError:
        print("error: trafilatura is the baseline; install the test extra", file=sys.stderr)
        return 2
    folder = realpages_dir()
    if folder is None:
        print("error: no real pages (set WARTA_REALPAGES or put them in ../shared/realpages)",
              file=sys.stderr)
        return 2
    entries = load_truth(folder)
    warta_ms: list[float] = []
    traf_ms: list[float] = []
    warta_f1: list[float] = []
    traf_f1: list[float] = []
    for entry in entries:
        data = (folder / entry["file"]).read_bytes()
        url = entry["url"]
        extract_article(data, url)  # warm-up: imports, regex and selector caches
        trafilatura.extract(data, url=url)
        mine: list[float] = []
        theirs: list[float] = []
        result: dict[str, Any] = {}
        text: str | None = None
        for _ in range(max(1, args.n)):
            ms, result = _timed(lambda: extract_article(data, url))  # noqa: B023
            mine.append(ms)
            ms, text = _timed(lambda: trafilatura.extract(data, url=url))  # noqa: B023
            theirs.append(ms)
        warta_ms.append(statistics.median(mine))
        traf_ms.append(statistics.median(theirs))
        if entry.get("reference_body"):
            warta_f1.append(body_f1(result.get("body"), entry["reference_body"]))
            traf_f1.append(body_f1(text, entry["reference_body"]))
        print(f"{entry['file'][6:56]:50} warta={warta_ms[-1]:6.2f}ms "
              f"trafilatura={traf_ms[-1]:6.2f}ms")
    mine_median = statistics.median(warta_ms)
    theirs_median = statistics.median(traf_ms)
    print(f"pages={len(entries)} runs={args.n} warta_ms={mine_median:.2f} "
          f"trafilatura_ms={theirs_median:.2f} warta_f1={statistics.mean(warta_f1):.3f} "
          f"trafilatura_f1={statistics.mean(traf_f1):.3f} ratio={mine_median / theirs_median:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
