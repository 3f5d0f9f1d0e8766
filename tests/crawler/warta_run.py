"""Helpers for the crawl tests: run a real `warta crawl` child process against the mock server.

Each crawl runs in its own process, so Twisted's reactor is fresh every time, exactly as a user
or cron runs it. The settings below only make loopback crawls fast; everything else (robots.txt,
retries, size limits, pipelines) is warta's default.
"""

from __future__ import annotations

import atexit
import codecs
import itertools
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.sites import write_profile
from tests.mockserver.traps import TRAP_SITE

ROOT = Path(__file__).resolve().parents[2]

PATIENT_TIMEOUT = 30
"""DOWNLOAD_TIMEOUT of a test crawl: a loopback page answers in milliseconds, but a machine
running several test processes can take seconds, and a timeout there would change the counts a
test checks."""

FAST_SETTINGS = (
    "AUTOTHROTTLE_ENABLED=0",   # our own loopback server: no need to back off
    "DOWNLOAD_DELAY=0",
    f"DOWNLOAD_TIMEOUT={PATIENT_TIMEOUT}",
    "RETRY_TIMES=1",            # one retry still shows a failure is logged once, not per try
)

SLOW_TRAP_ADDON = 'ADDONS={"tests.crawler.slow_trap.SlowTrapTimeout": 0}'
"""The setting that gives the trap outlet's slow page alone a short timeout
(tests/crawler/slow_trap.py); every other page keeps the patient one."""

TRAP_SETTINGS = (*FAST_SETTINGS, SLOW_TRAP_ADDON)
"""FAST_SETTINGS for a crawl whose sites include the trap outlet."""


def settings_for(keys: Sequence[str], settings: Sequence[str] = FAST_SETTINGS) -> list[str]:
    """`settings`, with the slow trap page's short timeout when `keys` include `TRAP_SITE` (the
    only outlet with a page meant to time out)."""
    return [*settings, SLOW_TRAP_ADDON] if TRAP_SITE in keys else list(settings)


CRAWL_TIMEOUT = 180
"""Seconds before a test crawl is killed: it takes a few seconds; a loaded CI machine running
several test processes can be much slower."""


def write_sites(folder: Path, profiles: Mapping[str, Mapping[str, Any]]) -> Path:
    """Write each profile as `folder/KEY.toml` (validated on the way)."""
    folder.mkdir(parents=True, exist_ok=True)
    for key, data in profiles.items():
        write_profile(folder, key, data)
    return folder


def warta_env() -> dict[str, str]:
    """The environment of a `warta` child: this checkout importable, no archive or sites
    folder inherited from the shell."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("WARTA_DB", None)
    env.pop("WARTA_SITES_DIR", None)
    return env


def run_warta(*args: str, cwd: Path | None = None, timeout: float = CRAWL_TIMEOUT,
              real: bool = False) -> subprocess.CompletedProcess[str]:
    """`warta ARGS` as a child process, output captured as text: forked from the tests' fork
    server (tests/crawler/forkserver.py: the same `main(ARGS)` in a process of its own, with
    the imports already done), or with `real=True` (or `WARTA_TEST_FORKSERVER=0`) the real
    `python -m crawler.cli` started from scratch."""
    if real or os.environ.get("WARTA_TEST_FORKSERVER") == "0":
        return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=cwd or ROOT,
                              env=warta_env(), capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL, check=False)
    return _forkserver().run(list(args), cwd or ROOT, warta_env(), timeout)


class ForkServer:
    """The running `python -m tests.crawler.forkserver` (one per test session, started on
    first use, ended with the session: its stdin is this process's pipe)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="warta-forkserver-"))
        self.socket = str(self.folder / "socket")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.crawler.forkserver", self.socket], cwd=ROOT,
            env=warta_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        ready = self.process.stdout.readline()
        assert ready == "ready\n", f"the fork server did not start ({ready!r})"
        self.calls = itertools.count()

    def run(self, args: list[str], cwd: Path, env: dict[str, str],
            timeout: float) -> subprocess.CompletedProcess[str]:
        n = next(self.calls)
        out, err = self.folder / f"{n}.out", self.folder / f"{n}.err"
        request = {"argv": args, "cwd": str(cwd), "env": env, "stdout": str(out),
                   "stderr": str(err)}
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(self.socket)
            conn.sendall(json.dumps(request).encode() + b"\n")
            conn.settimeout(timeout)
            with conn.makefile("rb") as replies:
                pid = json.loads(replies.readline())["pid"]
                try:
                    line = replies.readline()
                except TimeoutError:
                    os.kill(pid, signal.SIGKILL)
                    raise subprocess.TimeoutExpired(["warta", *args], timeout) from None
        status = json.loads(line)["status"]
        try:
            return subprocess.CompletedProcess(
                ["warta", *args], status, out.read_text(),
                err.read_text())
        finally:
            out.unlink()
            err.unlink()

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_SERVER: list[ForkServer] = []


def _forkserver() -> ForkServer:
    if not _SERVER or _SERVER[0].process.poll() is not None:
        _SERVER[:] = [ForkServer()]
        atexit.register(_SERVER[0].stop)
    return _SERVER[0]


def start_warta(*args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    """`warta ARGS` started as a child process, stdout and stderr piped (read stderr as it
    comes with `read_until`, the rest with `communicate`)."""
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", *args], cwd=cwd or ROOT,
                            env=warta_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def read_until(process: subprocess.Popen[str], pattern: str,
               timeout: float | None = CRAWL_TIMEOUT) -> str:
    """Read `process`'s stderr until the regular expression `pattern` matches what was read,
    and return what was read. Fails when the process ends or `timeout` passes first; with
    `timeout=None` it waits for the line or the process's end however long that takes (a test
    that waits on an event the process signals, not on time).

    Reads the pipe's descriptor itself, never its buffered file object, so that a later
    `process.communicate()` returns exactly the rest."""
    assert process.stderr is not None
    fd = process.stderr.fileno()
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    seen = ""
    deadline = time.monotonic() + timeout if timeout is not None else None
    while not re.search(pattern, seen):
        left = deadline - time.monotonic() if deadline is not None else None
        assert left is None or left > 0, \
            f"no {pattern!r} on stderr within {timeout} s; got {seen[-500:]!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        assert chunk, f"the process ended (status {process.wait()}) before {pattern!r}; " \
                      f"stderr: {seen[-2000:]!r}"
        seen += decoder.decode(chunk)
    return seen


@dataclass
class CrawlRun:
    """One finished `warta crawl`: its process, archive file and final Scrapy stats."""

    process: subprocess.CompletedProcess[str]
    db: Path
    stats: dict[str, Any]

    def stat(self, key: str) -> Any:
        return self.stats.get(key, 0)


def crawl(keys: Sequence[str], sites_dir: Path, db: Path, *extra: str,
          settings: Sequence[str] = FAST_SETTINGS) -> CrawlRun:
    """Run `warta crawl KEYS --sites-dir --db` with fast loopback settings and a stats file."""
    stats_file = db.parent / f"{db.stem}.{uuid.uuid4().hex[:8]}.stats.json"
    args = ["crawl", *keys, "--sites-dir", str(sites_dir), "--db", str(db), "--log-level",
            "WARNING", "-s", f"WARTA_STATS_FILE={stats_file}", *extra]
    for setting in settings_for(keys, settings):
        args += ["-s", setting]
    process = run_warta(*args)
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    return CrawlRun(process=process, db=db, stats=stats)
