"""Score warta's extraction on the real pages in ../shared/realpages (or $WARTA_REALPAGES).

Metrics (see `crawler/extract/scoring.py`): title exact-match rate, publication instant match
rate, author match rate, body F1 against `reference_body` (4-word shingles), first/last
sentence containment. Baseline in the same run: trafilatura.extract's body F1 on the same
pages. Targets: title >= 0.95, date >= 0.90, body F1 >= 0.90.

Then the development set (`../shared/devset` or $WARTA_DEVSET, pages of templates warta was
never shown), scored by the set's own `score.py`, for warta and for trafilatura 2.x
(`bare_extraction(with_metadata=True)`) in the same run: one line per part, `all`, `tune`
(the publishers rules may be tuned on) and `holdout` (one fifth of the publishers, fixed by a
hash of the registrable domain before any page was read; see `bench/_devset.py`).

    python bench/extraction_eval.py [--n N] [--verbose] [--skip-realpages] [--skip-devset]
                                    [--no-baseline] [--part all|tune|holdout] [--save PRED.jsonl]

The realpages summary line is `key=value` pairs; `ratio` is warta's body F1 over
trafilatura's. Each devset line is `devset EXTRACTOR PART` and `score.py`'s `key=value` pairs.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import _devset

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


def _trafilatura_fields(data: bytes, url: str) -> dict[str, Any]:
    """trafilatura's own reading of a page, with the devset's field names."""
    import trafilatura

    doc = trafilatura.bare_extraction(data, url=url, with_metadata=True)
    if doc is None:
        return {}
    return {"title": doc.title, "published_at": doc.date, "authors": doc.author,
            "body": doc.text}


def _score_devset(args: argparse.Namespace) -> int:
    folder = _devset.devset_dir()
    if folder is None:
        print("error: no devset (set WARTA_DEVSET or put it in ../shared/devset)",
              file=sys.stderr)
        return 2
    parts = _devset.PARTS if args.part == "all" else (args.part,)
    mine = _devset.predict(folder, lambda data, url: extract_article(data, url), args.part)
    if args.save:
        with open(args.save, "w", encoding="utf-8") as fh:
            for p in mine:
                fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    runs = [("warta", mine)]
    if not args.no_baseline:
        try:
            runs.append(("trafilatura", _devset.predict(folder, _trafilatura_fields, args.part)))
        except ImportError:
            print("devset trafilatura: not installed", file=sys.stderr)
    for name, predictions in runs:
        for part in parts:
            print(f"devset {name:11} {part:7} {_devset.score(folder, predictions, part)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=None, help="score only the first N pages")
    parser.add_argument("--verbose", action="store_true", help="print each page's misses")
    parser.add_argument("--skip-realpages", action="store_true", help="score the devset only")
    parser.add_argument("--skip-devset", action="store_true", help="score the real pages only")
    parser.add_argument("--no-baseline", action="store_true",
                        help="devset: do not run trafilatura beside warta")
    parser.add_argument("--part", choices=_devset.PARTS, default="all",
                        help="devset: read and score only this part (default: all, then each)")
    parser.add_argument("--save", metavar="PRED.jsonl", help="devset: write warta's predictions")
    args = parser.parse_args(argv)
    status = 0 if args.skip_realpages else _realpages(args)
    if status == 0 and not args.skip_devset:
        status = _score_devset(args)
    return status


def _realpages(args: argparse.Namespace) -> int:
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
