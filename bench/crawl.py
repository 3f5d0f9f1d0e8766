"""Crawl throughput: warta's full crawl against a bare Scrapy spider, on the same pages.

    python bench/crawl.py --n 2000

1. Renders N generated article pages of the demo outlet `kaltimnews` (its real template:
   JSON-LD, related box, `Baca Juga` lines; plus the bundled articles they link to) into a
   temporary folder, with a robots.txt, a home page and a sitemap listing every article.
2. Serves the folder on 127.0.0.1 with a fast static server (`bench/_static.py`: files held in
   memory, HTTP/1.1 keep-alive), in a child process.
3. (a) a bare Scrapy spider reads the sitemap and fetches every article, parsing nothing;
   (b) `warta crawl` of the same outlet (robots.txt, sitemap, home page, related links,
   extraction, pipelines, archive writes) into a new archive, as users run it (extraction
   worker processes started when reading pages keeps the crawl process busy), and
   (c) the same with no worker process (`WARTA_EXTRACT_PROCESSES=0`: every page read in the
   crawl process, as the bare spider runs). Each runs in its own process with the same
   loopback settings (AutoThrottle off, no delay, the same concurrency). The bare spider runs
   with all of warta's settings (`bare_settings`) except its own page components
   (`PAGE_COMPONENTS`: middlewares, pipelines, extensions): the same reactor,
   CONCURRENT_ITEMS, stats collector, cookies and telnet off, Scrapy components warta
   switches off left out, the stock meta-refresh middleware and the generator-return check
   off, the same log levels, and warta's garbage-collector tuning
   (`crawler.runtime.gctuning.crawl_gc`); so the two differ only in what warta does with each page.
4. Pages per second of each, from Scrapy's own stats (responses / elapsed, start-up
   excluded), and their ratios. Target: warta at least half of the bare spider's rate.
   `--repeat R` (default 3) alternates the crawls R times and keeps each one's best
   rate: the machine is shared, and the best run is the one least disturbed by others.

The last line: `n=... pages_per_s=... pages_per_s_no_workers=... bare_pages_per_s=... ratio=...
ratio_no_workers=... workers=... archived=...` (`ratio`: warta as users run it against the bare
spider; `ratio_no_workers`: warta in one process; `workers`: extraction processes warta's best
run started; `archived`: articles the worst warta run stored, to show each run read every page).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SITE = "kaltimnews"
CONCURRENCY = 16
"""Requests in flight, the same for both crawls: enough to keep one Scrapy process busy on
loopback without the static server becoming the bottleneck."""

LOOPBACK = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": str(CONCURRENCY),
    "CONCURRENT_REQUESTS_PER_DOMAIN": str(CONCURRENCY),
    "LOG_LEVEL": "WARNING",
    "TELNETCONSOLE_ENABLED": "0",
}

PAGE_COMPONENTS = ("SPIDER_MIDDLEWARES", "DOWNLOADER_MIDDLEWARES", "ITEM_PIPELINES",
                   "EXTENSIONS")
"""The settings that add warta's own work on pages (scope and response checks, incremental
decisions, its meta-refresh check, pipelines, progress and stats-file extensions): the only
warta settings the bare spider leaves out. An entry that switches a stock component off
(`None`, e.g. Scrapy's own meta-refresh middleware) is kept: that saves work warta does not
do either. Every other warta setting is a process setting the baseline shares, e.g.
CONCURRENT_ITEMS (Scrapy's default of 100 starts 100 asyncio tasks for every response, ~0.4 ms
a page), the stats collector, cookies and the generator-return check off (each ~2% by warta's
own docstrings)."""

EXTRACT_WORKERS_OFF = "WARTA_EXTRACT_PROCESSES=0"

SERVER_START_TIMEOUT = 30.0


# --- the pages --------------------------------------------------------------------------------

def render_site(folder: Path, base: str, n: int) -> list[str]:
    """Write robots.txt, a home page, a sitemap and every article page; return article URLs."""
    from crawler.demo import build_outlets
    from crawler.demo.site import Request
    from crawler.demo.state import DemoState

    state = DemoState([SITE])
    state.add_articles(SITE, n)
    outlet = build_outlets({SITE: base}, state)[SITE]
    snap = outlet.snapshot()
    urls = []
    for art in snap.articles:
        path = outlet.article_path(art)
        page = outlet.respond(Request("GET", path))
        target = folder / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.body)
        urls.append(base + path)
    locs = "".join(f"<url><loc>{u}</loc></url>\n" for u in urls)
    (folder / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{locs}</urlset>\n')
    (folder / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")
    (folder / "index.html").write_text(
        f"<!DOCTYPE html><html><head><title>{outlet.name}</title></head><body>"
        f"<h1>{outlet.name}</h1></body></html>")
    return urls


@contextmanager
def served_site(n: int) -> Iterator[tuple[Path, str]]:
    """A temporary work folder holding N rendered article pages, served on 127.0.0.1 while
    the block runs: yields the folder and the site's base URL (used by the capture bench too)."""
    with tempfile.TemporaryDirectory(prefix="warta-bench-") as tmp:
        work = Path(tmp)
        pages = work / "site"
        pages.mkdir()
        server, base = start_server(pages)
        try:
            started = time.monotonic()
            urls = render_site(pages, base, n)
            print(f"rendered {len(urls)} article pages in {time.monotonic() - started:.1f} s",
                  file=sys.stderr)
            yield work, base
        finally:
            server.terminate()
            server.wait()


def start_server(folder: Path) -> tuple[subprocess.Popen[str], str]:
    """`bench/_static.py` (files held in memory, HTTP/1.1 keep-alive) serving `folder` on
    127.0.0.1, port 0, in a child process; returns its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-u", str(Path(__file__).with_name("_static.py")), str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    line = ""
    while time.monotonic() < deadline and "port" not in line:
        line = process.stdout.readline()
    port = int(line.split(" port ")[1].split()[0])
    return process, f"http://127.0.0.1:{port}"


# --- (a) the bare spider, run in a child process ------------------------------------------------

def run_bare(sitemap_url: str, stats_file: str) -> None:
    """Fetch the sitemap, then every <loc>, parsing nothing; write Scrapy's stats as JSON."""
    import re

    import scrapy
    from scrapy.crawler import CrawlerProcess

    class BareSpider(scrapy.Spider):
        name = "bare"

        async def start(self) -> Any:
            yield scrapy.Request(sitemap_url, callback=self.parse_sitemap)

        def parse_sitemap(self, response: Any) -> Any:
            for url in re.findall(rb"<loc>([^<]+)</loc>", response.body):
                yield scrapy.Request(url.decode(), callback=self.parse_page)

        def parse_page(self, response: Any) -> None:
            return None

    import logging

    from crawler.runtime.gctuning import crawl_gc

    settings = bare_settings()
    process = CrawlerProcess(settings)
    # As `crawler.runtime.runner` does: Scrapy's loggers stay at DEBUG whatever LOG_LEVEL says, and
    # would build a record for every response that no handler wants.
    logging.getLogger("scrapy").setLevel(settings.get("LOG_LEVEL"))
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    with crawl_gc():  # warta's garbage-collector tuning too: a process setting, not page work
        process.start()
    assert crawler.stats is not None
    stats = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
             for k, v in crawler.stats.get_stats().items()}
    Path(stats_file).write_text(json.dumps(stats))


def bare_settings() -> Any:
    """warta's Scrapy settings with the loopback ones on top, less warta's page components
    (`PAGE_COMPONENTS`; switch-offs of stock components kept)."""
    from crawler.runtime.runner import crawl_settings

    settings = crawl_settings(LOOPBACK)
    for name in PAGE_COMPONENTS:
        kept = {path: order for path, order in settings.getdict(name).items() if order is None}
        settings.set(name, kept, priority="cmdline")
    return settings


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def bare_crawl(base: str, work: Path) -> dict[str, Any]:
    stats_file = work / "bare-stats.json"
    subprocess.run([sys.executable, __file__, "--bare", base + "/sitemap.xml", str(stats_file)],
                   check=True, env=child_env())
    return json.loads(stats_file.read_text())


# --- (b) warta's full crawl ---------------------------------------------------------------------

def warta_crawl(base: str, work: Path, *settings: str) -> dict[str, Any]:
    """`warta crawl` of the bench outlet into a new archive, `settings` (NAME=VALUE) added."""
    from crawler.sites import write_profile

    sites = work / "sites"
    if not sites.exists():
        sites.mkdir()
        write_profile(sites, "bench", {"name": "Bench", "homepage": base + "/",
                                       "timezone": "Asia/Makassar"})
    stats_file = work / "warta-stats.json"
    db = work / "bench.db"
    for old in work.glob("bench.db*"):  # the archive, its WAL files and its state folder
        if old.is_dir():
            shutil.rmtree(old)
        else:
            old.unlink()
    args = [sys.executable, "-m", "crawler.cli", "crawl", "bench", "--sites-dir", str(sites),
            "--db", str(db), "--no-progress", "-s", f"WARTA_STATS_FILE={stats_file}"]
    for setting in (*(f"{name}={value}" for name, value in LOOPBACK.items()), *settings):
        args += ["-s", setting]
    subprocess.run(args, check=True, env=child_env(), stdout=subprocess.DEVNULL)
    return json.loads(stats_file.read_text())


def rate(stats: dict[str, Any]) -> float:
    return stats["downloader/response_count"] / stats["elapsed_time_seconds"]


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--bare":
        run_bare(sys.argv[2], sys.argv[3])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="generated articles (default 2000)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each crawl, best kept (default 3)")
    args = parser.parse_args()
    bare_runs, warta_runs, single_runs = [], [], []
    with served_site(args.n) as (work, base):
        for _ in range(max(1, args.repeat)):
            bare = bare_crawl(base, work)
            print(f"bare spider: {bare['downloader/response_count']} pages in "
                  f"{bare['elapsed_time_seconds']:.1f} s", file=sys.stderr)
            warta = warta_crawl(base, work)
            print(f"warta: {warta['downloader/response_count']} pages in "
                  f"{warta['elapsed_time_seconds']:.1f} s, {warta.get('archive/new', 0)} "
                  f"articles archived, {warta.get('extract/workers', 0)} extraction "
                  "worker(s)", file=sys.stderr)
            single = warta_crawl(base, work, EXTRACT_WORKERS_OFF)
            print(f"warta, no workers: {single['downloader/response_count']} pages in "
                  f"{single['elapsed_time_seconds']:.1f} s, "
                  f"{single.get('archive/new', 0)} articles archived", file=sys.stderr)
            bare_runs.append(bare)
            warta_runs.append(warta)
            single_runs.append(single)
    best = max(warta_runs, key=rate)
    warta_rate = rate(best)
    single_rate = max(rate(s) for s in single_runs)
    bare_rate = max(rate(s) for s in bare_runs)
    archived = min(s.get("archive/new", 0) for s in [*warta_runs, *single_runs])
    print(f"n={args.n} pages_per_s={warta_rate:.1f} pages_per_s_no_workers={single_rate:.1f} "
          f"bare_pages_per_s={bare_rate:.1f} ratio={warta_rate / bare_rate:.2f} "
          f"ratio_no_workers={single_rate / bare_rate:.2f} "
          f"workers={best.get('extract/workers', 0)} archived={archived}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
