"""CPU time of `extract_article` a page, this tree against a baseline tree, same run; and the
output-equality check that speed work relies on.

    python bench/extract_cpu.py --baseline ../wt-main [--rounds 3] [--bench-pages 500]
    python bench/extract_cpu.py --dump out.jsonl          # every page's output, keys sorted
    python bench/extract_cpu.py --baseline ../wt-main --check

The pages (a corpus folder, `--corpus DIR`, written once and reused, so that every run reads
the same bytes):

- `bench`: N generated article pages of the demo outlet `kaltimnews` as `bench/crawl.py`
  renders them (plus the bundled articles they link to), read with the profile the crawl bench
  writes;
- `demo`: every article page of the three demo outlets, with each outlet's own profile;
- `realpages`: `../shared/realpages` (article and listing pages), no profile;
- `golden`: `tests/crawler/extract/pages/`, with each sidecar's URL, profile and fetch time;
- `devset`: the 1,195 pages of `../shared/devset` (templates warta was never shown; a page
  whose body is in doubt also pays for the second opinion, trafilatura).

Timing: each tree is timed in a child process of its own (the baseline's `crawler` and
`archive` imported from `--baseline`, e.g. a detached worktree of main: `git worktree add
--detach ../wt-main main`); the two children run at the same time, each pinned to a CPU of
its own, the CPUs swapped every round (`--rounds`): on a shared machine the load of the
moment then falls on both alike (run one after the other, the same tree measured 3.1 and 3.8
ms a page in consecutive runs). A child reads every page into memory, extracts the first
pages of each set once (imports, regex and selector caches), then measures process CPU time
(`time.process_time`) over each set. Printed per round and set, then the median over
rounds; the last line is `key=value` pairs: `bench_ms` and `devset_ms` (CPU ms a page, this
tree), `base_bench_ms`, `base_devset_ms` (the baseline) and `bench_ratio`, `devset_ratio`
(this tree over the baseline: below 1 is faster).

Equality (`--dump`, `--check`): every page's `extract_article` result as one JSON line, keys
sorted, with a fixed fetch time (`FETCHED_AT`, or the sidecar's); `--check` writes both trees'
and prints how many pages were compared and which differ.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

FETCHED_AT = "2026-01-01T00:00:00+00:00"
"""Fetch time of every page without a sidecar's own: fixed, so outputs compare byte for byte."""

BENCH_BASE = "http://127.0.0.1:8765"
DEMO_BASES = {"kaltimnews": "http://127.0.0.1:8701", "mahakampos": "http://127.0.0.1:8702",
              "benuaetam": "http://127.0.0.1:8703"}
TIMED_SETS = ("bench", "devset")
WARM_PAGES = 20
"""Pages of each set extracted once before the timed pass."""


# --- the corpus (built with this tree) ----------------------------------------------------------

def build_corpus(folder: Path, bench_pages: int) -> None:
    """Write every page under `folder` and its `manifest.jsonl` (set, file, url, profile,
    fetched_at); the manifest is written last, so a folder with one is complete."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    import _devset
    from crawl import render_site

    from crawler.demo import build_outlets
    from crawler.demo.site import Request
    from crawler.extract.scoring import load_truth, realpages_dir

    entries: list[dict[str, Any]] = []

    def add(kind: str, path: Path, url: str, profile: tuple[str, dict[str, Any]] | None,
            fetched_at: str = FETCHED_AT) -> None:
        entries.append({"set": kind, "file": str(path.relative_to(folder)), "url": url,
                        "profile": profile, "fetched_at": fetched_at})

    bench = folder / "bench"
    urls = render_site(bench, BENCH_BASE, bench_pages)
    bench_profile = ("bench", {"name": "Bench", "homepage": BENCH_BASE + "/",
                               "timezone": "Asia/Makassar"})
    for url in urls:
        path = bench / url.removeprefix(BENCH_BASE).lstrip("/")
        add("bench", path / "index.html" if url.endswith("/") else path, url, bench_profile)

    demo = folder / "demo"
    for key, outlet in build_outlets(DEMO_BASES).items():
        for art in outlet.snapshot().articles:
            page = outlet.respond(Request("GET", outlet.article_path(art)))
            path = demo / key / f"{art.id}.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(page.body)
            add("demo", path, outlet.article_url(art), (key, outlet.profile()))

    real = realpages_dir()
    if real is not None:
        for entry in load_truth(real):
            path = folder / "realpages" / entry["file"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes((real / entry["file"]).read_bytes())
            add("realpages", path, entry["url"], None)
        for listing in sorted((real / "listing").glob("*.html")):
            path = folder / "realpages" / "listing" / listing.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(listing.read_bytes())
            add("realpages", path, f"https://listing.example.co.id/{listing.stem}/", None)

    golden = ROOT / "tests" / "crawler" / "extract" / "pages"
    for sidecar in sorted(golden.glob("*.json")):
        data = json.loads(sidecar.read_text(encoding="utf-8"))
        html = sidecar.with_suffix(".html")
        if not html.is_file() or "url" not in data:
            continue
        path = folder / "golden" / html.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(html.read_bytes())
        profile = data.get("profile")
        add("golden", path, data["url"], ("golden", profile) if profile else None,
            data.get("fetched_at") or FETCHED_AT)

    devset = _devset.devset_dir()
    if devset is not None:
        for key, url, body in _devset.pages(devset):
            path = folder / "devset" / key.removesuffix(".gz")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            add("devset", path, url, None)

    with (folder / "manifest.jsonl.part").open("w", encoding="utf-8") as fh:
        for entry in entries:
            fh.write(json.dumps(entry) + "\n")
    (folder / "manifest.jsonl.part").rename(folder / "manifest.jsonl")


# --- the child: one tree's extraction -------------------------------------------------------------

def child(tree: Path, folder: Path, mode: str, out: Path | None,
          sets: list[str]) -> None:
    """Import `crawler` from `tree`, then time every timed set (`mode` = `time`) or write every
    page's output (`mode` = `dump`) to `out`."""
    sys.path[:0] = [str(tree)]
    for name in [m for m in sys.modules if m.split(".")[0] in ("crawler", "archive")]:
        del sys.modules[name]
    from datetime import datetime

    import crawler
    from crawler.extract import extract_article
    from crawler.sites import parse_profile

    if Path(crawler.__file__).resolve().parents[1] != tree.resolve():
        raise SystemExit(f"error: crawler imported from {crawler.__file__}, not from {tree}")
    entries = [json.loads(line) for line in (folder / "manifest.jsonl").open(encoding="utf-8")]
    profiles: dict[str, Any] = {}
    pages = []
    for entry in entries:
        profile = None
        if entry["profile"]:
            key, data = entry["profile"]
            cache_key = json.dumps(entry["profile"], sort_keys=True)
            if cache_key not in profiles:
                profiles[cache_key] = parse_profile(key, data)
            profile = profiles[cache_key]
        pages.append((entry, (folder / entry["file"]).read_bytes(), profile,
                      datetime.fromisoformat(entry["fetched_at"])))

    if mode == "dump":
        assert out is not None
        with out.open("w", encoding="utf-8") as fh:
            for entry, body, profile, fetched in pages:
                try:
                    result: Any = extract_article(body, entry["url"], profile=profile,
                                                  fetched_at=fetched)
                except Exception as exc:  # an error is output too: it must not change
                    result = {"error": f"{type(exc).__name__}: {exc}"}
                fh.write(json.dumps({"set": entry["set"], "file": entry["file"],
                                     "result": result}, sort_keys=True, ensure_ascii=False,
                                    default=str) + "\n")
        return

    figures: dict[str, float] = {}
    for kind in sets:
        chosen = [p for p in pages if p[0]["set"] == kind]
        if not chosen:
            continue
        for entry, body, profile, fetched in chosen[:WARM_PAGES]:
            extract_article(body, entry["url"], profile=profile, fetched_at=fetched)
        start = time.process_time()
        for entry, body, profile, fetched in chosen:
            extract_article(body, entry["url"], profile=profile, fetched_at=fetched)
        figures[kind] = (time.process_time() - start) * 1000.0 / len(chosen)
    print(json.dumps(figures))


def _child_args(tree: Path, folder: Path, mode: str, out: Path | None = None,
                sets: str = ",".join(TIMED_SETS)) -> list[str]:
    args = [sys.executable, str(Path(__file__).resolve()), "--child", str(tree),
            "--corpus", str(folder), "--mode", mode, "--sets", sets]
    return [*args, "--out", str(out)] if out is not None else args


def _run_child(tree: Path, folder: Path, mode: str, out: Path | None = None) -> None:
    subprocess.run(_child_args(tree, folder, mode, out), stdout=subprocess.DEVNULL, check=True,
                   env={**os.environ, "PYTHONHASHSEED": "0"})


def _time_pair(trees: dict[str, Path], folder: Path, sets: str,
               cpus: list[int]) -> dict[str, dict[str, float]]:
    """Both trees timed at the same time, each child on a CPU of its own (`cpus`, when there
    are two), so that the shared machine's load falls on both alike."""
    children = {}
    for i, (side, tree) in enumerate(trees.items()):
        cpu = {cpus[i]} if len(cpus) >= 2 else None
        children[side] = subprocess.Popen(
            _child_args(tree, folder, "time", sets=sets), stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
            preexec_fn=(lambda c=cpu: os.sched_setaffinity(0, c)) if cpu else None)
    figures = {}
    for side, child in children.items():
        out, _ = child.communicate()
        if child.returncode:
            raise SystemExit(f"error: the {side} tree's child failed ({child.returncode})")
        figures[side] = json.loads(out.strip().splitlines()[-1])
    return figures


def _check(tree: Path, baseline: Path, folder: Path, saved: Path | None) -> int:
    with tempfile.TemporaryDirectory(prefix="warta-extract-eq-") as tmp:
        mine = Path(tmp) / "mine.jsonl"
        _run_child(tree, folder, "dump", mine)
        if saved is not None and saved.is_file():
            theirs = saved
        else:
            theirs = saved or Path(tmp) / "base.jsonl"
            _run_child(baseline, folder, "dump", theirs)
        a = mine.read_text(encoding="utf-8").splitlines()
        b = theirs.read_text(encoding="utf-8").splitlines()
    if len(a) != len(b):
        print(f"error: {len(a)} pages against {len(b)}: not the same corpus", file=sys.stderr)
        return 1
    differ = [json.loads(x)["file"] for x, y in zip(a, b, strict=True) if x != y]
    for name in differ[:20]:
        print(f"differs: {name}")
    counts: dict[str, int] = {}
    for line in a:
        kind = json.loads(line)["set"]
        counts[kind] = counts.get(kind, 0) + 1
    print(" ".join(f"{k}={v}" for k, v in counts.items())
          + f" pages={len(a)} differences={len(differ)}")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--baseline", type=Path, help="the tree to compare with (a worktree)")
    parser.add_argument("--rounds", type=int, default=3, help="alternated runs (default 3)")
    parser.add_argument("--bench-pages", type=int, default=500,
                        help="generated pages when the corpus is built (default 500)")
    parser.add_argument("--corpus", type=Path,
                        default=Path(tempfile.gettempdir()) / "warta-extract-corpus",
                        help="the corpus folder, built when it has no manifest")
    parser.add_argument("--sets", default=",".join(TIMED_SETS),
                        help="the sets to time, comma-separated (default: bench,devset)")
    parser.add_argument("--dump", type=Path, help="write this tree's outputs to FILE and stop")
    parser.add_argument("--check", action="store_true",
                        help="compare this tree's outputs with the baseline's")
    parser.add_argument("--saved", type=Path,
                        help="with --check: the baseline's outputs, written once and reused")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="time", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    folder: Path = args.corpus
    if args.child is not None:
        child(args.child, folder, args.mode, args.out, args.sets.split(","))
        return 0
    if not (folder / "manifest.jsonl").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        build_corpus(folder, args.bench_pages)
        print(f"corpus written to {folder} in {time.monotonic() - started:.0f} s",
              file=sys.stderr)
    if args.dump is not None:
        _run_child(ROOT, folder, "dump", args.dump)
        return 0
    if args.baseline is None:
        print("error: --baseline TREE is needed to time or check against (e.g. a detached "
              "worktree of main: git worktree add --detach ../wt-main main)", file=sys.stderr)
        return 2
    if args.check:
        return _check(ROOT, args.baseline, folder, args.saved)
    runs: dict[str, list[dict[str, float]]] = {"mine": [], "base": []}
    cpus = sorted(os.sched_getaffinity(0))[:2] if hasattr(os, "sched_getaffinity") else []
    for round_no in range(max(1, args.rounds)):
        # the CPUs swap sides every round
        order = {"base": args.baseline, "mine": ROOT}
        if round_no % 2:
            order = {"mine": ROOT, "base": args.baseline}
        for side, figures in _time_pair(order, folder, args.sets, cpus).items():
            runs[side].append(figures)
            print(f"round {round_no + 1} {side}: "
                  + " ".join(f"{k}_ms={v:.3f}" for k, v in figures.items()), file=sys.stderr)
    line = []
    for kind in TIMED_SETS:
        if kind not in runs["mine"][0]:
            continue
        mine = statistics.median(r[kind] for r in runs["mine"])
        base = statistics.median(r[kind] for r in runs["base"])
        line.append(f"{kind}_ms={mine:.3f} base_{kind}_ms={base:.3f} "
                    f"{kind}_ratio={mine / base:.3f}")
    print(f"rounds={max(1, args.rounds)} " + " ".join(line))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
