"""Re-crawl cost: what a scheduled `warta crawl` of an unchanged outlet costs next to its first.

    python bench/recrawl.py --n 2000

1. Serves the demo outlet `kaltimnews` with N generated articles (`python -m crawler.demo.server
   --add kaltimnews=N`, one an hour back from now, plus its 22 bundled ones) on a fixed
   loopback port, so the URLs stay the same when the server restarts.
2. First crawl into a new archive (the baseline): robots.txt, sitemap index, sitemaps, feed,
   home page, every article.
3. Second crawl, nothing changed: its requests and time as a share of the first. Targets: under
   5% of the requests, under 10% of the time. Archived articles are checked again only when
   the refresh schedule says they are due (`crawler.refresh`: 1 h, 6 h, 24 h, 72 h after
   publication; none is due minutes after the first crawl), and then conditionally (a `304`
   costs no parse). Before the schedule, every article of the last two days (about 48 at one
   an hour) was read again in full by every run.
4. The server restarts with 50 more articles (`--add kaltimnews=50`), and a third crawl must
   find all 50 and fetch nothing else (no archived article is fetched: `incremental/changed`
   stays 0).
5. A fourth crawl, unchanged, on a clock an hour later (`WARTA_NOW`): the articles whose 1 h or
   6 h check came are asked for conditionally and answer 304 (`hour_later_*`).

Each crawl is a `warta crawl` child process with loopback settings (no AutoThrottle, no delay).
Time is Scrapy's own (`elapsed_time_seconds`: engine start to close); the process wall time,
with Python's start-up and imports, is reported beside it.

The last line: `n=... requests_first=... requests_second=... requests_ratio=... time_first_s=...
time_second_s=... time_ratio=... wall_first_s=... wall_second_s=... wall_ratio=... new_found=...
refreshed=... beyond_window=... hour_later_requests=... hour_later_304=... hour_later_ratio=...`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from crawl import LOOPBACK  # the same loopback settings as the throughput bench

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SITE = "kaltimnews"
ADDED = 50
SERVER_START_TIMEOUT = 60.0


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, adds: list[int], newest: dt.datetime,
                 log: Path) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "crawler.demo.server", "--sites", SITE, "--port",
            f"{SITE}={port}", "--added-newest", newest.isoformat()]
    for n in adds:
        args += ["--add", f"{SITE}={n}"]
    with log.open("a") as errors:  # the server's own errors, kept out of the report
        process = subprocess.Popen(args, env=child_env(), stdout=subprocess.PIPE,
                                   stderr=errors, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()  # blocks until the server prints its address
    if not line:
        raise RuntimeError("the demo server did not start")
    return process


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(timeout=30)


def crawl(sites: Path, db: Path, stats_file: Path,
          now: dt.datetime | None = None) -> tuple[dict[str, Any], float]:
    args = [sys.executable, "-m", "crawler.cli", "crawl", SITE, "--sites-dir", str(sites),
            "--db", str(db), "--no-progress", "-s", f"WARTA_STATS_FILE={stats_file}"]
    if now is not None:  # the crawl's clock (crawler.refresh): no real waiting
        args += ["-s", f"WARTA_NOW={now.isoformat()}"]
    for name, value in LOOPBACK.items():
        args += ["-s", f"{name}={value}"]
    started = time.monotonic()
    subprocess.run(args, check=True, env=child_env(), stdout=subprocess.DEVNULL)
    wall = time.monotonic() - started
    return json.loads(stats_file.read_text()), wall


def added_urls(base: str, n: int, newest: dt.datetime) -> set[str]:
    """Canonical URLs of the articles the restarted server adds (numbers n .. n+ADDED-1)."""
    from crawler.demo import build_outlets
    from crawler.demo.state import DemoState

    state = DemoState([SITE])
    state.add_articles(SITE, n, newest=newest)
    state.add_articles(SITE, ADDED, newest=newest)
    outlet = build_outlets({SITE: base}, state)[SITE]
    prefix = outlet.generated_prefix
    return {outlet.article_url(a) for a in outlet.snapshot().articles
            if a.generated and int(a.id.removeprefix(prefix)) >= n}


def report(label: str, stats: dict[str, Any], wall: float) -> None:
    print(f"{label}: {stats['downloader/request_count']} requests, "
          f"{stats['elapsed_time_seconds']:.2f} s crawl ({wall:.2f} s wall), "
          f"new {stats.get('archive/new', 0)}, skipped {stats.get('skipped/archived', 0)}, "
          f"refreshed {stats.get('incremental/refresh', 0) + stats.get('incremental/due', 0)} "
          f"(304: {stats.get('incremental/not_modified', 0)}), "
          f"changed {stats.get('incremental/changed', 0)}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="generated articles (default 2000)")
    args = parser.parse_args()
    from crawler.demo import profiles
    from crawler.sites import write_profile

    # The demo outlets print WITA/WIB/WIT times: their newest article is now, in WITA.
    newest = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(second=0,
                                                                         microsecond=0)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="warta-recrawl-") as tmp:
        work = Path(tmp)
        sites = work / "sites"
        sites.mkdir()
        write_profile(sites, SITE, profiles({SITE: base})[SITE])
        db = work / "recrawl.db"
        server = start_server(port, [args.n], newest, work / "server.log")
        try:
            first, first_wall = crawl(sites, db, work / "first.json")
            report("first", first, first_wall)
            second, second_wall = crawl(sites, db, work / "second.json")
            report("second (unchanged)", second, second_wall)
        finally:
            stop(server)
        server = start_server(port, [args.n, ADDED], newest, work / "server.log")
        try:
            third, third_wall = crawl(sites, db, work / "third.json")
            report(f"third ({ADDED} added)", third, third_wall)
            later, later_wall = crawl(sites, db, work / "later.json",
                                      now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
            report("fourth (unchanged, an hour later: the newest are due)", later, later_wall)
        finally:
            stop(server)
        expected = added_urls(base, args.n, newest)
        with sqlite3.connect(db) as conn:
            archived = {row[0] for row in conn.execute("SELECT url FROM articles")}
    requests_ratio = second["downloader/request_count"] / first["downloader/request_count"]
    time_ratio = second["elapsed_time_seconds"] / first["elapsed_time_seconds"]
    new_found = len(expected & archived)
    later_ratio = later["downloader/request_count"] / first["downloader/request_count"]
    print(f"n={args.n} requests_first={first['downloader/request_count']} "
          f"requests_second={second['downloader/request_count']} "
          f"requests_ratio={requests_ratio:.3f} time_first_s={first['elapsed_time_seconds']:.2f} "
          f"time_second_s={second['elapsed_time_seconds']:.2f} time_ratio={time_ratio:.3f} "
          f"wall_first_s={first_wall:.2f} wall_second_s={second_wall:.2f} "
          f"wall_ratio={second_wall / first_wall:.3f} new_found={new_found} "
          f"refreshed={third.get('incremental/refresh', 0) + third.get('incremental/due', 0)} "
          f"beyond_window={third.get('incremental/changed', 0)} "
          f"hour_later_requests={later['downloader/request_count']} "
          f"hour_later_304={later.get('incremental/not_modified', 0)} "
          f"hour_later_ratio={later_ratio:.3f}")
    return 0 if new_found == ADDED else 1


if __name__ == "__main__":
    raise SystemExit(main())
