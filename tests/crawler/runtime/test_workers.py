"""Article pages read in worker processes (`crawler.runtime.workers`): the same articles as when the
crawl process reads them, a dead worker costs no page, and no worker outlives its crawl."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from crawler.demo import build_outlets
from crawler.demo.site import Request as DemoRequest
from crawler.demo.state import DemoState
from crawler.runtime.workers import ExtractionWorkers, extract_page
from tests.crawler.warta_run import FAST_SETTINGS, ROOT, CrawlRun, crawl, write_sites
from tests.mockserver.client import MockServer

TIMED = ("id", "crawl_id", "fetched_at", "first_seen_at", "last_seen_at", "changed_at",
         "versions")
"""Article columns that say when (or in which crawl) warta read the page, not what it read."""

EXIT_WAIT = 10.0
"""Seconds a worker gets to notice that its crawl process is gone (it takes milliseconds)."""


def articles(db: Path) -> dict[str, dict[str, Any]]:
    with Archive(db) as archive:
        return {row["url"]: {k: v for k, v in row.items() if k not in TIMED}
                for row in archive.iter_articles()}


def errors(run: CrawlRun) -> dict[str, Any]:
    return {k: v for k, v in run.stats.items() if k.startswith(("errors/", "validate/"))}


@pytest.fixture(scope="module")
def runs(mockserver: MockServer, tmp_path_factory: pytest.TempPathFactory
         ) -> tuple[CrawlRun, CrawlRun]:
    folder = tmp_path_factory.mktemp("workers")
    sites = write_sites(folder / "sites", mockserver.profiles)
    keys = list(mockserver.profiles)
    here = crawl(keys, sites, folder / "here.db",
                 settings=(*FAST_SETTINGS, "WARTA_EXTRACT_PROCESSES=0"))
    workers = crawl(keys, sites, folder / "workers.db",
                    settings=(*FAST_SETTINGS, "WARTA_EXTRACT_PROCESSES=1"))
    return here, workers


def test_pages_read_by_a_worker_give_the_same_articles(runs: tuple[CrawlRun, CrawlRun]) -> None:
    here, workers = runs
    assert here.process.returncode == workers.process.returncode == 0, workers.process.stderr
    archived = articles(workers.db)
    assert not here.stat("extract/worker_pages")
    # every article's first page went to the worker (the parts of a multi-page one are read
    # where the article is stitched)
    assert workers.stat("extract/worker_pages") >= len(archived) > 0
    assert archived == articles(here.db)


def test_pages_extraction_cannot_read_are_counted_the_same(
        runs: tuple[CrawlRun, CrawlRun]) -> None:
    here, workers = runs
    assert errors(workers) == errors(here)
    assert workers.stat("extract/workers") == 1 and not workers.stat("extract/workers_lost")


def test_the_crawl_counts_its_cpu_time_and_its_workers(runs: tuple[CrawlRun, CrawlRun]) -> None:
    """What a crawl cost in CPU, apart from the machine's load: the crawl process's time in
    the crawl, and its workers' (waited for at the close, so they are counted)."""
    here, workers = runs
    assert here.stat("cpu_time_seconds") > 0
    assert workers.stat("cpu_time_seconds") > 0
    assert "extract/worker_cpu_seconds" not in here.stats  # no worker ran
    assert workers.stat("extract/worker_cpu_seconds") > 0
    # the queue each page met in its worker, to tell who waits on whom
    assert workers.stat("extract/worker_queue_max") >= workers.stat("extract/worker_queue_mean")
    assert "extract/worker_queue_mean" in workers.stats


# --- the workers on their own -------------------------------------------------------------------

def demo_page() -> tuple[bytes, str]:
    state = DemoState(["kaltimnews"])
    state.add_articles("kaltimnews", 1)
    outlet = build_outlets({"kaltimnews": "http://kaltimnews.test"}, state)["kaltimnews"]
    article = outlet.snapshot().articles[0]
    path = outlet.article_path(article)
    return outlet.respond(DemoRequest("GET", path)).body, "http://kaltimnews.test" + path


class Counts(dict[str, Any]):
    """A plain stats sink with the two methods the workers call."""

    def set_value(self, key: str, value: Any) -> None:
        self[key] = value

    def inc_value(self, key: str, count: int = 1) -> None:
        self[key] = self.get(key, 0) + count


def test_a_worker_that_dies_leaves_its_pages_to_the_crawl_process() -> None:
    body, url = demo_page()
    fetched = dt.datetime(2024, 5, 1, 3, 0, tzinfo=dt.UTC)
    counts = Counts()
    workers = ExtractionWorkers({}, 1, lambda: counts)

    async def read_twice() -> tuple[dict[str, Any], dict[str, Any]]:
        first = await workers.read_async(body, url, None, fetched, "utf-8")
        process = workers.workers[0].process
        process.kill()
        process.wait()
        second = await workers.read_async(body, url, None, fetched, "utf-8")
        return first, second

    try:
        first, second = asyncio.run(read_twice())
    finally:
        workers.close()
    assert first == second == extract_page(body, url, None, fetched, "utf-8")
    assert counts["extract/worker_pages"] == 1
    assert counts["extract/workers_lost"] == 1


CHILD = """
import asyncio, datetime as dt, sys, time
from crawler.runtime.workers import ExtractionWorkers
workers = ExtractionWorkers({}, 1)
asyncio.run(workers.read_async(b"<html><body><p>x</p></body></html>", "http://a.test/x", None,
                               dt.datetime.now(dt.UTC), None))
print(workers.workers[0].process.pid, flush=True)
time.sleep(600)
"""


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")  # exited; only waiting for its new parent to reap it


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
def test_no_worker_outlives_a_crawl_process_that_was_killed() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, env=env,
                              text=True)
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    assert not gone(worker)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + EXIT_WAIT
    while not gone(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(worker)


QUICK = """
from crawler.runtime.workers import ExtractionWorkers
workers = ExtractionWorkers({}, 1)
workers._start()  # as auto mode does mid-crawl; the crawl then ends before the worker is up
workers.close()
"""


def test_a_crawl_that_ends_while_its_worker_starts_leaves_no_trace() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # stderr is shared with the worker: reading it to the end waits for the worker too
    done = subprocess.run([sys.executable, "-c", QUICK], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")


def test_auto_mode_starts_workers_only_for_many_busy_pages() -> None:
    """One slow page fills a window on its own: too few pages to judge, no process starts.
    A window full of pages read back to back starts the workers."""
    from crawler.runtime.workers import BUSY_PAGES, BUSY_WINDOW

    workers = ExtractionWorkers({}, None)
    workers.processes = 1  # what auto mode picks on two CPUs, whatever this machine has
    workers._note(0.0, 2 * BUSY_WINDOW)  # one page, reading all the window
    assert workers.workers == []
    step = BUSY_WINDOW / (BUSY_PAGES - 1)
    try:
        for page in range(BUSY_PAGES):
            workers._note(10.0 + page * step, 10.0 + (page + 0.9) * step)
        assert len(workers.workers) == 1
    finally:
        workers.close()


def test_auto_mode_starts_no_worker_for_the_last_few_pages_of_a_crawl() -> None:
    """A busy window near the end of a crawl (a re-crawl's burst of new pages) starts nothing:
    the worker would come up after the last page; with many pages still to read, it starts."""
    from crawler.runtime.workers import BUSY_PAGES, BUSY_WINDOW, MIN_BACKLOG

    left = [MIN_BACKLOG - 1]
    workers = ExtractionWorkers({}, None, backlog=lambda: left[0])
    workers.processes = 1
    step = BUSY_WINDOW / (BUSY_PAGES - 1)

    def busy_window(start: float) -> None:
        for page in range(BUSY_PAGES):
            workers._note(start + page * step, start + (page + 0.9) * step)

    try:
        busy_window(10.0)
        assert workers.workers == []
        left[0] = MIN_BACKLOG
        busy_window(20.0)
        assert len(workers.workers) == 1
    finally:
        workers.close()


def test_auto_mode_reads_pages_here_while_its_worker_is_behind() -> None:
    """Pages that arrive while the worker still has `SPILL_QUEUE` to read are read by the
    crawl process (nothing waits idle), and give the same fields."""
    from crawler.runtime.workers import SPILL_QUEUE

    body, url = demo_page()
    fetched = dt.datetime(2024, 5, 1, 3, 0, tzinfo=dt.UTC)
    counts = Counts()
    workers = ExtractionWorkers({}, None, lambda: counts)
    workers.processes = 1  # what auto mode picks on two CPUs, whatever this machine has

    async def burst() -> list[dict[str, Any]]:
        workers._start()  # as a busy window does
        await asyncio.wrap_future(workers.workers[0].ready)
        first = await workers.read_async(body, url, None, fetched, "utf-8")
        # a burst of pages at once: the worker takes SPILL_QUEUE, this process the rest
        rest = await asyncio.gather(*(workers.read_async(body, url, None, fetched, "utf-8")
                                      for _ in range(SPILL_QUEUE + 3)))
        return [first, *rest]

    try:
        pages = asyncio.run(burst())
    finally:
        workers.close()
    assert all(page == extract_page(body, url, None, fetched, "utf-8") for page in pages)
    assert counts["extract/worker_pages"] == 1 + SPILL_QUEUE
    assert counts["extract/spilled_pages"] == 3


def test_auto_mode_judges_a_slowed_crawl_by_its_share_not_its_pace() -> None:
    """A crawl process slowed by the machine's other work reads fewer pages a second but is
    still busy reading them: workers start. A polite crawl, as few pages but a small share of
    its time, starts none."""
    from crawler.runtime.workers import BUSY_PAGES

    def judged(seconds_apart: float, reading: float) -> int:
        workers = ExtractionWorkers({}, None)
        workers.processes = 1
        try:
            for page in range(BUSY_PAGES + 1):
                workers._note(page * seconds_apart, page * seconds_apart + reading)
            return len(workers.workers)
        finally:
            workers.close()

    assert judged(0.03, 0.012) == 1  # 33 pages a second, 40% of the time reading them
    assert judged(0.5, 0.012) == 0  # 2 pages a second, 2%


def test_a_worker_reads_a_page_without_loading_the_archive_or_scrapy() -> None:
    """A worker starts while the crawl process reads its pages itself: what its reading
    imports is start-up time. It needs a few URL and sign-off helpers of `archive`, not the
    store, its queries or the captures, and nothing of Scrapy or Twisted."""
    body, url = demo_page()
    code = (
        "import datetime as dt, sys\n"
        "from crawler.runtime.workers import extract_page\n"
        f"fields = extract_page({body!r}, {url!r}, None, "
        "dt.datetime(2024, 5, 1, tzinfo=dt.UTC), 'utf-8')\n"
        "assert fields['title'], fields\n"
        "print(sorted(m for m in ('archive.store', 'archive.query', 'archive.captures', "
        "'scrapy', 'twisted') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
