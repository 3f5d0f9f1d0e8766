"""A cluster end to end (issue 18): three real Scrapyd processes on loopback, nine outlets
of the demo server, `warta cluster plan/deploy/schedule/status`, one node killed mid-crawl,
a re-plan without it and a re-run, then `warta merge` of the nodes' shards: every article
exactly once, the same rows as a single-machine crawl of the same outlets, a second merge a
no-op. One test: it is the heavy one."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from crawler.demo import profiles
from crawler.demo.server import DemoServer, serve
from crawler.demo.state import DemoState
from tests.crawler.warta_run import FAST_SETTINGS, ROOT, crawl, run_warta, write_sites
from tests.test_scrapyd import JOB_TIMEOUT, POLL, PROJECT_FILES, Scrapyd

pytest.importorskip("scrapyd", reason="Scrapyd is in the test extra: pip install -e '.[test]'")

BASE = ["kaltimnews", "mahakampos", "benuaetam"]
COPIES = 3  # nine outlets: three to a node, as many as thirty would prove


def articles(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT uid, content_hash FROM articles").fetchall()
    assert len(rows) == len({uid for uid, _ in rows})
    return dict(rows)


def wait_finished(node: Scrapyd, job: str) -> None:
    deadline = time.monotonic() + JOB_TIMEOUT * 3
    while not any(j["id"] == job for j in node.get("listjobs.json",
                                                    project="warta")["finished"]):
        assert time.monotonic() < deadline, node.output()[-3000:]
        time.sleep(POLL)


def jobs_of(output: str) -> dict[str, str]:
    """node URL -> job id, from `warta cluster schedule`'s lines."""
    out = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] == "job":
            out[parts[0]] = parts[2]
    return out


def test_three_nodes_one_killed_then_re_planned_merge_into_the_single_machine_archive(
        tmp_path: Path) -> None:
    demos: list[DemoServer] = [serve(BASE, state=DemoState(BASE)) for _ in range(COPIES)]
    nodes: list[Scrapyd] = []
    try:
        outlets = {f"{key}{n:02d}": profile for n, demo in enumerate(demos)
                   for key, profile in profiles(demo.urls).items()}
        sites = write_sites(tmp_path / "sites", outlets)
        # the single-machine crawl runs while the nodes start and the project is deployed
        pool = ThreadPoolExecutor(max_workers=1)
        single_run = pool.submit(crawl, sorted(outlets), sites, tmp_path / "single.db")
        pool.shutdown(wait=False)

        for k in range(3):
            (tmp_path / f"node{k}").mkdir()
            nodes.append(Scrapyd(tmp_path / f"node{k}"))
        urls = ",".join(node.url for node in nodes)
        project = tmp_path / "project"
        project.mkdir()
        for name in PROJECT_FILES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, project / name,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(source, project / name)
        deployed = run_warta("cluster", "deploy", "--nodes", urls, "--project", str(project),
                             timeout=600)
        assert deployed.returncode == 0, deployed.stderr
        assert all(n.get("listspiders.json", project="warta")["spiders"] == ["news"]
                   for n in nodes)

        single = single_run.result()
        assert single.process.returncode == 0, single.process.stderr
        expected = articles(single.db)
        assert len(expected) > 90

        plan, data = tmp_path / "plan.json", tmp_path / "data"
        data.mkdir()
        settings = [arg for s in FAST_SETTINGS for arg in ("-s", s)]
        schedule = [*settings, "--sites-dir", str(sites), "--plan", str(plan),
                    "--data-dir", str(data)]
        first = run_warta("cluster", "schedule", "--nodes", urls, *schedule)
        assert first.returncode == 0, first.stderr
        jobs = jobs_of(first.stdout)
        assert len(jobs) == 3
        # node 2 dies mid-crawl: its crawl and its Scrapyd killed
        dead = nodes[2]
        while True:
            listed = dead.get("listjobs.json", project="warta")
            running = [j for j in listed["running"] if j["id"] == jobs[dead.url]]
            if running or any(j["id"] == jobs[dead.url] for j in listed["finished"]):
                break
            time.sleep(POLL)
        for job in running:
            os.kill(job["pid"], signal.SIGKILL)
        dead.process.kill()
        dead.process.wait()
        status = run_warta("cluster", "status", "--nodes", urls)
        assert f"{dead.url}  DOWN" in status.stdout, status.stdout
        for node in nodes[:2]:
            wait_finished(node, jobs[node.url])

        # re-plan without it: its outlets move, the others stay; run again
        before = json.loads(plan.read_text())["nodes"]
        live = ",".join(node.url for node in nodes[:2])
        again = run_warta("cluster", "schedule", "--nodes", live, *schedule)
        assert again.returncode == 0, again.stderr
        after = json.loads(plan.read_text())["nodes"]
        for node in nodes[:2]:
            assert set(before[node.url]) <= set(after[node.url])
        for node, job in jobs_of(again.stdout).items():
            wait_finished(next(n for n in nodes if n.url == node), job)

        shards = sorted(data.glob("*.db"))
        assert len(shards) >= 2
        main = tmp_path / "main.db"
        merged = run_warta("merge", *map(str, shards), "--db", str(main))
        assert merged.returncode == 0, merged.stderr
        assert articles(main) == expected  # every article exactly once, the same content
        with sqlite3.connect(main) as conn:
            conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        second = run_warta("merge", *map(str, shards), "--db", str(main))
        assert second.returncode == 0, second.stderr
        assert second.stdout.count(" 0 new, 0 updated") == len(shards)
    finally:
        for node in nodes:
            node.stop()
        for demo in demos:
            demo.stop()
