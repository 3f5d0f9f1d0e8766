"""`warta extract`: exit codes and output, error messages included."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.extract import RESULT_KEYS

URL = "https://mahakam.example/berita/2023/05/23/banjir-rendam-samarinda"
PAGE = """<html><head><meta charset="utf-8"><title>Banjir Rendam Samarinda</title></head><body>
<h1>Banjir Rendam Samarinda</h1><div class="tanggal">Selasa, 23 Mei 2023 10:15</div>
<div class="isi"><p>SAMARINDA - Banjir merendam lima kecamatan di Samarinda sejak Senin malam
setelah hujan deras mengguyur kota selama enam jam.</p><p>Ratusan warga mengungsi ke masjid
terdekat dan dapur umum dibuka di tiga titik oleh relawan.(*/han)</p></div></body></html>"""


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "banjir.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_one_page_prints_indented_json_of_every_field(
    saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["extract", str(saved), "--url", URL], capsys)
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert tuple(result) == RESULT_KEYS
    assert out.startswith('{\n  "url": ')
    assert result["title"] == "Banjir Rendam Samarinda"
    assert result["dateline"] == "SAMARINDA" and result["signoff"] == "*/han"


def test_site_profile_sets_the_zone(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "mahakam.toml").write_text(
        'name = "Mahakam Pos"\nhomepage = "https://mahakam.example/"\ntimezone = "Asia/Makassar"\n',
        encoding="utf-8",
    )
    code, out, _ = run(
        ["extract", str(saved), "--url", URL, "--site", "mahakam", "--sites-dir", str(sites)],
        capsys,
    )
    assert code == 0
    assert json.loads(out)["published_at"] == "2023-05-23T10:15:00+08:00"


def test_non_ascii_text_is_printed_as_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "kafe.html"
    page.write_text(PAGE.replace("Banjir Rendam Samarinda", "Kafe “Tepian” Ramai"), "utf-8")
    _, out, _ = run(["extract", str(page), "--url", URL], capsys)
    assert '"title": "Kafe “Tepian” Ramai"' in out


def test_batch_prints_one_compact_object_per_page_with_its_file(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    second = tmp_path / "kedua.html"
    second.write_text(PAGE.replace("Banjir Rendam Samarinda", "Jembatan Putus di Berau"), "utf-8")
    listing = tmp_path / "pages.tsv"
    listing.write_text(f"# saved pages\nbanjir.html\t{URL}\n\nkedua.html\t{URL}-2\n", "utf-8")
    code, out, err = run(["extract", "--batch", str(listing)], capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 2 and all(": " not in line[:20] for line in lines)
    records = [json.loads(line) for line in lines]
    assert [(r["file"], r["title"]) for r in records] == [
        ("banjir.html", "Banjir Rendam Samarinda"),
        ("kedua.html", "Jembatan Putus di Berau"),
    ]
    assert next(iter(records[0])) == "file"


def test_batch_from_stdin(
    saved: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{saved}\t{URL}\n"))
    code, out, _ = run(["extract", "--batch", "-"], capsys)
    assert code == 0 and json.loads(out)["file"] == str(saved)


def test_batch_reports_each_bad_line_and_reads_the_rest(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "pages.tsv"
    listing.write_text(
        f"hilang.html\t{URL}\nbaris tanpa tab\nbanjir.html\tftp://x\nbanjir.html\t{URL}\n", "utf-8"
    )
    code, out, err = run(["extract", "--batch", str(listing)], capsys)
    assert code == 1
    assert err.splitlines() == [
        f"Error: {listing} line 1: hilang.html: no such file",
        f"Error: {listing} line 2: expected FILE<TAB>URL, got 'baris tanpa tab'",
        f"Error: {listing} line 3: the URL must start with http:// or https://, got 'ftp://x'",
    ]
    assert [json.loads(line)["file"] for line in out.splitlines()] == ["banjir.html"]


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "tidak-ada.html"
    assert run(["extract", str(missing), "--url", URL], capsys) == (
        1,
        "",
        f"Error: {missing}: no such file\n",
    )


def test_file_without_url_is_a_usage_error(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["extract", str(saved)], capsys) == (
        2,
        "",
        "Error: --url is required with FILE: it decides the canonical URL and which "
        "links belong to the same outlet\n",
    )


def test_nothing_to_read_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["extract"], capsys) == (
        2,
        "",
        "Error: give a saved page FILE with --url URL, or --batch LIST\n",
    )


def test_missing_batch_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "list.tsv"
    assert run(["extract", "--batch", str(missing)], capsys) == (
        1,
        "",
        f"Error: {missing}: no such batch list\n",
    )


def test_unknown_site(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["extract", str(saved), "--url", URL, "--site", "tidakada"], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("Error: unknown site 'tidakada': known sites are ")


def test_bad_fetch_time(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["extract", str(saved), "--url", URL, "--fetched-at", "kemarin"], capsys) == (
        2,
        "",
        "Error: --fetched-at 'kemarin' is not an ISO 8601 time (e.g. 2023-05-24T08:00:00+08:00)\n",
    )


def test_the_installed_entry_point_runs_as_a_child_process(saved: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "extract", str(saved), "--url", URL],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    assert json.loads(proc.stdout)["url"] == URL
