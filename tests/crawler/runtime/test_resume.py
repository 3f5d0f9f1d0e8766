"""Resuming interrupted crawls: `warta crawl` stopped with Ctrl-C, run again and killed with
SIGKILL half way, run a third time, gives the same archive as one uninterrupted crawl.

Real processes against a mock server of our own, slowed with its delay control so that each
interruption lands mid-crawl; the archive writes in batches of 4, so the kill finds articles
fetched but not yet written, which the next run must fetch again.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.crawler.warta_run import FAST_SETTINGS, ROOT, run_warta, write_sites
from tests.mockserver.client import MockServer, start_mockserver

SITES = ["mahakampos", "benuaetam"]
DELAY = 0.1
"""Seconds before every response while a crawl is to be interrupted: ~80 requests, eight at a
time, take a second or two, so the polling below lands well inside the crawl."""
BATCH = ("WARTA_BATCH_SIZE=4", "WARTA_FLUSH_SECONDS=60")
POLL = 0.05
WAIT = 60.0


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with start_mockserver(["--sites", *SITES]) as mock:
        yield mock


def crawl_args(sites: Path, db: Path) -> list[str]:
    args = ["crawl", *SITES, "--sites-dir", str(sites), "--db", str(db), "--no-progress"]
    for setting in (*FAST_SETTINGS, *BATCH):
        args += ["-s", setting]
    return args


def archived(db: Path) -> set[str]:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return {row[0] for row in conn.execute("SELECT url FROM articles")}
    except sqlite3.Error:  # not created yet
        return set()


def interrupt_when(args: list[str], db: Path, count: int, sig: int) -> tuple[int, str]:
    """Start `warta ARGS`, send `sig` once the archive holds `count` articles; return the exit
    status and stderr."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen([sys.executable, "-m", "crawler.cli", *args], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + WAIT
    try:
        while len(archived(db)) < count:
            assert process.poll() is None, "the crawl ended before it could be interrupted"
            assert time.monotonic() < deadline, "the crawl made no progress"
            time.sleep(POLL)
        process.send_signal(sig)
        _, err = process.communicate(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, err


def article_paths(server: MockServer) -> dict[str, str]:
    return {urlsplit(a["url"]).path: a["url"] for a in server.expected()}


def requested(server: MockServer) -> set[str]:
    """Canonical URLs of the articles whose pages (any part) the log shows requested."""
    paths = article_paths(server)
    return {paths[urlsplit(e["path"]).path] for e in server.requests()
            if urlsplit(e["path"]).path in paths}


@pytest.fixture(scope="module")
def story(server: MockServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("resume")
    sites = write_sites(folder / "sites", server.profiles)
    reference = run_warta(*crawl_args(sites, folder / "reference.db"))
    assert reference.returncode == 0, reference.stderr
    db = folder / "warta.db"
    args = crawl_args(sites, db)
    total = len(archived(folder / "reference.db"))
    server.set_delay(DELAY)
    try:
        paused_status, paused_err = interrupt_when(args, db, 8, signal.SIGINT)
        job_file = db.with_name("warta.db.state") / "jobs" / "+".join(sorted(SITES)) \
            / "warta-job.json"
        job_after_pause = json.loads(job_file.read_text())
        at_pause = archived(db)
        server.clear_log()
        killed_status, resumed_err = interrupt_when(args, db, min(len(at_pause) + 6, total - 4),
                                                    signal.SIGKILL)
        requested_before_kill = requested(server)
    finally:
        server.set_delay(0)
    at_kill = archived(db)
    server.clear_log()
    final = run_warta(*args)
    return {"db": db, "reference": folder / "reference.db", "total": total,
            "paused": (paused_status, paused_err), "job_after_pause": job_after_pause,
            "job_file": job_file, "at_pause": at_pause, "killed": killed_status,
            "resumed_err": resumed_err, "requested_before_kill": requested_before_kill,
            "at_kill": at_kill, "final": final, "requested_last": requested(server)}


def rows(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT url, content_hash FROM articles ORDER BY url").fetchall()


def test_interruptions_land_mid_crawl(story: dict[str, Any]) -> None:
    assert story["paused"][0] == 130, story["paused"][1]
    assert story["killed"] == -signal.SIGKILL
    assert 0 < len(story["at_pause"]) < len(story["at_kill"]) < story["total"]


def test_ctrl_c_pauses_the_job_and_the_same_command_resumes_it(story: dict[str, Any]) -> None:
    assert story["job_after_pause"]["status"] == "paused"
    assert story["resumed_err"].startswith(
        "Note: resuming the paused crawl of benuaetam+mahakampos begun ")


def test_after_sigkill_the_same_command_recovers_and_completes(story: dict[str, Any]) -> None:
    final = story["final"]
    assert final.returncode == 0, final.stderr
    assert "ended without closing (crawl 2 marked killed); continuing it" in final.stderr
    assert not story["job_file"].parent.exists()  # a finished job leaves nothing behind
    with sqlite3.connect(story["db"]) as conn:
        reasons = [r for (r,) in conn.execute("SELECT finish_reason FROM crawls ORDER BY id")]
    assert reasons == ["shutdown", "killed", "finished"]


def test_the_archive_equals_an_uninterrupted_crawl(story: dict[str, Any]) -> None:
    assert rows(story["db"]) == rows(story["reference"])
    with sqlite3.connect(story["db"]) as conn:
        (count, distinct), = conn.execute(
            "SELECT count(*), count(DISTINCT url) FROM articles").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert count == distinct == story["total"]


def test_the_last_run_fetches_what_was_lost_and_nothing_done(story: dict[str, Any]) -> None:
    lost = story["requested_before_kill"] - story["at_kill"]  # fetched, never written
    assert lost, "the kill found no article in flight or waiting to be written"
    assert lost <= story["requested_last"]
    assert not story["requested_last"] & story["at_kill"]
