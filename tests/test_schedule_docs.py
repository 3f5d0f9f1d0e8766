"""The README's scheduling examples, tested as written, and the scheduling commands documented.

The cron line and the systemd units are taken from the README's ```cron and ```ini blocks.
The units are checked by `systemd-analyze verify` (where systemd is installed; else parsed
and checked key by key), the cron line field by field; then both command lines run, one after
the other on the same archive as they would on a server, against the mock outlets. What is
changed, and only that: `/srv/warta` is a temporary folder whose `.venv/bin/warta` runs this
checkout's warta with loopback speed settings appended (no AutoThrottle, no delay: the outlets
are our own), and `--all` crawls nine mock outlets, because the folder in `WARTA_SITES_DIR`
gives each bundled outlet key a profile of one (a profile in your folder replaces a bundled
one of the same key).
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest

from crawler.cli import cli  # the whole warta command: archive and crawler commands
from crawler.sites import load_profiles
from tests.crawler.warta_run import ROOT, TRAP_SETTINGS, write_sites
from tests.mockserver.client import MockServer, start_mockserver

README = ROOT / "README.md"
SERVER_ROOT = "/srv/warta"
RUN_TIMEOUT = 180


def readme() -> str:
    return README.read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", readme(), flags=re.S | re.M)


def section(title: str) -> str:
    match = re.search(rf"^##+ {re.escape(title)}.*?(?=^## |^### )", readme(), flags=re.S | re.M)
    assert match, f"README has no section {title!r}"
    return match.group(0)


# --- the commands and options are documented ------------------------------------------------

@pytest.mark.parametrize("command", ["crawls", "health", "diff"])
def test_each_new_command_has_a_section_with_every_option(command: str) -> None:
    text = section(f"`warta {command}`")
    assert f"\nwarta {command}" in text
    options = [opt for p in cli.commands[command].params if isinstance(p, click.Option)
               for opt in p.opts if opt.startswith("--") and opt not in ("--help", "--db")]
    assert [opt for opt in options if opt not in text] == []


def test_the_crawl_options_for_scheduled_runs_are_documented() -> None:
    text = section("`warta crawl`")
    for option in ("--refresh-days", "--fresh", "--wait", "--fail-on-warning"):
        assert option in text, option
    for status in ("3 when", "75 when", "130 after"):
        assert status in text


# --- the examples, checked --------------------------------------------------------------------

def cron_lines() -> list[str]:
    """Every line of every cron block (the crawl's, and the cluster's on the main machine)."""
    return [ln for block in blocks("cron") for ln in block.splitlines()
            if ln.strip() and not ln.startswith("#")]


def cron_line() -> str:
    """The scheduled crawl's cron line."""
    (line,) = [ln for ln in cron_lines() if " crawl " in ln]
    return line


def units() -> dict[str, str]:
    """File name -> text of the unit files shown (each block starts with its path)."""
    found = {}
    for block in blocks("ini"):
        first, _, rest = block.partition("\n")
        if first.startswith("# /etc/systemd/system/"):
            found[first.rsplit("/", 1)[1]] = rest
    return found


CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12),
               ("day of week", 0, 7))


@pytest.mark.parametrize("line", cron_lines())
def test_the_cron_line_has_five_valid_time_fields(line: str) -> None:
    fields = line.split()[:5]
    for text, (name, low, high) in zip(fields, CRON_FIELDS, strict=True):
        for part in text.split(","):
            value, _, step = part.partition("/")
            assert not step or step.isdigit(), (name, text)
            if value == "*":
                continue
            ends = [int(v) for v in value.split("-")]
            assert all(low <= v <= high for v in ends), (name, text)


def warta_args(command: str) -> list[str]:
    """The arguments after the warta executable in a shell command line."""
    words = shlex.split(command)
    (at,) = [i for i, w in enumerate(words) if w.endswith("bin/warta") or w == "warta"]
    args = []
    for word in words[at + 1:]:
        if word in ("&&", "||", ";", ">>", ">", "2>&1", "|"):
            break
        args.append(word)
    return args


def test_both_examples_are_valid_warta_crawl_invocations() -> None:
    exec_start = configparser_for(units()["warta-crawl.service"])["Service"]["ExecStart"]
    for args in (warta_args(cron_line()), warta_args(exec_start)):
        assert args[0] == "crawl"
        # click parses every option and value as `warta crawl` would; a typo raises here
        params = cli.commands["crawl"].make_context("crawl", args[1:]).params
        assert params["all_sites"] is True
        assert params["db"].endswith("kaltim.db")


def configparser_for(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return parser


# --- the examples, run -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def outlets(mockserver: MockServer) -> Iterator[dict[str, dict[str, Any]]]:
    """A mock outlet profile for each bundled key: the session's server and two more."""
    extra = [start_mockserver(), start_mockserver()]
    try:
        servers = [mockserver, *extra]
        mock = [server.profiles[key] for server in servers for key in sorted(server.profiles)]
        keys = sorted(load_profiles(None))
        assert len(keys) <= len(mock)
        yield dict(zip(keys, mock, strict=False))
    finally:
        for server in extra:
            server.stop()


SHIM = """#!/bin/sh
# The README's /srv/warta/.venv/bin/warta: this checkout's warta, loopback speed settings added.
PYTHONPATH={root} exec {python} -m crawler.cli "$@" {settings}
"""


@pytest.fixture(scope="module")
def server_root(outlets: dict[str, dict[str, Any]],
                tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("srv") / "warta"
    shim = root / ".venv" / "bin" / "warta"
    shim.parent.mkdir(parents=True)
    # `--all` meets the mock servers' slow trap page: its short timeout
    settings = " ".join(f"-s {shlex.quote(s)}" for s in TRAP_SETTINGS)
    shim.write_text(SHIM.format(root=shlex.quote(str(ROOT)), python=shlex.quote(sys.executable),
                                settings=settings))
    shim.chmod(0o755)
    write_sites(root / "sites", outlets)
    return root


def env_for(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env.pop("PYTHONPATH", None)
    env["WARTA_SITES_DIR"] = str(root / "sites")
    return env


@pytest.fixture(scope="module")
def cron_run(server_root: Path) -> subprocess.CompletedProcess[str]:
    command = cron_line().split(None, 5)[5].replace(SERVER_ROOT, str(server_root))
    return subprocess.run(["sh", "-c", command], env=env_for(server_root), cwd="/",
                          capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)


@pytest.fixture(scope="module")
def unit_folder(server_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("units")
    for name, text in units().items():
        (folder / name).write_text(text.replace(SERVER_ROOT, str(server_root)))
    return folder


@pytest.fixture(scope="module")
def timer_run(cron_run: subprocess.CompletedProcess[str], server_root: Path,
              unit_folder: Path) -> subprocess.CompletedProcess[str]:
    service = configparser_for((unit_folder / "warta-crawl.service").read_text())["Service"]
    return subprocess.run(shlex.split(service["ExecStart"]), env=env_for(server_root),
                          cwd=service["WorkingDirectory"], capture_output=True, text=True,
                          timeout=RUN_TIMEOUT, check=False)


def test_the_cron_line_crawls_into_the_archive_and_logs(
        cron_run: subprocess.CompletedProcess[str], server_root: Path,
        outlets: dict[str, dict[str, Any]]) -> None:
    assert cron_run.returncode == 0, cron_run.stderr
    assert (cron_run.stdout, cron_run.stderr) == ("", "")  # all of it went to the log
    log = (server_root / "crawl.log").read_text()
    assert re.search(r"^finished in [\d.]+ s .*; archive: kaltim\.db$", log, flags=re.M), log
    assert "[scrapy.core.engine] INFO: Spider closed (finished)" in log
    with sqlite3.connect(server_root / "kaltim.db") as conn:
        sources = {s for (s,) in conn.execute("SELECT DISTINCT source FROM articles")}
    assert sources == set(outlets)


def test_the_systemd_units_verify(unit_folder: Path) -> None:
    service = configparser_for((unit_folder / "warta-crawl.service").read_text())
    timer = configparser_for((unit_folder / "warta-crawl.timer").read_text())
    assert service["Service"]["Type"] == "oneshot"
    assert Path(shlex.split(service["Service"]["ExecStart"])[0]).is_absolute()
    assert timer["Install"]["WantedBy"] == "timers.target"
    analyze = shutil.which("systemd-analyze")
    if analyze is None:  # no systemd here: the checks above and a calendar shape
        assert re.fullmatch(r"(minutely|hourly|daily|weekly|monthly|[\d*:/ ,.-]+)",
                            timer["Timer"]["OnCalendar"])
        return
    verified = subprocess.run([analyze, "verify", "--man=no", *sorted(
        str(p) for p in unit_folder.iterdir())], capture_output=True, text=True, check=False)
    assert verified.returncode == 0, verified.stderr


def test_the_timers_service_runs_again_incrementally_and_strictly(
        timer_run: subprocess.CompletedProcess[str], server_root: Path) -> None:
    assert timer_run.returncode == 0, timer_run.stderr
    last = timer_run.stdout.splitlines()[-1]
    assert re.match(r"finished in [\d.]+ s .*; [\d,]+ archived articles not fetched again; "
                    rf"archive: {re.escape(str(server_root))}/kaltim\.db$", last), last
    with sqlite3.connect(server_root / "kaltim.db") as conn:
        reasons = [r for (r,) in conn.execute("SELECT finish_reason FROM crawls ORDER BY id")]
    assert reasons == ["finished", "finished"]
