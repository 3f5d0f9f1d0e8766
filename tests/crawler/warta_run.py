"""Helpers for the crawl tests: run a real `warta crawl` child process against the mock server.

Each crawl runs in its own process, so Twisted's reactor is fresh every time, exactly as a user
or cron runs it. The settings below only make loopback crawls fast; everything else (robots.txt,
retries, size limits, pipelines) is warta's default.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.sites import write_profile

ROOT = Path(__file__).resolve().parents[2]

FAST_SETTINGS = (
    "AUTOTHROTTLE_ENABLED=0",   # our own loopback server: no need to back off
    "DOWNLOAD_DELAY=0",
    "DOWNLOAD_TIMEOUT=1",       # the slow trap page waits 5 s: time out well before
    "RETRY_TIMES=1",            # one retry still shows a failure is logged once, not per try
)

CRAWL_TIMEOUT = 180
"""Seconds before a test crawl is killed: it takes a few seconds; a loaded CI machine running
several test processes can be much slower."""


def write_sites(folder: Path, profiles: Mapping[str, Mapping[str, Any]]) -> Path:
    """Write each profile as `folder/KEY.toml` (validated on the way)."""
    folder.mkdir(parents=True, exist_ok=True)
    for key, data in profiles.items():
        write_profile(folder, key, data)
    return folder


def run_warta(*args: str, cwd: Path | None = None,
              timeout: float = CRAWL_TIMEOUT) -> subprocess.CompletedProcess[str]:
    """`warta ARGS` as a child process (`python -m crawler.cli`), output captured as text."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("WARTA_DB", None)
    env.pop("WARTA_SITES_DIR", None)
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=cwd or ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, check=False)


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
    for setting in settings:
        args += ["-s", setting]
    process = run_warta(*args)
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    return CrawlRun(process=process, db=db, stats=stats)
