"""Crawl throughput: warta's full crawl against a bare Scrapy spider, on the same pages.

    python bench/crawl.py --n 2000

1. Renders N generated article pages of the demo outlet `kaltimnews` (its real template:
   JSON-LD, related box, `Baca Juga` lines; plus the bundled articles they link to) into a
   temporary folder, with a robots.txt, a home page and a sitemap listing every article.
2. Compiles warta's modules to bytecode once, as an installed package has them
   (`byte_compile`), and serves the folder on 127.0.0.1 with a fast static server
   (`bench/_static.py`: files held in memory, HTTP/1.1 keep-alive), in a child process.
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
   `--repeat R` (default 5) alternates the three crawls R times; each figure is the median
   of its R runs, and the ratios are ratios of medians. Why medians: the machine is shared
   (other engineers, a test loop), and the bare spider's rate is the noisiest figure of all
   (its crawl is short, so one burst of someone else's work moves it most): its best of 3
   ranged 498-622 pages/s on a quiet machine, which alone moved the ratio by a fifth, and a
   best-of-R denominator only grows with R. A median of alternating runs is disturbed by the
   same load on both sides and does not drift with R. The best runs are printed as well.
5. CPU time beside wall time, for every run: the crawl process's CPU time during the crawl
   (`cpu_time_seconds`, the stats collector's: the same window as `elapsed_time_seconds`,
   start-up and the archive's closing work left out; the bare spider records it with the same
   collector), the extraction workers' CPU time (`extract/worker_cpu_seconds`, start-up
   included), and the whole process tree's CPU time (crawl process and workers, start-up and
   closing included; workers orphaned by a crawl process are reaped by this script, a child
   subreaper). CPU per page moves much less with the machine's load than pages per second:
   `cpu_ratio` (the bare spider's CPU per page over warta's, crawl process plus workers) says
   what warta's per-page work costs whatever the load.

Every run prints a line on stderr. The last line: `n=... pages_per_s=... pages_per_s_no_workers=...
bare_pages_per_s=... ratio=... ratio_no_workers=... best_ratio=... cpu_ms=... cpu_ms_no_workers=...
bare_cpu_ms=... worker_cpu_ms=... cpu_ratio=... workers=... archived=...` (rates: medians;
`ratio`: warta as users run it against the bare spider, from the medians; `ratio_no_workers`:
warta in one process; `best_ratio`: best warta run against the best bare run; `cpu_ms`: median
CPU milliseconds per page of warta's crawl process, `worker_cpu_ms` of its workers;
`cpu_ratio`: bare CPU per page over warta's crawl process plus workers, from the medians;
`workers`: extraction processes warta's median run started; `archived`: articles the worst
warta run stored, to show each run read every page).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
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

ORPHAN_WAIT = 10.0
"""Seconds to wait for the workers a finished crawl process left behind (they exit as soon as
their input ends)."""


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


def byte_compile() -> None:
    """Compile warta's modules (`crawler`, `archive`) to their `__pycache__`, as an installed
    package has them (pip compiles at install; an editable install writes them on its first
    run), so that no timed crawl compiles them from source. A process started with
    `PYTHONDONTWRITEBYTECODE` set (this sandbox sets it) reads existing bytecode but never
    writes any: each crawl process and extraction worker then compiled `crawler.extract`
    during the crawl (~50 ms of a 3 s crawl each; 650 against 669 pages a second, six
    alternating runs)."""
    import compileall

    for package in ("crawler", "archive"):
        compileall.compile_dir(ROOT / package, quiet=1)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def bare_crawl(base: str, work: Path) -> dict[str, Any]:
    stats_file = work / "bare-stats.json"
    tree_cpu = run_measured([sys.executable, __file__, "--bare", base + "/sitemap.xml",
                             str(stats_file)])
    return {**json.loads(stats_file.read_text()), "tree_cpu_seconds": tree_cpu}


# --- CPU time of a crawl's process tree --------------------------------------------------------

def become_subreaper() -> None:
    """Linux: processes orphaned by a child of this one (the workers of a crawl process that
    exited without waiting for them) become this one's children, so their CPU time can be
    counted."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def child_pids() -> set[int]:
    """The process ids whose parent is this process (from /proc)."""
    me, pids = os.getpid(), set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == me:
            pids.add(int(stat.parent.name))
    return pids


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(args: list[str]) -> float:
    """Run a crawl process to its end; return the CPU seconds of its whole tree (the process,
    and its workers whether it waited for them or left them to this one)."""
    before, cpu = child_pids(), children_cpu()
    subprocess.run(args, check=True, env=child_env(), stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + ORPHAN_WAIT
    orphans = child_pids() - before
    while orphans and time.monotonic() < deadline:
        for pid in list(orphans):
            try:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    orphans.discard(pid)
            except ChildProcessError:
                orphans.discard(pid)
        time.sleep(0.01)
    return children_cpu() - cpu


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
    tree_cpu = run_measured(args)
    return {**json.loads(stats_file.read_text()), "tree_cpu_seconds": tree_cpu}


def rate(stats: dict[str, Any]) -> float:
    return stats["downloader/response_count"] / stats["elapsed_time_seconds"]


def cpu_ms(stats: dict[str, Any], key: str = "cpu_time_seconds") -> float:
    """CPU milliseconds a page (`key`: the crawl process's in the crawl, or its workers')."""
    return 1000 * stats.get(key, 0.0) / stats["downloader/response_count"]


def describe(name: str, stats: dict[str, Any]) -> str:
    """One run's line: pages, wall time, rate, CPU times."""
    line = (f"{name}: {stats['downloader/response_count']} pages in "
            f"{stats['elapsed_time_seconds']:.1f} s ({rate(stats):.0f} pages/s), CPU "
            f"{stats.get('cpu_time_seconds', 0):.1f} s ({cpu_ms(stats):.2f} ms a page)")
    if stats.get("extract/workers"):
        worker_cpu = stats.get("extract/worker_cpu_seconds")
        line += (f", {stats['extract/workers']} worker(s) "
                 f"{'?' if worker_cpu is None else f'{worker_cpu:.1f}'} s CPU "
                 f"({stats.get('extract/worker_pages', 0)} pages, "
                 f"{stats.get('extract/spilled_pages', 0)} spilled, queue mean "
                 f"{stats.get('extract/worker_queue_mean', 0)} max "
                 f"{stats.get('extract/worker_queue_max', 0)})")
    line += f", process tree {stats['tree_cpu_seconds']:.1f} s"
    if "archive/new" in stats:
        line += f", {stats['archive/new']} archived"
    return line


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median rate (the lower middle one of an even number)."""
    return sorted(runs, key=rate)[(len(runs) - 1) // 2]


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--bare":
        run_bare(sys.argv[2], sys.argv[3])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="generated articles (default 2000)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="alternating runs of each crawl, medians kept (default 5)")
    args = parser.parse_args()
    become_subreaper()
    byte_compile()
    bare_runs: list[dict[str, Any]] = []
    warta_runs: list[dict[str, Any]] = []
    single_runs: list[dict[str, Any]] = []
    with served_site(args.n) as (work, base):
        for _ in range(max(1, args.repeat)):
            bare_runs.append(bare_crawl(base, work))
            print(describe("bare spider", bare_runs[-1]), file=sys.stderr)
            warta_runs.append(warta_crawl(base, work))
            print(describe("warta", warta_runs[-1]), file=sys.stderr)
            single_runs.append(warta_crawl(base, work, EXTRACT_WORKERS_OFF))
            print(describe("warta, no workers", single_runs[-1]), file=sys.stderr)
    med = statistics.median
    warta_rate = med(rate(s) for s in warta_runs)
    single_rate = med(rate(s) for s in single_runs)
    bare_rate = med(rate(s) for s in bare_runs)
    best_ratio = max(rate(s) for s in warta_runs) / max(rate(s) for s in bare_runs)
    warta_cpu = med(cpu_ms(s) for s in warta_runs)
    # a run whose workers had not exited in time at its close has no worker figure
    worker_cpu = med([cpu_ms(s, "extract/worker_cpu_seconds") for s in warta_runs
                      if "extract/worker_cpu_seconds" in s] or [0.0])
    single_cpu = med(cpu_ms(s) for s in single_runs)
    bare_cpu = med(cpu_ms(s) for s in bare_runs)
    archived = min(s.get("archive/new", 0) for s in [*warta_runs, *single_runs])
    print(f"n={args.n} pages_per_s={warta_rate:.1f} pages_per_s_no_workers={single_rate:.1f} "
          f"bare_pages_per_s={bare_rate:.1f} ratio={warta_rate / bare_rate:.2f} "
          f"ratio_no_workers={single_rate / bare_rate:.2f} best_ratio={best_ratio:.2f} "
          f"cpu_ms={warta_cpu:.2f} cpu_ms_no_workers={single_cpu:.2f} bare_cpu_ms={bare_cpu:.2f} "
          f"worker_cpu_ms={worker_cpu:.2f} cpu_ratio={bare_cpu / (warta_cpu + worker_cpu):.2f} "
          f"workers={median_run(warta_runs).get('extract/workers', 0)} archived={archived}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
