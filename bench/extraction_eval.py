"""Score warta's extraction on the real pages in ../shared/realpages (or $WARTA_REALPAGES).

Metrics (see `crawler/extract/scoring.py`): title exact-match rate, publication instant match
rate, author match rate, body F1 against `reference_body` (4-word shingles), first/last
sentence containment. Baseline in the same run: trafilatura.extract's body F1 on the same
pages. Targets: title >= 0.95, date >= 0.90, body F1 >= 0.90.

    python bench/extraction_eval.py [--n N] [--verbose]

The last line is `key=value` pairs; `ratio` is warta's body F1 over trafilatura's.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.extract import extract_article
from crawler.extract.scoring import body_f1, evaluate, load_truth, realpages_dir


def _trafilatura_f1(folder: Any, limit: int | None) -> float | None:
    try:
        import trafilatura
    except ImportError:
        return None
    scores = []
    for entry in load_truth(folder)[:limit]:
        if not entry.get("reference_body"):
            continue
        html = (folder / entry["file"]).read_bytes().decode("utf-8", "replace")
        scores.append(body_f1(trafilatura.extract(html, url=entry["url"]), entry["reference_body"]))
    return sum(scores) / len(scores) if scores else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=None, help="score only the first N pages")
    parser.add_argument("--verbose", action="store_true", help="print each page's misses")
    args = parser.parse_args(argv)
    folder = realpages_dir()
    if folder is None:
        print(
            "error: no real pages (set WARTA_REALPAGES or put them in ../shared/realpages)",
            file=sys.stderr,
        )
        return 2
    scores, summary = evaluate(folder, lambda data, url: extract_article(data, url), args.n)
    for s in scores:
        f1 = f"{s.body_f1:.3f}" if s.body_f1 is not None else "  -  "
        flags = " ".join(
            f"{name}={'ok' if value else 'MISS'}"
            for name, value in (
                ("title", s.title),
                ("date", s.date),
                ("author", s.author),
                ("first", s.first),
                ("last", s.last),
            )
            if value is not None
        )
        print(f"{s.file[6:56]:50} f1={f1} {flags}")
        if args.verbose and s.notes:
            for note in s.notes:
                print(f"    {note}")
    baseline = _trafilatura_f1(folder, args.n)
    ratio = summary["body_f1"] / baseline if baseline else float("nan")
    print(
        f"pages={int(summary['pages'])} title={summary['title']:.3f} date={summary['date']:.3f} "
        f"author={summary['author']:.3f} body_f1={summary['body_f1']:.3f} "
        f"first={summary['first']:.3f} last={summary['last']:.3f} "
        f"trafilatura_body_f1={baseline if baseline is not None else float('nan'):.3f} "
        f"ratio={ratio:.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
