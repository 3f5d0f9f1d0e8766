"""Search quality on the demo archive: recall and precision of exact and stemmed search.

    python bench/search_quality.py                 # crawls the demo sites into bench/out/
    python bench/search_quality.py --db warta-demo.db

The queries and the articles relevant to each are in bench/data/search_quality.json: everyday
Indonesian, labelled by reading the demo articles (by URL path), not by any search. Each
query runs through `Archive.search(q, limit=20)` twice: with `exact=True` (the words as
written) and as `warta search` runs it by default (word forms: `kebanjiran` finds `banjir`).
Recall is averaged over the queries (the share of each query's relevant articles found);
precision over all results (relevant results / results), since a query that finds nothing
has no precision of its own.

Last line: queries=… recall_exact=… recall_stemmed=… precision_exact=… precision_stemmed=…
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from archive import Archive

HERE = Path(__file__).resolve().parent
LABELS = HERE / "data" / "search_quality.json"
OUT = HERE / "out"


def demo_archive() -> Path:
    """A fresh `warta demo` archive (a real crawl of the demo sites on 127.0.0.1)."""
    path = OUT / "quality-demo.db"
    OUT.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-m", "crawler.cli", "demo", "--no-progress",
                           "--db", str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"warta demo failed: {done.stderr.strip()}")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="a warta demo archive (default: crawl a new one)")
    parser.add_argument("--limit", type=int, default=20, help="results per query (a page)")
    args = parser.parse_args()
    path = Path(args.db) if args.db else demo_archive()
    labels = json.loads(LABELS.read_text(encoding="utf-8"))["queries"]
    recall: dict[str, list[float]] = {"exact": [], "stemmed": []}
    found: dict[str, int] = {"exact": 0, "stemmed": 0}
    returned: dict[str, int] = {"exact": 0, "stemmed": 0}
    with Archive(path, create=False, readonly=True) as archive:
        paths = {urlsplit(r[0]).path for r in archive.connection.execute(
            "SELECT url FROM articles")}
        missing = [p for item in labels for p in item["relevant"] if p not in paths]
        if missing:
            sys.exit(f"{path} is not a demo archive: it lacks {missing[0]}")
        for item in labels:
            relevant = set(item["relevant"])
            line = []
            for mode in ("exact", "stemmed"):
                results = archive.search(item["query"], exact=mode == "exact", limit=args.limit)
                got = {urlsplit(r["url"]).path for r in results}
                hits = len(got & relevant)
                recall[mode].append(hits / len(relevant))
                found[mode] += hits
                returned[mode] += len(got)
                line.append(f"{mode} {hits}/{len(relevant)} of {len(got)}")
            print(f"{item['query']!r}: {'; '.join(line)}", file=sys.stderr)
    n = len(labels)

    def precision(mode: str) -> float:
        return found[mode] / returned[mode] if returned[mode] else 0.0

    print(f"queries={n} recall_exact={sum(recall['exact']) / n:.3f} "
          f"recall_stemmed={sum(recall['stemmed']) / n:.3f} "
          f"precision_exact={precision('exact'):.3f} "
          f"precision_stemmed={precision('stemmed'):.3f}")


if __name__ == "__main__":
    main()
