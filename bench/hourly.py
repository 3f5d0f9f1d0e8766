"""Two days of hourly crawls, simulated: what the refresh schedule costs, and whether it
catches every edit.

    python bench/hourly.py                     # 48 runs
    python bench/hourly.py --runs 24
    python bench/hourly.py --measure-before    # and the same hours crawled the old way

1. Serves the demo outlet `kaltimnews` in this process on a simulated clock
   (`DemoState.set_clock`): 48 articles published one an hour before the start (its backlog,
   beside its 22 bundled ones), then one more every hour (at hh:00), each shown only once the
   clock has passed its publication.
2. Ten articles are edited between 1 h and 48 h after their publication (a fixed random
   draw: a new closing paragraph, shown from the edit's time).
3. A first crawl at the start fills the archive (not counted). Then `--runs` crawls, one an
   hour at hh:17 as cron would start them, each a `warta crawl` child process with
   `WARTA_NOW` set to the simulated time: nothing waits for real hours.

The baseline is what an hourly schedule must cost at least, counted from the same runs:
every run's discovery requests (robots.txt, sitemaps, the feed, listing pages: the requests
to pages that are not articles, as the server logged them), plus each new article once, plus
each re-check the schedule calls for (an archived article whose 1 h, 6 h, 24 h or 72 h mark
after publication passed since the previous run, `crawler.refresh`). `requests_factor` is
every request the runs made over that baseline (the extra: articles a sitemap `lastmod` said
were edited). Target: at most 1.2. `before` is the same total for the behaviour before the
schedule, every archived article of the last two days read again every run (computed from the
same runs' discovery and publication times: 48 re-reads a run once the outlet has two days of
articles); with `--measure-before` the same hours are crawled again that way (`--refresh none
--refresh-days 2`, into another archive) and its requests counted (`before_measured`).

An edit is stored in time when its article has a version replaced no later than the first
run at which the article is due after the edit (the next run, since the edit moves its
sitemap `lastmod`; by the schedule alone, its next check mark). The last line:
`runs=48 requests_factor=... edits=10 edits_stored=... requests=... baseline=... before=...
[before_measured=...] before_factor=... not_modified=... full_rechecks=...`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawl import LOOPBACK  # the same loopback settings as the throughput bench
from recrawl import ROOT, child_env

sys.path.insert(0, str(ROOT))

SITE = "kaltimnews"
BACKLOG = 48
EDITS = 10
SEED = 14
RUN_MINUTE = 17
HOURS = (1.0, 6.0, 24.0, 72.0)  # the default schedule (WARTA_REFRESH_HOURS)
BEFORE_WINDOW_H = 48.0           # the refresh window before the schedule (--refresh-days 2)
BEFORE_ARGS = ("--refresh", "none", "--refresh-days", "2")  # that behaviour, run today

WITA = dt.timezone(dt.timedelta(hours=8))


def crawl(sites: Path, db: Path, stats_file: Path, now: dt.datetime,
          extra: tuple[str, ...] = ()) -> dict[str, Any]:
    args = [sys.executable, "-m", "crawler.cli", "crawl", SITE, "--sites-dir", str(sites),
            "--db", str(db), "--no-progress", "-s", f"WARTA_STATS_FILE={stats_file}",
            "-s", f"WARTA_NOW={now.isoformat()}", *extra]
    for name, value in LOOPBACK.items():
        args += ["-s", f"{name}={value}"]
    subprocess.run(args, check=True, env=child_env(), stdout=subprocess.DEVNULL)
    return dict(json.loads(stats_file.read_text()))


def checks_between(published: list[dt.datetime], start: dt.datetime, end: dt.datetime,
                   hours: tuple[float, ...]) -> int:
    """Scheduled re-checks that come due in (start, end] for articles published before
    `start` (so archived by then)."""
    due = 0
    for when in published:
        if when > start:
            continue
        due += sum(1 for h in hours if start < when + dt.timedelta(hours=h) <= end)
    return due


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=48, help="hourly runs (default 48)")
    parser.add_argument("--measure-before", action="store_true",
                        help="also run the same hours as warta did before the schedule "
                             "(--refresh none --refresh-days 2) and count its requests")
    args = parser.parse_args()
    from crawler.demo import profiles
    from crawler.demo.server import serve
    from crawler.demo.state import DemoState
    from crawler.sites import write_profile

    # A start in the past, on the hour, so that every simulated time is one the real clock
    # has seen too (nothing in the crawl takes a date for one in the future).
    start = (dt.datetime.now(WITA) - dt.timedelta(days=10)).replace(minute=0, second=0,
                                                                     microsecond=0)
    state = DemoState([SITE])
    state.add_articles(SITE, BACKLOG, newest=start)
    state.add_articles(SITE, args.runs, newest=start + dt.timedelta(hours=args.runs))
    published = list(state.sites[SITE].added)
    end = start + dt.timedelta(hours=args.runs, minutes=RUN_MINUTE)

    # Ten edits, 1 h to 48 h after publication, all before the last run.
    rng = random.Random(SEED)
    with serve([SITE], state=state) as demo:
        outlet = demo.outlets[SITE]
        prefix = outlet.generated_prefix
        first_run = start + dt.timedelta(hours=1, minutes=RUN_MINUTE)
        candidates = [(i, p) for i, p in enumerate(published)
                      if p + dt.timedelta(hours=1) < end - dt.timedelta(minutes=RUN_MINUTE)]
        edits: dict[str, dt.datetime] = {}
        for index, when in rng.sample(candidates, len(candidates)):
            # after the article was first archived (so a version is due), before the last run
            earliest = max(when + dt.timedelta(hours=1), start + dt.timedelta(minutes=30))
            latest = min(when + dt.timedelta(hours=48), end - dt.timedelta(minutes=30))
            if latest <= earliest or first_run > latest:
                continue
            edit_at = earliest + (latest - earliest) * rng.random()
            art_id = f"{prefix}{index:05d}"  # `crawler.demo.generate`'s ids
            edits[art_id] = edit_at.replace(second=0, microsecond=0)
            if len(edits) == EDITS:
                break
        state.set_clock(start)
        for art_id, when in edits.items():
            state.edit_article(SITE, art_id, when=when)

        with tempfile.TemporaryDirectory(prefix="warta-hourly-") as tmp:
            work = Path(tmp)
            sites = work / "sites"
            sites.mkdir()
            write_profile(sites, SITE, profiles(demo.urls)[SITE])
            db = work / "hourly.db"
            runs = simulate(demo, state, sites, db, start, args.runs, published)
            with sqlite3.connect(db) as conn:
                stored = _stored_in_time(conn, outlet, edits, published, runs.times)
            measured = None
            if args.measure_before:
                state.set_clock(start)
                measured = simulate(demo, state, sites, work / "before.db", start, args.runs,
                                    published, BEFORE_ARGS).total
    before = runs.discovery + sum(
        sum(1 for p in published if previous_run < p <= now)
        + sum(1 for p in published if p <= previous_run
              and now - p <= dt.timedelta(hours=BEFORE_WINDOW_H))
        for previous_run, now in zip([start, *runs.times], runs.times, strict=False))
    factor = runs.total / runs.baseline if runs.baseline else float("nan")
    shown = f" before_measured={measured}" if measured is not None else ""
    print(f"runs={args.runs} requests_factor={factor:.3f} edits={len(edits)} "
          f"edits_stored={stored} requests={runs.total} baseline={runs.baseline} "
          f"before={before}{shown} before_factor={(measured or before) / runs.baseline:.2f} "
          f"not_modified={runs.not_modified} full_rechecks={runs.full_rechecks}")
    return 0 if stored == len(edits) and factor <= 1.2 else 1


@dataclass
class Runs:
    """What the hourly runs of one simulation cost."""

    total: int = 0
    baseline: int = 0
    discovery: int = 0
    not_modified: int = 0
    full_rechecks: int = 0
    times: list[dt.datetime] = field(default_factory=list)


def simulate(demo: Any, state: Any, sites: Path, db: Path, start: dt.datetime, count: int,
             published: list[dt.datetime], extra: tuple[str, ...] = ()) -> Runs:
    """A first crawl at `start` (not counted), then `count` hourly runs at hh:17."""
    outlet = demo.outlets[SITE]
    stats_file = db.with_suffix(".stats.json")
    crawl(sites, db, stats_file, start, extra)
    runs = Runs()
    previous = start
    for run in range(1, count + 1):
        now = start + dt.timedelta(hours=run, minutes=RUN_MINUTE)
        state.set_clock(now)
        demo.log.clear()
        stats = crawl(sites, db, stats_file, now, extra)
        paths = {outlet.article_path(a) for a in outlet.snapshot().articles}
        logged = demo.log.entries(SITE)
        articles = sum(1 for e in logged if e["path"].split("?")[0] in paths)
        discovery = len(logged) - articles
        new = sum(1 for p in published if previous < p <= now)
        due = checks_between(published, previous, now, HOURS)
        runs.total += len(logged)
        runs.discovery += discovery
        runs.baseline += discovery + new + due
        not_modified = int(stats.get("incremental/not_modified", 0))
        runs.not_modified += not_modified
        runs.full_rechecks += int(stats.get("archive/unchanged", 0)) - not_modified
        print(f"{'before ' if extra else ''}run {run:2d} at {now:%m-%d %H:%M}: "
              f"{len(logged)} requests ({discovery} discovery, {articles} article pages; "
              f"new {new}, due {due}), 304 {not_modified}, "
              f"updated {stats.get('archive/updated', 0)}", file=sys.stderr)
        runs.times.append(now)
        previous = now
    return runs


def _stored_in_time(conn: sqlite3.Connection, outlet: Any, edits: dict[str, dt.datetime],
                    published: list[dt.datetime], runs: list[dt.datetime]) -> int:
    """How many edits the archive holds as a new version, stored no later than the first run
    at which the article was due after its edit (the next run: the edit moved its sitemap
    `lastmod`; the schedule's next mark is later or the same)."""
    snap = outlet.snapshot()
    stored = 0
    for art_id, when in edits.items():
        art = snap.by_id[art_id]
        url = outlet.article_url(art)
        deadline = next((r for r in runs if r >= when), None)
        if deadline is None:
            continue
        row = conn.execute(
            "SELECT min(v.replaced_at) FROM article_versions v JOIN articles a "
            "ON a.id = v.article_id WHERE a.url = ? AND v.replaced_at >= ?",
            (url, when.astimezone(dt.UTC).isoformat(timespec="seconds"))).fetchone()
        if row and row[0] and dt.datetime.fromisoformat(row[0]) <= deadline:
            stored += 1
        else:
            print(f"edit of {art_id} at {when:%m-%d %H:%M} not stored by {deadline:%m-%d %H:%M}",
                  file=sys.stderr)
    return stored


if __name__ == "__main__":
    raise SystemExit(main())
