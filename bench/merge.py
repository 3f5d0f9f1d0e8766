"""Merge rate of `warta merge` against the raw ingest floor of bench/ingest.py, in the same run.

    python bench/merge.py --n 100000 --shards 4

N synthetic articles (bench/_synth.py, as bench/ingest.py writes them) are written through
`Archive.write` into SHARDS archives, batches dealt round-robin (as the nodes of a cluster
would each hold some outlets' articles), then merged into a new main archive by
`archive.merge.merge` in a child process (its peak memory is the child's alone). The floor is
bench/ingest.py's: the same N rows by plain `executemany` into a bare table with an FTS5 index.
Only the merge is timed, not the shards' making. Target: at least 0.5x the floor's rate, peak
memory under 500 MB. A second merge of the same shards (a no-op) is timed too, and, apart
from the rate (as bench/ingest.py leaves the stemming out), the update of the near-duplicate
clusters `warta merge` runs after merging (`Archive.update_clusters`, as after a crawl).

The shards' pending words (`word_forms.stem` NULL) are given themselves as stems, the state a
crawl's end (`finish_crawl`) leaves them in: Sastrawi takes 1-2 ms on each of the synthetic
corpus's 30,000 pseudo-words, which would time the stemmer, not the merge.

Last line: n=… shards=… merge_articles_s=… floor_articles_s=… ratio=… remerge_s=…
    clusters_s=… rss_mb=…
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import _synth
from ingest import BATCH, OUT, floor, remove

from archive import Archive

ROOT = Path(__file__).resolve().parents[1]

_CHILD = """
import json, sys, time
from archive.merge import merge
started = time.perf_counter()
results = merge(sys.argv[1], sys.argv[2:], update_clusters=False)
merged = time.perf_counter()
from archive import Archive
with Archive(sys.argv[1]) as archive:
    archive.update_clusters()
print(json.dumps({"seconds": merged - started, "clusters": time.perf_counter() - merged,
                  "new": sum(r.articles_new for r in results),
                  "same": sum(r.articles_same for r in results)}))
"""


def build_shards(n: int, shards: int, batch: int = BATCH) -> list[Path]:
    paths = [OUT / f"merge-shard-{n}-{k}.db" for k in range(shards)]
    archives = []
    for path in paths:
        remove(path)
        archive = Archive(path)
        for key, tz, region in _synth.source_rows():
            archive.set_source(key, name=key, timezone=tz, region=region)
        archives.append(archive)
    for number, rows in enumerate(_synth.batches(n, batch)):
        archives[number % shards].write(rows)
        if number % 40 == 0:
            print(f"  shards: {min(n, (number + 1) * batch):,}/{n:,}", file=sys.stderr)
    for archive in archives:
        archive.connection.execute("UPDATE word_forms SET stem = term WHERE stem IS NULL")
        archive.close()
    return paths


def run_merge(main: Path, shards: list[Path]) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", _CHILD, str(main), *map(str, shards)],
                         env=env, capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles (default 100000)")
    parser.add_argument("--shards", type=int, default=4, help="shard archives (default 4)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"floor: {args.n:,} articles by executemany ...", file=sys.stderr)
    floor_seconds = floor(OUT / f"floor-{args.n}.db", args.n)
    print(f"shards: {args.n:,} articles into {args.shards} archives ...", file=sys.stderr)
    shards = build_shards(args.n, args.shards)
    main_db = OUT / f"merged-{args.n}.db"
    remove(main_db)
    print("merge ...", file=sys.stderr)
    first = run_merge(main_db, shards)
    assert first["new"] == args.n, first
    again = run_merge(main_db, shards)
    assert again["new"] == 0 and again["same"] == args.n, again
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    merge_rate = args.n / first["seconds"]
    floor_rate = args.n / floor_seconds
    print(f"first merge {first['seconds']:.1f} s (then the clusters update "
          f"{first['clusters']:.1f} s), second (no-op) {again['seconds']:.1f} s, "
          f"floor {floor_seconds:.1f} s", file=sys.stderr)
    for path in [*shards, main_db]:
        remove(path)
    print(f"n={args.n} shards={args.shards} merge_articles_s={merge_rate:.0f} "
          f"floor_articles_s={floor_rate:.0f} ratio={merge_rate / floor_rate:.2f} "
          f"remerge_s={again['seconds']:.1f} clusters_s={first['clusters']:.1f} "
          f"rss_mb={rss_mb:.0f}")


if __name__ == "__main__":
    main()
