"""Time warta's extraction against trafilatura.extract on the same real pages, same run.

For each page of ../shared/realpages (or $WARTA_REALPAGES), both extractors get the same bytes
and URL; each is timed N times (interleaved, so machine noise hits both alike) and the page's
median kept. Printed: the median over pages of those medians, for each, plus both body F1s
against `reference_body` (4-word shingles, `crawler/extract/scoring.py`).

Then the development set (`../shared/devset` or $WARTA_DEVSET: 1,195 pages of templates warta
was never shown, where warta's body is in doubt more often and its second opinion calls
trafilatura): each page once per extractor (`--devset-runs`), interleaved, against
trafilatura's `bare_extraction(with_metadata=True)` (the devset's quality baseline: every
field, as warta reads every field). Printed: median and mean ms per page for each, and how
many pages asked for the second opinion. The mean matters there: a page that asks costs
warta's time plus trafilatura's, and the median hides those pages.

    python bench/extract_speed.py [--n N] [--devset-runs N] [--skip-realpages] [--skip-devset]

Targets: on the real pages, warta at most half of trafilatura's time (ratio <= 0.5) at equal or
better body F1; on the devset, warta's mean at most 0.6 of trafilatura's (mean_ratio <= 0.6).
Each summary line is `key=value` pairs; `ratio` is warta's median ms over trafilatura's,
`mean_ratio` its mean over trafilatura's. The devset's line comes last.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import _devset

from crawler.extract import extract_article, second_opinion
from crawler.extract.scoring import body_f1, load_truth, realpages_dir


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return (time.perf_counter() - start) * 1000.0, out


def _devset_speed(runs: int) -> int:
    import trafilatura

    folder = _devset.devset_dir()
    if folder is None:
        print("error: no devset (set WARTA_DEVSET or put it in ../shared/devset)",
              file=sys.stderr)
        return 2
    asked = 0
    ask = second_opinion.trafilatura_lines

    def counted(html: str, url: str, full: bool = False) -> list[str]:
        nonlocal asked
        asked += 1
        return ask(html, url, full)

    second_opinion.trafilatura_lines = counted
    warta_ms: list[float] = []
    traf_ms: list[float] = []
    pages = 0
    try:
        for _key, url, data in _devset.pages(folder):
            pages += 1
            mine: list[float] = []
            theirs: list[float] = []
            for _ in range(max(1, runs)):
                mine.append(_timed(lambda: extract_article(data, url))[0])  # noqa: B023
                theirs.append(_timed(lambda: trafilatura.bare_extraction(
                    data, url=url, with_metadata=True))[0])  # noqa: B023
            warta_ms.append(statistics.median(mine))
            traf_ms.append(statistics.median(theirs))
    finally:
        second_opinion.trafilatura_lines = ask
    runs_done = max(1, runs)
    print(f"devset pages={pages} runs={runs_done} warta_ms={statistics.median(warta_ms):.2f} "
          f"trafilatura_ms={statistics.median(traf_ms):.2f} "
          f"warta_mean_ms={statistics.mean(warta_ms):.2f} "
          f"trafilatura_mean_ms={statistics.mean(traf_ms):.2f} "
          f"second_opinion_share={asked / runs_done / pages:.3f} "
          f"ratio={statistics.median(warta_ms) / statistics.median(traf_ms):.3f} "
          f"mean_ratio={statistics.mean(warta_ms) / statistics.mean(traf_ms):.3f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=7, help="timed runs per page (default 7)")
    parser.add_argument("--devset-runs", type=int, default=1,
                        help="timed runs per devset page (default 1)")
    parser.add_argument("--skip-realpages", action="store_true", help="time the devset only")
    parser.add_argument("--skip-devset", action="store_true", help="time the real pages only")
    args = parser.parse_args(argv)
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        print("error: trafilatura is the baseline; install it", file=sys.stderr)
        return 2
    status = 0 if args.skip_realpages else _realpages_speed(args.n)
    if status == 0 and not args.skip_devset:
        status = _devset_speed(args.devset_runs)
    return status


def _realpages_speed(runs: int) -> int:
    import trafilatura

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
        for _ in range(max(1, runs)):
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
    print(f"pages={len(entries)} runs={runs} warta_ms={mine_median:.2f} "
          f"trafilatura_ms={theirs_median:.2f} warta_mean_ms={statistics.mean(warta_ms):.2f} "
          f"trafilatura_mean_ms={statistics.mean(traf_ms):.2f} "
          f"warta_f1={statistics.mean(warta_f1):.3f} "
          f"trafilatura_f1={statistics.mean(traf_f1):.3f} ratio={mine_median / theirs_median:.3f} "
          f"mean_ratio={statistics.mean(warta_ms) / statistics.mean(traf_ms):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
