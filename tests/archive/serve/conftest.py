"""Fixtures for `warta serve`: an archive crawled from the mock news server (one article edited
and crawled again, so it has a version), `warta serve` on it as a real child process on a free
loopback port, and headless Chromium (Debian's `chromium` and `chromedriver`) driven by
Selenium."""

from __future__ import annotations

import codecs
import os
import re
import select
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.crawler.warta_run import FAST_SETTINGS, crawl, start_warta, write_sites
from tests.mockserver.client import MockServer

SITES = ["kaltimnews", "benuaetam", "mahakampos"]
#: The article edited between the two crawls: it has one earlier version.
EDITED = ("kaltimnews", "kn02")
EDIT_PARAGRAPH = "Pembaruan: redaksi menambahkan keterangan dari warga Sungai Pinang."
SETTINGS = (*FAST_SETTINGS, "RETRY_TIMES=0")
START_TIMEOUT = 60.0
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1200,1400")


@dataclass
class Crawled:
    db: Path
    edited_url: str


@pytest.fixture(scope="session")
def crawled(mockserver: MockServer, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Crawled]:
    """The mock outlets crawled twice into one archive, EDITED corrected in between."""
    folder = tmp_path_factory.mktemp("serve")
    sites = write_sites(folder / "sites", {k: mockserver.profiles[k] for k in SITES})
    db = folder / "warta-test.db"
    try:
        mockserver.set_slow(0)  # the slow trap page's timeout is test_bad_input's subject
        first = crawl(SITES, sites, db, settings=SETTINGS)
        assert first.process.returncode == 0, first.process.stderr
        site, article_id = EDITED
        mockserver.edit_article(site, article_id, paragraph=EDIT_PARAGRAPH)
        second = crawl(SITES, sites, db, settings=SETTINGS)
        assert second.process.returncode == 0, second.process.stderr
    finally:
        mockserver.reset()
    url = next(a["url"] for a in mockserver.articles_of(EDITED[0]) if a["id"] == EDITED[1])
    yield Crawled(db=db, edited_url=url)


def read_stdout_until(process: subprocess.Popen[str], pattern: str,
                      timeout: float = START_TIMEOUT) -> re.Match[str]:
    """Read the child's stdout (its descriptor, unbuffered) until `pattern` matches."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    seen = ""
    deadline = time.monotonic() + timeout
    while (found := re.search(pattern, seen)) is None:
        left = deadline - time.monotonic()
        assert left > 0, f"no {pattern!r} on stdout within {timeout} s; got {seen!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                _, err = process.communicate()
                raise AssertionError(f"warta serve ended (status {process.returncode}) "
                                     f"before {pattern!r}: {seen!r} {err!r}")
            seen += decoder.decode(chunk)
    return found


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    """http://127.0.0.1:PORT (no trailing slash)."""
    name: str
    """The database's name in URLs: the archive file's stem."""

    def get(self, path: str) -> tuple[int, str]:
        """(status, body) of GET `path`; an HTTP error status is returned, not raised."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=60) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def stop(self) -> str:
        """Stop it as Ctrl-C does; return its stderr."""
        self.process.send_signal(2)
        try:
            _, err = self.process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err


def start_server(db: Path, *args: str) -> Server:
    process = start_warta("serve", "--db", str(db), "--port", "0", *args)
    found = read_stdout_until(process, r"read-only at (http://127\.0\.0\.1:\d+)/")
    return Server(process=process, url=found.group(1), name=db.stem)


@pytest.fixture(scope="session")
def server(crawled: Crawled) -> Iterator[Server]:
    running = start_server(crawled.db)
    try:
        yield running
    finally:
        err = running.stop()
        assert "Traceback" not in err, err


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium from Debian's package, through its chromedriver: nothing is
    downloaded (Selenium Manager is not asked: both paths are given)."""
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        if os.environ.get("WARTA_REQUIRE_BROWSER") == "1":  # set by .ci/run: CI never skips them
            pytest.fail("WARTA_REQUIRE_BROWSER=1 but Debian's chromium and chromium-driver "
                        "are not installed (apt-get install chromium chromium-driver)")
        pytest.skip("Debian's chromium and chromium-driver are not installed "
                    "(apt-get install chromium chromium-driver; .ci/run does)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
