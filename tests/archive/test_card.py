"""Dataset cards (`warta export --card`): the counts a reader checks against the data, the
outlets, the crawl runs, the checksums, the copyright note; the command it gives makes the
same file again."""

from __future__ import annotations

import hashlib
import re
import shlex
from pathlib import Path

import pytest

from archive import Archive
from archive.card import COPYRIGHT_NOTE
from archive.commands import cli, run
from archive.export import export


@pytest.fixture
def crawled(corpus: Archive, corpus_records: list[dict]) -> Archive:
    """The corpus, a finished crawl run that edited article 2 (one earlier version kept), and
    the homepages of two outlets."""
    crawl = corpus.begin_crawl(["tribunkaltim"], {"since": None, "sites_dir": "/data/sites"})
    corpus.write([dict(corpus_records[1], title="Banjir melanda Balikpapan lagi")],
                 crawl_id=crawl)
    corpus.finish_crawl(crawl, finish_reason="finished", counts={"new": 0, "updated": 1,
                                                                 "unchanged": 0}, stats={})
    corpus.set_source("kaltimpost", homepage="https://kaltimpost.example/")
    corpus.set_source("tribunkaltim", homepage="https://tribunkaltim.example/")
    return corpus


def section(card: str, title: str) -> list[str]:
    """The lines of one `## title` section, without blank lines."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", card, flags=re.S | re.M)
    assert match, f"the card has no section {title!r}"
    return [line for line in match.group(1).splitlines() if line.strip()]


def make_card(archive: Archive, out: Path, **options) -> str:
    manifest = export(archive, out, card=True, **options)
    assert manifest["card"] == out.name + ".card.md"
    return (out.parent / manifest["card"]).read_text(encoding="utf-8")


def test_card_counts_articles_per_outlet_and_month(crawled: Archive, tmp_path: Path) -> None:
    card = make_card(crawled, tmp_path / "all.jsonl")
    assert card.splitlines()[2] == (
        "5 news articles from 3 outlets, published 2022-12-31T23:30:00+07:00 to "
        "2024-02-10T19:00:00+08:00, exported from the warta archive `warta.db` by warta "
        f"{crawled_version()}.")
    assert section(card, "Outlets")[2:5] == [
        "| jakartanews | Jakarta News |  | DKI Jakarta | Asia/Jakarta | 1 | 2022-12-31 | "
        "2022-12-31 |",
        "| kaltimpost | Kaltim Post | https://kaltimpost.example/ | Kalimantan Timur, Samarinda "
        "| Asia/Makassar | 2 | 2023-01-01 | 2023-01-01 |",
        "| tribunkaltim | Tribun Kaltim | https://tribunkaltim.example/ | Kalimantan Timur, "
        "Balikpapan | Asia/Makassar | 2 | 2023-06-15 | 2024-02-10 |"]
    assert section(card, "Articles per outlet and month") == [
        "| month | jakartanews | kaltimpost | tribunkaltim | total |",
        "|---|---:|---:|---:|---:|",
        "| 2022-12 | 1 | 0 | 0 | 1 |",
        "| 2023-01 | 0 | 1 | 0 | 1 |",
        "| 2023-06 | 0 | 0 | 1 | 1 |",
        "| 2024-02 | 0 | 0 | 1 | 1 |"]
    assert "- Undated articles (no date could be read): 1" in section(card, "Dates")


def crawled_version() -> str:
    from archive.version import __version__

    return __version__


def test_card_field_coverage(crawled: Archive, tmp_path: Path) -> None:
    card = make_card(crawled, tmp_path / "all.parquet")
    assert section(card, "Field coverage")[1:] == [
        "| outlet | articles | date | time | author | dateline | editor | reporter | section | "
        "tags |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        "| jakartanews | 1 | 100.0% | 100.0% | 100.0% | 0.0% | 0.0% | 0.0% | 100.0% | 0.0% |",
        "| kaltimpost | 2 | 50.0% | 50.0% | 50.0% | 50.0% | 0.0% | 0.0% | 100.0% | 0.0% |",
        "| tribunkaltim | 2 | 100.0% | 50.0% | 100.0% | 0.0% | 0.0% | 0.0% | 100.0% | 0.0% |",
        "| all | 5 | 80.0% | 60.0% | 80.0% | 20.0% | 0.0% | 0.0% | 100.0% | 0.0% |"]


def test_card_says_which_dates_are_a_day_only(crawled: Archive, corpus_records: list[dict],
                                              tmp_path: Path) -> None:
    crawled.write([dict(corpus_records[0], url="https://kaltimpost.example/berita/6",
                        published_at="2023-01-02T00:00:00+08:00", published_precision="day"),
                   dict(corpus_records[0], url="https://kaltimpost.example/berita/7",
                        published_precision=None)])
    card = make_card(crawled, tmp_path / "all.jsonl")
    assert section(card, "Dates")[3] == (
        "- Time of day shown on the page: 3; day only: 1 (`published_precision` = `day`: the "
        "time in `published_at` is a midnight placeholder, count these by day, never by hour); "
        "read relative to the fetch time (`2 jam lalu`): 1 (approximate); not recorded "
        "(archived before warta kept it): 1.")


def test_card_follows_the_filters_and_query(crawled: Archive, tmp_path: Path) -> None:
    card = make_card(crawled, tmp_path / "stunting.csv", query="stunting",
                     source=["kaltimpost", "tribunkaltim"], since="2023-01-01")
    what = section(card, "What")
    assert '- Query and filters: query = "stunting", source = ["kaltimpost", "tribunkaltim"], ' \
           'since = "2023-01-01".' in what
    assert ("- Made by: `warta export --out stunting.csv --query stunting --source "
            "kaltimpost,tribunkaltim --since 2023-01-01 --card --db warta.db`") in what
    assert [line.split(" | ")[0] for line in section(card, "Outlets")[2:-1]] == [
        "| kaltimpost", "| tribunkaltim"]
    assert card.splitlines()[2].startswith("2 news articles from 2 outlets")


def test_card_tells_how_the_data_was_collected(crawled: Archive, tmp_path: Path) -> None:
    how = section(make_card(crawled, tmp_path / "all.jsonl"), "How it was collected")
    assert "- Profiles read from: warta's bundled profiles, and `/data/sites`." in how
    runs = [line for line in how if line.startswith("- Crawl runs:")]
    assert len(runs) == 1 and runs[0].startswith("- Crawl runs: 1, from ")
    assert runs[0].endswith(f"by warta {crawled_version()}; ended: finished 1.")
    assert "- The exported rows were last changed by crawl run(s): 1." in how
    table = [line for line in how if line.startswith("| 1 |")]
    assert len(table) == 1 and "| finished | tribunkaltim | 0 | 1 | 0 |" in table[0]


def test_card_counts_versions_and_related_links(crawled: Archive, corpus_records: list[dict],
                                                tmp_path: Path) -> None:
    crawled.write([dict(corpus_records[0], related=[
        {"url": "https://kaltimpost.example/berita/4", "title": "Sanitasi"},
        {"url": "https://other.example/x", "title": "Lain"}])])
    duplicates = section(make_card(crawled, tmp_path / "all.jsonl"), "Duplicates and versions")
    assert ("- Edited articles: when a re-crawl found a changed title or body, the row holds "
            "the latest text and the archive keeps the earlier ones: 1 of these articles have "
            "earlier versions (1 in all; `versions` counts them per row).") in duplicates
    assert ("- Related headlines: each target once per page, in page order; 2 related links "
            "in all.") in duplicates


def test_card_gives_the_sha256_of_the_data(crawled: Archive, tmp_path: Path) -> None:
    out = tmp_path / "all.csv.gz"
    card = make_card(crawled, out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert f"{digest}  all.csv.gz" in section(card, "Files and checksums")
    card = make_card(crawled, tmp_path / "parts", partition=True)
    lines = section(card, "Files and checksums")
    sums = lines[lines.index("```") + 1:-1]
    assert len(sums) == 5
    for line in sums:
        digest, path = line.split("  ")
        assert hashlib.sha256((tmp_path / "parts" / path).read_bytes()).hexdigest() == digest


def test_card_of_a_url_list_says_how_to_rebuild(crawled: Archive, tmp_path: Path) -> None:
    card = make_card(crawled, tmp_path / "urls.csv", urls_only=True)
    assert card.splitlines()[2].startswith("The URLs, dates and titles of 5 news articles")
    assert ("- URL list only: no article text. Rebuild the articles with "
            "`warta rehydrate urls.csv --db PATH`.") in section(card, "What")
    assert section(card, "Copyright and redistribution") == COPYRIGHT_NOTE.splitlines()


@pytest.mark.parametrize(("options", "shown", "rows"), [
    ({"source": "kaltimpost,tribunkaltim", "sort": "newest"},
     ["--source", "kaltimpost,tribunkaltim", "--sort", "newest"], 4),
    ({"date_stage": ["jsonld"], "body_stage": "generic,profile"},
     ["--body-stage", "generic,profile", "--date-stage", "jsonld"], 2),
    ({"precision": "relative,time", "source": "tribunkaltim"},
     ["--source", "tribunkaltim", "--date-precision", "relative,time"], 2),
])
def test_the_command_on_the_card_makes_the_same_file(crawled: Archive, db_path: Path,
                                                     tmp_path: Path, monkeypatch,
                                                     options: dict, shown: list[str],
                                                     rows: int) -> None:
    crawled.connection.execute("UPDATE articles SET body_stage = 'generic', date_stage = "
                               "CASE WHEN id < 3 THEN 'jsonld' ELSE 'text' END")
    crawled.connection.execute("UPDATE articles SET body_stage = 'profile' WHERE id = 5")
    out = tmp_path / "made" / "kaltim.parquet"
    out.parent.mkdir()
    card = make_card(crawled, out, **options)
    command = re.search(r"^- Made by: `(.*)`$", card, flags=re.M)
    assert command
    args = shlex.split(command.group(1))
    assert args[:2] == ["warta", "export"]
    assert " ".join(shown) in " ".join(args)
    assert card.splitlines()[2].startswith(f"{rows} news articles")
    again = tmp_path / "again"
    again.mkdir()
    monkeypatch.chdir(again)
    args[args.index("--db") + 1] = str(db_path)
    assert run(cli, args[1:]) == 0
    assert (again / "kaltim.parquet").read_bytes() == out.read_bytes()
    assert (again / "kaltim.parquet.card.md").read_text() == card


def test_cli_export_with_card(crawled: Archive, db_path: Path, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "urls.jsonl"
    assert run(cli, ["export", "--out", str(out), "--urls-only", "--card", "--db",
                     str(db_path)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"Exported URLs of 5 articles to {out} (jsonl, sha256 ")
    assert printed.endswith(f"; manifest: {out}.manifest.json; card: {out}.card.md\n")
    assert (tmp_path / "urls.jsonl.card.md").read_text().startswith(
        "# Dataset card: urls.jsonl\n")


@pytest.mark.parametrize("options", [{}, {"partition": True}])
def test_card_of_an_empty_export(crawled: Archive, tmp_path: Path, options: dict) -> None:
    out = tmp_path / ("none" if options else "none.csv")
    card = make_card(crawled, out, query="tsunami", **options)
    assert card.splitlines()[2] == ("0 news articles from 0 outlets, exported from the warta "
                                    f"archive `warta.db` by warta {crawled_version()}.")
    checksums = section(card, "Files and checksums")
    if options:
        assert checksums == ["No data files: no article matched."]
        assert list(out.iterdir()) == []
    else:
        assert checksums[-2] == f"{hashlib.sha256(out.read_bytes()).hexdigest()}  none.csv"
