"""Every `WARTA_` setting is checked before a crawl starts (issue 10): a wrong value or an
unknown name is one `Error:` line and exit status 2, with no archive, lock or job left
behind; `scrapy crawl` refuses it as one log line and fetches nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.runtime.runner import crawl_settings
from crawler.settings import WARTA_SETTINGS, check_settings
from tests.crawler.warta_run import ROOT, run_warta, write_sites
from tests.mockserver.client import MockServer

SITE = "mahakampos"


def test_every_default_passes_its_own_check() -> None:
    check_settings(crawl_settings())
    assert all(setting.check is not None for setting in WARTA_SETTINGS.values())


@pytest.mark.parametrize(("setting", "error"), [
    ("WARTA_BATCH_SIZE=abc", "setting WARTA_BATCH_SIZE: expected a whole number of 1 or more, "
                             "not 'abc'"),
    ("WARTA_FLUSH_SECONDS=-1", "setting WARTA_FLUSH_SECONDS: expected a number of 0 or more, "
                               "not '-1'"),
    ("WARTA_INCREMENTAL=maybe", "setting WARTA_INCREMENTAL: expected True or False (or 1 or 0), "
                                "not 'maybe'"),
    ("WARTA_BATCHSIZE=5", "unknown setting WARTA_BATCHSIZE (did you mean WARTA_BATCH_SIZE?); "
                          f"warta's settings are {', '.join(WARTA_SETTINGS)}"),
])
def test_a_bad_setting_is_one_line_and_leaves_nothing_behind(
        mockserver: MockServer, tmp_path: Path, setting: str, error: str) -> None:
    sites = write_sites(tmp_path / "sites", {SITE: mockserver.profiles[SITE]})
    db = tmp_path / "kaltim.db"
    mockserver.clear_log()
    result = run_warta("crawl", SITE, "--sites-dir", str(sites), "--db", str(db),
                       "-s", setting)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"Error: {error}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sites"]  # no archive, no job
    assert mockserver.requests(SITE) == []


def test_a_scrapy_crawl_with_a_bad_setting_fetches_nothing(
        mockserver: MockServer, tmp_path: Path) -> None:
    sites = write_sites(tmp_path / "sites", {SITE: mockserver.profiles[SITE]})
    db = tmp_path / "kaltim.db"
    mockserver.clear_log()
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"site={SITE}",
         "-s", f"WARTA_DB={db}", "-s", f"WARTA_SITES_DIR={sites}", "-s", "LOG_LEVEL=WARNING",
         "-s", "WARTA_BATCH_SIZE=abc"], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True, text=True, timeout=120, check=False)
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.endswith("ERROR: setting WARTA_BATCH_SIZE: expected a whole number of 1 or "
                         "more, not 'abc'")
    assert not db.exists()
    assert mockserver.requests(SITE) == []
