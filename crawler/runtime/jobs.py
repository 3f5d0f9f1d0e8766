"""The resumable jobs of scheduled crawls, kept in the archive's state folder
(`crawler.runtime.lock.state_dir_for`):

    warta.db.state/
      jobs/<sites>/        one job per set of sites crawled together: Scrapy's JOBDIR
        warta-job.json     and warta's record of the job (status, start, options)

**Jobs.** A crawl of the same sites with the same options resumes the previous one when that
one did not finish:

- after a clean stop (Ctrl-C, SIGTERM: Scrapy's finish reason `shutdown`) the job is
  `paused`: Scrapy wrote its frontier to the JOBDIR (pending requests, seen fingerprints)
  and the resumed run continues from it; nothing is fetched twice;
- after a death (SIGKILL, out of memory, power loss) the job is still marked `running`.
  Scrapy's frontier on disk cannot be trusted then: the queue's positions are written only on
  a clean close, and the seen-fingerprint file holds requests that were scheduled but never
  done, including articles whose items were still waiting in the archive pipeline's batch.
  So the frontier is thrown away and the run is **recovered** from the archive, which is the
  one record of what is done (written in transactions): discovery (robots.txt, sitemaps,
  feeds, listings: a few requests per site) runs again, and every article the archive got
  during this job is skipped without a request (`skipped/done`), its stored related links
  followed as if it had been read. Articles fetched but not yet written when the process died
  are simply fetched again. The archive ends with every article once.

A finished job's folder is removed. `fresh=True` (`warta crawl --fresh`) throws away any job
of those sites and starts over. The crawl records of a died attempt are marked `killed`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive import ARCHIVE_ERROR, now_utc
from crawler.runtime.lock import ensure_dir

JOB_FILE = "warta-job.json"

#: A job folder is named after its sites while the name stays short enough to read; past this
#: many characters it is `<first site>-and-<n>-more-<hash>`.
MAX_JOB_NAME = 60

#: Job statuses in `warta-job.json`.
RUNNING, PAUSED = "running", "paused"
#: What a starting crawl does with its job: start one, continue a paused one from Scrapy's
#: frontier, or recover one whose process died (frontier discarded, the archive decides).
NEW, RESUMED, RECOVERED = "new", "resumed", "recovered"
#: Finish reasons after which the job is complete and its folder removed.
COMPLETE_REASONS = frozenset({"finished", "closespider_itemcount"})
#: Finish reasons after which Scrapy's frontier is wrong and the job is removed too: the
#: archive could not be written, so articles the frontier counts as done are not in it (the
#: next crawl starts a new job; the incremental crawl skips what the archive does hold).
DISCARD_REASONS = frozenset({ARCHIVE_ERROR})


def job_name(sites: Sequence[str]) -> str:
    """The folder name of the job for these sites (order does not matter)."""
    keys = sorted(set(sites))
    name = "+".join(keys)
    if len(name) <= MAX_JOB_NAME:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    return f"{keys[0]}-and-{len(keys) - 1}-more-{digest}"


@dataclass(frozen=True)
class JobStart:
    """How a crawl starts its job."""

    name: str
    jobdir: Path
    mode: str
    """`new`, `resumed` (from Scrapy's frontier) or `recovered` (from the archive)."""
    started_at: str
    """When the job's first attempt started (UTC): articles the archive got since then are
    done."""
    attempts: int
    """Attempts before this one."""
    note: str | None = None
    """Why an existing job was not continued, when it was not."""


class Job:
    """The resumable job of one set of sites on one archive."""

    def __init__(self, state_dir: Path, sites: Sequence[str]) -> None:
        self.name = job_name(sites)
        self.sites = sorted(set(sites))
        self.dir = state_dir / "jobs" / self.name
        self.file = self.dir / JOB_FILE

    def _read(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _write(self, data: Mapping[str, Any]) -> None:
        tmp = self.file.with_name(self.file.name + ".tmp")
        tmp.write_text(json.dumps(dict(data), indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, self.file)

    def _clear_frontier(self) -> None:
        """Remove everything Scrapy wrote (queue, seen fingerprints, spider state)."""
        for entry in self.dir.iterdir():
            if entry.name == JOB_FILE:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    def start(self, options: Mapping[str, Any], *, fresh: bool = False) -> JobStart:
        """Begin a crawl of this job: continue the one there, or start a new one. `options`
        (since, max_articles, ...) must match the job's for it to be continued. Call with the
        archive's crawl lock held."""
        existing = None if fresh else self._read()
        wanted = {k: options[k] for k in sorted(options)}
        note = None
        if existing is not None and existing.get("options") != wanted:
            note = (f"the unfinished crawl of {self.name} had other options "
                    f"({existing.get('options')}); starting over")
            existing = None
        if existing is None:
            if self.dir.exists():
                shutil.rmtree(self.dir)
            ensure_dir(self.dir)
            # To the microsecond, though the archive's times are whole seconds: an article
            # written in the second this job began counts as the job's own (`incremental.decide`).
            started = dt.datetime.now(dt.UTC).isoformat()
            data = {"sites": self.sites, "options": wanted, "status": RUNNING,
                    "started_at": started, "attempts": 0, "pid": os.getpid()}
            self._write(data)
            return JobStart(self.name, self.dir, NEW, started, 0, note)
        mode = RESUMED if existing.get("status") == PAUSED else RECOVERED
        if mode == RECOVERED:
            self._clear_frontier()
        attempts = int(existing.get("attempts", 0)) + 1
        self._write({**existing, "status": RUNNING, "attempts": attempts, "pid": os.getpid(),
                     "resumed_at": now_utc()})
        return JobStart(self.name, self.dir, mode, str(existing["started_at"]), attempts - 1)

    def finish(self, finish_reason: str) -> bool:
        """Record how the attempt ended: complete (the folder is removed, True) or paused
        (kept for the next run to resume, False); after `DISCARD_REASONS` the folder is
        removed too (False)."""
        if finish_reason in COMPLETE_REASONS or finish_reason in DISCARD_REASONS:
            shutil.rmtree(self.dir, ignore_errors=True)
            return finish_reason in COMPLETE_REASONS
        data = self._read()
        if data is not None:
            self._write({**data, "status": PAUSED, "paused_at": now_utc(),
                         "finish_reason": finish_reason})
        return False
