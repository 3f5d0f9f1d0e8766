"""`warta counts`: matching, all and share per period and outlet, exact output in each format,
plots that are real PNG/SVG files of the documented size, and one-line errors."""

from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest

from archive import Archive, UsageError
from archive.commands import cli
from archive.counts import PLOT_DPI, PLOT_SIZE_INCHES, counts, period_start

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def db(corpus: Archive, db_path: Path) -> str:
    return str(db_path)


def test_counts_per_month_and_outlet(corpus: Archive) -> None:
    result = counts(corpus, "stunting", by="month", source=["kaltimpost", "tribunkaltim"],
                    since="2023-01-01", until="2023-06-30")
    rows = [(r["period"], r["source"], r["matching"], r["all"], r["share"])
            for r in result.rows]
    assert rows[:2] == [("2023-01", "kaltimpost", 1, 1, 1.0),
                        ("2023-01", "tribunkaltim", 0, 0, None)]
    assert rows[-2:] == [("2023-06", "kaltimpost", 0, 0, None),
                         ("2023-06", "tribunkaltim", 1, 1, 1.0)]
    # Every month in between is there, for every outlet, though no article was published.
    assert [r[0] for r in rows] == [f"2023-0{m}" for m in range(1, 7) for _ in range(2)]


def test_share_is_matching_over_all(corpus: Archive, record) -> None:
    corpus.write([record(10 + n, source="kaltimpost", url=f"https://kaltimpost.example/x/{n}",
                         title=f"Sanitasi {n}", body="Air bersih.",
                         published_at=f"2023-01-{n + 2:02d}T10:00:00+08:00") for n in range(3)])
    result = counts(corpus, "stunting", by="month", source="kaltimpost")
    assert [(r["period"], r["matching"], r["all"], r["share"]) for r in result.rows] == [
        ("2023-01", 1, 4, 0.25)]
    assert result.undated == {"kaltimpost": (1, 1)}


def test_counts_match_word_forms_unless_exact(corpus: Archive) -> None:
    def matching(**options: object) -> int:
        result = counts(corpus, "kebanjiran", by="month", source="tribunkaltim", **options)
        return sum(r["matching"] for r in result.rows)

    assert matching() == 1              # "Banjir melanda Balikpapan"
    assert matching(exact=True) == 0


def test_periods_are_local_days_and_iso_weeks(corpus: Archive) -> None:
    # Article 3: 23:30 WIB on Saturday 31 December 2022 is in that day and in ISO week 52 of
    # 2022; article 1: 00:30 WITA on Sunday 1 January 2023 (the same instant) too.
    by_day = counts(corpus, "kampanye", by="day", source="jakartanews")
    assert [(r["period"], r["matching"]) for r in by_day.rows] == [("2022-12-31", 1)]
    by_week = counts(corpus, "stunting", by="week", source="kaltimpost")
    assert [(r["period"], r["matching"], r["all"]) for r in by_week.rows] == [
        ("2022-W52", 1, 1)]
    assert period_start("2022-W52", "week").isoformat() == "2022-12-26"


def test_filters_narrow_both_numbers(corpus: Archive) -> None:
    result = counts(corpus, "stunting", region="Balikpapan", by="month")
    assert result.sources == ["tribunkaltim"]
    assert {(r["period"], r["matching"], r["all"]) for r in result.rows if r["all"]} == {
        ("2023-06", 1, 1), ("2024-02", 0, 1)}


def test_table_output(warta, db: str) -> None:
    assert warta("counts", "stunting", "--source", "kaltimpost,tribunkaltim", "--since",
                 "2023-06-01", "--until", "2023-06-30", "--db", db) == (0, (
        "PERIOD   SOURCE        MATCHING  ALL    SHARE\n"
        "2023-06  kaltimpost           0    0\n"
        "2023-06  tribunkaltim         1    1  100.00%\n"), "")


def test_table_notes_undated_articles(warta, db: str) -> None:
    status, out, _ = warta("counts", "stunting", "--source", "kaltimpost", "--db", db)
    assert (status, out.splitlines()[-1]) == (
        0, "Undated articles are in no period (matching of all): kaltimpost 1 of 1")


def test_csv_and_jsonl_output(warta, db: str) -> None:
    status, out, err = warta("counts", "banjir", "--by", "month", "--format", "csv",
                             "--source", "tribunkaltim", "--until", "2023-12-31", "--db", db)
    assert (status, out, err) == (0, "period,source,matching,all,share\n"
                                     "2023-06,tribunkaltim,1,1,1.0\n", "")
    status, out, err = warta("counts", "stunting", "--format", "jsonl", "--source",
                             "kaltimpost", "--db", db)
    assert status == 0
    assert [json.loads(line) for line in out.splitlines()] == [
        {"period": "2023-01", "source": "kaltimpost", "matching": 1, "all": 1, "share": 1.0}]
    # The note stays off stdout, which holds only data.
    assert err == "Undated articles are in no period (matching of all): kaltimpost 1 of 1\n"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_plot_png_has_the_documented_size(warta, db: str, tmp_path: Path) -> None:
    out = tmp_path / "stunting.png"
    status, _, err = warta("counts", "stunting", "--plot", str(out), "--db", db)
    assert (status, err.splitlines()[-1]) == (0, f"Plot: {out}")
    width, height = PLOT_SIZE_INCHES
    assert png_size(out) == (int(width * PLOT_DPI), int(height * PLOT_DPI)) == (1000, 500)


def test_plot_svg_has_one_line_per_outlet_labels_and_title(warta, db: str,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "stunting.svg"
    assert warta("counts", "stunting", "--by", "week", "--plot", str(out), "--db", db)[0] == 0
    root = ET.parse(out).getroot()
    assert (root.get("width"), root.get("height")) == ("720pt", "360pt")
    ids = {element.get("id") for element in root.iter()}
    assert {"line2d_" in (i or "") for i in ids} == {True, False}
    text = out.read_text()
    # Text is drawn as paths (no font needed to view it), with the words kept as comments.
    for words in ("Articles matching \u201cstunting\u201d per week, by outlet",
                  "Share of the outlet's articles (%)", "Matching articles",
                  "Publication week (local date as published)", "jakartanews", "kaltimpost",
                  "tribunkaltim"):
        assert f"<!-- {words} -->" in text
    # One line per outlet: three legend entries, three series.
    assert len(re.findall(r'<g id="line2d_\d+">\s*<path d="M', text)) >= 3
    # and the counts as bars: one per outlet and week, the weeks with a match not empty
    corners = r"M [\d.]+ ([\d.]+)\s+L [\d.]+ [\d.]+\s+L [\d.]+ ([\d.]+)"
    bars = re.findall(r'<g id="patch_\d+">\s*<path d="' + corners, text)
    assert any(float(top) != float(bottom) for bottom, top in bars)


def test_plot_is_the_same_file_twice(warta, db: str, tmp_path: Path) -> None:
    for name in ("a.svg", "b.svg", "a.png", "b.png"):
        assert warta("counts", "stunting", "--plot", str(tmp_path / name), "--db", db)[0] == 0
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


@pytest.mark.parametrize(("args", "message"), [
    (["stunting", "--plot", "chart.pdf"],
     "Error: --plot: cannot draw 'chart.pdf'; end the file name in .png or .svg"),
    (["stunting", "--plot", "missing/chart.png"],
     "Error: --plot: the folder missing does not exist; create it first"),
    (["stunting", "--by", "year"],
     "Error: Invalid value for '--by': 'year' is not one of 'day', 'week', 'month', 'region'."
     " (see 'warta counts --help')"),
    (["  "], "Error: give the search text to count, e.g. warta counts stunting"),
    (["stunting", "--source", "nope"],
     "Error: --source: unknown source 'nope'; the archive has: jakartanews, kaltimpost, "
     "tribunkaltim"),
    (["x AND", "--raw"], "Error: --raw: the FTS5 query 'x AND' is not valid"),
])
def test_bad_input_is_one_line(warta, db: str, tmp_path: Path, monkeypatch, args: list[str],
                               message: str) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = warta("counts", *args, "--db", db)
    assert status in (1, 2) and out == ""
    assert len(err.splitlines()) == 1 and err.startswith(message)
    assert list(tmp_path.glob("chart*")) == []


def test_unknown_period_from_python() -> None:
    with pytest.raises(UsageError, match="--by: 'year' is not one of day, week, month"):
        counts(Archive(":memory:"), "x", by="year")


def test_readme_documents_counts_and_the_new_export_options() -> None:
    readme = README.read_text(encoding="utf-8")
    match = re.search(r"^### `warta counts`.*?(?=^##)", readme, flags=re.S | re.M)
    assert match and "\nwarta counts " in match.group(0)
    options = [opt for p in cli.commands["counts"].params if isinstance(p, click.Option)
               for opt in p.opts if opt.startswith("--") and opt not in ("--help", "--db")]
    search = re.search(r"^### `warta search`.*?(?=^##)", readme, flags=re.S | re.M)
    assert search
    missing = [o for o in options if o not in match.group(0) + search.group(0)]
    assert not missing, f"options of warta counts missing from its README section: {missing}"
    export = re.search(r"^### `warta export`.*?(?=^##)", readme, flags=re.S | re.M)
    assert export
    for option in ("--card", "--urls-only", "--partition"):
        assert option in export.group(0)
