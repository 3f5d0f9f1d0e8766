"""Export speed and memory: JSONL and Parquet of N and 2N articles, each in a fresh process.

    python bench/export.py --n 100000

For each size, `archive.export.export` writes JSONL and Parquet in its own child process,
which reports rows/s and its peak RSS (so one run's memory cannot hide in another's). The
baseline, same run, same archive: plain `sqlite3` rows dumped as JSON lines (no related
links, no manifest). Peak RSS at 2N close to that at N shows memory stays flat. Targets:
peak RSS under 300 MB at both sizes. Archives are bench/out/ingest-N.db (built when missing).

Last line: n=… jsonl_rows_s=… parquet_rows_s=… floor_rows_s=… ratio=… jsonl_rss_mb=…
parquet_rss_mb=… jsonl_rss_mb_2x=… parquet_rss_mb_2x=…
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from ingest import OUT, archive_path, build_archive

from archive import Archive

#: The issue's memory ceiling for an export, at any size.
RSS_TARGET_MB = 300


def child(kind: str, db: Path, out: Path) -> None:
    """Run one export in this process; print rows, seconds and peak RSS as JSON."""
    started = time.perf_counter()
    if kind == "floor":
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        cursor = conn.execute("SELECT * FROM articles ORDER BY published_utc, id")
        names = [c[0] for c in cursor.description]
        rows = 0
        with out.open("w", encoding="utf-8") as handle:
            for row in cursor:
                handle.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False))
                handle.write("\n")
                rows += 1
    else:
        from archive import Archive
        from archive.export import export

        with Archive(db, create=False, readonly=True) as archive:
            rows = export(archive, out, fmt=kind, force=True)["rows"]
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": rows, "seconds": seconds, "rss_mb": peak_rss_mb()}))


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, because getrusage's ru_maxrss survives execve and
    would report the parent's size at fork time."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind: str, db: Path) -> dict[str, float]:
    out = OUT / f"export-{db.stem}.{kind if kind != 'floor' else 'floor.jsonl'}"
    result = subprocess.run([sys.executable, __file__, "--child", kind, str(db), str(out)],
                            check=True, capture_output=True, text=True)
    for path in (out, Path(f"{out}.manifest.json")):
        path.unlink(missing_ok=True)
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"  {kind:8} {db.name}: {figures['rows'] / figures['seconds']:8.0f} rows/s, "
          f"peak RSS {figures['rss_mb']:.0f} MB", file=sys.stderr)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles (default 100000)")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "DB", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, db, out = args.child
        child(kind, Path(db), Path(out))
        return
    sizes = (args.n, 2 * args.n)
    for size in sizes:
        if not archive_path(size).exists():
            print(f"building {archive_path(size)} ...", file=sys.stderr)
            build_archive(archive_path(size), size, quiet=True)
        Archive(archive_path(size)).close()  # an archive left by an older warta is upgraded
    figures = {(kind, size): measure(kind, archive_path(size))
               for size in sizes for kind in ("floor", "jsonl", "parquet")}

    def rate(kind: str) -> float:
        f = figures[(kind, args.n)]
        return f["rows"] / f["seconds"]

    def rss(kind: str, size: int) -> float:
        return figures[(kind, size)]["rss_mb"]

    print(f"n={args.n} jsonl_rows_s={rate('jsonl'):.0f} parquet_rows_s={rate('parquet'):.0f} "
          f"floor_rows_s={rate('floor'):.0f} ratio={rate('jsonl') / rate('floor'):.2f} "
          f"jsonl_rss_mb={rss('jsonl', sizes[0]):.0f} "
          f"parquet_rss_mb={rss('parquet', sizes[0]):.0f} "
          f"jsonl_rss_mb_2x={rss('jsonl', sizes[1]):.0f} "
          f"parquet_rss_mb_2x={rss('parquet', sizes[1]):.0f} rss_target_mb={RSS_TARGET_MB}")


if __name__ == "__main__":
    main()
