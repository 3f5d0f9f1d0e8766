"""Scrapyd: a real Scrapyd on loopback, the project deployed with `scrapyd-deploy` as the README
says, a crawl of a mock outlet scheduled through Scrapyd's HTTP API, its articles found in the
archive.

The project is copied to a temporary folder first: `scrapyd-deploy` builds its egg in the
project folder (`setup.py bdist_egg`) and points at the `[deploy]` URL of `scrapy.cfg`, which
the copy aims at this test's Scrapyd.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.crawler.warta_run import FAST_SETTINGS, ROOT, write_sites
from tests.mockserver.client import MockServer

pytest.importorskip("scrapyd", reason="Scrapyd is in the test extra: pip install -e '.[test]'")

SITE = "mahakampos"
PROJECT_FILES = ("archive", "crawler", "pyproject.toml", "setup.py", "scrapy.cfg", "README.md")
START_TIMEOUT = 30.0
JOB_TIMEOUT = 120.0
POLL = 0.2

SCRAPYD_CONF = """[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
eggs_dir = {folder}/eggs
logs_dir = {folder}/logs
dbs_dir = {folder}/dbs
items_dir =
poll_interval = {poll}
max_proc = 1
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bin_path(name: str) -> str:
    """A console script of this Python's environment."""
    return str(Path(sys.executable).with_name(name))


class Scrapyd:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        (folder / "scrapyd.conf").write_text(SCRAPYD_CONF.format(
            port=self.port, folder=folder, poll=POLL))
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)  # jobs run the deployed egg, not this checkout
        self.log = (folder / "scrapyd.out").open("w")
        self.process = subprocess.Popen([bin_path("scrapyd")], cwd=folder, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if self.get("daemonstatus.json")["status"] == "ok":
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"scrapyd did not start: {self.output()}")
            time.sleep(POLL)

    def output(self) -> str:
        return (self.folder / "scrapyd.out").read_text()

    def get(self, path: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(self.url + path + query, timeout=10) as response:
            return json.loads(response.read())

    def post(self, path: str, fields: list[tuple[str, str]]) -> Any:
        data = urllib.parse.urlencode(fields).encode()
        with urllib.request.urlopen(self.url + path, data=data, timeout=10) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    server = Scrapyd(tmp_path_factory.mktemp("scrapyd"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def project(scrapyd: Scrapyd, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project whose scrapy.cfg deploys to the test's Scrapyd."""
    folder = tmp_path_factory.mktemp("project")
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, folder / name)
    cfg = folder / "scrapy.cfg"
    text = cfg.read_text()
    assert "url = http://127.0.0.1:6800/" in text  # the README's deploy target
    cfg.write_text(text.replace("http://127.0.0.1:6800/", scrapyd.url))
    return folder


@pytest.fixture(scope="module")
def deployed(scrapyd: Scrapyd, project: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return subprocess.run([bin_path("scrapyd-deploy"), "-p", "warta", "-v", "r1"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_scrapyd_deploy_uploads_the_project_with_its_spider(
        scrapyd: Scrapyd, deployed: subprocess.CompletedProcess[str]) -> None:
    assert deployed.returncode == 0, deployed.stderr + deployed.stdout
    assert '"status": "ok"' in deployed.stdout
    assert scrapyd.get("listspiders.json", project="warta")["spiders"] == ["news"]


def test_the_egg_carries_the_bundled_profiles_and_reads_them_zipped(
        scrapyd: Scrapyd, deployed: subprocess.CompletedProcess[str], tmp_path: Path) -> None:
    (egg,) = (scrapyd.folder / "eggs" / "warta").glob("r1.egg")
    with zipfile.ZipFile(egg) as archive:
        names = archive.namelist()
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    assert "crawler/sites/kaltimpost.toml" in names
    assert "[scrapy]\nsettings = crawler.settings" in entry_points
    env = dict(os.environ, PYTHONPATH=str(egg))
    listed = subprocess.run(
        [sys.executable, "-c", "import crawler.sites as s; print(s.__file__); "
         "print(','.join(sorted(s.load_profiles())))"], cwd=tmp_path, env=env,
        capture_output=True, text=True, check=True)
    where, keys = listed.stdout.splitlines()
    assert where.startswith(str(egg))
    assert "kaltimpost" in keys.split(",")


def test_a_crawl_scheduled_through_the_http_api_fills_the_archive(
        scrapyd: Scrapyd, deployed: subprocess.CompletedProcess[str], mockserver: MockServer,
        tmp_path: Path) -> None:
    assert deployed.returncode == 0, deployed.stderr
    sites = write_sites(tmp_path / "sites", {SITE: mockserver.profiles[SITE]})
    db = tmp_path / "warta.db"
    fields = [("project", "warta"), ("spider", "news"), ("site", SITE),
              ("setting", f"WARTA_DB={db}"), ("setting", f"WARTA_SITES_DIR={sites}"),
              *(("setting", s) for s in FAST_SETTINGS)]
    scheduled = scrapyd.post("schedule.json", fields)
    assert scheduled["status"] == "ok", scheduled
    job = scheduled["jobid"]
    deadline = time.monotonic() + JOB_TIMEOUT
    while not any(j["id"] == job for j in scrapyd.get("listjobs.json",
                                                       project="warta")["finished"]):
        assert time.monotonic() < deadline, scrapyd.output()
        time.sleep(POLL)
    log = (scrapyd.folder / "logs" / "warta" / "news" / f"{job}.log").read_text()
    assert "Spider closed (finished)" in log, log[-3000:]
    with sqlite3.connect(db) as conn:
        urls = {row[0] for row in conn.execute("SELECT url FROM articles")}
        crawls = conn.execute("SELECT sites, finish_reason FROM crawls").fetchall()
    assert urls == {a["url"] for a in mockserver.articles_of(SITE)}
    assert crawls == [(f'["{SITE}"]', "finished")]
