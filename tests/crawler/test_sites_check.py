"""`warta sites --check` (issue 13): an outlet surveyed in a minute before it is scheduled,
against the loopback mock server: which discovery paths exist and how much each reaches, which
fields a sample of articles gives with the stage of each, and warnings where a field is missing
on most pages; robots.txt and the address guard apply as in a crawl, and nothing is archived."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.crawler.warta_run import FAST_SETTINGS, run_warta, write_sites
from tests.mockserver.client import MockServer
from tests.mockserver.hostile import DECOY_SITE, HOSTILE_SITE
from tests.mockserver.network import NETWORK_SITE
from tests.mockserver.portal import PORTAL_SITE
from tests.mockserver.traps import TRAP_SITE


def check(target: str, *args: str, cwd: Path) -> list[str]:
    settings = [arg for s in FAST_SETTINGS for arg in ("-s", s)]
    done = run_warta("sites", "--check", target, *args, *settings, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def row(lines: list[str], name: str) -> list[str]:
    """The cells of the table row that starts with `name` (cells split on 2+ spaces)."""
    import re

    [found] = [ln for ln in lines if re.match(re.escape(name) + r"\s{2,}", ln)]
    return re.split(r"\s{2,}", found.strip())


@pytest.fixture(scope="module")
def network_lines(mockserver: MockServer, tmp_path_factory: pytest.TempPathFactory
                  ) -> tuple[list[str], Path, list[dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("check")
    sites = write_sites(folder / "sites", {NETWORK_SITE: mockserver.network()["profile"]})
    mockserver.clear_log()
    lines = check(str(sites / f"{NETWORK_SITE}.toml"), cwd=folder)
    return lines, folder, mockserver.requests(NETWORK_SITE)


def test_a_profile_file_is_checked_and_its_listing_paths_shown(
        network_lines: tuple[list[str], Path, list[dict[str, Any]]]) -> None:
    lines, _, _ = network_lines
    assert lines[0].startswith(f"{NETWORK_SITE}: ")
    for path in ("homepage", "section pages", "tag pages", "author pages", "all paths"):
        cells = row(lines, path)
        assert int(cells[1]) > 0, cells
    assert row(lines, "tag pages")[2].endswith("+")  # paginated further: at least
    assert not [ln for ln in lines if ln.startswith(("sitemaps", "feeds"))]  # it has none


def test_the_sample_says_which_fields_and_which_stage(
        network_lines: tuple[list[str], Path, list[dict[str, Any]]]) -> None:
    lines, _, _ = network_lines
    assert "Sample: 10 article(s) read" in lines
    assert row(lines, "title")[1:3] == ["10/10", "100%"]
    assert row(lines, "dateline")[1:3] == ["10/10", "100%"]
    assert row(lines, "author")[3] == "text 10"
    assert not [ln for ln in lines if ln.startswith("warning:")]


def test_a_check_reads_a_bounded_sample_and_writes_nothing(
        network_lines: tuple[list[str], Path, list[dict[str, Any]]]) -> None:
    _, folder, requests = network_lines
    articles = {r["path"].split("?")[0] for r in requests if r["path"].startswith("/read/")}
    assert 10 <= len({a for a in articles if a.count("/") == 3}) <= 12
    assert len(requests) <= 40
    assert sorted(p.name for p in folder.iterdir()) == ["sites"]  # no archive, no state


def test_fields_missing_on_most_pages_are_warned_about(
        mockserver: MockServer, tmp_path: Path) -> None:
    sites = write_sites(tmp_path / "sites", {PORTAL_SITE: mockserver.portal()["plain"]["profile"]})
    lines = check(PORTAL_SITE, "--sites-dir", str(sites), cwd=tmp_path)
    assert f"warning: {PORTAL_SITE}: dateline missing on 10 of 10 articles read" in lines
    assert f"warning: {PORTAL_SITE}: sign-off missing on 10 of 10 articles read" in lines
    assert int(row(lines, "feeds")[1]) == 10
    # one page of the index read; its page numbers (1 2 ... 7) tell its length
    index = row(lines, "index pages")
    assert int(index[1]) == 10 and int(index[2]) >= len(
        mockserver.portal()["plain"]["articles"])
    # the pages print `Jumat (1/3)`: the date came from the text, completed by discovery
    assert "date text, body" in row(lines, "dated body")[3]


def test_a_check_obeys_robots_txt_and_the_address_guard(
        mockserver: MockServer, tmp_path: Path) -> None:
    hostile = mockserver.hostile()
    expected = mockserver._get("/__expected")
    traps = [t for t in expected["traps"] if t.get("expect") == "not_requested"]
    sites = write_sites(tmp_path / "sites", {
        HOSTILE_SITE: hostile["profile"], TRAP_SITE: expected["profiles"][TRAP_SITE]})
    mockserver.clear_log()
    # the slow trap page answers at once: its wait (5 s) is not this test's subject
    mockserver.set_slow(0)
    try:
        for key in (HOSTILE_SITE, TRAP_SITE):
            lines = check(key, "--sites-dir", str(sites), "--sample", "30", cwd=tmp_path)
            assert lines[1].startswith("robots.txt: HTTP 200; obeyed")
    finally:
        mockserver.reset()
    assert mockserver.requests(DECOY_SITE) == []  # nothing reached the other host
    asked = {r["path"] for r in mockserver.requests(TRAP_SITE)}
    assert traps and not [t for t in traps if t["url"].split("/", 3)[3] in asked]
