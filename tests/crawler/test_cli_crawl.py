"""The `sites`, `crawl` and `demo` commands as a user runs them (child processes): exit status
and output, error messages included; `scrapy crawl news` doing the same crawl; and the docs
naming every command and setting."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.demo.model import load_articles
from crawler.settings import WARTA_SETTINGS
from crawler.sites import load_profiles
from tests.crawler.warta_run import (
    FAST_SETTINGS,
    ROOT,
    crawl,
    read_until,
    run_warta,
    start_warta,
    write_sites,
)
from tests.mockserver.client import MockServer

README = ROOT / "README.md"
#: The articles a crawl of the demo outlet `mahakampos` archives: all it bundles.
MAHAKAMPOS = len(load_articles("mahakampos"))


def test_sites_lists_every_bundled_profile() -> None:
    result = run_warta("sites", real=True)  # the real `warta` executable
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["key", "name", "homepage", "timezone", "region", "checked"]
    keys = [line.split()[0] for line in lines[1:]]
    assert keys == sorted(load_profiles())
    kaltimpost = next(line for line in lines if line.startswith("kaltimpost "))
    assert re.search(r"Kaltim Post\s+https://kaltimpost\.jawapos\.com/\s+Asia/Makassar\s+"
                     r"Balikpapan, Kalimantan Timur\s+no$", kaltimpost)


def test_sites_includes_a_user_folder(tmp_path: Path) -> None:
    (tmp_path / "lokal.toml").write_text('name = "Lokal"\nhomepage = "https://lokal.example/"\n'
                                         'timezone = "Asia/Jakarta"\n')
    result = run_warta("sites", "--sites-dir", str(tmp_path))
    assert any(line.startswith("lokal ") for line in result.stdout.splitlines())


def test_sites_with_a_bad_profile_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "rusak.toml"
    path.write_text('name = "Rusak"\nhomepage = "rusak.example"\ntimezone = "Asia/Makassar"\n')
    result = run_warta("sites", "--sites-dir", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == (f"Error: {path}: field 'homepage': must be an http(s) URL, "
                             "got 'rusak.example'\n")


@pytest.mark.parametrize(("args", "message"), [
    (["kaltimpos"], "Error: unknown site 'kaltimpos': known sites are {known} "
                    "(see `warta sites`)"),
    ([], "Error: name at least one site (see `warta sites`) or use --all"),
    (["sapos", "--all"], "Error: give site keys or --all, not both"),
    (["sapos", "--since", "kemarin"],
     "Error: Invalid value for '--since': 'kemarin' is not a date (it is not an ISO 8601 "
     "date-time); use YYYY-MM-DD or an ISO 8601 time with its offset, e.g. "
     "2023-05-23T10:15:00+08:00 (see 'warta crawl --help')"),
    (["sapos", "--max-articles", "-1"],
     "Error: Invalid value for '--max-articles': -1 is not in the range x>=0. "
     "(see 'warta crawl --help')"),
    (["sapos", "-s", "DOWNLOAD_DELAY"],
     "Error: Invalid value for '-s': expected NAME=VALUE, got 'DOWNLOAD_DELAY' "
     "(see 'warta crawl --help')"),
])
def test_crawl_usage_errors_are_one_line_and_crawl_nothing(args: list[str], message: str,
                                                           tmp_path: Path) -> None:
    result = run_warta("crawl", *args, "--db", str(tmp_path / "x.db"))
    known = ", ".join(sorted(load_profiles()))
    assert result.returncode == 2
    assert result.stderr == message.format(known=known) + "\n"
    assert not (tmp_path / "x.db").exists()


def test_crawl_into_a_folder_says_what_to_give(tmp_path: Path) -> None:
    result = run_warta("crawl", "sapos", "--db", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr == (f"Error: {tmp_path} is a folder, not an archive file; give a file "
                             f"path such as {tmp_path / 'warta.db'}\n")


def test_an_outlet_that_refuses_connections_is_one_line_per_url(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sites = write_sites(tmp_path / "sites", {"down": {
        "name": "Down", "homepage": f"http://127.0.0.1:{port}/", "timezone": "Asia/Makassar"}})
    result = run_warta("crawl", "down", "--sites-dir", str(sites), "--db",
                       str(tmp_path / "a.db"), *(a for s in FAST_SETTINGS for a in ("-s", s)))
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    assert result.stderr.count(f"http://127.0.0.1:{port}/robots.txt") == 1


def test_crawl_help_has_an_example() -> None:
    result = run_warta("crawl", "--help")
    assert "warta crawl kaltimpost tribunkaltim --since 2024-01-01" in result.stdout


@pytest.fixture(scope="module")
def sites(mockserver: MockServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sites(tmp_path_factory.mktemp("cli") / "sites", mockserver.profiles)


def test_max_articles_caps_each_outlet(sites: Path, tmp_path: Path) -> None:
    run = crawl(["mahakampos", "benuaetam"], sites, tmp_path / "warta.db", "--max-articles", "3")
    assert run.process.returncode == 0, run.process.stderr
    with sqlite3.connect(tmp_path / "warta.db") as conn:
        per_site = dict(conn.execute("SELECT source, count(*) FROM articles GROUP BY source"))
    assert per_site == {"mahakampos": 3, "benuaetam": 3}
    header, *rows = run.process.stdout.splitlines()[:3]
    table = {row.split()[0]: dict(zip(header.split()[1:], map(int, row.split()[1:]), strict=True))
             for row in rows}
    assert {site: (t["articles"], t["new"]) for site, t in table.items()} == {
        "mahakampos": (3, 3), "benuaetam": (3, 3)}


def test_since_keeps_only_newer_articles(sites: Path, tmp_path: Path,
                                         mockserver: MockServer) -> None:
    since = "2024-03-01"
    run = crawl(["benuaetam"], sites, tmp_path / "warta.db", "--since", since)
    assert run.process.returncode == 0, run.process.stderr
    with sqlite3.connect(tmp_path / "warta.db") as conn:
        dates = sorted(row[0] for row in conn.execute("SELECT published_date FROM articles"))
    wanted = sorted(a["published_date"] for a in mockserver.expected()
                    if a["site"] == "benuaetam" and a["published_date"] >= since)
    assert dates == wanted


def test_progress_line_shows_pages_articles_errors_and_rate(sites: Path, tmp_path: Path) -> None:
    run = crawl(["mahakampos"], sites, tmp_path / "warta.db", "--progress")
    last = run.process.stderr.split("\r")[-1]
    assert re.search(rf"pages \d+ \| articles {MAHAKAMPOS} \(new {MAHAKAMPOS}, updated 0\) "
                     r"\| errors 0 \| "
                     r"[\d.]+ pages/s \| \d+:\d\d", last), run.process.stderr[-300:]


def stop_at_first_article(sites: Path, db: Path, mockserver: MockServer, sig: int,
                          *extra: str) -> tuple[int, str, str]:
    """`warta crawl mahakampos` sent `sig` as soon as its progress line counts an article: it is
    then surely past start-up (its signal handlers installed) and far from done (every response
    waits 0.3 s, and at most 4 requests are held by the downloader, default 16: a stop lets
    those it holds finish, and 16 of them could complete a good part of the outlet's
    articles).
    Returns the exit status, stdout and stderr."""
    settings = [arg for s in (*FAST_SETTINGS, "CONCURRENT_REQUESTS=4",
                              "WARTA_PROGRESS_INTERVAL=0.05") for arg in ("-s", s)]
    mockserver.set_delay(0.3)
    process = start_warta("crawl", "mahakampos", "--sites-dir", str(sites), "--db", str(db),
                          "--progress", *settings, *extra)
    try:
        seen = read_until(process, r"\| articles [1-9]")
        process.send_signal(sig)
        out, err = process.communicate(timeout=60)
    finally:
        mockserver.reset()
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, out, seen + err


def crawls_and_articles(db: Path) -> tuple[list[str], int]:
    with sqlite3.connect(db) as conn:
        reasons = [r for (r,) in conn.execute("SELECT finish_reason FROM crawls ORDER BY id")]
        (stored,) = conn.execute("SELECT count(*) FROM articles").fetchone()
    return reasons, stored


def test_ctrl_c_stops_the_crawl_cleanly_and_records_it(sites: Path, tmp_path: Path,
                                                      mockserver: MockServer) -> None:
    db = tmp_path / "warta.db"
    status, out, err = stop_at_first_article(sites, db, mockserver, signal.SIGINT)
    assert status == 130, err[-2000:]
    assert "Traceback" not in err
    assert out.splitlines()[-1].startswith("shutdown in ")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT finish_reason FROM crawls").fetchall() == [("shutdown",)]
        (stored,) = conn.execute("SELECT count(*) FROM articles").fetchone()
        (done,) = conn.execute("SELECT new FROM crawls").fetchone()
    assert 0 < stored == done < MAHAKAMPOS


def test_sigterm_stops_the_crawl_cleanly_and_the_same_command_resumes_it(
        sites: Path, tmp_path: Path, mockserver: MockServer) -> None:
    db = tmp_path / "warta.db"
    status, out, err = stop_at_first_article(sites, db, mockserver, signal.SIGTERM)
    assert status == 130, err[-2000:]
    assert "Traceback" not in err
    assert out.splitlines()[-1].startswith("shutdown in ")
    reasons, stopped_at = crawls_and_articles(db)
    assert reasons == ["shutdown"]
    assert 0 < stopped_at < MAHAKAMPOS
    again = crawl(["mahakampos"], sites, db)
    assert again.process.returncode == 0, again.process.stderr
    assert again.process.stderr.startswith("Note: resuming the paused crawl of mahakampos "
                                           "begun ")
    assert crawls_and_articles(db) == (["shutdown", "finished"], MAHAKAMPOS)
    assert again.stat("archive/new") == MAHAKAMPOS - stopped_at


def test_fresh_starts_an_interrupted_crawl_over(sites: Path, tmp_path: Path,
                                                mockserver: MockServer) -> None:
    db = tmp_path / "warta.db"
    status, _, err = stop_at_first_article(sites, db, mockserver, signal.SIGINT)
    assert status == 130, err[-2000:]
    stopped_at = crawls_and_articles(db)[1]
    mockserver.clear_log()
    again = crawl(["mahakampos"], sites, db, "--fresh")
    assert again.process.returncode == 0, again.process.stderr
    assert "resuming" not in again.process.stderr
    # Started over: discovery from the home page again, which the paused job had done.
    assert "/" in mockserver.requested_paths("mahakampos")
    # (Not necessarily all the outlet's articles: a new job skips the archived ones, and with
    # them the related headlines only they link to, which the paused job's frontier held.)
    reasons, stored = crawls_and_articles(db)
    assert reasons == ["shutdown", "finished"]
    assert again.stat("archive/new") == stored - stopped_at > 0


def test_a_crawl_stopped_early_exits_1_and_says_why(sites: Path, tmp_path: Path) -> None:
    db = tmp_path / "warta.db"
    run = crawl(["mahakampos"], sites, db, "-s", "CLOSESPIDER_PAGECOUNT=3")
    assert run.process.returncode == 1, run.process.stderr
    assert run.process.stdout.splitlines()[-1].startswith("closespider_pagecount in ")
    assert crawls_and_articles(db)[0] == ["closespider_pagecount"]


def test_scrapy_crawl_news_does_the_same_crawl(sites: Path, tmp_path: Path) -> None:
    db = tmp_path / "scrapy.db"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    settings = [arg for s in FAST_SETTINGS for arg in ("-s", s)]
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news", "-a", "site=mahakampos",
         "-s", f"WARTA_DB={db}", "-s", f"WARTA_SITES_DIR={sites}", "-s", "LOG_LEVEL=WARNING",
         *settings], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
        check=False)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (MAHAKAMPOS,)
        assert conn.execute("SELECT finish_reason FROM crawls").fetchall() == [("finished",)]


def test_scrapy_crawl_with_an_unknown_site_is_one_line_and_touches_no_archive(
        tmp_path: Path) -> None:
    db = tmp_path / "scrapy.db"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news", "-a", "site=nope",
         "-s", f"WARTA_DB={db}", "-s", "LOG_LEVEL=WARNING"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=180, check=False)
    assert "Traceback" not in result.stderr
    assert "ERROR: unknown site 'nope': known sites are" in result.stderr
    assert not db.exists()


def test_demo_crawls_the_bundled_sites_and_searches(tmp_path: Path) -> None:
    result = run_warta("demo", "--no-progress", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    db = tmp_path / "warta-demo.db"
    with sqlite3.connect(db) as conn:
        (count,) = conn.execute("SELECT count(*) FROM articles").fetchone()
    assert count >= 60
    out = result.stdout
    assert re.search(rf"^total\s+\d+\s+{count}\s+{count}\s", out, re.MULTILINE)
    assert "Sample search: warta search 'banjir samarinda' --db warta-demo.db" in out
    assert "Read it in a browser: warta serve --db warta-demo.db" in out
    assert "No articles match." not in out


# --- docs ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(WARTA_SETTINGS))
def test_every_warta_setting_is_documented_in_the_readme(name: str) -> None:
    assert f"| `{name}` |" in README.read_text(encoding="utf-8")


def test_settings_module_exposes_each_warta_setting_with_its_default() -> None:
    from crawler import settings

    for name, setting in WARTA_SETTINGS.items():
        assert getattr(settings, name) == setting.default, name
